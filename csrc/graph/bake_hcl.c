/*
 * ParseFiles: bake files (HCL and JSON, through the hcl module) evaluated as
 * buildx's hclparser does: global attributes, variables (lazily, with
 * cycle detection, environment overrides parsed per type, validation
 * blocks), user functions, built-in variables, `target.x.field` references
 * between blocks, matrix expansion and renaming, merged into a bake_config.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "graph/bake_config_int.h"
#include "graph/bake_hcl_int.h"
#include "util/error.h"
#include "util/alloc.h"
#include "util/grow.h"

/* ---- errors ---- */

int atmo__bake_diag(bake_parser *p, const hcl_range *r, const char *summary, const char *fmt, ...)
{
	va_list ap;

	/* running out of memory is no fault of the file: the caller sees ATMO_ENOMEM */
	p->diag.code = strcmp(summary, "Out of memory") ? ATMO_EINVALID : ATMO_ENOMEM;
	p->diag.n_more = 0;
	p->diag_soft = 0;
	if (r)
		p->diag.subject = *r;
	else
		memset(&p->diag.subject, 0, sizeof(p->diag.subject));
	snprintf(p->diag.summary, sizeof(p->diag.summary), "%s", summary);
	va_start(ap, fmt);
	vsnprintf(p->diag.detail, sizeof(p->diag.detail), fmt, ap);
	va_end(ap);
	return -1;
}

int atmo__bake_diag_error(const hcl_diag *d, atmo_error *err)
{
	char where[300], more[64];
	int code = d->code ? d->code : ATMO_EINVALID;

	hcl_diag_more(d, more, sizeof(more));
	if (!d->subject.filename)
		return atmo__error_set(err, code, NULL, 0, 0, "%s; %s%s", d->summary, d->detail,
				       more);
	hcl_range_format(&d->subject, where, sizeof(where));
	return atmo__error_set(err, code, d->subject.filename, d->subject.start.line,
			       d->subject.start.column, "%s: %s; %s%s", where, d->summary,
			       d->detail, more);
}

hcl_range atmo__bake_start_range(const bake_parser *p, hcl_range r)
{
	size_t i;

	for (i = 0; i < p->n_srcs; i++) {
		const char *t = p->srcs[i].text;
		long b = r.start.byte, e = b;
		if (!r.filename || strcmp(p->srcs[i].name, r.filename) || b < 0 ||
		    (size_t)b >= p->srcs[i].len)
			continue;
		if (strchr("{[(\"", t[b])) {
			e = b + 1;
		} else {
			while ((size_t)e < p->srcs[i].len &&
			       (isalnum((unsigned char)t[e]) || t[e] == '_' || t[e] == '-'))
				e++;
			if (e == b)
				return r;
		}
		if (r.start.line == r.end.line && r.end.byte <= e)
			return r;
		r.end = r.start;
		r.end.byte = e;
		r.end.column = r.start.column + (int)(e - b);
		return r;
	}
	return r;
}

/* ---- name tables ---- */

static long ix_get(const atmo__map *ix, const char *name)
{
	const size_t *v = atmo__map_get(ix, name);
	return v ? (long)*v : -1;
}

/* append p to the pointer array *arr of *n items and room for *cap; -1 no memory */
static int push_ptr(void ***arr, size_t *n, size_t *cap, void *p)
{
	if (atmo__grow(arr, cap, *n + 1, sizeof(**arr), NULL) < 0)
		return -1;
	(*arr)[(*n)++] = p;
	return 0;
}

/* ---- variables ---- */

static hcl_value *value_cache_get(bake_parser *p, const char *name)
{
	const size_t *v = atmo__map_get(&p->val_ix, name);
	return v ? p->vals[*v] : NULL;
}

static int value_cache_set(bake_parser *p, const char *name, hcl_value *v)
{
	if (push_ptr((void ***)&p->vals, &p->n_vals, &p->cap_vals, v) < 0) {
		hcl_value_unref(v);
		return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
	}
	if (atmo__map_set(&p->val_ix, name, p->n_vals - 1, NULL) < 0) {
		/* not kept after all: p->vals would free it a second time */
		p->vals[--p->n_vals] = NULL;
		hcl_value_unref(v);
		return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
	}
	return 0;
}

static const char *lookup_env(bake_parser *p, const char *name)
{
	size_t i, len = strlen(name);

	for (i = p->o->n_set_vars; i-- > 0;) {
		const char *sv = p->o->set_vars[i];
		if (!strncmp(sv, name, len) && sv[len] == '=')
			return sv + len + 1;
	}
	if (p->o->no_env || !p->o->env)
		return NULL;
	return p->o->env(name, len, p->o->env_payload);
}

int atmo__bake_eval(bake_parser *p, const hcl_expr *e, const hcl_ctx *ctx, hcl_value **out)
{
	int rc;

	p->diag_soft = 0;
	rc = hcl_eval(e, ctx ? ctx : &p->ctx, out, &p->diag);
	if (rc < 0 && !p->diag.code)
		p->diag.code = rc;
	return rc < 0 ? -1 : 0;
}

static int resolve_var(bake_parser *p, const char *name, const hcl_range *use, hcl_value **out);

/* the bytes all variables may hold together */
#define BAKE_MAX_KEPT (64u << 20)

static size_t value_size(const hcl_value *v)
{
	size_t n = 32, i;

	if (!v || v->is_null || v->is_unknown)
		return n;
	switch (v->type->kind) {
	case HCL_T_STRING:
		return n + v->u.str.len;
	case HCL_T_LIST:
	case HCL_T_SET:
	case HCL_T_TUPLE:
		for (i = 0; i < v->u.seq.n; i++)
			n += value_size(v->u.seq.items[i]);
		return n;
	case HCL_T_MAP:
	case HCL_T_OBJECT:
		for (i = 0; i < v->u.obj.n; i++)
			n += strlen(v->u.obj.keys[i]) + value_size(v->u.obj.vals[i]);
		return n;
	default:
		return n;
	}
}

static int resolve_attr_or_var(bake_parser *p, const char *name, const hcl_range *use,
			       hcl_value **out)
{
	hcl_value *v = value_cache_get(p, name);

	if (v) {
		*out = hcl_value_ref(v);
		return 0;
	}
	return resolve_var(p, name, use, out);
}

static int resolve_var(bake_parser *p, const char *name, const hcl_range *use, hcl_value **out)
{
	long ai = ix_get(&p->attr_ix, name), vi = ix_get(&p->var_ix, name);
	int builtin = !strcmp(name, "BAKE_CMD_CONTEXT") || !strcmp(name, "BAKE_LOCAL_PLATFORM");
	hcl_value *v = NULL;
	int rc;

	*out = NULL;
	if (ai < 0 && vi < 0 && !builtin)
		return 1;
	if (atmo__map_get(&p->progress, name))
		return atmo__bake_diag(p, use, "Invalid expression",
				       "variable cycle not allowed for %s", name);
	if (atmo__map_set(&p->progress, name, 1, NULL) < 0)
		return atmo__bake_diag(p, use, "Out of memory", "out of memory");
	if (ai >= 0) {
		rc = atmo__bake_eval(p, p->attrs[ai]->expr, NULL, &v);
		if (rc == 0 && (rc = atmo__bake_attr_env(p, name, p->attrs[ai], &v)) < 0) {
			hcl_value_unref(v);
			v = NULL;
		}
	} else if (vi < 0) {
		const char *env = lookup_env(p, name);
		if (env)
			v = hcl_cstring(env);
		else if (!strcmp(name, "BAKE_CMD_CONTEXT"))
			v = hcl_cstring(".");
		else
			v = hcl_cstring(p->local_platform);
		rc = v ? 0 : atmo__bake_diag(p, use, "Out of memory", "out of memory");
	} else {
		rc = atmo__bake_var_value(p, p->vars[vi], &v);
	}
	atmo__map_del(&p->progress, name);
	if (rc < 0)
		return -1;
	/* every value is kept until the end: their total is bounded, not only each one's */
	p->kept += value_size(v);
	if (p->kept > (p->o->eval_budget ? p->o->eval_budget : BAKE_MAX_KEPT)) {
		hcl_value_unref(v);
		atmo__bake_diag(p, use, "Variables too large",
				"The variables and attributes hold more than %zu bytes.",
				p->o->eval_budget ? p->o->eval_budget : (size_t)BAKE_MAX_KEPT);
		p->diag.code = ATMO_ELIMIT;
		return -1;
	}
	if (value_cache_set(p, name, hcl_value_ref(v)) < 0) {
		hcl_value_unref(v);
		return -1;
	}
	*out = v;
	return 0;
}

/* ---- the scopes ---- */

static int global_lookup(void *payload, const hcl_traversal *t, hcl_value **out, hcl_diag *diag)
{
	bake_parser *p = payload;
	int rc;

	if (!strcmp(t->root, "target") || !strcmp(t->root, "group"))
		rc = atmo__bake_block_ref(p, t, out);
	else
		rc = resolve_attr_or_var(p, t->root, &t->range, out);
	if (rc < 0)
		p->lookup_fails++;
	/* the evaluator may be reading into a diag of its own (inside try() or can()) */
	if (rc < 0 && diag && diag != &p->diag)
		*diag = p->diag;
	return rc;
}

static int global_func(void *payload, const char *name, const hcl_func **out, hcl_diag *diag)
{
	bake_parser *p = payload;
	int rc;

	rc = atmo__bake_user_func(p, name, out);
	if (rc < 0)
		p->lookup_fails++;
	if (rc < 0 && diag && diag != &p->diag)
		*diag = p->diag;
	if (rc != 1)
		return rc;
	*out = hcl_stdlib_lookup(name);
	return *out ? 0 : 1;
}

/* ---- reading the files ---- */

static const hcl_json_block_spec validation_spec[] = { { "validation", 0, NULL } };
static const hcl_json_schema variable_schema = { validation_spec, 1 };
static const hcl_json_block_spec root_blocks[] = {
	{ "variable", 1, &variable_schema },
	{ "function", 1, NULL },
	{ "target", 1, NULL },
	{ "group", 1, NULL },
};
static const hcl_json_schema root_schema = { root_blocks, 4 };

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

static int parse_file(bake_parser *p, const bake_file *f, atmo_error *err)
{
	hcl_file *hf = NULL;
	hcl_diag d;
	int rc;

	memset(&d, 0, sizeof(d));
	if (ends_with(f->name, ".yml") || ends_with(f->name, ".yaml"))
		return atmo__error_set(err, ATMO_EUNSUPPORTED, f->name, 0, 0,
				       "compose files are not supported");
	if (ends_with(f->name, ".json")) {
		rc = hcl_parse_json(&hf, f->text, f->len, f->name, &root_schema, &d);
	} else if (ends_with(f->name, ".hcl")) {
		rc = hcl_parse(&hf, f->text, f->len, f->name, &d);
	} else {
		/* buildx: HCL first (named NAME.hcl), then JSON (NAME.json) */
		char *hname = atmo__malloc(strlen(f->name) + 6, NULL),
		     *jname = atmo__malloc(strlen(f->name) + 6, NULL);
		hcl_diag d2;
		if (!hname || !jname) {
			atmo__free(hname);
			atmo__free(jname);
			return atmo__error_nomem(err);
		}
		sprintf(hname, "%s.hcl", f->name);
		sprintf(jname, "%s.json", f->name);
		/* the names must outlive the file: keep them */
		if (push_ptr((void ***)&p->names, &p->n_names, &p->cap_names, hname) < 0) {
			atmo__free(hname);
			atmo__free(jname);
			return atmo__error_nomem(err);
		}
		if (push_ptr((void ***)&p->names, &p->n_names, &p->cap_names, jname) < 0) {
			atmo__free(jname); /* hname is kept in p->names */
			return atmo__error_nomem(err);
		}
		rc = hcl_parse(&hf, f->text, f->len, hname, &d);
		if (rc < 0) {
			memset(&d2, 0, sizeof(d2));
			if (hcl_parse_json(&hf, f->text, f->len, jname, &root_schema, &d2) == 0) {
				rc = 0;
			} else {
				char where[300], more[64];
				hcl_range_format(&d.subject, where, sizeof(where));
				hcl_diag_more(&d, more, sizeof(more));
				/* buildx's text, with the program's name where its compose loader names itself */
				return atmo__error_set(
					err, ATMO_EINVALID, f->name, d.subject.start.line,
					d.subject.start.column,
					"failed to parse %s: parsing yaml: atmograph: compose "
					"files are not supported, parsing hcl: %s: %s; %s%s",
					f->name, where, d.summary, d.detail, more);
			}
		}
	}
	if (rc < 0) {
		if (!d.code)
			d.code = rc;
		return atmo__bake_diag_error(&d, err);
	}
	if (push_ptr((void ***)&p->files, &p->n_files, &p->cap_files, hf) < 0) {
		hcl_file_free(hf);
		return atmo__error_nomem(err);
	}
	return 0;
}

/* Every bake block has one label, its name: HCL's messages for a missing or an
 * extra one (hclsyntax Body.PartialContent) */
static int check_labels(const hcl_block *bl, atmo_error *err)
{
	hcl_diag d;

	if (bl->n_labels == 1)
		return 0;
	memset(&d, 0, sizeof(d));
	d.code = ATMO_EINVALID;
	if (bl->n_labels == 0) {
		/* HCL points at the opening brace, right after the block type */
		d.subject = bl->type_range;
		d.subject.start = bl->type_range.end;
		d.subject.end.column = d.subject.start.column + 1;
		d.subject.end.byte = d.subject.start.byte + 1;
		snprintf(d.summary, sizeof(d.summary), "Missing name for %s", bl->type);
		snprintf(d.detail, sizeof(d.detail), "All %s blocks must have 1 labels (name).",
			 bl->type);
	} else {
		d.subject = bl->label_ranges[1];
		snprintf(d.summary, sizeof(d.summary), "Extraneous label for %s", bl->type);
		snprintf(d.detail, sizeof(d.detail), "No more labels are expected for %s blocks.",
			 bl->type);
	}
	return atmo__bake_diag_error(&d, err);
}

static int collect(bake_parser *p, atmo_error *err)
{
	size_t i, j;

	for (i = 0; i < p->n_files; i++) {
		hcl_body *b = hcl_file_body(p->files[i]);
		for (j = 0; j < b->n_attrs; j++) {
			hcl_attr *a = &b->attrs[j];
			long k = ix_get(&p->attr_ix, a->name);
			if (k >= 0) {
				p->attrs[k] = a;
				continue;
			}
			if (push_ptr((void ***)&p->attrs, &p->n_attrs, &p->cap_attrs, a) < 0 ||
			    atmo__map_set(&p->attr_ix, a->name, p->n_attrs - 1, NULL) < 0)
				return atmo__error_nomem(err);
		}
		for (j = 0; j < b->n_blocks; j++) {
			hcl_block *bl = &b->blocks[j];
			atmo__map *ix = NULL;
			hcl_block ***arr = NULL;
			size_t *n = NULL, *cap = NULL;
			long k;
			if (!strcmp(bl->type, "variable")) {
				ix = &p->var_ix;
				arr = &p->vars;
				n = &p->n_vars;
				cap = &p->cap_vars;
			} else if (!strcmp(bl->type, "function")) {
				ix = &p->func_ix;
				arr = &p->funcs;
				n = &p->n_funcs;
				cap = &p->cap_funcs;
			} else if (!strcmp(bl->type, "target") || !strcmp(bl->type, "group")) {
				int lrc = check_labels(bl, err);
				if (lrc < 0)
					return lrc;
				if (push_ptr((void ***)&p->blocks, &p->n_blocks, &p->cap_blocks,
					     bl) < 0)
					return atmo__error_nomem(err);
				continue;
			} else {
				hcl_diag d;
				memset(&d, 0, sizeof(d));
				d.code = ATMO_EINVALID;
				d.subject = bl->type_range;
				snprintf(d.summary, sizeof(d.summary), "Unsupported block type");
				snprintf(d.detail, sizeof(d.detail),
					 "Blocks of type \"%s\" are not expected here.", bl->type);
				return atmo__bake_diag_error(&d, err);
			}
			int lrc = check_labels(bl, err);
			if (lrc < 0)
				return lrc;
			k = ix_get(ix, bl->labels[0]);
			if (k >= 0) {
				(*arr)[k] = bl;
				continue;
			}
			if (push_ptr((void ***)arr, n, cap, bl) < 0 ||
			    atmo__map_set(ix, bl->labels[0], *n - 1, NULL) < 0)
				return atmo__error_nomem(err);
		}
	}
	return 0;
}

static void local_platform(char *buf, size_t n)
{
	struct utsname u;
	const char *arch = "amd64";

	if (uname(&u) == 0) {
		if (!strcmp(u.machine, "aarch64"))
			arch = "arm64";
		else if (!strcmp(u.machine, "armv7l"))
			arch = "arm/v7";
		else if (!strcmp(u.machine, "x86_64"))
			arch = "amd64";
		else if (!strcmp(u.machine, "i686") || !strcmp(u.machine, "i386"))
			arch = "386";
		else
			arch = u.machine;
	}
	snprintf(buf, n, "linux/%.40s", arch);
}

void atmo__bake_parser_free(bake_parser *p)
{
	size_t i;

	for (i = 0; i < p->n_vals; i++)
		hcl_value_unref(p->vals[i]);
	atmo__free(p->vals);
	atmo__bake_funcs_free(p);
	atmo__bake_blocks_free(p);
	for (i = 0; i < p->n_files; i++)
		hcl_file_free(p->files[i]);
	atmo__free(p->files);
	for (i = 0; i < p->n_names; i++)
		atmo__free(p->names[i]);
	atmo__free(p->names);
	atmo__free(p->attrs);
	atmo__free(p->vars);
	atmo__free(p->funcs);
	atmo__free(p->blocks);
	atmo__map_free(&p->attr_ix);
	atmo__map_free(&p->var_ix);
	atmo__map_free(&p->func_ix);
	atmo__map_free(&p->val_ix);
	atmo__map_free(&p->progress);
}

int atmo__bake_parse_files(bake_config *c, const bake_file *files, size_t n,
			   const atmo_bake_options *o, atmo_error *err)
{
	bake_parser p;
	size_t i;
	int rc = 0;

	memset(&p, 0, sizeof(p));
	c->targets = json_object();
	c->groups = json_object();
	p.o = o;
	p.cfg = c;
	p.srcs = files;
	p.n_srcs = n;
	/* the names live in the files, but a copy costs little and ties no lifetimes */
	p.attr_ix.copy_keys = p.var_ix.copy_keys = p.func_ix.copy_keys = 1;
	p.val_ix.copy_keys = p.progress.copy_keys = 1;
	if (!c->targets || !c->groups) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	if (o->local_platform)
		snprintf(p.local_platform, sizeof(p.local_platform), "%s", o->local_platform);
	else
		local_platform(p.local_platform, sizeof(p.local_platform));
	p.ctx.lookup = global_lookup;
	p.ctx.func = global_func;
	p.ctx.payload = &p;
	p.ctx.budget = o->eval_budget;
	for (i = 0; i < n; i++)
		if ((rc = parse_file(&p, &files[i], err)) < 0)
			goto done;
	if ((rc = collect(&p, err)) < 0)
		goto done;
	if (atmo__bake_blocks_init(&p) < 0) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	memset(&p.diag, 0, sizeof(p.diag));
	/* buildx resolves every attribute and variable, used or not, then validates */
	for (i = 0; i < p.n_attrs; i++) {
		hcl_value *v = NULL;
		if ((rc = resolve_attr_or_var(&p, p.attrs[i]->name, &p.attrs[i]->name_range, &v)) <
		    0)
			goto diag;
		hcl_value_unref(v);
	}
	for (i = 0; i < p.n_vars; i++) {
		hcl_value *v = NULL;
		if ((rc = resolve_attr_or_var(&p, p.vars[i]->labels[0], &p.vars[i]->label_ranges[0],
					      &v)) < 0)
			goto diag;
		hcl_value_unref(v);
	}
	for (i = 0; i < p.n_vars; i++)
		if ((rc = atmo__bake_var_validate(&p, p.vars[i])) < 0)
			goto diag;
	if ((rc = atmo__bake_funcs_check(&p)) < 0)
		goto diag;
	if ((rc = atmo__bake_blocks(&p)) < 0)
		goto diag;
	goto done;
diag:
	if (p.err_set) {
		*err = p.err;
		rc = err->code ? err->code : ATMO_EINVALID;
	} else {
		if (!p.diag.code)
			p.diag.code = ATMO_EINVALID;
		rc = atmo__bake_diag_error(&p.diag, err);
	}
done:
	atmo__bake_parser_free(&p);
	return rc < 0 ? rc : 0;
}
