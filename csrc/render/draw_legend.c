/*
 * The legend cluster Graphviz draws for PNG, PDF and DOT (the SVG writer draws
 * its own legend row: legend.c).
 */
#include <stdio.h>
#include <string.h>
#include "render/builder_int.h"

int atmo__draw_add_legend(builder *B)
{
	static const struct {
		const char *key, *label, *cls;
		int kind, target, build_only, used;
	} items[] = {
		{ "stage", "stage", "atmo-stage", ATMO_NODE_STAGE, 0, 0, 1 },
		{ "target", "target", "atmo-stage atmo-target", ATMO_NODE_STAGE, 1, 0, 1 },
		{ "build-only", "build only", "atmo-stage atmo-build-only", ATMO_NODE_STAGE, 0, 1,
		  1 },
		{ "unused", "unused", "atmo-stage atmo-unused", ATMO_NODE_STAGE, 0, 0, 0 },
		{ "external", "external image", "atmo-external", ATMO_NODE_IMAGE, 0, 0, 1 },
		{ "context", "named context", "atmo-context", ATMO_NODE_CONTEXT, 0, 0, 1 },
		{ "scratch", "scratch", "atmo-scratch", ATMO_NODE_SCRATCH, 0, 0, 1 },
	};
	static const char *const edge_label[] = { "FROM", "COPY --from", "RUN --mount", "ONBUILD" };
	Agraph_t *sg = agsubg(B->g, S("cluster_legend"), 1);
	atmo_rident *le;
	atmo_buf cls = ATMO_BUF_INIT;
	char name[64];
	size_t i;
	int rc = 0;

	if (!sg)
		goto oom;
	if (atmo__draw_set_label(B, sg, B->s.g_label, "Legend") < 0 ||
	    !(le = atmo__draw_ident(B, sg, B->s.g_id, "atmo-legend", "", "Legend")))
		goto oom;
	atmo__draw_xset(B, sg, B->s.g_class, A_CLASS, S("atmo-legend"));
	atmo__draw_xset(B, sg, B->s.g_labelloc, A_LAYOUT, S("t"));
	atmo__draw_xset(B, sg, B->s.g_style, A_STYLE, S(atmo__draw_rounded(B, le)));
	atmo__draw_xset(B, sg, B->s.g_fill, A_FILL, S(B->p->cluster_fill));
	atmo__draw_xset(B, sg, B->s.g_color, A_COLOR, S(B->p->cluster_line));
	for (i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		atmo_rnode n;
		const char *fill, *line;
		Agnode_t *nd;
		memset(&n, 0, sizeof(n));
		n.kind = items[i].kind;
		n.target = items[i].target;
		n.build_only = items[i].build_only;
		n.used = items[i].used;
		atmo__draw_role_colors(B, &n, &fill, &line);
		snprintf(name, sizeof(name), "legend: %s", items[i].key);
		if (!(nd = atmo__draw_new_node(B, sg, name)))
			goto oom;
		atmo__buf_clear(&B->b);
		atmo__put_text(&B->b, items[i].label, 0, 0, 2);
		if (atmo__draw_set_label(B, nd, B->s.n_label, B->b.ptr) < 0 ||
		    !(le = atmo__draw_ident(B, nd, B->s.n_id, "atmo-legend-", items[i].key,
					    items[i].label)))
			goto oom;
		if (n.kind == ATMO_NODE_STAGE)
			atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S(atmo__draw_rounded(B, le)));
		atmo__buf_clear(&cls);
		atmo__buf_printf(&cls, "atmo-legend-item %s", items[i].cls);
		if (cls.oom)
			goto oom;
		atmo__draw_xset(B, nd, B->s.n_class, A_CLASS, cls.ptr);
		atmo__draw_xset(B, nd, B->s.n_fill, A_FILL, S(fill));
		atmo__draw_xset(B, nd, B->s.n_color, A_COLOR, S(line));
		atmo__draw_xset(B, nd, B->s.n_fontcolor, A_FONTCOLOR, S(atmo__draw_node_fg(B, &n)));
		if (n.target)
			atmo__draw_xset(B, nd, B->s.n_penwidth, A_PENWIDTH, S("2"));
		if (n.kind == ATMO_NODE_IMAGE)
			atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S("dashed,filled"));
		else if (n.kind == ATMO_NODE_CONTEXT) {
			atmo__draw_xset(B, nd, B->s.n_shape, A_SHAPE, S("folder"));
			atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S("filled"));
		} else if (n.kind == ATMO_NODE_SCRATCH)
			atmo__draw_xset(B, nd, B->s.n_style, A_STYLE, S("dotted,filled"));
	}
	for (i = 0; i < 4; i++) {
		Agnode_t *a, *z;
		Agedge_t *ed;
		snprintf(name, sizeof(name), "legend: %s from", atmo__redge_kind_name((int)i));
		a = atmo__draw_new_node(B, sg, name);
		snprintf(name, sizeof(name), "legend: %s to", atmo__redge_kind_name((int)i));
		z = atmo__draw_new_node(B, sg, name);
		if (!a || !z || !(ed = agedge(B->g, a, z, NULL, 1)))
			goto oom;
		snprintf(name, sizeof(name), "%s-from", atmo__redge_kind_name((int)i));
		if (!atmo__draw_ident(B, a, B->s.n_id, "atmo-legend-", name, ""))
			goto oom;
		snprintf(name, sizeof(name), "%s-to", atmo__redge_kind_name((int)i));
		if (!atmo__draw_ident(B, z, B->s.n_id, "atmo-legend-", name, ""))
			goto oom;
		atmo__draw_xset(B, a, B->s.n_shape, A_SHAPE, S("point"));
		atmo__draw_xset(B, z, B->s.n_shape, A_SHAPE, S("point"));
		atmo__draw_xset(B, a, B->s.n_width, A_LAYOUT, S("0.06"));
		atmo__draw_xset(B, z, B->s.n_width, A_LAYOUT, S("0.06"));
		atmo__draw_xset(B, a, B->s.n_class, A_CLASS, S("atmo-legend-point"));
		atmo__draw_xset(B, z, B->s.n_class, A_CLASS, S("atmo-legend-point"));
		atmo__draw_xset(B, a, B->s.n_color, A_COLOR, S(B->p->edge[i]));
		atmo__draw_xset(B, z, B->s.n_color, A_COLOR, S(B->p->edge[i]));
		atmo__draw_xset(B, a, B->s.n_fill, A_FILL, S(B->p->edge[i]));
		atmo__draw_xset(B, z, B->s.n_fill, A_FILL, S(B->p->edge[i]));
		snprintf(name, sizeof(name), "%s", atmo__redge_kind_name((int)i));
		if (!atmo__draw_ident(B, ed, B->s.e_id, "atmo-legend-edge-", name, edge_label[i]))
			goto oom;
		atmo__buf_clear(&cls);
		atmo__buf_printf(&cls, "atmo-legend-item %s", atmo__draw_edge_class[i]);
		if (cls.oom)
			goto oom;
		atmo__draw_xset(B, ed, B->s.e_class, A_CLASS, cls.ptr);
		atmo__draw_xset(B, ed, B->s.e_style, A_STYLE, S(atmo__draw_edge_style[i]));
		atmo__draw_xset(B, ed, B->s.e_arrowhead, A_LAYOUT, S(atmo__draw_edge_head[i]));
		atmo__draw_xset(B, ed, B->s.e_color, A_COLOR, S(B->p->edge[i]));
		atmo__draw_xset(B, ed, B->s.e_fontcolor, A_FONTCOLOR, S(B->p->edge[i]));
		atmo__buf_clear(&B->b);
		atmo__put_text(&B->b, edge_label[i], 0, 0, 2);
		if (atmo__draw_set_label(B, ed, B->s.e_label, B->b.ptr) < 0)
			goto oom;
	}
	atmo__buf_free(&cls);
	return rc;
oom:
	/* cls may hold an item's classes */
	atmo__buf_free(&cls);
	return ATMO_ENOMEM;
}
