/*
 * The builder's nodes: a node per stage, image, context or scratch (the stage
 * view), and a cluster's title as a text-only node linked to its other nodes.
 */
#include <stdio.h>
#include <string.h>
#include "render/builder_int.h"
#include "util/alloc.h"

/* A node name not yet taken in the root graph (names are what DOT output shows). */
Agnode_t *atmo__draw_new_node(builder *B, Agraph_t *parent, const char *name)
{
	Agnode_t *nd;
	unsigned k = 1;

	if (!agnode(B->g, S(name), 0))
		return agnode(parent, S(name), 1);
	for (;;) {
		char *alt;
		atmo_buf a = ATMO_BUF_INIT;
		atmo__buf_printf(&a, "%s#%u", name, ++k);
		alt = atmo__buf_detach(&a);
		if (!alt)
			return NULL;
		if (!agnode(B->g, alt, 0)) {
			nd = agnode(parent, alt, 1);
			atmo__free(alt);
			return nd;
		}
		atmo__free(alt);
	}
}

/*
 * A cluster's title as a text-only node inside it, above its nodes (invisible edges
 * atmo__draw_title_edges() adds), instead of a cluster label: dot routes edges around nodes but
 * not around cluster labels, so edges entering a cluster from above ran through its
 * title. The label is in B->b; the node links and has the tooltip of the cluster (e).
 */
Agnode_t *atmo__draw_title_node(builder *B, Agraph_t *sg, const char *key, atmo_rident *ce,
				const char *fontcolor, const char *roles)
{
	atmo_buf nm = ATMO_BUF_INIT;
	atmo_rident *e;
	Agnode_t *nd;
	char *title, *href = NULL;

	atmo__buf_printf(&nm, "title: %s", key);
	nd = nm.oom ? NULL : atmo__draw_new_node(B, sg, nm.ptr);
	atmo__buf_free(&nm);
	if (!nd || B->b.oom || atmo__draw_set_label(B, nd, B->s.n_label, B->b.ptr) < 0)
		return NULL;
	/* copies first: ce points into the ids, which atmo__draw_ident() may move */
	if (!(title = atmo__strdup(ce->title ? ce->title : "", NULL)) ||
	    (ce->href && !(href = atmo__strdup(ce->href, NULL)))) {
		atmo__free(title);
		return NULL;
	}
	if (!(e = atmo__draw_ident(B, nd, B->s.n_id, "atmo-title-", key, ""))) {
		atmo__free(title);
		atmo__free(href);
		return NULL;
	}
	atmo__free(e->title);
	e->title = title;
	e->href = href;
	atmo__draw_xset(B, nd, B->s.n_shape, A_SHAPE, S("plaintext"));
	atmo__buf_clear(&B->t);
	atmo__buf_puts(&B->t, "atmo-cluster-title");
	if (roles && *roles) {
		atmo__buf_putc(&B->t, ' ');
		atmo__buf_puts(&B->t, roles);
	}
	if (B->t.oom)
		return NULL;
	atmo__draw_xset(B, nd, B->s.n_class, A_CLASS, B->t.ptr);
	atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S(""));
	atmo__draw_xset(B, nd, B->s.n_fontcolor, A_FONTCOLOR, S(fontcolor));
	atmo__draw_xset(B, nd, B->s.n_height, A_LAYOUT, S("0.2"));
	return nd;
}

/* Invisible edges from a cluster's title node to the cluster's other nodes (to its
 * first node only when `first` is given). */
int atmo__draw_title_edges(builder *B, Agraph_t *sg, Agnode_t *title, Agnode_t *first)
{
	Agnode_t *n;
	for (n = first ? first : agfstnode(sg); n; n = first ? NULL : agnxtnode(sg, n)) {
		Agedge_t *ed;
		if (n == title)
			continue;
		if (!(ed = agedge(B->g, title, n, NULL, 1)))
			return ATMO_ENOMEM;
		atmo__draw_xset(B, ed, B->s.e_style, A_STYLE, S("invis"));
		atmo__draw_xset(B, ed, B->s.e_arrowhead, A_LAYOUT, S("none"));
	}
	return 0;
}

int atmo__draw_add_plain_node(builder *B, size_t i, Agraph_t *parent)
{
	const atmo_rnode *n = &B->c->m->nodes[i];
	const char *fill, *line;
	atmo_rident *e;
	Agnode_t *nd = atmo__draw_new_node(B, parent, n->id);
	atmo_buf cls = ATMO_BUF_INIT;
	int rc = 0;

	if (!nd)
		return ATMO_ENOMEM;
	B->first[i] = B->last[i] = nd;
	if (n->kind == ATMO_NODE_STAGE)
		atmo__draw_stage_label(B, n);
	else
		atmo__draw_other_label(B, n);
	if (B->b.oom || atmo__draw_set_label(B, nd, B->s.n_label, B->b.ptr) < 0)
		return ATMO_ENOMEM;
	e = atmo__draw_ident(B, nd, B->s.n_id, "atmo-node-", n->id, atmo__draw_node_title(B, n));
	if (!e)
		return ATMO_ENOMEM;
	atmo__draw_node_classes(&cls, n);
	if (cls.oom)
		return ATMO_ENOMEM;
	atmo__draw_xset(B, nd, B->s.n_class, A_CLASS, cls.ptr);
	atmo__buf_free(&cls);
	atmo__draw_role_colors(B, n, &fill, &line);
	atmo__draw_xset(B, nd, B->s.n_fill, A_FILL, S(fill));
	atmo__draw_xset(B, nd, B->s.n_color, A_COLOR, S(line));
	atmo__draw_xset(B, nd, B->s.n_fontcolor, A_FONTCOLOR, S(atmo__draw_node_fg(B, n)));
	switch (n->kind) {
	case ATMO_NODE_STAGE:
		atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S(atmo__draw_rounded(B, e)));
		if (n->target)
			atmo__draw_xset(B, nd, B->s.n_penwidth, A_PENWIDTH, S("2"));
		break;
	case ATMO_NODE_IMAGE:
		atmo__draw_xset(B, nd, B->s.n_style, A_STYLE,
				S(n->used ? "dashed,filled" : "dashed,filled"));
		break;
	case ATMO_NODE_CONTEXT:
		atmo__draw_xset(B, nd, B->s.n_shape, A_SHAPE, S("folder"));
		atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S("filled"));
		break;
	default:
		atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S("dotted,filled"));
		break;
	}
	if (n->kind == ATMO_NODE_STAGE)
		rc = atmo__draw_set_link(B, nd, B->s.n_url, B->s.n_target, e, n->anchor);
	return rc;
}
