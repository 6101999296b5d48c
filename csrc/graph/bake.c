/*
 * Bake files: docker-bake.json as `docker buildx bake --print` reads and
 * writes it. Loading, merging several files, variables, ${VAR}
 * interpolation, inherits, groups, links between targets and selection.
 * The graph document of a bake lives in bake_graph.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "atmograph/bake.h"
#include "atmograph/file.h"
#include "graph/bake_internal.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#define BAKE_MAX_FILE (16u << 20)
#define BAKE_MAX_DEPTH 64

static const char *const target_fields[] = {
	"context", "dockerfile", "dockerfile-inline", "args", "tags", "target", "contexts",
	"inherits", "platforms", "output", "cache-from", "cache-to", "labels", "no-cache",
	"pull", "description", NULL
};

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

/* ---- located errors: find a JSON path in the texts read ---- */

static int locate_in(const char *text, const char *const *path, size_t n, int *line, int *col)
{
	const char *pos = text, *hit = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		size_t len = strlen(path[i]);
		const char *p = pos;
		hit = NULL;
		while ((p = strchr(p, '"')) != NULL) {
			if (!strncmp(p + 1, path[i], len) && p[1 + len] == '"') {
				const char *q = p + 2 + len;
				while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
					q++;
				if (*q == ':' || i + 1 == n) {
					hit = p;
					pos = q;
					break;
				}
			}
			p++;
		}
		if (!hit)
			return 0;
	}
	if (!hit)
		return 0;
	*line = 1;
	*col = 1;
	for (pos = text; pos < hit; pos++) {
		if (*pos == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
	return 1;
}

/* path is "a.b.c" (dots split components; keys containing dots are found whole first) */
int atmo__bake_errorf(const atmo_bake *b, atmo_error *err, int code, const char *path,
		      const char *fmt, ...)
{
	char msg[400], copy[512];
	const char *parts[16];
	size_t n = 0, i;
	int line = 0, col = 0;
	const char *source = NULL;
	char *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(copy, sizeof(copy), "%s", path ? path : "");
	/* the first two components (section, name) may not contain dots; the rest is split too */
	for (p = copy; *p && n < 16;) {
		parts[n++] = p;
		p = strchr(p, '.');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (b) {
		for (i = b->n_files; i-- > 0;) {
			if (b->texts[i] && n && locate_in(b->texts[i], parts, n, &line, &col)) {
				source = b->files[i];
				break;
			}
		}
		if (!source && b->n_files)
			source = b->files[b->n_files - 1];
	}
	if (path && *path)
		return atmo__error_set(err, code, source, line, col, "%s: %s", path, msg);
	return atmo__error_set(err, code, source, line, col, "%s", msg);
}

/* ---- string storage ---- */

char *atmo__bake_keep(atmo_bake *b, char *s)
{
	char **grown;

	if (!s)
		return NULL;
	if (b->n_owned == b->cap_owned) {
		size_t cap = b->cap_owned ? b->cap_owned * 2 : 64;
		grown = realloc(b->owned, cap * sizeof(*grown));
		if (!grown) {
			free(s);
			return NULL;
		}
		b->owned = grown;
		b->cap_owned = cap;
	}
	b->owned[b->n_owned++] = s;
	return s;
}

static const char *keep_dup(atmo_bake *b, const char *s, atmo_error *err)
{
	char *d = atmo__bake_keep(b, strdup(s));
	if (!d)
		atmo__error_nomem(err);
	return d;
}

static void *keep_mem(atmo_bake *b, size_t n, atmo_error *err)
{
	void *p = atmo__bake_keep(b, calloc(1, n ? n : 1));
	if (!p)
		atmo__error_nomem(err);
	return p;
}

/* ---- variables and interpolation ---- */

static const char *env_get(const atmo_bake_options *o, const char *name)
{
	if (o->no_env)
		return NULL;
	if (o->env)
		return o->env(name, strlen(name), o->env_payload);
	return getenv(name);
}

static int value_string(char **out, const json_t *v)
{
	char tmp[64];

	if (json_is_string(v))
		*out = strdup(json_string_value(v));
	else if (json_is_integer(v)) {
		snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		*out = strdup(tmp);
	} else if (json_is_real(v)) {
		snprintf(tmp, sizeof(tmp), "%g", json_real_value(v));
		*out = strdup(tmp);
	} else if (json_is_true(v))
		*out = strdup("true");
	else if (json_is_false(v))
		*out = strdup("false");
	else if (json_is_null(v))
		*out = strdup("");
	else
		return ATMO_EINVALID;
	return *out ? 0 : ATMO_ENOMEM;
}

static int interp(atmo_bake *b, char **out, const char *s, const char *path, int depth,
		  atmo_error *err);

static int var_value(atmo_bake *b, char **out, const char *name, const char *path, int depth,
		     atmo_error *err)
{
	size_t i, nlen = strlen(name);
	const json_t *var, *def;
	const char *env;
	char *raw = NULL;
	int rc;
	char vpath[300];

	if (depth > BAKE_MAX_DEPTH)
		return atmo__bake_errorf(b, err, ATMO_EINVALID, path,
					 "the defaults of the variables form a loop (at '%s')", name);
	var = json_object_get(b->vars, name);
	if (!var)
		return atmo__bake_errorf(b, err, ATMO_EINVALID, path, "unknown variable '%s'", name);
	for (i = b->opts.n_set_vars; i-- > 0;) {
		const char *sv = b->opts.set_vars[i];
		if (!strncmp(sv, name, nlen) && sv[nlen] == '=') {
			*out = strdup(sv + nlen + 1);
			return *out ? 0 : atmo__error_nomem(err);
		}
	}
	env = env_get(&b->opts, name);
	if (env) {
		*out = strdup(env);
		return *out ? 0 : atmo__error_nomem(err);
	}
	def = json_object_get(var, "default");
	if (!def) {
		*out = strdup("");
		return *out ? 0 : atmo__error_nomem(err);
	}
	if ((rc = value_string(&raw, def)) < 0)
		return rc == ATMO_ENOMEM ? atmo__error_nomem(err) : rc;
	snprintf(vpath, sizeof(vpath), "variable.%s.default", name);
	rc = interp(b, out, raw, vpath, depth + 1, err);
	free(raw);
	return rc;
}

static int interp(atmo_bake *b, char **out, const char *s, const char *path, int depth,
		  atmo_error *err)
{
	atmo_buf buf = ATMO_BUF_INIT;
	const char *p = s;
	int rc = 0;

	*out = NULL;
	while (*p) {
		if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
			atmo__buf_puts(&buf, "${");
			p += 3;
		} else if (p[0] == '%' && p[1] == '%' && p[2] == '{') {
			atmo__buf_puts(&buf, "%{");
			p += 3;
		} else if (p[0] == '%' && p[1] == '{') {
			rc = atmo__bake_errorf(b, err, ATMO_EUNSUPPORTED, path,
					       "HCL template directives (%%{...}) are not supported");
			goto done;
		} else if (p[0] == '$' && p[1] == '{') {
			const char *start = p + 2, *end = strchr(start, '}');
			const char *q;
			char name[256], *val = NULL;
			size_t len;

			if (!end) {
				rc = atmo__bake_errorf(b, err, ATMO_EINVALID, path,
						       "unterminated '${' in \"%s\"", s);
				goto done;
			}
			while (start < end && isspace((unsigned char)*start))
				start++;
			len = (size_t)(end - start);
			while (len && isspace((unsigned char)start[len - 1]))
				len--;
			if (len == 0 || len >= sizeof(name) ||
			    !(isalpha((unsigned char)start[0]) || start[0] == '_')) {
				rc = atmo__bake_errorf(b, err, ATMO_EUNSUPPORTED, path,
						       "only ${VARIABLE} is supported, not \"${%.*s}\" (HCL expressions and functions are not)",
						       (int)(end - p - 2), p + 2);
				goto done;
			}
			for (q = start; q < start + len; q++) {
				if (!isalnum((unsigned char)*q) && *q != '_' && *q != '-') {
					rc = atmo__bake_errorf(b, err, ATMO_EUNSUPPORTED, path,
							       "only ${VARIABLE} is supported, not \"${%.*s}\" (HCL expressions and functions are not)",
							       (int)(end - p - 2), p + 2);
					goto done;
				}
			}
			memcpy(name, start, len);
			name[len] = '\0';
			if ((rc = var_value(b, &val, name, path, depth, err)) < 0)
				goto done;
			atmo__buf_puts(&buf, val);
			free(val);
			p = end + 1;
		} else {
			atmo__buf_putc(&buf, *p++);
		}
	}
	if (buf.oom) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	*out = buf.ptr ? atmo__buf_detach(&buf) : strdup("");
	if (!*out)
		rc = atmo__error_nomem(err);
done:
	atmo__buf_free(&buf);
	return rc;
}

/* interpolate and keep */
static int kinterp(atmo_bake *b, const char **out, const char *s, const char *path,
		   atmo_error *err)
{
	char *v = NULL;
	int rc = interp(b, &v, s, path, 0, err);
	if (rc < 0)
		return rc;
	if (!atmo__bake_keep(b, v))
		return atmo__error_nomem(err);
	*out = v;
	return 0;
}

/* ---- loading and merging the files ---- */

static int check_string_array(atmo_bake *b, const json_t *v, const char *path, atmo_error *err)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		return atmo__bake_errorf(b, err, ATMO_EINVALID, path,
					 "expected an array of strings");
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			return atmo__bake_errorf(b, err, ATMO_EINVALID, path,
						 "item %zu: expected a string", i);
	}
	return 0;
}

static int check_target(atmo_bake *b, const char *name, const json_t *t, atmo_error *err)
{
	const char *key;
	json_t *v;
	char path[512];

	if (!json_is_object(t)) {
		snprintf(path, sizeof(path), "target.%s", name);
		return atmo__bake_errorf(b, err, ATMO_EINVALID, path, "expected an object");
	}
	if (!*name)
		return atmo__bake_errorf(b, err, ATMO_EINVALID, "target", "empty target name");
	json_object_foreach((json_t *)t, key, v) {
		snprintf(path, sizeof(path), "target.%s.%s", name, key);
		if (!in_list(target_fields, key))
			return atmo__bake_errorf(b, err, ATMO_EUNSUPPORTED, path,
						 "field '%s' is not supported by atmograph (supported: context, dockerfile, dockerfile-inline, args, tags, target, contexts, inherits, platforms, output, cache-from, cache-to, labels, no-cache, pull, description)",
						 key);
		if (!strcmp(key, "args") || !strcmp(key, "labels") || !strcmp(key, "contexts")) {
			const char *k;
			json_t *x;
			if (!json_is_object(v))
				return atmo__bake_errorf(b, err, ATMO_EINVALID, path,
							 "expected an object of strings");
			json_object_foreach(v, k, x) {
				char p2[600];
				snprintf(p2, sizeof(p2), "%s.%s", path, k);
				if (json_is_object(x) || json_is_array(x))
					return atmo__bake_errorf(b, err, ATMO_EINVALID, p2,
								 "expected a string");
				if (json_is_null(x) && strcmp(key, "args"))
					return atmo__bake_errorf(b, err, ATMO_EINVALID, p2,
								 "expected a string, not null");
				if (!*k)
					return atmo__bake_errorf(b, err, ATMO_EINVALID, path,
								 "empty name");
			}
		} else if (!strcmp(key, "tags") || !strcmp(key, "platforms") ||
			   !strcmp(key, "output") || !strcmp(key, "cache-from") ||
			   !strcmp(key, "cache-to") || !strcmp(key, "inherits")) {
			int rc = check_string_array(b, v, path, err);
			if (rc < 0)
				return rc;
		} else if (!strcmp(key, "no-cache") || !strcmp(key, "pull")) {
			if (!json_is_boolean(v))
				return atmo__bake_errorf(b, err, ATMO_EINVALID, path,
							 "expected true or false");
		} else if (!json_is_string(v)) {
			return atmo__bake_errorf(b, err, ATMO_EINVALID, path, "expected a string");
		}
	}
	if (json_object_get(t, "dockerfile-inline") && json_object_get(t, "dockerfile")) {
		snprintf(path, sizeof(path), "target.%s.dockerfile-inline", name);
		return atmo__bake_errorf(b, err, ATMO_EINVALID, path,
					 "'dockerfile' and 'dockerfile-inline' cannot both be given");
	}
	return 0;
}

static int merge_fields(json_t *dst, const json_t *src)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)src, key, v) {
		if (!strcmp(key, "inherits"))
			continue;
		if ((!strcmp(key, "args") || !strcmp(key, "labels") || !strcmp(key, "contexts")) &&
		    json_is_object(json_object_get(dst, key))) {
			json_t *m = json_deep_copy(json_object_get(dst, key));
			if (!m || json_object_update(m, v) < 0 || json_object_set_new(dst, key, m) < 0)
				return ATMO_ENOMEM;
		} else if (json_object_set_new(dst, key, json_deep_copy(v)) < 0) {
			return ATMO_ENOMEM;
		}
	}
	return 0;
}

static int load_one(atmo_bake *b, const char *text, size_t len, atmo_error *err)
{
	json_error_t jerr;
	json_t *root;
	const char *key, *src = b->files[b->n_files - 1];
	json_t *v;
	int rc = 0;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return atmo__error_set(err, ATMO_EINVALID, src, jerr.line, jerr.column,
				       "invalid JSON: %s", jerr.text);
	if (!json_is_object(root)) {
		rc = atmo__error_set(err, ATMO_EINVALID, src, 1, 1,
				     "a bake file is a JSON object with \"variable\", \"group\" and \"target\"");
		goto done;
	}
	json_object_foreach(root, key, v) {
		const char *name;
		json_t *x;
		char path[512];

		if (strcmp(key, "variable") && strcmp(key, "group") && strcmp(key, "target")) {
			rc = atmo__bake_errorf(b, err, ATMO_EUNSUPPORTED, key,
					       "unsupported section '%s' (supported: variable, group, target)",
					       key);
			goto done;
		}
		if (!json_is_object(v)) {
			rc = atmo__bake_errorf(b, err, ATMO_EINVALID, key, "expected an object");
			goto done;
		}
		json_object_foreach(v, name, x) {
			snprintf(path, sizeof(path), "%s.%s", key, name);
			if (!strcmp(key, "variable")) {
				const char *f;
				json_t *y;
				if (!json_is_object(x)) {
					rc = atmo__bake_errorf(b, err, ATMO_EINVALID, path,
							       "expected an object with \"default\"");
					goto done;
				}
				json_object_foreach(x, f, y) {
					char p2[600];
					snprintf(p2, sizeof(p2), "%s.%s", path, f);
					if (strcmp(f, "default") && strcmp(f, "description")) {
						rc = atmo__bake_errorf(b, err, ATMO_EUNSUPPORTED, p2,
								       "field '%s' is not supported (supported: default, description)",
								       f);
						goto done;
					}
					if (json_is_object(y) || json_is_array(y)) {
						rc = atmo__bake_errorf(b, err, ATMO_EUNSUPPORTED, p2,
								       "only string, number and boolean values are supported");
						goto done;
					}
				}
				if (json_object_set(b->vars, name, x) < 0) {
					rc = atmo__error_nomem(err);
					goto done;
				}
			} else if (!strcmp(key, "group")) {
				const char *f;
				json_t *y, *merged;
				if (!json_is_object(x)) {
					rc = atmo__bake_errorf(b, err, ATMO_EINVALID, path,
							       "expected an object with \"targets\"");
					goto done;
				}
				json_object_foreach(x, f, y) {
					char p2[600];
					snprintf(p2, sizeof(p2), "%s.%s", path, f);
					if (strcmp(f, "targets") && strcmp(f, "description")) {
						rc = atmo__bake_errorf(b, err, ATMO_EUNSUPPORTED, p2,
								       "field '%s' is not supported (supported: targets, description)",
								       f);
						goto done;
					}
					if (!strcmp(f, "targets") &&
					    (rc = check_string_array(b, y, p2, err)) < 0)
						goto done;
					if (!strcmp(f, "description") && !json_is_string(y)) {
						rc = atmo__bake_errorf(b, err, ATMO_EINVALID, p2,
								       "expected a string");
						goto done;
					}
				}
				/* buildx merges groups of several files: targets are appended */
				merged = json_object_get(b->groups, name);
				if (merged) {
					size_t i;
					json_t *t, *list = json_object_get(merged, "targets");
					json_array_foreach(json_object_get(x, "targets"), i, t) {
						size_t j;
						json_t *u;
						int seen = 0;
						json_array_foreach(list, j, u)
							seen |= json_equal(t, u);
						if (!seen)
							json_array_append(list, t);
					}
				} else {
					json_t *g = json_deep_copy(x);
					if (!g) {
						rc = atmo__error_nomem(err);
						goto done;
					}
					if (!json_object_get(g, "targets"))
						json_object_set_new(g, "targets", json_array());
					json_object_set_new(b->groups, name, g);
				}
			} else {
				json_t *prev;
				if ((rc = check_target(b, name, x, err)) < 0)
					goto done;
				prev = json_object_get(b->raw, name);
				if (prev) {
					/* a later file overrides fields of the same target */
					if (json_object_get(x, "inherits"))
						json_object_set(prev, "inherits",
								json_object_get(x, "inherits"));
					if (merge_fields(prev, x) < 0) {
						rc = atmo__error_nomem(err);
						goto done;
					}
				} else if (json_object_set_new(b->raw, name, json_deep_copy(x)) < 0) {
					rc = atmo__error_nomem(err);
					goto done;
				}
			}
		}
	}
done:
	json_decref(root);
	return rc;
}

/* ---- resolving targets ---- */

static int resolve_inherits(atmo_bake *b, const char *name, json_t *stack, atmo_error *err)
{
	json_t *raw = json_object_get(b->raw, name), *res, *inh, *p;
	size_t i;
	int rc;
	char path[512];

	if (json_object_get(b->resolved, name))
		return 0;
	snprintf(path, sizeof(path), "target.%s.inherits", name);
	if (json_array_size(stack) > BAKE_MAX_DEPTH)
		return atmo__bake_errorf(b, err, ATMO_ELIMIT, path, "inheritance too deep");
	res = json_object();
	if (!res)
		return atmo__error_nomem(err);
	json_array_append_new(stack, json_string(name));
	inh = json_object_get(raw, "inherits");
	json_array_foreach(inh, i, p) {
		const char *parent = json_string_value(p);
		size_t j;
		json_t *s;

		if (!strcmp(parent, name)) {
			rc = atmo__bake_errorf(b, err, ATMO_EINVALID, path,
					       "target '%s' inherits from itself", name);
			goto fail;
		}
		json_array_foreach(stack, j, s) {
			if (!strcmp(json_string_value(s), parent)) {
				atmo_buf chain = ATMO_BUF_INIT;
				size_t k;
				for (k = j; k < json_array_size(stack); k++)
					atmo__buf_printf(&chain, "%s -> ",
							 json_string_value(json_array_get(stack, k)));
				atmo__buf_puts(&chain, parent);
				rc = atmo__bake_errorf(b, err, ATMO_EINVALID, path,
						       "inheritance loop: %s", atmo__buf_cstr(&chain));
				atmo__buf_free(&chain);
				goto fail;
			}
		}
		if (!json_object_get(b->raw, parent)) {
			rc = atmo__bake_errorf(b, err, ATMO_ENOTFOUND, path,
					       "unknown target '%s'", parent);
			goto fail;
		}
		if ((rc = resolve_inherits(b, parent, stack, err)) < 0)
			goto fail;
		if (merge_fields(res, json_object_get(b->resolved, parent)) < 0) {
			rc = atmo__error_nomem(err);
			goto fail;
		}
	}
	if (merge_fields(res, raw) < 0) {
		rc = atmo__error_nomem(err);
		goto fail;
	}
	json_array_remove(stack, json_array_size(stack) - 1);
	json_object_set_new(b->resolved, name, res);
	return 0;
fail:
	json_decref(res);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int kv_list(atmo_bake *b, const char ***out, size_t *n, const json_t *obj,
		   const char *path, int is_args, atmo_error *err)
{
	const char *key;
	json_t *v;
	const char **list;
	size_t i = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!obj)
		return 0;
	list = keep_mem(b, (json_object_size(obj) + 1) * sizeof(*list), err);
	if (!list)
		return ATMO_ENOMEM;
	json_object_foreach((json_t *)obj, key, v) {
		char p2[600], *raw = NULL, *val = NULL, *kv;
		snprintf(p2, sizeof(p2), "%s.%s", path, key);
		if (is_args && json_is_null(v)) {
			/* buildx: a null arg takes its value from the environment, or is left out */
			const char *e = env_get(&b->opts, key);
			if (!e)
				continue;
			raw = strdup(e);
			if (!raw)
				return atmo__error_nomem(err);
			val = raw;
			raw = NULL;
		} else {
			if (value_string(&raw, v) < 0)
				return atmo__error_nomem(err);
			rc = interp(b, &val, raw, p2, 0, err);
			free(raw);
			if (rc < 0)
				return rc;
		}
		kv = malloc(strlen(key) + strlen(val) + 2);
		if (!kv) {
			free(val);
			return atmo__error_nomem(err);
		}
		sprintf(kv, "%s=%s", key, val);
		free(val);
		if (!atmo__bake_keep(b, kv))
			return atmo__error_nomem(err);
		list[i++] = kv;
	}
	qsort(list, i, sizeof(*list), cmp_str);
	*out = list;
	*n = i;
	return 0;
}

static int str_list(atmo_bake *b, const char ***out, size_t *n, const json_t *arr,
		    const char *path, atmo_error *err)
{
	const char **list;
	size_t i;
	json_t *v;
	int rc;

	*out = NULL;
	*n = 0;
	if (!arr)
		return 0;
	list = keep_mem(b, (json_array_size(arr) + 1) * sizeof(*list), err);
	if (!list)
		return ATMO_ENOMEM;
	json_array_foreach(arr, i, v) {
		if ((rc = kinterp(b, &list[i], json_string_value(v), path, err)) < 0)
			return rc;
	}
	*out = list;
	*n = json_array_size(arr);
	return 0;
}

static int is_scheme(const char *v)
{
	const char *p = strstr(v, "://");
	const char *q;

	if (!p)
		return 0;
	for (q = v; q < p; q++)
		if (!isalnum((unsigned char)*q) && *q != '-' && *q != '+' && *q != '.')
			return 0;
	return p > v;
}

const char *atmo__bake_join(atmo_bake *b, const char *dir, const char *rel, atmo_error *err)
{
	char *s;

	if (rel[0] == '/' || !dir || !*dir || !strcmp(dir, "."))
		return keep_dup(b, rel, err);
	if (!strcmp(rel, "."))
		return keep_dup(b, dir, err);
	s = malloc(strlen(dir) + strlen(rel) + 2);
	if (!s) {
		atmo__error_nomem(err);
		return NULL;
	}
	sprintf(s, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
		!strncmp(rel, "./", 2) ? rel + 2 : rel);
	if (!atmo__bake_keep(b, s)) {
		atmo__error_nomem(err);
		return NULL;
	}
	return s;
}

static int build_target(atmo_bake *b, atmo_bake_target *t, const char *name, const json_t *r,
			atmo_error *err)
{
	char path[512];
	json_t *v;
	int rc;
	size_t i;
	const char **cpaths;

	memset(t, 0, sizeof(*t));
	t->no_cache = t->pull = -1;
	if (!(t->name = keep_dup(b, name, err)))
		return ATMO_ENOMEM;
#define STRF(field, key, dflt)                                                                \
	do {                                                                                   \
		snprintf(path, sizeof(path), "target.%s.%s", name, key);                       \
		v = json_object_get(r, key);                                                   \
		if (v) {                                                                       \
			if ((rc = kinterp(b, &t->field, json_string_value(v), path, err)) < 0) \
				return rc;                                                     \
		} else if (dflt) {                                                             \
			if (!(t->field = keep_dup(b, dflt, err)))                              \
				return ATMO_ENOMEM;                                            \
		}                                                                              \
	} while (0)
	STRF(description, "description", NULL);
	STRF(context, "context", ".");
	STRF(dockerfile_inline, "dockerfile-inline", NULL);
	STRF(dockerfile, "dockerfile", t->dockerfile_inline ? NULL : "Dockerfile");
	STRF(target, "target", NULL);
#undef STRF
	if (t->target && !*t->target)
		t->target = NULL;
	if (!(t->context_path = atmo__bake_join(b, b->base_dir, t->context, err)))
		return ATMO_ENOMEM;
	if (t->dockerfile &&
	    !(t->dockerfile_path = atmo__bake_join(b, t->context_path, t->dockerfile, err)))
		return ATMO_ENOMEM;
#define KVF(field, key, isargs)                                                                  \
	do {                                                                                      \
		snprintf(path, sizeof(path), "target.%s.%s", name, key);                          \
		if ((rc = kv_list(b, (const char ***)&t->field, &t->n_##field,                    \
				  json_object_get(r, key), path, isargs, err)) < 0)               \
			return rc;                                                                \
	} while (0)
	KVF(args, "args", 1);
	KVF(contexts, "contexts", 0);
	KVF(labels, "labels", 0);
#undef KVF
#define LF(field, key)                                                                           \
	do {                                                                                      \
		snprintf(path, sizeof(path), "target.%s.%s", name, key);                          \
		if ((rc = str_list(b, (const char ***)&t->field, &t->n_##field,                   \
				   json_object_get(r, key), path, err)) < 0)                      \
			return rc;                                                                \
	} while (0)
	LF(tags, "tags");
	LF(platforms, "platforms");
	LF(outputs, "output");
	LF(cache_from, "cache-from");
	LF(cache_to, "cache-to");
#undef LF
	if ((v = json_object_get(r, "no-cache")))
		t->no_cache = json_is_true(v);
	if ((v = json_object_get(r, "pull")))
		t->pull = json_is_true(v);
	cpaths = keep_mem(b, (t->n_contexts + 1) * sizeof(*cpaths), err);
	if (!cpaths)
		return ATMO_ENOMEM;
	for (i = 0; i < t->n_contexts; i++) {
		const char *eq = strchr(t->contexts[i], '=');
		const char *val = eq + 1;
		snprintf(path, sizeof(path), "target.%s.contexts.%.*s", name,
			 (int)(eq - t->contexts[i]), t->contexts[i]);
		if (!*val)
			return atmo__bake_errorf(b, err, ATMO_EINVALID, path, "empty context value");
		if (!strncmp(val, "target:", 7)) {
			if (!val[7])
				return atmo__bake_errorf(b, err, ATMO_EINVALID, path,
							 "'target:' names no target");
			continue;
		}
		if (is_scheme(val))
			continue;
		if (!(cpaths[i] = atmo__bake_join(b, b->base_dir, val, err)))
			return ATMO_ENOMEM;
	}
	t->context_paths = cpaths;
	return 0;
}

static int link_targets(atmo_bake *b, atmo_error *err)
{
	size_t i, j;

	for (i = 0; i < b->n_targets; i++) {
		atmo_bake_target *t = &b->targets[i];
		size_t *links;
		const char **names;

		links = keep_mem(b, (t->n_contexts + 1) * sizeof(*links), err);
		names = keep_mem(b, (t->n_contexts + 1) * sizeof(*names), err);
		if (!links || !names)
			return ATMO_ENOMEM;
		for (j = 0; j < t->n_contexts; j++) {
			const char *c = t->contexts[j], *eq = strchr(c, '=');
			const atmo_bake_target *dep;
			char path[600], *cname;

			if (strncmp(eq + 1, "target:", 7))
				continue;
			snprintf(path, sizeof(path), "target.%s.contexts.%.*s", t->name,
				 (int)(eq - c), c);
			if (!strcmp(eq + 8, t->name))
				return atmo__bake_errorf(b, err, ATMO_EINVALID, path,
							 "target '%s' links to itself", t->name);
			dep = atmo_bake_find_target(b, eq + 8);
			if (!dep)
				return atmo__bake_errorf(b, err, ATMO_ENOTFOUND, path,
							 "unknown target '%s'", eq + 8);
			cname = atmo__bake_keep(b, strndup(c, (size_t)(eq - c)));
			if (!cname)
				return atmo__error_nomem(err);
			links[t->n_links] = (size_t)(dep - b->targets);
			names[t->n_links++] = cname;
		}
		t->links = links;
		t->link_names = names;
	}
	return 0;
}

/* depth-first search for loops among links; color: 0 new, 1 on stack, 2 done */
static int find_loop(atmo_bake *b, size_t i, unsigned char *color, size_t *stack, size_t depth,
		     atmo_error *err)
{
	const atmo_bake_target *t = &b->targets[i];
	size_t k;
	int rc;

	color[i] = 1;
	stack[depth] = i;
	for (k = 0; k < t->n_links; k++) {
		size_t d = t->links[k];
		if (color[d] == 1) {
			atmo_buf chain = ATMO_BUF_INIT;
			char path[600];
			size_t s;
			for (s = 0; s <= depth && stack[s] != d; s++)
				;
			for (; s <= depth; s++)
				atmo__buf_printf(&chain, "%s -> ", b->targets[stack[s]].name);
			atmo__buf_puts(&chain, b->targets[d].name);
			snprintf(path, sizeof(path), "target.%s.contexts.%s", t->name,
				 t->link_names[k]);
			rc = atmo__bake_errorf(b, err, ATMO_EINVALID, path,
					       "loop between targets: %s", atmo__buf_cstr(&chain));
			atmo__buf_free(&chain);
			return rc;
		}
		if (color[d] == 0 && (rc = find_loop(b, d, color, stack, depth + 1, err)) < 0)
			return rc;
	}
	color[i] = 2;
	return 0;
}

static int finish(atmo_bake *b, atmo_error *err)
{
	const char *name;
	json_t *r, *stack;
	size_t i = 0, n;
	int rc = 0;
	unsigned char *color = NULL;
	size_t *st = NULL;
	const char **names = NULL;

	stack = json_array();
	if (!stack)
		return atmo__error_nomem(err);
	json_object_foreach(b->raw, name, r) {
		if ((rc = resolve_inherits(b, name, stack, err)) < 0)
			goto done;
	}
	/* group members must exist; checked in select too, but an early error is clearer */
	{
		const char *g;
		json_t *grp, *m;
		size_t k;
		json_object_foreach(b->groups, g, grp) {
			json_array_foreach(json_object_get(grp, "targets"), k, m) {
				const char *mn = json_string_value(m);
				char path[600];
				snprintf(path, sizeof(path), "group.%s.targets", g);
				if (!strcmp(mn, g)) {
					rc = atmo__bake_errorf(b, err, ATMO_EINVALID, path,
							       "group '%s' contains itself", g);
					goto done;
				}
				if (!json_object_get(b->resolved, mn) &&
				    !json_object_get(b->groups, mn)) {
					rc = atmo__bake_errorf(b, err, ATMO_ENOTFOUND, path,
							       "unknown target or group '%s'", mn);
					goto done;
				}
			}
		}
	}
	n = json_object_size(b->resolved);
	names = calloc(n + 1, sizeof(*names));
	b->targets = calloc(n + 1, sizeof(*b->targets));
	if (!names || !b->targets) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	json_object_foreach(b->resolved, name, r)
		names[i++] = name;
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		if ((rc = build_target(b, &b->targets[i], names[i],
				       json_object_get(b->resolved, names[i]), err)) < 0)
			goto done;
		b->n_targets++;
	}
	if ((rc = link_targets(b, err)) < 0)
		goto done;
	color = calloc(n + 1, 1);
	st = calloc(n + 1, sizeof(*st));
	if (!color || !st) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	for (i = 0; i < n; i++)
		if (!color[i] && (rc = find_loop(b, i, color, st, 0, err)) < 0)
			goto done;
done:
	free(names);
	free(color);
	free(st);
	json_decref(stack);
	return rc;
}

static int bake_new(atmo_bake **out, const atmo_bake_options *opts, atmo_error *err)
{
	atmo_bake *b = calloc(1, sizeof(*b));

	*out = NULL;
	if (!b)
		return atmo__error_nomem(err);
	if (opts) {
		if (opts->version != ATMO_BAKE_OPTIONS_VERSION) {
			free(b);
			return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
					       "atmo_bake_options: unknown version %u", opts->version);
		}
		b->opts = *opts;
	} else {
		atmo_bake_options d = ATMO_BAKE_OPTIONS_INIT;
		b->opts = d;
	}
	b->vars = json_object();
	b->groups = json_object();
	b->raw = json_object();
	b->resolved = json_object();
	if (!b->vars || !b->groups || !b->raw || !b->resolved) {
		atmo_bake_free(b);
		return atmo__error_nomem(err);
	}
	*out = b;
	return 0;
}

static int add_file(atmo_bake *b, const char *name, char *text, atmo_error *err)
{
	char **f = realloc(b->files, (b->n_files + 1) * sizeof(*f));
	char **t;

	if (!f) {
		free(text);
		return atmo__error_nomem(err);
	}
	b->files = f;
	t = realloc(b->texts, (b->n_files + 1) * sizeof(*t));
	if (!t) {
		free(text);
		return atmo__error_nomem(err);
	}
	b->texts = t;
	b->files[b->n_files] = strdup(name);
	b->texts[b->n_files] = text;
	b->n_files++;
	if (!b->files[b->n_files - 1])
		return atmo__error_nomem(err);
	return 0;
}

static int set_base_dir(atmo_bake *b, const char *file, atmo_error *err)
{
	const char *slash;

	if (b->opts.base_dir)
		b->base_dir = strdup(b->opts.base_dir);
	else if (file && (slash = strrchr(file, '/')) != NULL)
		b->base_dir = slash == file ? strdup("/") : strndup(file, (size_t)(slash - file));
	else
		b->base_dir = strdup(".");
	return b->base_dir ? 0 : atmo__error_nomem(err);
}

int atmo_bake_load_string(atmo_bake **out, const char *text, size_t len, const char *source,
			  const atmo_bake_options *opts, atmo_error *err)
{
	atmo_bake *b = NULL;
	char *copy;
	int rc;

	atmo_error_clear(err);
	*out = NULL;
	if ((rc = bake_new(&b, opts, err)) < 0)
		return rc;
	copy = malloc(len + 1);
	if (!copy) {
		rc = atmo__error_nomem(err);
		goto fail;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	if ((rc = add_file(b, source ? source : "<string>", copy, err)) < 0)
		goto fail;
	if ((rc = set_base_dir(b, NULL, err)) < 0)
		goto fail;
	if ((rc = load_one(b, copy, len, err)) < 0 || (rc = finish(b, err)) < 0)
		goto fail;
	*out = b;
	return 0;
fail:
	atmo_bake_free(b);
	return rc;
}

int atmo_bake_load(atmo_bake **out, const char *const *paths, size_t n_paths, const char *dir,
		   const atmo_bake_options *opts, atmo_error *err)
{
	static const char *const defaults[] = { "docker-bake.json", "docker-bake.override.json" };
	static const char *const unsupported[] = { "docker-compose.yml", "docker-compose.yaml",
						   "compose.yaml", "compose.yml",
						   "docker-bake.hcl", "docker-bake.override.hcl" };
	atmo_bake *b = NULL;
	char found[2][4096];
	const char *list[2];
	size_t i, n = 0;
	int rc;

	atmo_error_clear(err);
	*out = NULL;
	if (n_paths == 0) {
		struct stat st;
		for (i = 0; i < 2; i++) {
			if (dir && strcmp(dir, "."))
				snprintf(found[n], sizeof(found[n]), "%s/%s", dir, defaults[i]);
			else
				snprintf(found[n], sizeof(found[n]), "%s", defaults[i]);
			if (stat(found[n], &st) == 0) {
				list[n] = found[n];
				n++;
			}
		}
		if (n == 0) {
			for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
				char p[4096];
				snprintf(p, sizeof(p), "%s/%s", dir ? dir : ".", unsupported[i]);
				if (stat(p, &st) == 0)
					return atmo__error_set(err, ATMO_EUNSUPPORTED, p, 0, 0,
							       "only JSON bake files are supported; write the file with `docker buildx bake --print > docker-bake.json`");
			}
			return atmo__error_set(err, ATMO_ENOTFOUND, dir ? dir : ".", 0, 0,
					       "no bake file: looked for docker-bake.json and docker-bake.override.json");
		}
		paths = list;
		n_paths = n;
	}
	if ((rc = bake_new(&b, opts, err)) < 0)
		return rc;
	for (i = 0; i < n_paths; i++) {
		char *text = NULL;
		size_t len = 0;
		if ((rc = atmo_file_read(&text, &len, paths[i], BAKE_MAX_FILE, err)) < 0)
			goto fail;
		if ((rc = add_file(b, paths[i], text, err)) < 0)
			goto fail;
		if (i == 0 && (rc = set_base_dir(b, strcmp(paths[0], "-") ? paths[0] : NULL, err)) < 0)
			goto fail;
		if ((rc = load_one(b, text, len, err)) < 0)
			goto fail;
	}
	if ((rc = finish(b, err)) < 0)
		goto fail;
	*out = b;
	return 0;
fail:
	atmo_bake_free(b);
	return rc;
}

void atmo_bake_free(atmo_bake *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->n_owned; i++)
		free(b->owned[i]);
	free(b->owned);
	for (i = 0; i < b->n_files; i++) {
		free(b->files[i]);
		free(b->texts[i]);
	}
	free(b->files);
	free(b->texts);
	free(b->targets);
	free(b->base_dir);
	json_decref(b->vars);
	json_decref(b->groups);
	json_decref(b->raw);
	json_decref(b->resolved);
	free(b);
}

size_t atmo_bake_file_count(const atmo_bake *b)
{
	return b ? b->n_files : 0;
}

const char *atmo_bake_file(const atmo_bake *b, size_t i)
{
	return b && i < b->n_files ? b->files[i] : NULL;
}

size_t atmo_bake_target_count(const atmo_bake *b)
{
	return b ? b->n_targets : 0;
}

const atmo_bake_target *atmo_bake_target_at(const atmo_bake *b, size_t i)
{
	return b && i < b->n_targets ? &b->targets[i] : NULL;
}

const atmo_bake_target *atmo_bake_find_target(const atmo_bake *b, const char *name)
{
	size_t lo = 0, hi;

	if (!b || !name)
		return NULL;
	/* targets are sorted by name (atmo__bake_load sorts them): a binary search, as
	 * a scan made linking thousands of targets quadratic */
	hi = b->n_targets;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(b->targets[mid].name, name);
		if (!c)
			return &b->targets[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- selection ---- */

static int expand_name(const atmo_bake *b, const char *name, unsigned char *want, int depth,
		       atmo_error *err)
{
	const atmo_bake_target *t = atmo_bake_find_target(b, name);
	json_t *g = json_object_get(b->groups, name), *m;
	size_t i;
	int rc;

	if (depth > BAKE_MAX_DEPTH)
		return atmo__bake_errorf(b, err, ATMO_EINVALID, "group",
					 "groups nest too deep or form a loop (at '%s')", name);
	if (g) {
		json_array_foreach(json_object_get(g, "targets"), i, m) {
			if ((rc = expand_name(b, json_string_value(m), want, depth + 1, err)) < 0)
				return rc;
		}
		return 0;
	}
	if (t) {
		want[t - b->targets] = 1;
		return 0;
	}
	{
		atmo_buf names = ATMO_BUF_INIT;
		const char *k;
		json_t *v;
		for (i = 0; i < b->n_targets; i++)
			atmo__buf_printf(&names, "%s%s", i ? ", " : "", b->targets[i].name);
		json_object_foreach(b->groups, k, v)
			atmo__buf_printf(&names, ", %s (group)", k);
		rc = atmo__error_set(err, ATMO_ENOTFOUND, b->n_files ? b->files[0] : NULL, 0, 0,
				     "unknown target or group '%s' (known: %s)", name,
				     atmo__buf_cstr(&names));
		atmo__buf_free(&names);
		return rc;
	}
}

static void topo(const atmo_bake *b, size_t i, unsigned char *state, size_t *order, size_t *n)
{
	size_t k;

	if (state[i] == 2)
		return;
	state[i] = 2;
	for (k = 0; k < b->targets[i].n_links; k++)
		topo(b, b->targets[i].links[k], state, order, n);
	order[(*n)++] = i;
}

int atmo__bake_requested(unsigned char **want, const atmo_bake *b, const char *const *names,
			 size_t n_names, atmo_error *err)
{
	size_t i;
	int rc;

	*want = calloc(b->n_targets + 1, 1);
	if (!*want)
		return atmo__error_nomem(err);
	if (n_names == 0) {
		if (!json_object_get(b->groups, "default") && !atmo_bake_find_target(b, "default")) {
			free(*want);
			*want = NULL;
			return atmo__error_set(err, ATMO_ENOTFOUND, b->n_files ? b->files[0] : NULL,
					       0, 0,
					       "no target given and no 'default' group or target");
		}
		rc = expand_name(b, "default", *want, 0, err);
	} else {
		rc = 0;
		for (i = 0; i < n_names && rc == 0; i++)
			rc = expand_name(b, names[i], *want, 0, err);
	}
	if (rc < 0) {
		free(*want);
		*want = NULL;
	}
	return rc;
}

int atmo_bake_select(size_t **out, size_t *n, const atmo_bake *b, const char *const *names,
		     size_t n_names, atmo_error *err)
{
	unsigned char *want = NULL, *state = NULL;
	size_t *order = NULL, i;
	int rc;

	atmo_error_clear(err);
	*out = NULL;
	*n = 0;
	if ((rc = atmo__bake_requested(&want, b, names, n_names, err)) < 0)
		return rc;
	state = calloc(b->n_targets + 1, 1);
	order = calloc(b->n_targets + 1, sizeof(*order));
	if (!state || !order) {
		free(order);
		rc = atmo__error_nomem(err);
		goto done;
	}
	for (i = 0; i < b->n_targets; i++)
		if (want[i])
			topo(b, i, state, order, n);
	*out = order;
done:
	free(want);
	free(state);
	return rc;
}

/* ---- --print ---- */

static json_t *kv_object(const char *const *kv, size_t n)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; o && i < n; i++) {
		const char *eq = strchr(kv[i], '=');
		char *k = strndup(kv[i], (size_t)(eq - kv[i]));
		if (!k || json_object_set_new(o, k, json_string(eq + 1)) < 0) {
			free(k);
			json_decref(o);
			return NULL;
		}
		free(k);
	}
	return o;
}

static json_t *str_array(const char *const *s, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(s[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *atmo__bake_target_json(const atmo_bake_target *t)
{
	json_t *o = json_object();
	int bad = 0;

	if (!o)
		return NULL;
	bad |= json_object_set_new(o, "context", json_string(t->context));
	if (t->n_contexts)
		bad |= json_object_set_new(o, "contexts", kv_object(t->contexts, t->n_contexts));
	if (t->dockerfile)
		bad |= json_object_set_new(o, "dockerfile", json_string(t->dockerfile));
	if (t->dockerfile_inline)
		bad |= json_object_set_new(o, "dockerfile-inline", json_string(t->dockerfile_inline));
	if (t->description)
		bad |= json_object_set_new(o, "description", json_string(t->description));
	if (t->n_args)
		bad |= json_object_set_new(o, "args", kv_object(t->args, t->n_args));
	if (t->n_labels)
		bad |= json_object_set_new(o, "labels", kv_object(t->labels, t->n_labels));
	if (t->n_tags)
		bad |= json_object_set_new(o, "tags", str_array(t->tags, t->n_tags));
	if (t->target)
		bad |= json_object_set_new(o, "target", json_string(t->target));
	if (t->n_platforms)
		bad |= json_object_set_new(o, "platforms", str_array(t->platforms, t->n_platforms));
	if (t->n_outputs)
		bad |= json_object_set_new(o, "output", str_array(t->outputs, t->n_outputs));
	if (t->n_cache_from)
		bad |= json_object_set_new(o, "cache-from", str_array(t->cache_from, t->n_cache_from));
	if (t->n_cache_to)
		bad |= json_object_set_new(o, "cache-to", str_array(t->cache_to, t->n_cache_to));
	if (t->no_cache >= 0)
		bad |= json_object_set_new(o, "no-cache", json_boolean(t->no_cache));
	if (t->pull >= 0)
		bad |= json_object_set_new(o, "pull", json_boolean(t->pull));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int atmo_bake_print(json_t **out, const atmo_bake *b, const char *const *names, size_t n_names,
		    atmo_error *err)
{
	unsigned char *want = NULL;
	size_t *order = NULL, n = 0, i;
	json_t *doc = NULL, *targets, *dflt, *tobj;
	int rc;

	atmo_error_clear(err);
	*out = NULL;
	if ((rc = atmo__bake_requested(&want, b, names, n_names, err)) < 0)
		return rc;
	if ((rc = atmo_bake_select(&order, &n, b, names, n_names, err)) < 0)
		goto done;
	doc = json_object();
	targets = json_array();
	tobj = json_object();
	dflt = json_object();
	if (!doc || !targets || !tobj || !dflt) {
		json_decref(targets);
		json_decref(tobj);
		json_decref(dflt);
		rc = atmo__error_nomem(err);
		goto done;
	}
	for (i = 0; i < b->n_targets; i++)
		if (want[i])
			json_array_append_new(targets, json_string(b->targets[i].name));
	json_object_set_new(dflt, "targets", targets);
	json_object_set_new(doc, "group", json_pack("{s:o}", "default", dflt));
	for (i = 0; i < n; i++) {
		json_t *t = atmo__bake_target_json(&b->targets[order[i]]);
		if (!t || json_object_set_new(tobj, b->targets[order[i]].name, t) < 0) {
			json_decref(tobj);
			rc = atmo__error_nomem(err);
			goto done;
		}
	}
	json_object_set_new(doc, "target", tobj);
	*out = doc;
	doc = NULL;
done:
	json_decref(doc);
	free(want);
	free(order);
	return rc;
}

int atmo_bake_target_dockerfile(char **text, size_t *len, const char **source,
				const atmo_bake_target *t, atmo_error *err)
{
	atmo_error_clear(err);
	*text = NULL;
	*len = 0;
	if (t->dockerfile_inline) {
		*source = t->name;
		*len = strlen(t->dockerfile_inline);
		*text = strdup(t->dockerfile_inline);
		return *text ? 0 : atmo__error_nomem(err);
	}
	*source = t->dockerfile_path;
	return atmo_file_read(text, len, t->dockerfile_path, 16u << 20, err);
}
