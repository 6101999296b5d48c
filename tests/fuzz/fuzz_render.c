/*
 * libFuzzer entry point for the render module: any bytes that parse as JSON
 * are validated as a graph document and, when valid, rendered as text, DOT,
 * JSON and (for small graphs) SVG, whose writer (svgout.c) must keep it well-formed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "atmograph/alloc.h"
#include "atmograph/render.h"

static atmo_renderer *renderer;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const atmo_format formats[] = { ATMO_FORMAT_TEXT, ATMO_FORMAT_DOT, ATMO_FORMAT_JSON,
					       ATMO_FORMAT_SVG };
	json_t *doc, *nodes;
	size_t k;

	if (!renderer && atmo_renderer_new(&renderer, NULL) != 0)
		abort();
	doc = json_loadb((const char *)data, size, 0, NULL);
	if (!doc)
		return 0;
	nodes = json_object_get(doc, "nodes");
	for (k = 0; k < sizeof(formats) / sizeof(formats[0]); k++) {
		atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
		atmo_error err;
		char *out = NULL;
		size_t len = 0;
		json_t *w = NULL;
		int rc;

		/* layout is slow on big graphs: keep SVG to small ones */
		if (formats[k] == ATMO_FORMAT_SVG && json_array_size(nodes) > 40)
			continue;
		o.format = formats[k];
		o.layers = (int)(size & 1);
		o.legend = (int)((size >> 1) & 1);
		o.link_base = "https://example.org/page.html";
		atmo_error_clear(&err);
		rc = atmo_render(&out, &len, renderer, doc, &o, &w, &err);
		if (rc == 0) {
			if (!out || strlen(out) != len)
				abort();
			if (formats[k] == ATMO_FORMAT_SVG && (strstr(out, "<script") || !strstr(out, "</svg>")))
				abort();
		} else if (rc != ATMO_EINVALID && rc != ATMO_ERROR) {
			abort();
		} else if (out || err.text[0] == '\0') {
			abort();
		}
		atmo_free(out);
		json_decref(w);
		if (rc == ATMO_EINVALID)
			break;
	}
	json_decref(doc);
	return 0;
}
