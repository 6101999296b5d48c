/*
 * Sizes module: measured sizes onto a graph document, from a sizes document
 * (atmo_sizes_annotate) or a build report (atmo_sizes_annotate_report): stage
 * nodes get the size of their image, images their size, and the document what
 * the build stages kept out of the final images.
 */
#include <stdlib.h>
#include <string.h>
#include "atmograph/sizes.h"
#include "graph/graph_doc.h"
#include "util/alloc.h"
#include "util/error.h"

/* ---- sizes onto a graph document ------------------------------------------------- */

static int cmp_json_string(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
		      json_string_value(*(json_t *const *)b));
}

/* {"bytes": <integer or null>, ...}: the integer or -1 */
static json_int_t opt_integer(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_integer(v) && json_integer_value(v) >= 0 ? json_integer_value(v) : -1;
}

int atmo_sizes_annotate(json_t *graph_doc, const json_t *sizes_doc, atmo_error *err)
{
	const char *schema;
	atmo_graph_doc gd;
	json_t *stages, *st, *kept, *sorted = NULL;
	json_t **targets = NULL, **items = NULL;
	size_t i, n;
	long ni;
	int rc = 0;

	atmo_error_clear(err);
	if ((rc = atmo_graph__doc_load_arg(&gd, graph_doc, "graph", err)) < 0) {
		atmo_graph__doc_free(&gd);
		return rc;
	}
	schema = json_string_value(json_object_get(sizes_doc, "schema"));
	stages = json_object_get(sizes_doc, "stages");
	kept = json_object_get(sizes_doc, "kept_out");
	if (!json_is_object(sizes_doc) || !schema || strcmp(schema, "atmograph.sizes/1"))
		rc = atmo__error_set(err, ATMO_EINVALID, "sizes", 0, 0,
				     "not a sizes document (schema atmograph.sizes/1)");
	else if (!json_is_array(stages))
		rc = atmo__error_set(err, ATMO_EINVALID, "sizes", 0, 0,
				     "sizes.stages: expected an array");
	else if (kept && !json_is_object(kept) && !json_is_null(kept))
		rc = atmo__error_set(err, ATMO_EINVALID, "sizes", 0, 0,
				     "sizes.kept_out: expected an object");
	if (rc < 0)
		goto done;

	/* check everything first: on error the graph document is left as it was */
	n = json_array_size(stages);
	targets = atmo__calloc(n + 1, sizeof(*targets), NULL);
	if (!targets) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	json_array_foreach(stages, i, st) {
		const char *node = json_string_value(json_object_get(st, "node"));
		if (!json_is_object(st) || !node) {
			rc = atmo__error_set(
				err, ATMO_EINVALID, "sizes", 0, 0,
				"sizes.stages[%zu]: expected an object with a \"node\"", i);
			goto done;
		}
		if (json_object_get(st, "size") && !json_is_object(json_object_get(st, "size"))) {
			rc = atmo__error_set(err, ATMO_EINVALID, "sizes", 0, 0,
					     "sizes.stages[%zu].size: expected an object", i);
			goto done;
		}
		ni = atmo_graph__doc_find(&gd, node);
		targets[i] = ni >= 0 ? gd.nodes[ni].json : NULL;
		if (!targets[i]) {
			rc = atmo__error_set(
				err, ATMO_ENOTFOUND, "sizes", 0, 0,
				"sizes.stages[%zu]: node '%s' is not in the graph document "
				"(sizes of another Dockerfile, target or image id?)",
				i, node);
			goto done;
		}
	}

	/* the same fields as atmo_sizes_annotate_report() writes */
	json_array_foreach(stages, i, st) {
		json_t *size = json_object_get(st, "size"), *out = json_object();
		json_int_t v;
		if (!out) {
			rc = atmo__error_nomem(err);
			goto done;
		}
		/* each write checked: out of memory is ATMO_ENOMEM, never a figure
		   missing from a document said to be annotated */
		if (((v = opt_integer(size, "bytes")) >= 0 &&
		     json_object_set_new(out, "bytes", json_integer(v)) < 0) ||
		    ((v = opt_integer(st, "own_bytes")) >= 0 &&
		     json_object_set_new(out, "own_bytes", json_integer(v)) < 0) ||
		    ((v = opt_integer(st, "packages")) >= 0 &&
		     json_object_set_new(out, "packages", json_integer(v)) < 0)) {
			json_decref(out);
			rc = atmo__error_nomem(err);
			goto done;
		}
		if (json_object_set_new(targets[i], "size", out) < 0) {
			rc = atmo__error_nomem(err);
			goto done;
		}
		if (json_is_true(json_object_get(st, "target"))) {
			/* the target stage's image is the image's size */
			const char *image = json_string_value(json_object_get(targets[i], "image"));
			long im = image ? atmo_graph__doc_find_image(&gd, image) : -1;
			json_t *img = im >= 0 ? gd.images[im].json : NULL;
			json_t *isz = img ? json_object() : NULL;
			if (img &&
			    (!isz ||
			     ((v = opt_integer(size, "bytes")) >= 0 &&
			      json_object_set_new(isz, "bytes", json_integer(v)) < 0) ||
			     ((v = opt_integer(size, "compressed")) >= 0 &&
			      json_object_set_new(isz, "compressed", json_integer(v)) < 0))) {
				json_decref(isz);
				rc = atmo__error_nomem(err);
				goto done;
			}
			if (img && json_object_set_new(img, "size", isz) < 0) {
				rc = atmo__error_nomem(err);
				goto done;
			}
		}
	}
	/* kept out: only when a build-only stage was measured (else there is nothing to say) */
	if (json_is_object(kept) && json_array_size(json_object_get(kept, "stages")) > 0 &&
	    opt_integer(kept, "bytes") >= 0) {
		json_t *pk = json_object_get(kept, "packages"), *p;
		size_t k = 0;
		items = atmo__calloc(json_array_size(pk) + 1, sizeof(*items), NULL);
		sorted = json_array();
		if (!items || !sorted) {
			rc = atmo__error_nomem(err);
			goto done;
		}
		json_array_foreach(pk, i, p)
			if (json_is_string(p))
				items[k++] = p;
		if (k)
			qsort(items, k, sizeof(*items), cmp_json_string);
		for (i = 0; i < k; i++)
			if ((i == 0 || !json_equal(items[i], items[i - 1])) &&
			    json_array_append(sorted, items[i]) < 0) {
				rc = atmo__error_nomem(err);
				goto done;
			}
		if (json_object_set_new(graph_doc, "kept_out",
					json_pack("{s:I,s:O}", "bytes", opt_integer(kept, "bytes"),
						  "packages", sorted)) < 0) {
			rc = atmo__error_nomem(err);
			goto done;
		}
	}
done:
	json_decref(sorted);
	atmo__free(items);
	atmo__free(targets);
	atmo_graph__doc_free(&gd);
	return rc;
}

/* ---- a build report onto a graph document ------------------------------------------ */

int atmo_sizes_annotate_report(json_t *graph, const json_t *report, atmo_error *err)
{
	const char *schema;
	atmo_graph_doc gd;
	json_t *targets, *kept_pk = NULL;
	size_t i, j;
	json_int_t kept_bytes = 0;
	int any_kept = 0, rc;

	atmo_error_clear(err);
	schema = json_string_value(json_object_get(report, "schema"));
	if (!json_is_object(report) || !schema || strcmp(schema, "atmograph.build-report/1"))
		return atmo__error_set(err, ATMO_EINVALID, "report", 0, 0,
				       "not a build report (schema atmograph.build-report/1)");
	targets = json_object_get(report, "targets");
	if (!json_is_object(targets))
		return atmo__error_set(err, ATMO_EINVALID, "report", 0, 0,
				       "report.targets: expected an object");
	if ((rc = atmo_graph__doc_load_arg(&gd, graph, "graph", err)) < 0)
		goto done;
	kept_pk = json_array();
	if (!kept_pk) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	for (i = 0; i < gd.nimages; i++) {
		json_t *img = gd.images[i].json;
		json_t *t = json_object_get(targets, gd.images[i].id);
		json_t *size = json_object_get(t, "size"), *kept = json_object_get(t, "kept_out");
		json_t *p;
		/* each write checked: out of memory is ATMO_ENOMEM, never a figure
		   missing from a document said to be annotated */
		if (json_is_object(size) &&
		    json_object_set_new(img, "size",
					json_pack("{s:O*,s:O*}", "bytes",
						  json_object_get(size, "bytes"), "compressed",
						  json_object_get(size, "compressed"))) < 0) {
			rc = atmo__error_nomem(err);
			goto done;
		}
		if (json_is_object(kept)) {
			any_kept = 1;
			kept_bytes += json_integer_value(json_object_get(kept, "bytes"));
			json_array_foreach(json_object_get(kept, "packages"), j, p) {
				size_t k;
				json_t *q;
				int seen = 0;
				if (!json_is_string(p))
					continue;
				json_array_foreach(kept_pk, k, q)
					seen |= json_equal(p, q);
				if (!seen && json_array_append(kept_pk, p) < 0) {
					rc = atmo__error_nomem(err);
					goto done;
				}
			}
		}
	}
	for (i = 0; i < gd.nnodes; i++) {
		const atmo_gdoc_node *node = &gd.nodes[i];
		json_t *st, *size, *out;
		if (node->kind != ATMO_NODE_STAGE || !node->image || !node->raw_name)
			continue;
		st = json_object_get(
			json_object_get(json_object_get(targets, node->image), "stages"),
			node->raw_name);
		size = json_object_get(st, "size");
		if (!json_is_object(size))
			continue;
		out = json_pack("{s:O*}", "bytes", json_object_get(size, "bytes"));
		if (!out) {
			rc = atmo__error_nomem(err);
			goto done;
		}
		if ((json_object_get(st, "own_bytes") &&
		     json_object_set(out, "own_bytes", json_object_get(st, "own_bytes")) < 0) ||
		    (json_is_array(json_object_get(st, "packages")) &&
		     json_object_set_new(out, "packages",
					 json_integer((json_int_t)json_array_size(
						 json_object_get(st, "packages")))) < 0)) {
			json_decref(out);
			rc = atmo__error_nomem(err);
			goto done;
		}
		if (json_object_set_new(node->json, "size", out) < 0) {
			rc = atmo__error_nomem(err);
			goto done;
		}
	}
	if (any_kept) {
		size_t n = json_array_size(kept_pk);
		json_t **items = atmo__calloc(n + 1, sizeof(*items), NULL), *sorted = json_array();
		int ok = items && sorted;
		for (i = 0; ok && i < n; i++)
			items[i] = json_array_get(kept_pk, i);
		if (ok)
			qsort(items, n, sizeof(*items), cmp_json_string);
		for (i = 0; ok && i < n; i++)
			ok = json_array_append(sorted, items[i]) == 0;
		atmo__free(items);
		if (!ok) {
			json_decref(sorted);
			rc = atmo__error_nomem(err);
			goto done;
		}
		/* json_pack() takes sorted ("o") whether it succeeds or not */
		if (json_object_set_new(
			    graph, "kept_out",
			    json_pack("{s:I,s:o}", "bytes", kept_bytes, "packages", sorted)) < 0) {
			rc = atmo__error_nomem(err);
			goto done;
		}
	}
done:
	json_decref(kept_pk);
	atmo_graph__doc_free(&gd);
	return rc;
}
