/*
 * Build reports, the engine's side: which report target builds a given
 * Dockerfile, and the figures a run records for each target (its layers, what
 * its build stages kept out). Putting a report's sizes onto a graph document
 * is the sizes module's work (atmo_sizes_annotate_report).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "atmograph/build.h"
#include "atmograph/image.h"
#include "engine/engine_int.h"
#include "util/error.h"
#include "util/alloc.h"

/* ---- which target of a report builds a Dockerfile ---- */

/* does path (relative to dir when relative and dir is not NULL) name the file st describes? */
static int same_file(const char *dir, const char *path, const struct stat *st, int *oom)
{
	struct stat cand;
	char *full = NULL;
	int same;
	if (path[0] != '/' && dir && dir[0]) {
		size_t n = strlen(dir) + strlen(path) + 2;
		if (!(full = atmo__malloc(n, NULL))) {
			*oom = 1;
			return 0;
		}
		snprintf(full, n, "%s/%s", dir, path);
	}
	same = stat(full ? full : path, &cand) == 0 && cand.st_dev == st->st_dev &&
	       cand.st_ino == st->st_ino;
	atmo__free(full);
	return same;
}

int atmo_report_find_target(const char **name, const json_t *report, const char *dockerfile,
			    const char *const *bases, size_t n_bases, atmo_error *err)
{
	const char *schema, *tname, *found = NULL;
	const json_t *targets, *t;
	struct stat want;
	size_t k;
	int oom = 0;

	atmo_error_clear(err);
	if (name)
		*name = NULL;
	if (!name || !dockerfile || (n_bases && !bases))
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_report_find_target: NULL argument");
	schema = json_string_value(json_object_get(report, "schema"));
	if (!json_is_object(report) || !schema || strcmp(schema, "atmograph.build-report/1"))
		return atmo__error_set(err, ATMO_EINVALID, "report", 0, 0,
				       "not a build report (schema atmograph.build-report/1)");
	targets = json_object_get(report, "targets");
	if (!json_is_object(targets))
		return atmo__error_set(err, ATMO_EINVALID, "report", 0, 0,
				       "report.targets: expected an object");
	if (stat(dockerfile, &want) < 0)
		return atmo__error_set(err, ATMO_ENOTFOUND, dockerfile, 0, 0,
				       "cannot find the Dockerfile: %s", strerror(errno));
	/* json_object_foreach's order is the insertion order: keep the smallest matching name */
	json_object_foreach((json_t *)targets, tname, t) {
		const char *df = json_string_value(json_object_get(t, "dockerfile"));
		int match = 0;
		if (!df || !df[0] || (found && strcmp(tname, found) >= 0))
			continue;
		if (df[0] == '/' || n_bases == 0)
			match = same_file(NULL, df, &want, &oom);
		for (k = 0; !match && df[0] != '/' && k < n_bases; k++)
			if (bases[k])
				match = same_file(bases[k], df, &want, &oom);
		if (oom)
			return atmo__error_nomem(err);
		if (match)
			found = tname;
	}
	if (!found)
		return atmo__error_set(err, ATMO_ENOTFOUND, dockerfile, 0, 0,
				       "the build report has no target built from this Dockerfile");
	*name = found;
	return 0;
}

/* ---- per-target figures: own bytes and kept out (atmo_image_kept_out, atmo_image_own_bytes) ---- */

/* a layer set over a [{"diff_id", "size"}] list and a package name array (borrowed) */
static int layer_set_of(atmo_layer_set *ls, const json_t *layers, const json_t *packages)
{
	size_t n = json_array_size(layers), np = json_array_size(packages), i;
	const char **ids = atmo__calloc(n + 1, sizeof(*ids), NULL);
	uint64_t *bytes = atmo__calloc(n + 1, sizeof(*bytes), NULL);
	const char **pk = atmo__calloc(np + 1, sizeof(*pk), NULL);
	memset(ls, 0, sizeof(*ls));
	if (!ids || !bytes || !pk) {
		atmo__free(ids);
		atmo__free(bytes);
		atmo__free(pk);
		return ATMO_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const json_t *l = json_array_get(layers, i);
		json_int_t b = json_integer_value(json_object_get(l, "size"));
		ids[i] = json_string_value(json_object_get(l, "diff_id"));
		bytes[i] = b > 0 ? (uint64_t)b : 0;
	}
	for (i = 0; i < np; i++)
		pk[i] = json_string_value(json_array_get(packages, i));
	ls->diff_ids = ids;
	ls->bytes = bytes;
	ls->n_layers = n;
	ls->packages = json_is_array(packages) ? pk : NULL;
	ls->n_packages = json_is_array(packages) ? np : 0;
	if (!ls->packages)
		atmo__free(pk);
	return 0;
}

static void layer_set_done(atmo_layer_set *ls)
{
	atmo__free((void *)ls->packages);
	ls->packages = NULL;
	atmo_layer_set_free(ls);
}

int atmo__report_figures(json_t *entry, json_t *stages, const char *const *link_names,
			 const json_t *const *link_layers, size_t n_links, atmo_error *err)
{
	const json_t *final_layers = json_object_get(json_object_get(entry, "size"), "_layers");
	const char *sname;
	json_t *st;
	atmo_layer_set fs, *bs = NULL;
	size_t nb = 0, k;
	int rc = 0;

	memset(&fs, 0, sizeof(fs));
	bs = atmo__calloc(json_object_size(stages) + 1, sizeof(*bs), NULL);
	if (!bs)
		return atmo__error_nomem(err);
	/* own bytes: the layers beyond the parent's (a stage of this target or a linked target) */
	json_object_foreach(stages, sname, st) {
		const char *base = json_string_value(json_object_get(st, "base"));
		const json_t *layers = json_object_get(json_object_get(st, "size"), "_layers");
		const json_t *parent = NULL;
		int parent_known = 1, lost;
		atmo_layer_set ls, ps;
		if (!json_is_array(layers))
			continue;
		if (base && json_object_get(stages, base))
			parent = json_object_get(
				json_object_get(json_object_get(stages, base), "size"), "_layers");
		for (k = 0; !parent && base && k < n_links; k++)
			if (!strcmp(link_names[k], base)) {
				parent = link_layers[k];
				parent_known = parent != NULL;
			}
		if (base && json_object_get(stages, base) && !parent)
			parent_known = 0;
		if (parent_known) {
			if (layer_set_of(&ls, layers, NULL) < 0)
				goto oom;
			if (parent && layer_set_of(&ps, parent, NULL) < 0) {
				layer_set_done(&ls);
				goto oom;
			}
			/* a stage without its figure would be drawn as having none */
			lost = json_object_set_new(st, "own_bytes",
						   json_integer((json_int_t)atmo_image_own_bytes(
							   &ls, parent ? &ps : NULL))) < 0;
			layer_set_done(&ls);
			if (parent)
				layer_set_done(&ps);
			if (lost)
				goto oom;
		}
		if (json_is_false(json_object_get(st, "in_final"))) {
			if (layer_set_of(&bs[nb], layers, json_object_get(st, "packages")) < 0)
				goto oom;
			nb++;
		}
	}
	/* kept out: the build-only stages' images against the target's image */
	if (nb && json_is_array(final_layers)) {
		json_t *ko = NULL;
		if (layer_set_of(&fs, final_layers, json_object_get(entry, "packages")) < 0)
			goto oom;
		if ((rc = atmo_image_kept_out(&ko, &fs, bs, nb, err)) < 0)
			goto done;
		if (json_object_set_new(entry, "kept_out", ko) < 0)
			goto oom;
	}
	goto done;
oom:
	rc = atmo__error_nomem(err);
done:
	for (k = 0; k < nb; k++)
		layer_set_done(&bs[k]);
	atmo__free(bs);
	layer_set_done(&fs);
	return rc;
}
