/*
 * The read-only public views of an opened image (image.h): history, layers, layer
 * entries and the final filesystem. The public opaque types are the internal
 * structs themselves, so every getter is a field read and nothing is copied.
 */
#include <stdlib.h>
#include <string.h>
#include "image/image_int.h"

/* the public kinds are the internal entry types, value for value */
#define SAME_KIND(pub, in) ((int)(pub) == (int)(in))
_Static_assert(SAME_KIND(ATMO_IMAGE_ENTRY_FILE, IMG_E_FILE) &&
		       SAME_KIND(ATMO_IMAGE_ENTRY_DIR, IMG_E_DIR) &&
		       SAME_KIND(ATMO_IMAGE_ENTRY_SYMLINK, IMG_E_SYMLINK) &&
		       SAME_KIND(ATMO_IMAGE_ENTRY_HARDLINK, IMG_E_HARDLINK) &&
		       SAME_KIND(ATMO_IMAGE_ENTRY_OTHER, IMG_E_OTHER) &&
		       SAME_KIND(ATMO_IMAGE_ENTRY_WHITEOUT, IMG_E_WHITEOUT) &&
		       SAME_KIND(ATMO_IMAGE_ENTRY_OPAQUE, IMG_E_OPAQUE),
	       "atmo_image_entry_kind and the IMG_E_* types differ");
#undef SAME_KIND

const char *atmo_image_source(const atmo_image *img)
{
	return img ? img->source : NULL;
}

const char *atmo_image_ref(const atmo_image *img)
{
	return img ? img->ref : NULL;
}

const char *atmo_image_digest(const atmo_image *img)
{
	return img ? img->digest : NULL;
}

size_t atmo_image_history_count(const atmo_image *img)
{
	return img ? img->n_hist : 0;
}

const atmo_image_history *atmo_image_history_at(const atmo_image *img, size_t i)
{
	return img && i < img->n_hist ? &img->hist[i] : NULL;
}

const char *atmo_image_history_created_by(const atmo_image_history *h)
{
	return h ? h->created_by : NULL;
}

long atmo_image_history_layer(const atmo_image_history *h)
{
	return h ? h->layer : -1;
}

size_t atmo_image_layer_count(const atmo_image *img)
{
	return img ? img->n_layers : 0;
}

const atmo_image_layer *atmo_image_layer_at(const atmo_image *img, size_t i)
{
	return img && i < img->n_layers ? &img->layers[i] : NULL;
}

uint64_t atmo_image_layer_size(const atmo_image_layer *l)
{
	return l ? l->size : 0;
}

uint64_t atmo_image_layer_compressed_size(const atmo_image_layer *l)
{
	return l ? l->compressed_size : 0;
}

long atmo_image_layer_history(const atmo_image_layer *l)
{
	return l ? l->history : -1;
}

size_t atmo_image_layer_entry_count(const atmo_image_layer *l)
{
	return l ? l->n_entries : 0;
}

const atmo_image_entry *atmo_image_layer_entry_at(const atmo_image_layer *l, size_t i)
{
	return l && i < l->n_entries ? &l->entries[i] : NULL;
}

const char *atmo_image_entry_path(const atmo_image_entry *e)
{
	return e ? e->path : NULL;
}

uint64_t atmo_image_entry_size(const atmo_image_entry *e)
{
	return e ? e->size : 0;
}

atmo_image_entry_kind atmo_image_entry_type(const atmo_image_entry *e)
{
	return e ? (atmo_image_entry_kind)e->type : ATMO_IMAGE_ENTRY_OTHER;
}

static int cmp_node_path(const void *key, const void *elem)
{
	return strcmp((const char *)key, ((const atmo_image__node *)elem)->path);
}

int atmo_image_tree_find(atmo_image_entry_kind *type, uint64_t *size, const atmo_image *img,
			 const char *path)
{
	const atmo_image__node *node;
	if (!img || !path)
		return ATMO_EINVALID;
	/* atmo_image__tree() sorts the tree on its first use, under the image's lock */
	node = img->n_tree ? bsearch(path, atmo_image__tree(img), img->n_tree, sizeof(*img->tree),
				     cmp_node_path)
			   : NULL;
	if (!node)
		return ATMO_ENOTFOUND;
	if (type)
		*type = (atmo_image_entry_kind)node->type;
	if (size)
		*size = node->size;
	return 0;
}
