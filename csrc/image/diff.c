/* Image module: comparing two images ("atmograph.diff/1"). */
#include <stdlib.h>
#include <string.h>
#include "image/image_int.h"

static json_t *side(const atmo_image *img)
{
	atmo_image_totals t;
	json_t *o = json_object(), *s = json_object();
	atmo_image_get_totals(img, &t);
	json_object_set_new(o, "source", json_string(img->source));
	json_object_set_new(o, "ref", img->ref ? json_string(img->ref) : json_null());
	json_object_set_new(o, "digest", img->digest ? json_string(img->digest) : json_null());
	json_object_set_new(s, "bytes", json_integer((json_int_t)t.bytes));
	json_object_set_new(s, "compressed", json_integer((json_int_t)t.compressed));
	json_object_set_new(s, "layers", json_integer((json_int_t)t.layers));
	json_object_set_new(s, "files", json_integer((json_int_t)img->n_tree));
	json_object_set_new(o, "size", s);
	json_object_set_new(o, "packages",
			    img->have_packages ? json_integer((json_int_t)img->n_pkgs)
					       : json_null());
	return o;
}

static const char *layer_id(const atmo_image__layer *l)
{
	return l->diff_id ? l->diff_id : l->digest ? l->digest : "";
}

static json_t *node_json(const atmo_image__node *n)
{
	json_t *o = json_object();
	json_object_set_new(o, "path", json_string(n->path));
	json_object_set_new(o, "type", json_string(atmo_image__type_name(n->type)));
	json_object_set_new(o, "size", json_integer((json_int_t)n->size));
	return o;
}

static int cmp_pkgname(const atmo_image__pkg *a, const atmo_image__pkg *b)
{
	int c = strcmp(a->name, b->name);
	return c ? c : strcmp(a->arch ? a->arch : "", b->arch ? b->arch : "");
}

int atmo_image_diff(json_t **out, const atmo_image *a, const atmo_image *b, size_t max_files,
		    atmo_error *err)
{
	json_t *doc, *size, *layers, *files, *added, *removed, *changed;
	size_t i = 0, j = 0, shared = 0, n_add = 0, n_rem = 0, n_chg = 0;
	int64_t add_bytes = 0, rem_bytes = 0, chg_bytes = 0;
	const atmo_image__node *tree_a, *tree_b;
	atmo_image_totals ta, tb;

	atmo_error_clear(err);
	*out = NULL;
	if (!a || !b)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0, "atmo_image_diff: no image");
	doc = json_object();
	if (!doc)
		return atmo__error_nomem(err);
	atmo_image_get_totals(a, &ta);
	atmo_image_get_totals(b, &tb);
	json_object_set_new(doc, "schema", json_string("atmograph.diff/1"));
	json_object_set_new(doc, "a", side(a));
	json_object_set_new(doc, "b", side(b));
	size = json_object();
	json_object_set_new(size, "bytes",
			    json_integer((json_int_t)tb.bytes - (json_int_t)ta.bytes));
	json_object_set_new(size, "compressed",
			    json_integer((json_int_t)tb.compressed - (json_int_t)ta.compressed));
	json_object_set_new(size, "layers",
			    json_integer((json_int_t)tb.layers - (json_int_t)ta.layers));
	json_object_set_new(doc, "delta", size);

	while (shared < a->n_layers && shared < b->n_layers &&
	       strcmp(layer_id(&a->layers[shared]), layer_id(&b->layers[shared])) == 0)
		shared++;
	layers = json_object();
	json_object_set_new(layers, "shared", json_integer((json_int_t)shared));
	{
		json_t *oa = json_array(), *ob = json_array();
		for (i = shared; i < a->n_layers; i++)
			json_array_append_new(oa, json_string(layer_id(&a->layers[i])));
		for (i = shared; i < b->n_layers; i++)
			json_array_append_new(ob, json_string(layer_id(&b->layers[i])));
		json_object_set_new(layers, "only_a", oa);
		json_object_set_new(layers, "only_b", ob);
	}
	json_object_set_new(doc, "layers", layers);

	added = json_array();
	removed = json_array();
	changed = json_array();
	tree_a = atmo_image__tree(a);
	tree_b = atmo_image__tree(b);
	i = j = 0;
	while (i < a->n_tree || j < b->n_tree) {
		int c = i >= a->n_tree   ? 1
			: j >= b->n_tree ? -1
					 : strcmp(tree_a[i].path, tree_b[j].path);
		if (c < 0) {
			n_rem++;
			rem_bytes += (int64_t)tree_a[i].size;
			if (!max_files || json_array_size(removed) < max_files)
				json_array_append_new(removed, node_json(&tree_a[i]));
			i++;
		} else if (c > 0) {
			n_add++;
			add_bytes += (int64_t)tree_b[j].size;
			if (!max_files || json_array_size(added) < max_files)
				json_array_append_new(added, node_json(&tree_b[j]));
			j++;
		} else {
			if (tree_a[i].size != tree_b[j].size || tree_a[i].type != tree_b[j].type) {
				n_chg++;
				chg_bytes += (int64_t)tree_b[j].size - (int64_t)tree_a[i].size;
				if (!max_files || json_array_size(changed) < max_files) {
					json_t *o = json_object();
					json_object_set_new(o, "path", json_string(tree_a[i].path));
					json_object_set_new(
						o, "type_a",
						json_string(atmo_image__type_name(tree_a[i].type)));
					json_object_set_new(
						o, "type_b",
						json_string(atmo_image__type_name(tree_b[j].type)));
					json_object_set_new(
						o, "size_a",
						json_integer((json_int_t)tree_a[i].size));
					json_object_set_new(
						o, "size_b",
						json_integer((json_int_t)tree_b[j].size));
					json_array_append_new(changed, o);
				}
			}
			i++;
			j++;
		}
	}
	files = json_object();
	json_object_set_new(files, "added_count", json_integer((json_int_t)n_add));
	json_object_set_new(files, "removed_count", json_integer((json_int_t)n_rem));
	json_object_set_new(files, "changed_count", json_integer((json_int_t)n_chg));
	json_object_set_new(files, "added_bytes", json_integer(add_bytes));
	json_object_set_new(files, "removed_bytes", json_integer(rem_bytes));
	json_object_set_new(files, "changed_bytes", json_integer(chg_bytes));
	json_object_set_new(files, "added", added);
	json_object_set_new(files, "removed", removed);
	json_object_set_new(files, "changed", changed);
	json_object_set_new(doc, "files", files);

	if (a->have_packages && b->have_packages) {
		json_t *p = json_object(), *pa = json_array(), *pr = json_array(),
		       *pc = json_array();
		i = j = 0;
		while (i < a->n_pkgs || j < b->n_pkgs) {
			int c = i >= a->n_pkgs   ? 1
				: j >= b->n_pkgs ? -1
						 : cmp_pkgname(&a->pkgs[i], &b->pkgs[j]);
			json_t *o;
			if (c < 0) {
				o = json_object();
				json_object_set_new(o, "name", json_string(a->pkgs[i].name));
				json_object_set_new(
					o, "version",
					json_string(a->pkgs[i].version ? a->pkgs[i].version : ""));
				json_array_append_new(pr, o);
				i++;
			} else if (c > 0) {
				o = json_object();
				json_object_set_new(o, "name", json_string(b->pkgs[j].name));
				json_object_set_new(
					o, "version",
					json_string(b->pkgs[j].version ? b->pkgs[j].version : ""));
				json_array_append_new(pa, o);
				j++;
			} else {
				const char *va = a->pkgs[i].version ? a->pkgs[i].version : "";
				const char *vb = b->pkgs[j].version ? b->pkgs[j].version : "";
				if (strcmp(va, vb) != 0) {
					o = json_object();
					json_object_set_new(o, "name",
							    json_string(a->pkgs[i].name));
					json_object_set_new(o, "version_a", json_string(va));
					json_object_set_new(o, "version_b", json_string(vb));
					json_array_append_new(pc, o);
				}
				i++;
				j++;
			}
		}
		json_object_set_new(p, "added", pa);
		json_object_set_new(p, "removed", pr);
		json_object_set_new(p, "changed", pc);
		json_object_set_new(doc, "packages", p);
	} else {
		json_object_set_new(doc, "packages", json_null());
	}
	*out = doc;
	return 0;
}
