/* Image module: an image reduced to its layer list and package names (atmo_layer_set),
 * what the sizes module computes kept-out and own-bytes figures from. */
#include <string.h>
#include "image/image_int.h"
#include "util/alloc.h"
#include "util/error.h"

int atmo_image_layer_set(atmo_layer_set *out, const atmo_image *img, atmo_error *err)
{
	const char **ids;
	uint64_t *bytes;
	size_t i;

	atmo_error_clear(err);
	if (!out || !img)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_image_layer_set: out and img must not be NULL");
	memset(out, 0, sizeof(*out));
	ids = atmo__calloc(img->n_layers + 1, sizeof(*ids), NULL);
	bytes = atmo__calloc(img->n_layers + 1, sizeof(*bytes), NULL);
	if (!ids || !bytes) {
		atmo__free(ids);
		atmo__free(bytes);
		return atmo__error_nomem(err);
	}
	for (i = 0; i < img->n_layers; i++) {
		ids[i] = img->layers[i].diff_id; /* NULL (no diff_id) matches nothing */
		bytes[i] = img->layers[i].size;
	}
	out->diff_ids = ids;
	out->bytes = bytes;
	out->n_layers = img->n_layers;
	out->packages = atmo_image_packages(img, &out->n_packages);
	return 0;
}

void atmo_layer_set_free(atmo_layer_set *set)
{
	if (!set)
		return;
	atmo__free((void *)set->diff_ids);
	atmo__free((void *)set->bytes);
	set->diff_ids = NULL;
	set->bytes = NULL;
	set->n_layers = 0;
}
