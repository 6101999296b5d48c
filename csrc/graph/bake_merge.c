/*
 * buildx's ReadTargets over a parsed config: target name patterns, --set
 * overrides, groups (nested), inherits, defaults, normalize, and the
 * targets that "target:x" contexts link in (built cache-only).
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/bake_config_int.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/alloc.h"
#include "util/grow.h"
#include "util/map.h"

static int fail(atmo_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(atmo_error *err, int code, const char *fmt, ...)
{
	char msg[480];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return atmo__error_set(err, code, NULL, 0, 0, "%s", msg);
}

static int is_pattern(const char *s)
{
	return strpbrk(s, "*?[]") != NULL;
}

static int match(const char *pattern, const char *name)
{
	return fnmatch(pattern, name, FNM_PATHNAME) == 0;
}

static int append_unique(json_t *arr, const char *s)
{
	size_t i;
	json_t *x;

	json_array_foreach(arr, i, x)
		if (!strcmp(json_string_value(x), s))
			return 0;
	return json_array_append_new(arr, json_string(s));
}

/* matchNames: a name as is, or the groups and targets a pattern matches */
static int match_names(json_t *out, const bake_config *c, const char *pattern, atmo_error *err)
{
	const char *k;
	json_t *v;
	int found = 0;

	if (!is_pattern(pattern))
		return json_array_append_new(out, json_string(pattern)) < 0 ? atmo__error_nomem(err)
									    : 0;
	json_object_foreach(c->groups, k, v)
		if (match(pattern, k)) {
			if (json_array_append_new(out, json_string(k)) < 0)
				return atmo__error_nomem(err);
			found = 1;
		}
	json_object_foreach(c->targets, k, v)
		if (match(pattern, k)) {
			if (json_array_append_new(out, json_string(k)) < 0)
				return atmo__error_nomem(err);
			found = 1;
		}
	if (!found)
		return fail(err, ATMO_ENOTFOUND, "could not find any target matching \"%s\"",
			    pattern);
	return 0;
}

/* ---- overrides ---- */

/* name -> array of bake_override (stored as json: {"key":..., "value":..., "arr":[...], "append":b}) */
static int new_overrides(json_t **out, const bake_config *c, const char *const *set, size_t n,
			 const atmo_bake_options *o, atmo_error *err)
{
	json_t *m = json_object();
	size_t i;

	*out = NULL;
	if (!m)
		return atmo__error_nomem(err);
	for (i = 0; i < n; i++) {
		const char *v = set[i], *eq = strchr(v, '=');
		size_t klen = eq ? (size_t)(eq - v) : strlen(v);
		char *skey = atmo__strndup(v, klen, NULL), *dot1, *dot2, *okey;
		int append = 0;
		json_t *names = json_array(), *nm;
		size_t j;
		int rc = 0;

		if (!skey || !names) {
			atmo__free(skey);
			json_decref(names);
			json_decref(m);
			return atmo__error_nomem(err);
		}
		if (klen && skey[klen - 1] == '+') {
			append = 1;
			skey[klen - 1] = '\0';
		}
		dot1 = strchr(skey, '.');
		if (!dot1) {
			rc = fail(err, ATMO_EINVALID,
				  "invalid override key %s, expected target.name", skey);
			goto next;
		}
		*dot1 = '\0';
		okey = dot1 + 1;
		dot2 = strchr(okey, '.');
		/* only args.NAME may come without a value (it is taken from the environment) */
		if (!eq && (strncmp(okey, "args", 4) || (okey[4] && okey[4] != '.'))) {
			*dot1 = '.';
			rc = fail(err, ATMO_EINVALID,
				  "invalid override %s, expected target.name=value", v);
			goto next;
		}
		/* expandTargets */
		if (json_object_get(c->targets, skey)) {
			if (json_array_append_new(names, json_string(skey)) < 0) {
				rc = atmo__error_nomem(err);
				goto next;
			}
		} else {
			const char *k;
			json_t *x;
			json_object_foreach(c->targets, k, x)
				if (match(skey, k) &&
				    json_array_append_new(names, json_string(k)) < 0) {
					rc = atmo__error_nomem(err);
					goto next;
				}
			if (!json_array_size(names)) {
				rc = fail(err, ATMO_ENOTFOUND,
					  "could not find any target matching '%s'", skey);
				goto next;
			}
		}
		json_array_foreach(names, j, nm) {
			json_t *t = json_object_get(m, json_string_value(nm)), *ov;
			size_t baselen = dot2 ? (size_t)(dot2 - okey) : strlen(okey);
			const char *value = eq ? eq + 1 : NULL;
			if (!t) {
				t = json_object();
				if (json_object_set_new(m, json_string_value(nm), t) < 0) {
					rc = atmo__error_nomem(err);
					goto next;
				}
			}
			if (!strncmp(okey, "args", baselen) && baselen == 4) {
				if (!dot2) {
					rc = fail(err, ATMO_EINVALID,
						  "invalid key %.*s, args requires name", (int)klen,
						  v);
					goto next;
				}
				if (!eq) {
					const char *e = NULL;
					if (!o->no_env && o->env)
						e = o->env(dot2 + 1, strlen(dot2 + 1),
							   o->env_payload);
					if (!e)
						continue;
					value = e;
				}
			} else if (!strncmp(okey, "contexts", baselen) && baselen == 8 && !dot2) {
				rc = fail(err, ATMO_EINVALID,
					  "invalid key %.*s, contexts requires name", (int)klen, v);
				goto next;
			}
			ov = json_object_get(t, okey);
			if (!ov) {
				ov = json_pack("{s:o,s:b}", "arr", json_array(), "append", 0);
				if (json_object_set_new(t, okey, ov) < 0) {
					rc = atmo__error_nomem(err);
					goto next;
				}
			}
			{
				char base[32];
				int bad = 0;
				snprintf(base, sizeof(base), "%.*s",
					 (int)(baselen < 31 ? baselen : 31), okey);
				if (atmo__bake_override_is_list(base)) {
					if (eq)
						bad = json_object_set_new(ov, "append",
									  json_boolean(append)) <
							      0 ||
						      json_array_append_new(
							      json_object_get(ov, "arr"),
							      json_string(eq + 1)) < 0;
				} else if (value) {
					bad = json_object_set_new(ov, "value", json_string(value)) <
					      0;
				}
				if (bad) {
					rc = atmo__error_nomem(err);
					goto next;
				}
			}
		}
	next:
		atmo__free(skey);
		json_decref(names);
		if (rc < 0) {
			json_decref(m);
			return rc;
		}
	}
	*out = m;
	return 0;
}

static int add_overrides(json_t *t, const json_t *ovs, atmo_error *err)
{
	const char *k;
	json_t *ov;

	json_object_foreach((json_t *)ovs, k, ov) {
		bake_override o;
		char msg[400];
		json_t *val = json_object_get(ov, "value");
		o.key = (char *)k;
		o.value = val ? (char *)json_string_value(val) : (char *)"";
		o.arr = json_object_get(ov, "arr");
		o.append = json_is_true(json_object_get(ov, "append"));
		if (atmo__bake_override_apply(t, &o, msg, sizeof(msg)) < 0)
			return strcmp(msg, "out of memory") ? fail(err, ATMO_EINVALID, "%s", msg)
							    : atmo__error_nomem(err);
	}
	return 0;
}

/* ---- resolving ---- */

static int target_rec(json_t **out, const bake_config *c, const char *name, json_t *visited,
		      const json_t *ovs, atmo_error *err)
{
	json_t *t, *tt, *m, *v, *p;
	size_t i;
	int rc;

	*out = NULL;
	v = json_object_get(visited, name);
	if (v) {
		*out = json_is_null(v) ? NULL : v;
		return 0;
	}
	if (json_object_set_new(visited, name, json_null()) < 0)
		return atmo__error_nomem(err);
	t = json_object_get(c->targets, name);
	if (!t)
		return fail(err, ATMO_ENOTFOUND, "failed to find target %s", name);
	tt = json_object();
	if (!tt)
		return atmo__error_nomem(err);
	json_array_foreach(json_object_get(t, "inherits"), i, p) {
		json_t *parent;
		if ((rc = target_rec(&parent, c, json_string_value(p), visited, ovs, err)) < 0) {
			json_decref(tt);
			return rc;
		}
		if (parent && atmo__bake_target_merge(tt, parent) < 0) {
			json_decref(tt);
			return atmo__error_nomem(err);
		}
	}
	m = json_object();
	if (!m || atmo__bake_target_merge(m, tt) < 0 || atmo__bake_target_merge(m, t) < 0) {
		json_decref(tt);
		json_decref(m);
		return atmo__error_nomem(err);
	}
	json_decref(tt);
	if (json_object_get(ovs, name) &&
	    (rc = add_overrides(m, json_object_get(ovs, name), err)) < 0) {
		json_decref(m);
		return rc;
	}
	if (atmo__bake_target_normalize(m) < 0) {
		json_decref(m);
		return atmo__error_nomem(err);
	}
	if (json_object_set_new(visited, name, m) < 0) /* m is gone too */
		return atmo__error_nomem(err);
	*out = m;
	return 0;
}

/* buildx cleans a local context path ("./db" -> "db"); -1 when out of memory */
static int clean_context(json_t *t)
{
	const char *ctx = json_string_value(json_object_get(t, "context"));
	char *c;
	int rc;

	if (!ctx || !*ctx || strstr(ctx, "://") || !strncmp(ctx, "target:", 7) ||
	    !strncmp(ctx, "docker-image:", 13))
		return 0;
	c = atmo__bake_path_clean(ctx);
	rc = c ? json_object_set_new(t, "context", json_string(c)) : -1;
	atmo__free(c);
	return rc;
}

static int resolve_target(json_t **out, const bake_config *c, const char *name, const json_t *ovs,
			  atmo_error *err)
{
	json_t *visited = json_object(), *t;
	const char *df;
	int rc;

	*out = NULL;
	if (!visited)
		return atmo__error_nomem(err);
	rc = target_rec(&t, c, name, visited, ovs, err);
	if (rc == 0) {
		/* the object target_rec made is ours once visited is gone */
		json_incref(t);
		json_object_del(t, "inherits");
		if (clean_context(t) < 0)
			rc = ATMO_ENOMEM;
		if (!rc && !json_object_get(t, "context")) {
			/* BUILDX_BAKE_FILE_RELATIVE_PATHS: the directory of the file that defines it */
			json_t *dir = json_object_get(json_object_get(c->targets, name), " dir");
			if (json_object_set_new(t, "context",
						json_string(dir ? json_string_value(dir) : ".")) <
			    0)
				rc = ATMO_ENOMEM;
		}
		df = json_string_value(json_object_get(t, "dockerfile"));
		if (!rc && (!df || !*df) &&
		    json_object_set_new(t, "dockerfile", json_string("Dockerfile")) < 0)
			rc = ATMO_ENOMEM;
		if (rc) {
			json_decref(t);
			rc = atmo__error_nomem(err);
		} else {
			*out = t;
		}
	}
	json_decref(visited);
	return rc;
}

/* Config.group: the targets and groups a name stands for, as buildx computes
 * them (a group met again while it is being expanded stands for its own name) */
/* -1 when out of memory */
static int group_rec(const bake_config *c, const char *name, json_t *targets, json_t *groups,
		     json_t *visited)
{
	json_t *g = json_object_get(c->groups, name), *t, *v = json_object_get(visited, name);
	json_t *mt, *mg;
	size_t i;
	int bad = 0;

	if (v)
		return json_array_extend(targets, json_array_get(v, 0)) < 0 ||
				       json_array_extend(groups, json_array_get(v, 1)) < 0
			       ? -1
			       : 0;
	if (!g)
		return json_array_append_new(targets, json_string(name));
	if (json_object_set_new(visited, name, json_pack("[[],[]]")) < 0)
		return -1;
	mt = json_array();
	mg = json_pack("[s]", name);
	bad = !mt || !mg;
	json_array_foreach(json_object_get(g, "targets"), i, t) {
		json_t *tt = json_array(), *tg = json_array();
		if (bad || !tt || !tg || group_rec(c, json_string_value(t), tt, tg, visited) < 0)
			bad = 1;
		else if (json_array_size(tt) ? json_array_extend(mt, tt) < 0
					     : json_array_append(mt, t) < 0)
			bad = 1;
		else if (json_array_extend(mg, tg) < 0)
			bad = 1;
		json_decref(tt);
		json_decref(tg);
		if (bad)
			break;
	}
	if (!bad && (json_object_set_new(visited, name, json_pack("[O,O]", mt, mg)) < 0 ||
		     json_array_extend(targets, mt) < 0 || json_array_extend(groups, mg) < 0))
		bad = 1;
	json_decref(mt);
	json_decref(mg);
	return bad ? -1 : 0;
}

/* a new array of a's strings, each once, in first-seen order; NULL when out of
 * memory. A set, not a scan of the array: a group may name 10,000 targets. */
static json_t *dedup(json_t *a)
{
	atmo__map seen = ATMO__MAP_INIT;
	json_t *u = json_array(), *x;
	size_t i;

	json_array_foreach(a, i, x) {
		const char *s = json_string_value(x);
		if (!u)
			break;
		if (atmo__map_get(&seen, s))
			continue;
		if (atmo__map_set(&seen, s, 1, NULL) < 0 ||
		    json_array_append_new(u, json_string(s)) < 0) {
			json_decref(u);
			u = NULL;
		}
	}
	atmo__map_free(&seen);
	return u;
}

static int subset(const json_t *a, const json_t *b)
{
	size_t i, j;
	json_t *x, *y;

	json_array_foreach(a, i, x) {
		int found = 0;
		json_array_foreach(b, j, y)
			found |= json_equal(x, y);
		if (!found)
			return 0;
	}
	return 1;
}

static void go_list(atmo_buf *b, const json_t *a)
{
	size_t i;
	json_t *x;

	atmo__buf_putc(b, '[');
	json_array_foreach(a, i, x)
		atmo__buf_printf(b, "%s%s", i ? " " : "", json_string_value(x));
	atmo__buf_putc(b, ']');
}

/* One target on the path being followed: its context links not looked at yet, and the
 * link whose target is being followed (merged into this one when that comes back). */
typedef struct {
	const char *name;
	json_t *t;
	void *it;
	json_t *t2;
	const char *target;
} link_frame;

/* The links of every target, followed as buildx's loadLinks does, but each target once:
 * a target whose links were followed without error reaches no loop, so following it
 * again (buildx does, for every path: exponential in a wide DAG) finds nothing new and
 * merges the same entitlements. The path is a stack and a set, not a copied list. */
typedef struct {
	atmo__map on_path;
	atmo__map done;
	link_frame *stack;
	size_t n, cap;
} link_walk;

static int link_merge(json_t *t, json_t *t2, const char *name, const char *target, atmo_error *err)
{
	json_t *x;
	size_t i;
	int rc;

	json_array_foreach(json_object_get(t2, "entitlements"), i, x) {
		json_t *e = json_object_get(t, "entitlements");
		if (!e) {
			e = json_array();
			if (json_object_set_new(t, "entitlements", e) < 0)
				return atmo__error_nomem(err);
		}
		if (append_unique(e, json_string_value(x)) < 0)
			return atmo__error_nomem(err);
	}
	{
		json_t *p1 = json_object_get(t, "platforms"),
		       *p2 = json_object_get(t2, "platforms");
		if (json_array_size(p1) > 1 && json_array_size(p2) > 1 && !subset(p1, p2)) {
			atmo_buf b = ATMO_BUF_INIT;
			atmo__buf_printf(&b, "target %s can't be used by %s because its platforms ",
					 target, name);
			go_list(&b, p1);
			atmo__buf_puts(&b, " are not a subset of ");
			go_list(&b, p2);
			rc = fail(err, ATMO_EINVALID, "%s", atmo__buf_cstr(&b));
			atmo__buf_free(&b);
			return rc;
		}
	}
	return 0;
}

static int link_push(link_walk *w, const char *name, json_t *t, atmo_error *err)
{
	link_frame *f;

	if (ATMO__GROW(w->stack, w->cap, w->n + 1, err) < 0 ||
	    atmo__map_set(&w->on_path, name, 1, err) < 0)
		return ATMO_ENOMEM;
	f = &w->stack[w->n++];
	f->name = name;
	f->t = t;
	f->it = json_object_iter(json_object_get(t, "contexts"));
	f->t2 = NULL;
	f->target = NULL;
	return 0;
}

static int load_links(const bake_config *c, const char *root, json_t *root_t, json_t *m,
		      const json_t *ovs, link_walk *w, atmo_error *err)
{
	int rc;

	if (atmo__map_get(&w->done, root))
		return 0;
	w->n = 0;
	if ((rc = link_push(w, root, root_t, err)) < 0)
		return rc;
	while (w->n) {
		link_frame *f = &w->stack[w->n - 1];
		json_t *ctxs = json_object_get(f->t, "contexts"), *t2;
		const char *s, *target;

		if (f->t2) {
			rc = link_merge(f->t, f->t2, f->name, f->target, err);
			f->t2 = NULL;
			if (rc < 0)
				return rc;
		}
		if (!f->it) {
			if (atmo__map_del(&w->on_path, f->name) < 0 ||
			    atmo__map_set(&w->done, f->name, 1, err) < 0)
				return atmo__error_nomem(err);
			w->n--;
			continue;
		}
		s = json_string_value(json_object_iter_value(f->it));
		f->it = json_object_iter_next(ctxs, f->it);
		if (!s || strncmp(s, "target:", 7))
			continue;
		target = s + 7;
		if (!strcmp(target, f->name))
			return fail(err, ATMO_EINVALID, "target %s cannot link to itself", target);
		if (atmo__map_get(&w->on_path, target))
			return fail(err, ATMO_EINVALID, "infinite loop from %s to %s", f->name,
				    target);
		t2 = json_object_get(m, target);
		if (!t2) {
			if ((rc = resolve_target(&t2, c, target, ovs, err)) < 0)
				return rc;
			if (json_object_set_new(t2, "output",
						json_pack("[{s:s}]", "type", "cacheonly")) < 0 ||
			    json_object_set_new(t2, " linked", json_true()) < 0) {
				json_decref(t2);
				return atmo__error_nomem(err);
			}
			if (json_object_set_new(m, target, t2) < 0)
				return atmo__error_nomem(err);
		}
		f->t2 = t2;
		f->target = target;
		if (!atmo__map_get(&w->done, target) && (rc = link_push(w, target, t2, err)) < 0)
			return rc;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int atmo__bake_read_targets(json_t **targets_out, json_t **groups_out, const bake_config *c,
			    const char *const *names, size_t n_names, const char *const *set,
			    size_t n_set, const atmo_bake_options *o, atmo_error *err)
{
	json_t *tms = json_array(), *ovs = NULL, *tm = json_object(), *gm = json_object(), *x;
	size_t i;
	int rc = 0;

	*targets_out = *groups_out = NULL;
	if (!tms || !tm || !gm) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	for (i = 0; i < n_names; i++) {
		char *san = atmo__strdup(names[i], NULL), *p;
		if (!san) {
			rc = atmo__error_nomem(err);
			goto done;
		}
		for (p = san; *p; p++)
			if (*p == '.')
				*p = '_';
		rc = match_names(tms, c, san, err);
		atmo__free(san);
		if (rc < 0)
			goto done;
	}
	{
		json_t *d = dedup(tms);
		json_decref(tms);
		tms = d;
		if (!tms) {
			rc = atmo__error_nomem(err);
			goto done;
		}
	}
	if ((rc = new_overrides(&ovs, c, set, n_set, o, err)) < 0)
		goto done;
	json_array_foreach(tms, i, x) {
		json_t *ts0 = json_array(), *gs0 = json_array(), *vis = json_object(), *y,
		       *ts = NULL, *gs = NULL;
		size_t j;
		if (ts0 && gs0 && vis && group_rec(c, json_string_value(x), ts0, gs0, vis) == 0) {
			ts = dedup(ts0);
			gs = dedup(gs0);
		}
		json_decref(vis);
		json_decref(ts0);
		json_decref(gs0);
		if (!ts || !gs) {
			json_decref(ts);
			json_decref(gs);
			rc = atmo__error_nomem(err);
			goto done;
		}
		json_array_foreach(ts, j, y) {
			json_t *t;
			if ((rc = resolve_target(&t, c, json_string_value(y), ovs, err)) < 0) {
				json_decref(ts);
				json_decref(gs);
				goto done;
			}
			/* stop at the first failure: the next resolve_target() would reset rc
			   and the target would be missing from a list given as whole */
			if (json_object_set_new(tm, json_string_value(y), t) < 0) {
				rc = atmo__error_nomem(err);
				break;
			}
		}
		json_array_foreach(gs, j, y) {
			json_t *g = json_object_get(c->groups, json_string_value(y));
			if (rc < 0)
				break;
			if (g &&
			    json_object_set_new(gm, json_string_value(y), json_deep_copy(g)) < 0)
				rc = atmo__error_nomem(err);
		}
		json_decref(ts);
		json_decref(gs);
		if (rc < 0)
			goto done;
	}
	json_array_foreach(tms, i, x) {
		const char *t = json_string_value(x);
		json_t *d = json_object_get(gm, "default");
		if (d && !strcmp(t, "default"))
			continue;
		if (!d) {
			d = json_pack("{s:[]}", "targets");
			if (json_object_set_new(gm, "default", d) < 0) {
				rc = atmo__error_nomem(err);
				goto done;
			}
		}
		if (json_array_append_new(json_object_get(d, "targets"), json_string(t)) < 0) {
			rc = atmo__error_nomem(err);
			goto done;
		}
	}
	{
		json_t *d = json_object_get(gm, "default");
		if (d) {
			json_t *tl = json_object_get(d, "targets"), *u = dedup(tl);
			size_t n, j;
			const char **sorted;
			n = json_array_size(u);
			sorted = u ? atmo__calloc(n + 1, sizeof(*sorted), NULL) : NULL;
			if (!sorted) {
				json_decref(u);
				rc = atmo__error_nomem(err);
				goto done;
			}
			for (j = 0; j < n; j++)
				sorted[j] = json_string_value(json_array_get(u, j));
			qsort(sorted, n, sizeof(*sorted), cmp_str);
			tl = json_array();
			for (j = 0; j < n && tl; j++)
				if (json_array_append_new(tl, json_string(sorted[j])) < 0) {
					json_decref(tl);
					tl = NULL;
				}
			atmo__free(sorted);
			json_decref(u);
			if (json_object_set_new(d, "targets", tl) < 0) {
				rc = atmo__error_nomem(err);
				goto done;
			}
		}
	}
	{
		/* loadLinks over the targets asked for, in name order (Go's map order is random) */
		size_t n = json_object_size(tm), j = 0;
		const char **keys = atmo__calloc(n + 1, sizeof(*keys), NULL);
		const char *k;
		json_t *t;
		if (!keys) {
			rc = atmo__error_nomem(err);
			goto done;
		}
		json_object_foreach(tm, k, t)
			keys[j++] = k;
		link_walk w = { ATMO__MAP_INIT_COPY, ATMO__MAP_INIT_COPY, NULL, 0, 0 };
		qsort(keys, n, sizeof(*keys), cmp_str);
		for (j = 0; j < n && rc == 0; j++) {
			char *kn = atmo__strdup(keys[j], NULL);
			if (!kn) {
				rc = atmo__error_nomem(err);
				break;
			}
			rc = load_links(c, kn, json_object_get(tm, kn), tm, ovs, &w, err);
			atmo__free(kn);
		}
		atmo__map_free(&w.on_path);
		atmo__map_free(&w.done);
		atmo__free(w.stack);
		atmo__free(keys);
		if (rc < 0)
			goto done;
	}
	*targets_out = tm;
	*groups_out = gm;
	tm = gm = NULL;
done:
	json_decref(tms);
	json_decref(ovs);
	json_decref(tm);
	json_decref(gm);
	return rc;
}

/* the --print document of ReadTargets' result */
json_t *atmo__bake_print_doc(const json_t *targets, const json_t *groups)
{
	json_t *doc = json_object(), *g = json_object(), *t = json_object();
	const char *k;
	json_t *v;
	size_t n, i;
	const char **keys;
	int bad = 0;

	if (!doc || !g || !t)
		goto oom;
	n = json_object_size(groups) + json_object_size(targets);
	keys = atmo__calloc(n + 1, sizeof(*keys), NULL);
	if (!keys)
		goto oom;
	i = 0;
	json_object_foreach((json_t *)groups, k, v)
		keys[i++] = k;
	qsort(keys, i, sizeof(*keys), cmp_str);
	n = i;
	for (i = 0; i < n; i++) {
		json_t *src = json_object_get(groups, keys[i]), *e = json_object();
		json_t *d = json_object_get(src, "description");
		if (d && json_string_length(d))
			bad |= json_object_set(e, "description", d) < 0;
		bad |= json_object_set(e, "targets", json_object_get(src, "targets")) < 0;
		bad |= json_object_set_new(g, keys[i], e) < 0;
	}
	i = 0;
	json_object_foreach((json_t *)targets, k, v)
		keys[i++] = k;
	qsort(keys, i, sizeof(*keys), cmp_str);
	n = i;
	for (i = 0; i < n; i++)
		bad |= json_object_set_new(
			       t, keys[i],
			       atmo__bake_target_print(json_object_get(targets, keys[i]))) < 0;
	atmo__free(keys);
	if (bad)
		goto oom;
	if (json_object_size(g))
		bad |= json_object_set_new(doc, "group", g) < 0;
	else
		json_decref(g);
	bad |= json_object_set_new(doc, "target", t) < 0;
	if (bad) {
		json_decref(doc);
		return NULL;
	}
	return doc;
oom:
	json_decref(doc);
	json_decref(g);
	json_decref(t);
	return NULL;
}
