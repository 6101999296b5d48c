/*
 * The builder's dependency edges (FROM, COPY --from, RUN --mount, ONBUILD) and
 * how each kind is drawn.
 */
#include "render/builder_int.h"

/* How each edge kind (ATMO_EDGE_BASE, ATMO_EDGE_COPY, ATMO_EDGE_MOUNT, ATMO_EDGE_ONBUILD) is drawn, in the graph and its legend. */
const char *const atmo__draw_edge_style[] = { "solid", "dashed", "dotted", "bold" };
const char *const atmo__draw_edge_head[] = { "normal", "empty", "diamond", "vee" };
const char *const atmo__draw_edge_class[] = { "atmo-base", "atmo-copy", "atmo-mount",
					      "atmo-onbuild" };

int atmo__draw_add_edge(builder *B, size_t j)
{
	const atmo_rmodel *m = B->c->m;
	const atmo_redge *e = &m->edges[j];
	const atmo_rnode *f = &m->nodes[e->from_idx], *t = &m->nodes[e->to_idx];
	Agnode_t *a = B->last[e->from_idx], *z = atmo__draw_layer_at(B, e->to_idx, e->line);
	Agedge_t *ed;
	atmo_buf key = ATMO_BUF_INIT, lab = ATMO_BUF_INIT;
	size_t k;
	int rc = 0, has_label = 0;

	if (e->kind == ATMO_EDGE_ONBUILD && z) {
		/* the triggers run first in the stage: the edge ends at their entry */
		Agnode_t *ob = atmo__draw_onbuild_entry(B, e->to_idx);
		if (ob)
			z = ob;
	}
	if (!a || !z)
		return 0; /* an end is hidden (scratch) */
	ed = agedge(B->g, a, z, NULL, 1);
	if (!ed)
		return ATMO_ENOMEM;
	/* puts, not printf: an edge is made for every dependency of every render */
	atmo__buf_puts(&key, f->id);
	atmo__buf_puts(&key, "--");
	atmo__buf_puts(&key, t->id);
	atmo__buf_putc(&key, '-');
	atmo__buf_puts(&key, atmo__redge_kind_name(e->kind));
	atmo__buf_clear(&B->t);
	atmo__buf_puts(&B->t, f->kind == ATMO_NODE_IMAGE && f->ref ? f->ref : f->name);
	atmo__buf_puts(&B->t, " \xe2\x86\x92 ");
	atmo__buf_puts(&B->t, t->name);
	atmo__buf_puts(&B->t, e->kind == ATMO_EDGE_BASE    ? ": FROM"
			      : e->kind == ATMO_EDGE_COPY  ? ": COPY --from"
			      : e->kind == ATMO_EDGE_MOUNT ? ": RUN --mount from"
							   : ": ONBUILD");
	for (k = 0; k < e->nsources; k++) {
		atmo__buf_putc(&B->t, ' ');
		atmo__buf_puts(&B->t, e->sources[k]);
	}
	if (e->dest) {
		atmo__buf_puts(&B->t, e->kind == ATMO_EDGE_MOUNT ? " at " : " into ");
		atmo__buf_puts(&B->t, e->dest);
	}
	if (e->context) {
		atmo__buf_puts(&B->t, " (context ");
		atmo__buf_puts(&B->t, e->context);
		atmo__buf_putc(&B->t, ')');
	}
	if (e->line)
		atmo__buf_printf(&B->t, ", line %ld", e->line);
	if (key.oom || B->t.oom ||
	    !atmo__draw_ident(B, ed, B->s.e_id, "atmo-edge-", key.ptr, B->t.ptr)) {
		rc = ATMO_ENOMEM;
		goto done;
	}
	atmo__buf_clear(&key);
	atmo__buf_puts(&key, atmo__draw_edge_class[e->kind]);
	if (e->context)
		atmo__buf_puts(&key, " atmo-cross-image");
	atmo__draw_xset(B, ed, B->s.e_class, A_CLASS, key.ptr);
	atmo__draw_xset(B, ed, B->s.e_style, A_STYLE, S(atmo__draw_edge_style[e->kind]));
	atmo__draw_xset(B, ed, B->s.e_arrowhead, A_LAYOUT, S(atmo__draw_edge_head[e->kind]));
	atmo__draw_xset(B, ed, B->s.e_color, A_COLOR, S(B->p->edge[e->kind]));
	atmo__draw_xset(B, ed, B->s.e_fontcolor, A_FONTCOLOR, S(B->p->edge[e->kind]));
	if (e->kind == ATMO_EDGE_COPY || e->kind == ATMO_EDGE_MOUNT) {
		atmo_buf paths = ATMO_BUF_INIT;
		if (e->kind == ATMO_EDGE_MOUNT && e->dest)
			atmo__buf_puts(&paths, e->dest);
		for (k = 0; k < e->nsources && !(e->kind == ATMO_EDGE_MOUNT && e->dest); k++) {
			if (k)
				atmo__buf_putc(&paths, ' ');
			atmo__buf_puts(&paths, e->sources[k]);
		}
		if (paths.oom) {
			atmo__buf_free(&paths);
			rc = ATMO_ENOMEM;
			goto done;
		}
		if (paths.len) {
			atmo__put_text(&lab, paths.ptr, B->maxlen, 1, 2);
			has_label = 1;
		}
		atmo__buf_free(&paths);
	} else if (e->kind == ATMO_EDGE_ONBUILD) {
		atmo__buf_puts(&lab, "ONBUILD");
		has_label = 1;
	}
	/* the named context an edge goes through is in its tooltip and its class
	 * (atmo-cross-image), not in a label: a family's context labels ran together
	 * and edges crossed them */
	if (lab.oom) {
		rc = ATMO_ENOMEM;
		goto done;
	}
	if (has_label)
		rc = atmo__draw_set_label(B, ed, B->s.e_label, lab.ptr);
	if (!f->used || !t->used)
		atmo__draw_xset(B, ed, B->s.e_color, A_COLOR, S(B->p->unused_line));
done:
	atmo__buf_free(&key);
	atmo__buf_free(&lab);
	return rc;
}
