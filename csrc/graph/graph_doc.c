/*
 * The one loader of graph documents (schema ATMO_GRAPH_SCHEMA): validates a
 * document into the typed view of graph/graph_doc.h. Every rejected field is
 * named by its JSON path ("$.nodes[3].kind") in the error text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/graph_doc.h"
#include "util/alloc.h"
#include "util/error.h"

#define SRC "<graph>"

static int bad(atmo_error *err, const char *path, const char *what)
{
	return atmo__error_set(err, ATMO_EINVALID, SRC, 0, 0, "%s: %s", path, what);
}

/* Optional string member; ATMO_EINVALID when present but not a string (null counts as absent). */
static int opt_str(const char **out, json_t *obj, const char *key, const char *path,
		   atmo_error *err)
{
	json_t *v = json_object_get(obj, key);
	char p[160];

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		snprintf(p, sizeof(p), "%s.%s", path, key);
		return bad(err, p, "expected a string");
	}
	*out = json_string_value(v);
	return 0;
}

static int req_str(const char **out, json_t *obj, const char *key, const char *path,
		   atmo_error *err)
{
	char p[160];
	int rc = opt_str(out, obj, key, path, err);

	if (rc < 0)
		return rc;
	if (!*out || !**out) {
		snprintf(p, sizeof(p), "%s.%s", path, key);
		return bad(err, p, *out ? "must not be empty" : "missing (a string is required)");
	}
	return 0;
}

static int opt_int(long long *out, int *present, json_t *obj, const char *key, const char *path,
		   atmo_error *err)
{
	json_t *v = json_object_get(obj, key);
	char p[160];

	if (present)
		*present = 0;
	if (!v || json_is_null(v))
		return 0;
	snprintf(p, sizeof(p), "%s.%s", path, key);
	if (!json_is_integer(v))
		return bad(err, p, "expected an integer");
	if (json_integer_value(v) < 0)
		return bad(err, p, "must not be negative");
	*out = json_integer_value(v);
	if (present)
		*present = 1;
	return 0;
}

static int opt_long(long *out, long dflt, json_t *obj, const char *key, const char *path,
		    atmo_error *err)
{
	long long v = dflt;
	int rc = opt_int(&v, NULL, obj, key, path, err);

	if (rc < 0)
		return rc;
	if (v > 0x7fffffffLL) {
		char p[160];
		snprintf(p, sizeof(p), "%s.%s", path, key);
		return bad(err, p, "out of range");
	}
	*out = (long)v;
	return 0;
}

static int opt_bool(int *out, int dflt, json_t *obj, const char *key, const char *path,
		    atmo_error *err)
{
	json_t *v = json_object_get(obj, key);
	char p[160];

	*out = dflt;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v)) {
		snprintf(p, sizeof(p), "%s.%s", path, key);
		return bad(err, p, "expected true or false");
	}
	*out = json_is_true(v);
	return 0;
}

/* Optional array of strings -> borrowed pointer array. */
static int opt_strings(const char ***out, size_t *n, json_t *obj, const char *key, const char *path,
		       atmo_error *err)
{
	json_t *v = json_object_get(obj, key), *it;
	char p[160];
	size_t i;

	*out = NULL;
	*n = 0;
	if (!v || json_is_null(v))
		return 0;
	snprintf(p, sizeof(p), "%s.%s", path, key);
	if (!json_is_array(v))
		return bad(err, p, "expected an array of strings");
	if (json_array_size(v) == 0)
		return 0;
	*out = atmo__calloc(json_array_size(v), sizeof(char *), err);
	if (!*out)
		return ATMO_ENOMEM;
	json_array_foreach(v, i, it) {
		if (!json_is_string(it)) {
			snprintf(p, sizeof(p), "%s.%s[%zu]", path, key, i);
			return bad(err, p, "expected a string");
		}
		(*out)[i] = json_string_value(it);
	}
	*n = json_array_size(v);
	return 0;
}

const char *atmo_graph__node_kind_name(int kind)
{
	static const char *const names[] = { "stage", "image", "context", "scratch" };
	return kind >= 0 && kind <= ATMO_NODE_SCRATCH ? names[kind] : "?";
}

const char *atmo_graph__edge_kind_name(int kind)
{
	static const char *const names[] = { "base", "copy", "mount", "onbuild" };
	return kind >= 0 && kind <= ATMO_EDGE_ONBUILD ? names[kind] : "?";
}

static int kind_of(const char *s, int edge)
{
	int k;
	for (k = 0; k <= 3; k++)
		if (!strcmp(s,
			    edge ? atmo_graph__edge_kind_name(k) : atmo_graph__node_kind_name(k)))
			return k;
	return -1;
}

/* Sorted index of node ids, for lookups by id (documents can hold hundreds of nodes). */
typedef struct {
	const char *id;
	size_t idx;
} idref;

static int idref_cmp(const void *a, const void *b)
{
	return strcmp(((const idref *)a)->id, ((const idref *)b)->id);
}

long atmo_graph__doc_find(const atmo_graph_doc *m, const char *id)
{
	size_t i;
	for (i = 0; i < m->nnodes; i++)
		if (!strcmp(m->nodes[i].id, id))
			return (long)i;
	return -1;
}

long atmo_graph__doc_find_image(const atmo_graph_doc *d, const char *id)
{
	size_t i;
	for (i = 0; i < d->nimages; i++)
		if (!strcmp(d->images[i].id, id))
			return (long)i;
	return -1;
}

static long find_sorted(const idref *ix, size_t n, const char *id)
{
	idref key = { id, 0 };
	const idref *hit = n ? bsearch(&key, ix, n, sizeof(*ix), idref_cmp) : NULL;
	return hit ? (long)hit->idx : -1;
}

static int load_images(atmo_graph_doc *m, json_t *doc, atmo_error *err)
{
	json_t *arr = json_object_get(doc, "images"), *it, *size;
	char path[64];
	size_t i, j;
	int rc;

	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return bad(err, "$.images", "expected an array");
	if (json_array_size(arr) == 0)
		return 0;
	m->images = atmo__calloc(json_array_size(arr), sizeof(*m->images), err);
	if (!m->images)
		return ATMO_ENOMEM;
	json_array_foreach(arr, i, it) {
		atmo_gdoc_image *im = &m->images[i];
		snprintf(path, sizeof(path), "$.images[%zu]", i);
		if (!json_is_object(it))
			return bad(err, path, "expected an object");
		if ((rc = req_str(&im->id, it, "id", path, err)) < 0 ||
		    (rc = opt_str(&im->label, it, "label", path, err)) < 0 ||
		    (rc = opt_str(&im->dockerfile, it, "dockerfile", path, err)) < 0 ||
		    (rc = opt_str(&im->target, it, "target", path, err)) < 0)
			return rc;
		if (!im->label)
			im->label = im->id;
		im->json = it;
		size = json_object_get(it, "size");
		if (size && !json_is_null(size)) {
			char sp[80];
			snprintf(sp, sizeof(sp), "%s.size", path);
			if (!json_is_object(size))
				return bad(err, sp, "expected an object");
			if ((rc = opt_int(&im->bytes, &im->has_size, size, "bytes", sp, err)) < 0 ||
			    (rc = opt_int(&im->compressed, NULL, size, "compressed", sp, err)) < 0)
				return rc;
		}
		for (j = 0; j < i; j++)
			if (!strcmp(m->images[j].id, im->id)) {
				char p2[80];
				snprintf(p2, sizeof(p2), "%s.id", path);
				return atmo__error_set(err, ATMO_EINVALID, SRC, 0, 0,
						       "%s: duplicate image id \"%.100s\"", p2,
						       im->id);
			}
		m->nimages = i + 1;
	}
	return 0;
}

static int load_instructions(atmo_gdoc_node *n, json_t *node, const char *path, atmo_error *err)
{
	json_t *arr = json_object_get(node, "instructions"), *it;
	char p[160];
	size_t i;
	int rc;

	if (!arr || json_is_null(arr))
		return 0;
	snprintf(p, sizeof(p), "%s.instructions", path);
	if (!json_is_array(arr))
		return bad(err, p, "expected an array");
	if (json_array_size(arr) == 0)
		return 0;
	n->instr = atmo__calloc(json_array_size(arr), sizeof(*n->instr), err);
	if (!n->instr)
		return ATMO_ENOMEM;
	json_array_foreach(arr, i, it) {
		atmo_gdoc_instr *in = &n->instr[i];
		snprintf(p, sizeof(p), "%s.instructions[%zu]", path, i);
		if (!json_is_object(it))
			return bad(err, p, "expected an object");
		if ((rc = req_str(&in->keyword, it, "keyword", p, err)) < 0 ||
		    (rc = opt_str(&in->text, it, "text", p, err)) < 0 ||
		    (rc = opt_long(&in->line, 0, it, "line", p, err)) < 0 ||
		    (rc = opt_long(&in->end_line, 0, it, "end_line", p, err)) < 0)
			return rc;
		if (!in->text)
			in->text = in->keyword;
		if (in->end_line < in->line)
			in->end_line = in->line;
		n->ninstr = i + 1;
	}
	return 0;
}

static int load_node(atmo_graph_doc *m, atmo_gdoc_node *n, json_t *it, const char *path,
		     atmo_error *err)
{
	const char *kind;
	json_t *size, *v;
	char p[160];
	long long idx = -1;
	int rc, k, has_idx = 0;

	if (!json_is_object(it))
		return bad(err, path, "expected an object");
	if ((rc = req_str(&n->id, it, "id", path, err)) < 0 ||
	    (rc = req_str(&kind, it, "kind", path, err)) < 0)
		return rc;
	k = kind_of(kind, 0);
	if (k < 0) {
		snprintf(p, sizeof(p), "%s.kind", path);
		return atmo__error_set(
			err, ATMO_EINVALID, SRC, 0, 0,
			"%s: unknown kind \"%.60s\" (expected stage, image, context or scratch)", p,
			kind);
	}
	n->kind = (atmo_node_kind)k;
	n->json = it;
	if ((rc = opt_str(&n->image, it, "image", path, err)) < 0 ||
	    (rc = opt_str(&n->name, it, "name", path, err)) < 0 ||
	    (rc = opt_str(&n->base, it, "base", path, err)) < 0 ||
	    (rc = opt_str(&n->ref, it, "ref", path, err)) < 0 ||
	    (rc = opt_str(&n->value, it, "value", path, err)) < 0 ||
	    (rc = opt_str(&n->description, it, "description", path, err)) < 0 ||
	    (rc = opt_str(&n->anchor, it, "anchor", path, err)) < 0 ||
	    (rc = opt_long(&n->line, 0, it, "line", path, err)) < 0 ||
	    (rc = opt_long(&n->end_line, 0, it, "end_line", path, err)) < 0 ||
	    (rc = opt_bool(&n->target, 0, it, "target", path, err)) < 0 ||
	    (rc = opt_bool(&n->used, 1, it, "used", path, err)) < 0 ||
	    (rc = opt_bool(&n->in_final, 0, it, "in_final", path, err)) < 0 ||
	    (rc = opt_bool(&n->build_only, 0, it, "build_only", path, err)) < 0 ||
	    (rc = load_instructions(n, it, path, err)) < 0 ||
	    (rc = opt_strings(&n->onbuild, &n->nonbuild, it, "onbuild", path, err)) < 0 ||
	    (rc = opt_strings(&n->inherited, &n->ninherited, it, "onbuild_inherited", path, err)) <
		    0 ||
	    (rc = opt_str(&n->onbuild_from, it, "onbuild_from", path, err)) < 0)
		return rc;
	/* "index" is a number; accept its string form too (unnamed stages carry it as a name). */
	v = json_object_get(it, "index");
	if (v && json_is_string(v)) {
		char *end;
		idx = strtoll(json_string_value(v), &end, 10);
		has_idx = *json_string_value(v) && !*end && idx >= 0;
		if (!has_idx) {
			snprintf(p, sizeof(p), "%s.index", path);
			return bad(err, p, "expected a non-negative integer");
		}
	} else if ((rc = opt_int(&idx, &has_idx, it, "index", path, err)) < 0) {
		return rc;
	}
	n->index = has_idx && idx <= 0x7fffffffLL ? (long)idx : -1;
	if (n->end_line < n->line)
		n->end_line = n->line;
	n->raw_name = n->name;
	if (!n->name)
		n->name = n->kind == ATMO_NODE_SCRATCH ? "scratch" : n->ref ? n->ref : n->id;
	size = json_object_get(it, "size");
	if (size && !json_is_null(size)) {
		snprintf(p, sizeof(p), "%s.size", path);
		if (!json_is_object(size))
			return bad(err, p, "expected an object");
		if ((rc = opt_int(&n->bytes, &n->has_size, size, "bytes", p, err)) < 0 ||
		    (rc = opt_int(&n->own_bytes, &n->has_own, size, "own_bytes", p, err)) < 0)
			return rc;
		v = json_object_get(size, "packages");
		if (v && json_is_array(v)) {
			n->packages = (long long)json_array_size(v);
			n->has_packages = 1;
		} else if ((rc = opt_int(&n->packages, &n->has_packages, size, "packages", p,
					 err)) < 0) {
			return rc;
		}
	}
	n->image_idx = -1;
	if (n->image && m->nimages) {
		size_t j;
		for (j = 0; j < m->nimages; j++)
			if (!strcmp(m->images[j].id, n->image))
				n->image_idx = (long)j;
		if (n->image_idx < 0) {
			snprintf(p, sizeof(p), "%s.image", path);
			return atmo__error_set(err, ATMO_EINVALID, SRC, 0, 0,
					       "%s: unknown image \"%.100s\" (not in $.images)", p,
					       n->image);
		}
	}
	return 0;
}

static int load_edge(atmo_gdoc_edge *e, json_t *it, const char *path, const idref *ix, size_t nix,
		     atmo_error *err)
{
	const char *kind;
	char p[160];
	long f, t;
	int rc, k;

	if (!json_is_object(it))
		return bad(err, path, "expected an object");
	if ((rc = req_str(&e->from, it, "from", path, err)) < 0 ||
	    (rc = req_str(&e->to, it, "to", path, err)) < 0 ||
	    (rc = req_str(&kind, it, "kind", path, err)) < 0 ||
	    (rc = opt_long(&e->line, 0, it, "line", path, err)) < 0 ||
	    (rc = opt_strings(&e->sources, &e->nsources, it, "sources", path, err)) < 0 ||
	    (rc = opt_str(&e->dest, it, "dest", path, err)) < 0 ||
	    (rc = opt_str(&e->context, it, "context", path, err)) < 0)
		return rc;
	k = kind_of(kind, 1);
	if (k < 0) {
		snprintf(p, sizeof(p), "%s.kind", path);
		return atmo__error_set(
			err, ATMO_EINVALID, SRC, 0, 0,
			"%s: unknown kind \"%.60s\" (expected base, copy, mount or onbuild)", p,
			kind);
	}
	e->kind = (atmo_edge_kind)k;
	f = find_sorted(ix, nix, e->from);
	t = find_sorted(ix, nix, e->to);
	if (f < 0 || t < 0) {
		snprintf(p, sizeof(p), "%s.%s", path, f < 0 ? "from" : "to");
		return atmo__error_set(err, ATMO_EINVALID, SRC, 0, 0,
				       "%s: no node with id \"%.100s\"", p,
				       f < 0 ? e->from : e->to);
	}
	e->from_idx = (size_t)f;
	e->to_idx = (size_t)t;
	return 0;
}

int atmo_graph__doc_load(atmo_graph_doc *m, json_t *doc, atmo_error *err)
{
	json_t *arr, *it, *v, *ko;
	const char *schema;
	idref *ix = NULL;
	char path[64];
	size_t i;
	int rc;

	memset(m, 0, sizeof(*m));
	if (!doc || !json_is_object(doc))
		return bad(err, "$", "a graph document must be a JSON object");
	if ((rc = req_str(&schema, doc, "schema", "$", err)) < 0)
		return rc;
	if (strcmp(schema, ATMO_GRAPH_SCHEMA) != 0)
		return atmo__error_set(err, ATMO_EINVALID, SRC, 0, 0,
				       "$.schema: \"%.80s\" is not \"" ATMO_GRAPH_SCHEMA "\"",
				       schema);
	if ((rc = load_images(m, doc, err)) < 0)
		goto done;

	arr = json_object_get(doc, "nodes");
	if (!arr || !json_is_array(arr)) {
		rc = bad(err, "$.nodes",
			 arr ? "expected an array" : "missing (an array is required)");
		goto done;
	}
	if (json_array_size(arr)) {
		m->nodes = atmo__calloc(json_array_size(arr), sizeof(*m->nodes), err);
		ix = atmo__calloc(json_array_size(arr), sizeof(*ix), err);
		if (!m->nodes || !ix) {
			rc = ATMO_ENOMEM;
			goto done;
		}
	}
	json_array_foreach(arr, i, it) {
		snprintf(path, sizeof(path), "$.nodes[%zu]", i);
		m->nnodes = i + 1;
		if ((rc = load_node(m, &m->nodes[i], it, path, err)) < 0)
			goto done;
		ix[i].id = m->nodes[i].id;
		ix[i].idx = i;
	}
	if (m->nnodes)
		qsort(ix, m->nnodes, sizeof(*ix), idref_cmp);
	for (i = 1; i < m->nnodes; i++)
		if (!strcmp(ix[i - 1].id, ix[i].id)) {
			size_t later = ix[i].idx > ix[i - 1].idx ? ix[i].idx : ix[i - 1].idx;
			rc = atmo__error_set(err, ATMO_EINVALID, SRC, 0, 0,
					     "$.nodes[%zu].id: duplicate node id \"%.100s\"", later,
					     ix[i].id);
			goto done;
		}

	arr = json_object_get(doc, "edges");
	if (arr && !json_is_null(arr) && !json_is_array(arr)) {
		rc = bad(err, "$.edges", "expected an array");
		goto done;
	}
	if (arr && json_is_array(arr) && json_array_size(arr)) {
		m->edges = atmo__calloc(json_array_size(arr), sizeof(*m->edges), err);
		if (!m->edges) {
			rc = ATMO_ENOMEM;
			goto done;
		}
		json_array_foreach(arr, i, it) {
			snprintf(path, sizeof(path), "$.edges[%zu]", i);
			m->nedges = i + 1;
			if ((rc = load_edge(&m->edges[i], it, path, ix, m->nnodes, err)) < 0)
				goto done;
		}
	}

	if ((rc = opt_str(&m->target, doc, "target", "$", err)) < 0)
		goto done;
	if (m->target && find_sorted(ix, m->nnodes, m->target) < 0) {
		rc = atmo__error_set(err, ATMO_EINVALID, SRC, 0, 0,
				     "$.target: no node with id \"%.100s\"", m->target);
		goto done;
	}
	if (m->target)
		m->nodes[find_sorted(ix, m->nnodes, m->target)].target = 1;
	for (i = 0; i < m->nimages; i++) {
		if (m->images[i].target && find_sorted(ix, m->nnodes, m->images[i].target) < 0) {
			rc = atmo__error_set(err, ATMO_EINVALID, SRC, 0, 0,
					     "$.images[%zu].target: no node with id \"%.100s\"", i,
					     m->images[i].target);
			goto done;
		}
	}
	v = json_object_get(doc, "unused");
	if (v && !json_is_null(v)) {
		if (!json_is_array(v)) {
			rc = bad(err, "$.unused", "expected an array of node ids");
			goto done;
		}
		json_array_foreach(v, i, it) {
			long k;
			snprintf(path, sizeof(path), "$.unused[%zu]", i);
			if (!json_is_string(it)) {
				rc = bad(err, path, "expected a string");
				goto done;
			}
			k = find_sorted(ix, m->nnodes, json_string_value(it));
			if (k < 0) {
				rc = atmo__error_set(err, ATMO_EINVALID, SRC, 0, 0,
						     "%s: no node with id \"%.100s\"", path,
						     json_string_value(it));
				goto done;
			}
			m->nodes[k].used = 0;
		}
	}
	v = json_object_get(doc, "warnings");
	if (v && !json_is_null(v)) {
		if (!json_is_array(v)) {
			rc = bad(err, "$.warnings", "expected an array");
			goto done;
		}
		m->warnings = v;
		m->nwarnings = json_array_size(v);
	}
	ko = json_object_get(doc, "kept_out");
	if (ko && !json_is_null(ko)) {
		if (!json_is_object(ko)) {
			rc = bad(err, "$.kept_out", "expected an object");
			goto done;
		}
		if ((rc = opt_int(&m->kept_out_bytes, &m->has_kept_out, ko, "bytes", "$.kept_out",
				  err)) < 0 ||
		    (rc = opt_strings(&m->kept_out_packages, &m->nkept_out_packages, ko, "packages",
				      "$.kept_out", err)) < 0)
			goto done;
		if (m->nkept_out_packages)
			m->has_kept_out = 1;
	}
	rc = 0;
done:
	atmo__free(ix);
	if (rc < 0)
		atmo_graph__doc_free(m);
	return rc;
}

void atmo_graph__doc_free(atmo_graph_doc *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nnodes; i++) {
		atmo__free(m->nodes[i].instr);
		atmo__free(m->nodes[i].onbuild);
		atmo__free(m->nodes[i].inherited);
	}
	for (i = 0; i < m->nedges; i++)
		atmo__free(m->edges[i].sources);
	atmo__free(m->nodes);
	atmo__free(m->edges);
	atmo__free(m->images);
	atmo__free(m->kept_out_packages);
	memset(m, 0, sizeof(*m));
}

int atmo_graph__doc_load_arg(atmo_graph_doc *d, json_t *doc, const char *source, atmo_error *err)
{
	atmo_error e;
	int rc;

	atmo_error_clear(&e);
	rc = atmo_graph__doc_load(d, doc, &e);
	if (rc == ATMO_EINVALID)
		return atmo__error_set(err, rc, source, 0, 0,
				       "not a graph document (schema " ATMO_GRAPH_SCHEMA "): %s",
				       e.text);
	if (rc == ATMO_ENOMEM)
		return atmo__error_nomem(err);
	return rc < 0 ? atmo__error_set(err, rc, source, 0, 0, "%s", e.text) : rc;
}
