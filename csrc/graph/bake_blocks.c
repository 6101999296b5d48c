/*
 * Target and group blocks as buildx's hclparser decodes them: matrix
 * expansion (one evaluation scope per combination), `name` renaming,
 * attribute decoding into the field model, several blocks of one name
 * merged attribute by attribute, and the `target.x.field` references that
 * resolve another block on demand.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/bake_hcl_int.h"
#include "util/alloc.h"
#include "util/grow.h"

/* one evaluation of a block: its name and fields (decoded attributes; null -> JSON null) */
typedef struct block_out {
	char *name;
	json_t *fields;
} block_out;

struct bake_block_state {
	int state; /* 0 new, 1 being resolved, 2 done */
	block_out *outs;
	size_t n_outs, cap_outs;
};

/* a matrix of more combinations than this is refused (each is a target) */
#define BAKE_MAX_MATRIX 100000

typedef struct matrix_scope {
	const char **keys;
	hcl_value **vals;
	size_t n;
} matrix_scope;

static hcl_attr *attr_of(const hcl_body *b, const char *name)
{
	size_t i;

	for (i = b->n_attrs; i-- > 0;)
		if (!strcmp(b->attrs[i].name, name))
			return &b->attrs[i];
	return NULL;
}

static int matrix_lookup(void *payload, const hcl_traversal *t, hcl_value **out, hcl_diag *diag)
{
	matrix_scope *m = payload;
	size_t i;

	(void)diag;
	for (i = 0; i < m->n; i++)
		if (!strcmp(m->keys[i], t->root)) {
			*out = hcl_value_ref(m->vals[i]);
			return 0;
		}
	return 1;
}

static int no_func(void *payload, const char *name, const hcl_func **out, hcl_diag *diag)
{
	(void)payload;
	(void)name;
	(void)out;
	(void)diag;
	return 1;
}

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

/* ---- JSON fields <-> HCL values (for target.x.y) ---- */

static hcl_value *to_hcl(const json_t *j)
{
	size_t i, n;
	hcl_value **items, *r;

	switch (json_typeof(j)) {
	case JSON_STRING:
		return hcl_string(json_string_value(j), json_string_length(j));
	case JSON_INTEGER:
		return hcl_number((double)json_integer_value(j));
	case JSON_REAL:
		return hcl_number(json_real_value(j));
	case JSON_TRUE:
		return hcl_bool(1);
	case JSON_FALSE:
		return hcl_bool(0);
	case JSON_NULL:
		return hcl_null(hcl_type_string());
	case JSON_ARRAY:
		n = json_array_size(j);
		items = atmo__calloc(n + 1, sizeof(*items), NULL);
		if (!items)
			return NULL;
		for (i = 0; i < n; i++)
			items[i] = to_hcl(json_array_get(j, i));
		r = hcl_tuple(items, n);
		atmo__free(items);
		return r;
	case JSON_OBJECT: {
		const char **keys;
		const char *k;
		json_t *v;
		n = json_object_size(j);
		items = atmo__calloc(n + 1, sizeof(*items), NULL);
		keys = atmo__calloc(n + 1, sizeof(*keys), NULL);
		if (!items || !keys) {
			atmo__free(items);
			atmo__free(keys);
			return NULL;
		}
		i = 0;
		json_object_foreach((json_t *)j, k, v) {
			keys[i] = k;
			items[i++] = to_hcl(v);
		}
		r = hcl_object(keys, items, n);
		atmo__free(items);
		atmo__free(keys);
		return r;
	}
	}
	return NULL;
}

/* an object of every field buildx's Target has (null when unset) */
static hcl_value *target_value(const char *name, const json_t *fields, int is_group)
{
	static const char *const gkeys[] = { "description", "targets" };
	size_t nf, i, k = 0;
	const bake_field *f = atmo__bake_fields(&nf);
	const char **keys = atmo__calloc(nf + 3, sizeof(*keys), NULL);
	hcl_value **vals = atmo__calloc(nf + 3, sizeof(*vals), NULL), *r;

	if (!keys || !vals) {
		atmo__free(keys);
		atmo__free(vals);
		return NULL;
	}
	/* the block's name is a field too (target.foo.name) */
	keys[k] = "name";
	vals[k++] = hcl_cstring(name);
	if (is_group) {
		for (i = 0; i < 2; i++) {
			json_t *x = json_object_get(fields, gkeys[i]);
			keys[k] = gkeys[i];
			vals[k++] = x ? to_hcl(x) : hcl_null(NULL);
		}
	} else {
		for (i = 0; i < nf; i++) {
			json_t *x = json_object_get(fields, f[i].name);
			keys[k] = f[i].name;
			vals[k++] = x && !json_is_null(x) ? to_hcl(x) : hcl_null(NULL);
		}
	}
	r = hcl_object(keys, vals, k);
	atmo__free(keys);
	atmo__free(vals);
	return r;
}

/* ---- BUILDX_BAKE_FILE_RELATIVE_PATHS: paths relative to the file ---- */

static int rebase_enabled(bake_parser *p)
{
	const char *v = NULL;

	if (!p->o->no_env && p->o->env)
		v = p->o->env("BUILDX_BAKE_FILE_RELATIVE_PATHS", 31, p->o->env_payload);
	return v && (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "TRUE") ||
		     !strcmp(v, "True") || !strcmp(v, "t") || !strcmp(v, "T"));
}

/* the directory of a file name ("." for none), malloc'd */
static char *file_dir(const char *file)
{
	const char *slash = file ? strrchr(file, '/') : NULL;

	if (!slash)
		return atmo__strdup(".", NULL);
	return atmo__strndup(file, (size_t)(slash - file), NULL);
}

/* Go's path.Join(dir, rel) */
static char *path_join(const char *dir, const char *rel)
{
	size_t n = strlen(dir) + strlen(rel) + 2;
	char *in = atmo__malloc(n, NULL), *out;

	if (!in)
		return NULL;
	snprintf(in, n, "%s/%s", dir, rel);
	out = atmo__bake_path_clean(in);
	atmo__free(in);
	return out;
}

static int is_local_path(const char *v)
{
	return *v && v[0] != '/' && !strstr(v, "://") && strncmp(v, "target:", 7) &&
	       strncmp(v, "docker-image:", 13);
}

static json_t *rebased(const char *dir, json_t *v)
{
	char *j;
	json_t *r;

	if (!json_is_string(v) || !is_local_path(json_string_value(v)))
		return json_incref(v);
	j = path_join(dir, json_string_value(v));
	r = j ? json_string(j) : NULL;
	atmo__free(j);
	return r;
}

static int refers_to_target(const hcl_traversal *t, void *payload)
{
	(void)payload;
	return !strcmp(t->root, "target");
}

/* ---- decoding one evaluation of a block ---- */

/* A Go field gocty decodes (a string, a bool, a list or map of them, a
 * struct) cannot hold the unknown value a failed expression leaves (HCL
 * returns an unknown value with its diagnostics), so gohcl adds its own
 * "Unsuitable value type" diagnostic; buildx's capsule types (cache, output,
 * secret, ssh, attest entries) convert on their own (bake_partial.c). */
static int plain_kind(bake_kind k)
{
	return k != BK_CACHE && k != BK_OUTPUT && k != BK_SECRET && k != BK_SSH && k != BK_ATTEST;
}

/* one more diagnostic of a block's body: the first is kept in *first */
static void body_diag(bake_parser *p, hcl_diag *first, size_t *n, size_t extra)
{
	if (!*n)
		*first = p->diag;
	else
		first->n_more += 1 + p->diag.n_more;
	first->n_more += extra;
	(*n)++;
}

static int decode_body(bake_parser *p, const hcl_block *blk, const hcl_ctx *ctx, int is_group,
		       json_t *fields)
{
	const hcl_body *b = blk->body;
	size_t i, n_diags = 0;
	hcl_diag first;

	/* gohcl's DecodeBody decodes every attribute and returns all their
	 * diagnostics; a failed reference (buildx's loadDeps, before decoding)
	 * is the only one reported */
	memset(&first, 0, sizeof(first));
	if (b->n_blocks)
		return atmo__bake_diag(p, &b->blocks[0].type_range, "Unsupported block type",
				       "Blocks of type \"%s\" are not expected here.",
				       b->blocks[0].type);
	for (i = 0; i < b->n_attrs; i++) {
		const hcl_attr *a = &b->attrs[i];
		bake_field gf;
		const bake_field *f;
		hcl_value *v = NULL;
		json_t *j = NULL;
		char msg[600];
		hcl_range r;

		if (!is_group && (!strcmp(a->name, "matrix") || !strcmp(a->name, "name")))
			continue;
		if (is_group) {
			gf.name = a->name;
			gf.merge = 0;
			if (!strcmp(a->name, "targets"))
				gf.kind = BK_LIST;
			else if (!strcmp(a->name, "description"))
				gf.kind = BK_DESC;
			else
				gf.name = NULL;
			f = gf.name ? &gf : NULL;
		} else {
			f = atmo__bake_field(a->name);
		}
		if (!f)
			return atmo__bake_diag(p, &a->name_range, "Unsupported argument",
					       "An argument named \"%s\" is not expected here.",
					       a->name);
		{
			size_t fails = p->lookup_fails;
			if (atmo__bake_eval(p, a->expr, ctx, &v) < 0) {
				if (p->lookup_fails != fails || p->diag.code != ATMO_EINVALID) {
					p->diag_soft = p->diag.code == ATMO_EINVALID;
					return -1;
				}
				{
					hcl_diag d = p->diag;
					int extra = plain_kind(f->kind)
							    ? 1
							    : atmo__bake_partial_fails(p, a->expr,
										       ctx, f);
					p->diag = d;
					if (extra < 0)
						return atmo__bake_diag(p, NULL, "Out of memory",
								       "out of memory");
					body_diag(p, &first, &n_diags, (size_t)extra);
				}
				continue;
			}
		}
		r = atmo__bake_start_range(p, hcl_expr_range(a->expr));
		if (atmo__bake_field_decode(&j, f, v, msg, sizeof(msg)) < 0) {
			hcl_value_unref(v);
			if (!strcmp(msg, "out of memory"))
				return atmo__bake_diag(p, &r, "Out of memory", "out of memory");
			atmo__bake_diag(p, &r, "Unsuitable value type", "%s", msg);
			body_diag(p, &first, &n_diags, 0);
			continue;
		}
		hcl_value_unref(v);
		if (j && p->rebase_dir &&
		    (!strcmp(a->name, "context") || !strcmp(a->name, "contexts")) &&
		    !hcl_expr_variables(a->expr, refers_to_target, NULL)) {
			json_t *rb;
			if (json_is_object(j)) {
				const char *k;
				json_t *x;
				rb = json_object();
				json_object_foreach(j, k, x)
					if (rb && json_object_set_new(
							  rb, k, rebased(p->rebase_dir, x)) < 0) {
						json_decref(rb);
						rb = NULL;
					}
			} else {
				rb = rebased(p->rebase_dir, j);
			}
			json_decref(j);
			j = rb;
			if (!j)
				return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
		}
		if (json_object_set_new(fields, a->name, j ? j : json_null()) < 0)
			return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
	}
	if (n_diags) {
		p->diag = first;
		p->diag_soft = 1;
		return -1;
	}
	if (p->rebase_dir && !is_group && strcmp(p->rebase_dir, ".") &&
	    json_object_set_new(fields, " dir", json_string(p->rebase_dir)) < 0)
		return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
	return 0;
}

/* set the fields of one evaluation over what earlier blocks of the name gave */
static int merge_into(json_t *dst, const json_t *src)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)src, k, v) {
		if (!strcmp(k, " dir") && json_object_get(dst, k))
			continue;
		if (json_is_null(v))
			json_object_del(dst, k);
		else if (json_object_set(dst, k, v) < 0)
			return -1;
	}
	return 0;
}

/* Target.Merge, keeping the hidden " dir" of the first */
static int merge_target(json_t *dst, const json_t *src)
{
	json_t *dir = json_object_get(src, " dir");

	if (dir && !json_object_get(dst, " dir") && json_object_set(dst, " dir", dir) < 0)
		return -1;
	return atmo__bake_target_merge(dst, src);
}

static int publish(bake_parser *p, const char *type, const char *name, const json_t *fields)
{
	json_t *m = json_object_get(p->tvals, type), *cur;

	cur = json_object_get(m, name);
	if (!cur) {
		/* the usual case, one block of a name: share its fields (nulls read as unset) */
		return json_object_set(m, name, (json_t *)fields);
	}
	/* a second block: a merged copy, so that the first block's fields stay as they were */
	cur = json_deep_copy(cur);
	if (!cur ||
	    (strcmp(type, "group") ? merge_target(cur, fields) : merge_into(cur, fields)) < 0 ||
	    json_object_set_new(m, name, cur) < 0)
		return -1;
	return 0;
}

/* ---- resolving one block ---- */

static int add_out(bake_block_state *s, const char *name, json_t *fields)
{
	char *copy = atmo__strdup(name, NULL);

	if (!copy || ATMO__GROW(s->outs, s->cap_outs, s->n_outs + 1, NULL) < 0) {
		atmo__free(copy);
		return -1;
	}
	s->outs[s->n_outs].name = copy;
	s->outs[s->n_outs].fields = fields;
	s->n_outs++;
	return 0;
}

static int eval_one(bake_parser *p, size_t bi, const hcl_ctx *ctx, int has_matrix, json_t *seen)
{
	const hcl_block *blk = p->blocks[bi];
	int is_group = !strcmp(blk->type, "group");
	hcl_attr *na = is_group ? NULL : attr_of(blk->body, "name");
	char *name = NULL;
	json_t *fields;
	int rc;

	if (na) {
		hcl_value *v = NULL, *s;
		if (!has_matrix)
			return atmo__bake_diag(p, &blk->label_ranges[0], "Invalid name",
					       "name requires matrix");
		if (atmo__bake_eval(p, na->expr, ctx, &v) < 0)
			return -1;
		s = hcl_convert(v, hcl_type_string(), NULL, 0, NULL, 0);
		hcl_value_unref(v);
		if (!s || s->is_null) {
			hcl_value_unref(s);
			return atmo__bake_diag(p, &blk->label_ranges[0], "Invalid name",
					       "name must be a string");
		}
		name = atmo__strdup(s->u.str.s, NULL);
		hcl_value_unref(s);
	} else {
		name = atmo__strdup(blk->labels[0], NULL);
	}
	if (!name)
		return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
	if (!valid_name(name)) {
		atmo__free(name);
		return atmo__bake_diag(p, &blk->label_ranges[0], "Invalid name",
				       "only \"[a-zA-Z0-9_-]+\" are allowed");
	}
	if (json_object_get(seen, name)) {
		rc = atmo__bake_diag(p, &blk->label_ranges[0], "Invalid name",
				     "duplicate name \"%s\"", name);
		atmo__free(name);
		return rc;
	}
	if (json_object_set_new(seen, name, json_true()) < 0) {
		atmo__free(name);
		return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
	}
	fields = json_object();
	if (!fields || decode_body(p, blk, ctx, is_group, fields) < 0 ||
	    publish(p, blk->type, name, fields) < 0 || add_out(&p->bs[bi], name, fields) < 0) {
		if (!p->diag.summary[0])
			atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
		json_decref(fields);
		atmo__free(name);
		return -1;
	}
	atmo__free(name);
	return 0;
}

static int is_seq(const hcl_value *v)
{
	return v->type->kind == HCL_T_LIST || v->type->kind == HCL_T_TUPLE ||
	       v->type->kind == HCL_T_SET;
}

static int resolve_block(bake_parser *p, size_t bi)
{
	const hcl_block *blk = p->blocks[bi];
	bake_block_state *s = &p->bs[bi];
	int is_group = !strcmp(blk->type, "group");
	hcl_attr *ma = attr_of(blk->body, "matrix");
	json_t *seen;
	char *saved_dir;
	int rc = 0;

	if (s->state == 2)
		return 0;
	if (s->state == 1)
		return atmo__bake_diag(p, &blk->label_ranges[0], "Invalid expression",
				       "%s %s refers to itself", blk->type, blk->labels[0]);
	s->state = 1;
	if (is_group) {
		if (ma)
			return atmo__bake_diag(p, &blk->label_ranges[0], "Invalid name",
					       "matrix is not supported for groups");
		if (attr_of(blk->body, "name"))
			return atmo__bake_diag(p, &blk->label_ranges[0], "Invalid name",
					       "name is not supported for groups");
	}
	seen = json_object();
	if (!seen)
		return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
	/* a block resolved from inside another (target.x.y) has its own file */
	saved_dir = p->rebase_dir;
	p->rebase_dir = rebase_enabled(p) ? file_dir(blk->range.filename) : NULL;
	if (!ma) {
		rc = eval_one(p, bi, &p->ctx, 0, seen);
	} else {
		hcl_value *m = NULL;
		size_t nk, i, total = 1, combo;
		if (atmo__bake_eval(p, ma->expr, NULL, &m) < 0) {
			rc = -1;
			goto out;
		}
		if (m->is_null || (m->type->kind != HCL_T_OBJECT && m->type->kind != HCL_T_MAP)) {
			hcl_value_unref(m);
			rc = atmo__bake_diag(p, &blk->label_ranges[0], "Invalid name",
					     "matrix must be a map");
			goto out;
		}
		nk = m->u.obj.n;
		for (i = 0; i < nk; i++) {
			if (m->u.obj.vals[i]->is_null || !is_seq(m->u.obj.vals[i])) {
				hcl_value_unref(m);
				rc = atmo__bake_diag(p, &blk->label_ranges[0], "Invalid name",
						     "matrix values must be a list");
				goto out;
			}
			total *= m->u.obj.vals[i]->u.seq.n;
			if (total > BAKE_MAX_MATRIX) {
				hcl_value_unref(m);
				rc = atmo__bake_diag(p, &ma->range, "Matrix too large",
						     "This matrix makes more than %d targets.",
						     BAKE_MAX_MATRIX);
				p->diag.code = ATMO_ELIMIT;
				goto out;
			}
		}
		/* buildx: the last key varies slowest, the first fastest */
		for (combo = 0; combo < total && rc == 0; combo++) {
			matrix_scope ms;
			hcl_ctx child;
			const char *keys[64];
			hcl_value *vals[64];
			size_t rem = combo;
			if (nk > 64) {
				rc = atmo__bake_diag(p, &ma->range, "Invalid matrix",
						     "too many matrix keys");
				break;
			}
			for (i = 0; i < nk; i++) {
				const hcl_value *list = m->u.obj.vals[i];
				keys[i] = m->u.obj.keys[i];
				vals[i] = list->u.seq.items[rem % list->u.seq.n];
				rem /= list->u.seq.n;
			}
			ms.keys = keys;
			ms.vals = vals;
			ms.n = nk;
			memset(&child, 0, sizeof(child));
			child.lookup = matrix_lookup;
			child.func = no_func;
			child.payload = &ms;
			child.parent = &p->ctx;
			child.max_string = p->ctx.max_string;
			child.budget = p->ctx.budget;
			rc = eval_one(p, bi, &child, 1, seen);
		}
		hcl_value_unref(m);
	}
	/* every target block says which names it gave its label (buildx's Renamed) */
	if (rc == 0 && !is_group) {
		json_t *names = json_array();
		size_t k;
		for (k = 0; names && k < s->n_outs; k++)
			if (json_array_append_new(names, json_string(s->outs[k].name)) < 0) {
				json_decref(names);
				names = NULL;
			}
		if (!names || json_array_append_new(p->renamed,
						    json_pack("[s,o]", blk->labels[0], names)) < 0)
			rc = atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
	}
out:
	json_decref(seen);
	atmo__free(p->rebase_dir);
	p->rebase_dir = saved_dir;
	if (rc == 0)
		s->state = 2;
	else if (p->diag_soft)
		s->state = 0; /* buildx decodes a failed block again when it is met again */
	return rc;
}

/* one attribute of a block in progress, decoded into fields (global scope) */
static int partial_attr(bake_parser *p, size_t bi, const char *attr, json_t *fields)
{
	const hcl_block *blk = p->blocks[bi];
	hcl_attr *a = attr_of(blk->body, attr);
	const bake_field *f;
	hcl_value *v = NULL;
	json_t *j = NULL;
	char msg[600];
	hcl_range r;
	char key[64];

	snprintf(key, sizeof(key), " partial %s", attr);
	if (!a || json_object_get(fields, attr) || json_object_get(fields, key) ||
	    !(f = atmo__bake_field(attr)))
		return 0;
	/* evaluating it may ask for it again: mark it first, so that is null, not a loop */
	if (json_object_set_new(fields, key, json_true()) < 0)
		return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
	{
		size_t fails = p->lookup_fails;
		if (atmo__bake_eval(p, a->expr, NULL, &v) < 0) {
			/* gohcl's own diagnostic for the failed value, as in decode_body */
			if (p->lookup_fails == fails && p->diag.code == ATMO_EINVALID) {
				hcl_diag d = p->diag;
				int extra = plain_kind(f->kind)
						    ? 1
						    : atmo__bake_partial_fails(p, a->expr, NULL, f);
				p->diag = d;
				if (extra < 0)
					return atmo__bake_diag(p, NULL, "Out of memory",
							       "out of memory");
				p->diag.n_more += (size_t)extra;
			}
			return -1;
		}
	}
	r = atmo__bake_start_range(p, hcl_expr_range(a->expr));
	if (atmo__bake_field_decode(&j, f, v, msg, sizeof(msg)) < 0) {
		hcl_value_unref(v);
		if (!strcmp(msg, "out of memory"))
			return atmo__bake_diag(p, &r, "Out of memory", "out of memory");
		return atmo__bake_diag(p, &r, "Unsuitable value type", "%s", msg);
	}
	hcl_value_unref(v);
	if (j && json_object_set_new(fields, attr, j) < 0)
		return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
	return 0;
}

int atmo__bake_block_ref(bake_parser *p, const hcl_traversal *t, hcl_value **out)
{
	const char *name;
	size_t i;
	json_t *m, *before = NULL, *view;
	int found = 0;

	*out = NULL;
	if (!t->n_steps)
		return atmo__bake_diag(p, &t->range, "Invalid expression",
				       "cannot access %s as a variable", t->root);
	if (t->steps[0].kind != HCL_STEP_ATTR)
		return atmo__bake_diag(p, &t->range, "Invalid expression",
				       "cannot traverse %s without attribute", t->root);
	name = t->steps[0].name;
	m = json_object_get(p->tvals, t->root);
	/*
	 * buildx resolves only the blocks whose (renamed) names include the one
	 * asked for; we may resolve a renaming block to learn its names. When
	 * none gives the name, the value seen is the one before those
	 * resolutions: an empty map while no block was stored, else an object.
	 */
	for (i = 0; i < p->n_blocks; i++) {
		if (strcmp(p->blocks[i]->type, t->root) || strcmp(p->blocks[i]->labels[0], name))
			continue;
		found = 1;
		if (!before && p->bs[i].state == 0 && attr_of(p->blocks[i]->body, "name") &&
		    !(before = json_deep_copy(m)))
			return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
		if (p->bs[i].state == 1) {
			/* a block being resolved (target.foo.x inside foo): buildx evaluates just
			 * the attribute asked for; an attribute not set is null */
			if (!json_object_get(m, name) &&
			    json_object_set_new(m, name, json_object()) < 0) {
				json_decref(before);
				return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
			}
			if (t->n_steps > 1 && t->steps[1].kind == HCL_STEP_ATTR &&
			    partial_attr(p, i, t->steps[1].name, json_object_get(m, name)) < 0) {
				json_decref(before);
				return -1;
			}
			continue;
		}
		if (resolve_block(p, i) < 0) {
			json_decref(before);
			return -1;
		}
	}
	if (!found && !json_object_get(m, name)) {
		/* a name a matrix block gives: resolve the renaming blocks before it */
		if (!before && !(before = json_deep_copy(m)))
			return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
		for (i = 0; i < p->n_blocks; i++) {
			if (strcmp(p->blocks[i]->type, t->root) || p->bs[i].state ||
			    !attr_of(p->blocks[i]->body, "name"))
				continue;
			if (resolve_block(p, i) < 0) {
				json_decref(before);
				return -1;
			}
		}
	}
	view = before && !json_object_get(m, name) ? before : m;
	if (!json_object_size(view)) {
		*out = hcl_map(hcl_type_string(), NULL, NULL, 0);
	} else {
		size_t n = json_object_size(view), k = 0;
		const char **keys = atmo__calloc(n + 1, sizeof(*keys), NULL);
		hcl_value **vals = atmo__calloc(n + 1, sizeof(*vals), NULL);
		const char *key;
		json_t *v;
		if (!keys || !vals) {
			atmo__free(keys);
			atmo__free(vals);
			json_decref(before);
			return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
		}
		json_object_foreach(view, key, v) {
			keys[k] = key;
			vals[k++] = target_value(key, v, !strcmp(t->root, "group"));
		}
		*out = hcl_object(keys, vals, n);
		atmo__free(keys);
		atmo__free(vals);
	}
	json_decref(before);
	return *out ? 0 : atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
}

/* ---- all blocks into the config ---- */

int atmo__bake_blocks_init(bake_parser *p)
{
	p->bs = atmo__calloc(p->n_blocks + 1, sizeof(*p->bs), NULL);
	p->tvals = json_pack("{s:{},s:{}}", "target", "group");
	p->renamed = json_array();
	return p->bs && p->tvals && p->renamed ? 0 : -1;
}

int atmo__bake_blocks(bake_parser *p)
{
	size_t i, k, n_diags = 0;
	hcl_diag first;

	/* buildx's Parse decodes every block and returns all their diagnostics
	 * together; other errors stop at once */
	memset(&first, 0, sizeof(first));
	for (i = 0; i < p->n_blocks; i++) {
		if (resolve_block(p, i) == 0)
			continue;
		if (!p->diag_soft)
			return -1;
		if (!n_diags)
			first = p->diag;
		else
			first.n_more += 1 + p->diag.n_more;
		n_diags++;
	}
	if (n_diags) {
		p->diag = first;
		return -1;
	}
	for (i = 0; i < p->n_blocks; i++) {
		int is_group = !strcmp(p->blocks[i]->type, "group");
		json_t *dst = is_group ? p->cfg->groups : p->cfg->targets;
		for (k = 0; k < p->bs[i].n_outs; k++) {
			const block_out *o = &p->bs[i].outs[k];
			json_t *cur = json_object_get(dst, o->name);
			if (!cur) {
				cur = json_object();
				if (!cur || json_object_set_new(dst, o->name, cur) < 0)
					return atmo__bake_diag(p, NULL, "Out of memory",
							       "out of memory");
			}
			/* several targets of a name are merged as buildx's dedupeConfig merges them */
			if ((is_group ? merge_into(cur, o->fields) : merge_target(cur, o->fields)) <
			    0)
				return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
		}
	}
	/* groups must have targets (buildx's Group.Targets is required... but may be empty) */
	{
		const char *g;
		json_t *v;
		json_object_foreach(p->cfg->groups, g, v)
			if (!json_object_get(v, "targets") &&
			    json_object_set_new(v, "targets", json_array()) < 0)
				return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
	}
	/* a matrix block's old name becomes a group of its new names (of every block of that name) */
	{
		json_t *byname = json_object(), *merged = json_array(), *r;
		int bad = !byname || !merged;
		json_array_foreach(p->renamed, i, r) {
			const char *old = json_string_value(json_array_get(r, 0));
			json_t *acc = json_object_get(byname, old);
			if (bad)
				break;
			if (!acc) {
				acc = json_array();
				if (json_object_set_new(byname, old, acc) < 0 ||
				    json_array_append_new(merged, json_pack("[s,O]", old, acc)) <
					    0) {
					bad = 1;
					break;
				}
			}
			bad = json_array_extend(acc, json_array_get(r, 1)) < 0;
		}
		json_decref(byname);
		if (bad) {
			json_decref(merged);
			return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
		}
		json_decref(p->renamed);
		p->renamed = merged;
	}
	for (i = 0; i < json_array_size(p->renamed); i++) {
		json_t *r = json_array_get(p->renamed, i);
		const char *old = json_string_value(json_array_get(r, 0));
		json_t *names = json_array_get(r, 1), *u = json_array(), *x, *g;
		size_t j, l;
		if (!u)
			return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
		json_array_foreach(names, j, x) {
			int dup = 0;
			for (l = 0; l < json_array_size(u); l++)
				dup |= json_equal(json_array_get(u, l), x);
			if (!dup && json_array_append(u, x) < 0) {
				json_decref(u);
				return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
			}
		}
		if (json_array_size(u) == 1 &&
		    !strcmp(json_string_value(json_array_get(u, 0)), old)) {
			json_decref(u);
			continue;
		}
		g = json_object_get(p->cfg->groups, old);
		if (g) {
			json_decref(u);
			continue;
		}
		if (json_object_set_new(p->cfg->groups, old, json_pack("{s:o}", "targets", u)) < 0)
			return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
	}
	return 0;
}

void atmo__bake_blocks_free(bake_parser *p)
{
	size_t i, k;

	if (p->bs) {
		for (i = 0; i < p->n_blocks; i++) {
			for (k = 0; k < p->bs[i].n_outs; k++) {
				atmo__free(p->bs[i].outs[k].name);
				json_decref(p->bs[i].outs[k].fields);
			}
			atmo__free(p->bs[i].outs);
		}
		atmo__free(p->bs);
	}
	json_decref(p->tvals);
	json_decref(p->renamed);
	atmo__free(p->rebase_dir);
}
