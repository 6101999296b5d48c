/*
 * Internal to the render module: the Graphviz side (ids, titles, the cgraph
 * builder and the SVG writer). Only files that include gvc.h use it.
 */
#ifndef ATMO_RENDER_GRAPHVIZ_INT_H
#define ATMO_RENDER_GRAPHVIZ_INT_H

#include <gvc.h>
#include "render/model_int.h"
#include "util/arena.h"
#include "util/map.h"

/* One element of the drawing: its SVG id, title and link. */
typedef struct {
	char *id;    /* the stable SVG id, [a-z0-9_-] */
	char *title; /* XML-escaped <title> text */
	char *href;  /* XML-escaped link, or NULL */
	int round;   /* SVG: the element's box is drawn as a rounded <rect> */
} atmo_rident;

/* Stable ids of one drawing, with a hash index that keeps them unique. */
typedef struct {
	atmo_rident *v;
	size_t n, cap;
	atmo__map index; /* id -> its index in v (keys: the entries' own ids) */
} atmo_ridmap;

void atmo__ridmap_free(atmo_ridmap *m);
/*
 * Add an element whose id derives from prefix + sanitized(key), made unique
 * with "-2", "-3"... Returns the entry's index or a negative ATMO_E*.
 */
long atmo__ridmap_add(atmo_ridmap *m, const char *prefix, const char *key);
const atmo_rident *atmo__ridmap_get(const atmo_ridmap *m, const char *id, size_t len);

/* Node shapes the SVG writer draws. */
enum { ATMO_RS_BOX = 0, ATMO_RS_FOLDER, ATMO_RS_POINT, ATMO_RS_NONE /* text only */ };

/*
 * How one cgraph object is drawn in SVG. SVG is written by svgout.c from the
 * layout, so its colours, classes and styles never go through Graphviz's
 * attributes (fewer attributes make every cgraph object cheaper); PNG, PDF
 * and DOT keep them as Graphviz attributes.
 */
typedef struct {
	const void *obj; /* the object; NULL: no record */
	const char *cls; /* role classes after "node"/"edge"/"cluster", or NULL */
	const char *fill, *line, *fontcolor; /* "#rrggbb" */
	const char *style;   /* Graphviz's style list: filled, dashed, dotted, bold, rounded */
	long ident;          /* index in atmo_rctx.ids, -1 when none */
	double arrowsize;    /* edges */
	unsigned char shape; /* ATMO_RS_* (nodes) */
	unsigned char pen2;  /* penwidth 2 */
} atmo_rdraw;

typedef struct {
	const atmo_rmodel *m;
	const atmo_render_options *o;
	atmo_ridmap ids;
	int dark;
	int svg;             /* SVG: drawing attributes in `draw`, not in Graphviz */
	int overview;        /* one node per image (detail "overview") */
	int tb;              /* the direction drawn: 1 TB, 0 LR (set by atmo__build_graph) */
	char *aria;          /* the drawing's accessible name (plain text), or NULL */
	long root_ident;     /* ids entry of the drawing itself */
	atmo_rdraw *draw[3]; /* by AGSEQ: subgraphs, nodes, edges (AGRAPH, AGNODE, AGEDGE) */
	size_t ndraw[3];
	atmo__arena arena; /* class strings */
} atmo_rctx;

/* Free what the builder and the writer added to c (ids, draw records). */
void atmo__rctx_free(atmo_rctx *c);
/* The draw record of obj (a subgraph, node or edge of the drawing), or NULL. */
const atmo_rdraw *atmo__rdraw_get(const atmo_rctx *c, void *obj);

/* Build the cgraph graph of the model (caller holds the render mutex). */
int atmo__build_graph(Agraph_t **out, atmo_rctx *c, atmo_error *err);
/* agclose for the graphs atmo__build_graph makes (see draw.c: cgraph 2.42 and '%' names). */
void atmo__close_graph(Agraph_t *g);

/*
 * Write the SVG of laid-out graph g (built with c->svg set) into out: the
 * elements, attributes and numbers Graphviz 2.4x's SVG renderer writes for
 * the layout, with atmograph's ids, classes, titles, links, root and style
 * (svgout.c). Caller holds the render mutex, between gvLayout and gvFreeLayout.
 */
int atmo__svg_write(atmo_buf *out, Agraph_t *g, const atmo_rctx *c);
/*
 * v as printf's "%.2f" writes it into b (at least 48 bytes, NUL-terminated),
 * and with trim without trailing zeros and point, as Graphviz prints
 * coordinates ("-0" stays). Returns the length.
 */
size_t atmo__svg_number(char *b, double v, int trim);

/*
 * Run fn(arg) holding the Graphviz lock with message capture, as every render
 * does: Graphviz warnings are appended to `warnings` (if not NULL), an error
 * gives ATMO_ERROR. For code (and tests) that call cgraph/gvc directly.
 */
/* The renderer's Graphviz context (the process's one context), borrowed. */
GVC_t *atmo__renderer_gvc(atmo_renderer *r);

int atmo__gv_run(void (*fn)(void *arg), void *arg, json_t *warnings, atmo_error *err);

/*
 * 1 when rankdir TB makes g read larger than LR in a column of `column` points
 * (direction.c), estimated before layout from the node and edge labels (label
 * attributes nlabel, elabel) and the separations, in points; ATMO_ENOMEM when
 * out of memory (no guess: a render that goes on would draw another direction).
 */
int atmo__prefer_tb(Agraph_t *g, Agsym_t *nlabel, Agsym_t *elabel, double nodesep, double ranksep,
		    double column);

/*
 * The SVG legend row (legend.c): its height when wrapped to width points (0: nothing
 * to show), and its drawing at x0, y0 in the SVG's root coordinates (ids prefixed).
 */
double atmo__svg_legend_height(const atmo_rctx *c, double width);
void atmo__svg_legend(atmo_buf *o, const atmo_rctx *c, double x0, double y0, double width,
		      const char *prefix);

/* The text layout plugin that measures with DejaVu Sans's widths (textlayout.c). */
extern gvplugin_library_t atmo__textlayout_library;

/*
 * Graphviz 2.42's dot loses each cluster's skeleton (rank leaders and their
 * edges) and newrank's "_new_rank" subgraph on every layout (render/gvleak.c).
 * Call on the root graph just before its first gvLayout, on the thread that
 * lays it out, closes and frees it: what dot drops is then freed by agclose(g)
 * (after gvFreeLayout). Returns 1 when watching, 0 when not needed or not
 * possible (other Graphviz versions, ATMOGRAPH_GVLEAK=off): nothing to undo;
 * ATMO_ENOMEM when out of memory: do not lay g out (its losses would leak).
 */
int atmo__gvleak_watch(GVC_t *gvc, Agraph_t *g);

typedef struct {
	int active;                     /* the dot plugin is patched (Graphviz 2.42) */
	size_t nodes, edges, subgraphs; /* freed so far in the process */
} atmo__gvleak_counts;
void atmo__gvleak_stats(atmo__gvleak_counts *out);

#endif
