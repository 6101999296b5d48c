/* Image module: the "atmograph.image/1" document and small accessors. */
#include <stdlib.h>
#include <string.h>
#include "image/image_int.h"

const char *atmo_image_trim_created_by(const char *s)
{
	static const char *const prefixes[] = { "/bin/sh -c #(nop) ", "/bin/sh -c #(nop)",
						"/bin/sh -c ", NULL };
	size_t i;
	if (!s)
		return NULL;
	for (i = 0; prefixes[i]; i++) {
		size_t n = strlen(prefixes[i]);
		if (strncmp(s, prefixes[i], n) == 0) {
			s += n;
			while (*s == ' ')
				s++;
			return s;
		}
	}
	return s;
}

void atmo_image_get_totals(const atmo_image *img, atmo_image_totals *out)
{
	size_t i;
	memset(out, 0, sizeof(*out));
	if (!img)
		return;
	for (i = 0; i < img->n_layers; i++) {
		out->bytes += img->layers[i].size;
		out->compressed += img->layers[i].compressed_size;
		out->tar_bytes += img->layers[i].tar_size;
		out->files += img->layers[i].files;
	}
	out->layers = img->n_layers;
	out->history = img->n_hist;
}

const char *const *atmo_image_packages(const atmo_image *img, size_t *n)
{
	if (n)
		*n = img && img->have_packages ? img->n_pkgs : 0;
	if (!img || !img->have_packages)
		return NULL;
	return (const char *const *)img->pkg_names;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *u64(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static const char *type_name(int t)
{
	switch (t) {
	case IMG_E_FILE:
		return "file";
	case IMG_E_DIR:
		return "dir";
	case IMG_E_SYMLINK:
		return "symlink";
	case IMG_E_HARDLINK:
		return "hardlink";
	case IMG_E_WHITEOUT:
		return "whiteout";
	case IMG_E_OPAQUE:
		return "opaque";
	default:
		return "other";
	}
}

const char *atmo_image__type_name(int t)
{
	return type_name(t);
}

static json_t *pkg_json(const atmo_image__pkg *p, int full)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "version", str_or_null(p->version));
	json_object_set_new(o, "architecture", str_or_null(p->arch));
	if (full)
		json_object_set_new(o, "installed_size", u64(p->installed_size));
	json_object_set_new(o, "layer", json_integer(p->layer));
	return o;
}

int atmo_image_to_json(json_t **out, const atmo_image *img, atmo_error *err)
{
	json_t *doc, *size, *layers, *hist, *eff, *ineff, *plat;
	atmo_image_totals t;
	size_t i, k;
	atmo_error_clear(err);
	*out = NULL;
	if (!img)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0, "no image");
	atmo_image_get_totals(img, &t);
	doc = json_object();
	if (!doc)
		return atmo__error_nomem(err);
	json_object_set_new(doc, "schema", json_string("atmograph.image/1"));
	json_object_set_new(doc, "source", json_string(img->source));
	json_object_set_new(doc, "format", json_string(img->format));
	json_object_set_new(doc, "ref", str_or_null(img->ref));
	json_object_set_new(doc, "digest", str_or_null(img->digest));
	json_object_set_new(doc, "config_digest", str_or_null(img->config_digest));
	plat = json_object();
	json_object_set_new(plat, "os", str_or_null(img->os));
	json_object_set_new(plat, "architecture", str_or_null(img->arch));
	if (img->variant)
		json_object_set_new(plat, "variant", json_string(img->variant));
	json_object_set_new(doc, "platform", plat);
	json_object_set_new(doc, "created", str_or_null(img->created));
	size = json_object();
	json_object_set_new(size, "bytes", u64(t.bytes));
	json_object_set_new(size, "compressed", u64(t.compressed));
	json_object_set_new(size, "tar_bytes", u64(t.tar_bytes));
	json_object_set_new(size, "layers", json_integer((json_int_t)t.layers));
	json_object_set_new(size, "files", u64(t.files));
	json_object_set_new(doc, "size", size);

	layers = json_array();
	for (i = 0; i < img->n_layers; i++) {
		const atmo_image__layer *l = &img->layers[i];
		const atmo_image__hist *h = l->history >= 0 ? &img->hist[l->history] : NULL;
		json_t *o = json_object(), *lg = json_array();
		json_object_set_new(o, "index", json_integer((json_int_t)i));
		json_object_set_new(o, "digest", str_or_null(l->digest ? l->digest : l->diff_id));
		json_object_set_new(o, "diff_id", str_or_null(l->diff_id));
		json_object_set_new(o, "media_type", str_or_null(l->media_type));
		json_object_set_new(o, "compression", json_string(l->compression));
		json_object_set_new(o, "compressed_size", u64(l->compressed_size));
		json_object_set_new(o, "size", u64(l->size));
		json_object_set_new(o, "tar_size", u64(l->tar_size));
		json_object_set_new(o, "files", u64(l->files));
		json_object_set_new(o, "whiteouts", u64(l->whiteouts));
		json_object_set_new(o, "opaque_dirs", u64(l->opaque_dirs));
		json_object_set_new(o, "history",
				    l->history >= 0 ? json_integer(l->history) : json_null());
		json_object_set_new(
			o, "created_by",
			str_or_null(h ? atmo_image_trim_created_by(h->created_by) : NULL));
		json_object_set_new(o, "comment", str_or_null(h ? h->comment : NULL));
		for (k = 0; k < l->n_largest && k < img->opt_files; k++) {
			const atmo_image__entry *e = &l->entries[l->largest[k]];
			json_t *f = json_object();
			json_object_set_new(f, "path", json_string(e->path));
			json_object_set_new(f, "size", u64(e->size));
			json_array_append_new(lg, f);
		}
		json_object_set_new(o, "largest", lg);
		json_array_append_new(layers, o);
	}
	json_object_set_new(doc, "layers", layers);

	hist = json_array();
	for (i = 0; i < img->n_hist; i++) {
		const atmo_image__hist *h = &img->hist[i];
		json_t *o = json_object();
		json_object_set_new(o, "index", json_integer((json_int_t)i));
		json_object_set_new(o, "created", str_or_null(h->created));
		json_object_set_new(o, "created_by",
				    str_or_null(atmo_image_trim_created_by(h->created_by)));
		json_object_set_new(o, "comment", str_or_null(h->comment));
		json_object_set_new(o, "empty_layer", json_boolean(h->empty_layer));
		json_object_set_new(o, "layer",
				    h->layer >= 0 ? json_integer(h->layer) : json_null());
		json_object_set_new(o, "size", u64(h->layer >= 0 ? img->layers[h->layer].size : 0));
		json_array_append_new(hist, o);
	}
	json_object_set_new(doc, "history", hist);

	eff = json_object();
	json_object_set_new(eff, "score", json_real(img->score));
	json_object_set_new(eff, "wasted_bytes", u64(img->wasted));
	json_object_set_new(eff, "wasted_bytes_corrected", u64(img->wasted_corrected));
	json_object_set_new(eff, "inefficient_count", json_integer((json_int_t)img->n_ineff));
	ineff = json_array();
	for (i = 0; i < img->n_ineff && i < 100; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "path", json_string(img->ineff[i].path));
		json_object_set_new(o, "count", json_integer(img->ineff[i].count));
		json_object_set_new(o, "cumulative", u64(img->ineff[i].cumulative));
		json_object_set_new(o, "smallest", u64(img->ineff[i].smallest));
		json_array_append_new(ineff, o);
	}
	json_object_set_new(eff, "inefficient", ineff);
	json_object_set_new(doc, "efficiency", eff);

	if (img->have_packages) {
		json_t *p = json_object(), *inst = json_array(), *rem = json_array();
		uint64_t total = 0;
		for (i = 0; i < img->n_pkgs; i++) {
			total += img->pkgs[i].installed_size;
			json_array_append_new(inst, pkg_json(&img->pkgs[i], 1));
		}
		for (i = 0; i < img->n_removed; i++)
			json_array_append_new(rem, pkg_json(&img->removed[i], 0));
		json_object_set_new(p, "format", json_string("dpkg"));
		json_object_set_new(p, "count", json_integer((json_int_t)img->n_pkgs));
		json_object_set_new(p, "installed_size", u64(total));
		json_object_set_new(p, "installed", inst);
		json_object_set_new(p, "removed", rem);
		json_object_set_new(doc, "packages", p);
	} else {
		json_object_set_new(doc, "packages", json_null());
	}
	json_object_set_new(doc, "verified", json_boolean(img->verified));
	*out = doc;
	return 0;
}
