/*
 * Internal to the render module: the Graphviz side (ids, titles, the cgraph
 * builder and the SVG post-processor). Only files that include gvc.h use it.
 */
#ifndef ATMO_RENDER_INT2_H
#define ATMO_RENDER_INT2_H

#include <gvc.h>
#include "render/render_int.h"

/* One element of the drawing that the SVG post-processor decorates. */
typedef struct {
	char *id;      /* the stable SVG id, [a-z0-9_-] */
	char *title;   /* XML-escaped <title> text */
	char *href;    /* XML-escaped link, or NULL */
	int round;     /* SVG: the element's box polygon becomes a rounded <rect> */
} atmo_rident;

/* Stable ids of one drawing, with a hash index for the post-processor. */
typedef struct {
	atmo_rident *v;
	size_t n, cap;
	size_t *slots;  /* open addressing: index + 1, 0 = empty */
	size_t nslots;
} atmo_ridmap;

void atmo__ridmap_free(atmo_ridmap *m);
/*
 * Add an element whose id derives from prefix + sanitized(key), made unique
 * with "-2", "-3"... Returns the entry's index or a negative ATMO_E*.
 */
long atmo__ridmap_add(atmo_ridmap *m, const char *prefix, const char *key);
const atmo_rident *atmo__ridmap_get(const atmo_ridmap *m, const char *id, size_t len);

typedef struct {
	const atmo_rmodel *m;
	const atmo_render_options *o;
	atmo_ridmap ids;
	int dark;
} atmo_rctx;

/* Build the cgraph graph of the model (caller holds the render mutex). */
int atmo__build_graph(Agraph_t **out, atmo_rctx *c, atmo_error *err);

/* Post-process Graphviz's SVG into out (ids, titles, links, classes, style, sizing). */
int atmo__svg_postprocess(atmo_buf *out, const char *svg, size_t len, const atmo_rctx *c);

/*
 * Run fn(arg) holding the Graphviz lock with message capture, as every render
 * does: Graphviz warnings are appended to `warnings` (if not NULL), an error
 * gives ATMO_ERROR. For code (and tests) that call cgraph/gvc directly.
 */
/* The renderer's Graphviz context (the process's one context), borrowed. */
GVC_t *atmo__renderer_gvc(atmo_renderer *r);

int atmo__gv_run(void (*fn)(void *arg), void *arg, json_t *warnings, atmo_error *err);

#endif
