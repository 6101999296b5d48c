/*
 * The overview of a family (detail "overview"): one node per image, external
 * images and contexts once each, one edge per pair.
 */
#include <string.h>
#include "render/builder_int.h"
#include "util/alloc.h"

/* Append "; text" (XML-escaped) to the title of ident i: a merged edge names each link. */
static int title_append(builder *B, long i, const char *text)
{
	atmo_rident *e = &B->c->ids.v[i];
	atmo_buf t = ATMO_BUF_INIT;

	atmo__put_text(&t, text, 0, 0, 1);
	if (!t.oom && e->title && strstr(e->title, t.ptr)) {
		atmo__buf_free(&t); /* said already (two stages of one image FROM the other) */
		return 0;
	}
	atmo__buf_clear(&t);
	atmo__buf_puts(&t, e->title ? e->title : "");
	atmo__buf_puts(&t, "; ");
	atmo__put_text(&t, text, 0, 0, 1);
	if (t.oom) {
		atmo__buf_free(&t);
		return ATMO_ENOMEM;
	}
	atmo__free(e->title);
	e->title = atmo__buf_detach(&t);
	return e->title ? 0 : ATMO_ENOMEM;
}

/* The image node of the overview: its name (wrapped on separators), size and bar. */
static Agnode_t *overview_image(builder *B, size_t i)
{
	const atmo_rmodel *m = B->c->m;
	const atmo_rimage *im = &m->images[i];
	const char *fill, *line;
	atmo_rnode role;
	atmo_rident *e;
	Agnode_t *nd;
	long t = im->target ? atmo__rmodel_find(m, im->target) : -1;
	char a[32], b2[32];
	atmo_buf name = ATMO_BUF_INIT;

	atmo__buf_printf(&name, "image: %s", im->id);
	nd = name.oom ? NULL : atmo__draw_new_node(B, B->g, name.ptr);
	atmo__buf_free(&name);
	if (!nd)
		return NULL;
	atmo__buf_clear(&B->b);
	atmo__buf_clear(&B->t);
	atmo__put_wrapped(&B->b, im->label ? im->label : im->id, NAME_WRAP, 4, 1);
	atmo__buf_printf(&B->t, "image %s", im->label ? im->label : im->id);
	if (im->dockerfile)
		atmo__buf_printf(&B->t, " (%s)", im->dockerfile);
	if (im->has_size) {
		atmo__human_bytes(a, sizeof(a), im->bytes);
		atmo__buf_puts(&B->b, a);
		atmo__buf_printf(&B->t, ", %s", a);
		if (im->compressed) {
			atmo__human_bytes(b2, sizeof(b2), im->compressed);
			atmo__buf_printf(&B->t, " (%s compressed)", b2);
		}
		atmo__draw_end_line(B);
		atmo__draw_put_bar(B, im->bytes, B->max_image_bytes);
	}
	if (B->b.oom || B->t.oom || atmo__draw_set_label(B, nd, B->s.n_label, B->b.ptr) < 0)
		return NULL;
	if (!(e = atmo__draw_ident(B, nd, B->s.n_id, "atmo-image-", im->id, B->t.ptr)))
		return NULL;
	memset(&role, 0, sizeof(role));
	role.kind = ATMO_NODE_STAGE;
	role.used = 1;
	role.target = m->target && t >= 0 && !strcmp(m->nodes[t].id, m->target);
	atmo__draw_role_colors(B, &role, &fill, &line);
	atmo__draw_xset(B, nd, B->s.n_class, A_CLASS,
			role.target ? "atmo-image-node atmo-target" : "atmo-image-node");
	atmo__draw_xset(B, nd, B->s.n_fill, A_FILL, S(fill));
	atmo__draw_xset(B, nd, B->s.n_color, A_COLOR, S(line));
	atmo__draw_xset(B, nd, B->s.n_fontcolor, A_FONTCOLOR, S(B->p->fg));
	atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S(atmo__draw_rounded(B, e)));
	if (role.target)
		atmo__draw_xset(B, nd, B->s.n_penwidth, A_PENWIDTH, S("2"));
	/* the image's node links to its target stage's source */
	if (t >= 0 &&
	    atmo__draw_set_link(B, nd, B->s.n_url, B->s.n_target, e, m->nodes[t].anchor) < 0)
		return NULL;
	return nd;
}

/*
 * The overview of a family: one node per image; external images and directory
 * contexts once each (the same reference used by several images is one node); one
 * edge per pair of them, solid when one starts FROM the other, dashed when it only
 * copies or mounts from it. Edges carry no label (a family has many, and labels
 * would crowd): the tooltip names every link the edge stands for.
 */
int atmo__draw_add_overview(builder *B)
{
	const atmo_rmodel *m = B->c->m;
	Agnode_t **img = atmo__calloc(m->nimages + 1, sizeof(*img), NULL);
	long *edge_ident = NULL;
	size_t i, j;
	int rc = ATMO_ENOMEM;

	if (!img)
		return ATMO_ENOMEM;
	for (i = 0; i < m->nimages; i++)
		if (!(img[i] = overview_image(B, i)))
			goto done;
	for (i = 0; i < m->nnodes; i++) {
		const atmo_rnode *n = &m->nodes[i];
		if (n->kind == ATMO_NODE_STAGE) {
			B->first[i] = B->last[i] = n->image_idx >= 0 ? img[n->image_idx] : NULL;
			continue;
		}
		if (n->kind == ATMO_NODE_SCRATCH && !B->c->o->show_scratch)
			continue;
		/* the same external reference (or context value) once */
		for (j = 0; j < i; j++) {
			const atmo_rnode *o = &m->nodes[j];
			const char *a = n->kind == ATMO_NODE_IMAGE && n->ref       ? n->ref
					: n->kind == ATMO_NODE_CONTEXT && n->value ? n->value
										   : n->name;
			const char *b = o->kind == ATMO_NODE_IMAGE && o->ref       ? o->ref
					: o->kind == ATMO_NODE_CONTEXT && o->value ? o->value
										   : o->name;
			if (o->kind == n->kind && B->first[j] && a && b && !strcmp(a, b))
				break;
		}
		if (j < i) {
			B->first[i] = B->last[i] = B->first[j];
			continue;
		}
		if (atmo__draw_add_plain_node(B, i, B->g) < 0)
			goto done;
	}
	if (!(edge_ident = atmo__calloc(m->nedges + 1, sizeof(*edge_ident), NULL)))
		goto done;
	for (j = 0; j < m->nedges; j++) {
		const atmo_redge *ed = &m->edges[j];
		const atmo_rnode *f = &m->nodes[ed->from_idx], *t = &m->nodes[ed->to_idx];
		Agnode_t *a = B->first[ed->from_idx], *z = B->first[ed->to_idx];
		Agedge_t *ge;
		atmo_buf key = ATMO_BUF_INIT;
		int fresh;

		if (!a || !z || a == z || ed->kind == ATMO_EDGE_ONBUILD)
			continue;
		/* the pair's edge when there is one (a NULL name with create set would add another) */
		ge = agedge(B->g, a, z, NULL, 0);
		fresh = !ge;
		if (fresh && !(ge = agedge(B->g, a, z, NULL, 1)))
			goto done;
		atmo__buf_clear(&B->t);
		atmo__buf_puts(&B->t, f->image && f->kind == ATMO_NODE_STAGE ? f->image
				      : f->kind == ATMO_NODE_IMAGE && f->ref ? f->ref
									     : f->name);
		atmo__buf_puts(&B->t, " \xe2\x86\x92 ");
		atmo__buf_puts(&B->t, t->image ? t->image : t->name);
		atmo__buf_puts(&B->t, ed->kind == ATMO_EDGE_BASE   ? ": FROM"
				      : ed->kind == ATMO_EDGE_COPY ? ": COPY --from"
								   : ": RUN --mount from");
		if (ed->context)
			atmo__buf_printf(&B->t, " (named context %s)", ed->context);
		if (B->t.oom)
			goto done;
		if (!fresh) {
			/* merged: the tooltip names this link too; FROM wins the style */
			for (i = 0; i < j; i++)
				if (edge_ident[i] && B->first[m->edges[i].from_idx] == a &&
				    B->first[m->edges[i].to_idx] == z)
					break;
			if (i < j && title_append(B, edge_ident[i] - 1, B->t.ptr) < 0)
				goto done;
			if (ed->kind == ATMO_EDGE_BASE) {
				atmo__draw_xset(B, ge, B->s.e_style, A_STYLE,
						S(atmo__draw_edge_style[ATMO_EDGE_BASE]));
				atmo__draw_xset(B, ge, B->s.e_arrowhead, A_LAYOUT,
						S(atmo__draw_edge_head[ATMO_EDGE_BASE]));
				atmo__draw_xset(B, ge, B->s.e_color, A_COLOR,
						S(B->p->edge[ATMO_EDGE_BASE]));
				atmo__draw_xset(B, ge, B->s.e_class, A_CLASS,
						"atmo-base atmo-cross-image");
			}
			continue;
		}
		atmo__buf_puts(&key, f->id);
		atmo__buf_puts(&key, "--");
		atmo__buf_puts(&key, t->id);
		if (key.oom ||
		    !atmo__draw_ident(B, ge, B->s.e_id, "atmo-edge-", key.ptr, B->t.ptr)) {
			atmo__buf_free(&key);
			goto done;
		}
		atmo__buf_free(&key);
		edge_ident[j] = (long)B->c->ids.n; /* the ident just added, plus one */
		atmo__draw_xset(B, ge, B->s.e_class, A_CLASS,
				ed->kind == ATMO_EDGE_BASE ? "atmo-base atmo-cross-image"
							   : "atmo-copy atmo-cross-image");
		atmo__draw_xset(B, ge, B->s.e_style, A_STYLE,
				S(ed->kind == ATMO_EDGE_BASE
					  ? atmo__draw_edge_style[ATMO_EDGE_BASE]
					  : atmo__draw_edge_style[ATMO_EDGE_COPY]));
		atmo__draw_xset(B, ge, B->s.e_arrowhead, A_LAYOUT,
				S(ed->kind == ATMO_EDGE_BASE
					  ? atmo__draw_edge_head[ATMO_EDGE_BASE]
					  : atmo__draw_edge_head[ATMO_EDGE_COPY]));
		atmo__draw_xset(B, ge, B->s.e_color, A_COLOR,
				S(B->p->edge[ed->kind == ATMO_EDGE_BASE ? ATMO_EDGE_BASE
									: ATMO_EDGE_COPY]));
	}
	rc = B->oom ? ATMO_ENOMEM : 0;
done:
	atmo__free(img);
	atmo__free(edge_ident);
	return rc;
}
