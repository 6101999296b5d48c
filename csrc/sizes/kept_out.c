/* Sizes module: kept out and own bytes, the one definition (image.h) used by the
 * sizes document and by the build report. */
#include <stdlib.h>
#include <string.h>
#include "atmograph/sizes.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/map.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int atmo_sizes_kept_out(json_t **out, const atmo_layer_set *final, const atmo_layer_set *build_only,
			size_t n_build_only, atmo_error *err)
{
	atmo__map in_final = { 0 }, seen = { 0 }, fpk = { 0 }, kpk = { 0 };
	const char **names = NULL;
	size_t n_names = 0, i, k;
	uint64_t bytes = 0, layers = 0;
	json_t *doc = NULL, *pk = NULL;
	int rc = 0;

	atmo_error_clear(err);
	if (!out || !final || (n_build_only && !build_only))
		return atmo__error_set(
			err, ATMO_EINVALID, NULL, 0, 0,
			"atmo_sizes_kept_out: out, final and build_only must not be NULL");
	*out = NULL;
	for (i = 0; i < final->n_layers; i++)
		if (final->diff_ids[i] && atmo__map_set(&in_final, final->diff_ids[i], 1, NULL) < 0)
			goto oom;
	for (i = 0; final->packages && i < final->n_packages; i++)
		if (atmo__map_set(&fpk, final->packages[i], 1, NULL) < 0)
			goto oom;
	for (k = 0; k < n_build_only; k++) {
		const atmo_layer_set *b = &build_only[k];
		for (i = 0; i < b->n_layers; i++) {
			const char *id = b->diff_ids[i];
			if (!id || atmo__map_get(&in_final, id) || atmo__map_get(&seen, id))
				continue;
			if (atmo__map_set(&seen, id, 1, NULL) < 0)
				goto oom;
			bytes += b->bytes ? b->bytes[i] : 0;
			layers++;
		}
		for (i = 0; b->packages && i < b->n_packages; i++) {
			const char *p = b->packages[i];
			const char **nn;
			if (!p || atmo__map_get(&fpk, p) || atmo__map_get(&kpk, p))
				continue;
			if (atmo__map_set(&kpk, p, 1, NULL) < 0)
				goto oom;
			nn = atmo__realloc(names, (n_names + 1) * sizeof(*nn), NULL);
			if (!nn)
				goto oom;
			names = nn;
			names[n_names++] = p;
		}
	}
	if (n_names)
		qsort(names, n_names, sizeof(*names), cmp_str);
	doc = json_object();
	pk = json_array();
	if (!doc || !pk)
		goto oom;
	for (i = 0; i < n_names; i++)
		if (json_array_append_new(pk, json_string(names[i])) < 0)
			goto oom;
	if (json_object_set_new(doc, "bytes", json_integer((json_int_t)bytes)) < 0 ||
	    json_object_set_new(doc, "layers", json_integer((json_int_t)layers)) < 0)
		goto oom;
	/* json_object_set_new takes pk even when it fails */
	i = json_object_set_new(doc, "packages", pk) < 0;
	pk = NULL;
	if (i)
		goto oom;
	*out = doc;
	doc = NULL;
	goto done;
oom:
	rc = atmo__error_nomem(err);
done:
	json_decref(pk);
	json_decref(doc);
	atmo__free(names);
	atmo__map_free(&in_final);
	atmo__map_free(&seen);
	atmo__map_free(&fpk);
	atmo__map_free(&kpk);
	return rc;
}

uint64_t atmo_sizes_own_bytes(const atmo_layer_set *img, const atmo_layer_set *parent)
{
	size_t i = 0;
	uint64_t sum = 0;
	if (!img)
		return 0;
	if (parent)
		while (i < img->n_layers && i < parent->n_layers && img->diff_ids[i] &&
		       parent->diff_ids[i] && !strcmp(img->diff_ids[i], parent->diff_ids[i]))
			i++;
	for (; i < img->n_layers; i++)
		sum += img->bytes ? img->bytes[i] : 0;
	return sum;
}
