/*
 * Image module: the rules of `atmograph check` and their evaluation (check.h).
 * Values arrive as text, from options or from a rules file (check_load.c), and are
 * parsed here once, so every face takes the same "20MB", "90%" or "disabled".
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "image/check_int.h"
#include "image/image_int.h"
#include "atmograph/file.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/size.h"
#include "util/json_nomem.h"

int atmo_check_rules_new(atmo_check_rules **out, atmo_error *err)
{
	atmo_error_clear(err);
	*out = atmo__calloc(1, sizeof(**out), err);
	return *out ? 0 : ATMO_ENOMEM;
}

void atmo_check_rules_free(atmo_check_rules *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->n_forbid; i++)
		atmo__free(r->forbid[i]);
	atmo__free(r->forbid);
	atmo__free(r->baseline_path);
	json_decref(r->baseline);
	atmo__free(r->report_path);
	json_decref(r->report);
	atmo__free(r->report_target);
	atmo__free(r);
}

int atmo_check_rules_need_packages(const atmo_check_rules *r)
{
	return r && (r->n_forbid > 0 || r->report != NULL);
}

int atmo_check_rules_empty(const atmo_check_rules *r)
{
	return !r || (!r->has_eff && !r->has_wasted && !r->has_user && !r->has_size &&
		      r->growth_kind == CHECK_GROWTH_OFF && !r->n_forbid && !r->report);
}

void atmo_check_rules_defaults(atmo_check_rules *r)
{
	/* dive's CI defaults (runtime/ci/evaluator.go) */
	if (!r->has_eff) {
		r->has_eff = 1;
		r->lowest_eff = 0.9;
	}
	if (!r->has_user) {
		r->has_user = 1;
		r->highest_user = 0.1;
	}
}

/* ---- values ---- */
static int is_disabled(const char *v)
{
	return strcasecmp(v, "disabled") == 0 || strcasecmp(v, "off") == 0;
}

/* "0.9", "90%": a ratio >= 0; 1 when a percent sign was given */
static int parse_ratio(const char *v, double *out)
{
	char *end;
	double d;
	errno = 0;
	d = strtod(v, &end);
	if (end == v || errno || !isfinite(d) || d < 0)
		return -1;
	while (*end == ' ')
		end++;
	if (*end == '%') {
		d /= 100.0;
		end++;
	}
	while (*end == ' ')
		end++;
	if (*end)
		return -1;
	*out = d;
	return 0;
}

/* "123", "20MB", "1.5 GiB", "512k": bytes, decimal (k, M, G, T) or binary (Ki, Mi, ...)
 * units as dive's humanize.ParseBytes takes them */
static int parse_size(const char *v, uint64_t *out)
{
	static const struct {
		const char *u;
		double m;
	} units[] = {
		{ "", 1 },
		{ "b", 1 },
		{ "k", 1e3 },
		{ "kb", 1e3 },
		{ "ki", 1024.0 },
		{ "kib", 1024.0 },
		{ "m", 1e6 },
		{ "mb", 1e6 },
		{ "mi", 1048576.0 },
		{ "mib", 1048576.0 },
		{ "g", 1e9 },
		{ "gb", 1e9 },
		{ "gi", 1073741824.0 },
		{ "gib", 1073741824.0 },
		{ "t", 1e12 },
		{ "tb", 1e12 },
		{ "ti", 1099511627776.0 },
		{ "tib", 1099511627776.0 },
	};
	char *end, unit[8];
	double d;
	size_t i, n = 0;
	errno = 0;
	d = strtod(v, &end);
	if (end == v || errno || !isfinite(d) || d < 0 || v[0] == '-')
		return -1;
	while (*end == ' ')
		end++;
	while (end[n] && n < sizeof(unit) - 1) {
		unit[n] = (char)tolower((unsigned char)end[n]);
		n++;
	}
	if (end[n])
		return -1;
	unit[n] = '\0';
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(unit, units[i].u) == 0) {
			d *= units[i].m;
			if (d >= 1.8e19)
				return -1;
			*out = (uint64_t)(d + 0.5);
			return 0;
		}
	return -1;
}

static int load_doc(json_t **out, const char *path, const char *source, int line, int col,
		    const char *want1, const char *want2, const char *want3, atmo_error *err)
{
	char *text = NULL;
	size_t len;
	json_error_t je;
	const char *schema;
	int rc, nomem;
	if ((rc = atmo_file_read(&text, &len, path, 256u << 20, err)) < 0)
		return rc;
	*out = atmo__json_loadb(text, len, 0, &je, &nomem);
	atmo__free(text);
	if (nomem)
		return atmo__error_nomem(err);
	if (!*out)
		return atmo__error_set(err, ATMO_EINVALID, path, je.line > 0 ? je.line : 0,
				       je.column > 0 ? je.column : 0, "not valid JSON: %s",
				       je.text);
	schema = json_string_value(json_object_get(*out, "schema"));
	if (!schema || (strcmp(schema, want1) && (!want2 || strcmp(schema, want2)) &&
			(!want3 || strcmp(schema, want3)))) {
		json_decref(*out);
		*out = NULL;
		return atmo__error_set(err, ATMO_EINVALID, source, line, col,
				       "%s is not a document of schema %s%s%s%s%s", path, want1,
				       want2 ? ", " : "", want2 ? want2 : "", want3 ? " or " : "",
				       want3 ? want3 : "");
	}
	return 0;
}

static const struct {
	const char *camel, *kebab;
} names[] = {
	{ "lowestEfficiency", "lowest-efficiency" },
	{ "highestWastedBytes", "highest-wasted-bytes" },
	{ "highestUserWastedPercent", "highest-user-wasted-percent" },
	{ "highestImageSize", "highest-image-size" },
	{ "highestGrowth", "highest-growth" },
	{ "forbidPackages", "forbid-package" },
	{ "baseline", "baseline" },
	{ "buildReport", "build-report" },
	{ "buildReportTarget", "report-target" },
};

int atmo_check_rules_set(atmo_check_rules *r, const char *name, const char *value,
			 const char *source, int line, int col, atmo_error *err)
{
	size_t i, k = sizeof(names) / sizeof(names[0]);
	int off;

	atmo_error_clear(err);
	if (!r || !name || !value)
		return atmo__error_set(err, ATMO_EINVALID, source, line, col,
				       "atmo_check_rules_set: missing argument");
	for (i = 0; i < k; i++)
		if (!strcmp(name, names[i].camel) || !strcmp(name, names[i].kebab))
			break;
	if (i == k)
		return atmo__error_set(
			err, ATMO_EINVALID, source, line, col,
			"unknown rule '%s' (rules: lowestEfficiency, highestWastedBytes, "
			"highestUserWastedPercent, highestImageSize, highestGrowth, "
			"forbidPackages, baseline, buildReport, buildReportTarget)",
			name);
	name = names[i].camel;
	off = is_disabled(value);
	switch (i) {
	case 0:
		if (off) {
			r->has_eff = 0;
			return 0;
		}
		if (parse_ratio(value, &r->lowest_eff) < 0 || r->lowest_eff > 1.0)
			goto bad_ratio;
		r->has_eff = 1;
		return 0;
	case 1:
		if (off) {
			r->has_wasted = 0;
			return 0;
		}
		if (parse_size(value, &r->highest_wasted) < 0)
			goto bad_size;
		r->has_wasted = 1;
		return 0;
	case 2:
		if (off) {
			r->has_user = 0;
			return 0;
		}
		if (parse_ratio(value, &r->highest_user) < 0)
			goto bad_ratio;
		r->has_user = 1;
		return 0;
	case 3:
		if (off) {
			r->has_size = 0;
			return 0;
		}
		if (parse_size(value, &r->highest_size) < 0)
			goto bad_size;
		r->has_size = 1;
		return 0;
	case 4:
		if (off) {
			r->growth_kind = CHECK_GROWTH_OFF;
			return 0;
		}
		if (strchr(value, '%')) {
			if (parse_ratio(value, &r->growth_ratio) < 0)
				goto bad_ratio;
			r->growth_kind = CHECK_GROWTH_RATIO;
		} else {
			if (parse_size(value, &r->growth_bytes) < 0)
				goto bad_size;
			r->growth_kind = CHECK_GROWTH_BYTES;
		}
		return 0;
	case 5: {
		char **f;
		if (!*value)
			return atmo__error_set(err, ATMO_EINVALID, source, line, col,
					       "%s: an empty package glob", name);
		f = atmo__reallocarray(r->forbid, r->n_forbid + 1, sizeof(*f), err);
		if (!f)
			return ATMO_ENOMEM;
		r->forbid = f;
		if (!(f[r->n_forbid] = atmo__strdup(value, err)))
			return ATMO_ENOMEM;
		r->n_forbid++;
		return 0;
	}
	case 6:
	case 7: {
		json_t *doc = NULL;
		char *p;
		int rc;
		if (off) {
			json_decref(i == 6 ? r->baseline : r->report);
			*(i == 6 ? &r->baseline : &r->report) = NULL;
			return 0;
		}
		if ((rc = load_doc(&doc, value, source, line, col,
				   i == 6 ? "atmograph.image/1" : "atmograph.build-report/1",
				   i == 6 ? "atmograph.check/1" : NULL,
				   i == 6 ? "atmograph.build-report/1" : NULL, err)) < 0)
			return rc;
		if (!(p = atmo__strdup(value, err))) {
			json_decref(doc);
			return ATMO_ENOMEM;
		}
		if (i == 6) {
			json_decref(r->baseline);
			atmo__free(r->baseline_path);
			r->baseline = doc;
			r->baseline_path = p;
		} else {
			json_decref(r->report);
			atmo__free(r->report_path);
			r->report = doc;
			r->report_path = p;
		}
		return 0;
	}
	default: {
		char *p = off ? NULL : atmo__strdup(value, err);
		if (!off && !p)
			return ATMO_ENOMEM;
		atmo__free(r->report_target);
		r->report_target = p;
		return 0;
	}
	}
bad_ratio:
	return atmo__error_set(err, ATMO_EINVALID, source, line, col,
			       "%s: '%s' is not a ratio (0.9, 90%%%s) or 'disabled'", name, value,
			       i == 0 ? "; at most 1" : "");
bad_size:
	return atmo__error_set(
		err, ATMO_EINVALID, source, line, col,
		"%s: '%s' is not a size (bytes, or 20MB, 20MiB, ...)%s or 'disabled'", name, value,
		i == 4 ? ", a percentage (10%)" : "");
}

/* ---- evaluation ---- */
typedef struct {
	json_t *rules;
	size_t passed, failed, skipped;
} tally;

static const char *hsize(char *buf, size_t n, uint64_t v)
{
	char h[ATMO_SIZE_BUFLEN];
	snprintf(buf, n, "%llu B (%s)", (unsigned long long)v, atmo__format_size(h, sizeof(h), v));
	return buf;
}

static int add_result(tally *t, const char *rule, int pass, json_t *value, json_t *threshold,
		      const char *fmt, ...) ATMO_PRINTF(6, 7);

static int add_result(tally *t, const char *rule, int pass, json_t *value, json_t *threshold,
		      const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	json_t *o;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o = json_pack("{s:s,s:s,s:o,s:o,s:s}", "rule", rule, "status", pass ? "pass" : "fail",
		      "value", value ? value : json_null(), "threshold",
		      threshold ? threshold : json_null(), "message", msg);
	if (!o || json_array_append_new(t->rules, o) < 0)
		return ATMO_ENOMEM;
	if (pass)
		t->passed++;
	else
		t->failed++;
	return 0;
}

static uint64_t json_u64(const json_t *o, const char *k)
{
	json_int_t v = json_integer_value(json_object_get(o, k));
	return v > 0 ? (uint64_t)v : 0;
}

/* the baseline's bytes for this image: an image document, or the entry of a check
 * document with the same source (or digest; or its only entry) */
static int baseline_bytes(uint64_t *out, const atmo_check_rules *r, const atmo_image *img,
			  atmo_error *err)
{
	const json_t *b = r->baseline, *imgs, *e, *hit = NULL;
	size_t i;
	if (!strcmp(json_string_value(json_object_get(b, "schema")), "atmograph.image/1")) {
		*out = json_u64(json_object_get(b, "size"), "bytes");
		return 0;
	}
	if (!strcmp(json_string_value(json_object_get(b, "schema")), "atmograph.build-report/1")) {
		/* a previous build: the target named, else the one that built this very image,
		 * else its only target */
		const json_t *targets = json_object_get(b, "targets"), *t;
		const char *name, *pick = r->report_target;
		atmo_buf known = ATMO_BUF_INIT;
		if (!pick)
			json_object_foreach((json_t *)targets, name, t) {
				const char *d = json_string_value(json_object_get(t, "digest"));
				if (d && ((img->digest && !strcmp(d, img->digest)) ||
					  (img->config_digest && !strcmp(d, img->config_digest))))
					pick = name;
			}
		if (!pick && json_object_size(targets) == 1)
			json_object_foreach((json_t *)targets, name, t)
				pick = name;
		hit = pick ? json_object_get(targets, pick) : NULL;
		if (!json_is_integer(json_object_get(json_object_get(hit, "size"), "bytes"))) {
			json_object_foreach((json_t *)targets, name, t)
				atmo__buf_printf(&known, "%s%s", known.len ? ", " : "", name);
			if (pick)
				atmo__error_set(
					err, ATMO_EINVALID, r->baseline_path, 0, 0,
					"the baseline report's target '%s' has no measured size "
					"(targets: %s)",
					pick, atmo__buf_cstr(&known));
			else
				atmo__error_set(
					err, ATMO_EINVALID, r->baseline_path, 0, 0,
					"the baseline report has several targets: pick one with "
					"--report-target (%s)",
					atmo__buf_cstr(&known));
			atmo__buf_free(&known);
			return ATMO_EINVALID;
		}
		*out = json_u64(json_object_get(hit, "size"), "bytes");
		return 0;
	}
	imgs = json_object_get(b, "images");
	json_array_foreach(imgs, i, e) {
		const char *s = json_string_value(json_object_get(e, "source"));
		const char *d = json_string_value(json_object_get(e, "digest"));
		if ((s && img->source && !strcmp(s, img->source)) ||
		    (d && img->digest && !strcmp(d, img->digest))) {
			hit = e;
			break;
		}
	}
	if (!hit && json_array_size(imgs) == 1)
		hit = json_array_get(imgs, 0);
	if (!hit)
		return atmo__error_set(
			err, ATMO_EINVALID, r->baseline_path, 0, 0,
			"the baseline has no entry for %s (matched by source or digest)",
			img->source);
	*out = json_u64(json_object_get(hit, "figures"), "bytes");
	return 0;
}

static int has_str(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

/* what one report target kept out: kept_out.packages, or the packages of its build-only
 * stages absent from its in-final stages and its own package list */
static void report_kept(json_t *acc, const json_t *t)
{
	json_t *ko = json_object_get(json_object_get(t, "kept_out"), "packages"), *st, *p;
	const char *sn;
	size_t i;
	if (json_is_array(ko)) {
		json_array_foreach(ko, i, p)
			if (json_is_string(p) && !has_str(acc, json_string_value(p)))
				json_array_append(acc, p);
		return;
	}
	json_object_foreach((json_t *)json_object_get(t, "stages"), sn, st) {
		if (!json_is_false(json_object_get(st, "in_final")))
			continue;
		json_array_foreach(json_object_get(st, "packages"), i, p) {
			const char *name = json_string_value(p);
			const char *sn2;
			json_t *st2;
			int in_final = !name || has_str(json_object_get(t, "packages"), name);
			json_object_foreach((json_t *)json_object_get(t, "stages"), sn2, st2)
				if (json_is_true(json_object_get(st2, "in_final")) &&
				    has_str(json_object_get(st2, "packages"), name))
					in_final = 1;
			if (!in_final && !has_str(acc, name))
				json_array_append(acc, p);
		}
	}
}

static int build_only_packages(json_t **out, const atmo_check_rules *r, const atmo_image *img,
			       atmo_error *err)
{
	json_t *targets = json_object_get(r->report, "targets"), *t, *acc = json_array();
	const char *name;
	int matched = 0;
	if (!acc)
		return atmo__error_nomem(err);
	if (r->report_target) {
		t = json_object_get(targets, r->report_target);
		if (!json_is_object(t)) {
			json_decref(acc);
			return atmo__error_set(err, ATMO_ENOTFOUND, r->report_path, 0, 0,
					       "no target '%s' in the build report",
					       r->report_target);
		}
		report_kept(acc, t);
		*out = acc;
		return 0;
	}
	json_object_foreach(targets, name, t) {
		const char *d = json_string_value(json_object_get(t, "digest"));
		if (d && ((img->digest && !strcmp(d, img->digest)) ||
			  (img->config_digest && !strcmp(d, img->config_digest)))) {
			report_kept(acc, t);
			matched = 1;
		}
	}
	if (!matched)
		json_object_foreach(targets, name, t)
			report_kept(acc, t);
	*out = acc;
	return 0;
}

static int check_one(json_t **out, const atmo_check_rules *r, const atmo_image *img, tally *all,
		     atmo_error *err)
{
	tally t = { json_array(), 0, 0, 0 };
	uint64_t bytes = 0, compressed = 0, user = 0, wasted = img->wasted;
	double user_pct = 0;
	int user_inf = 0, rc = ATMO_ENOMEM;
	size_t i;
	char a[64], b[64];
	json_t *figures = NULL;

	*out = NULL;
	if (!t.rules)
		return atmo__error_nomem(err);
	for (i = 0; i < img->n_layers; i++) {
		bytes += img->layers[i].size;
		compressed += img->layers[i].compressed_size;
		if (i > 0)
			user += img->layers[i].size;
	}
	/* dive: wastedBytes / userSizeBytes (every layer but the first) */
	if (user)
		user_pct = (double)wasted / (double)user;
	else if (wasted)
		user_inf = 1;
	if (r->has_eff &&
	    add_result(&t, "lowestEfficiency", img->score >= r->lowest_eff, json_real(img->score),
		       json_real(r->lowest_eff), "efficiency %.4f %s %.4f", img->score,
		       img->score >= r->lowest_eff ? ">=" : "<", r->lowest_eff) < 0)
		goto done;
	if (r->has_wasted &&
	    add_result(&t, "highestWastedBytes", wasted <= r->highest_wasted,
		       json_integer((json_int_t)wasted),
		       json_integer((json_int_t)r->highest_wasted), "wasted %s %s %s",
		       hsize(a, sizeof(a), wasted), wasted <= r->highest_wasted ? "<=" : ">",
		       hsize(b, sizeof(b), r->highest_wasted)) < 0)
		goto done;
	if (r->has_user) {
		int pass = !user_inf && user_pct <= r->highest_user;
		char msg[256];
		if (user_inf)
			snprintf(msg, sizeof(msg),
				 "wasted %llu B over no user bytes (every layer but "
				 "the first is empty) > %.4f",
				 (unsigned long long)wasted, r->highest_user);
		else
			snprintf(msg, sizeof(msg),
				 "user wasted %.4f %s %.4f (%llu B wasted / %llu B "
				 "in every layer but the first)",
				 user_pct, pass ? "<=" : ">", r->highest_user,
				 (unsigned long long)wasted, (unsigned long long)user);
		if (add_result(&t, "highestUserWastedPercent", pass,
			       user_inf ? json_null() : json_real(user_pct),
			       json_real(r->highest_user), "%s", msg) < 0)
			goto done;
	}
	if (r->has_size &&
	    add_result(&t, "highestImageSize", bytes <= r->highest_size,
		       json_integer((json_int_t)bytes), json_integer((json_int_t)r->highest_size),
		       "size %s %s %s", hsize(a, sizeof(a), bytes),
		       bytes <= r->highest_size ? "<=" : ">",
		       hsize(b, sizeof(b), r->highest_size)) < 0)
		goto done;
	if (r->growth_kind != CHECK_GROWTH_OFF) {
		uint64_t base = 0;
		long long growth;
		double ratio;
		int pass;
		char c[64];
		if (!r->baseline) {
			rc = atmo__error_set(err, ATMO_EINVALID, "highestGrowth", 0, 0,
					     "the rule needs a baseline (--baseline FILE, or "
					     "\"baseline\" in the rules file)");
			goto done;
		}
		if ((rc = baseline_bytes(&base, r, img, err)) < 0)
			goto done;
		rc = ATMO_ENOMEM;
		growth = (long long)bytes - (long long)base;
		ratio = base ? (double)growth / (double)base : growth > 0 ? INFINITY : 0.0;
		pass = r->growth_kind == CHECK_GROWTH_BYTES ? growth <= (long long)r->growth_bytes
							    : ratio <= r->growth_ratio;
		snprintf(c, sizeof(c), "%+.2f %%", ratio * 100.0);
		if (r->growth_kind == CHECK_GROWTH_BYTES)
			snprintf(b, sizeof(b), "%s", hsize(a, sizeof(a), r->growth_bytes));
		else
			snprintf(b, sizeof(b), "%.2f %%", r->growth_ratio * 100.0);
		if (add_result(&t, "highestGrowth", pass, json_integer((json_int_t)growth),
			       r->growth_kind == CHECK_GROWTH_BYTES
				       ? json_integer((json_int_t)r->growth_bytes)
				       : json_real(r->growth_ratio),
			       "grew %+lld B (%s) from the baseline's %llu B: %s %s", growth,
			       isfinite(ratio) ? c : "from nothing", (unsigned long long)base,
			       pass ? "<=" : ">", b) < 0)
			goto done;
	}
	if ((r->n_forbid || r->report) && !img->have_packages) {
		rc = atmo__error_set(err, ATMO_EINVALID, img->source, 0, 0,
				     "package rules need the image read with its packages");
		goto done;
	}
	if (r->n_forbid) {
		json_t *hits = json_array(), *glob = json_array();
		atmo_buf m = ATMO_BUF_INIT;
		size_t k;
		if (!hits || !glob) {
			json_decref(hits);
			json_decref(glob);
			goto done;
		}
		for (k = 0; k < r->n_forbid; k++)
			json_array_append_new(glob, json_string(r->forbid[k]));
		for (i = 0; i < img->n_pkgs; i++)
			for (k = 0; k < r->n_forbid; k++)
				if (fnmatch(r->forbid[k], img->pkgs[i].name, 0) == 0) {
					json_array_append_new(hits, json_string(img->pkgs[i].name));
					atmo__buf_printf(&m, "%s%s (%s)", m.len ? ", " : "",
							 img->pkgs[i].name, r->forbid[k]);
					break;
				}
		if (!m.len) {
			for (k = 0; k < r->n_forbid; k++)
				atmo__buf_printf(&m, "%s%s", k ? ", " : "", r->forbid[k]);
			i = add_result(&t, "forbidPackages", 1, hits, glob,
				       "none of %zu installed packages matches %s", img->n_pkgs,
				       atmo__buf_cstr(&m)) < 0;
		} else {
			i = add_result(&t, "forbidPackages", 0, hits, glob, "installed: %s",
				       atmo__buf_cstr(&m)) < 0;
		}
		atmo__buf_free(&m);
		if (i)
			goto done;
	}
	if (r->report) {
		json_t *kept = NULL, *hits = json_array(), *p;
		atmo_buf m = ATMO_BUF_INIT;
		size_t k;
		if (!hits || (rc = build_only_packages(&kept, r, img, err)) < 0) {
			json_decref(hits);
			if (!hits)
				rc = ATMO_ENOMEM;
			goto done;
		}
		rc = ATMO_ENOMEM;
		json_array_foreach(kept, k, p)
			for (i = 0; i < img->n_pkgs; i++)
				if (!strcmp(json_string_value(p), img->pkgs[i].name)) {
					json_array_append(hits, p);
					atmo__buf_printf(&m, "%s%s", m.len ? ", " : "",
							 img->pkgs[i].name);
					break;
				}
		k = json_array_size(kept);
		if (m.len)
			i = add_result(&t, "noBuildOnlyPackages", 0, hits, kept,
				       "installed although the build kept them out: %s",
				       atmo__buf_cstr(&m)) < 0;
		else
			i = add_result(&t, "noBuildOnlyPackages", 1, hits, kept,
				       "none of the %zu packages the build kept out is installed",
				       k) < 0;
		atmo__buf_free(&m);
		if (i)
			goto done;
	}
	figures =
		json_pack("{s:I,s:I,s:I,s:f,s:I,s:o,s:o}", "bytes", (json_int_t)bytes, "compressed",
			  (json_int_t)compressed, "user_bytes", (json_int_t)user, "efficiency",
			  img->score, "wasted_bytes", (json_int_t)wasted, "user_wasted_percent",
			  user_inf ? json_null() : json_real(user_pct), "packages",
			  img->have_packages ? json_integer((json_int_t)img->n_pkgs) : json_null());
	if (!figures)
		goto done;
	*out = json_pack("{s:s,s:o,s:o,s:b,s:o,s:O}", "source", img->source ? img->source : "",
			 "ref", img->ref ? json_string(img->ref) : json_null(), "digest",
			 img->digest ? json_string(img->digest) : json_null(), "passed",
			 t.failed == 0, "figures", figures, "rules", t.rules);
	figures = NULL;
	if (!*out)
		goto done;
	all->passed += t.passed;
	all->failed += t.failed;
	all->skipped += t.skipped;
	rc = 0;
done:
	if (rc == ATMO_ENOMEM)
		atmo__error_nomem(err);
	json_decref(figures);
	json_decref(t.rules);
	return rc;
}

int atmo_check_images(json_t **out, const atmo_check_rules *r, const atmo_image *const *images,
		      size_t n_images, atmo_error *err)
{
	json_t *list = json_array();
	tally all = { NULL, 0, 0, 0 };
	size_t i;
	int rc;

	atmo_error_clear(err);
	*out = NULL;
	if (!r)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_check_images: no rules");
	if (!list)
		return atmo__error_nomem(err);
	for (i = 0; i < n_images; i++) {
		json_t *one = NULL;
		if ((rc = check_one(&one, r, images[i], &all, err)) < 0) {
			json_decref(list);
			return rc;
		}
		json_array_append_new(list, one);
	}
	*out = json_pack("{s:s,s:b,s:{s:I,s:I,s:I,s:I,s:I},s:o}", "schema", "atmograph.check/1",
			 "passed", all.failed == 0, "summary", "images", (json_int_t)n_images,
			 "rules", (json_int_t)(all.passed + all.failed + all.skipped), "passed",
			 (json_int_t)all.passed, "failed", (json_int_t)all.failed, "skipped",
			 (json_int_t)all.skipped, "images", list);
	return *out ? 0 : atmo__error_nomem(err);
}
