/*
 * A plan as a bake file that `docker buildx bake -f FILE` runs as it is: the
 * core's `bake --print` form of the planned targets (atmo_bake_print()), with
 * relative directories made relative to where the file is written, so the
 * same contexts are found from there.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "atmograph/bake.h"
#include "atmograph/build.h"
#include "util/buf.h"
#include "util/alloc.h"
#include "util/error.h"

/* path `to` relative to directory `from`; both absolute and canonical */
static int relative_to(atmo_buf *out, const char *from, const char *to)
{
	size_t common = 0, i;

	/* the common leading components: a prefix that ends where a component does */
	for (i = 0;; i++) {
		int fend = from[i] == '/' || !from[i], tend = to[i] == '/' || !to[i];
		if (fend && tend)
			common = i;
		if (!from[i] || !to[i] || from[i] != to[i])
			break;
	}
	/* one ".." per component of `from` past the common part */
	for (i = common; from[i]; i++)
		if (from[i] == '/' && from[i + 1])
			atmo__buf_puts(out, out->len ? "/.." : "..");
	for (i = common; to[i] == '/'; i++)
		;
	if (to[i])
		atmo__buf_printf(out, "%s%s", out->len ? "/" : "", to + i);
	if (!out->len)
		atmo__buf_putc(out, '.');
	return out->oom ? ATMO_ENOMEM : 0;
}

/* set obj[key] to dir relative to dest; unchanged when dir cannot be resolved */
static int rewrite(json_t *obj, const char *key, const char *dir, const char *dest, atmo_error *err)
{
	char abs[PATH_MAX];
	atmo_buf rel = ATMO_BUF_INIT;
	int rc;

	if (!dir || !realpath(dir, abs))
		return 0;
	if ((rc = relative_to(&rel, dest, abs)) < 0) {
		atmo__buf_free(&rel);
		return atmo__error_nomem(err);
	}
	rc = json_object_set_new(obj, key, json_string(atmo__buf_cstr(&rel)));
	atmo__buf_free(&rel);
	return rc < 0 ? atmo__error_nomem(err) : 0;
}

int atmo_plan_bake_json(json_t **out, const atmo_bake *b, const char *const *names, size_t n_names,
			const char *dest_dir, atmo_error *err)
{
	const char **sel = NULL;
	char dest[PATH_MAX];
	json_t *doc = NULL, *targets;
	size_t *order = NULL, n = 0, i, k;
	int rc;

	atmo_error_clear(err);
	*out = NULL;
	if (!realpath(dest_dir ? dest_dir : ".", dest))
		return atmo__error_set(err, ATMO_EIO, dest_dir ? dest_dir : ".", 0, 0,
				       "cannot resolve: %s", strerror(errno));
	/* the targets named and those they link to, as a plan takes them */
	if ((rc = atmo_bake_select(&order, &n, b, names, n_names, err)) < 0)
		return rc;
	sel = atmo__calloc(n + 1, sizeof(*sel), err);
	if (!sel) {
		atmo__free(order);
		return atmo__error_nomem(err);
	}
	for (i = 0; i < n; i++)
		sel[i] = atmo_bake_target_at(b, order[i])->name;
	rc = atmo_bake_print(&doc, b, sel, n, err);
	atmo__free(sel);
	if (rc < 0)
		goto fail;
	targets = json_object_get(doc, "target");
	for (i = 0; i < n; i++) {
		const atmo_bake_target *t = atmo_bake_target_at(b, order[i]);
		json_t *jt = json_object_get(targets, t->name);
		json_t *ctx = json_object_get(jt, "contexts");
		if (!jt)
			continue;
		if ((rc = rewrite(jt, "context", t->context_path, dest, err)) < 0)
			goto fail;
		for (k = 0; json_is_object(ctx) && k < t->n_contexts; k++) {
			const char *c = t->contexts[k], *eq = strchr(c, '=');
			char name[256];
			if (!t->context_paths[k] || !eq || (size_t)(eq - c) >= sizeof(name))
				continue;
			memcpy(name, c, (size_t)(eq - c));
			name[eq - c] = '\0';
			if (json_object_get(ctx, name) &&
			    (rc = rewrite(ctx, name, t->context_paths[k], dest, err)) < 0)
				goto fail;
		}
	}
	atmo__free(order);
	*out = doc;
	return 0;
fail:
	atmo__free(order);
	json_decref(doc);
	return rc;
}
