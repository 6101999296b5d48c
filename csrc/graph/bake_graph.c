/*
 * The multi-image graph document of a bake: one image cluster per target,
 * each from atmo_graph_build() on its Dockerfile with its args, target and
 * contexts; a context that names another target ("target:x") becomes an edge
 * from that target's target stage, marked with the context's name.
 */
#include <stdlib.h>
#include <string.h>
#include "atmograph/bake.h"
#include "atmograph/dockerfile.h"
#include "atmograph/graph.h"
#include "graph/bake_int.h"
#include "util/error.h"
#include "util/alloc.h"

/* one selected target's parsed Dockerfile and graph, kept while later targets link to it */
typedef struct {
	atmo_dockerfile *df;
	atmo_graph *g;
} target_graph;

int atmo_bake_target_graph(atmo_graph **out, atmo_dockerfile **df, const atmo_bake_target *t,
			   const char *text, size_t len, const atmo_graph *const *built,
			   atmo_error *err)
{
	atmo_graph_options go = ATMO_GRAPH_OPTIONS_INIT;
	atmo_graph_link *links = NULL;
	char *owned = NULL;
	const char *source = t && t->dockerfile_inline ? t->name : t ? t->dockerfile_path : NULL;
	size_t k, nl = 0;
	int rc;

	atmo_error_clear(err);
	if (out)
		*out = NULL;
	if (df)
		*df = NULL;
	if (!out || !df || !t)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_bake_target_graph: out, df and t must not be NULL");
	if (!text) {
		if ((rc = atmo_bake_target_dockerfile(&owned, &len, &source, t, err)) < 0)
			return rc;
		text = owned;
	}
	/* the "target:x" contexts whose target is built already */
	links = atmo__calloc(t->n_links + 1, sizeof(*links), NULL);
	if (!links) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	for (k = 0; built && k < t->n_links; k++)
		if (built[t->links[k]]) {
			links[nl].context = t->link_names[k];
			links[nl].graph = built[t->links[k]];
			nl++;
		}
	if ((rc = atmo_dockerfile_parse(df, text, len, source, err)) < 0)
		goto done;
	go.target = t->target;
	go.build_args = t->args;
	go.n_build_args = t->n_args;
	go.build_contexts = t->contexts;
	go.n_build_contexts = t->n_contexts;
	go.image_id = t->name;
	go.source = source;
	go.links = links;
	go.n_links = nl;
	if ((rc = atmo_graph_build(out, *df, &go, err)) < 0) {
		atmo_dockerfile_free(*df);
		*df = NULL;
	}
done:
	atmo__free(links);
	atmo__free(owned);
	return rc;
}

static int append_all(json_t *dst, json_t *src)
{
	return src && json_is_array(src) ? json_array_extend(dst, src) : 0;
}

int atmo_bake_graph(json_t **out, const atmo_bake *b, const char *const *names, size_t n_names,
		    atmo_error *err)
{
	size_t *order = NULL, n = 0, i, k;
	json_t *doc = NULL, *images, *nodes, *edges, *unused, *warnings;
	json_t **docs = NULL;
	target_graph *tgs = NULL;
	const atmo_graph **built = NULL; /* per bake target index: its graph once built */
	int rc;

	atmo_error_clear(err);
	*out = NULL;
	if ((rc = atmo_bake_select(&order, &n, b, names, n_names, err)) < 0)
		return rc;
	docs = atmo__calloc(n + 1, sizeof(*docs), NULL);
	tgs = atmo__calloc(n + 1, sizeof(*tgs), NULL);
	built = atmo__calloc(b->n_targets + 1, sizeof(*built), NULL);
	doc = json_object();
	images = json_array();
	nodes = json_array();
	edges = json_array();
	unused = json_array();
	warnings = json_array();
	/* the arrays are filled after they are put in doc: our own references keep them */
	if (!docs || !tgs || !built || !doc || !images || !nodes || !edges || !unused ||
	    !warnings || json_object_set_new(doc, "schema", json_string("atmograph.graph/1")) < 0 ||
	    json_object_set(doc, "images", images) < 0 ||
	    json_object_set(doc, "nodes", nodes) < 0 || json_object_set(doc, "edges", edges) < 0) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	for (i = 0; i < n; i++) {
		const atmo_bake_target *t = &b->targets[order[i]];
		if ((rc = atmo_bake_target_graph(&tgs[i].g, &tgs[i].df, t, NULL, 0, built, err)) <
			    0 ||
		    (rc = atmo_graph_to_json(&docs[i], tgs[i].g, err)) < 0)
			goto done;
		built[order[i]] = tgs[i].g;
	}
	for (i = 0; i < n; i++) {
		const atmo_bake_target *t = &b->targets[order[i]];
		json_t *d = docs[i], *node, *edge;
		size_t j;
		char ctx_id[600];

		if (append_all(images, json_object_get(d, "images")) < 0 ||
		    append_all(unused, json_object_get(d, "unused")) < 0 ||
		    append_all(warnings, json_object_get(d, "warnings")) < 0) {
			rc = atmo__error_nomem(err);
			goto done;
		}
		/* contexts that name other targets: drop the context node, re-point its edges */
		json_array_foreach(json_object_get(d, "nodes"), j, node) {
			const char *kind = json_string_value(json_object_get(node, "kind"));
			int linked = 0;
			for (k = 0; kind && !strcmp(kind, "context") && k < t->n_links; k++) {
				const char *cname =
					json_string_value(json_object_get(node, "name"));
				if (cname && !strcmp(cname, t->link_names[k]))
					linked = 1;
			}
			if (!linked && json_array_append(nodes, node) < 0) {
				rc = atmo__error_nomem(err);
				goto done;
			}
		}
		json_array_foreach(json_object_get(d, "edges"), j, edge) {
			const char *from = json_string_value(json_object_get(edge, "from"));
			json_t *e = json_deep_copy(edge);
			int bad = 0;
			if (!e) {
				rc = atmo__error_nomem(err);
				goto done;
			}
			for (k = 0; from && k < t->n_links; k++) {
				const atmo_bake_target *dep = &b->targets[t->links[k]];
				size_t di;
				snprintf(ctx_id, sizeof(ctx_id), "%s/context/%s", t->name,
					 t->link_names[k]);
				if (strcmp(from, ctx_id))
					continue;
				for (di = 0; di < n; di++) {
					if (order[di] == t->links[k]) {
						json_t *tg = json_object_get(docs[di], "target");
						if (tg && json_object_set(e, "from", tg) < 0)
							bad = 1;
					}
				}
				bad |= json_object_set_new(e, "context",
							   json_string(t->link_names[k])) < 0;
				(void)dep;
			}
			if (bad) {
				json_decref(e);
				rc = atmo__error_nomem(err);
				goto done;
			}
			if (json_array_append_new(edges, e) < 0) {
				rc = atmo__error_nomem(err);
				goto done;
			}
		}
	}
	/* the document's target: the last requested image (dependents come last) */
	if ((n && json_object_get(docs[n - 1], "target") &&
	     json_object_set(doc, "target", json_object_get(docs[n - 1], "target")) < 0) ||
	    json_object_set(doc, "unused", unused) < 0 ||
	    json_object_set(doc, "warnings", warnings) < 0) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	*out = doc;
	doc = NULL;
done:
	if (docs)
		for (i = 0; i < n; i++)
			json_decref(docs[i]);
	atmo__free(docs);
	if (tgs)
		for (i = 0; i < n; i++) {
			atmo_graph_free(tgs[i].g);
			atmo_dockerfile_free(tgs[i].df);
		}
	atmo__free(tgs);
	atmo__free(built);
	atmo__free(order);
	json_decref(images);
	json_decref(nodes);
	json_decref(edges);
	json_decref(unused);
	json_decref(warnings);
	json_decref(doc);
	return rc;
}
