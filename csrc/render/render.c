/*
 * atmo_render: drawing a graph document with Graphviz in-process.
 * JSON and text need no Graphviz; DOT is cgraph's agwrite (no layout);
 * PNG and PDF are gvLayout + gvRenderData; SVG is gvLayout and our own
 * writer (svgout.c), which draws the layout with ids, classes, titles and
 * links in one pass (Graphviz's SVG renderer and a rewrite of its output
 * took a third of an SVG render).
 * SVG is laid out with atmograph's own text layout plugin (textlayout.c:
 * DejaVu Sans's advance widths, the font the SVG names), PNG and PDF with
 * pango and cairo.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "render/graphviz_int.h"
#include "util/alloc.h"
#include "util/error.h"
#include "render/options_int.h"
#include "util/json_nomem.h"

#define ATMO_RENDER_MAX_NODES 3000
#define ATMO_RENDER_MAX_EDGES 10000

/* The gvRenderData length type changed in Graphviz 13 (unsigned int * -> size_t *). */
#if defined(GRAPHVIZ_VERSION_MAJOR) && GRAPHVIZ_VERSION_MAJOR >= 13
typedef size_t gv_len_t;
#else
typedef unsigned int gv_len_t;
#endif

/*
 * The one global of the library, and why:
 *  - cgraph and gvc keep process-wide state (string dictionaries, the error
 *    callback and level, plugin tables) and are not thread-safe even for
 *    reads, so every cgraph/gvc call holds `lock`;
 *  - `sink` is where the error callback, which gets no user data, appends
 *    Graphviz's messages for the call that holds the lock;
 *  - `gvc` is the one Graphviz context of the process, made by the first
 *    renderer and kept to the end: Graphviz 2.42's pango text layout caches
 *    a pointer to the last font name in a static variable, and that name is
 *    owned by the context that measured it, so freeing a context makes the
 *    next layout in any other context read freed memory (ASan sees it:
 *    heap-use-after-free in pango_textlayout). Plugins are loaded once;
 *  - `plain` is a second context, also made once and kept, for SVG: only the
 *    core renderers and the dot layout, no pango (see plain_context).
 */
static struct {
	pthread_mutex_t lock;
	atmo_buf *sink;
	GVC_t *gvc;
	GVC_t *plain; /* core + dot layout only, no text layout plugin (see plain_context) */
	int plain_tried;
} gv_global = { PTHREAD_MUTEX_INITIALIZER, NULL, NULL, NULL, 0 };

#if defined(__SANITIZE_ADDRESS__)
#define ATMO_RENDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ATMO_RENDER_ASAN 1
#endif
#endif
#ifdef ATMO_RENDER_ASAN
/*
 * Under AddressSanitizer only: fontconfig keeps its caches for the process's
 * life (pango loads them for PNG and PDF), and its stacks stop at its own
 * allocator (no frame pointers): suppress by library. What Graphviz 2.42's
 * dot loses on each layout is freed by gvleak.c, so Graphviz itself needs no
 * suppression, and atmograph's own leaks are all reported.
 */
ATMO_EXTERN const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}
#endif

struct atmo_renderer {
	GVC_t *gvc;   /* all plugins: png and pdf (cairo, pango) */
	GVC_t *plain; /* svg and dot: no text layout plugin; NULL: use gvc */
	char version[64];
};

/*
 * A second context for SVG: only Graphviz's core renderers (svg, dot), the
 * dot layout and atmograph's text layout (textlayout.c), without pango. Text is
 * sized with DejaVu Sans's widths from a table, the font the SVG names and the
 * docs ship, and a third of the time of a small layout goes away (pango
 * shaping every label line). The two plugins are the Debian libraries' exported
 * gvplugin_<name>_LTX_library tables, found next to libgvc (the directory the
 * loader of Graphviz itself reads). NULL when they cannot be loaded: SVG then
 * uses the full context. Caller holds the lock.
 */
static GVC_t *plain_context(void)
{
	static const char *const names[2][2] = {
		{ "libgvplugin_core.so.6", "libgvplugin_core.so" },
		{ "libgvplugin_dot_layout.so.6", "libgvplugin_dot_layout.so" },
	};
	static const char *const syms[2] = { "gvplugin_core_LTX_library",
					     "gvplugin_dot_layout_LTX_library" };
	static lt_symlist_t builtins[4];
	Dl_info info;
	char file[4096];
	const char *slash;
	int k, v;

	if (gv_global.plain_tried)
		return gv_global.plain;
	gv_global.plain_tried = 1;
	if (!dladdr((void *)gvContext, &info) || !info.dli_fname ||
	    !(slash = strrchr(info.dli_fname, '/')))
		return NULL;
	for (k = 0; k < 2; k++) {
		void *h = NULL, *sym = NULL;
		for (v = 0; v < 2 && !h; v++) {
			snprintf(file, sizeof(file), "%.*s/graphviz/%s",
				 (int)(slash - info.dli_fname), info.dli_fname, names[k][v]);
			h = dlopen(file, RTLD_NOW | RTLD_LOCAL);
		}
		/* the handles stay open: the context points into them for the process's life */
		if (!h || !(sym = dlsym(h, syms[k])))
			return NULL;
		builtins[k].name = syms[k];
		builtins[k].address = sym;
	}
	/* our text layout: labels sized with the font the SVG is drawn with (textlayout.c) */
	builtins[2].name = "gvplugin_atmograph_textlayout_LTX_library";
	builtins[2].address = &atmo__textlayout_library;
	builtins[3].name = NULL;
	builtins[3].address = NULL;
	gv_global.plain = gvContextPlugins(builtins, 0);
	return gv_global.plain;
}

typedef struct {
	agusererrf prev_fn;
	agerrlevel_t prev_level;
} gv_saved;

static int capture(char *msg)
{
	if (gv_global.sink && msg)
		atmo__buf_puts(gv_global.sink, msg);
	return 0;
}

static void gv_lock(gv_saved *s, atmo_buf *sink)
{
	pthread_mutex_lock(&gv_global.lock);
	gv_global.sink = sink;
	s->prev_fn = agseterrf(capture);
	s->prev_level = agseterr(AGWARN);
}

static void gv_unlock(gv_saved *s)
{
	agseterr(s->prev_level);
	agseterrf(s->prev_fn);
	gv_global.sink = NULL;
	pthread_mutex_unlock(&gv_global.lock);
}

/*
 * Turn Graphviz's messages ("Warning: ...\n", "Error: ...\n", pieces of one
 * message arrive in several calls) into warnings; the first error's text goes
 * to *first_error. Returns the number of errors.
 */
static int collect_messages(const atmo_buf *msgs, json_t *warnings, char *first_error, size_t n)
{
	const char *p = atmo__buf_cstr(msgs);
	int errors = 0;

	while (*p) {
		const char *nl = strchr(p, '\n'), *text = p;
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		int is_error = 0;
		if (len >= 6 && !strncmp(p, "Error:", 6)) {
			is_error = 1;
			text = p + 6;
		} else if (len >= 8 && !strncmp(p, "Warning:", 8)) {
			text = p + 8;
		}
		while (text < p + len && *text == ' ')
			text++;
		if (text < p + len) {
			atmo_buf line = ATMO_BUF_INIT, t = ATMO_BUF_INIT;
			/* Graphviz quotes names as given: make the text valid UTF-8 without controls */
			atmo__buf_put(&line, text, (size_t)(p + len - text));
			atmo__put_text(&t, atmo__buf_cstr(&line), 0, 0, 0);
			if (is_error && !errors++ && first_error)
				snprintf(first_error, n, "%s", atmo__buf_cstr(&t));
			if (warnings && !t.oom)
				json_array_append_new(
					warnings,
					json_pack("{s:s, s:s, s:s}", "source", "graphviz", "code",
						  is_error ? "GraphvizError" : "GraphvizWarning",
						  "text", atmo__buf_cstr(&t)));
			atmo__buf_free(&line);
			atmo__buf_free(&t);
		}
		p += len + (nl ? 1 : 0);
	}
	return errors;
}

int atmo_renderer_new(atmo_renderer **out, atmo_error *err)
{
	atmo_renderer *r;
	atmo_buf msgs = ATMO_BUF_INIT;
	gv_saved s;

	atmo_error_clear(err);
	if (!out)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_renderer_new: out is NULL");
	*out = NULL;
	r = atmo__calloc(1, sizeof(*r), err);
	if (!r)
		return ATMO_ENOMEM;
	gv_lock(&s, &msgs);
	/* gvContext() reads Graphviz's plugin configuration once: dot layout, core (svg, dot)
	   and cairo (png, pdf). */
	if (!gv_global.gvc)
		gv_global.gvc = gvContext();
	r->gvc = gv_global.gvc;
	if (r->gvc)
		r->plain = plain_context();
	if (r->gvc)
		snprintf(r->version, sizeof(r->version), "%s", gvcVersion(r->gvc));
	gv_unlock(&s);
	atmo__buf_free(&msgs);
	if (!r->gvc) {
		atmo__free(r);
		return atmo__error_set(err, ATMO_ERROR, NULL, 0, 0,
				       "Graphviz: cannot create a context");
	}
	*out = r;
	return 0;
}

void atmo_renderer_free(atmo_renderer *r)
{
	/* the context stays for the next renderer (see gv_global) */
	atmo__free(r);
}

GVC_t *atmo__renderer_gvc(atmo_renderer *r)
{
	return r ? r->gvc : NULL;
}

const char *atmo_render_graphviz_version(atmo_renderer *r)
{
	return r ? r->version : "";
}

int atmo_format_from_name(atmo_format *out, const char *name)
{
	static const char *const names[] = { "svg", "png", "pdf", "dot", "json", "text" };
	size_t i;

	for (i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i])) {
			if (out)
				*out = (atmo_format)i;
			return 0;
		}
	return ATMO_EINVALID;
}

/*
 * cairo's PDF writer stamps the creation time: replace the date with a fixed
 * one of the same length, so byte offsets (xref) stay right and output is
 * deterministic.
 */
static void pdf_fix_date(char *d, size_t len)
{
	static const char key[] = "/CreationDate (D:";
	static const char fixed[] = "20000101000000";
	char *p = memmem(d, len, key, sizeof(key) - 1);
	size_t i;

	if (!p)
		return;
	p += sizeof(key) - 1;
	for (i = 0; p + i < d + len && i < sizeof(fixed) - 1 && p[i] >= '0' && p[i] <= '9'; i++)
		p[i] = fixed[i];
	/* the time zone after the digits ("+01'00'", "Z") is left as it is: same length */
}

/*
 * cairo cannot make bitmaps wider or taller than 32767 pixels; past that it
 * scales the drawing itself and says so on stderr only. Check the layout's
 * size first and, when it does not fit, lay out again at a lower dpi and tell
 * the caller in a warning. Returns gvLayout's result.
 */
#define PNG_MAX_PIXELS 32000.0
static int png_fit(atmo_renderer *r, Agraph_t *g, const atmo_render_options *o, json_t *warnings)
{
	const char *bb = agget(g, (char *)"bb");
	double llx, lly, urx, ury, dpi = o->dpi > 0 ? o->dpi : 96.0, w, h, big, fit;
	char val[32], text[200];

	/* "llx lly urx ury" after gvLayout (commas in the attribute's other writers) */
	if (!bb || (sscanf(bb, "%lf %lf %lf %lf", &llx, &lly, &urx, &ury) != 4 &&
		    sscanf(bb, "%lf,%lf,%lf,%lf", &llx, &lly, &urx, &ury) != 4))
		return 0;
	w = (urx - llx + 8.0) * dpi / 72.0; /* 4 points of pad on each side */
	h = (ury - lly + 8.0) * dpi / 72.0;
	big = w > h ? w : h;
	if (big <= PNG_MAX_PIXELS)
		return 0;
	fit = dpi * PNG_MAX_PIXELS / big;
	if (fit < 1.0)
		fit = 1.0;
	fit = (double)(long)fit;
	snprintf(val, sizeof(val), "%g", fit);
	agattr(g, AGRAPH, (char *)"dpi", val);
	snprintf(text, sizeof(text),
		 "the drawing is too large for a PNG at %g dpi (%.0f x %.0f pixels): drawn at %g "
		 "dpi",
		 dpi, w, h, fit);
	if (warnings)
		json_array_append_new(warnings, json_pack("{s:s, s:s, s:s}", "source", "atmograph",
							  "code", "ImageTooLarge", "text", text));
	gvFreeLayout(r->gvc, g);
	return gvLayout(r->gvc, g, "dot");
}

int atmo__gv_run(void (*fn)(void *arg), void *arg, json_t *warnings, atmo_error *err)
{
	atmo_buf msgs = ATMO_BUF_INIT;
	char first_error[400] = "";
	gv_saved s;
	int rc = 0;

	gv_lock(&s, &msgs);
	fn(arg);
	gv_unlock(&s);
	if (collect_messages(&msgs, warnings, first_error, sizeof(first_error)) > 0)
		rc = atmo__error_set(err, ATMO_ERROR, NULL, 0, 0, "Graphviz: %s", first_error);
	atmo__buf_free(&msgs);
	return rc;
}

static int render_graphviz(atmo_buf *out, atmo_renderer *r, atmo_rctx *c, json_t *warnings,
			   atmo_error *err)
{
	static const char *const gvfmt[] = { "svg", "png", "pdf" };
	Agraph_t *g = NULL;
	atmo_buf msgs = ATMO_BUF_INIT;
	char *data = NULL, first_error[400] = "";
	gv_len_t len = 0;
	int rc = 0, laid_out = 0, gvrc = 0;
	gv_saved s;
	/* SVG and DOT need no text layout plugin (see plain_context); PNG and PDF draw with cairo */
	GVC_t *gvc = c->o->format == ATMO_FORMAT_SVG && r->plain ? r->plain : r->gvc;

	gv_lock(&s, &msgs);
	rc = atmo__build_graph(&g, c, err);
	if (rc < 0)
		goto unlock;
	if (c->o->format == ATMO_FORMAT_DOT) {
		/* cgraph's default I/O discipline writes to a FILE*: give it a memory stream */
		char *mem = NULL;
		size_t memlen = 0;
		FILE *f = open_memstream(&mem, &memlen);
		if (!f) {
			rc = atmo__error_nomem(err);
			goto unlock;
		}
		gvrc = agwrite(g, f);
		if (fclose(f) != 0)
			gvrc = -1;
		if (mem)
			atmo__buf_put(out, mem, memlen);
		free(mem); /* open_memstream's buffer is the C library's */
		goto unlock;
	}
	/* frees what Graphviz 2.42's dot loses (gvleak.c) */
	if (atmo__gvleak_watch(gvc, g) < 0) {
		rc = atmo__error_nomem(err);
		goto unlock;
	}
	gvrc = gvLayout(gvc, g, "dot");
	if (gvrc != 0)
		goto unlock;
	laid_out = 1;
	if (c->o->format == ATMO_FORMAT_PNG) {
		gvrc = png_fit(r, g, c->o, warnings);
		if (gvrc != 0) {
			laid_out = 0;
			goto unlock;
		}
	}
	if (c->svg) {
		/* SVG: written from the layout by svgout.c, not by Graphviz's renderer */
		rc = atmo__svg_write(out, g, c);
		if (rc < 0)
			atmo__error_nomem(err);
	} else {
		gvrc = gvRenderData(gvc, g, gvfmt[c->o->format], &data, &len);
		if (gvrc == 0 && data)
			atmo__buf_put(out, data, (size_t)len);
	}
	/* after layout and rendering, before gvFreeLayout */
unlock:
	/* the free order Graphviz needs: render buffer, layout, graph */
	if (data)
		gvFreeRenderData(data);
	if (laid_out)
		gvFreeLayout(gvc, g);
	if (g)
		atmo__close_graph(g);
	gv_unlock(&s);
	if (rc < 0)
		goto done;

	if (collect_messages(&msgs, warnings, first_error, sizeof(first_error)) > 0 || gvrc != 0) {
		rc = atmo__error_set(err, ATMO_ERROR, NULL, 0, 0, "Graphviz: %s",
				     first_error[0] ? first_error : "rendering failed");
		goto done;
	}
	if (c->o->format == ATMO_FORMAT_PDF && out->ptr)
		pdf_fix_date(out->ptr, out->len);
	if (out->oom || msgs.oom)
		rc = atmo__error_nomem(err);
done:
	atmo__buf_free(&msgs);
	return rc;
}

void atmo__render_options_norm(atmo_render_options *o, const atmo_render_options *opts)
{
	static const atmo_render_options defaults = ATMO_RENDER_OPTIONS_INIT;

	*o = defaults;
	if (!opts)
		return;
	if (opts->version == ATMO_RENDER_OPTIONS_VERSION) {
		*o = *opts;
		return;
	}
	/* version 1 ended before id_prefix; reading further would overrun it */
	memcpy(o, opts, offsetof(atmo_render_options, id_prefix));
}

int atmo_render_options_check(const atmo_render_options *opts, atmo_error *err)
{
	atmo_render_options norm;

	atmo_error_clear(err);
	if (!opts)
		return 0;
	if (opts->version != 1 && opts->version != ATMO_RENDER_OPTIONS_VERSION)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "render options: unknown version %u (expected %u)",
				       opts->version, ATMO_RENDER_OPTIONS_VERSION);
	atmo__render_options_norm(&norm, opts);
	opts = &norm;
	if ((unsigned)opts->format > ATMO_FORMAT_TEXT)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "format %d is unknown (svg, png, pdf, dot, json, text)",
				       (int)opts->format);
	if (opts->rankdir && strcmp(opts->rankdir, "LR") && strcmp(opts->rankdir, "TB") &&
	    strcmp(opts->rankdir, "auto"))
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "rankdir \"%.40s\" is not LR, TB or auto", opts->rankdir);
	if (opts->detail && strcmp(opts->detail, "overview") && strcmp(opts->detail, "stages") &&
	    strcmp(opts->detail, "auto"))
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "detail \"%.40s\" is not overview, stages or auto",
				       opts->detail);
	if (opts->theme && strcmp(opts->theme, "light") && strcmp(opts->theme, "dark"))
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "theme \"%.40s\" is not light or dark", opts->theme);
	if (opts->max_label_length && (opts->max_label_length < ATMO_RENDER_MIN_LABEL_LENGTH ||
				       opts->max_label_length > ATMO_RENDER_MAX_LABEL_LENGTH))
		return atmo__error_set(
			err, ATMO_EINVALID, NULL, 0, 0,
			"max_label_length %u is out of range (%d to %d, or 0 for the default 64)",
			opts->max_label_length, ATMO_RENDER_MIN_LABEL_LENGTH,
			ATMO_RENDER_MAX_LABEL_LENGTH);
	/* written so that NaN fails too */
	if (opts->dpi != 0 && !(opts->dpi >= 1 && opts->dpi <= ATMO_RENDER_MAX_DPI))
		return atmo__error_set(
			err, ATMO_EINVALID, NULL, 0, 0,
			"dpi %g is out of range (1 to %d, or 0 for Graphviz's default)", opts->dpi,
			ATMO_RENDER_MAX_DPI);
	return 0;
}

/* Detail "overview" for o (auto: when the document has several images). */
static int overview_of(const atmo_render_options *o, const atmo_rmodel *m)
{
	return o && o->detail && strcmp(o->detail, "auto") ? !strcmp(o->detail, "overview")
							   : m->nimages > 1;
}

int atmo_render(char **data, size_t *len, atmo_renderer *r, json_t *graph,
		const atmo_render_options *opts, json_t **warnings, atmo_error *err)
{
	atmo_render_options o;
	atmo_rmodel m;
	atmo_rctx c;
	atmo_buf out = ATMO_BUF_INIT;
	json_t *w = NULL;
	int rc;

	atmo_error_clear(err);
	if (data)
		*data = NULL;
	if (len)
		*len = 0;
	if (warnings)
		*warnings = NULL;
	if (!data || !graph)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0, "atmo_render: %s is NULL",
				       !data ? "data" : "graph");
	if ((rc = atmo_render_options_check(opts, err)) < 0)
		return rc;
	atmo__render_options_norm(&o, opts);
	if (o.rankdir && !strcmp(o.rankdir, "auto"))
		o.rankdir = NULL; /* chosen from the drawing (draw.c) */
	if (!o.theme)
		o.theme = "light";
	if (o.format <= ATMO_FORMAT_DOT && !r)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_render: renderer is NULL");

	rc = atmo__rmodel_load(&m, graph, err);
	if (rc < 0)
		return rc;
	if (warnings && !(w = json_array())) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	memset(&c, 0, sizeof(c));
	c.m = &m;
	c.o = &o;
	c.dark = !strcmp(o.theme, "dark");
	c.svg = o.format == ATMO_FORMAT_SVG;
	c.root_ident = -1;
	c.overview = overview_of(&o, &m);

	if (o.format == ATMO_FORMAT_SVG || o.format == ATMO_FORMAT_PNG ||
	    o.format == ATMO_FORMAT_PDF) {
		/* dot's layout grows faster than linearly: refuse what would take minutes */
		size_t objects = m.nnodes, i;
		for (i = 0; o.layers && i < m.nnodes; i++)
			objects += m.nodes[i].ninstr;
		if (objects > ATMO_RENDER_MAX_NODES || m.nedges > ATMO_RENDER_MAX_EDGES) {
			rc = atmo__error_set(err, ATMO_ELIMIT, "<graph>", 0, 0,
					     "the graph is too large to draw: %zu nodes and %zu "
					     "edges (limits %d and %d)",
					     objects, m.nedges, ATMO_RENDER_MAX_NODES,
					     ATMO_RENDER_MAX_EDGES);
			goto done;
		}
	}

	switch (o.format) {
	case ATMO_FORMAT_JSON: {
		char *s = atmo__json_dumps(graph, JSON_INDENT(2));
		if (!s) {
			rc = atmo__error_nomem(err);
			goto done;
		}
		atmo__buf_puts(&out, s);
		atmo__buf_putc(&out, '\n');
		atmo__free(s);
		rc = out.oom ? atmo__error_nomem(err) : 0;
		break;
	}
	case ATMO_FORMAT_TEXT:
		rc = atmo__render_text(&out, &m, &o);
		if (rc < 0)
			atmo__error_nomem(err);
		break;
	default:
		rc = render_graphviz(&out, r, &c, w, err);
		break;
	}
	atmo__rctx_free(&c);
	if (rc < 0)
		goto done;
	if (len)
		*len = out.len;
	*data = atmo__buf_detach(&out);
	if (!*data) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	if (warnings) {
		*warnings = w;
		w = NULL;
	}
done:
	json_decref(w);
	atmo__buf_free(&out);
	atmo__rmodel_free(&m);
	return rc;
}

int atmo_render_describe(char **out, json_t *graph, const atmo_render_options *opts,
			 atmo_error *err)
{
	atmo_render_options o;
	atmo_rmodel m;
	int rc;

	if (!out || !graph)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_render_describe: %s is NULL", !out ? "out" : "graph");
	*out = NULL;
	if ((rc = atmo_render_options_check(opts, err)) < 0)
		return rc;
	if ((rc = atmo__rmodel_load(&m, graph, err)) < 0)
		return rc;
	atmo__render_options_norm(&o, opts);
	*out = atmo__describe(&m, overview_of(&o, &m));
	atmo__rmodel_free(&m);
	return *out ? 0 : atmo__error_nomem(err);
}

int atmo_render_text(char **data, size_t *len, atmo_renderer *r, const char *json, size_t json_len,
		     const atmo_render_options *opts, json_t **warnings, atmo_error *err)
{
	json_error_t je;
	json_t *graph;
	int rc, nomem;

	atmo_error_clear(err);
	if (data)
		*data = NULL;
	if (len)
		*len = 0;
	if (warnings)
		*warnings = NULL;
	if (!json)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_render_text: json is NULL");
	graph = atmo__json_loadb(json, json_len, JSON_REJECT_DUPLICATES, &je, &nomem);
	if (nomem)
		return atmo__error_nomem(err);
	if (!graph)
		return atmo__error_set(err, ATMO_EINVALID, "<graph>", je.line, je.column,
				       "the graph document is not JSON: %s", je.text);
	rc = atmo_render(data, len, r, graph, opts, warnings, err);
	json_decref(graph);
	return rc;
}
