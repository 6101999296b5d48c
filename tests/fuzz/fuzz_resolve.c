/* libFuzzer: parse + resolve + graph document, with and without options. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "atmograph/dockerfile.h"
#include "atmograph/graph.h"

static void resolve(const atmo_dockerfile *df, const atmo_graph_options *go)
{
	atmo_graph *g = NULL;
	atmo_error err;
	json_t *doc = NULL;
	size_t i, n;
	atmo_error_clear(&err);
	if (atmo_graph_build(&g, df, go, &err) < 0) {
		if (!err.text[0])
			abort(); /* every error carries a message */
		return;
	}
	if (atmo_graph_to_json(&doc, g, &err) < 0)
		abort();
	json_decref(doc);
	if (atmo_graph_stages_to_json(&doc, g, &err) < 0)
		abort();
	json_decref(doc);
	/* invariants: edges point at existing nodes, the order holds used stages */
	for (i = 0; i < atmo_graph_edge_count(g); i++) {
		const atmo_graph_edge *e = atmo_graph_edge_at(g, i);
		if (e->from >= atmo_graph_node_count(g) || e->to >= atmo_graph_stage_count(g))
			abort();
	}
	atmo_graph_order(g, &n);
	if (n > atmo_graph_stage_count(g) || !atmo_graph_stage_at(g, atmo_graph_target(g))->used)
		abort();
	atmo_graph_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	atmo_dockerfile *df = NULL;
	atmo_error err;
	static const char *args[] = { "BASE=alpine", "TAG=3", "X=" };
	static const char *ctxs[] = { "base=docker-image://alpine", "tools=./tools" };
	atmo_graph_options go = ATMO_GRAPH_OPTIONS_INIT;
	atmo_error_clear(&err);
	if (atmo_dockerfile_parse(&df, (const char *)data, size, "fuzz", &err) < 0)
		return 0;
	resolve(df, NULL);
	go.build_args = args;
	go.n_build_args = 3;
	go.build_contexts = ctxs;
	go.n_build_contexts = 2;
	go.target = "build";
	resolve(df, &go);
	atmo_dockerfile_free(df);
	return 0;
}
