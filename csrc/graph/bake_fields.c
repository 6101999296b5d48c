/*
 * The fields of a bake target as buildx knows them (bake.Target): how each
 * is decoded from an HCL value, parsed from its CSV string form (outputs,
 * caches, secrets, ssh, attestations), merged and normalized.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "graph/bake_model_int.h"
#include "util/alloc.h"
#include "util/json_nomem.h"

/* buildx's Target struct order, which is the order of its --print output */
static const bake_field fields[] = {
	{ "description", BK_DESC, 0 },
	{ "inherits", BK_INHERITS, 0 },
	{ "annotations", BK_LISTAPP, 0 },
	{ "attest", BK_ATTEST, 0 },
	{ "context", BK_STR, 0 },
	{ "contexts", BK_MAP, 0 },
	{ "dockerfile", BK_STR, 0 },
	{ "dockerfile-inline", BK_STR, 0 },
	{ "args", BK_MAPN, 0 },
	{ "labels", BK_MAPN, 0 },
	{ "tags", BK_LIST, 0 },
	{ "cache-from", BK_CACHE, 1 },
	{ "cache-to", BK_CACHE, 0 },
	{ "target", BK_STR, 0 },
	{ "secret", BK_SECRET, 0 },
	{ "ssh", BK_SSH, 0 },
	{ "platforms", BK_LIST, 0 },
	{ "output", BK_OUTPUT, 0 },
	{ "pull", BK_BOOL, 0 },
	{ "no-cache", BK_BOOL, 0 },
	{ "network", BK_STR, 0 },
	{ "no-cache-filter", BK_LISTAPP, 0 },
	{ "shm-size", BK_STR, 0 },
	{ "ulimits", BK_LISTAPP, 0 },
	{ "resources", BK_RES, 0 },
	{ "call", BK_STR, 0 },
	{ "entitlements", BK_LISTAPP, 0 },
	{ "extra-hosts", BK_MAPN, 0 },
};

#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

/* resources: buildflags.ResourcesConfig, in its struct order; 1: an int64 */
static const struct {
	const char *name;
	int is_int;
} res_keys[] = {
	{ "memory", 0 },    { "memory-swap", 0 }, { "cpu-shares", 1 },  { "cpu-period", 1 },
	{ "cpu-quota", 1 }, { "cpuset-cpus", 0 }, { "cpuset-mems", 0 },
};
#define N_RES (sizeof(res_keys) / sizeof(res_keys[0]))

const bake_field *atmo__bake_fields(size_t *n)
{
	*n = N_FIELDS;
	return fields;
}

const bake_field *atmo__bake_field(const char *name)
{
	size_t i;

	for (i = 0; i < N_FIELDS; i++)
		if (!strcmp(fields[i].name, name))
			return &fields[i];
	return NULL;
}

/* ---- CSV (go-csvvalue: encoding/csv rules for one record) ---- */

int atmo__bake_csv(json_t **out, const char *s, char *msg, size_t n)
{
	json_t *a = json_array();
	size_t len = strlen(s), i = 0, col;
	char *buf = atmo__malloc(len + 1, NULL);

	*out = NULL;
	if (!a || !buf)
		goto oom;
	if (len == 0) {
		atmo__free(buf);
		*out = a;
		return 0;
	}
	for (;;) {
		size_t k = 0;
		if (s[i] == '"') {
			size_t quote = i;
			i++;
			for (;;) {
				if (s[i] == '\0') {
					/* encoding/csv names the column after the opening quote */
					snprintf(msg, n,
						 "parse error on line 1, column %zu: extraneous or "
						 "missing \" in quoted-field",
						 quote + 2);
					goto fail;
				}
				if (s[i] == '"') {
					if (s[i + 1] == '"') {
						buf[k++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				buf[k++] = s[i++];
			}
			if (s[i] != ',' && s[i] != '\0') {
				snprintf(msg, n,
					 "parse error on line 1, column %zu: extraneous or missing "
					 "\" in quoted-field",
					 i);
				goto fail;
			}
		} else {
			while (s[i] && s[i] != ',') {
				if (s[i] == '"') {
					col = i + 1;
					snprintf(msg, n,
						 "parse error on line 1, column %zu: bare \" in "
						 "non-quoted-field",
						 col);
					goto fail;
				}
				buf[k++] = s[i++];
			}
		}
		if (json_array_append_new(a, json_stringn(buf, k)) < 0)
			goto oom;
		if (s[i] == '\0')
			break;
		i++; /* the comma */
	}
	atmo__free(buf);
	*out = a;
	return 0;
oom:
	snprintf(msg, n, "out of memory");
fail:
	atmo__free(buf);
	json_decref(a);
	return -1;
}

static char *lower(const char *s, size_t len)
{
	char *d = atmo__malloc(len + 1, NULL);
	size_t i;

	if (!d)
		return NULL;
	for (i = 0; i < len; i++)
		d[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	d[len] = '\0';
	return d;
}

static char *trim_lower(const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return lower(s, len);
}

/* ---- entries from their text form (UnmarshalText) ---- */

static int parse_bool(const char *v, int *b)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };
	size_t i;

	for (i = 0; i < 6; i++) {
		if (!strcmp(v, t[i])) {
			*b = 1;
			return 0;
		}
		if (!strcmp(v, f[i])) {
			*b = 0;
			return 0;
		}
	}
	return -1;
}

/* one entry of kind k from its CSV text; *out a new object */
static int entry_from_text(json_t **out, bake_kind k, const char *s, char *msg, size_t n)
{
	json_t *fl = NULL, *e = json_object(), *f;
	size_t i;
	int rc = -1, oom = 0;
	const char *typ = NULL;

	*out = NULL;
	if (n)
		msg[0] = '\0';
	if (!e || atmo__bake_csv(&fl, s, msg, n) < 0)
		goto done;
	if (k == BK_OUTPUT && json_array_size(fl) == 1 &&
	    !strcmp(json_string_value(json_array_get(fl, 0)), s) && strncmp(s, "type=", 5)) {
		oom |= json_object_set_new(e, "type",
					   json_string(strcmp(s, "-") ? "local" : "tar")) < 0;
		oom |= json_object_set_new(e, "dest", json_string(s)) < 0;
		rc = 0;
		goto done;
	}
	if (k == BK_CACHE && json_array_size(fl) == 1 &&
	    !strchr(json_string_value(json_array_get(fl, 0)), '=')) {
		oom |= json_object_set_new(
			       e, "ref", json_string(json_string_value(json_array_get(fl, 0)))) < 0;
		oom |= json_object_set_new(e, "type", json_string("registry")) < 0;
		rc = 0;
		goto done;
	}
	if (k == BK_SSH) {
		/* "default" or "id=path1,path2" (buildkit's ParseSSH) */
		json_t *paths = json_array();
		const char *eq = strchr(s, '=');
		if (!paths)
			goto done;
		if (!eq) {
			oom |= json_object_set_new(e, "id", json_string(s)) < 0;
		} else {
			char *id = atmo__strndup(s, (size_t)(eq - s), NULL),
			     *rest = atmo__strdup(eq + 1, NULL), *p, *save = NULL;
			if (!id || !rest) {
				atmo__free(id);
				atmo__free(rest);
				json_decref(paths);
				goto done;
			}
			oom |= json_object_set_new(e, "id", json_string(id)) < 0;
			for (p = strtok_r(rest, ",", &save); p; p = strtok_r(NULL, ",", &save))
				oom |= json_array_append_new(paths, json_string(p)) < 0;
			atmo__free(id);
			atmo__free(rest);
		}
		if (json_array_size(paths))
			oom |= json_object_set_new(e, "paths", paths) < 0;
		else
			json_decref(paths);
		rc = 0;
		goto done;
	}
	json_array_foreach(fl, i, f) {
		const char *field = json_string_value(f), *eq = strchr(field, '=');
		char *key;
		if (!eq) {
			if (k == BK_SECRET)
				snprintf(msg, n, "invalid field '%s' must be a key=value pair",
					 field);
			else
				snprintf(msg, n, "invalid value %s", field);
			goto done;
		}
		key = (k == BK_OUTPUT || k == BK_ATTEST) ? trim_lower(field, (size_t)(eq - field))
							 : lower(field, (size_t)(eq - field));
		if (!key)
			goto done;
		if (k == BK_SECRET) {
			if (!strcmp(key, "type")) {
				if (strcmp(eq + 1, "file") && strcmp(eq + 1, "env")) {
					snprintf(msg, n, "unsupported secret type \"%s\"", eq + 1);
					atmo__free(key);
					goto done;
				}
				typ = strcmp(eq + 1, "env") ? "file" : "env";
			} else if (!strcmp(key, "id")) {
				oom |= json_object_set_new(e, "id", json_string(eq + 1)) < 0;
			} else if (!strcmp(key, "source") || !strcmp(key, "src")) {
				oom |= json_object_set_new(e, "src", json_string(eq + 1)) < 0;
			} else if (!strcmp(key, "env")) {
				oom |= json_object_set_new(e, "env", json_string(eq + 1)) < 0;
			} else {
				snprintf(msg, n, "unexpected key '%s' in '%s'", key, field);
				atmo__free(key);
				goto done;
			}
		} else if (k == BK_ATTEST && !strcmp(key, "disabled")) {
			int b;
			if (parse_bool(eq + 1, &b) < 0) {
				snprintf(msg, n,
					 "invalid value %s: strconv.ParseBool: parsing \"%s\": "
					 "invalid syntax",
					 field, eq + 1);
				atmo__free(key);
				goto done;
			}
			if (b)
				oom |= json_object_set_new(e, "disabled", json_true()) < 0;
			else
				json_object_del(e, "disabled");
		} else if (k == BK_ATTEST && strcmp(key, "type")) {
			/* attest keeps the attribute's key as written */
			char *raw = atmo__strndup(field, (size_t)(eq - field), NULL);
			oom |= !raw || json_object_set_new(e, raw, json_string(eq + 1)) < 0;
			atmo__free(raw);
		} else {
			oom |= json_object_set_new(e, key, json_string(eq + 1)) < 0;
		}
		atmo__free(key);
	}
	if (k == BK_SECRET && typ && !strcmp(typ, "env") && !json_object_get(e, "env")) {
		json_t *src = json_object_get(e, "src");
		oom |= (src ? json_object_set(e, "env", src)
			    : json_object_set_new(e, "env", json_string(""))) < 0;
		json_object_del(e, "src");
		if (!json_string_length(json_object_get(e, "env")))
			json_object_del(e, "env");
	}
	if ((k == BK_OUTPUT || k == BK_CACHE || k == BK_ATTEST) &&
	    !json_string_length(json_object_get(e, "type"))) {
		if (k == BK_OUTPUT)
			snprintf(msg, n, "type is required for output");
		else if (k == BK_CACHE)
			snprintf(msg, n, "type required for \"%s\"", s);
		else
			snprintf(msg, n, "attestation type not specified");
		goto done;
	}
	rc = 0;
done:
	/* an insert that failed can make the entry look invalid ("type is required"):
	   running out of memory is what is reported */
	if (oom || (rc < 0 && n && !msg[0])) {
		snprintf(msg, n, "out of memory");
		rc = -1;
	}
	json_decref(fl);
	if (rc == 0)
		*out = e;
	else
		json_decref(e);
	return rc;
}

/* an entry given as an HCL object ({type = "env", id = "X"}) */
static int entry_from_object(json_t **out, bake_kind k, const hcl_value *v, char *msg, size_t n)
{
	/* build the CSV text of the object and read it as text: one set of rules */
	size_t i, len = 0, cap = 256;
	char *s = atmo__malloc(cap, NULL);
	int rc;

	if (!s) {
		snprintf(msg, n, "out of memory");
		return -1;
	}
	if (k == BK_SSH) {
		/* ssh objects: {id = "x", paths = ["a", "b"]} */
		json_t *e = json_object(), *paths = json_array();
		const hcl_value *id = hcl_value_get(v, "id"), *ps = hcl_value_get(v, "paths");
		atmo__free(s);
		int bad = !e || !paths;
		if (!bad && id && id->type->kind == HCL_T_STRING && !id->is_null)
			bad = json_object_set_new(e, "id", json_string(id->u.str.s)) < 0;
		if (!bad && ps && !ps->is_null &&
		    (ps->type->kind == HCL_T_LIST || ps->type->kind == HCL_T_TUPLE))
			for (i = 0; i < ps->u.seq.n && !bad; i++)
				if (ps->u.seq.items[i]->type->kind == HCL_T_STRING)
					bad = json_array_append_new(
						      paths,
						      json_string(ps->u.seq.items[i]->u.str.s)) < 0;
		if (!bad && json_array_size(paths)) {
			bad = json_object_set_new(e, "paths", paths) < 0;
			paths = NULL;
		}
		json_decref(paths);
		if (bad) {
			json_decref(e);
			snprintf(msg, n, "out of memory");
			return -1;
		}
		*out = e;
		return 0;
	}
	s[0] = '\0';
	for (i = 0; i < v->u.obj.n; i++) {
		const hcl_value *x = v->u.obj.vals[i];
		char num[64];
		const char *val;
		size_t need;
		if (x->is_null)
			continue;
		if (x->type->kind == HCL_T_STRING)
			val = x->u.str.s;
		else if (x->type->kind == HCL_T_BOOL)
			val = x->u.b ? "true" : "false";
		else if (x->type->kind == HCL_T_NUMBER)
			val = hcl_number_format(x->u.num, num, sizeof(num));
		else {
			snprintf(msg, n, "attribute \"%s\": string required", v->u.obj.keys[i]);
			atmo__free(s);
			return -1;
		}
		need = len + strlen(v->u.obj.keys[i]) + 2 * strlen(val) + 8;
		if (need > cap) {
			char *g = atmo__realloc(s, need * 2, NULL);
			if (!g) {
				atmo__free(s);
				snprintf(msg, n, "out of memory");
				return -1;
			}
			s = g;
			cap = need * 2;
		}
		if (len)
			s[len++] = ',';
		if (strchr(val, ',') || strchr(val, '"')) {
			const char *p;
			len += (size_t)sprintf(s + len, "\"%s=", v->u.obj.keys[i]);
			for (p = val; *p; p++) {
				if (*p == '"')
					s[len++] = '"';
				s[len++] = *p;
			}
			s[len++] = '"';
			s[len] = '\0';
		} else {
			len += (size_t)sprintf(s + len, "%s=%s", v->u.obj.keys[i], val);
		}
	}
	rc = entry_from_text(out, k, s, msg, n);
	atmo__free(s);
	return rc;
}

/* ---- decoding HCL values into field values ---- */

static void path_prefix(char *out, size_t n, const char *path)
{
	/* "[\"foo\"]" -> element "foo": ; "[0]" -> element 0: ; ".x" -> attribute "x": */
	out[0] = '\0';
	if (!path || !*path)
		return;
	if (path[0] == '[' && path[1] == '"') {
		const char *e = strchr(path + 2, '"');
		if (e)
			snprintf(out, n, "element \"%.*s\": ", (int)(e - path - 2), path + 2);
	} else if (path[0] == '[') {
		const char *e = strchr(path, ']');
		if (e)
			snprintf(out, n, "element %.*s: ", (int)(e - path - 1), path + 1);
	} else if (path[0] == '.') {
		size_t l = strcspn(path + 1, ".[");
		snprintf(out, n, "attribute \"%.*s\": ", (int)l, path + 1);
	}
}

static hcl_value *convert_to(const hcl_value *v, hcl_type *want, char *msg, size_t n)
{
	char m[256], path[128], pre[160];
	hcl_value *r;

	m[0] = path[0] = '\0';
	r = hcl_convert((hcl_value *)v, want, m, sizeof(m), path, sizeof(path));
	if (!r && !strcmp(m, "out of memory")) {
		snprintf(msg, n, "%s", m); /* no unsuitable value: the caller gives ATMO_ENOMEM */
	} else if (!r) {
		path_prefix(pre, sizeof(pre), path);
		snprintf(msg, n, "Unsuitable value: %s%s", pre, m);
	}
	return r;
}

static json_t *str_json(const hcl_value *s)
{
	return json_stringn(s->u.str.s, s->u.str.len);
}

int atmo__bake_field_decode(json_t **out, const bake_field *f, const hcl_value *v, char *msg,
			    size_t n)
{
	hcl_value *c = NULL;
	hcl_type *t = NULL;
	json_t *o = NULL;
	size_t i;

	/* a failure that names no reason is an allocation that failed (hcl_type_map, json_*) */
	if (n)
		snprintf(msg, n, "out of memory");
	*out = NULL;
	if (v->is_null)
		return 0;
	if (!hcl_value_is_wholly_known(v)) {
		snprintf(msg, n, "Unsuitable value: the value is not known");
		return -1;
	}
	switch (f->kind) {
	case BK_STR:
	case BK_DESC:
		if (!(c = convert_to(v, hcl_type_string(), msg, n)))
			return -1;
		o = c->is_null ? NULL : str_json(c);
		if (!c->is_null && !o)
			goto oom;
		break;
	case BK_BOOL:
		if (!(c = convert_to(v, hcl_type_bool(), msg, n)))
			return -1;
		o = c->is_null ? NULL : json_boolean(c->u.b);
		break;
	case BK_MAP:
	case BK_MAPN:
		t = hcl_type_map(hcl_type_string());
		if (!t || !(c = convert_to(v, t, msg, n)))
			goto fail;
		if (c->is_null)
			break;
		if (!(o = json_object()))
			goto oom;
		for (i = 0; i < c->u.obj.n; i++) {
			const hcl_value *x = c->u.obj.vals[i];
			if (x->is_null && f->kind == BK_MAP) {
				snprintf(msg, n,
					 "Unsuitable value: element \"%s\": null value is not "
					 "allowed",
					 c->u.obj.keys[i]);
				goto fail;
			}
			if (json_object_set_new(o, c->u.obj.keys[i],
						x->is_null ? json_null() : str_json(x)) < 0)
				goto oom;
		}
		break;
	case BK_LIST:
	case BK_LISTAPP:
	case BK_INHERITS:
		t = hcl_type_list(hcl_type_string());
		if (!t || !(c = convert_to(v, t, msg, n)))
			goto fail;
		if (c->is_null)
			break;
		if (!(o = json_array()))
			goto oom;
		for (i = 0; i < c->u.seq.n; i++) {
			const hcl_value *x = c->u.seq.items[i];
			if (json_array_append_new(o, x->is_null ? json_string("") : str_json(x)) <
			    0)
				goto oom;
		}
		break;
	case BK_CACHE:
	case BK_OUTPUT:
	case BK_SECRET:
	case BK_SSH:
	case BK_ATTEST:
		if (v->type->kind != HCL_T_LIST && v->type->kind != HCL_T_TUPLE &&
		    v->type->kind != HCL_T_SET) {
			snprintf(msg, n, "Unsuitable value: list of %s required",
				 f->kind == BK_OUTPUT ? "export entries" : "entries");
			return -1;
		}
		if (!(o = json_array()))
			goto oom;
		for (i = 0; i < v->u.seq.n; i++) {
			const hcl_value *x = v->u.seq.items[i];
			json_t *e = NULL;
			if (x->is_null)
				continue;
			if (x->type->kind == HCL_T_STRING) {
				if (!x->u.str.len)
					continue;
				if (f->kind == BK_CACHE && !strchr(x->u.str.s, '=')) {
					/* "ref1,ref2": each CSV field is a registry ref of its own */
					json_t *refs = NULL, *r;
					size_t j;
					if (atmo__bake_csv(&refs, x->u.str.s, msg, n) < 0)
						goto fail;
					json_array_foreach(refs, j, r) {
						if (entry_from_text(&e, f->kind,
								    json_string_value(r), msg,
								    n) < 0 ||
						    json_array_append_new(o, e) < 0) {
							json_decref(refs);
							goto fail;
						}
					}
					json_decref(refs);
					continue;
				}
				if (entry_from_text(&e, f->kind, x->u.str.s, msg, n) < 0)
					goto fail;
			} else if (x->type->kind == HCL_T_OBJECT || x->type->kind == HCL_T_MAP) {
				if (entry_from_object(&e, f->kind, x, msg, n) < 0)
					goto fail;
			} else {
				char tn[64];
				snprintf(msg, n,
					 "Unsuitable value: element %zu: string required, but have "
					 "%s",
					 i, hcl_type_friendly(x->type, tn, sizeof(tn)));
				goto fail;
			}
			if (json_array_append_new(o, e) < 0)
				goto oom;
		}
		break;
	case BK_RES:
		if (v->type->kind != HCL_T_OBJECT && v->type->kind != HCL_T_MAP) {
			snprintf(msg, n, "Unsuitable value: object required");
			return -1;
		}
		if (!(o = json_object()))
			goto oom;
		for (i = 0; i < N_RES; i++) {
			const hcl_value *x = hcl_value_get(v, res_keys[i].name);
			hcl_value *y;
			if (!x || x->is_null)
				continue;
			y = convert_to(x,
				       res_keys[i].is_int ? hcl_type_number() : hcl_type_string(),
				       msg, n);
			if (!y)
				goto fail;
			if (json_object_set_new(o, res_keys[i].name,
						res_keys[i].is_int
							? json_integer((json_int_t)y->u.num)
							: str_json(y)) < 0) {
				hcl_value_unref(y);
				goto oom;
			}
			hcl_value_unref(y);
		}
		break;
	}
	hcl_value_unref(c);
	hcl_type_unref(t);
	*out = o;
	return 0;
oom:
	snprintf(msg, n, "out of memory");
fail:
	hcl_value_unref(c);
	hcl_type_unref(t);
	json_decref(o);
	return -1;
}

/* ---- merge and normalize ---- */

static int entry_key_eq(bake_kind k, const json_t *a, const json_t *b)
{
	const char *key = k == BK_ATTEST ? "type" : "id";
	const json_t *x = json_object_get(a, key), *y = json_object_get(b, key);
	return x && y && !strcmp(json_string_value(x), json_string_value(y));
}

/* removeDupes (whole entries equal) or by key (attest: type, secret/ssh: id); the later wins in place */
static void dedup_entries(json_t *arr, bake_kind k)
{
	size_t i, j;

	for (i = 0; i < json_array_size(arr); i++) {
		for (j = i + 1; j < json_array_size(arr);) {
			json_t *a = json_array_get(arr, i), *b = json_array_get(arr, j);
			int same = (k == BK_ATTEST || k == BK_SECRET || k == BK_SSH)
					   ? entry_key_eq(k, a, b)
					   : json_equal(a, b);
			if (same) {
				if (k == BK_ATTEST || k == BK_SECRET || k == BK_SSH)
					json_array_set(arr, i, b);
				json_array_remove(arr, j);
			} else {
				j++;
			}
		}
	}
}

static void dedup_strings(json_t *arr)
{
	size_t i, j;

	for (i = 0; i < json_array_size(arr);) {
		const char *s = json_string_value(json_array_get(arr, i));
		int dup = !s || !*s;
		for (j = 0; j < i && !dup; j++)
			dup = !strcmp(s, json_string_value(json_array_get(arr, j)));
		if (dup)
			json_array_remove(arr, i);
		else
			i++;
	}
}

int atmo__bake_target_merge(json_t *dst, const json_t *src)
{
	size_t i;

	for (i = 0; i < N_FIELDS; i++) {
		const bake_field *f = &fields[i];
		json_t *s = json_object_get(src, f->name), *d = json_object_get(dst, f->name), *c;
		const char *k;
		json_t *x;

		if (!s || json_is_null(s))
			continue;
		switch (f->kind) {
		case BK_DESC:
			if (json_string_length(s) && json_object_set(dst, f->name, s) < 0)
				return -1;
			break;
		case BK_MAP:
		case BK_MAPN:
		case BK_RES:
			c = d ? json_deep_copy(d) : json_object();
			if (!c)
				return -1;
			json_object_foreach(s, k, x) {
				if (json_is_null(x) && f->kind == BK_MAPN)
					continue;
				if (json_object_set(c, k, x) < 0) {
					json_decref(c);
					return -1;
				}
			}
			if (f->kind == BK_MAPN && !json_object_size(c) && !d)
				json_decref(c);
			else if (json_object_set_new(dst, f->name, c) < 0)
				return -1;
			break;
		case BK_LISTAPP:
		case BK_INHERITS:
		case BK_ATTEST:
		case BK_SECRET:
		case BK_SSH:
			c = d ? json_deep_copy(d) : json_array();
			if (!c || json_array_extend(c, s) < 0 ||
			    json_object_set_new(dst, f->name, c) < 0)
				return -1;
			if (f->kind == BK_ATTEST || f->kind == BK_SECRET || f->kind == BK_SSH)
				dedup_entries(c, f->kind);
			break;
		case BK_CACHE:
			if (f->merge) {
				c = d ? json_deep_copy(d) : json_array();
				if (!c || json_array_extend(c, s) < 0 ||
				    json_object_set_new(dst, f->name, c) < 0)
					return -1;
				dedup_entries(c, f->kind);
				break;
			}
			if (json_object_set_new(dst, f->name, json_deep_copy(s)) < 0)
				return -1;
			break;
		default:
			if (json_object_set_new(dst, f->name, json_deep_copy(s)) < 0)
				return -1;
			break;
		}
	}
	return 0;
}

int atmo__bake_target_normalize(json_t *t)
{
	size_t i;
	json_t *net = json_object_get(t, "network");

	for (i = 0; i < N_FIELDS; i++) {
		const bake_field *f = &fields[i];
		json_t *v = json_object_get(t, f->name);
		if (!v)
			continue;
		if (f->kind == BK_LISTAPP ||
		    (f->kind == BK_LIST && strcmp(f->name, "platforms") && strcmp(f->name, "tags")))
			dedup_strings(v);
		else if (f->kind == BK_LIST)
			dedup_strings(v);
		else if (f->kind >= BK_CACHE && f->kind <= BK_ATTEST) {
			dedup_entries(v, f->kind);
			if (!json_array_size(v))
				json_object_del(t, f->name);
		}
	}
	if (net && json_is_string(net) && !strcmp(json_string_value(net), "host")) {
		json_t *e = json_object_get(t, "entitlements");
		if (!e) {
			e = json_array();
			if (json_object_set_new(t, "entitlements", e) < 0)
				return -1;
		}
		if (json_array_append_new(e, json_string("network.host")) < 0)
			return -1;
		dedup_strings(e);
	}
	{
		json_t *ctx = json_object_get(t, "contexts");
		if (ctx) {
			const char *k;
			json_t *x;
			void *tmp;
			json_object_foreach_safe(ctx, tmp, k, x) {
				if (!json_string_length(x))
					json_object_del(ctx, k);
			}
			if (!json_object_size(ctx))
				json_object_del(t, "contexts");
		}
	}
	return 0;
}

/* ---- print ---- */

static json_t *escaped(const json_t *v)
{
	/* MarshalJSON: ${ -> $${ and %{ -> %%{ in args, labels, annotations, extra-hosts, dockerfile-inline */
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t len = json_string_length(v), i, k = 0;
		char *d = atmo__malloc(2 * len + 1, NULL);
		json_t *r;
		if (!d)
			return NULL;
		for (i = 0; i < len; i++) {
			if ((s[i] == '$' || s[i] == '%') && i + 1 < len && s[i + 1] == '{')
				d[k++] = s[i];
			d[k++] = s[i];
		}
		r = json_stringn(d, k);
		atmo__free(d);
		return r;
	}
	if (json_is_array(v)) {
		json_t *a = json_array(), *x;
		size_t i;
		json_array_foreach(v, i, x)
			if (a && json_array_append_new(a, escaped(x)) < 0) {
				json_decref(a);
				a = NULL;
			}
		return a;
	}
	if (json_is_object(v)) {
		json_t *o = json_object(), *x;
		const char *k;
		json_object_foreach((json_t *)v, k, x)
			if (o && json_object_set_new(o, k, escaped(x)) < 0) {
				json_decref(o);
				o = NULL;
			}
		return o;
	}
	return json_incref((json_t *)v);
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* a copy of an object with its keys sorted (Go marshals maps sorted) */
static json_t *sorted(const json_t *o)
{
	size_t n = json_object_size(o), i = 0;
	const char **keys = atmo__calloc(n + 1, sizeof(*keys), NULL);
	json_t *r = json_object(), *x;
	const char *k;

	if (!keys || !r) {
		atmo__free(keys);
		json_decref(r);
		return NULL;
	}
	json_object_foreach((json_t *)o, k, x)
		keys[i++] = k;
	qsort(keys, n, sizeof(*keys), cmp_keys);
	for (i = 0; i < n && r; i++)
		if (json_object_set(r, keys[i], json_object_get(o, keys[i])) < 0) {
			json_decref(r);
			r = NULL;
		}
	atmo__free(keys);
	return r;
}

json_t *atmo__bake_target_print(const json_t *t)
{
	json_t *o = json_object();
	size_t i;

	if (!o)
		return NULL;
	for (i = 0; i < N_FIELDS; i++) {
		const bake_field *f = &fields[i];
		json_t *v = json_object_get(t, f->name), *p = NULL;
		if (!v || f->kind == BK_INHERITS)
			continue;
		switch (f->kind) {
		case BK_DESC:
			if (!json_string_length(v))
				continue;
			p = json_incref(v);
			break;
		case BK_MAP:
		case BK_MAPN:
			if (!json_object_size(v))
				continue;
			if (f->kind == BK_MAPN) {
				json_t *e = escaped(v);
				p = sorted(e);
				json_decref(e);
			} else {
				p = sorted(v);
			}
			break;
		case BK_LIST:
		case BK_LISTAPP:
			if (!json_array_size(v))
				continue;
			p = !strcmp(f->name, "annotations") ? escaped(v) : json_incref(v);
			break;
		case BK_CACHE:
		case BK_OUTPUT:
		case BK_ATTEST: {
			json_t *x;
			size_t j;
			if (!json_array_size(v))
				continue;
			p = json_array();
			json_array_foreach(v, j, x)
				if (p && json_array_append_new(p, sorted(x)) < 0) {
					json_decref(p);
					p = NULL;
				}
			break;
		}
		case BK_SECRET:
		case BK_SSH: {
			static const char *const sk[] = { "id", "src", "env", NULL };
			static const char *const hk[] = { "id", "paths", NULL };
			const char *const *keys = f->kind == BK_SECRET ? sk : hk;
			json_t *x;
			size_t j;
			if (!json_array_size(v))
				continue;
			p = json_array();
			json_array_foreach(v, j, x) {
				json_t *e = json_object();
				const char *const *kk;
				int bad = !e || !p;
				for (kk = keys; *kk && !bad; kk++) {
					json_t *y = json_object_get(x, *kk);
					if (y && !(json_is_string(y) && !json_string_length(y)))
						bad = json_object_set(e, *kk, y) < 0;
				}
				if (bad || json_array_append_new(p, e) < 0) {
					if (bad)
						json_decref(e);
					json_decref(p);
					p = NULL;
					break;
				}
			}
			break;
		}
		case BK_RES: {
			size_t j;
			if (!json_object_size(v))
				continue;
			p = json_object();
			for (j = 0; j < N_RES && p; j++) {
				json_t *y = json_object_get(v, res_keys[j].name);
				if (y && json_object_set(p, res_keys[j].name, y) < 0) {
					json_decref(p);
					p = NULL;
				}
			}
			break;
		}
		default:
			p = !strcmp(f->name, "dockerfile-inline") ? escaped(v) : json_incref(v);
			break;
		}
		if (!p || json_object_set_new(o, f->name, p) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

char *atmo__bake_dump(const json_t *doc)
{
	char *s = atmo__json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER), *d;
	size_t i, k = 0, n;

	if (!s)
		return NULL;
	n = strlen(s);
	/* at most 6 bytes for each byte in: \u003c for < */
	d = atmo__malloc(6 * n + 1, NULL);
	if (!d) {
		atmo__free(s);
		return NULL;
	}
	/* Go's encoder: <, > and & as \u003c, \u003e and \u0026 (they only occur inside
	 * strings), \b and \f as \u0008 and \u000c, U+2028 and U+2029 escaped */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' && i + 1 < n) {
			if (s[i + 1] == 'b' || s[i + 1] == 'f') {
				k += (size_t)sprintf(d + k, "\\u000%c",
						     s[i + 1] == 'b' ? '8' : 'c');
			} else {
				d[k++] = s[i];
				d[k++] = s[i + 1];
			}
			i++;
		} else if (c == '<' || c == '>' || c == '&') {
			k += (size_t)sprintf(d + k, "\\u00%s",
					     c == '<'   ? "3c"
					     : c == '>' ? "3e"
							: "26");
		} else if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
			   ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
			k += (size_t)sprintf(d + k, "\\u202%c",
					     (unsigned char)s[i + 2] == 0xa8 ? '8' : '9');
			i += 2;
		} else {
			d[k++] = s[i];
		}
	}
	d[k] = '\0';
	atmo__free(s);
	return d;
}

char *atmo__bake_path_clean(const char *path)
{
	size_t n = strlen(path) + 2, k = 0, i;
	char *in = atmo__strdup(path, NULL), *out = atmo__malloc(n, NULL), *save = NULL, *seg;
	char **segs = atmo__calloc(n, sizeof(*segs), NULL);
	int abs = path[0] == '/';

	if (!in || !out || !segs) {
		atmo__free(in);
		atmo__free(out);
		atmo__free(segs);
		return NULL;
	}
	for (seg = strtok_r(in, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		if (!strcmp(seg, "."))
			continue;
		if (!strcmp(seg, "..")) {
			if (k && strcmp(segs[k - 1], ".."))
				k--;
			else if (!abs)
				segs[k++] = seg;
			continue;
		}
		segs[k++] = seg;
	}
	out[0] = '\0';
	if (abs)
		strcat(out, "/");
	for (i = 0; i < k; i++) {
		if (i)
			strcat(out, "/");
		strcat(out, segs[i]);
	}
	if (!out[0])
		strcpy(out, ".");
	atmo__free(in);
	atmo__free(segs);
	return out;
}
