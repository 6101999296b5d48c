/* The graph's read-only accessors and its JSON documents
 * ("atmograph.graph/1", "atmograph.stages/1"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/buf.h"
#include "util/utf8.h"
#include "graph/graph_int.h"
#include "graph/graph_doc.h"

/* ---- accessors ---- */

const atmo_dockerfile *atmo_graph_dockerfile(const atmo_graph *g)
{
	return g ? g->df : NULL;
}

const char *atmo_graph_image_id(const atmo_graph *g)
{
	return g ? g->image_id : NULL;
}

size_t atmo_graph_stage_count(const atmo_graph *g)
{
	return g ? g->n_stages : 0;
}

const atmo_stage *atmo_graph_stage_at(const atmo_graph *g, size_t i)
{
	return g && i < g->n_stages ? &g->stages[i] : NULL;
}

size_t atmo_graph_target(const atmo_graph *g)
{
	return g ? g->target : 0;
}

int atmo_graph_find_stage(const atmo_graph *g, const char *name)
{
	size_t i;
	const char *p;
	char *end;
	unsigned long v;
	if (!g || !name || !*name)
		return -1;
	for (i = g->n_stages; i-- > 0;)
		if (g->stages[i].name && !strcasecmp(g->stages[i].name, name))
			return (int)i;
	for (p = name; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	v = strtoul(name, &end, 10);
	return v < g->n_stages ? (int)v : -1;
}

const size_t *atmo_graph_order(const atmo_graph *g, size_t *n)
{
	if (n)
		*n = g ? g->n_order : 0;
	return g ? g->order : NULL;
}

size_t atmo_graph_node_count(const atmo_graph *g)
{
	return g ? g->n_nodes : 0;
}

const atmo_graph_node *atmo_graph_node_at(const atmo_graph *g, size_t i)
{
	return g && i < g->n_nodes ? &g->nodes[i] : NULL;
}

size_t atmo_graph_edge_count(const atmo_graph *g)
{
	return g ? g->n_edges : 0;
}

const atmo_graph_edge *atmo_graph_edge_at(const atmo_graph *g, size_t i)
{
	return g && i < g->n_edges ? &g->edges[i] : NULL;
}

size_t atmo_graph_warning_count(const atmo_graph *g)
{
	return g ? g->n_warnings : 0;
}

const atmo_error *atmo_graph_warning_at(const atmo_graph *g, size_t i)
{
	return g && i < g->n_warnings ? &g->warnings[i] : NULL;
}

const char *atmo_graph_warning_code(const atmo_graph *g, size_t i)
{
	return g && i < g->n_warnings ? g->warning_codes[i] : NULL;
}

const atmo_graph_var *atmo_graph_stage_vars(const atmo_graph *g, size_t i, size_t *n)
{
	if (!g || i >= g->n_stages) {
		if (n)
			*n = 0;
		return NULL;
	}
	if (n)
		*n = g->sx[i].env.n;
	return g->sx[i].env.v;
}

const atmo_graph_var *atmo_graph_meta_args(const atmo_graph *g, size_t *n)
{
	if (n)
		*n = g ? g->n_meta_args : 0;
	return g ? g->meta_args : NULL;
}

/* ---- JSON ---- */

static const char *kind_name(atmo_node_kind k)
{
	return atmo_graph__node_kind_name(k);
}

static const char *edge_kind_name(atmo_edge_kind k)
{
	return atmo_graph__edge_kind_name(k);
}

/* A JSON string; bytes that are not UTF-8 (Dockerfiles are bytes) become U+FFFD. */
static json_t *jstr(const char *s)
{
	return atmo__utf8_json_string(s, strlen(s));
}

#define json_string(s) jstr(s)

/* json_object_set_new that remembers a failure */
static void put(json_t *o, const char *k, json_t *v, int *bad)
{
	if (!v || json_object_set_new(o, k, v) < 0)
		*bad = 1;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static void append(json_t *a, json_t *v, int *bad)
{
	if (!v || json_array_append_new(a, v) < 0)
		*bad = 1;
}

static json_t *warning_json(const atmo_error *w, const char *code, int *bad)
{
	json_t *o = json_object();
	if (!o) {
		*bad = 1;
		return NULL;
	}
	put(o, "source", json_string(w->source), bad);
	put(o, "line", json_integer(w->line), bad);
	put(o, "column", json_integer(w->column), bad);
	put(o, "code", json_string(code), bad);
	put(o, "text", json_string(w->text), bad);
	return o;
}

/* parser warnings (empty continuation lines, ...) then the resolver's */
static json_t *warnings_json(const atmo_graph *g, int *bad)
{
	json_t *a = json_array();
	size_t i, n = atmo_dockerfile_warning_count(g->df);
	if (!a) {
		*bad = 1;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		const atmo_error *w = atmo_dockerfile_warning_at(g->df, i);
		if (!w)
			continue;
		append(a,
		       warning_json(w,
				    strstr(w->text, "continuation") ? "NoEmptyContinuation"
								    : "ParseWarning",
				    bad),
		       bad);
	}
	for (i = 0; i < g->n_warnings; i++)
		append(a, warning_json(&g->warnings[i], g->warning_codes[i], bad), bad);
	return a;
}

static json_t *stage_node_json(const atmo_graph *g, const atmo_graph_node *n, int *bad)
{
	const atmo_stage *st = &g->stages[n->stage];
	json_t *o = json_object(), *ins, *ob;
	size_t i;
	if (!o) {
		*bad = 1;
		return NULL;
	}
	put(o, "id", json_string(n->id), bad);
	put(o, "kind", json_string("stage"), bad);
	put(o, "image", json_string(g->image_id), bad);
	put(o, "name", json_string(st->label), bad);
	put(o, "index", json_integer((json_int_t)st->index), bad);
	put(o, "base", json_string(st->base), bad);
	put(o, "platform", str_or_null(st->platform), bad);
	put(o, "line", json_integer(st->start_line), bad);
	put(o, "end_line", json_integer(st->end_line), bad);
	put(o, "description", str_or_null(st->description), bad);
	put(o, "target", json_boolean(st->is_target), bad);
	put(o, "used", json_boolean(st->used), bad);
	put(o, "in_final", json_boolean(st->in_final), bad);
	put(o, "build_only", json_boolean(st->build_only), bad);
	put(o, "anchor", json_string(st->anchor), bad);
	put(o, "parent",
	    st->parent_stage >= 0 ? json_string(g->stages[st->parent_stage].node_id) : json_null(),
	    bad);
	if (g->sx[n->stage].replaced >= 0)
		put(o, "replaced_by", json_string(g->nodes[g->sx[n->stage].replaced].id), bad);
	ins = json_array();
	if (!ins)
		*bad = 1;
	for (i = 0; ins && i < st->n_instructions; i++) {
		const atmo_instruction *in = atmo_dockerfile_at(g->df, st->first_instruction + i);
		json_t *io = json_object();
		if (!io || !in) {
			json_decref(io);
			*bad = 1;
			break;
		}
		put(io, "keyword", json_string(in->keyword), bad);
		put(io, "line", json_integer(in->start_line), bad);
		put(io, "end_line", json_integer(in->end_line), bad);
		put(io, "text", json_string(in->original ? in->original : ""), bad);
		append(ins, io, bad);
	}
	put(o, "instructions", ins, bad);
	ob = json_array();
	if (!ob)
		*bad = 1;
	for (i = 0; ob && i < st->n_onbuild; i++)
		append(ob, json_string(st->onbuild[i]), bad);
	put(o, "onbuild", ob, bad);
	/* the triggers that run first in this stage (parent stage's or a linked image's) */
	if (st->n_onbuild_inherited) {
		json_t *ih = json_array();
		if (!ih)
			*bad = 1;
		for (i = 0; ih && i < st->n_onbuild_inherited; i++)
			append(ih, json_string(st->onbuild_inherited[i]), bad);
		put(o, "onbuild_inherited", ih, bad);
		put(o, "onbuild_from", str_or_null(st->onbuild_from), bad);
	}
	return o;
}

static json_t *node_json(const atmo_graph *g, const atmo_graph_node *n, int *bad)
{
	json_t *o;
	if (n->kind == ATMO_NODE_STAGE)
		return stage_node_json(g, n, bad);
	o = json_object();
	if (!o) {
		*bad = 1;
		return NULL;
	}
	put(o, "id", json_string(n->id), bad);
	put(o, "kind", json_string(kind_name(n->kind)), bad);
	put(o, "image", json_string(g->image_id), bad);
	put(o, "name", json_string(n->name), bad);
	if (n->kind == ATMO_NODE_IMAGE)
		put(o, "ref", json_string(n->ref), bad);
	else if (n->kind == ATMO_NODE_CONTEXT)
		put(o, "value", json_string(n->ref), bad);
	put(o, "line", json_integer(n->line), bad);
	put(o, "used", json_boolean(n->used), bad);
	return o;
}

static json_t *edge_json(const atmo_graph *g, const atmo_graph_edge *e, int *bad)
{
	json_t *o = json_object();
	size_t i;
	if (!o) {
		*bad = 1;
		return NULL;
	}
	put(o, "from", json_string(g->nodes[e->from].id), bad);
	put(o, "to", json_string(g->nodes[e->to].id), bad);
	put(o, "kind", json_string(edge_kind_name(e->kind)), bad);
	put(o, "line", json_integer(e->line), bad);
	if (e->sources) {
		json_t *a = json_array();
		if (!a)
			*bad = 1;
		for (i = 0; a && i < e->n_sources; i++)
			append(a, json_string(e->sources[i]), bad);
		put(o, "sources", a, bad);
	}
	if (e->dest)
		put(o, "dest", json_string(e->dest), bad);
	if (e->context)
		put(o, "context", json_string(e->context), bad);
	if (e->mount_type)
		put(o, "mount_type", json_string(e->mount_type), bad);
	if (e->mount_id)
		put(o, "mount_id", json_string(e->mount_id), bad);
	if (e->onbuild_from)
		put(o, "onbuild_from", json_string(e->onbuild_from), bad);
	return o;
}

int atmo_graph_to_json(json_t **out, const atmo_graph *g, atmo_error *err)
{
	json_t *doc, *images, *img, *nodes, *edges, *unused;
	const char *target_id;
	int bad = 0;
	size_t i;

	atmo_error_clear(err);
	if (!out || !g)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_graph_to_json: out and g must not be NULL");
	*out = NULL;
	target_id = g->stages[g->target].node_id;
	doc = json_object();
	if (!doc)
		return atmo__error_nomem(err);
	put(doc, "schema", json_string(ATMO_GRAPH_SCHEMA), &bad);

	images = json_array();
	img = json_object();
	if (!images || !img)
		bad = 1;
	if (img) {
		put(img, "id", json_string(g->image_id), &bad);
		put(img, "label", json_string(g->image_id), &bad);
		put(img, "dockerfile", json_string(g->source), &bad);
		put(img, "target", json_string(target_id), &bad);
	}
	if (images)
		append(images, img, &bad);
	else
		json_decref(img);
	put(doc, "images", images, &bad);

	nodes = json_array();
	if (!nodes)
		bad = 1;
	for (i = 0; nodes && i < g->n_nodes; i++)
		append(nodes, node_json(g, &g->nodes[i], &bad), &bad);
	put(doc, "nodes", nodes, &bad);

	edges = json_array();
	if (!edges)
		bad = 1;
	for (i = 0; edges && i < g->n_edges; i++)
		append(edges, edge_json(g, &g->edges[i], &bad), &bad);
	put(doc, "edges", edges, &bad);

	put(doc, "target", json_string(target_id), &bad);
	unused = json_array();
	if (!unused)
		bad = 1;
	for (i = 0; unused && i < g->n_stages; i++)
		if (!g->stages[i].used)
			append(unused, json_string(g->stages[i].node_id), &bad);
	put(doc, "unused", unused, &bad);
	put(doc, "warnings", warnings_json(g, &bad), &bad);

	if (bad) {
		json_decref(doc);
		return atmo__error_nomem(err);
	}
	*out = doc;
	return 0;
}

/* ---- streaming: the same document, one value at a time ---- */

/* bytes collected before a call of the caller's write function */
#define JW_FLUSH 65536

typedef struct {
	atmo_write_fn write;
	void *payload;
	int failed;
	atmo_buf out;    /* text not yet handed to write */
	atmo_buf dumped; /* values as jansson dumps them */
} jwriter;

static int jw_flush(jwriter *w)
{
	if (w->out.oom)
		return -1;
	if (!w->failed && w->out.len && w->write(w->out.ptr, w->out.len, w->payload) != 0)
		w->failed = 1;
	atmo__buf_clear(&w->out);
	return w->failed ? -1 : 0;
}

/* after text was added to w->out: hand it over once there is enough */
static int jw_added(jwriter *w)
{
	if (w->failed || w->out.oom)
		return -1;
	return w->out.len >= JW_FLUSH ? jw_flush(w) : 0;
}

static int jw_raw(jwriter *w, const char *s, size_t n)
{
	atmo_buf *b = &w->out;
	/* a few bytes at a time, most of them without a call */
	if (b->ptr && b->len + n < b->cap && b->len + n < JW_FLUSH && !w->failed) {
		memcpy(b->ptr + b->len, s, n);
		b->len += n;
		b->ptr[b->len] = '\0';
		return 0;
	}
	if (w->failed || atmo__buf_put(b, s, n) < 0)
		return -1;
	return jw_added(w);
}

/* jansson hands over a few bytes at a time: collect them */
static int jw_dump_cb(const char *buf, size_t n, void *data)
{
	jwriter *w = data;
	atmo_buf *b = &w->dumped;
	/* called for every few bytes: the common case without a call */
	if (b->ptr && b->len + n < b->cap) {
		memcpy(b->ptr + b->len, buf, n);
		b->len += n;
		return 0;
	}
	return atmo__buf_put(b, buf, n) < 0 ? -1 : 0;
}

/*
 * Write v (consumed), a top-level value, as it reads inside the whole
 * document: jansson dumps it wrapped in an array, which indents it right,
 * and the wrapper's brackets are cut off.
 */
static int jw_value(jwriter *w, json_t *v, int *bad)
{
	json_t *wrap;
	size_t head = 4, tail = 2; /* "[\n  " "\n]" */
	int rc;
	if (!v) {
		*bad = 1;
		return -1;
	}
	wrap = json_pack("[o]", v);
	if (!wrap) {
		*bad = 1;
		return -1;
	}
	w->dumped.len = 0;
	rc = json_dump_callback(wrap, jw_dump_cb, w, JSON_INDENT(2) | JSON_ENCODE_ANY);
	json_decref(wrap);
	if (rc < 0 || w->dumped.oom || w->dumped.len < head + tail) {
		*bad = 1;
		return -1;
	}
	return jw_raw(w, atmo__buf_cstr(&w->dumped) + head, w->dumped.len - head - tail);
}

/* "  "key": " at depth 1 */
static int jw_key(jwriter *w, const char *key, int first)
{
	return jw_raw(w, first ? "\n  \"" : ",\n  \"", first ? 4 : 5) < 0 ||
			       jw_raw(w, key, strlen(key)) < 0 || jw_raw(w, "\": ", 3) < 0
		       ? -1
		       : 0;
}

/*
 * The nodes, edges and unused arrays hold an item per stage: written as text
 * straight away, in the layout json_dumps(JSON_INDENT(2)) gives (building
 * jansson values for each was most of the time of a big graph). The
 * stream test holds the two to the same bytes.
 */

/* a new line indented to depth */
static void jt_indent(jwriter *w, int depth)
{
	static const char sp[] = "\n                    ";
	jw_raw(w, sp, 1 + 2 * (size_t)depth);
}

/* the key of an object member at depth; first: the object's first member */
static void jt_key(jwriter *w, int depth, const char *key, int first)
{
	if (!first)
		jw_raw(w, ",", 1);
	jt_indent(w, depth);
	jw_raw(w, "\"", 1);
	jw_raw(w, key, strlen(key));
	jw_raw(w, "\": ", 3);
}

static void jt_str(jwriter *w, const char *s)
{
	if (!s) {
		jw_raw(w, "null", 4);
		return;
	}
	if (!w->failed && atmo__utf8_json_quote(&w->out, s, strlen(s)) == 0)
		jw_added(w);
}

static void jt_int(jwriter *w, long long v)
{
	char b[24], *p = b + sizeof(b);
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	jw_raw(w, p, (size_t)(b + sizeof(b) - p));
}

static void jt_bool(jwriter *w, int v)
{
	jw_raw(w, v ? "true" : "false", v ? 4 : 5);
}

/* an array of strings as a member value at depth (its items one deeper) */
static void jt_strings(jwriter *w, int depth, const char *const *v, size_t n)
{
	size_t i;
	if (!n) {
		jw_raw(w, "[]", 2);
		return;
	}
	jw_raw(w, "[", 1);
	for (i = 0; i < n; i++) {
		if (i)
			jw_raw(w, ",", 1);
		jt_indent(w, depth + 1);
		jt_str(w, v[i]);
	}
	jt_indent(w, depth);
	jw_raw(w, "]", 1);
}

/* node_json()'s members, in its order, for an item of the nodes array */
static int jt_stage_node(jwriter *w, const atmo_graph *g, const atmo_graph_node *n)
{
	const atmo_stage *st = &g->stages[n->stage];
	size_t i;
	jw_raw(w, "{", 1);
	jt_key(w, 3, "id", 1);
	jt_str(w, n->id);
	jt_key(w, 3, "kind", 0);
	jt_str(w, "stage");
	jt_key(w, 3, "image", 0);
	jt_str(w, g->image_id);
	jt_key(w, 3, "name", 0);
	jt_str(w, st->label);
	jt_key(w, 3, "index", 0);
	jt_int(w, (long long)st->index);
	jt_key(w, 3, "base", 0);
	jt_str(w, st->base);
	jt_key(w, 3, "platform", 0);
	jt_str(w, st->platform);
	jt_key(w, 3, "line", 0);
	jt_int(w, st->start_line);
	jt_key(w, 3, "end_line", 0);
	jt_int(w, st->end_line);
	jt_key(w, 3, "description", 0);
	jt_str(w, st->description);
	jt_key(w, 3, "target", 0);
	jt_bool(w, st->is_target);
	jt_key(w, 3, "used", 0);
	jt_bool(w, st->used);
	jt_key(w, 3, "in_final", 0);
	jt_bool(w, st->in_final);
	jt_key(w, 3, "build_only", 0);
	jt_bool(w, st->build_only);
	jt_key(w, 3, "anchor", 0);
	jt_str(w, st->anchor);
	jt_key(w, 3, "parent", 0);
	jt_str(w, st->parent_stage >= 0 ? g->stages[st->parent_stage].node_id : NULL);
	if (g->sx[n->stage].replaced >= 0) {
		jt_key(w, 3, "replaced_by", 0);
		jt_str(w, g->nodes[g->sx[n->stage].replaced].id);
	}
	jt_key(w, 3, "instructions", 0);
	jw_raw(w, st->n_instructions ? "[" : "[]", st->n_instructions ? 1 : 2);
	for (i = 0; i < st->n_instructions; i++) {
		const atmo_instruction *in = atmo_dockerfile_at(g->df, st->first_instruction + i);
		if (!in)
			return -1;
		if (i)
			jw_raw(w, ",", 1);
		jt_indent(w, 4);
		jw_raw(w, "{", 1);
		jt_key(w, 5, "keyword", 1);
		jt_str(w, in->keyword);
		jt_key(w, 5, "line", 0);
		jt_int(w, in->start_line);
		jt_key(w, 5, "end_line", 0);
		jt_int(w, in->end_line);
		jt_key(w, 5, "text", 0);
		jt_str(w, in->original ? in->original : "");
		jt_indent(w, 4);
		jw_raw(w, "}", 1);
	}
	if (st->n_instructions) {
		jt_indent(w, 3);
		jw_raw(w, "]", 1);
	}
	jt_key(w, 3, "onbuild", 0);
	jt_strings(w, 3, st->onbuild, st->n_onbuild);
	/* the triggers that run first in this stage (parent stage's or a linked image's) */
	if (st->n_onbuild_inherited) {
		jt_key(w, 3, "onbuild_inherited", 0);
		jt_strings(w, 3, st->onbuild_inherited, st->n_onbuild_inherited);
		jt_key(w, 3, "onbuild_from", 0);
		jt_str(w, st->onbuild_from);
	}
	jt_indent(w, 2);
	return jw_raw(w, "}", 1);
}

static int jt_node(jwriter *w, const atmo_graph *g, size_t i)
{
	const atmo_graph_node *n = &g->nodes[i];
	if (n->kind == ATMO_NODE_STAGE)
		return jt_stage_node(w, g, n);
	jw_raw(w, "{", 1);
	jt_key(w, 3, "id", 1);
	jt_str(w, n->id);
	jt_key(w, 3, "kind", 0);
	jt_str(w, kind_name(n->kind));
	jt_key(w, 3, "image", 0);
	jt_str(w, g->image_id);
	jt_key(w, 3, "name", 0);
	jt_str(w, n->name);
	if (n->kind == ATMO_NODE_IMAGE) {
		jt_key(w, 3, "ref", 0);
		jt_str(w, n->ref);
	} else if (n->kind == ATMO_NODE_CONTEXT) {
		jt_key(w, 3, "value", 0);
		jt_str(w, n->ref);
	}
	jt_key(w, 3, "line", 0);
	jt_int(w, n->line);
	jt_key(w, 3, "used", 0);
	jt_bool(w, n->used);
	jt_indent(w, 2);
	return jw_raw(w, "}", 1);
}

/* edge_json()'s members, in its order */
static int jt_edge(jwriter *w, const atmo_graph *g, size_t i)
{
	const atmo_graph_edge *e = &g->edges[i];
	jw_raw(w, "{", 1);
	jt_key(w, 3, "from", 1);
	jt_str(w, g->nodes[e->from].id);
	jt_key(w, 3, "to", 0);
	jt_str(w, g->nodes[e->to].id);
	jt_key(w, 3, "kind", 0);
	jt_str(w, edge_kind_name(e->kind));
	jt_key(w, 3, "line", 0);
	jt_int(w, e->line);
	if (e->sources) {
		jt_key(w, 3, "sources", 0);
		jt_strings(w, 3, e->sources, e->n_sources);
	}
	if (e->dest) {
		jt_key(w, 3, "dest", 0);
		jt_str(w, e->dest);
	}
	if (e->context) {
		jt_key(w, 3, "context", 0);
		jt_str(w, e->context);
	}
	if (e->mount_type) {
		jt_key(w, 3, "mount_type", 0);
		jt_str(w, e->mount_type);
	}
	if (e->mount_id) {
		jt_key(w, 3, "mount_id", 0);
		jt_str(w, e->mount_id);
	}
	if (e->onbuild_from) {
		jt_key(w, 3, "onbuild_from", 0);
		jt_str(w, e->onbuild_from);
	}
	jt_indent(w, 2);
	return jw_raw(w, "}", 1);
}

static int jt_unused(jwriter *w, const atmo_graph *g, size_t i)
{
	jt_str(w, g->stages[i].node_id);
	return w->failed || w->out.oom ? -1 : 0;
}

typedef int (*jt_item_fn)(jwriter *w, const atmo_graph *g, size_t i);

/* a top-level array of the items i < n that keep(i) (NULL: all) */
static int jt_array(jwriter *w, const atmo_graph *g, size_t n, jt_item_fn item,
		    int (*keep)(const atmo_graph *g, size_t i))
{
	size_t i, k = 0;
	if (jw_raw(w, "[", 1) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (keep && !keep(g, i))
			continue;
		if (k++)
			jw_raw(w, ",", 1);
		jt_indent(w, 2);
		if (item(w, g, i) < 0)
			return -1;
	}
	if (k)
		jt_indent(w, 1);
	return jw_raw(w, "]", 1);
}

static int jt_is_unused(const atmo_graph *g, size_t i)
{
	return !g->stages[i].used;
}

int atmo_graph_write_json(const atmo_graph *g, atmo_write_fn write, void *payload, atmo_error *err)
{
	jwriter w = { write, payload, 0, ATMO_BUF_INIT, ATMO_BUF_INIT };
	const char *target_id;
	json_t *images;
	int bad = 0, rc = 0;

	atmo_error_clear(err);
	if (!g || !write)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_graph_write_json: g and write must not be NULL");
	target_id = g->stages[g->target].node_id;
	/* the keys and their order are atmo_graph_to_json()'s */
	images = json_pack("[{s:s,s:s,s:s,s:s}]", "id", g->image_id, "label", g->image_id,
			   "dockerfile", g->source, "target", target_id);
	/* room for a flush's worth, so jw_raw rarely grows it */
	atmo__buf_grow(&w.out, JW_FLUSH + 64);
	if (jw_raw(&w, "{", 1) < 0 || jw_key(&w, "schema", 1) < 0 ||
	    jw_value(&w, json_string(ATMO_GRAPH_SCHEMA), &bad) < 0 || jw_key(&w, "images", 0) < 0) {
		json_decref(images);
		rc = -1;
	} else if (jw_value(&w, images, &bad) < 0 || jw_key(&w, "nodes", 0) < 0 ||
		   jt_array(&w, g, g->n_nodes, jt_node, NULL) < 0 || jw_key(&w, "edges", 0) < 0 ||
		   jt_array(&w, g, g->n_edges, jt_edge, NULL) < 0 || jw_key(&w, "target", 0) < 0 ||
		   jw_value(&w, json_string(target_id), &bad) < 0 || jw_key(&w, "unused", 0) < 0 ||
		   jt_array(&w, g, g->n_stages, jt_unused, jt_is_unused) < 0 ||
		   jw_key(&w, "warnings", 0) < 0 ||
		   jw_value(&w, warnings_json(g, &bad), &bad) < 0 || jw_raw(&w, "\n}\n", 3) < 0 ||
		   jw_flush(&w) < 0)
		rc = -1;
	atmo__buf_free(&w.dumped);
	atmo__buf_free(&w.out);
	if (rc < 0 && (bad || !w.failed))
		return atmo__error_nomem(err);
	if (rc < 0)
		return atmo__error_set(err, ATMO_EIO, NULL, 0, 0,
				       "cannot write the graph document");
	return 0;
}

static const char *status_of(const atmo_stage *st)
{
	if (st->replaced)
		return "replaced";
	if (st->is_target)
		return "target";
	if (st->in_final)
		return "final";
	if (st->build_only)
		return "build-only";
	return "unused";
}

int atmo_graph_stages_to_json(json_t **out, const atmo_graph *g, atmo_error *err)
{
	json_t *doc, *stages, *order;
	const atmo_stage *t;
	int bad = 0;
	size_t i;

	atmo_error_clear(err);
	if (!out || !g)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_graph_stages_to_json: out and g must not be NULL");
	*out = NULL;
	doc = json_object();
	if (!doc)
		return atmo__error_nomem(err);
	t = &g->stages[g->target];
	put(doc, "schema", json_string(ATMO_STAGES_SCHEMA), &bad);
	put(doc, "source", json_string(g->source), &bad);
	put(doc, "image", json_string(g->image_id), &bad);
	put(doc, "target", json_string(t->label), &bad);
	stages = json_array();
	if (!stages)
		bad = 1;
	for (i = 0; stages && i < g->n_stages; i++) {
		const atmo_stage *st = &g->stages[i];
		json_t *o = json_object();
		if (!o) {
			bad = 1;
			break;
		}
		put(o, "index", json_integer((json_int_t)st->index), &bad);
		put(o, "name", str_or_null(st->name), &bad);
		put(o, "label", json_string(st->label), &bad);
		put(o, "id", json_string(st->node_id), &bad);
		put(o, "base", json_string(st->base), &bad);
		/* what FROM resolved to: another stage, an image, a named context or scratch */
		put(o, "base_kind",
		    json_string(st->base_node < g->n_nodes ? kind_name(g->nodes[st->base_node].kind)
							   : "image"),
		    &bad);
		put(o, "platform", str_or_null(st->platform), &bad);
		put(o, "line", json_integer(st->start_line), &bad);
		put(o, "end_line", json_integer(st->end_line), &bad);
		put(o, "description", str_or_null(st->description), &bad);
		put(o, "parent",
		    st->parent_stage >= 0 ? json_integer(st->parent_stage) : json_null(), &bad);
		put(o, "used", json_boolean(st->used), &bad);
		put(o, "in_final", json_boolean(st->in_final), &bad);
		put(o, "build_only", json_boolean(st->build_only), &bad);
		put(o, "target", json_boolean(st->is_target), &bad);
		put(o, "replaced", json_boolean(st->replaced), &bad);
		put(o, "status", json_string(status_of(st)), &bad);
		append(stages, o, &bad);
	}
	put(doc, "stages", stages, &bad);
	order = json_array();
	if (!order)
		bad = 1;
	for (i = 0; order && i < g->n_order; i++)
		append(order, json_integer((json_int_t)g->order[i]), &bad);
	put(doc, "order", order, &bad);
	put(doc, "warnings", warnings_json(g, &bad), &bad);
	if (bad) {
		json_decref(doc);
		return atmo__error_nomem(err);
	}
	*out = doc;
	return 0;
}
