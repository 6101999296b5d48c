/*
 * Variables as buildx's hclparser resolves them: the default (converted to
 * the declared type), an override from the environment (NAME_JSON as JSON,
 * NAME parsed per the type: bool, number, CSV for lists, sets, tuples and
 * maps), and validation blocks.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/bake_hcl_int.h"
#include "util/alloc.h"
#include "util/json_nomem.h"

static hcl_attr *attr_of(const hcl_body *b, const char *name)
{
	size_t i;

	for (i = b->n_attrs; i-- > 0;)
		if (!strcmp(b->attrs[i].name, name))
			return &b->attrs[i];
	return NULL;
}

static const char *env_of(bake_parser *p, const char *name)
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

static int is_primitive(const hcl_type *t)
{
	return t->kind == HCL_T_STRING || t->kind == HCL_T_NUMBER || t->kind == HCL_T_BOOL;
}

/* ---- scalars parsed as Go's strconv does ---- */

static int parse_bool(const char *s, int *b)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False", NULL };
	size_t i;

	for (i = 0; t[i]; i++) {
		if (!strcmp(s, t[i])) {
			*b = 1;
			return 0;
		}
		if (!strcmp(s, f[i])) {
			*b = 0;
			return 0;
		}
	}
	return -1;
}

/* 0 ok, -1 syntax (strconv), -2 not a finite number */
static int parse_float(const char *s, double *d)
{
	char *end;

	if (!*s || *s == ' ' || *s == '\t' || *s == '\n')
		return -1;
	errno = 0;
	*d = strtod(s, &end);
	if (*end)
		return -1;
	if (isnan(*d) || isinf(*d))
		return -2;
	return 0;
}

static hcl_value *parse_prim(const char *name, const char *s, const hcl_type *t, char *msg,
			     size_t n)
{
	double d;
	int b, rc;

	switch (t->kind) {
	case HCL_T_BOOL:
		if (parse_bool(s, &b) < 0) {
			snprintf(msg, n,
				 "failed to parse %s as bool: strconv.ParseBool: parsing \"%s\": "
				 "invalid syntax",
				 name, s);
			return NULL;
		}
		return hcl_bool(b);
	case HCL_T_NUMBER:
		rc = parse_float(s, &d);
		if (rc == -1) {
			snprintf(msg, n,
				 "failed to parse %s as number: strconv.ParseFloat: parsing "
				 "\"%s\": invalid syntax",
				 name, s);
			return NULL;
		}
		if (rc == -2) {
			snprintf(msg, n, "failed to parse %s as number: invalid number value",
				 name);
			return NULL;
		}
		return hcl_number(d);
	default:
		return hcl_cstring(s);
	}
}

/* ---- CSV form of lists, sets, tuples and maps ---- */

static hcl_value *parse_csv(const char *name, const char *s, const hcl_type *t, char *msg, size_t n)
{
	json_t *fields = NULL;
	char tn[128], inner[400], cm[200];
	hcl_value **items = NULL, *r = NULL;
	char **keys = NULL;
	size_t i, cnt;

	hcl_type_friendly(t, tn, sizeof(tn));
	if (t->kind == HCL_T_LIST || t->kind == HCL_T_SET || t->kind == HCL_T_MAP) {
		if (!is_primitive(t->elem)) {
			snprintf(msg, n, "unsupported type %s for CSV specification", tn);
			return NULL;
		}
	} else if (t->kind == HCL_T_TUPLE) {
		for (i = 0; i < t->n; i++)
			if (!is_primitive(t->elems[i])) {
				snprintf(msg, n, "unsupported type %s for CSV specification", tn);
				return NULL;
			}
	}
	if (atmo__bake_csv(&fields, s, cm, sizeof(cm)) < 0) {
		snprintf(msg, n, "failed to parse %s as CSV: %s", s, cm);
		return NULL;
	}
	cnt = json_array_size(fields);
	items = atmo__calloc(cnt + 1, sizeof(*items), NULL);
	keys = atmo__calloc(cnt + 1, sizeof(*keys), NULL);
	if (!items || !keys)
		goto fail_oom;
	for (i = 0; i < cnt; i++) {
		const char *f = json_string_value(json_array_get(fields, i));
		const hcl_type *et = t->kind == HCL_T_TUPLE
					     ? (i < t->n ? t->elems[i] : hcl_type_string())
					     : t->elem;
		if (t->kind == HCL_T_MAP) {
			const char *c = strchr(f, ':');
			size_t pieces = 1;
			const char *q;
			for (q = f; *q; q++)
				pieces += *q == ':';
			if (pieces != 2) {
				snprintf(msg, n, "expected one k/v pair but got %zu pieces from %s",
					 pieces, f);
				goto fail;
			}
			keys[i] = atmo__strndup(f, (size_t)(c - f), NULL);
			if (!keys[i])
				goto fail_oom;
			f = c + 1;
		}
		items[i] = parse_prim(name, f, et, inner, sizeof(inner));
		if (!items[i]) {
			snprintf(msg, n, "failed to parse element %s type %s: %s",
				 t->kind == HCL_T_MAP ? "from" : "of", tn, inner);
			goto fail;
		}
	}
	if (t->kind == HCL_T_LIST)
		r = hcl_list(hcl_type_ref(t->elem), items, cnt);
	else if (t->kind == HCL_T_SET)
		r = hcl_set(hcl_type_ref(t->elem), items, cnt);
	else if (t->kind == HCL_T_TUPLE)
		r = hcl_tuple(items, cnt);
	else
		r = hcl_map(hcl_type_ref(t->elem), (const char *const *)keys, items, cnt);
	/* the values were stolen (also on failure), the array was not */
	atmo__free(items);
	items = NULL;
	if (!r)
		goto fail_oom;
	goto done;
fail_oom:
	snprintf(msg, n, "out of memory");
fail:
	if (items)
		for (i = 0; i < cnt; i++)
			hcl_value_unref(items[i]);
done:
	if (keys)
		for (i = 0; i < cnt; i++)
			atmo__free(keys[i]);
	atmo__free(keys);
	atmo__free(items);
	json_decref(fields);
	return r;
}

/* ---- JSON form ---- */

static hcl_value *from_json(const json_t *j)
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
		return hcl_null(NULL);
	case JSON_ARRAY:
		n = json_array_size(j);
		items = atmo__calloc(n + 1, sizeof(*items), NULL);
		if (!items)
			return NULL;
		for (i = 0; i < n; i++)
			if (!(items[i] = from_json(json_array_get(j, i)))) {
				while (i-- > 0)
					hcl_value_unref(items[i]);
				atmo__free(items);
				return NULL;
			}
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
			if (!(items[i] = from_json(v))) {
				while (i-- > 0)
					hcl_value_unref(items[i]);
				atmo__free(items);
				atmo__free(keys);
				return NULL;
			}
			i++;
		}
		r = hcl_object(keys, items, n);
		atmo__free(items);
		atmo__free(keys);
		return r;
	}
	}
	return NULL;
}

static hcl_value *parse_json_value(const char *s, const hcl_type *t, char *msg, size_t n)
{
	json_error_t je;
	json_t *j;
	hcl_value *v, *c;
	char cm[256];

	memset(&je, 0, sizeof(je)); /* atmo__json_nomem() reads what jansson left */
	j = json_loads(s, JSON_DECODE_ANY, &je);
	if (!j && atmo__json_nomem(&je, s, strlen(s))) {
		snprintf(msg, n, "out of memory");
		return NULL;
	}
	if (!j) {
		const char *q = s;
		while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
			q++;
		if (*q && !strchr("{[\"-0123456789tfn", *q))
			snprintf(msg, n, "invalid character '%c' looking for beginning of value",
				 *q);
		else
			snprintf(msg, n, "%s", je.text);
		return NULL;
	}
	v = from_json(j);
	json_decref(j);
	if (!v) {
		snprintf(msg, n, "out of memory");
		return NULL;
	}
	cm[0] = '\0';
	c = hcl_convert(v, t, cm, sizeof(cm), NULL, 0);
	hcl_value_unref(v);
	if (!c)
		snprintf(msg, n, "%s", cm);
	return c;
}

/* ---- the variable ---- */

/* the parsers above say "out of memory" when they could not make a value: that
   is no invalid value (atmo__bake_diag gives ATMO_ENOMEM for "Out of memory") */
static int nomem(const char *msg)
{
	return !strcmp(msg, "out of memory");
}

int atmo__bake_var_value(bake_parser *p, const hcl_block *var, hcl_value **out)
{
	const hcl_body *b = var->body;
	const char *name = var->labels[0];
	hcl_attr *def = attr_of(b, "default"), *typ = attr_of(b, "type");
	hcl_type *t = NULL;
	hcl_value *dv = NULL, *v = NULL;
	hcl_range miss;
	char json_name[300], msg[600], tn[128];
	const char *env, *envj;
	int rc = -1;

	*out = NULL;
	miss.filename = b->range.filename;
	miss.start = miss.end = b->range.start;
	if (typ && hcl_eval_type(typ->expr, &t, &p->diag) < 0)
		return -1;
	if (def && atmo__bake_eval(p, def->expr, NULL, &dv) < 0)
		goto done;
	if (t && dv && !dv->is_null) {
		char cm[256], path[128];
		hcl_value *c;
		cm[0] = path[0] = '\0';
		c = hcl_convert(dv, t, cm, sizeof(cm), path, sizeof(path));
		if (!c) {
			atmo__bake_diag(p, &miss, "Invalid value",
					"invalid type %s for variable %s default value: %s",
					hcl_type_friendly(t, tn, sizeof(tn)), name, cm);
			goto done;
		}
		hcl_value_unref(dv);
		dv = c;
	}
	snprintf(json_name, sizeof(json_name), "%s_JSON", name);
	env = env_of(p, name);
	envj = t ? env_of(p, json_name) : NULL;
	if (!t && dv && !dv->is_null && (env || env_of(p, json_name)) && !is_primitive(dv->type)) {
		atmo__bake_diag(p, &miss, "Invalid value", "unsupported type %s for variable %s",
				hcl_type_friendly(dv->type, tn, sizeof(tn)), name);
		goto done;
	}
	if (envj) {
		v = parse_json_value(envj, t, msg, sizeof(msg));
		if (!v) {
			if (nomem(msg))
				atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
			else
				atmo__bake_diag(p, &miss, "Invalid value",
						"failed to convert variable %s from JSON: %s", name,
						msg);
			goto done;
		}
	} else if (env) {
		const hcl_type *want = t ? t : (dv && !dv->is_null ? dv->type : hcl_type_string());
		if (want->kind == HCL_T_DYNAMIC || is_primitive(want)) {
			v = parse_prim(name, env, want, msg, sizeof(msg));
			if (!v) {
				if (nomem(msg))
					atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
				else
					atmo__bake_diag(p, &miss, "Invalid value", "%s", msg);
				goto done;
			}
		} else if (want->kind == HCL_T_OBJECT) {
			atmo__bake_diag(p, &miss, "Invalid value",
					"unsupported type %s for variable %s",
					hcl_type_friendly(want, tn, sizeof(tn)), name);
			goto done;
		} else {
			v = parse_csv(name, env, want, msg, sizeof(msg));
			if (!v) {
				if (nomem(msg))
					atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
				else
					atmo__bake_diag(
						p, &miss, "Invalid value",
						"failed to convert variable %s from CSV: %s", name,
						msg);
				goto done;
			}
		}
	} else if (dv) {
		v = hcl_value_ref(dv);
		if (t && dv->is_null) {
			hcl_value_unref(v);
			v = hcl_null(hcl_type_ref(t));
		}
	} else if (t) {
		v = hcl_null(hcl_type_ref(t));
	} else {
		v = hcl_cstring("");
	}
	if (!v) {
		atmo__bake_diag(p, &miss, "Out of memory", "out of memory");
		goto done;
	}
	*out = v;
	rc = 0;
done:
	hcl_value_unref(dv);
	hcl_type_unref(t);
	return rc;
}

int atmo__bake_attr_env(bake_parser *p, const char *name, const hcl_attr *a, hcl_value **v)
{
	const char *env = env_of(p, name);
	hcl_range miss = hcl_expr_range(a->expr);
	hcl_value *nv;
	char msg[600], tn[128];

	/* the environment overrides an attribute only where a variable of its name exists */
	if (!env || !atmo__map_get(&p->var_ix, name))
		return 0;
	miss.end = miss.start;
	if (!(*v)->is_null && !is_primitive((*v)->type))
		return atmo__bake_diag(p, &miss, "Invalid value",
				       "unsupported type %s for variable %s",
				       hcl_type_friendly((*v)->type, tn, sizeof(tn)), name);
	nv = parse_prim(name, env, (*v)->is_null ? hcl_type_string() : (*v)->type, msg,
			sizeof(msg));
	if (!nv)
		return atmo__bake_diag(p, &miss, "Invalid value", "%s", msg);
	hcl_value_unref(*v);
	*v = nv;
	return 0;
}

int atmo__bake_var_validate(bake_parser *p, const hcl_block *var)
{
	size_t i, failures = 0;
	hcl_diag first;

	memset(&first, 0, sizeof(first));
	for (i = 0; i < var->body->n_blocks; i++) {
		const hcl_block *vb = &var->body->blocks[i];
		hcl_attr *cond = attr_of(vb->body, "condition"),
			 *em = attr_of(vb->body, "error_message");
		hcl_value *cv = NULL, *mv = NULL, *bv;
		hcl_range r;

		if (strcmp(vb->type, "validation"))
			continue;
		if (!cond) {
			/* no condition is a null one, located where the block's body opens */
			hcl_range z = vb->body->range;
			z.end = z.start;
			return atmo__bake_diag(
				p, &z, "Invalid condition result",
				"Condition expression must return either true or false, not null.");
		}
		if (atmo__bake_eval(p, cond->expr, NULL, &cv) < 0)
			return -1;
		r = hcl_expr_range(cond->expr);
		if (cv->is_null) {
			hcl_range z = r;
			z.end = z.start;
			hcl_value_unref(cv);
			return atmo__bake_diag(
				p, &z, "Invalid condition result",
				"Condition expression must return either true or false, not null.");
		}
		bv = hcl_convert(cv, hcl_type_bool(), NULL, 0, NULL, 0);
		hcl_value_unref(cv);
		if (!bv)
			return atmo__bake_diag(
				p, &r, "Invalid condition result",
				"Invalid condition result value: a bool is required");
		if (bv->u.b) {
			hcl_value_unref(bv);
			continue;
		}
		hcl_value_unref(bv);
		failures++;
		if (failures > 1)
			continue;
		first.code = ATMO_EINVALID;
		first.subject = r;
		snprintf(first.summary, sizeof(first.summary), "Validation failed");
		if (em && atmo__bake_eval(p, em->expr, NULL, &mv) == 0 && !mv->is_null &&
		    mv->type->kind == HCL_T_STRING) {
			snprintf(first.detail, sizeof(first.detail), "%s", mv->u.str.s);
		} else {
			snprintf(first.detail, sizeof(first.detail),
				 "This check failed, but has an invalid error message.");
		}
		hcl_value_unref(mv);
	}
	if (!failures)
		return 0;
	p->diag = first;
	p->diag.n_more = failures - 1;
	return -1;
}
