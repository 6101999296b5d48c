/*
 * --set overrides on one target, as buildx's Target.AddOverrides applies
 * them: scalar keys replace, list keys replace or append ("+="), push and
 * load rewrite the outputs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/bake_model_int.h"
#include "util/alloc.h"

int atmo__bake_override_is_list(const char *key)
{
	static const char *const keys[] = {
		"output", "cache-to",     "cache-from", "tags",        "platform", "secrets", "ssh",
		"attest", "entitlements", "network",    "annotations", "policy",   NULL
	};
	const char *const *k;

	for (k = keys; *k; k++)
		if (!strcmp(*k, key))
			return 1;
	return 0;
}

static int go_bool(const char *v, int *b)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False", NULL };
	size_t i;

	for (i = 0; t[i]; i++) {
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

/* entries of kind k from the --set values (parseArrValue: "" skipped) */
static int parse_entries(json_t **out, const bake_field *f, const json_t *arr, char *msg, size_t n)
{
	hcl_value **items = NULL, *tuple;
	size_t i, k = 0, cnt = json_array_size(arr);
	int rc;

	items = atmo__calloc(cnt + 1, sizeof(*items), NULL);
	if (!items) {
		snprintf(msg, n, "out of memory");
		return -1;
	}
	for (i = 0; i < cnt; i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		if (!*s)
			continue;
		items[k++] = hcl_cstring(s);
	}
	tuple = hcl_tuple(items, k); /* NULL when an item is NULL (all unreferenced) */
	atmo__free(items);
	if (!tuple) {
		snprintf(msg, n, "out of memory");
		return -1;
	}
	rc = atmo__bake_field_decode(out, f, tuple, msg, n);
	hcl_value_unref(tuple);
	if (rc < 0 && !strncmp(msg, "Unsuitable value: ", 18))
		memmove(msg, msg + 18, strlen(msg + 18) + 1);
	return rc;
}

static int set_map(json_t *t, const char *field, const char *key, const char *value)
{
	json_t *m = json_object_get(t, field);

	if (!m) {
		m = json_object();
		if (!m || json_object_set_new(t, field, m) < 0)
			return -1;
	}
	return json_object_set_new(m, key, json_string(value));
}

static int str_list(json_t *t, const char *field, const json_t *arr, int append)
{
	json_t *cur = json_object_get(t, field);

	if (append && cur)
		return json_array_extend(cur, (json_t *)arr);
	return json_object_set_new(t, field, json_deep_copy(arr));
}

/* merge entries: append then drop duplicates as the field's Merge does */
static int merge_entries(json_t *t, const bake_field *f, json_t *entries, int append)
{
	json_t *src, *dst;
	int rc;

	if (!append)
		return json_object_set_new(t, f->name, entries);
	src = json_object();
	dst = json_object();
	if (!src || !dst) {
		json_decref(entries);
		json_decref(src);
		json_decref(dst);
		return -1;
	}
	/* entries first: json_object_set_new takes them even when it fails */
	if (json_object_set_new(src, f->name, entries) < 0 ||
	    (json_object_get(t, f->name) &&
	     json_object_set(dst, f->name, json_object_get(t, f->name)) < 0)) {
		json_decref(src);
		json_decref(dst);
		return -1;
	}
	/* Merge semantics of the field, with append forced for cache-to and output */
	if (f->kind == BK_CACHE || f->kind == BK_OUTPUT) {
		json_t *cur = json_object_get(dst, f->name);
		json_t *all = cur ? json_deep_copy(cur) : json_array();
		size_t i, j;
		if (!all || json_array_extend(all, json_object_get(src, f->name)) < 0) {
			json_decref(all);
			json_decref(src);
			json_decref(dst);
			return -1;
		}
		for (i = 0; i < json_array_size(all); i++)
			for (j = i + 1; j < json_array_size(all);)
				if (json_equal(json_array_get(all, i), json_array_get(all, j)))
					json_array_remove(all, j);
				else
					j++;
		rc = json_object_set_new(t, f->name, all);
	} else {
		rc = atmo__bake_target_merge(dst, src);
		if (rc == 0)
			rc = json_object_set(t, f->name, json_object_get(dst, f->name));
	}
	json_decref(src);
	json_decref(dst);
	return rc;
}

/* -1 when out of memory */
static int set_push(json_t *t, int push)
{
	json_t *outs = json_object_get(t, "output"), *o;
	size_t i;
	int set_push_entry = 1;

	if (!push) {
		for (i = 0; i < json_array_size(outs);) {
			const char *typ;
			o = json_array_get(outs, i);
			typ = json_string_value(json_object_get(o, "type"));
			if (!strcmp(typ, "registry")) {
				/* swap with the last and drop it, as buildx does */
				size_t last = json_array_size(outs) - 1;
				json_array_set(outs, i, json_array_get(outs, last));
				json_array_remove(outs, last);
				continue;
			}
			if (!strcmp(typ, "image") &&
			    json_object_set_new(o, "push", json_string("false")) < 0)
				return -1;
			i++;
		}
		return 0;
	}
	json_array_foreach(outs, i, o) {
		const char *typ = json_string_value(json_object_get(o, "type"));
		if (strcmp(typ, "docker"))
			set_push_entry = 0;
		if (!strcmp(typ, "image") &&
		    json_object_set_new(o, "push", json_string("true")) < 0)
			return -1;
	}
	if (set_push_entry) {
		if (!outs) {
			outs = json_array();
			if (json_object_set_new(t, "output", outs) < 0)
				return -1;
		}
		return json_array_append_new(
			outs, json_pack("{s:s,s:s}", "type", "image", "push", "true"));
	}
	return 0;
}

/* -1 when out of memory */
static int set_load(json_t *t, int load)
{
	json_t *outs = json_object_get(t, "output"), *o;
	size_t i;

	if (!load)
		return 0;
	json_array_foreach(outs, i, o) {
		const char *typ = json_string_value(json_object_get(o, "type"));
		if (!strcmp(typ, "docker")) {
			if (!json_string_length(json_object_get(o, "dest")))
				return 0;
		} else if (strcmp(typ, "image") && strcmp(typ, "registry") && strcmp(typ, "oci")) {
			return 0;
		}
	}
	if (!outs) {
		outs = json_array();
		if (json_object_set_new(t, "output", outs) < 0)
			return -1;
	}
	return json_array_append_new(outs, json_pack("{s:s}", "type", "docker"));
}

static int parse_int64(const char *s, json_int_t *v)
{
	char *end;
	long long x;

	if (!*s)
		return -1;
	x = strtoll(s, &end, 10);
	if (*end)
		return -1;
	*v = (json_int_t)x;
	return 0;
}

/* -1 with msg, or with msg empty when out of memory */
static int apply(json_t *t, const bake_override *o, char *msg, size_t n)
{
	const char *key = o->key, *dot = strchr(key, '.'), *value = o->value ? o->value : "";
	char base[64];
	int b;

	snprintf(base, sizeof(base), "%.*s", (int)(dot ? (size_t)(dot - key) : strlen(key)), key);
	if (!strcmp(base, "context") || !strcmp(base, "dockerfile") || !strcmp(base, "target") ||
	    !strcmp(base, "call") || !strcmp(base, "shm-size") || !strcmp(base, "network")) {
		const char *field = base;
		return json_object_set_new(
			t, field,
			json_string(!strcmp(base, "network") && json_array_size(o->arr)
					    ? json_string_value(json_array_get(
						      o->arr, json_array_size(o->arr) - 1))
					    : value));
	}
	if (!strcmp(base, "args") || !strcmp(base, "contexts") || !strcmp(base, "labels") ||
	    !strcmp(base, "extra-hosts")) {
		if (!dot) {
			if (!strcmp(base, "extra-hosts"))
				snprintf(msg, n,
					 "invalid format for extra-hosts, expecting "
					 "extra-hosts.<hostname>=<ip>");
			else
				snprintf(msg, n,
					 "invalid format for %s, expecting %s.<name>=<value>", base,
					 base);
			return -1;
		}
		return set_map(t, base, dot + 1, value) < 0 ? -1 : 0;
	}
	if (!strcmp(base, "tags"))
		return str_list(t, "tags", o->arr, o->append);
	if (!strcmp(base, "platform"))
		return str_list(t, "platforms", o->arr, o->append);
	if (!strcmp(base, "no-cache-filter") || !strcmp(base, "ulimits")) {
		json_t *a = json_array();
		if (!a ||
		    (json_array_size(o->arr) ? json_array_extend(a, o->arr)
					     : json_array_append_new(a, json_string(value))) < 0) {
			json_decref(a);
			return -1;
		}
		b = str_list(t, base, a, o->append);
		json_decref(a);
		return b;
	}
	if (!strcmp(base, "entitlements") || !strcmp(base, "annotations"))
		return str_list(t, base, o->arr, 1);
	if (!strcmp(base, "cache-from") || !strcmp(base, "cache-to") || !strcmp(base, "output") ||
	    !strcmp(base, "secrets") || !strcmp(base, "ssh") || !strcmp(base, "attest")) {
		const char *fname = !strcmp(base, "secrets") ? "secret" : base;
		const bake_field *f = atmo__bake_field(fname);
		json_t *entries = NULL;
		char m2[300] = "";
		if (parse_entries(&entries, f, o->arr, m2, sizeof(m2)) < 0) {
			if (!m2[0] || !strcmp(m2, "out of memory"))
				snprintf(msg, n,
					 "out of memory"); /* ATMO_ENOMEM, not an invalid value */
			else if (!strcmp(base, "attest"))
				snprintf(msg, n, "invalid value for attest: %s", m2);
			else if (!strcmp(base, "output") || !strcmp(base, "secrets") ||
				 !strcmp(base, "ssh"))
				snprintf(msg, n, "invalid value for outputs: %s", m2);
			else
				snprintf(msg, n, "%s", m2);
			return -1;
		}
		if (!entries && !(entries = json_array()))
			return -1;
		return merge_entries(t, f, entries, !strcmp(base, "attest") ? 1 : o->append);
	}
	if (!strcmp(base, "secret") && dot) {
		/* secret.ID=VALUE: change the source of a secret the target declares */
		const bake_field *f = atmo__bake_field("secret");
		json_t *list = json_object_get(t, "secret"), *x, *parsed = NULL, *arr, *e;
		const char *id = dot + 1;
		size_t i;
		int found = -1;
		char m2[300] = "";
		json_array_foreach(list, i, x)
			if (json_string_value(json_object_get(x, "id")) &&
			    !strcmp(json_string_value(json_object_get(x, "id")), id))
				found = (int)i;
		if (found < 0) {
			snprintf(msg, n,
				 "secret \"%s\" must be declared before it can be overridden", id);
			return -1;
		}
		arr = json_pack("[s]", value);
		if (!arr)
			return -1;
		if (parse_entries(&parsed, f, arr, m2, sizeof(m2)) < 0) {
			json_decref(arr);
			if (!m2[0] || !strcmp(m2, "out of memory"))
				snprintf(msg, n, "out of memory");
			else
				snprintf(msg, n, "invalid value for secret: %s", m2);
			return -1;
		}
		json_decref(arr);
		e = json_array_get(parsed, 0);
		if (e && json_object_get(e, "id") &&
		    strcmp(json_string_value(json_object_get(e, "id")), id)) {
			snprintf(msg, n,
				 "secret override id \"%s\" does not match declared secret \"%s\"",
				 json_string_value(json_object_get(e, "id")), id);
			json_decref(parsed);
			return -1;
		}
		x = json_object();
		b = !x || json_object_set_new(x, "id", json_string(id)) < 0 ||
		    (e && json_object_get(e, "src") &&
		     json_object_set(x, "src", json_object_get(e, "src")) < 0) ||
		    (e && json_object_get(e, "env") &&
		     json_object_set(x, "env", json_object_get(e, "env")) < 0);
		json_decref(parsed);
		list = b ? NULL : json_deep_copy(list);
		if (!list || json_array_set_new(list, (size_t)found, x) < 0) {
			if (!list)
				json_decref(x);
			json_decref(list);
			return -1;
		}
		return json_object_set_new(t, "secret", list);
	}
	if (!strcmp(base, "no-cache") || !strcmp(base, "pull") || !strcmp(base, "push") ||
	    !strcmp(base, "load")) {
		if (go_bool(value, &b) < 0) {
			snprintf(msg, n, "invalid value %s for boolean key %s", value, base);
			return -1;
		}
		if (!strcmp(base, "push"))
			return set_push(t, b);
		if (!strcmp(base, "load"))
			return set_load(t, b);
		return json_object_set_new(t, base, json_boolean(b));
	}
	if (!strcmp(base, "resources") && dot) {
		static const char *const ints[] = { "cpu-shares", "cpu-period", "cpu-quota", NULL };
		static const char *const strs[] = { "memory", "memory-swap", "cpuset-cpus",
						    "cpuset-mems", NULL };
		json_t *r = json_object_get(t, "resources");
		size_t i;
		r = r ? json_deep_copy(r) : json_object();
		if (json_object_set_new(t, "resources", r) < 0)
			return -1;
		for (i = 0; ints[i]; i++)
			if (!strcmp(dot + 1, ints[i])) {
				json_int_t v;
				if (parse_int64(value, &v) < 0) {
					snprintf(msg, n,
						 "invalid value %s for int64 key resources.%s",
						 value, ints[i]);
					return -1;
				}
				return json_object_set_new(r, ints[i], json_integer(v));
			}
		for (i = 0; strs[i]; i++)
			if (!strcmp(dot + 1, strs[i]))
				return json_object_set_new(r, strs[i], json_string(value));
		snprintf(msg, n, "unknown key: resources.%s", dot + 1);
		return -1;
	}
	snprintf(msg, n, "unknown key: %s", base);
	return -1;
}

int atmo__bake_override_apply(json_t *t, const bake_override *o, char *msg, size_t n)
{
	int rc;

	if (n)
		msg[0] = '\0';
	rc = apply(t, o, msg, n);
	if (rc < 0 && n && !msg[0])
		snprintf(msg, n, "out of memory");
	return rc < 0 ? -1 : 0;
}
