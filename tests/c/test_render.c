/*
 * Tests of the render module: SVG structure (read back with a strict XML
 * reader: nodes, edges, classes, titles, links), options, determinism,
 * hostile strings, PNG/PDF validity, DOT and JSON round trips, invalid
 * documents, Graphviz warnings and concurrent renders.
 */
#include <pthread.h>
#include <gvc.h>
#include "render_harness.h"
#include "atmograph/render.h"
#include "test_render_xml.h"
#include "render/graphviz_int.h"
#include "util/size.h"
#include "util/utf8.h"
#include "render/font_metrics_int.h"
#include <math.h>
#include <unistd.h>

static void parse_svg(txml_doc *x, const char *svg, size_t len)
{
	if (txml_parse(x, svg, len) < 0)
		fail_msg("SVG is not well-formed: %s", x->error);
	assert_string_equal(x->e[0].name, "svg");
}

static const char *title_of(const txml_doc *x, long el)
{
	long t = txml_child(x, el, "title");
	assert_true(t >= 0);
	return x->e[t].text ? x->e[t].text : "";
}

static long node_el(const txml_doc *x, const char *id)
{
	long i = txml_by_id(x, id);
	if (i < 0)
		fail_msg("no element with id %s", id);
	return i;
}

/* ---- SVG structure ----------------------------------------------------------------- */

static void test_svg_single(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/service-single.json");
	txml_doc x;
	size_t len, i, links = 0;
	char *svg;
	long e;

	(void)state;
	o.link_base = "https://docs.example.org/images.html";
	svg = render_ok(doc, &o, &len);
	assert_int_equal(strlen(svg), len);
	parse_svg(&x, svg, len);

	/* scales to its container: viewBox, no fixed size; classes and a style block */
	assert_non_null(txml_attr(&x.e[0], "viewBox"));
	assert_null(txml_attr(&x.e[0], "width"));
	assert_null(txml_attr(&x.e[0], "height"));
	assert_true(txml_has_class(&x.e[0], "atmo-graph"));
	assert_true(txml_has_class(&x.e[0], "atmo-theme-light"));
	assert_true(txml_child(&x, 0, "style") >= 0);
	assert_non_null(strstr(x.e[txml_child(&x, 0, "style")].text, ".atmo-target"));
	assert_null(strstr(svg, "<!--"));
	assert_null(strstr(svg, "DOCTYPE"));

	/* one node per stage and external image, with role classes */
	assert_int_equal(txml_count(&x, "g", "node"), 5);
	assert_int_equal(txml_count(&x, "g", "atmo-stage"), 4);
	assert_int_equal(txml_count(&x, "g", "atmo-external"), 1);
	e = node_el(&x, "atmo-node-dockerfile-stage-builder");
	assert_true(txml_has_class(&x.e[e], "node"));
	assert_true(txml_has_class(&x.e[e], "atmo-build-only"));
	assert_false(txml_has_class(&x.e[e], "atmo-target"));
	assert_non_null(strstr(title_of(&x, e), "stage builder"));
	assert_non_null(strstr(title_of(&x, e), "lines 4-14"));
	assert_non_null(strstr(title_of(&x, e), "builder compiles the wheels"));
	e = node_el(&x, "atmo-node-dockerfile-stage-service");
	assert_true(txml_has_class(&x.e[e], "atmo-target"));
	assert_true(txml_has_class(&x.e[e], "atmo-in-final"));
	e = node_el(&x, "atmo-node-dockerfile-stage-debug");
	assert_true(txml_has_class(&x.e[e], "atmo-unused"));
	e = node_el(&x, "atmo-node-dockerfile-image-debian-bookworm-slim");
	assert_true(txml_has_class(&x.e[e], "atmo-external"));
	assert_string_equal(title_of(&x, e), "image debian:bookworm-slim");

	/* edges by kind, with ids derived from their ends */
	assert_int_equal(txml_count(&x, "g", "edge"), 6);
	assert_int_equal(txml_count(&x, "g", "atmo-base"), 4);
	assert_int_equal(txml_count(&x, "g", "atmo-copy"), 1);
	assert_int_equal(txml_count(&x, "g", "atmo-mount"), 1);
	e = node_el(&x, "atmo-edge-dockerfile-stage-builder--dockerfile-stage-service-copy");
	assert_true(txml_has_class(&x.e[e], "atmo-copy"));
	assert_non_null(strstr(title_of(&x, e), "builder \xe2\x86\x92 service: COPY --from /venv"));
	/* the copy edge is dashed and labelled with its path */
	{
		long p = txml_child(&x, e, "path"), t = txml_child(&x, e, "text");
		assert_true(p >= 0 && t >= 0);
		assert_non_null(txml_attr(&x.e[p], "stroke-dasharray"));
		assert_string_equal(x.e[t].text, "/venv");
	}

	/* every node and edge has a <title>; every stage with an anchor links to it */
	for (i = 0; i < x.n; i++) {
		if (!strcmp(x.e[i].name, "g") && (txml_has_class(&x.e[i], "node") || txml_has_class(&x.e[i], "edge")))
			assert_true(strlen(title_of(&x, (long)i)) > 0);
		if (!strcmp(x.e[i].name, "a")) {
			const char *href = txml_attr(&x.e[i], "href");
			assert_non_null(href);
			assert_string_equal(href, txml_attr(&x.e[i], "xlink:href"));
			assert_string_equal(txml_attr(&x.e[i], "target"), "_top");
			assert_int_equal(strncmp(href, "https://docs.example.org/images.html#service-", 45), 0);
			links++;
		}
	}
	assert_int_equal(links, 4);
	e = node_el(&x, "atmo-node-dockerfile-stage-runtime");
	{
		long a = txml_descendant(&x, e, "a");
		assert_true(a >= 0);
		assert_string_equal(txml_attr(&x.e[a], "href"),
				    "https://docs.example.org/images.html#service-runtime");
	}
	txml_free(&x);
	atmo_free(svg);
	json_decref(doc);
}

static int svg_has_text(const txml_doc *x, const char *needle)
{
	size_t i;
	for (i = 0; i < x->n; i++)
		if (!strcmp(x->e[i].name, "text") && x->e[i].text && strstr(x->e[i].text, needle))
			return 1;
	return 0;
}

/* Filled cells of the size bar in element e's first bar line, -1 when there is none. */
static int bar_cells(const txml_doc *x, long e)
{
	size_t i;
	for (i = (size_t)e + 1; i < x->n; i++) {
		const char *t = x->e[i].text, *p;
		int full = 0, light = 0;
		if (x->e[i].parent != e || strcmp(x->e[i].name, "text") || !t || strncmp(t, "\xe2\x96", 2))
			continue;
		for (p = t; *p; p += 3) {
			if (!strncmp(p, "\xe2\x96\x88", 3))
				full++;
			else if (!strncmp(p, "\xe2\x96\x91", 3))
				light++;
			else
				return -1;
		}
		return full + light == 16 ? full : -1;
	}
	return -1;
}

static void test_svg_multi_image(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/service-bake.json");
	txml_doc x;
	size_t len;
	char *svg;
	long e;

	(void)state;
	o.detail = "stages"; /* a document of several images: the overview by default */
	svg = render_ok(doc, &o, &len);
	parse_svg(&x, svg, len);
	/* one cluster per image, titled by the image (a text node inside: atmo-title-ID) */
	assert_int_equal(txml_count(&x, "g", "atmo-image"), 3);
	e = node_el(&x, "atmo-image-builder");
	assert_true(txml_has_class(&x.e[e], "cluster"));
	assert_non_null(strstr(title_of(&x, e), "image builder (images/builder/Dockerfile), 583.6 MiB"));
	/* stages inside their image's cluster */
	{
		long n = node_el(&x, "atmo-node-service-stage-build");
		assert_int_equal(x.e[n].parent, x.e[node_el(&x, "atmo-image-service")].parent);
	}
	/* every node kind and edge kind */
	assert_int_equal(txml_count(&x, "g", "atmo-context"), 1);
	assert_int_equal(txml_count(&x, "g", "atmo-scratch"), 1);
	assert_int_equal(txml_count(&x, "g", "atmo-external"), 2);
	assert_int_equal(txml_count(&x, "g", "atmo-onbuild"), 1);
	assert_int_equal(txml_count(&x, "g", "atmo-mount"), 1);
	assert_int_equal(txml_count(&x, "g", "atmo-copy"), 1);
	assert_int_equal(txml_count(&x, "g", "atmo-base"), 5);
	/* edges between images by named context */
	assert_int_equal(txml_count(&x, "g", "atmo-cross-image"), 3);
	e = node_el(&x, "atmo-edge-runtime-stage-runtime--service-stage-service-base");
	assert_true(txml_has_class(&x.e[e], "atmo-cross-image"));
	assert_non_null(strstr(title_of(&x, e), "(context runtime)"));
	/* ... in the tooltip only: context labels of a family ran together, edges crossed them */
	assert_false(svg_has_text(&x, "context runtime"));
	/* sizes: labels and proportional bars, bytes kept out */
	assert_true(svg_has_text(&x, "583.6 MiB (191.7 MiB compressed)"));
	assert_true(svg_has_text(&x, "163.1 MiB (own 21.9 MiB)"));
	assert_true(svg_has_text(&x, "kept out of the final image: 461.6 MiB"));
	assert_true(svg_has_text(&x, "+2 more"));
	{
		/* bars of 16 cells: the builder image (612 MB, the largest) full, service (171 MB) 28% */
		long b = node_el(&x, "atmo-title-builder"), s = node_el(&x, "atmo-title-service");
		assert_int_equal(bar_cells(&x, b), 16);
		assert_int_equal(bar_cells(&x, s), 4);
		/* stage bars against the largest stage (build, 655 MB): service 171 MB -> 4 */
		assert_int_equal(bar_cells(&x, node_el(&x, "atmo-node-service-stage-build")), 16);
		assert_int_equal(bar_cells(&x, node_el(&x, "atmo-node-service-stage-service")), 4);
	}
	txml_free(&x);
	atmo_free(svg);

	/* scratch hidden: no node, no edge from it */
	o.show_scratch = 0;
	svg = render_ok(doc, &o, &len);
	parse_svg(&x, svg, len);
	assert_int_equal(txml_count(&x, "g", "atmo-scratch"), 0);
	assert_int_equal(txml_count(&x, "g", "atmo-base"), 4);
	txml_free(&x);
	atmo_free(svg);
	json_decref(doc);
}

static void test_svg_layers_and_legend(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/service-single.json");
	txml_doc x;
	size_t len;
	char *svg;
	long e;

	(void)state;
	o.layers = 1;
	o.legend = 1;
	o.link_base = "#";
	svg = render_ok(doc, &o, &len);
	parse_svg(&x, svg, len);
	/* stages become clusters; one node per instruction (the FROM line counts once) */
	assert_int_equal(txml_count(&x, "g", "atmo-layers"), 4);
	e = node_el(&x, "atmo-node-dockerfile-stage-service");
	assert_true(txml_has_class(&x.e[e], "cluster"));
	assert_true(txml_has_class(&x.e[e], "atmo-target"));
	/* builder 4, runtime 3, service 4, debug 1 + its FROM = 2 */
	assert_int_equal(txml_count(&x, "g", "atmo-layer"), 13);
	assert_int_equal(txml_count(&x, "g", "atmo-layer-run"), 5);
	e = node_el(&x, "atmo-layer-dockerfile-stage-service-1");
	assert_non_null(strstr(title_of(&x, e), "COPY --from=builder /venv /venv (line 25)"));
	assert_int_equal(txml_count(&x, "g", "atmo-sequence"), 9);
	/* the copy edge lands on the COPY instruction (line 25), from builder's last layer */
	e = node_el(&x, "atmo-edge-dockerfile-stage-builder--dockerfile-stage-service-copy");
	assert_non_null(strstr(title_of(&x, e), "line 25"));
	/* clusters link like nodes */
	{
		long a = txml_descendant(&x, node_el(&x, "atmo-node-dockerfile-stage-builder"), "a");
		assert_true(a >= 0);
		assert_string_equal(txml_attr(&x.e[a], "href"), "#service-builder");
	}
	/* legend: one row below the drawing, naming only the roles and edges drawn: stage,
	 * target, build only, external image, scratch; FROM, COPY --from, RUN --mount (this
	 * document has no unused stage, named context or ONBUILD edge) */
	e = node_el(&x, "atmo-legend");
	assert_true(txml_has_class(&x.e[e], "atmo-legend"));
	assert_int_equal(txml_count(&x, "g", "atmo-legend-item"), 8);
	assert_true(svg_has_text(&x, "COPY --from"));
	assert_true(svg_has_text(&x, "RUN --mount"));
	assert_false(svg_has_text(&x, "ONBUILD"));
	assert_false(svg_has_text(&x, "named context"));
	txml_free(&x);
	atmo_free(svg);
	json_decref(doc);
}

static void test_options(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/service-single.json");
	txml_doc x;
	size_t len;
	char *out;

	(void)state;
	/* TB and LR reach Graphviz */
	o.format = ATMO_FORMAT_DOT;
	o.rankdir = "LR";
	out = render_ok(doc, &o, &len);
	assert_non_null(strstr(out, "rankdir=LR"));
	atmo_free(out);
	o.rankdir = "TB";
	out = render_ok(doc, &o, &len);
	assert_non_null(strstr(out, "rankdir=TB"));
	atmo_free(out);

	/* dark theme: class and colours for dark backgrounds */
	o.format = ATMO_FORMAT_SVG;
	o.theme = "dark";
	out = render_ok(doc, &o, &len);
	parse_svg(&x, out, len);
	assert_true(txml_has_class(&x.e[0], "atmo-theme-dark"));
	assert_true(txml_child(&x, 0, "style") >= 0);
	assert_non_null(strstr(out, "fill=\"#e6edf3\""));    /* light text */
	assert_null(strstr(out, "fill=\"#1f2328\""));        /* no dark text */
	txml_free(&x);
	atmo_free(out);

	/* fixed size keeps Graphviz's width and height */
	o.theme = "light";
	o.fixed_size = 1;
	out = render_ok(doc, &o, &len);
	parse_svg(&x, out, len);
	assert_non_null(txml_attr(&x.e[0], "width"));
	assert_non_null(txml_attr(&x.e[0], "height"));
	assert_non_null(txml_attr(&x.e[0], "viewBox"));
	txml_free(&x);
	atmo_free(out);

	/* inline SVG with an id prefix: no XML declaration, every id prefixed */
	o.fixed_size = 0;
	o.svg_inline = 1;
	o.id_prefix = "fig-2 \"<";
	out = render_ok(doc, &o, &len);
	assert_memory_equal(out, "<svg ", 5);
	parse_svg(&x, out, len);
	{
		size_t i, ids = 0;
		for (i = 0; i < x.n; i++) {
			const char *id = txml_attr(&x.e[i], "id");
			if (id) {
				assert_int_equal(strncmp(id, "fig-2", 5), 0);
				ids++;
			}
		}
		assert_true(ids > 10);
		assert_true(txml_by_id(&x, "fig-2atmo-node-dockerfile-stage-builder") >= 0);
	}
	txml_free(&x);
	atmo_free(out);
	o.svg_inline = 0;
	o.id_prefix = NULL;

	/* max_label_length shortens names in the middle; descriptions wrap, whole */
	o.fixed_size = 0;
	o.max_label_length = 8;
	out = render_ok(doc, &o, &len);
	parse_svg(&x, out, len);
	assert_true(svg_has_text(&x, "FROM debi\xe2\x80\xa6lim"));
	assert_true(svg_has_text(&x, "builder compiles the wheels and the"));
	assert_true(svg_has_text(&x, "virtualenv"));
	/* titles keep the whole text */
	assert_non_null(strstr(title_of(&x, node_el(&x, "atmo-node-dockerfile-stage-builder")),
			       "FROM debian:bookworm-slim"));
	txml_free(&x);
	atmo_free(out);
	json_decref(doc);
}

/* ---- formats, determinism ---------------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void test_png_pdf(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/service-bake.json");
	unsigned char *png;
	char *pdf;
	size_t len, w1;

	(void)state;
	o.format = ATMO_FORMAT_PNG;
	png = (unsigned char *)render_ok(doc, &o, &len);
	assert_true(len > 33);
	assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
	assert_memory_equal(png + 12, "IHDR", 4);
	w1 = be32(png + 16);
	assert_true(w1 > 100);
	assert_true(be32(png + 20) > 50);
	assert_memory_equal(png + len - 8, "IEND", 4);
	atmo_free(png);
	/* dpi scales the bitmap */
	o.dpi = 192;
	png = (unsigned char *)render_ok(doc, &o, &len);
	assert_true(be32(png + 16) > w1 * 3 / 2);
	atmo_free(png);

	o.format = ATMO_FORMAT_PDF;
	pdf = render_ok(doc, &o, &len);
	assert_true(len > 100);
	assert_memory_equal(pdf, "%PDF-", 5);
	/* no clock in the output: cairo's creation date is pinned */
	assert_non_null(memmem(pdf, len, "/CreationDate (D:20000101000000", 31));
	{
		size_t end = len;
		while (end && (pdf[end - 1] == '\n' || pdf[end - 1] == '\r'))
			end--;
		assert_true(end >= 5);
		assert_memory_equal(pdf + end - 5, "%%EOF", 5);
	}
	atmo_free(pdf);
	json_decref(doc);
}

static void test_deterministic(void **state)
{
	static const atmo_format formats[] = { ATMO_FORMAT_SVG, ATMO_FORMAT_PNG, ATMO_FORMAT_PDF,
					       ATMO_FORMAT_DOT, ATMO_FORMAT_JSON, ATMO_FORMAT_TEXT };
	static const char *const files[] = { "render/service-single.json", "render/service-bake.json",
					     "render/hostile.json" };
	size_t f, k;

	(void)state;
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		json_t *doc = load(files[f]);
		for (k = 0; k < sizeof(formats) / sizeof(formats[0]); k++) {
			atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
			atmo_renderer *r2 = NULL;
			atmo_error err;
			char *a, *b, *c = NULL;
			size_t la, lb, lc = 0;
			json_t *w = NULL;
			o.format = formats[k];
			o.layers = (int)(f == 1);
			o.legend = (int)(f == 0);
			a = render_ok(doc, &o, &la);
			b = render_ok(doc, &o, &lb);
			if (la != lb || memcmp(a, b, la))
				print_error("%s, format %d: two renders differ\n", files[f], (int)formats[k]);
			assert_int_equal(la, lb);
			assert_memory_equal(a, b, la);
			/* a second renderer gives the same bytes too */
			atmo_error_clear(&err);
			assert_int_equal(atmo_renderer_new(&r2, &err), 0);
			assert_int_equal(atmo_render(&c, &lc, r2, doc, &o, &w, &err), 0);
			assert_int_equal(la, lc);
			assert_memory_equal(a, c, la);
			atmo_renderer_free(r2);
			json_decref(w);
			atmo_free(a);
			atmo_free(b);
			atmo_free(c);
		}
		json_decref(doc);
	}
}

static void test_dot_and_json(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/service-bake.json"), *back;
	json_error_t je;
	char *out;
	size_t len;

	(void)state;
	o.format = ATMO_FORMAT_JSON;
	out = render_ok(doc, &o, &len);
	assert_non_null(strstr(out, "\n  \"schema\": \"atmograph.graph/1\""));
	back = json_loads(out, 0, &je);
	assert_non_null(back);
	assert_true(json_equal(back, doc));
	json_decref(back);
	atmo_free(out);

	o.format = ATMO_FORMAT_DOT;
	o.detail = "stages";
	out = render_ok(doc, &o, &len);
	assert_int_equal(strncmp(out, "digraph atmograph {", 19), 0);
	assert_non_null(strstr(out, "class=\"atmo-stage atmo-target atmo-in-final\""));
	assert_non_null(strstr(out, "subgraph cluster_image0"));
	assert_null(strstr(out, "pos=")); /* the graph, not a layout */
	atmo_free(out);
	json_decref(doc);
}

/* A caller built against version 1 hands a struct that ends before id_prefix:
 * it is read to its end only (ASan sees an overrun of the exact-size copy) and
 * draws as the defaults of the later fields do. */
static void test_options_version_1(void **state)
{
	atmo_render_options cur = ATMO_RENDER_OPTIONS_INIT;
	size_t v1_size = offsetof(atmo_render_options, id_prefix);
	unsigned char *raw = malloc(v1_size);
	const atmo_render_options *v1 = (const atmo_render_options *)raw;
	json_t *doc = load("render/service-single.json");
	char *a, *b, *d = NULL;
	size_t alen, blen;

	(void)state;
	assert_non_null(raw);
	cur.format = ATMO_FORMAT_TEXT;
	cur.version = 1;
	memcpy(raw, &cur, v1_size);
	cur.version = ATMO_RENDER_OPTIONS_VERSION;
	assert_int_equal(atmo_render_options_check(v1, NULL), 0);
	a = render_ok(doc, v1, &alen);
	b = render_ok(doc, &cur, &blen);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	assert_int_equal(atmo_render_describe(&d, doc, v1, NULL), 0);
	assert_non_null(d);
	atmo_free(a);
	atmo_free(b);
	atmo_free(d);
	free(raw);
	json_decref(doc);
}

static void test_text(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/service-single.json");
	char *out;
	size_t len;

	(void)state;
	o.format = ATMO_FORMAT_TEXT;
	out = render_ok(doc, &o, &len);
	assert_int_equal(strlen(out), len);
	assert_non_null(strstr(out, "target: service\n"));
	assert_non_null(strstr(out, "image service (images/service/Dockerfile)\n"));
	assert_non_null(strstr(out, "  stage builder FROM debian:bookworm-slim, lines 4-14 [build-only]\n"));
	assert_non_null(strstr(out, "  stage debug FROM service, lines 32-33 [unused]\n"));
	assert_non_null(strstr(out, "  builder --copy /venv--> service into /venv (line 25)\n"));
	assert_non_null(strstr(out, "  builder --mount /root/.cache--> service"));
	atmo_free(out);
	json_decref(doc);

	doc = load("render/service-bake.json");
	out = render_ok(doc, &o, &len);
	assert_non_null(strstr(out, "image builder (images/builder/Dockerfile), 583.6 MiB (191.7 MiB compressed)\n"));
	assert_non_null(strstr(out, "  runtime/runtime --base--> service/service (context runtime) (line 10)\n"));
	assert_non_null(strstr(out, "  builder/builder --onbuild--> service/build"));
	assert_non_null(strstr(out, "    onbuild: RUN pip wheel -w /wheels /src\n"));
	assert_non_null(strstr(out, "kept out of the final image: 461.6 MiB (gcc, g++,"));
	assert_non_null(strstr(out, "images/service/Dockerfile:18: UnusedStage: stage export"));
	assert_non_null(strstr(out, "  scratch scratch\n"));
	atmo_free(out);
	o.show_scratch = 0;
	out = render_ok(doc, &o, &len);
	assert_null(strstr(out, "scratch scratch"));
	assert_null(strstr(out, "service/scratch --base"));
	atmo_free(out);
	json_decref(doc);
}

/* ---- inherited ONBUILD triggers (nodes[].onbuild_inherited, onbuild_from) ---------- */

static json_t *inherited_doc(const char *from)
{
	json_t *doc = load("render/service-bake.json"), *n = NULL, *a;
	size_t i;

	json_array_foreach(json_object_get(doc, "nodes"), i, n)
		if (!strcmp(json_string_value(json_object_get(n, "id")), "service/stage/build"))
			break;
	assert_true(i < json_array_size(json_object_get(doc, "nodes")));
	a = json_array();
	json_array_append_new(a, json_string("COPY . /src"));
	json_array_append_new(a, json_string("RUN pip wheel -w /wheels /src"));
	json_object_set_new(n, "onbuild_inherited", a);
	if (from)
		json_object_set_new(n, "onbuild_from", json_string(from));
	return doc;
}

static void test_onbuild_inherited(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = inherited_doc("builder/stage/builder");
	txml_doc x;
	size_t len;
	char *out;
	long e, a, b;

	(void)state;
	o.detail = "stages";
	/* the node's title lists the triggers and where they come from (another image) */
	out = render_ok(doc, &o, &len);
	parse_svg(&x, out, len);
	e = node_el(&x, "atmo-node-service-stage-build");
	assert_non_null(strstr(title_of(&x, e),
			       "; ONBUILD (from builder): COPY . /src; RUN pip wheel -w /wheels /src"));
	/* only the stage that inherits them says so */
	assert_null(strstr(title_of(&x, node_el(&x, "atmo-node-service-stage-service")), "ONBUILD"));
	assert_int_equal(txml_count(&x, "g", "atmo-inherited"), 0);
	txml_free(&x);
	atmo_free(out);

	/* layer view: one entry per trigger, right after FROM, marked with their origin */
	o.layers = 1;
	out = render_ok(doc, &o, &len);
	parse_svg(&x, out, len);
	assert_int_equal(txml_count(&x, "g", "atmo-inherited"), 2);
	assert_int_equal(txml_count(&x, "g", "atmo-layer-onbuild"), 2);
	a = node_el(&x, "atmo-layer-service-stage-build-onbuild-0");
	b = node_el(&x, "atmo-layer-service-stage-build-onbuild-1");
	assert_true(txml_has_class(&x.e[a], "atmo-layer"));
	assert_true(txml_has_class(&x.e[b], "atmo-inherited"));
	assert_string_equal(title_of(&x, a),
			    "ONBUILD COPY . /src (inherited from builder), run at FROM (line 4)");
	assert_non_null(strstr(title_of(&x, b), "ONBUILD RUN pip wheel -w /wheels /src (inherited"));
	assert_true(svg_has_text(&x, "ONBUILD (from builder)"));
	assert_true(svg_has_text(&x, "RUN pip wheel -w /wheels /src"));
	/* the instructions keep their ids: FROM is -0, the RUN of line 5 is -1 */
	assert_non_null(strstr(title_of(&x, node_el(&x, "atmo-layer-service-stage-build-0")), "FROM builder AS build"));
	assert_non_null(strstr(title_of(&x, node_el(&x, "atmo-layer-service-stage-build-1")), "RUN pip install"));
	/* FROM -> trigger 0 -> trigger 1 -> RUN: three sequence edges in the stage */
	node_el(&x, "atmo-seq-service-stage-build-onbuild-0");
	node_el(&x, "atmo-seq-service-stage-build-onbuild-1");
	node_el(&x, "atmo-seq-service-stage-build-1");
	txml_free(&x);
	atmo_free(out);

	/* in DOT: the sequence runs FROM, the triggers, then the stage's own instructions,
	 * and the onbuild edge ends at the first trigger */
	o.format = ATMO_FORMAT_DOT;
	out = render_ok(doc, &o, &len);
	assert_non_null(strstr(out, "\"service/stage/build#0\" -> \"service/stage/build#onbuild0\""));
	assert_non_null(strstr(out, "\"service/stage/build#onbuild0\" -> \"service/stage/build#onbuild1\""));
	assert_non_null(strstr(out, "\"service/stage/build#onbuild1\" -> \"service/stage/build#1\""));
	{
		const char *p = strstr(out, "\"builder/stage/builder#0\" -> \"service/stage/build#onbuild0\"");
		const char *end = p ? strstr(p, "];") : NULL, *c = p ? strstr(p, "class=\"atmo-onbuild") : NULL;
		assert_non_null(p);
		assert_non_null(end);
		assert_true(c && c < end);
	}
	atmo_free(out);

	/* text: the inherited triggers are listed before the declared ones */
	o.format = ATMO_FORMAT_TEXT;
	out = render_ok(doc, &o, &len);
	assert_non_null(strstr(out, "  stage build FROM builder, lines 4-8, 624.7 MiB (own 41.0 MiB) [build-only]\n"
				    "      build runs the builder's ONBUILD triggers\n"
				    "      onbuild (from builder/builder, run first): COPY . /src\n"
				    "      onbuild (from builder/builder, run first): RUN pip wheel -w /wheels /src\n"));
	atmo_free(out);
	json_decref(doc);

	/* the node's title lists the triggers and where they come from: a linked target by
	 * its image, another image's other node as IMAGE/NAME */
	doc = inherited_doc("builder/image/debian:bookworm");
	o = (atmo_render_options)ATMO_RENDER_OPTIONS_INIT;
	o.detail = "stages";
	out = render_ok(doc, &o, &len);
	parse_svg(&x, out, len);
	assert_non_null(strstr(title_of(&x, node_el(&x, "atmo-node-service-stage-build")),
			       "ONBUILD (from builder/debian:bookworm): COPY . /src"));
	txml_free(&x);
	atmo_free(out);
	json_decref(doc);

	/* an origin the document lacks is named by its id; without one, by the base */
	doc = inherited_doc("elsewhere/stage/x");
	o = (atmo_render_options)ATMO_RENDER_OPTIONS_INIT;
	o.detail = "stages";
	out = render_ok(doc, &o, &len);
	parse_svg(&x, out, len);
	assert_non_null(strstr(title_of(&x, node_el(&x, "atmo-node-service-stage-build")),
			       "ONBUILD (from elsewhere/stage/x): COPY . /src"));
	txml_free(&x);
	atmo_free(out);
	json_decref(doc);
	doc = inherited_doc(NULL);
	o.layers = 1;
	out = render_ok(doc, &o, &len);
	parse_svg(&x, out, len);
	assert_true(svg_has_text(&x, "ONBUILD (from builder)"));
	assert_non_null(strstr(title_of(&x, node_el(&x, "atmo-node-service-stage-build")),
			       "ONBUILD (from builder): COPY"));
	txml_free(&x);
	atmo_free(out);
	json_decref(doc);
}

/* Hostile trigger text stays text: XML-escaped in titles, Graphviz escapes not injected. */
static void test_onbuild_inherited_hostile(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = inherited_doc("builder/stage/<b>&\"x");
	json_t *n;
	txml_doc x;
	size_t len, i;
	char *out;
	int pass;

	(void)state;
	o.detail = "stages";
	json_array_foreach(json_object_get(doc, "nodes"), i, n)
		if (json_object_get(n, "onbuild_inherited"))
			json_array_append_new(json_object_get(n, "onbuild_inherited"),
					      json_string("RUN echo '</title><script>x</script>' \\l \\N ]]>"));
	for (pass = 0; pass < 2; pass++) {
		o.layers = pass;
		out = render_ok(doc, &o, &len);
		parse_svg(&x, out, len);
		assert_null(strstr(out, "<script"));
		/* wrapped at spaces, escaped, Graphviz's escapes inert */
		assert_true(svg_has_text(&x, pass ? "'</title><script>x</script>' \\l \\N" : "build"));
		assert_non_null(strstr(title_of(&x, node_el(&x, "atmo-node-service-stage-build")),
				       "(from builder/stage/<b>&\"x): COPY . /src; RUN pip wheel -w /wheels /src; "
				       "RUN echo '</title><script>x</script>' \\l \\N ]]>"));
		if (pass)
			assert_int_equal(txml_count(&x, "g", "atmo-inherited"), 3);
		txml_free(&x);
		atmo_free(out);
	}
	json_decref(doc);
}

/* ---- hostile strings ---------------------------------------------------------------- */

static int ci_contains(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;
	for (i = 0; i + n <= len; i++)
		if (!strncasecmp(s + i, needle, n))
			return 1;
	return 0;
}

static void test_hostile(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/hostile.json");
	txml_doc x;
	size_t len, i;
	char *svg;
	int pass;

	(void)state;
	o.detail = "stages";
	for (pass = 0; pass < 2; pass++) {
		o.layers = pass;
		o.legend = pass;
		o.link_base = "https://e.x/p?a=1&b=\"2\"<x>";
		svg = render_ok(doc, &o, &len);
		/* strict XML: quoting, entities (no &foo; passes), characters, nesting */
		parse_svg(&x, svg, len);
		/* no markup came through: no script element, no event attribute, no CDATA */
		assert_false(ci_contains(svg, len, "<script"));
		assert_false(ci_contains(svg, len, "]]>"));
		assert_false(ci_contains(svg, len, "<![CDATA["));
		assert_false(ci_contains(svg, len, "&foo;"));
		for (i = 0; i < x.n; i++) {
			size_t k;
			assert_string_not_equal(x.e[i].name, "script");
			for (k = 0; k < x.e[i].nattr; k++)
				assert_true(strncasecmp(x.e[i].attr[2 * k], "on", 2) != 0);
			if (!strcmp(x.e[i].name, "a")) {
				const char *h = txml_attr(&x.e[i], "href");
				assert_non_null(h);
				assert_null(strchr(h, '"'));
				assert_null(strchr(h, '<'));
				assert_null(strchr(h, ' '));
			}
		}
		/* the text is there, escaped: it reads back as written */
		if (!pass) {
			long e = node_el(&x, "atmo-node-evil-stage--script--amp-----");
			assert_non_null(strstr(title_of(&x, e), "stage </text><script>alert(1)</script>: FROM a&b\"c<d>]]>"));
			/* names up to 64 code points are whole (the default) */
			assert_true(svg_has_text(&x, "</text><script>alert(1)</script>"));
			assert_true(svg_has_text(&x, "/a<b> ]]> < <script>alert(1)</script>"));
			{
				long a = txml_descendant(&x, e, "a");
				assert_true(a >= 0);
				assert_string_equal(txml_attr(&x.e[a], "href"),
						    "https://e.x/p?a=1&b=%222%22%3Cx%3E#x%22%20onload%3D%22alert%281%29");
			}
		}
		assert_true(txml_count(&x, "g", "atmo-image") == 2);
		txml_free(&x);
		atmo_free(svg);
	}
	/* DOT output is read back by cgraph with the same nodes */
	{
		Agraph_t *g;
		char *dot;
		o.format = ATMO_FORMAT_DOT;
		o.layers = 0;
		o.legend = 0;
		dot = render_ok(doc, &o, &len);
		g = agmemread(dot);
		assert_non_null(g);
		/* the document's 5 nodes and a title node for each of the 2 image clusters, whose
		 * invisible edges keep it above the cluster's nodes */
		assert_int_equal(agnnodes(g), 7);
		{
			Agnode_t *n;
			Agedge_t *e;
			int shown = 0;
			for (n = agfstnode(g); n; n = agnxtnode(g, n))
				for (e = agfstout(g, n); e; e = agnxtout(g, e))
					shown += strcmp(agget(e, (char *)"style") ? agget(e, (char *)"style") : "", "invis") != 0;
			assert_int_equal(shown, 5);
		}
		assert_non_null(agnode(g, (char *)"evil/stage/<script>&amp;\"]]>", 0));
		agclose(g);
		atmo_free(dot);
	}
	/* text: control characters are gone, the rest is as written */
	{
		char *t;
		o.format = ATMO_FORMAT_TEXT;
		t = render_ok(doc, &o, &len);
		assert_non_null(strstr(t, "stage </text><script>alert(1)</script> FROM a&b\"c<d>]]>"));
		for (i = 0; i < len; i++)
			assert_true((unsigned char)t[i] >= 0x20 || t[i] == '\n');
		atmo_free(t);
	}
	json_decref(doc);
}

/* ---- invalid documents and options ------------------------------------------------------- */

static void test_invalid(void **state)
{
	static const struct { const char *json, *path; } cases[] = {
		{ "[]", "$: " },
		{ "{}", "$.schema: missing" },
		{ "{\"schema\": 1}", "$.schema: expected a string" },
		{ "{\"schema\": \"atmograph.graph/2\", \"nodes\": []}", "$.schema: " },
		{ "{\"schema\": \"atmograph.graph/1\"}", "$.nodes: missing" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": {}}", "$.nodes: expected an array" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [1]}", "$.nodes[0]: expected an object" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"kind\": \"stage\"}]}", "$.nodes[0].id: missing" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": \"a\", \"kind\": \"stag\"}]}", "$.nodes[0].kind: unknown kind" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": \"a\", \"kind\": \"stage\", \"line\": \"3\"}]}", "$.nodes[0].line: expected an integer" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": \"a\", \"kind\": \"stage\", \"line\": -3}]}", "$.nodes[0].line: must not be negative" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": \"a\", \"kind\": \"stage\", \"target\": 1}]}", "$.nodes[0].target: expected true or false" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": \"a\", \"kind\": \"stage\", \"name\": []}]}", "$.nodes[0].name: expected a string" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": \"a\", \"kind\": \"stage\", \"instructions\": [{\"keyword\": \"run\"}, 3]}]}", "$.nodes[0].instructions[1]: expected an object" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": \"a\", \"kind\": \"stage\", \"instructions\": [{\"line\": 2}]}]}", "$.nodes[0].instructions[0].keyword: missing" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": \"a\", \"kind\": \"stage\", \"onbuild\": [\"x\", 2]}]}", "$.nodes[0].onbuild[1]: expected a string" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": \"a\", \"kind\": \"stage\", \"onbuild_inherited\": \"RUN x\"}]}", "$.nodes[0].onbuild_inherited: expected an array of strings" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": \"a\", \"kind\": \"stage\", \"onbuild_inherited\": [\"RUN x\", {}]}]}", "$.nodes[0].onbuild_inherited[1]: expected a string" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": \"a\", \"kind\": \"stage\", \"onbuild_inherited\": [\"RUN x\"], \"onbuild_from\": 3}]}", "$.nodes[0].onbuild_from: expected a string" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": \"a\", \"kind\": \"stage\", \"size\": {\"bytes\": 1.5}}]}", "$.nodes[0].size.bytes: expected an integer" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": \"a\", \"kind\": \"stage\"}, {\"id\": \"a\", \"kind\": \"image\"}]}", "$.nodes[1].id: duplicate node id" },
		{ "{\"schema\": \"atmograph.graph/1\", \"images\": [{\"id\": \"x\"}], \"nodes\": [{\"id\": \"a\", \"kind\": \"stage\", \"image\": \"y\"}]}", "$.nodes[0].image: unknown image" },
		{ "{\"schema\": \"atmograph.graph/1\", \"images\": [{\"label\": \"x\"}], \"nodes\": []}", "$.images[0].id: missing" },
		{ "{\"schema\": \"atmograph.graph/1\", \"images\": [{\"id\": \"x\"}, {\"id\": \"x\"}], \"nodes\": []}", "$.images[1].id: duplicate image id" },
		{ "{\"schema\": \"atmograph.graph/1\", \"images\": [{\"id\": \"x\", \"size\": {\"bytes\": \"1\"}}], \"nodes\": []}", "$.images[0].size.bytes: expected an integer" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": \"a\", \"kind\": \"stage\"}], \"edges\": [{\"from\": \"a\", \"to\": \"b\", \"kind\": \"base\"}]}", "$.edges[0].to: no node with id \"b\"" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": \"a\", \"kind\": \"stage\"}], \"edges\": [{\"from\": \"a\", \"to\": \"a\", \"kind\": \"link\"}]}", "$.edges[0].kind: unknown kind" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": \"a\", \"kind\": \"stage\"}], \"edges\": [{\"from\": \"a\", \"to\": \"a\", \"kind\": \"copy\", \"sources\": \"/x\"}]}", "$.edges[0].sources: expected an array of strings" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [], \"edges\": [{}]}", "$.edges[0].from: missing" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [], \"edges\": 3}", "$.edges: expected an array" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [], \"target\": \"zz\"}", "$.target: no node with id \"zz\"" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [], \"unused\": [\"zz\"]}", "$.unused[0]: no node with id" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [], \"kept_out\": {\"bytes\": true}}", "$.kept_out.bytes: expected an integer" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [], \"kept_out\": {\"packages\": [1]}}", "$.kept_out.packages[0]: expected a string" },
		{ "{\"schema\": \"atmograph.graph/1\", \"nodes\": [], \"warnings\": {}}", "$.warnings: expected an array" },
	};
	static const atmo_format formats[] = { ATMO_FORMAT_SVG, ATMO_FORMAT_TEXT, ATMO_FORMAT_JSON, ATMO_FORMAT_DOT };
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_error_t je;
		json_t *doc = json_loads(cases[i].json, 0, &je);
		if (!doc)
			fail_msg("case %zu: %s", i, je.text);
		for (k = 0; k < sizeof(formats) / sizeof(formats[0]); k++) {
			atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
			atmo_error err;
			char *data = (char *)"untouched";
			size_t len = 7;
			json_t *w = (json_t *)"x";
			o.format = formats[k];
			atmo_error_clear(&err);
			assert_int_equal(atmo_render(&data, &len, R, doc, &o, &w, &err), ATMO_EINVALID);
			assert_int_equal(err.code, ATMO_EINVALID);
			assert_null(data);
			assert_null(w);
			assert_int_equal(len, 0);
			if (!strstr(err.text, cases[i].path))
				fail_msg("case %zu: error \"%s\" does not name \"%s\"", i, err.text, cases[i].path);
		}
		json_decref(doc);
	}
}

static void test_invalid_options(void **state)
{
	json_t *doc = load("render/service-single.json");
	atmo_render_options o;
	atmo_error err;
	atmo_format f;
	char *data;
	size_t len;

	(void)state;
	o = (atmo_render_options)ATMO_RENDER_OPTIONS_INIT;
	o.rankdir = "RL";
	atmo_error_clear(&err);
	assert_int_equal(atmo_render(&data, &len, R, doc, &o, NULL, &err), ATMO_EINVALID);
	assert_non_null(strstr(err.text, "rankdir"));
	o = (atmo_render_options)ATMO_RENDER_OPTIONS_INIT;
	o.theme = "blue";
	atmo_error_clear(&err);
	assert_int_equal(atmo_render(&data, &len, R, doc, &o, NULL, &err), ATMO_EINVALID);
	assert_non_null(strstr(err.text, "theme"));
	o = (atmo_render_options)ATMO_RENDER_OPTIONS_INIT;
	o.version = 99;
	assert_int_equal(atmo_render(&data, &len, R, doc, &o, NULL, NULL), ATMO_EINVALID);
	o = (atmo_render_options)ATMO_RENDER_OPTIONS_INIT;
	o.format = (atmo_format)42;
	assert_int_equal(atmo_render(&data, &len, R, doc, &o, NULL, NULL), ATMO_EINVALID);
	o = (atmo_render_options)ATMO_RENDER_OPTIONS_INIT;
	o.dpi = -1;
	assert_int_equal(atmo_render(&data, &len, R, doc, &o, NULL, NULL), ATMO_EINVALID);
	assert_int_equal(atmo_render(&data, &len, NULL, doc, NULL, NULL, NULL), ATMO_EINVALID);
	assert_int_equal(atmo_render(&data, &len, R, NULL, NULL, NULL, NULL), ATMO_EINVALID);
	/* NULL options mean the defaults; the text formats need no renderer */
	o = (atmo_render_options)ATMO_RENDER_OPTIONS_INIT;
	o.format = ATMO_FORMAT_TEXT;
	assert_int_equal(atmo_render(&data, NULL, NULL, doc, &o, NULL, NULL), 0);
	atmo_free(data);
	assert_int_equal(atmo_render(&data, &len, R, doc, NULL, NULL, NULL), 0);
	assert_memory_equal(data, "<?xml", 5);
	atmo_free(data);

	assert_int_equal(atmo_format_from_name(&f, "pdf"), 0);
	assert_int_equal(f, ATMO_FORMAT_PDF);
	assert_int_equal(atmo_format_from_name(&f, "text"), 0);
	assert_int_equal(f, ATMO_FORMAT_TEXT);
	assert_int_equal(atmo_format_from_name(&f, "jpeg"), ATMO_EINVALID);
	assert_int_equal(atmo_format_from_name(&f, NULL), ATMO_EINVALID);
	assert_int_equal(strncmp(atmo_render_graphviz_version(R), "2.", 2) == 0 ||
			 atoi(atmo_render_graphviz_version(R)) >= 3, 1);
	json_decref(doc);
}

/* ---- Graphviz warnings reach the caller --------------------------------------------------- */

/* A long chain of stages: wide enough that a PNG at 96 dpi exceeds cairo's bitmap limit. */
static json_t *chain_doc(size_t n)
{
	json_t *doc = json_pack("{s:s, s:[], s:[]}", "schema", "atmograph.graph/1", "nodes", "edges");
	size_t i;
	char id[64], prev[64];

	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "d/stage/stage-with-a-longer-name-%zu", i);
		json_array_append_new(json_object_get(doc, "nodes"),
				      json_pack("{s:s, s:s, s:s, s:i}", "id", id, "kind", "stage", "name", id + 8,
						"line", (int)i + 1));
		if (i)
			json_array_append_new(json_object_get(doc, "edges"),
					      json_pack("{s:s, s:s, s:s}", "from", prev, "to", id, "kind", "base"));
		memcpy(prev, id, sizeof(id));
	}
	return doc;
}

/* Run f with stderr sent to a temporary file; returns how many bytes went to stderr. */
static long stderr_bytes_during(void (*f)(void *), void *arg)
{
	FILE *tmp = tmpfile();
	int saved;
	long n;

	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(tmp), 2);
	f(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = ftell(tmp) >= 0 ? (fseek(tmp, 0, SEEK_END), ftell(tmp)) : -1;
	fclose(tmp);
	return n;
}

typedef struct {
	json_t *doc, *w;
	atmo_render_options o;
	char *data;
	size_t len;
	int rc;
} call;

static void do_render(void *arg)
{
	call *c = arg;
	atmo_error err;
	atmo_error_clear(&err);
	c->rc = atmo_render(&c->data, &c->len, R, c->doc, &c->o, &c->w, &err);
}

static void test_png_too_large(void **state)
{
	call c;
	json_t *it;
	size_t i;
	int found = 0;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.doc = chain_doc(200);
	c.o = (atmo_render_options)ATMO_RENDER_OPTIONS_INIT;
	c.o.format = ATMO_FORMAT_PNG;
	c.o.rankdir = "LR"; /* a chain: wide */
	c.o.dpi = 96;
	/* cairo would scale and complain on stderr only: the caller gets a warning instead */
	assert_int_equal(stderr_bytes_during(do_render, &c), 0);
	assert_int_equal(c.rc, 0);
	assert_non_null(c.w);
	json_array_foreach(c.w, i, it) {
		const char *t = json_string_value(json_object_get(it, "text"));
		if (!strcmp(json_string_value(json_object_get(it, "code")), "ImageTooLarge") && t &&
		    strstr(t, "too large for a PNG at 96 dpi"))
			found = 1;
	}
	assert_true(found);
	assert_memory_equal(c.data, "\x89PNG", 4);
	assert_true(be32((unsigned char *)c.data + 16) <= 32767);
	assert_true(be32((unsigned char *)c.data + 16) > 30000);
	atmo_free(c.data);
	json_decref(c.w);
	/* the next render starts clean: warnings belong to one call */
	c.w = NULL;
	c.o.format = ATMO_FORMAT_SVG;
	assert_int_equal(stderr_bytes_during(do_render, &c), 0);
	assert_int_equal(c.rc, 0);
	assert_int_equal(json_array_size(c.w), 0);
	atmo_free(c.data);
	json_decref(c.w);
	json_decref(c.doc);
}

/* Graphviz's own messages (agerr) reach the caller, through the lock every render takes. */
static void bad_color(void *arg)
{
	/* the process's context: Graphviz 2.42 cannot free a context safely (see render.c) */
	GVC_t *gvc = atmo__renderer_gvc(R);
	Agraph_t *g = agmemread("digraph { a [color=bogus]; a -> b [arrowhead=nosuchshape] }");
	char *d = NULL;
	unsigned int n = 0;
	(void)arg;
	gvLayout(gvc, g, "dot");
	gvRenderData(gvc, g, "svg", &d, &n);
	gvFreeRenderData(d);
	gvFreeLayout(gvc, g);
	agclose(g);
}

static void run_bad_color(void *w)
{
	atmo_error err;
	atmo_error_clear(&err);
	if (atmo__gv_run(bad_color, NULL, w, &err) != 0)
		json_array_clear(w);
}

static void graphviz_error(void *arg)
{
	(void)arg;
	agerr(AGERR, "something <broke> %d\n", 42);
}

static void test_graphviz_messages(void **state)
{
	json_t *w = json_array(), *it;
	atmo_error err;
	size_t i;
	int color = 0, arrow = 0;

	(void)state;
	atmo_error_clear(&err);
	/* captured, and nothing printed on stderr */
	assert_int_equal(stderr_bytes_during(run_bad_color, w), 0);
	assert_int_equal(atmo__gv_run(bad_color, NULL, NULL, &err), 0);
	json_array_foreach(w, i, it) {
		const char *t = json_string_value(json_object_get(it, "text"));
		assert_string_equal(json_string_value(json_object_get(it, "source")), "graphviz");
		assert_string_equal(json_string_value(json_object_get(it, "code")), "GraphvizWarning");
		color |= strstr(t, "bogus is not a known color") != NULL;
		arrow |= strstr(t, "nosuchshape") != NULL;
	}
	assert_true(color);
	assert_true(arrow);
	json_decref(w);

	w = json_array();
	assert_int_equal(atmo__gv_run(graphviz_error, NULL, w, &err), ATMO_ERROR);
	assert_non_null(strstr(err.text, "Graphviz: something <broke> 42"));
	assert_int_equal(json_array_size(w), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(w, 0), "code")), "GraphvizError");
	json_decref(w);
}

static void test_limits(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = chain_doc(3001);
	atmo_error err;
	char *data = NULL;
	size_t len;

	(void)state;
	atmo_error_clear(&err);
	assert_int_equal(atmo_render(&data, &len, R, doc, &o, NULL, &err), ATMO_ELIMIT);
	assert_null(data);
	assert_non_null(strstr(err.text, "too large to draw: 3001 nodes"));
	/* the text forms have no layout and no limit */
	o.format = ATMO_FORMAT_TEXT;
	assert_int_equal(atmo_render(&data, &len, R, doc, &o, NULL, NULL), 0);
	assert_non_null(strstr(data, "stage-with-a-longer-name-3000"));
	atmo_free(data);
	json_decref(doc);
	/* the layer view counts instructions */
	doc = load("render/service-single.json");
	o.format = ATMO_FORMAT_SVG;
	o.layers = 1;
	{
		json_t *instr = json_object_get(json_array_get(json_object_get(doc, "nodes"), 1), "instructions");
		size_t k;
		for (k = 0; k < 3000; k++)
			json_array_append_new(instr, json_pack("{s:s, s:i}", "keyword", "run", "line", 5));
	}
	atmo_error_clear(&err);
	assert_int_equal(atmo_render(&data, &len, R, doc, &o, NULL, &err), ATMO_ELIMIT);
	o.layers = 0;
	data = render_ok(doc, &o, &len);
	atmo_free(data);
	json_decref(doc);
}

/* ---- threads ------------------------------------------------------------------------------ */

typedef struct {
	json_t *doc;
	char *out;
	size_t len;
	int rc;
} job;

static void *worker(void *arg)
{
	job *j = arg;
	atmo_renderer *r = NULL;
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	int k;

	j->rc = atmo_renderer_new(&r, NULL);
	for (k = 0; k < 20 && j->rc == 0; k++) {
		atmo_free(j->out);
		j->out = NULL;
		j->rc = atmo_render(&j->out, &j->len, k % 2 ? r : R, j->doc, &o, NULL, NULL);
	}
	atmo_renderer_free(r);
	return NULL;
}

static void test_threads(void **state)
{
	json_t *doc = load("render/service-bake.json");
	pthread_t t[4];
	job jobs[4];
	size_t i;

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < 4; i++) {
		jobs[i].doc = doc;
		assert_int_equal(pthread_create(&t[i], NULL, worker, &jobs[i]), 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 4; i++) {
		assert_int_equal(jobs[i].rc, 0);
		assert_int_equal(jobs[i].len, jobs[0].len);
		assert_memory_equal(jobs[i].out, jobs[0].out, jobs[0].len);
	}
	for (i = 0; i < 4; i++)
		atmo_free(jobs[i].out);
	json_decref(doc);
}

/* ---- accessibility: text contrast (WCAG 2 relative luminance) ------------------------ */

/* c^2.4 for c in [0, 1] without libm: the fifth root of c^12, by bisection */
static double pow24(double c)
{
	double c12 = c * c * c, lo = 0, hi = 1;
	int k;
	c12 = c12 * c12 * c12 * c12;
	for (k = 0; k < 60; k++) {
		double mid = (lo + hi) / 2;
		if (mid * mid * mid * mid * mid < c12)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static double channel(unsigned v)
{
	double c = v / 255.0;
	return c <= 0.03928 ? c / 12.92 : pow24((c + 0.055) / 1.055);
}

static double luminance(const char *hex)
{
	unsigned r, g, b;
	if (!hex || sscanf(hex, "#%2x%2x%2x", &r, &g, &b) != 3)
		fail_msg("not a #rrggbb colour: %s", hex ? hex : "(none)");
	return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

static double contrast(const char *a, const char *b)
{
	double x = luminance(a), y = luminance(b);
	return x > y ? (x + 0.05) / (y + 0.05) : (y + 0.05) / (x + 0.05);
}

/* The fill of the first filled shape drawn inside element g, or NULL. */
static const char *shape_fill(const txml_doc *x, long g)
{
	size_t i;
	for (i = (size_t)g + 1; i < x->n; i++) {
		long p = x->e[i].parent;
		const char *f;
		while (p > g)
			p = x->e[p].parent;
		if (p != g)
			break;
		if (strcmp(x->e[i].name, "polygon") && strcmp(x->e[i].name, "path") && strcmp(x->e[i].name, "rect"))
			continue;
		f = txml_attr(&x->e[i], "fill");
		if (f && f[0] == '#')
			return f;
	}
	return NULL;
}

/*
 * Every text of the drawing against what lies under it: a node's or a
 * cluster's own fill, else (edge labels, the graph label) the page and every
 * cluster fill it may cross. At least 4.5:1 (WCAG AA), unused stages included.
 */
static void check_contrast(const char *file, const char *theme, int layers)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load(file);
	const char *page = !strcmp(theme, "dark") ? "#0d1117" : "#ffffff";
	const char *clusters[8];
	size_t nclusters = 0, i, texts = 0, unused = 0;
	txml_doc x;
	size_t len;
	char *svg;

	o.theme = theme;
	o.layers = layers;
	o.detail = "stages";
	o.legend = 1;
	svg = render_ok(doc, &o, &len);
	parse_svg(&x, svg, len);
	for (i = 0; i < x.n; i++)
		if (!strcmp(x.e[i].name, "g") && txml_has_class(&x.e[i], "cluster") && nclusters < 8) {
			const char *f = shape_fill(&x, (long)i);
			if (f)
				clusters[nclusters++] = f;
		}
	for (i = 0; i < x.n; i++) {
		long g;
		const char *fg, *bg = NULL;
		if (strcmp(x.e[i].name, "text"))
			continue;
		fg = txml_attr(&x.e[i], "fill");
		assert_non_null(fg);
		for (g = x.e[i].parent; g >= 0; g = x.e[g].parent)
			if (!strcmp(x.e[g].name, "g") && (txml_has_class(&x.e[g], "node") ||
							  txml_has_class(&x.e[g], "cluster") ||
							  txml_has_class(&x.e[g], "edge") ||
							  txml_has_class(&x.e[g], "graph") ||
							  txml_has_class(&x.e[g], "atmo-legend")))
				break;
		assert_true(g >= 0);
		if (txml_has_class(&x.e[g], "node") || txml_has_class(&x.e[g], "cluster"))
			bg = shape_fill(&x, g);
		if (txml_has_class(&x.e[g], "atmo-cluster-title")) {
			/* a cluster's title node (atmo-title-KEY) sits on its cluster (atmo-node-KEY
			 * for a stage, atmo-image-KEY for an image) */
			const char *id = txml_attr(&x.e[g], "id");
			char want[300];
			long cl;
			assert_non_null(id);
			snprintf(want, sizeof(want), "atmo-node-%s", id + strlen("atmo-title-"));
			if ((cl = txml_by_id(&x, want)) < 0) {
				snprintf(want, sizeof(want), "atmo-image-%s", id + strlen("atmo-title-"));
				cl = txml_by_id(&x, want);
			}
			assert_true(cl >= 0);
			bg = shape_fill(&x, cl);
		}
		if (g >= 0 && txml_has_class(&x.e[g], "atmo-unused"))
			unused++;
		texts++;
		if (bg) {
			if (contrast(fg, bg) < 4.5)
				fail_msg("%s %s: text \"%s\" %s on %s: %.2f:1", file, theme, x.e[i].text, fg, bg,
					 contrast(fg, bg));
		} else {
			size_t k;
			if (contrast(fg, page) < 4.5)
				fail_msg("%s %s: text \"%s\" %s on the page %s: %.2f:1", file, theme, x.e[i].text, fg,
					 page, contrast(fg, page));
			for (k = 0; k < nclusters; k++)
				if (contrast(fg, clusters[k]) < 4.5)
					fail_msg("%s %s: text \"%s\" %s on a cluster %s: %.2f:1", file, theme,
						 x.e[i].text, fg, clusters[k], contrast(fg, clusters[k]));
		}
	}
	assert_true(texts > 10);
	assert_true(unused > 0); /* the documents have an unused stage, and the legend shows one */
	txml_free(&x);
	atmo_free(svg);
	json_decref(doc);
}

static void test_contrast(void **state)
{
	(void)state;
	check_contrast("render/service-bake.json", "light", 0);
	check_contrast("render/service-bake.json", "dark", 0);
	check_contrast("render/service-bake.json", "light", 1);
	check_contrast("render/service-bake.json", "dark", 1);
}

/* ---- sizes: IEC units shared with the CLI (util/size.c) ------------------------------ */

static void test_format_size(void **state)
{
	static const struct { unsigned long long v; const char *want; } cases[] = {
		{ 0, "0 B" }, { 1, "1 B" }, { 1023, "1023 B" }, { 1024, "1.0 KiB" }, { 1536, "1.5 KiB" },
		{ 1048524, "1023.9 KiB" }, { 1048575, "1.0 MiB" }, { 1048576, "1.0 MiB" },
		{ 612000000, "583.6 MiB" }, { 1073741824ULL, "1.0 GiB" }, { 1610612736ULL, "1.5 GiB" },
		{ 1099511627776ULL, "1.0 TiB" }, { 18446744073709551615ULL, "16.0 EiB" },
	};
	char buf[ATMO_SIZE_BUFLEN], small[4];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_ptr_equal(atmo__format_size(buf, sizeof(buf), cases[i].v), buf);
		assert_string_equal(buf, cases[i].want);
	}
	/* truncated, still terminated */
	atmo__format_size(small, sizeof(small), 1536);
	assert_string_equal(small, "1.5");
	assert_null(atmo__format_size(NULL, 8, 1));
}

/*
 * SVG boxes: stage nodes and clusters are <rect rx=6> (not Graphviz's rounded
 * path of Bezier points) with their colours; left-justified text starts
 * inside its box.
 */
static void test_svg_boxes(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/service-bake.json");
	size_t len, i, stages = 0, clusters = 0;
	txml_doc x;
	char *svg;

	(void)state;
	o.legend = 1;
	o.detail = "stages";
	svg = render_ok(doc, &o, &len);
	parse_svg(&x, svg, len);
	for (i = 0; i < x.n; i++) {
		long r, t;
		double rx0, rw;
		int is_stage = txml_has_class(&x.e[i], "atmo-stage"), is_cluster = txml_has_class(&x.e[i], "cluster");
		if (strcmp(x.e[i].name, "g") || !(is_stage || is_cluster))
			continue;
		r = txml_descendant(&x, (long)i, "rect");
		assert_true(r >= 0);
		assert_null(txml_attr(&x.e[r], "points"));
		assert_string_equal(txml_attr(&x.e[r], "rx"), "6");
		assert_non_null(txml_attr(&x.e[r], "fill"));
		assert_non_null(txml_attr(&x.e[r], "stroke"));
		rx0 = atof(txml_attr(&x.e[r], "x"));
		rw = atof(txml_attr(&x.e[r], "width"));
		assert_true(rw > 20);
		assert_true(atof(txml_attr(&x.e[r], "height")) > 10);
		if (txml_has_class(&x.e[i], "atmo-target") && !is_cluster)
			assert_string_equal(txml_attr(&x.e[r], "stroke-width"), "2");
		t = txml_descendant(&x, (long)i, "text");
		assert_true(t >= 0 || is_cluster); /* a cluster's title is a node of its own */
		if (t >= 0 && !strcmp(txml_attr(&x.e[t], "text-anchor"), "start"))
			assert_true(atof(txml_attr(&x.e[t], "x")) > rx0 && atof(txml_attr(&x.e[t], "x")) < rx0 + rw);
		stages += is_stage && !is_cluster;
		clusters += is_cluster;
	}
	assert_true(stages >= 4);     /* the document's stages */
	assert_int_equal(clusters, 3); /* three images (the legend is a row below) */
	/* other shapes stay Graphviz's: external images are dashed polygons */
	{
		long e = txml_descendant(&x, node_el(&x, "atmo-node-builder-image-debian-bookworm"), "polygon");
		assert_true(e >= 0);
		assert_non_null(txml_attr(&x.e[e], "stroke-dasharray"));
	}
	txml_free(&x);
	atmo_free(svg);
	json_decref(doc);
}

/* atmo_render_options_check: the one range check (the CLI and the Python module call it,
 * atmo_render calls it too): each bad value is ATMO_EINVALID naming the option */
static void test_options_check(void **state)
{
	static const atmo_render_options init = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/service-single.json");
	atmo_render_options o;
	atmo_error err;
	char *data = NULL;
	size_t len, i;
	static const struct {
		const char *rankdir, *theme;
		unsigned int max_label;
		double dpi;
		const char *named;
	} bad[] = {
		{ "RL", NULL, 0, 0, "rankdir \"RL\"" },
		{ "", NULL, 0, 0, "rankdir" },
		{ NULL, "blue", 0, 0, "theme \"blue\"" },
		{ NULL, NULL, 3, 0, "max_label_length 3 " },
		{ NULL, NULL, 1001, 0, "max_label_length 1001" },
		{ NULL, NULL, 0xffffffffu, 0, "max_label_length 4294967295" },
		{ NULL, NULL, 0, -1, "dpi -1 " },
		{ NULL, NULL, 0, 0.5, "dpi 0.5" },
		{ NULL, NULL, 0, 2401, "dpi 2401" },
	};

	(void)state;
	assert_int_equal(atmo_render_options_check(NULL, NULL), 0);
	assert_int_equal(atmo_render_options_check(&init, NULL), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = init;
		if (bad[i].rankdir)
			o.rankdir = bad[i].rankdir;
		if (bad[i].theme)
			o.theme = bad[i].theme;
		o.max_label_length = bad[i].max_label;
		o.dpi = bad[i].dpi;
		atmo_error_clear(&err);
		assert_int_equal(atmo_render_options_check(&o, &err), ATMO_EINVALID);
		assert_int_equal(err.code, ATMO_EINVALID);
		if (!strstr(err.text, bad[i].named))
			fail_msg("case %zu: \"%s\" does not name \"%s\"", i, err.text, bad[i].named);
		/* atmo_render refuses the same values with the same text, for every format */
		o.format = ATMO_FORMAT_TEXT;
		atmo_error_clear(&err);
		assert_int_equal(atmo_render(&data, &len, R, doc, &o, NULL, &err), ATMO_EINVALID);
		assert_null(data);
		assert_non_null(strstr(err.text, bad[i].named));
	}
	/* NaN is no dpi */
	o = init;
	o.dpi = __builtin_nan("");
	assert_int_equal(atmo_render_options_check(&o, NULL), ATMO_EINVALID);
	o = init;
	o.version = ATMO_RENDER_OPTIONS_VERSION + 1;
	atmo_error_clear(&err);
	assert_int_equal(atmo_render_options_check(&o, &err), ATMO_EINVALID);
	assert_non_null(strstr(err.text, "version"));
	o = init;
	o.format = (atmo_format)42;
	assert_int_equal(atmo_render_options_check(&o, NULL), ATMO_EINVALID);
	/* the bounds, NULL strings and 0 (the defaults) pass, and render */
	o = init;
	o.rankdir = NULL;
	o.theme = NULL;
	o.max_label_length = ATMO_RENDER_MIN_LABEL_LENGTH;
	o.dpi = ATMO_RENDER_MAX_DPI;
	assert_int_equal(atmo_render_options_check(&o, NULL), 0);
	o.max_label_length = ATMO_RENDER_MAX_LABEL_LENGTH;
	o.dpi = 1;
	o.rankdir = "TB";
	o.theme = "dark";
	assert_int_equal(atmo_render_options_check(&o, NULL), 0);
	o.max_label_length = 0;
	o.dpi = 0;
	o.format = ATMO_FORMAT_TEXT;
	assert_int_equal(atmo_render(&data, &len, R, doc, &o, NULL, NULL), 0);
	assert_true(len > 0);
	atmo_free(data);
	json_decref(doc);
}

/*
 * SVG text is written from Graphviz's label lines, in which Graphviz has
 * decoded HTML entities: "&#1;" became a control character, "&#65534;" a
 * character XML forbids, "&#xD800;" bytes that are no UTF-8. None of them may
 * reach the SVG (it would not parse); runs of spaces stay (&#160;), and a
 * decoded "<script>" is escaped like any other text.
 */
static int valid_xml_utf8(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint32_t r = 0;
		size_t n = atmo__utf8_next((const unsigned char *)s + i, len - i, &r);
		if (n == 0 || r == 0xfffe || r == 0xffff || (r < 0x20 && r != '\n' && r != '\t'))
			return 0;
		i += n;
	}
	return 1;
}

static void test_svg_entities(void **state)
{
	static const char *const desc[] = { "a&#1;b c&#xD800;d", "o&#65534;p", "e  f", "&#60;script&#62;x" };
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/service-single.json"), *n;
	size_t i, k = 0, len;
	txml_doc x;
	char *svg;

	(void)state;
	json_array_foreach(json_object_get(doc, "nodes"), i, n)
		if (!strcmp(json_string_value(json_object_get(n, "kind")), "stage") && k < 4)
			json_object_set_new(n, "description", json_string(desc[k++]));
	assert_int_equal(k, 4);
	svg = render_ok(doc, &o, &len);
	assert_true(valid_xml_utf8(svg, len));
	assert_false(ci_contains(svg, len, "<script"));
	parse_svg(&x, svg, len);
	assert_true(svg_has_text(&x, "a b c"));                /* the control character is a space */
	assert_true(svg_has_text(&x, "o\xef\xbf\xbdp"));      /* U+FFFE is U+FFFD */
	assert_true(svg_has_text(&x, "e \xc2\xa0" "f"));          /* the second space is kept */
	assert_true(svg_has_text(&x, "<script>x"));            /* decoded by Graphviz, escaped by us */
	txml_free(&x);
	atmo_free(svg);
	json_decref(doc);
}

/* SVG numbers: Graphviz's "%.2f" without trailing zeros, written without printf but equal to it. */
static void want_number(double v)
{
	char got[48], want[64];
	size_t n;

	n = atmo__svg_number(got, v, 0);
	snprintf(want, sizeof(want), "%.2f", v);
	assert_int_equal(n, strlen(got));
	if (strlen(want) > 47) {
		/* no drawing is that large: cut, not overrun */
		assert_int_equal(n, 47);
		assert_memory_equal(got, want, 47);
		return;
	}
	if (strcmp(got, want))
		fail_msg("%.17g: %s, printf %s", v, got, want);
	n = atmo__svg_number(got, v, 1);
	/* trimmed as Graphviz trims: trailing zeros, then the point */
	{
		size_t w = strlen(want);
		while (w > 0 && want[w - 1] == '0')
			want[--w] = '\0';
		if (w > 0 && want[w - 1] == '.')
			want[--w] = '\0';
	}
	assert_int_equal(n, strlen(got));
	if (strcmp(got, want))
		fail_msg("%.17g trimmed: %s, printf %s", v, got, want);
}

static void test_svg_numbers(void **state)
{
	static const double fixed[] = { 0, -0.0, 0.004, -0.004, 0.005, -0.005, 0.015, 0.125, 0.375, -0.125,
					-0.625, 2.675, 1.005, 1.015, 123.455, 99.995, -99.995, 0.1, -0.1, 10,
					-10.5, 1e6 + 0.125, 9999999.995, 9999999.994, 1e7, -1e7, 12345678.9,
					1e300, -1e300, 5e-324, -5e-324 };
	unsigned long long s = 0x9e3779b97f4a7c15ULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		want_number(fixed[i]);
	for (i = 0; i < 400000; i++) {
		double v;
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		/* coordinates (any double in a drawing's range), and exact cents and half-cents */
		v = (double)(long long)(s % 4000000000ULL) / 1000.0 - 2000000.0;
		want_number(v);
		want_number((double)(long long)(s % 2000001ULL) / 200.0 - 5000.0);
		want_number((double)(s >> 11) / (double)(1ULL << 53) * 2000.0 - 1000.0);
	}
}

/* atmo_render_text: the same bytes as atmo_render for the document's text; located JSON errors. */
static void test_render_text(void **state)
{
	static const char *const bad[] = { "", "{", "[1, 2]", "{\"schema\": \"atmograph.graph/1\",\n oops}",
					   "{\"schema\": \"a\", \"schema\": \"b\"}" };
	json_t *doc = load("render/service-single.json");
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	char *text = json_dumps(doc, JSON_SORT_KEYS), *a, *b = NULL;
	size_t alen, blen = 0, i;
	atmo_error err;
	(void)state;
	a = render_ok(doc, &o, &alen);
	atmo_error_clear(&err);
	assert_int_equal(atmo_render_text(&b, &blen, R, text, strlen(text), &o, NULL, &err), 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *out = (char *)"untouched";
		size_t n = 7;
		atmo_error_clear(&err);
		assert_int_equal(atmo_render_text(&out, &n, R, bad[i], strlen(bad[i]), &o, NULL, &err),
				 ATMO_EINVALID);
		assert_null(out);
		assert_int_equal(n, 0);
		if (i != 2) {   /* "[1, 2]" is JSON: the document check's error, by JSON path */
			assert_string_equal(err.source, "<graph>");
			assert_true(err.line >= 1);
		}
	}
	atmo_free(b);
	atmo_error_clear(&err);
	assert_int_equal(atmo_render_text(&b, &blen, R, bad[3], strlen(bad[3]), &o, NULL, &err), ATMO_EINVALID);
	assert_null(b);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.text, "not JSON"));
	atmo_free(a);
	atmo_free(b);
	atmo_free(text);
	json_decref(doc);
}

/* ---- issue 13: diagrams that read well in a browser ------------------------------------ */

/* A family: one base image and n images built FROM it through named contexts. */
static json_t *family_doc(size_t n)
{
	json_t *doc = json_pack("{s:s, s:[], s:[], s:[]}", "schema", "atmograph.graph/1", "images", "nodes",
				"edges");
	size_t i;
	char img[64], id[96];

	for (i = 0; i <= n; i++) {
		snprintf(img, sizeof(img), i ? "openstack-service-number-%zu" : "openstack-python-runtime", i);
		snprintf(id, sizeof(id), "%s/stage/%s", img, i ? "service" : "runtime");
		json_array_append_new(json_object_get(doc, "images"),
				      json_pack("{s:s, s:s, s:s}", "id", img, "label", img, "target", id));
		json_array_append_new(json_object_get(doc, "nodes"),
				      json_pack("{s:s, s:s, s:s, s:s, s:i, s:b}", "id", id, "kind", "stage", "image", img,
						"name", i ? "service" : "runtime", "line", 1, "target", 1));
		if (i)
			json_array_append_new(json_object_get(doc, "edges"),
					      json_pack("{s:s, s:s, s:s, s:s}", "from",
							"openstack-python-runtime/stage/runtime", "to", id, "kind", "base",
							"context", "runtime"));
	}
	/* the same external base in two images is one node of the overview */
	json_array_append_new(json_object_get(doc, "nodes"),
			      json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", "openstack-python-runtime/image/debian",
					"kind", "image", "image", "openstack-python-runtime", "name", "debian", "ref",
					"debian:bookworm"));
	json_array_append_new(json_object_get(doc, "nodes"),
			      json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", "openstack-service-number-1/image/debian",
					"kind", "image", "image", "openstack-service-number-1", "name", "debian", "ref",
					"debian:bookworm"));
	json_array_append_new(json_object_get(doc, "edges"),
			      json_pack("{s:s, s:s, s:s}", "from", "openstack-python-runtime/image/debian", "to",
					"openstack-python-runtime/stage/runtime", "kind", "base"));
	json_array_append_new(json_object_get(doc, "edges"),
			      json_pack("{s:s, s:s, s:s}", "from", "openstack-service-number-1/image/debian", "to",
					"openstack-service-number-1/stage/service", "kind", "copy"));
	return doc;
}

static void test_detail_overview(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = family_doc(12);
	txml_doc x;
	size_t len;
	char *svg;
	long e;

	(void)state;
	/* several images: the overview by default, one node per image, no stage */
	svg = render_ok(doc, &o, &len);
	parse_svg(&x, svg, len);
	assert_true(txml_has_class(&x.e[0], "atmo-overview"));
	assert_int_equal(txml_count(&x, "g", "atmo-image-node"), 13);
	assert_int_equal(txml_count(&x, "g", "atmo-stage"), 0);
	assert_int_equal(txml_count(&x, "g", "cluster"), 0);
	/* one edge per pair: 12 through the named context (tooltip), 2 from the external base */
	assert_int_equal(txml_count(&x, "g", "atmo-cross-image"), 14);
	e = node_el(&x, "atmo-edge-openstack-python-runtime-stage-runtime--openstack-service-number-3-stage-service");
	assert_non_null(strstr(title_of(&x, e), "(named context runtime)"));
	/* the external base used by two images is one node, with an edge to each */
	assert_int_equal(txml_count(&x, "g", "atmo-external"), 1);
	/* names are wrapped on their separators, whole */
	assert_true(svg_has_text(&x, "openstack-"));
	assert_true(svg_has_text(&x, "service-number-12"));
	/* the accessible name lists the images */
	assert_non_null(strstr(txml_attr(&x.e[0], "aria-label"),
			       "Image family of 13 images: openstack-python-runtime, openstack-service-number-1,"));
	txml_free(&x);
	atmo_free(svg);

	/* stages: a cluster per image, the stages inside */
	o.detail = "stages";
	svg = render_ok(doc, &o, &len);
	parse_svg(&x, svg, len);
	assert_false(txml_has_class(&x.e[0], "atmo-overview"));
	assert_int_equal(txml_count(&x, "g", "atmo-image-node"), 0);
	assert_int_equal(txml_count(&x, "g", "atmo-stage"), 13);
	assert_int_equal(txml_count(&x, "g", "cluster"), 13);
	txml_free(&x);
	atmo_free(svg);

	/* forty images with their stages: every cluster's title node made while the ids grow
	 * (a title once kept a pointer into them across a move) */
	json_decref(doc);
	doc = family_doc(40);
	svg = render_ok(doc, &o, &len);
	parse_svg(&x, svg, len);
	assert_int_equal(txml_count(&x, "g", "cluster"), 41);
	assert_int_equal(txml_count(&x, "g", "atmo-cluster-title"), 41);
	assert_non_null(strstr(title_of(&x, node_el(&x, "atmo-title-openstack-service-number-40")),
			       "image openstack-service-number-40"));
	txml_free(&x);
	atmo_free(svg);

	/* one image: auto is the stages; overview asked for is one node */
	json_decref(doc);
	doc = load("render/service-single.json");
	o.detail = NULL;
	svg = render_ok(doc, &o, &len);
	parse_svg(&x, svg, len);
	assert_false(txml_has_class(&x.e[0], "atmo-overview"));
	assert_true(txml_count(&x, "g", "atmo-stage") >= 4);
	txml_free(&x);
	atmo_free(svg);
	json_decref(doc);
}

static void test_detail_invalid(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/service-single.json");
	atmo_error err;
	char *data = NULL;
	size_t len;

	(void)state;
	atmo_error_clear(&err);
	o.detail = "layers";
	assert_int_equal(atmo_render_options_check(&o, &err), ATMO_EINVALID);
	assert_string_equal(err.text, "detail \"layers\" is not overview, stages or auto");
	assert_int_equal(atmo_render(&data, &len, R, doc, &o, NULL, &err), ATMO_EINVALID);
	assert_null(data);
	o.detail = "auto";
	o.rankdir = "auto";
	assert_int_equal(atmo_render_options_check(&o, NULL), 0);
	o.rankdir = "BT";
	atmo_error_clear(&err);
	assert_int_equal(atmo_render_options_check(&o, &err), ATMO_EINVALID);
	assert_string_equal(err.text, "rankdir \"BT\" is not LR, TB or auto");
	json_decref(doc);
}

/* The direction: the user's, else the one that reads larger in a 700 px column. */
static void test_auto_direction(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *chain = chain_doc(10), *fan = family_doc(14), *small = chain_doc(2);
	size_t len;
	char *out;

	(void)state;
	o.format = ATMO_FORMAT_DOT;
	/* a chain of ten long names is too wide left to right: top to bottom */
	out = render_ok(chain, &o, &len);
	assert_non_null(strstr(out, "rankdir=TB"));
	atmo_free(out);
	/* fifteen images on one base are too wide side by side: left to right */
	o.detail = "overview";
	out = render_ok(fan, &o, &len);
	assert_non_null(strstr(out, "rankdir=LR"));
	atmo_free(out);
	/* what fits either way stays left to right */
	out = render_ok(small, &o, &len);
	assert_non_null(strstr(out, "rankdir=LR"));
	atmo_free(out);
	/* the user's direction wins */
	o.rankdir = "LR";
	out = render_ok(chain, &o, &len);
	assert_non_null(strstr(out, "rankdir=LR"));
	atmo_free(out);
	json_decref(chain);
	json_decref(fan);
	json_decref(small);
}

/* Names: whole up to 64 code points; longer ones keep head and tail; titles whole. */
static void test_long_names(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = chain_doc(2), *n;
	const char *name = "a-very-long-stage-name-that-goes-on-and-on-past-sixty-four-characters-tail";
	txml_doc x;
	size_t len;
	char *svg;

	(void)state;
	n = json_array_get(json_object_get(doc, "nodes"), 1);
	json_object_set_new(n, "name", json_string(name));
	svg = render_ok(doc, &o, &len);
	parse_svg(&x, svg, len);
	/* the chain's own names (33 characters) are whole */
	assert_true(svg_has_text(&x, "stage-with-a-longer-name-0"));
	/* 74 characters: 32 of the head, an ellipsis, 31 of the tail */
	assert_true(svg_has_text(&x, "a-very-long-stage-name-that-goes\xe2\x80\xa6past-sixty-four-characters-tail"));
	assert_non_null(strstr(title_of(&x, node_el(&x, "atmo-node-d-stage-stage-with-a-longer-name-1")), name));
	txml_free(&x);
	atmo_free(svg);
	json_decref(doc);
}

/* Instruction text wraps onto lines of at most 36 code points, nothing cut. */
static void test_wrapped_instructions(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/service-single.json"), *n, *in;
	size_t len, i;
	txml_doc x;
	char *svg;

	(void)state;
	n = json_array_get(json_object_get(doc, "nodes"), 1);
	in = json_array_get(json_object_get(n, "instructions"), 1);
	assert_non_null(in);
	json_object_set_new(in, "text", json_string("RUN apt-get update && apt-get install -y --no-install-recommends "
						     "build-essential python3-dev libffi-dev"));
	o.layers = 1;
	svg = render_ok(doc, &o, &len);
	parse_svg(&x, svg, len);
	assert_true(svg_has_text(&x, "RUN apt-get update && apt-get"));
	assert_true(svg_has_text(&x, "install -y --no-install-recommends"));
	assert_true(svg_has_text(&x, "build-essential python3-dev"));
	assert_true(svg_has_text(&x, "libffi-dev"));
	for (i = 0; i < x.n; i++)
		if (!strcmp(x.e[i].name, "text") && x.e[i].text && strstr(x.e[i].text, "apt-get"))
			assert_true(atmo__text_chars(x.e[i].text, strlen(x.e[i].text)) <= 36);
	txml_free(&x);
	atmo_free(svg);
	json_decref(doc);
}

/* Text is sized with DejaVu Sans's advance widths, which the SVG names. */
static void test_font_metrics(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/service-single.json");
	txml_doc x;
	size_t len, i, checked = 0;
	char *svg;

	(void)state;
	/* hmtx: H 1540, i 569 units of 2048 */
	assert_true(fabs(atmo__text_width("Hi", 2, 11.0) - (1540 + 569) * 11.0 / 2048) < 1e-9);
	/* a wide script from the fallback font: an em */
	assert_true(fabs(atmo__text_width("\xe6\x97\xa5", 3, 10.0) - 10.0) < 1e-9);
	assert_int_equal(atmo__text_chars("a\xc3\xa9z", 4), 3);
	svg = render_ok(doc, &o, &len);
	parse_svg(&x, svg, len);
	assert_non_null(strstr(svg, "font-family=\"'DejaVu Sans',"));
	assert_non_null(strstr(svg, "font-kerning:none"));
	/* every stage's text fits its box by its measured width */
	for (i = 0; i < x.n; i++) {
		long r, t;
		double x0, w;
		if (strcmp(x.e[i].name, "g") || !txml_has_class(&x.e[i], "atmo-stage"))
			continue;
		r = txml_descendant(&x, (long)i, "rect");
		assert_true(r >= 0);
		x0 = atof(txml_attr(&x.e[r], "x"));
		w = atof(txml_attr(&x.e[r], "width"));
		for (t = (long)i + 1; t < (long)x.n && x.e[t].parent >= (long)i; t++) {
			const char *s = x.e[t].text;
			if (strcmp(x.e[t].name, "text") || !s)
				continue;
			assert_true(atof(txml_attr(&x.e[t], "x")) + atmo__text_width(s, strlen(s), 11.0) <= x0 + w);
			checked++;
		}
	}
	assert_true(checked > 8);
	txml_free(&x);
	atmo_free(svg);
	json_decref(doc);
}

/* Colours by CSS variables at view time; links without underline; the legible width. */
static void test_theme_and_links(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/service-single.json");
	txml_doc x;
	size_t len;
	char *svg;
	long r;

	(void)state;
	o.link_base = "";
	svg = render_ok(doc, &o, &len);
	parse_svg(&x, svg, len);
	assert_non_null(strstr(svg, "--atmo-stage-fill:#ffffff;"));
	assert_non_null(strstr(svg, "@media (prefers-color-scheme:dark){.atmo-graph{--atmo-bg:#0d1117;"));
	assert_non_null(strstr(svg, "[data-theme=dark] .atmo-graph,.dark .atmo-graph"));
	assert_non_null(strstr(svg, ".atmo-graph .atmo-f-stage-fill{fill:var(--atmo-stage-fill)}"));
	assert_non_null(strstr(svg, ".atmo-graph a{text-decoration:none}"));
	/* shapes name their palette slot; the attribute stays for viewers without CSS */
	r = txml_descendant(&x, node_el(&x, "atmo-node-dockerfile-stage-builder"), "rect");
	assert_true(r >= 0);
	assert_true(txml_has_class(&x.e[r], "atmo-f-build-fill"));
	assert_string_equal(txml_attr(&x.e[r], "fill"), "#fff8c5");
	/* the narrowest legible width: 9 px for the smallest (11 pt) text */
	{
		const char *mw = txml_attr(&x.e[0], "data-min-width");
		double vw = 0;
		assert_non_null(mw);
		assert_int_equal(sscanf(strstr(svg, "viewBox=\"") + 9, "%*f %*f %lf", &vw), 1);
		assert_true(fabs(atof(mw) - vw * 9.0 / 11.0) <= 1.0);
	}
	txml_free(&x);
	atmo_free(svg);
	/* dark: the dark palette only, always */
	o.theme = "dark";
	svg = render_ok(doc, &o, &len);
	assert_non_null(strstr(svg, "svg.atmo-graph.atmo-theme-dark{--atmo-bg:#0d1117;"));
	assert_null(strstr(svg, "prefers-color-scheme"));
	atmo_free(svg);
	json_decref(doc);
}

/* The accessible name: the image and its stages in order, by name; unnamed: "stage N". */
/* The root <svg> for an HTML page (what the Sphinx extension inlines). */
static void test_svg_inline(void **state)
{
	static const char svg[] = "<?xml version=\"1.0\"?>\n<svg width=\"9pt\" viewBox=\"0.00 0.00 123.456 70.00\" "
				  "data-min-width=\"300\" aria-label=\"old\"><g/></svg>\n";
	char *out = NULL;
	size_t len = 0;
	atmo_error err;

	(void)state;
	atmo_error_clear(&err);
	assert_int_equal(atmo_render_svg_inline(&out, &len, svg, strlen(svg), "a<b & 'c'", &err), 0);
	assert_string_equal(out, "<svg style=\"width: 123.46pt; max-width: 100%; min-width: 300px; height: auto\""
			    " role=\"img\" width=\"9pt\" viewBox=\"0.00 0.00 123.456 70.00\" data-min-width=\"300\""
			    " aria-label=\"a&lt;b &amp; &#x27;c&#x27;\"><g/></svg>\n");
	assert_int_equal(len, strlen(out));
	atmo_free(out);
	/* a style, a role and no viewBox are kept as they are */
	{
		const char *r = "<svg style=\"x\" role=\"figure\">";
		assert_int_equal(atmo_render_svg_inline(&out, NULL, r, strlen(r), "L", &err), 0);
	}
	assert_string_equal(out, "<svg aria-label=\"L\" style=\"x\" role=\"figure\">");
	atmo_free(out);
	/* no root element: an error, no output */
	assert_int_equal(atmo_render_svg_inline(&out, &len, "<html>", 6, "L", &err), ATMO_EINVALID);
	assert_null(out);
	assert_string_equal(err.text, "the renderer returned no <svg> element");
	atmo_error_clear(&err);
	assert_int_equal(atmo_render_svg_inline(&out, &len, "<svg", 4, "L", &err), ATMO_EINVALID);
	assert_null(out);
}

/* The Graphviz identity for cache keys starts with the compiled-against version. */
static void test_graphviz_identity(void **state)
{
	char *id = NULL;
	const char *v = atmo_render_graphviz_build_version();

	(void)state;
	assert_int_equal(atmo_render_graphviz_identity(&id, NULL), 0);
	assert_non_null(id);
	assert_int_equal(strncmp(id, v, strlen(v)), 0);
	assert_int_equal(id[strlen(v)], ' ');
	assert_true(strlen(id) > strlen(v) + 1);
	atmo_free(id);
	assert_int_equal(atmo_render_graphviz_identity(NULL, NULL), ATMO_EINVALID);
}

static void test_describe(void **state)
{
	json_t *doc = load("render/service-single.json"), *n;
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	atmo_error err;
	char *text = NULL, *svg;
	size_t len;

	(void)state;
	n = json_array_get(json_object_get(doc, "nodes"), 1);   /* builder, index 0 */
	json_object_set_new(n, "name", json_string("0"));
	assert_int_equal(atmo_render_describe(&text, doc, NULL, NULL), 0);
	assert_string_equal(text, "Stage graph of service: stages stage 0, runtime, service (target), debug");
	atmo_free(text);
	/* a Dockerfile drawn alone under the default label is named by its path */
	json_object_set_new(json_array_get(json_object_get(doc, "images"), 0), "label", json_string("dockerfile"));
	assert_int_equal(atmo_render_describe(&text, doc, NULL, NULL), 0);
	assert_string_equal(text, "Stage graph of images/service/Dockerfile: stages stage 0, runtime, "
				  "service (target), debug");
	svg = render_ok(doc, &o, &len);
	assert_non_null(strstr(svg, "aria-label=\"Stage graph of"));
	assert_non_null(strstr(svg, "stages stage 0, runtime, service (target), debug"));
	/* the node reads the same */
	assert_non_null(strstr(svg, ">stage 0</text>"));
	atmo_free(svg);
	atmo_free(text);
	atmo_error_clear(&err);
	o.detail = "all";
	assert_int_equal(atmo_render_describe(&text, doc, &o, &err), ATMO_EINVALID);
	assert_null(text);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svg_single),
		cmocka_unit_test(test_svg_multi_image),
		cmocka_unit_test(test_svg_layers_and_legend),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_png_pdf),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_dot_and_json),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_onbuild_inherited),
		cmocka_unit_test(test_onbuild_inherited_hostile),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_invalid_options),
		cmocka_unit_test(test_png_too_large),
		cmocka_unit_test(test_graphviz_messages),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_contrast),
		cmocka_unit_test(test_svg_boxes),
		cmocka_unit_test(test_format_size),
		cmocka_unit_test(test_options_check),
		cmocka_unit_test(test_svg_entities),
		cmocka_unit_test(test_svg_numbers),
		cmocka_unit_test(test_render_text),
		cmocka_unit_test(test_detail_overview),
		cmocka_unit_test(test_detail_invalid),
		cmocka_unit_test(test_auto_direction),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_wrapped_instructions),
		cmocka_unit_test(test_font_metrics),
		cmocka_unit_test(test_theme_and_links),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_svg_inline),
		cmocka_unit_test(test_graphviz_identity),
		cmocka_unit_test(test_options_version_1),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
