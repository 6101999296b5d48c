/*
 * Image module: reading a rules file of `atmograph check` (check.h). JSON through
 * jansson; YAML (dive's .dive-ci shape) through libyaml's document API, turned into
 * the same JSON values so both take one path. Errors carry file:line:col: jansson's
 * and libyaml's for syntax, the key's place for a bad value (libyaml's marks for
 * YAML; for JSON, jansson keeps no positions, so the key is found in the text).
 */
#include <ctype.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "image/check_int.h"
#include "atmograph/file.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/json_nomem.h"

/* line and column (1-based) of the first `"key"` in text (JSON), or `key:` (YAML) */
static void locate_key(const char *text, size_t len, const char *key, int yaml, int *line, int *col)
{
	size_t kl = strlen(key);
	const char *p = text, *ls = text, *end = text + len;
	int ln = 1;
	*line = *col = 0;
	for (; p < end; p++) {
		size_t left = (size_t)(end - p);
		if (*p == '\n') {
			ln++;
			ls = p + 1;
			continue;
		}
		if (!yaml && left > kl + 1 && *p == '"' && !memcmp(p + 1, key, kl) &&
		    p[kl + 1] == '"')
			goto found;
		if (yaml && left > kl && !memcmp(p, key, kl) &&
		    (p == text || !isalnum((unsigned char)p[-1])) &&
		    (p[kl] == ':' || p[kl] == '"' || p[kl] == '\''))
			goto found;
	}
	return;
found:
	*line = ln;
	*col = (int)(p - ls) + 1;
}

/* ---- YAML -> JSON ---- */
static json_t *yaml_scalar(yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;
	char *end;
	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		long long i;
		double d;
		if (!strcmp(v, "true") || !strcmp(v, "True"))
			return json_true();
		if (!strcmp(v, "false") || !strcmp(v, "False"))
			return json_false();
		if (!strcmp(v, "null") || !strcmp(v, "~") || !len)
			return json_null();
		i = strtoll(v, &end, 10);
		if (end != v && !*end)
			return json_integer(i);
		d = strtod(v, &end);
		if (end != v && !*end)
			return json_real(d);
	}
	return json_stringn(v, len);
}

static int yaml_to_json(json_t **out, yaml_document_t *doc, yaml_node_t *n, int depth,
			const char *path, atmo_error *err)
{
	yaml_node_item_t *it;
	yaml_node_pair_t *pr;
	*out = NULL;
	if (!n || depth > 32)
		return atmo__error_set(err, ATMO_EINVALID, path,
				       n ? (int)n->start_mark.line + 1 : 0,
				       n ? (int)n->start_mark.column + 1 : 0, "nesting too deep");
	switch (n->type) {
	case YAML_SCALAR_NODE:
		*out = yaml_scalar(n);
		break;
	case YAML_SEQUENCE_NODE:
		*out = json_array();
		for (it = n->data.sequence.items.start; *out && it < n->data.sequence.items.top;
		     it++) {
			json_t *v;
			int rc = yaml_to_json(&v, doc, yaml_document_get_node(doc, *it), depth + 1,
					      path, err);
			if (rc < 0) {
				json_decref(*out);
				*out = NULL;
				return rc;
			}
			json_array_append_new(*out, v);
		}
		break;
	case YAML_MAPPING_NODE:
		*out = json_object();
		for (pr = n->data.mapping.pairs.start; *out && pr < n->data.mapping.pairs.top;
		     pr++) {
			yaml_node_t *k = yaml_document_get_node(doc, pr->key);
			json_t *v;
			int rc;
			if (!k || k->type != YAML_SCALAR_NODE) {
				json_decref(*out);
				*out = NULL;
				return atmo__error_set(err, ATMO_EINVALID, path,
						       k ? (int)k->start_mark.line + 1 : 0,
						       k ? (int)k->start_mark.column + 1 : 0,
						       "a mapping key must be a plain string");
			}
			if (json_object_get(*out, (const char *)k->data.scalar.value)) {
				json_decref(*out);
				*out = NULL;
				return atmo__error_set(
					err, ATMO_EINVALID, path, (int)k->start_mark.line + 1,
					(int)k->start_mark.column + 1, "duplicate key '%s'",
					(const char *)k->data.scalar.value);
			}
			rc = yaml_to_json(&v, doc, yaml_document_get_node(doc, pr->value),
					  depth + 1, path, err);
			if (rc < 0) {
				json_decref(*out);
				*out = NULL;
				return rc;
			}
			json_object_set_new(*out, (const char *)k->data.scalar.value, v);
		}
		break;
	default:
		*out = json_null();
	}
	return *out ? 0 : atmo__error_nomem(err);
}

static int load_yaml(json_t **out, const char *text, size_t len, const char *path, atmo_error *err)
{
	yaml_parser_t p;
	yaml_document_t doc;
	yaml_node_t *root;
	int rc;
	*out = NULL;
	if (!yaml_parser_initialize(&p))
		return atmo__error_nomem(err);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, &doc)) {
		rc = atmo__error_set(err, ATMO_EINVALID, path, (int)p.problem_mark.line + 1,
				     (int)p.problem_mark.column + 1, "not valid YAML: %s%s%s",
				     p.problem ? p.problem : "syntax error", p.context ? " " : "",
				     p.context ? p.context : "");
		yaml_parser_delete(&p);
		return rc;
	}
	root = yaml_document_get_root_node(&doc);
	rc = root ? yaml_to_json(out, &doc, root, 0, path, err)
		  : atmo__error_set(err, ATMO_EINVALID, path, 1, 1, "the file is empty");
	yaml_document_delete(&doc);
	yaml_parser_delete(&p);
	return rc;
}

/* ---- the rules ---- */
static int set_value(atmo_check_rules *r, const char *key, json_t *v, const char *path,
		     const char *dir, int line, int col, atmo_error *err)
{
	char buf[4200];
	const char *s;
	if (json_is_string(v)) {
		s = json_string_value(v);
		/* file names are relative to the rules file */
		if ((!strcmp(key, "baseline") || !strcmp(key, "buildReport")) && s[0] != '/' &&
		    strcmp(s, "disabled") && dir) {
			snprintf(buf, sizeof(buf), "%s/%s", dir, s);
			s = buf;
		}
	} else if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		s = buf;
	} else if (json_is_real(v)) {
		snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
		s = buf;
	} else if (json_is_false(v) || json_is_null(v)) {
		s = "disabled";
	} else {
		return atmo__error_set(
			err, ATMO_EINVALID, path, line, col, "%s: expected a number or a string%s",
			key, !strcmp(key, "forbidPackages") ? " or a list of strings" : "");
	}
	return atmo_check_rules_set(r, key, s, path, line, col, err);
}

int atmo_check_rules_load(atmo_check_rules *r, const char *path, atmo_error *err)
{
	char *text = NULL;
	size_t len;
	int rc;

	atmo_error_clear(err);
	if (!r || !path)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_check_rules_load: no path");
	if ((rc = atmo_file_read(&text, &len, path, 1u << 20, err)) < 0)
		return rc;
	rc = atmo_check_rules_load_string(r, text, len, path, err);
	atmo__free(text);
	return rc;
}

int atmo_check_rules_load_string(atmo_check_rules *r, const char *text, size_t len,
				 const char *path, atmo_error *err)
{
	char *dcopy = NULL;
	const char *dir, *key;
	size_t n;
	json_t *doc = NULL, *rules, *v;
	json_error_t je;
	int yaml, rc, line, col, nomem;

	atmo_error_clear(err);
	if (!r || !text || !path)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_check_rules_load_string: missing argument");
	if (memchr(text, '\0', len))
		return atmo__error_set(err, ATMO_EINVALID, path, 0, 0,
				       "a NUL byte in a rules file");
	n = strlen(path);
	yaml = (n > 5 && !strcmp(path + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(path + n - 4, ".yml"));
	if (yaml) {
		if ((rc = load_yaml(&doc, text, len, path, err)) < 0)
			goto done;
	} else if (!(doc = atmo__json_loadb(text, len, JSON_REJECT_DUPLICATES, &je, &nomem))) {
		rc = nomem ? atmo__error_nomem(err)
			   : atmo__error_set(err, ATMO_EINVALID, path, je.line > 0 ? je.line : 0,
					     je.column > 0 ? je.column : 0, "not valid JSON: %s",
					     je.text);
		goto done;
	}
	rules = json_object_get(doc, "rules");
	if (!json_is_object(doc) || !json_is_object(rules)) {
		if (json_is_object(doc) && json_object_get(doc, "rules"))
			locate_key(text, len, "rules", yaml, &line, &col);
		else
			line = col = 1;
		rc = atmo__error_set(
			err, ATMO_EINVALID, path, line, col,
			"expected an object {\"rules\": {...}} (rules: lowestEfficiency, "
			"highestWastedBytes, highestUserWastedPercent, highestImageSize, "
			"highestGrowth, forbidPackages, baseline, buildReport, "
			"buildReportTarget)");
		goto done;
	}
	if (!(dcopy = atmo__strdup(path, err))) {
		rc = ATMO_ENOMEM;
		goto done;
	}
	dir = dirname(dcopy);
	json_object_foreach(doc, key, v)
		if (strcmp(key, "rules")) {
			locate_key(text, len, key, yaml, &line, &col);
			rc = atmo__error_set(err, ATMO_EINVALID, path, line, col,
					     "unknown key '%s' (the rules go under \"rules\")",
					     key);
			goto done;
		}
	/* the order of keys does not matter: a baseline is looked for only when checking */
	json_object_foreach(rules, key, v) {
		locate_key(text, len, key, yaml, &line, &col);
		if (!strcmp(key, "forbidPackages") && json_is_array(v)) {
			size_t i;
			json_t *g;
			json_array_foreach(v, i, g) {
				if (!json_is_string(g)) {
					rc = atmo__error_set(
						err, ATMO_EINVALID, path, line, col,
						"forbidPackages: entry %zu is not a string", i);
					goto done;
				}
				if ((rc = atmo_check_rules_set(r, key, json_string_value(g), path,
							       line, col, err)) < 0)
					goto done;
			}
			continue;
		}
		if ((rc = set_value(r, key, v, path, dir, line, col, err)) < 0)
			goto done;
	}
	rc = 0;
done:
	atmo__free(dcopy);
	json_decref(doc);
	return rc;
}
