/*
 * Internal to the render module: the cgraph builder (atmo__build_graph, draw.c)
 * and what its files share: draw_ids.c (name tables), draw_attrs.c (draw
 * records, attributes, ids, links, colours), draw_labels.c (label and title
 * text), draw_nodes.c, draw_layers.c, draw_edges.c, draw_legend.c and
 * draw_overview.c. The caller holds the render mutex: cgraph is not thread-safe.
 */
#ifndef ATMO_RENDER_BUILDER_INT_H
#define ATMO_RENDER_BUILDER_INT_H

#include "render/font_metrics_int.h"
#include "render/palette_int.h"
#include "render/graphviz_int.h"

/* cgraph 2.42 takes `char *` where later versions take `const char *`. */
#define S(x) ((char *)(x))

typedef atmo__palette palette;

#define FONT ATMO_FONT_FAMILY
#define BAR_CELLS 16
/* Instruction text and descriptions wrap at WRAP code points, WRAP_LINES lines at most
 * (the tooltip has the whole text); overview names at NAME_WRAP, on separators. */
#define WRAP 36
#define WRAP_LINES 6
#define NAME_WRAP 18

/* Attribute symbols, declared once on the root graph. */
typedef struct {
	Agsym_t *g_label, *g_id, *g_class, *g_style, *g_fill, *g_color, *g_fontcolor, *g_penwidth,
		*g_url, *g_target, *g_labeljust, *g_labelloc;
	Agsym_t *n_label, *n_id, *n_class, *n_shape, *n_style, *n_fill, *n_color, *n_fontcolor,
		*n_penwidth, *n_url, *n_target, *n_width, *n_height;
	Agsym_t *e_label, *e_id, *e_class, *e_style, *e_color, *e_fontcolor, *e_arrowhead,
		*e_penwidth, *e_arrowsize;
} syms;

typedef struct {
	atmo_rctx *c;
	const palette *p;
	Agraph_t *g;
	syms s;
	atmo_buf b; /* scratch for labels */
	atmo_buf t; /* scratch for titles */
	size_t maxlen;
	long long max_node_bytes, max_image_bytes;
	Agraph_t **image_sub;   /* cluster per image, or NULL */
	Agnode_t **image_title; /* its title node */
	Agnode_t **first,
		**last; /* per model node: where edges end (layer view: first/last layer) */
	Agraph_t **stage_cluster;
	atmo_error *err;
	int svg; /* drawing attributes go to draw records (svgout.c), not to Graphviz */
	int oom;
	atmo_buf link, link_xml; /* the encoded link base and "#", raw and XML-escaped */
} builder;

/* What an attribute is to the SVG writer (A_LAYOUT: only to Graphviz's layout). */
enum {
	A_LAYOUT = 0,
	A_CLASS,
	A_STYLE,
	A_FILL,
	A_COLOR,
	A_FONTCOLOR,
	A_PENWIDTH,
	A_SHAPE,
	A_ARROWSIZE
};

/* draw_ids.c: cgraph's id discipline that numbers names in creation order (see there). */
extern Agiddisc_t atmo__ordered_ids;

/* draw_attrs.c */
/* The draw record of obj, made with the declared defaults on first use; NULL when out of memory. */
atmo_rdraw *atmo__draw_rec(builder *B, void *obj);
/* Set attribute sym of obj to val (`what`: A_*): Graphviz's, the draw record's or both. */
void atmo__draw_xset(builder *B, void *obj, Agsym_t *sym, int what, const char *val);
/* Set a label (a plain Graphviz string); ATMO_ENOMEM. */
int atmo__draw_set_label(builder *B, void *obj, Agsym_t *sym, const char *s);
/* Give obj its id from the map and a title; returns the ident or NULL on OOM. */
atmo_rident *atmo__draw_ident(builder *B, void *obj, Agsym_t *idsym, const char *prefix,
			      const char *key, const char *title);
/* Link obj to the link base + "#" + anchor (nothing without both); ATMO_ENOMEM. */
int atmo__draw_set_link(builder *B, void *obj, Agsym_t *url, Agsym_t *target, atmo_rident *e,
			const char *anchor);
/* The style of a rounded box (for SVG a <rect rx>, marked by e->round). */
const char *atmo__draw_rounded(builder *B, atmo_rident *e);
/* The text colour of node n (used or unused). */
const char *atmo__draw_node_fg(builder *B, const atmo_rnode *n);
/* The fill and line colours of n's role (kind, target, build only, unused). */
void atmo__draw_role_colors(builder *B, const atmo_rnode *n, const char **fill, const char **line);

/* draw_labels.c: label lines go to B->b, titles to B->t. */
/* A size bar drawn with block characters: BAR_CELLS cells, filled in proportion. */
void atmo__draw_put_bar(builder *B, long long bytes, long long max);
/* End a left-justified label line. */
void atmo__draw_end_line(builder *B);
/* prefix + name shortened to max code points, as label lines wrapped after separators. */
void atmo__draw_put_name_lines(builder *B, const char *prefix, const char *name, size_t max);
/* The label of a stage (a node, or a cluster's title in the layer view). */
void atmo__draw_stage_label(builder *B, const atmo_rnode *n);
/* The label of an image, context or scratch node. */
void atmo__draw_other_label(builder *B, const atmo_rnode *n);
/* Where stage n's inherited ONBUILD triggers come from, as a reader names it. */
void atmo__draw_put_onbuild_origin(atmo_buf *b, const atmo_rmodel *m, const atmo_rnode *n);
/* The plain title of a node (escaped later), in B->t. */
const char *atmo__draw_node_title(builder *B, const atmo_rnode *n);
/* Role classes of a node: "atmo-stage atmo-target ...". */
void atmo__draw_node_classes(atmo_buf *b, const atmo_rnode *n);

/* draw_nodes.c */
/* A node name not yet taken in the root graph, as a new node of parent; NULL on OOM. */
Agnode_t *atmo__draw_new_node(builder *B, Agraph_t *parent, const char *name);
/* A cluster's title as a text-only node inside it (label in B->b, link and tooltip of ce). */
Agnode_t *atmo__draw_title_node(builder *B, Agraph_t *sg, const char *key, atmo_rident *ce,
				const char *fontcolor, const char *roles);
/* Invisible edges from a cluster's title node to its other nodes (to `first` only if given). */
int atmo__draw_title_edges(builder *B, Agraph_t *sg, Agnode_t *title, Agnode_t *first);
/* The node of model node i in parent (stage view). */
int atmo__draw_add_plain_node(builder *B, size_t i, Agraph_t *parent);

/* draw_layers.c */
/* Layer view: a cluster per stage with one node per instruction. */
int atmo__draw_add_layer_stage(builder *B, size_t i, Agraph_t *parent);
/* Layer view: the layer node of stage i that holds `line` (else the first one). */
Agnode_t *atmo__draw_layer_at(builder *B, size_t i, long line);
/* Layer view: the first inherited ONBUILD entry of stage i, or NULL when it has none. */
Agnode_t *atmo__draw_onbuild_entry(builder *B, size_t i);

/* draw_edges.c: how each edge kind (ATMO_EDGE_*) is drawn, and the edge of model edge j. */
extern const char *const atmo__draw_edge_style[];
extern const char *const atmo__draw_edge_head[];
extern const char *const atmo__draw_edge_class[];
int atmo__draw_add_edge(builder *B, size_t j);

/* draw_legend.c: the legend cluster (PNG, PDF, DOT). */
int atmo__draw_add_legend(builder *B);

/* draw_overview.c: the overview of a family, one node per image. */
int atmo__draw_add_overview(builder *B);

#endif
