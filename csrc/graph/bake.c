/*
 * Bake files: finding and reading them, the resolved target model every
 * face uses (atmo_bake_target), links between targets, selection and the
 * --print form. Evaluation lives in bake_hcl.c and its neighbours,
 * resolution (groups, inherits, --set) in bake_merge.c, the fields in
 * bake_fields.c; the graph document in bake_graph.c.
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
#include "graph/bake_int.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/grow.h"
#include "util/json_nomem.h"

#define BAKE_MAX_FILE (16u << 20)

/* ---- string storage ---- */

char *atmo__bake_keep(atmo_bake *b, char *s)
{
	if (!s)
		return NULL;
	if (ATMO__GROW(b->owned, b->cap_owned, b->n_owned + 1, NULL) < 0) {
		atmo__free(s);
		return NULL;
	}
	b->owned[b->n_owned++] = s;
	return s;
}

static const char *keep_dup(atmo_bake *b, const char *s, atmo_error *err)
{
	char *d = atmo__bake_keep(b, atmo__strdup(s, NULL));
	if (!d)
		atmo__error_nomem(err);
	return d;
}

static void *keep_mem(atmo_bake *b, size_t n, atmo_error *err)
{
	void *p = atmo__bake_keep(b, atmo__calloc(1, n ? n : 1, NULL));
	if (!p)
		atmo__error_nomem(err);
	return p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---- the model of one resolved target ---- */

static const char *opt_str(atmo_bake *b, const json_t *t, const char *key, int *oom,
			   atmo_error *err)
{
	const json_t *v = json_object_get(t, key);
	const char *s;

	if (!v || !json_is_string(v))
		return NULL;
	s = keep_dup(b, json_string_value(v), err);
	if (!s)
		*oom = 1;
	return s;
}

static int kv_list(atmo_bake *b, const char *const **out, size_t *n, const json_t *obj,
		   atmo_error *err)
{
	const char *key;
	json_t *v;
	const char **list;
	size_t i = 0;

	*out = NULL;
	*n = 0;
	list = keep_mem(b, (json_object_size(obj) + 1) * sizeof(*list), err);
	if (!list)
		return ATMO_ENOMEM;
	json_object_foreach((json_t *)obj, key, v) {
		char *kv;
		if (!json_is_string(v))
			continue;
		kv = atmo__malloc(strlen(key) + json_string_length(v) + 2, NULL);
		if (!kv)
			return atmo__error_nomem(err);
		sprintf(kv, "%s=%s", key, json_string_value(v));
		if (!atmo__bake_keep(b, kv))
			return atmo__error_nomem(err);
		list[i++] = kv;
	}
	qsort(list, i, sizeof(*list), cmp_str);
	*out = list;
	*n = i;
	return 0;
}

/* a list of strings, or of entries written back in their CSV form */
static int str_list(atmo_bake *b, const char *const **out, size_t *n, const json_t *arr,
		    atmo_error *err)
{
	const char **list;
	size_t i;
	json_t *v;

	*out = NULL;
	*n = 0;
	list = keep_mem(b, (json_array_size(arr) + 1) * sizeof(*list), err);
	if (!list)
		return ATMO_ENOMEM;
	json_array_foreach(arr, i, v) {
		if (json_is_string(v)) {
			if (!(list[i] = keep_dup(b, json_string_value(v), err)))
				return ATMO_ENOMEM;
		} else {
			atmo_buf buf = ATMO_BUF_INIT;
			const char *k;
			json_t *x;
			json_t *typ = json_object_get(v, "type");
			if (typ)
				atmo__buf_printf(&buf, "type=%s", json_string_value(typ));
			json_object_foreach(v, k, x) {
				if (!strcmp(k, "type"))
					continue;
				if (json_is_array(x)) {
					size_t j;
					json_t *y;
					atmo__buf_printf(&buf, "%s%s=", buf.len ? "," : "", k);
					json_array_foreach(x, j, y)
						atmo__buf_printf(&buf, "%s%s", j ? "," : "",
								 json_string_value(y));
				} else if (json_is_string(x)) {
					atmo__buf_printf(&buf, "%s%s=%s", buf.len ? "," : "", k,
							 json_string_value(x));
				} else {
					atmo__buf_printf(&buf, "%s%s=%s", buf.len ? "," : "", k,
							 json_is_true(x) ? "true" : "false");
				}
			}
			if (buf.oom ||
			    !(list[i] = atmo__bake_keep(b, buf.ptr ? atmo__buf_detach(&buf)
								   : atmo__strdup("", NULL)))) {
				atmo__buf_free(&buf);
				return atmo__error_nomem(err);
			}
		}
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

	if (!strncmp(rel, "cwd://", 6))
		rel += 6;
	if (rel[0] == '/' || !dir || !*dir || !strcmp(dir, "."))
		return keep_dup(b, rel, err);
	if (!strcmp(rel, "."))
		return keep_dup(b, dir, err);
	s = atmo__malloc(strlen(dir) + strlen(rel) + 2, NULL);
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
	json_t *v, *pr;
	int rc, oom = 0;
	size_t i;
	const char **cpaths;
	char *text;

	memset(t, 0, sizeof(*t));
	t->no_cache = t->pull = -1;
	if (!(t->name = keep_dup(b, name, err)))
		return ATMO_ENOMEM;
	t->description = opt_str(b, r, "description", &oom, err);
	if (t->description && !*t->description)
		t->description = NULL;
	t->context = opt_str(b, r, "context", &oom, err);
	t->dockerfile_inline = opt_str(b, r, "dockerfile-inline", &oom, err);
	t->dockerfile = opt_str(b, r, "dockerfile", &oom, err);
	t->target = opt_str(b, r, "target", &oom, err);
	t->network = opt_str(b, r, "network", &oom, err);
	t->shm_size = opt_str(b, r, "shm-size", &oom, err);
	t->call = opt_str(b, r, "call", &oom, err);
	if (oom)
		return ATMO_ENOMEM;
	if (!t->context && !(t->context = keep_dup(b, ".", err)))
		return ATMO_ENOMEM;
	if (t->target && !*t->target)
		t->target = NULL;
	if (!(t->context_path = atmo__bake_join(b, b->base_dir, t->context, err)))
		return ATMO_ENOMEM;
	if (!t->dockerfile_inline && t->dockerfile &&
	    !(t->dockerfile_path = atmo__bake_join(b, t->context_path, t->dockerfile, err)))
		return ATMO_ENOMEM;
#define KV(field, key)                                                                             \
	if ((rc = kv_list(b, &t->field, &t->n_##field, json_object_get(r, key), err)) < 0)         \
		return rc;
	KV(args, "args")
	KV(contexts, "contexts")
	KV(labels, "labels")
	KV(extra_hosts, "extra-hosts")
#undef KV
#define LF(field, key)                                                                             \
	if ((rc = str_list(b, &t->field, &t->n_##field, json_object_get(r, key), err)) < 0)        \
		return rc;
	LF(tags, "tags")
	LF(platforms, "platforms")
	LF(outputs, "output")
	LF(cache_from, "cache-from")
	LF(cache_to, "cache-to")
	LF(annotations, "annotations")
	LF(no_cache_filter, "no-cache-filter")
	LF(ulimits, "ulimits")
	LF(entitlements, "entitlements")
	LF(secrets, "secret")
	LF(ssh, "ssh")
	LF(attest, "attest")
#undef LF
	if ((v = json_object_get(r, "no-cache")))
		t->no_cache = json_is_true(v);
	if ((v = json_object_get(r, "pull")))
		t->pull = json_is_true(v);
	pr = atmo__bake_target_print(r);
	text = pr ? atmo__json_dumps(pr, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
	json_decref(pr);
	if (!(t->json = atmo__bake_keep(b, text)))
		return atmo__error_nomem(err);
	cpaths = keep_mem(b, (t->n_contexts + 1) * sizeof(*cpaths), err);
	if (!cpaths)
		return ATMO_ENOMEM;
	for (i = 0; i < t->n_contexts; i++) {
		const char *eq = strchr(t->contexts[i], '='), *val = eq + 1;
		if (!strncmp(val, "target:", 7) || !strncmp(val, "docker-image://", 15) ||
		    (is_scheme(val) && strncmp(val, "cwd://", 6)))
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
			char *cname;

			if (strncmp(eq + 1, "target:", 7))
				continue;
			dep = atmo_bake_find_target(b, eq + 8);
			if (!dep)
				return atmo__error_set(err, ATMO_ENOTFOUND, b->files[0], 0, 0,
						       "failed to find target %s", eq + 8);
			cname = atmo__bake_keep(b, atmo__strndup(c, (size_t)(eq - c), NULL));
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

/* resolve every target of the config (with the overrides) into the model */
static int finish(atmo_bake *b, atmo_error *err)
{
	json_t *groups = NULL, *names = json_array();
	const char **list = NULL, **keys = NULL;
	const char *k;
	json_t *v;
	size_t n, i = 0;
	int rc;

	if (!names)
		return atmo__error_nomem(err);
	list = atmo__calloc(json_object_size(b->cfg.targets) + 1, sizeof(*list), NULL);
	if (!list) {
		json_decref(names);
		return atmo__error_nomem(err);
	}
	json_object_foreach(b->cfg.targets, k, v)
		list[i++] = k;
	rc = atmo__bake_read_targets(&b->resolved, &groups, &b->cfg, list, i, b->opts.overrides,
				     b->opts.n_overrides, &b->opts, err);
	json_decref(groups);
	groups = NULL;
	if (rc < 0 && rc != ATMO_ENOMEM && i > 1) {
		/* buildx fails only for the targets asked for: keep the targets that resolve
		 * (a broken one fails when it is selected); none: the first error stands */
		atmo_error first = err ? *err : (atmo_error){ 0 };
		size_t j;
		int oom = !(b->resolved = json_object());
		for (j = 0; !oom && j < i; j++) {
			json_t *one = NULL;
			atmo_error e2;
			int r2;
			atmo_error_clear(&e2);
			r2 = atmo__bake_read_targets(&one, &groups, &b->cfg, &list[j], 1,
						     b->opts.overrides, b->opts.n_overrides,
						     &b->opts, &e2);
			/* out of memory is no broken target: the load fails */
			oom = r2 == ATMO_ENOMEM ||
			      (r2 == 0 && json_object_set(b->resolved, list[j],
							  json_object_get(one, list[j])) < 0);
			json_decref(one);
			json_decref(groups);
			groups = NULL;
		}
		if (oom) {
			if (err)
				atmo_error_clear(err);
			rc = atmo__error_nomem(err);
		} else if (json_object_size(b->resolved)) {
			rc = 0;
			if (err)
				atmo_error_clear(err);
		} else if (err) {
			*err = first;
		}
	}
	json_decref(names);
	atmo__free(list);
	if (rc < 0)
		return rc;
	n = json_object_size(b->resolved);
	keys = atmo__calloc(n + 1, sizeof(*keys), NULL);
	b->targets = atmo__calloc(n + 1, sizeof(*b->targets), NULL);
	if (!keys || !b->targets) {
		atmo__free(keys);
		return atmo__error_nomem(err);
	}
	i = 0;
	json_object_foreach(b->resolved, k, v)
		keys[i++] = k;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 0; i < n; i++) {
		if ((rc = build_target(b, &b->targets[i], keys[i],
				       json_object_get(b->resolved, keys[i]), err)) < 0) {
			atmo__free(keys);
			return rc;
		}
		b->n_targets++;
	}
	atmo__free(keys);
	return link_targets(b, err);
}

/* ---- loading ---- */

static int bake_new(atmo_bake **out, const atmo_bake_options *opts, atmo_error *err)
{
	atmo_bake *b = atmo__calloc(1, sizeof(*b), NULL);
	atmo_bake_options d = ATMO_BAKE_OPTIONS_INIT;

	*out = NULL;
	if (!b)
		return atmo__error_nomem(err);
	b->opts = d;
	if (opts) {
		if (opts->version == 1) {
			/* the fields version 1 had */
			b->opts.set_vars = opts->set_vars;
			b->opts.n_set_vars = opts->n_set_vars;
			b->opts.env = opts->env;
			b->opts.env_payload = opts->env_payload;
			b->opts.no_env = opts->no_env;
			b->opts.base_dir = opts->base_dir;
		} else if (opts->version == ATMO_BAKE_OPTIONS_VERSION) {
			b->opts = *opts;
		} else {
			atmo__free(b);
			return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
					       "atmo_bake_options: unknown version %u",
					       opts->version);
		}
	}
	*out = b;
	return 0;
}

static int add_file(atmo_bake *b, const char *name, char *text, size_t len, atmo_error *err)
{
	char *copy = atmo__strdup(name, err);

	/* text is the bake's from here on, kept or freed */
	if (!copy || ATMO__GROW(b->files, b->cap_files, b->n_files + 1, err) < 0 ||
	    ATMO__GROW(b->texts, b->cap_texts, b->n_files + 1, err) < 0 ||
	    ATMO__GROW(b->lens, b->cap_lens, b->n_files + 1, err) < 0) {
		atmo__free(copy);
		atmo__free(text);
		return atmo__error_nomem(err);
	}
	b->files[b->n_files] = copy;
	b->texts[b->n_files] = text;
	b->lens[b->n_files] = len;
	b->n_files++;
	return 0;
}

static int set_base_dir(atmo_bake *b, const char *file, atmo_error *err)
{
	const char *slash;

	if (b->opts.base_dir)
		b->base_dir = atmo__strdup(b->opts.base_dir, NULL);
	else if (file && (slash = strrchr(file, '/')) != NULL)
		b->base_dir = slash == file ? atmo__strdup("/", NULL)
					    : atmo__strndup(file, (size_t)(slash - file), NULL);
	else
		b->base_dir = atmo__strdup(".", NULL);
	return b->base_dir ? 0 : atmo__error_nomem(err);
}

static int parse_all(atmo_bake *b, atmo_error *err)
{
	bake_file *files = atmo__calloc(b->n_files + 1, sizeof(*files), NULL);
	size_t i;
	int rc;

	if (!files)
		return atmo__error_nomem(err);
	for (i = 0; i < b->n_files; i++) {
		files[i].name = b->files[i];
		files[i].text = b->texts[i];
		files[i].len = b->lens[i];
	}
	rc = atmo__bake_parse_files(&b->cfg, files, b->n_files, &b->opts, err);
	atmo__free(files);
	if (rc < 0)
		return rc;
	return finish(b, err);
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
	copy = atmo__malloc(len + 1, NULL);
	if (!copy) {
		rc = atmo__error_nomem(err);
		goto fail;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	/* a source of no known extension is read as HCL, then JSON, as buildx does */
	if ((rc = add_file(b, source ? source : "<string>", copy, len, err)) < 0)
		goto fail;
	if ((rc = set_base_dir(b, NULL, err)) < 0 || (rc = parse_all(b, err)) < 0)
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
	/* buildx's defaultFilenames(), compose files aside */
	static const char *const defaults[] = { "docker-bake.json", "docker-bake.hcl",
						"docker-bake.override.json",
						"docker-bake.override.hcl" };
	static const char *const compose[] = { "compose.yaml", "compose.yml", "docker-compose.yml",
					       "docker-compose.yaml" };
	atmo_bake *b = NULL;
	char found[4][4096];
	const char *list[4];
	size_t i, n = 0;
	int rc;

	atmo_error_clear(err);
	*out = NULL;
	if (n_paths == 0) {
		struct stat st;
		for (i = 0; i < 4; i++) {
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
			for (i = 0; i < sizeof(compose) / sizeof(compose[0]); i++) {
				char p[4096];
				snprintf(p, sizeof(p), "%s/%s", dir ? dir : ".", compose[i]);
				if (stat(p, &st) == 0)
					return atmo__error_set(err, ATMO_EUNSUPPORTED, p, 0, 0,
							       "compose files are not supported; "
							       "write a docker-bake.hcl");
			}
			return atmo__error_set(
				err, ATMO_ENOTFOUND, dir ? dir : ".", 0, 0,
				"no bake file: looked for docker-bake.json, docker-bake.hcl, "
				"docker-bake.override.json and docker-bake.override.hcl");
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
		if ((rc = add_file(b, paths[i], text, len, err)) < 0)
			goto fail;
		if (i == 0 &&
		    (rc = set_base_dir(b, strcmp(paths[0], "-") ? paths[0] : NULL, err)) < 0)
			goto fail;
	}
	if ((rc = parse_all(b, err)) < 0)
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
		atmo__free(b->owned[i]);
	atmo__free(b->owned);
	for (i = 0; i < b->n_files; i++) {
		atmo__free(b->files[i]);
		atmo__free(b->texts[i]);
	}
	atmo__free(b->files);
	atmo__free(b->texts);
	atmo__free(b->lens);
	atmo__free(b->targets);
	atmo__free(b->base_dir);
	json_decref(b->cfg.targets);
	json_decref(b->cfg.groups);
	json_decref(b->resolved);
	atmo__free(b);
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

static int print_read(json_t **targets, json_t **groups, const atmo_bake *b,
		      const char *const *names, size_t n_names, atmo_error *err)
{
	static const char *const dflt[] = { "default" };

	if (n_names == 0) {
		names = dflt;
		n_names = 1;
	}
	return atmo__bake_read_targets(targets, groups, &b->cfg, names, n_names, b->opts.overrides,
				       b->opts.n_overrides, &b->opts, err);
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
	json_t *targets = NULL, *groups = NULL, *x;
	const char *k;
	int rc;

	*want = NULL;
	if ((rc = print_read(&targets, &groups, b, names, n_names, err)) < 0) {
		if (err && err->source[0] == '\0' && b->n_files)
			snprintf(err->source, sizeof(err->source), "%s", b->files[0]);
		return rc;
	}
	*want = atmo__calloc(b->n_targets + 1, 1, NULL);
	if (!*want) {
		json_decref(targets);
		json_decref(groups);
		return atmo__error_nomem(err);
	}
	/* the targets asked for (groups expanded), not those only linked in */
	json_object_foreach(targets, k, x) {
		const atmo_bake_target *t;
		if (json_is_true(json_object_get(x, " linked")))
			continue;
		t = atmo_bake_find_target(b, k);
		if (t)
			(*want)[t - b->targets] = 1;
	}
	json_decref(targets);
	json_decref(groups);
	return 0;
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
	state = atmo__calloc(b->n_targets + 1, 1, NULL);
	order = atmo__calloc(b->n_targets + 1, sizeof(*order), NULL);
	if (!state || !order) {
		atmo__free(order);
		rc = atmo__error_nomem(err);
		goto done;
	}
	for (i = 0; i < b->n_targets; i++)
		if (want[i])
			topo(b, i, state, order, n);
	*out = order;
done:
	atmo__free(want);
	atmo__free(state);
	return rc;
}

/* ---- --print ---- */

/* buildx checks that the files of secrets exist before it prints */
static int check_secret_files(const json_t *targets, atmo_error *err)
{
	const char *k;
	json_t *t, *s;
	size_t i;
	struct stat st;

	json_object_foreach((json_t *)targets, k, t) {
		json_array_foreach(json_object_get(t, "secret"), i, s) {
			const char *src = json_string_value(json_object_get(s, "src"));
			if (!src || !*src || stat(src, &st) == 0)
				continue;
			if (errno == ENOENT)
				return atmo__error_set(
					err, ATMO_ENOTFOUND, NULL, 0, 0,
					"failed to stat %s: stat %s: no such file or directory",
					src, src);
			return atmo__error_set(err, ATMO_EIO, NULL, 0, 0,
					       "failed to stat %s: stat %s: %s", src, src,
					       strerror(errno));
		}
	}
	return 0;
}

int atmo_bake_print(json_t **out, const atmo_bake *b, const char *const *names, size_t n_names,
		    atmo_error *err)
{
	json_t *targets = NULL, *groups = NULL;
	int rc;

	atmo_error_clear(err);
	*out = NULL;
	if ((rc = print_read(&targets, &groups, b, names, n_names, err)) < 0)
		return rc;
	if ((rc = check_secret_files(targets, err)) < 0) {
		json_decref(targets);
		json_decref(groups);
		return rc;
	}
	*out = atmo__bake_print_doc(targets, groups);
	json_decref(targets);
	json_decref(groups);
	return *out ? 0 : atmo__error_nomem(err);
}

int atmo_bake_print_text(char **out, size_t *len, const atmo_bake *b, const char *const *names,
			 size_t n_names, atmo_error *err)
{
	json_t *doc = NULL;
	char *s, *t;
	int rc;

	atmo_error_clear(err);
	*out = NULL;
	*len = 0;
	if ((rc = atmo_bake_print(&doc, b, names, n_names, err)) < 0)
		return rc;
	s = atmo__bake_dump(doc);
	json_decref(doc);
	if (!s)
		return atmo__error_nomem(err);
	*len = strlen(s);
	t = atmo__realloc(s, *len + 2, NULL);
	if (!t) {
		atmo__free(s);
		return atmo__error_nomem(err);
	}
	t[(*len)++] = '\n';
	t[*len] = '\0';
	*out = t;
	return 0;
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
		*text = atmo__strdup(t->dockerfile_inline, NULL);
		return *text ? 0 : atmo__error_nomem(err);
	}
	*source = t->dockerfile_path;
	return atmo_file_read(text, len, t->dockerfile_path, 16u << 20, err);
}
