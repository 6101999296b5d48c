/*
 * The layer view of the builder: a cluster per stage with one node per
 * instruction (and per inherited ONBUILD trigger), and where edges end in it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "render/builder_int.h"

/* Layer view: a cluster per stage with one node per instruction. */
int atmo__draw_add_layer_stage(builder *B, size_t i, Agraph_t *parent)
{
	const atmo_rnode *n = &B->c->m->nodes[i];
	const char *fill, *line;
	char cname[48];
	Agraph_t *sg;
	atmo_rident *e;
	Agnode_t *prev = NULL, *title;
	atmo_buf cls = ATMO_BUF_INIT, nm = ATMO_BUF_INIT;
	size_t k, nlayers, pos;
	int rc = 0, from_first;

	snprintf(cname, sizeof(cname), "cluster_stage%zu", i);
	sg = agsubg(parent, cname, 1);
	if (!sg)
		return ATMO_ENOMEM;
	B->stage_cluster[i] = sg;
	e = atmo__draw_ident(B, sg, B->s.g_id, "atmo-node-", n->id, atmo__draw_node_title(B, n));
	if (!e)
		return ATMO_ENOMEM;
	atmo__draw_node_classes(&cls, n);
	atmo__buf_puts(&cls, " atmo-layers");
	if (cls.oom)
		return ATMO_ENOMEM;
	atmo__draw_xset(B, sg, B->s.g_class, A_CLASS, cls.ptr);
	atmo__draw_role_colors(B, n, &fill, &line);
	atmo__draw_xset(B, sg, B->s.g_style, A_STYLE, S(atmo__draw_rounded(B, e)));
	atmo__draw_xset(B, sg, B->s.g_labelloc, A_LAYOUT, S("t"));
	atmo__draw_xset(B, sg, B->s.g_fill, A_FILL, S(fill));
	atmo__draw_xset(B, sg, B->s.g_color, A_COLOR, S(line));
	atmo__draw_xset(B, sg, B->s.g_fontcolor, A_FONTCOLOR, S(atmo__draw_node_fg(B, n)));
	atmo__draw_xset(B, sg, B->s.g_labeljust, A_LAYOUT, S("l"));
	if (n->target)
		atmo__draw_xset(B, sg, B->s.g_penwidth, A_PENWIDTH, S("2"));
	if ((rc = atmo__draw_set_link(B, sg, B->s.g_url, B->s.g_target, e, n->anchor)) < 0)
		goto done;
	atmo__draw_stage_label(B, n);
	atmo__draw_node_classes(&cls, n); /* the title's roles: the stage's, without atmo-layers */
	if (cls.oom ||
	    !(title = atmo__draw_title_node(B, sg, n->id, e, atmo__draw_node_fg(B, n), cls.ptr))) {
		rc = ATMO_ENOMEM;
		goto done;
	}

	/* The FROM line is a layer of its own unless the document lists it. The
	 * inherited ONBUILD triggers run right after FROM: entries of their own. */
	from_first = !(n->ninstr && !strcasecmp(n->instr[0].keyword, "from"));
	nlayers = n->ninstr + (size_t)from_first;
	for (pos = 0; pos < nlayers + n->ninherited; pos++) {
		size_t ob = pos >= 1 && pos <= n->ninherited ? pos - 1 : (size_t)-1;
		const atmo_rinstr *in;
		Agnode_t *nd;
		char key[48];

		k = ob != (size_t)-1 ? 0 : pos ? pos - n->ninherited : 0;
		in = from_first ? (k ? &n->instr[k - 1] : NULL) : &n->instr[k];
		if (ob != (size_t)-1)
			snprintf(key, sizeof(key), "-onbuild-%zu", ob);
		else
			snprintf(key, sizeof(key), "-%zu", k);
		atmo__buf_clear(&nm);
		if (ob != (size_t)-1)
			atmo__buf_printf(&nm, "%s#onbuild%zu", n->id, ob);
		else
			atmo__buf_printf(&nm, "%s#%zu", n->id, k);
		if (nm.oom || !(nd = atmo__draw_new_node(B, sg, nm.ptr))) {
			rc = ATMO_ENOMEM;
			goto done;
		}
		atmo__buf_clear(&B->b);
		atmo__buf_clear(&B->t);
		if (ob != (size_t)-1) {
			atmo_buf origin = ATMO_BUF_INIT;
			atmo__draw_put_onbuild_origin(&origin, B->c->m, n);
			atmo__buf_puts(&B->b, "ONBUILD (from ");
			atmo__put_text(&B->b, origin.oom ? "?" : atmo__buf_cstr(&origin),
				       B->maxlen * 2, 1, 2);
			atmo__buf_puts(&B->b, ")\\l");
			atmo__put_wrapped(&B->b, n->inherited[ob], WRAP, WRAP_LINES, 0);
			atmo__buf_printf(&B->t, "ONBUILD %s (inherited from %s)", n->inherited[ob],
					 origin.oom ? "?" : atmo__buf_cstr(&origin));
			if (n->line)
				atmo__buf_printf(&B->t, ", run at FROM (line %ld)", n->line);
			atmo__buf_free(&origin);
		} else if (in) {
			atmo__put_wrapped(&B->b, in->text, WRAP, WRAP_LINES, 0);
			atmo__buf_puts(&B->t, in->text);
			if (in->line)
				atmo__buf_printf(&B->t,
						 in->end_line > in->line ? " (lines %ld-%ld)"
									 : " (line %ld)",
						 in->line, in->end_line);
		} else {
			atmo__draw_put_name_lines(B, "FROM ", n->base, B->maxlen);
			atmo__buf_printf(&B->t, "FROM %s", n->base ? n->base : "?");
			if (n->line)
				atmo__buf_printf(&B->t, " (line %ld)", n->line);
		}
		if (B->b.oom || B->t.oom ||
		    atmo__draw_set_label(B, nd, B->s.n_label, B->b.ptr) < 0) {
			rc = ATMO_ENOMEM;
			goto done;
		}
		atmo__buf_clear(&nm);
		atmo__buf_puts(&nm, n->id);
		atmo__buf_puts(&nm, key);
		if (nm.oom || !atmo__draw_ident(B, nd, B->s.n_id, "atmo-layer-", nm.ptr,
						atmo__buf_cstr(&B->t))) {
			rc = ATMO_ENOMEM;
			goto done;
		}
		atmo__buf_clear(&cls);
		atmo__buf_puts(&cls, "atmo-layer atmo-layer-");
		atmo__put_text(&cls,
			       ob != (size_t)-1 ? "onbuild"
			       : in             ? in->keyword
						: "from",
			       0, 0, 0);
		for (char *q = cls.ptr; q && *q; q++)
			if (*q >= 'A' && *q <= 'Z')
				*q = (char)(*q - 'A' + 'a');
			else if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') ||
				   *q == '-' || *q == ' '))
				*q = '-';
		if (ob != (size_t)-1)
			atmo__buf_puts(&cls, " atmo-inherited");
		if (cls.oom) {
			rc = ATMO_ENOMEM;
			goto done;
		}
		atmo__draw_xset(B, nd, B->s.n_class, A_CLASS, cls.ptr);
		atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S("filled"));
		atmo__draw_xset(B, nd, B->s.n_fill, A_FILL, S(B->p->layer_fill));
		atmo__draw_xset(B, nd, B->s.n_color, A_COLOR, S(line));
		atmo__draw_xset(B, nd, B->s.n_fontcolor, A_FONTCOLOR, S(atmo__draw_node_fg(B, n)));
		if (!prev) {
			B->first[i] = nd;
		} else {
			Agedge_t *ed = agedge(B->g, prev, nd, NULL, 1);
			if (!ed) {
				rc = ATMO_ENOMEM;
				goto done;
			}
			atmo__buf_clear(&nm);
			atmo__buf_puts(&nm, n->id);
			atmo__buf_puts(&nm, key);
			if (nm.oom || !atmo__draw_ident(B, ed, B->s.e_id, "atmo-seq-", nm.ptr,
							"next instruction")) {
				rc = ATMO_ENOMEM;
				goto done;
			}
			atmo__draw_xset(B, ed, B->s.e_class, A_CLASS, S("atmo-sequence"));
			atmo__draw_xset(B, ed, B->s.e_color, A_COLOR, S(line));
			atmo__draw_xset(B, ed, B->s.e_arrowsize, A_ARROWSIZE, S("0.5"));
		}
		B->last[i] = nd;
		prev = nd;
	}
	rc = atmo__draw_title_edges(B, sg, title, B->first[i]);
done:
	atmo__buf_free(&cls);
	atmo__buf_free(&nm);
	return rc;
}

/* Layer view: the layer node of stage i that holds `line` (else the first one). */
Agnode_t *atmo__draw_layer_at(builder *B, size_t i, long line)
{
	const atmo_rnode *n = &B->c->m->nodes[i];
	int from_first;
	size_t k;

	if (!B->c->o->layers || n->kind != ATMO_NODE_STAGE || !line)
		return B->first[i];
	from_first = !(n->ninstr && !strcasecmp(n->instr[0].keyword, "from"));
	for (k = 0; k < n->ninstr; k++)
		if (n->instr[k].line <= line && line <= n->instr[k].end_line) {
			char name[32];
			Agnode_t *nd;
			atmo_buf nm = ATMO_BUF_INIT;
			snprintf(name, sizeof(name), "#%zu", k + (size_t)from_first);
			atmo__buf_puts(&nm, n->id);
			atmo__buf_puts(&nm, name);
			nd = nm.oom ? NULL : agnode(B->g, nm.ptr, 0);
			if (nm.oom)
				B->oom =
					1; /* not the first node's silent stand-in: the render fails */
			atmo__buf_free(&nm);
			/* the node may carry a suffixed name after a clash: fall back to the first */
			return nd && agcontains(B->stage_cluster[i], nd) ? nd : B->first[i];
		}
	return B->first[i];
}

/* Layer view: the first inherited ONBUILD entry of stage i, or NULL when it has none. */
Agnode_t *atmo__draw_onbuild_entry(builder *B, size_t i)
{
	const atmo_rnode *n = &B->c->m->nodes[i];
	atmo_buf nm = ATMO_BUF_INIT;
	Agnode_t *nd;

	if (!B->c->o->layers || n->kind != ATMO_NODE_STAGE || !n->ninherited ||
	    !B->stage_cluster[i])
		return NULL;
	atmo__buf_printf(&nm, "%s#onbuild0", n->id);
	nd = nm.oom ? NULL : agnode(B->g, nm.ptr, 0);
	if (nm.oom)
		B->oom = 1;
	atmo__buf_free(&nm);
	return nd && agcontains(B->stage_cluster[i], nd) ? nd : NULL;
}
