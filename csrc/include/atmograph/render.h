/*
 * atmograph: drawing a graph document (schema "atmograph.graph/1") with
 * Graphviz in-process (cgraph to build, gvc to lay out and write).
 */
#ifndef ATMOGRAPH_RENDER_H
#define ATMOGRAPH_RENDER_H

#include <stdint.h>
#include <jansson.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	ATMO_FORMAT_SVG = 0,
	ATMO_FORMAT_PNG,
	ATMO_FORMAT_PDF,
	ATMO_FORMAT_DOT,
	ATMO_FORMAT_JSON, /**< the graph document itself, pretty-printed */
	ATMO_FORMAT_TEXT  /**< a readable text form (Sphinx text and man builders) */
} atmo_format;

typedef struct atmo_render_options {
	unsigned int version; /**< ATMO_RENDER_OPTIONS_VERSION */
	atmo_format format;
	const char
		*rankdir; /**< "LR", "TB", or NULL / "auto" (default): the direction whose drawing
	                                 reads best in a 700 px column (see ATMO_RENDER_COLUMN_PT) */
	int layers;       /**< one node per instruction inside each stage cluster */
	int legend;
	int show_scratch;              /**< draw `scratch` as a node (default 1) */
	unsigned int max_label_length; /**< 0: default 64; longer names are shortened in the middle
	                                    ("openstack-…-runtime"), the full text in the tooltip */
	const char *theme;             /**< "light" (default) or "dark" */
	const char *link_base; /**< each stage node links to LINK_BASE#<anchor>; NULL: no links */
	double dpi;            /**< PNG resolution, 0: Graphviz default */
	int fixed_size;        /**< 1: keep Graphviz's width/height on the SVG root */
	/* since ATMO_RENDER_OPTIONS_VERSION 2 (a version 1 struct ends here) */
	const char *id_prefix; /**< SVG: put before every id ([A-Za-z0-9_-] kept), so that several
	                                 diagrams can sit inline in one HTML page; NULL: none */
	int svg_inline;        /**< SVG: 1 = no XML declaration, for placing the SVG inside HTML
	                                 (where the page's CSS can restyle it by class) */
	const char *detail;    /**< "overview" (one node per image, edges for FROM and named
	                                 contexts between images), "stages" (every stage), or NULL /
	                                 "auto" (default): overview when the document has several
	                                 images, else stages */
} atmo_render_options;

#define ATMO_RENDER_OPTIONS_VERSION 2
#define ATMO_RENDER_OPTIONS_INIT                                                                   \
	{                                                                                          \
		ATMO_RENDER_OPTIONS_VERSION, ATMO_FORMAT_SVG, NULL, 0, 0, 1, 0, "light", NULL, 0,  \
			0, NULL, 0, NULL                                                           \
	}

/** The default of max_label_length. */
#define ATMO_RENDER_DEFAULT_LABEL_LENGTH 64
/** The column automatic direction aims at: 700 CSS px, in points. */
#define ATMO_RENDER_COLUMN_PT 525.0

/**
 * A renderer is a handle on the process's two Graphviz contexts, which the
 * first renderer creates (plugins load once) and which stay until the
 * process exits: a full one (cairo and pango, for PNG and PDF) and a light
 * one with only the core and dot layout plugins (SVG, DOT: Graphviz's own
 * font metrics, no pango). Graphviz 2.42's pango text layout keeps a pointer
 * into the context that measured last, so freeing a context is unsafe. Renderers are
 * cheap; make one and reuse it. Every Graphviz call holds one process-wide
 * lock, so atmo_render may be called from several threads.
 */
typedef struct atmo_renderer atmo_renderer;

/** @param[out] out  free with atmo_renderer_free() */
ATMO_EXTERN int atmo_renderer_new(atmo_renderer **out, atmo_error *err);
ATMO_EXTERN void atmo_renderer_free(atmo_renderer *r);

/**
 * Render a graph document.
 * @param[out] data  the output bytes (NUL-terminated for text formats), caller frees with atmo_free()
 * @param[out] len   their length
 * @param warnings   if not NULL, receives a new JSON array of warnings for this call (caller
 *                   decrefs): objects {"source": "graphviz"|"atmograph", "code", "text"}
 * @return 0, ATMO_EINVALID (the document is not a valid graph), ATMO_ELIMIT (more than 3000
 *         nodes, counting layer-view instructions, or 10000 edges to lay out: svg, png, pdf)
 *         or ATMO_ERROR (Graphviz failed)
 */
ATMO_EXTERN int atmo_render(char **data, size_t *len, atmo_renderer *r, json_t *graph,
			    const atmo_render_options *opts, json_t **warnings, atmo_error *err);

/**
 * atmo_render for a graph document given as JSON text (what a cache or another process
 * hands over): parsed with jansson, then rendered. Text that is not JSON gives
 * ATMO_EINVALID located at its line and column (source "<graph>").
 */
ATMO_EXTERN int atmo_render_text(char **data, size_t *len, atmo_renderer *r, const char *json,
				 size_t json_len, const atmo_render_options *opts,
				 json_t **warnings, atmo_error *err);

/**
 * A render queue: a thread of its own, with its own renderer, draws the graph documents
 * (JSON text) handed to it, in order, while the caller goes on; each job has a number,
 * and its bytes (or its error) are handed over once, by atmo_render_queue_take(). The
 * Sphinx extension queues a diagram while Sphinx reads its page and takes it when the
 * page is written. The functions may be called from any thread; the queue's own thread
 * runs no caller code.
 */
typedef struct atmo_render_queue atmo_render_queue;

/** Start the queue's thread. @param[out] out  free with atmo_render_queue_free() */
ATMO_EXTERN int atmo_render_queue_new(atmo_render_queue **out, atmo_error *err);

/**
 * Queue the rendering of json (copied, as are opts' strings and path; opts NULL: the
 * defaults). With path, the output is also written there atomically (no fsync), still in
 * the queue's thread.
 * @param[out] ticket  the job's number (from 1), for atmo_render_queue_take()
 * @return 0, ATMO_EINVALID (bad options, as atmo_render_options_check) or ATMO_ENOMEM;
 *         errors of the rendering itself come from atmo_render_queue_take()
 */
ATMO_EXTERN int atmo_render_queue_submit(atmo_render_queue *q, uint64_t *ticket, const char *json,
					 size_t json_len, const atmo_render_options *opts,
					 const char *path, atmo_error *err);

/**
 * Wait for job ticket and hand over its output (data: caller frees with atmo_free()), or its
 * error as atmo_render_text() or the file write gave it (err filled, data NULL). The job
 * is forgotten either way.
 * @return 0, the job's error code, or ATMO_ENOTFOUND (no such job: never queued, or taken)
 */
ATMO_EXTERN int atmo_render_queue_take(atmo_render_queue *q, uint64_t ticket, char **data,
				       size_t *len, atmo_error *err);

/** Wait until every queued job is done (their outputs stay, to take). */
ATMO_EXTERN void atmo_render_queue_wait(atmo_render_queue *q);

/** Stop the thread after the job it is rendering, drop jobs not started or not taken. */
ATMO_EXTERN void atmo_render_queue_free(atmo_render_queue *q);

/**
 * The accessible name of the drawing atmo_render() makes of graph with opts (the SVG's
 * aria-label; the alt text of a PNG): the image and its stages in order, by name
 * ("stage 0" for an unnamed stage), or for a family overview its images.
 * @param[out] out  NUL-terminated UTF-8, caller frees with atmo_free()
 * @return 0, ATMO_EINVALID (not a graph document, or bad options) or ATMO_ENOMEM
 */
ATMO_EXTERN int atmo_render_describe(char **out, json_t *graph, const atmo_render_options *opts,
				     atmo_error *err);

/** Parse "svg", "png", "pdf", "dot", "json", "text"; returns 0 or ATMO_EINVALID. */
ATMO_EXTERN int atmo_format_from_name(atmo_format *out, const char *name);

/** The Graphviz version the library runs with ("2.42.2"), borrowed. */
ATMO_EXTERN const char *atmo_render_graphviz_version(atmo_renderer *r);

/** The Graphviz version atmograph was compiled against ("2.42.2"; "unknown"), static. */
ATMO_EXTERN const char *atmo_render_graphviz_build_version(void);

/**
 * Which Graphviz renders, for cache keys, without making a renderer (which loads
 * Graphviz's plugins): "BUILD_VERSION PATH:SIZE:MTIME", the compiled-against version and
 * the identity of the libgvc this process loaded (from /proc/self/maps), so that a
 * Graphviz upgrade changes it even without a rebuild; where that cannot be read (not
 * Linux, static Graphviz) "BUILD_VERSION RUNTIME_VERSION" from a renderer, else
 * "BUILD_VERSION unknown".
 * @param[out] out  NUL-terminated, caller frees with atmo_free()
 * @return 0 or ATMO_ENOMEM
 */
ATMO_EXTERN int atmo_render_graphviz_identity(char **out, atmo_error *err);

/**
 * The root <svg> element of an SVG drawing made by atmo_render(), for inlining in an
 * HTML page: what precedes "<svg" (XML prolog, doctype) is dropped and the root tag gets
 * style="width: Wpt; max-width: 100%; min-width: Npx; height: auto" (W from its viewBox,
 * N from its data-min-width; only when it has a viewBox and no style), role="img" when
 * it has no role, and aria-label="label" (HTML-escaped; replacing the one it has).
 * @param[out] out  NUL-terminated UTF-8, caller frees with atmo_free()
 * @param[out] len  its length; may be NULL
 * @param svg, n    the SVG bytes
 * @param label     the accessible name (UTF-8)
 * @return 0, ATMO_EINVALID (no <svg> element) or ATMO_ENOMEM
 */
ATMO_EXTERN int atmo_render_svg_inline(char **out, size_t *len, const char *svg, size_t n,
				       const char *label, atmo_error *err);

/**
 * Whether the renderer frees what Graphviz 2.42/2.43's dot layout loses on each
 * layout (rank leaders of clusters; on by default, and only on those versions).
 * A process-wide setting, like the patch it governs: call it before the first
 * render. The library reads no environment; the CLI and the Python module turn it
 * off for ATMOGRAPH_GVLEAK=off.
 */
ATMO_EXTERN void atmo_render_set_graphviz_fix(int enabled);

/** The ranges atmo_render_options_check() accepts (0 also, for the defaults). */
#define ATMO_RENDER_MIN_LABEL_LENGTH 4
#define ATMO_RENDER_MAX_LABEL_LENGTH 1000
#define ATMO_RENDER_MAX_DPI 2400

/**
 * Check render options, as atmo_render() does before drawing, so that a caller
 * (the CLI, the Python module) can reject a bad value before reading any input:
 * version, format, rankdir (NULL, "auto", "LR" or "TB"), detail (NULL, "auto", "overview"
 * or "stages"), theme (NULL, "light" or "dark"),
 * max_label_length (0 for the default 64, or ATMO_RENDER_MIN_LABEL_LENGTH to
 * ATMO_RENDER_MAX_LABEL_LENGTH) and dpi (0 for Graphviz's default, or 1 to
 * ATMO_RENDER_MAX_DPI). NULL options are the defaults and pass.
 * @return 0 or ATMO_EINVALID (err's text names the option and its value:
 *         "max_label_length 3 is out of range (4 to 1000, or 0 for the default 64)")
 */
ATMO_EXTERN int atmo_render_options_check(const atmo_render_options *opts, atmo_error *err);

#ifdef __cplusplus
}
#endif
#endif
