/*
 * Image module: finding the image in a layout or archive (index, manifest list,
 * docker-archive manifest.json), reading its config and history, and reading
 * the layers in parallel (one thread per core, one libarchive handle per layer).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stddef.h>
#include "image/image_int.h"
#include "image/registry_int.h"
#include "util/alloc.h"
#include "util/grow.h"
#include "util/buf.h"
#include "util/json_nomem.h"

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"

typedef struct {
	char *digest;   /* manifest digest (OCI) or NULL */
	char *refs;     /* names, ", "-joined, for messages */
	json_t *names;  /* array of strings */
	char *platform; /* "os/arch[/variant]" or NULL */
	json_t *dm;     /* docker-archive: the manifest.json entry (borrowed) */
} candidate;

typedef struct {
	candidate *c;
	size_t n, cap;
} cand_list;

static void cands_free(cand_list *l)
{
	size_t i;
	for (i = 0; i < l->n; i++) {
		atmo__free(l->c[i].digest);
		atmo__free(l->c[i].refs);
		atmo__free(l->c[i].platform);
		json_decref(l->c[i].names);
	}
	atmo__free(l->c);
}

static candidate *cands_add(cand_list *l)
{
	if (ATMO__GROW(l->c, l->cap, l->n + 1, NULL) < 0)
		return NULL;
	memset(&l->c[l->n], 0, sizeof(candidate));
	l->c[l->n].names = json_array();
	return l->c[l->n].names ? &l->c[l->n++] : NULL;
}

static int load_json(json_t **out, atmo_image__src *s, const char *name, atmo_error *err)
{
	char *data = NULL;
	size_t len;
	json_error_t je;
	char src[600];
	int rc, nomem;
	*out = NULL;
	if ((rc = atmo_image__src_read(s, name, ATMO_IMAGE_MAX_JSON, &data, &len, err)) < 0)
		return rc;
	*out = atmo__json_loadb(data, len, JSON_REJECT_DUPLICATES, &je, &nomem);
	atmo__free(data);
	if (nomem)
		return atmo__error_nomem(err);
	if (!*out) {
		/* jansson ends its message with " near '<the text>'": the file's own bytes
		 * stay out of errors, the line and column locate the problem */
		char *near = strstr(je.text, " near ");
		if (near)
			*near = '\0';
		snprintf(src, sizeof(src), "%s:%s", s->path, name);
		return atmo__error_set(err, ATMO_EINVALID, src, je.line > 0 ? je.line : 0,
				       je.column > 0 ? je.column : 0, "not valid JSON: %s",
				       je.text);
	}
	return 0;
}

static int type_error(atmo_error *err, atmo_image__src *s, const char *name, const char *field,
		      const char *want)
{
	char src[600];
	snprintf(src, sizeof(src), "%s:%s", s->path, name);
	return atmo__error_set(err, ATMO_EINVALID, src, 0, 0, "%s must be %s", field, want);
}

static int type_error_at(atmo_error *err, const char *where, const char *field, const char *want)
{
	return atmo__error_set(err, ATMO_EINVALID, where, 0, 0, "%s must be %s", field, want);
}

/* "sha256:<64 hex>" (or sha512) -> "blobs/<alg>/<hex>"; 0 or ATMO_EINVALID */
static int blob_name(char *out, size_t n, const char *digest)
{
	const char *colon = digest ? strchr(digest, ':') : NULL;
	size_t alen, hlen, i;
	if (!colon)
		return ATMO_EINVALID;
	alen = (size_t)(colon - digest);
	hlen = strlen(colon + 1);
	if (!((alen == 6 && strncmp(digest, "sha256", 6) == 0 && hlen == 64) ||
	      (alen == 6 && strncmp(digest, "sha512", 6) == 0 && hlen == 128)))
		return ATMO_EINVALID;
	for (i = 0; i < hlen; i++) {
		char c = colon[1 + i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return ATMO_EINVALID;
	}
	snprintf(out, n, "blobs/%.*s/%s", (int)alen, digest, colon + 1);
	return 0;
}

static int verify_blob(atmo_image__src *s, const char *name, const char *digest, int64_t size,
		       int verify, atmo_error *err)
{
	atmo_image__range r;
	char hex[65], what[600];
	int rc;
	if ((rc = atmo_image__src_find(s, name, &r, err)) < 0)
		return rc;
	snprintf(what, sizeof(what), "%s:%s", s->path, name);
	if (size >= 0 && (uint64_t)size != r.len)
		return atmo__error_set(
			err, ATMO_EVERIFY, what, 0, 0,
			"size mismatch: the descriptor says %lld bytes, the blob has %llu",
			(long long)size, (unsigned long long)r.len);
	if (!verify || strncmp(digest, "sha256:", 7) != 0)
		return 0;
	if ((rc = atmo_image__range_sha256(&r, hex, what, err)) < 0)
		return rc;
	if (strcmp(hex, digest + 7) != 0)
		return atmo__error_set(
			err, ATMO_EVERIFY, what, 0, 0,
			"digest mismatch: expected %s, the content hashes to sha256:%s", digest,
			hex);
	return 0;
}

static int is_index_type(const char *mt)
{
	return mt && (strcmp(mt, MT_OCI_INDEX) == 0 || strcmp(mt, MT_DOCKER_LIST) == 0);
}

static char *platform_string(json_t *p)
{
	const char *os = json_string_value(json_object_get(p, "os"));
	const char *arch = json_string_value(json_object_get(p, "architecture"));
	const char *var = json_string_value(json_object_get(p, "variant"));
	char buf[256];
	if (!os || !arch)
		return NULL;
	if (var)
		snprintf(buf, sizeof(buf), "%s/%s/%s", os, arch, var);
	else
		snprintf(buf, sizeof(buf), "%s/%s", os, arch);
	return atmo__strdup(buf, NULL);
}

/* collect the image manifests an OCI index names, nested indexes included */
static int oci_collect(cand_list *out, atmo_image__src *s, const char *name, json_t *index,
		       const char *parent_ref, int depth, int verify, atmo_error *err)
{
	json_t *mans = json_object_get(index, "manifests"), *d;
	size_t i;
	int rc;
	if (!json_is_object(index))
		return type_error(err, s, name, "the index", "a JSON object");
	if (!json_is_array(mans))
		return type_error(err, s, name, "\"manifests\"", "an array");
	if (depth > 4)
		return type_error(err, s, name, "index nesting", "at most 4 deep");
	json_array_foreach(mans, i, d) {
		const char *mt, *digest, *ref = parent_ref;
		json_t *ann, *size;
		char bn[200];
		if (!json_is_object(d))
			return type_error(err, s, name, "\"manifests\" entries", "objects");
		mt = json_string_value(json_object_get(d, "mediaType"));
		digest = json_string_value(json_object_get(d, "digest"));
		size = json_object_get(d, "size");
		if (!digest || blob_name(bn, sizeof(bn), digest) < 0)
			return type_error(err, s, name, "\"manifests[].digest\"",
					  "a digest string (sha256:<64 hex digits>)");
		if (size && !json_is_integer(size))
			return type_error(err, s, name, "\"manifests[].size\"", "an integer");
		ann = json_object_get(d, "annotations");
		if (json_is_object(ann)) {
			const char *at = json_string_value(
				json_object_get(ann, "vnd.docker.reference.type"));
			const char *r = json_string_value(
				json_object_get(ann, "org.opencontainers.image.ref.name"));
			const char *r2 =
				json_string_value(json_object_get(ann, "io.containerd.image.name"));
			if (at && strcmp(at, "attestation-manifest") == 0)
				continue;
			if (r2)
				ref = r2;
			else if (r)
				ref = r;
		}
		if ((rc = verify_blob(s, bn, digest, size ? json_integer_value(size) : -1, verify,
				      err)) < 0)
			return rc;
		if (is_index_type(mt)) {
			json_t *sub = NULL;
			if ((rc = load_json(&sub, s, bn, err)) < 0)
				return rc;
			rc = oci_collect(out, s, bn, sub, ref, depth + 1, verify, err);
			json_decref(sub);
			if (rc < 0)
				return rc;
		} else {
			candidate *c = cands_add(out);
			json_t *plat = json_object_get(d, "platform");
			if (!c)
				return atmo__error_nomem(err);
			c->digest = atmo__strdup(digest, NULL);
			if (json_is_object(plat)) {
				const char *os = json_string_value(json_object_get(plat, "os"));
				if (os && strcmp(os, "unknown") == 0) {
					atmo__free(c->digest);
					json_decref(c->names);
					out->n--;
					continue;
				}
				c->platform = platform_string(plat);
			}
			if (ref) {
				json_array_append_new(c->names, json_string(ref));
				c->refs = atmo__strdup(ref, NULL);
			}
			if (!c->digest)
				return atmo__error_nomem(err);
		}
	}
	return 0;
}

static int ref_matches(const char *name, const char *want)
{
	const char *colon, *slash;
	size_t n;
	if (strcmp(name, want) == 0)
		return 1;
	/* "latest" matches "x:latest"; "x:latest" matches "docker.io/library/x:latest" */
	colon = strrchr(name, ':');
	slash = strrchr(name, '/');
	if (colon && (!slash || colon > slash) && strcmp(colon + 1, want) == 0)
		return 1;
	n = strlen(name);
	if (n > strlen(want) && strcmp(name + n - strlen(want), want) == 0 &&
	    name[n - strlen(want) - 1] == '/')
		return 1;
	/* a bare name means its "latest" tag */
	if (!strchr(want, ':') && colon && colon > (slash ? slash : name)) {
		size_t w = strlen(want);
		if (strcmp(colon + 1, "latest") == 0 && (size_t)(colon - name) >= w &&
		    strncmp(colon - w, want, w) == 0 &&
		    (colon - w == name || colon[-(long)w - 1] == '/'))
			return 1;
	}
	return 0;
}

static int cand_matches(const candidate *c, const char *ref, const char *platform)
{
	size_t i;
	json_t *v;
	if (platform && (!c->platform || strncmp(c->platform, platform, strlen(platform)) != 0))
		return 0;
	if (!ref)
		return 1;
	if (c->digest && (strcmp(c->digest, ref) == 0 ||
			  (strlen(ref) >= 8 && strncmp(c->digest + 7, ref, strlen(ref)) == 0) ||
			  (strlen(ref) >= 15 && strncmp(c->digest, ref, strlen(ref)) == 0)))
		return 1;
	json_array_foreach(c->names, i, v)
		if (ref_matches(json_string_value(v), ref))
			return 1;
	return 0;
}

static int select_candidate(size_t *out, const cand_list *l, const atmo_image_options *o,
			    const char *path, atmo_error *err)
{
	size_t i, hit = 0, n = 0;
	atmo_buf b = ATMO_BUF_INIT;
	int rc;
	for (i = 0; i < l->n; i++)
		if (cand_matches(&l->c[i], o->ref, o->platform)) {
			if (n == 0 || !l->c[hit].digest || !l->c[i].digest ||
			    strcmp(l->c[hit].digest, l->c[i].digest) != 0)
				n++;
			if (n == 1)
				hit = i;
		}
	if (n == 1) {
		*out = hit;
		return 0;
	}
	for (i = 0; i < l->n; i++) {
		const candidate *c = &l->c[i];
		atmo__buf_printf(&b, "%s%s%s%s%s%s", i ? "; " : "", c->refs ? c->refs : "(no name)",
				 c->platform ? " " : "", c->platform ? c->platform : "",
				 c->digest ? " " : "", c->digest ? c->digest : "");
	}
	if (l->n == 0)
		rc = atmo__error_set(err, ATMO_ENOTFOUND, path, 0, 0,
				     "the image holds no image manifest");
	else if (n == 0)
		rc = atmo__error_set(err, ATMO_ENOTFOUND, path, 0, 0,
				     "no image matches%s%s%s%s; the images are: %s",
				     o->ref ? " --ref " : "", o->ref ? o->ref : "",
				     o->platform ? " --platform " : "",
				     o->platform ? o->platform : "", atmo__buf_cstr(&b));
	else
		rc = atmo__error_set(err, ATMO_ENOTFOUND, path, 0, 0,
				     "%zu images%s; pick one with --ref or --platform: %s", n,
				     o->ref ? " match" : " in the archive", atmo__buf_cstr(&b));
	atmo__buf_free(&b);
	return rc;
}

static char *dup_or_null(const char *s)
{
	return s ? atmo__strdup(s, NULL) : NULL;
}

static int read_history(atmo_image *img, json_t *config, const char *where, atmo_error *err)
{
	json_t *hist = json_object_get(config, "history"), *h;
	size_t i, layer = 0;
	if (!hist || json_is_null(hist))
		return 0;
	if (!json_is_array(hist))
		return type_error_at(err, where, "\"history\"", "an array");
	img->hist = atmo__calloc(json_array_size(hist) + 1, sizeof(*img->hist), NULL);
	if (!img->hist)
		return atmo__error_nomem(err);
	json_array_foreach(hist, i, h) {
		atmo_image__hist *e = &img->hist[i];
		json_t *cb, *cm, *cr, *el;
		if (!json_is_object(h))
			return type_error_at(err, where, "\"history\" entries", "objects");
		cb = json_object_get(h, "created_by");
		cm = json_object_get(h, "comment");
		cr = json_object_get(h, "created");
		el = json_object_get(h, "empty_layer");
		if ((cb && !json_is_string(cb)) || (cm && !json_is_string(cm)) ||
		    (cr && !json_is_string(cr)))
			return type_error_at(err, where, "history created_by, comment and created",
					     "strings");
		if (el && !json_is_boolean(el))
			return type_error_at(err, where, "history empty_layer", "a boolean");
		e->created_by = dup_or_null(json_string_value(cb));
		e->comment = dup_or_null(json_string_value(cm));
		e->created = dup_or_null(json_string_value(cr));
		e->empty_layer = json_is_true(el);
		e->layer = -1;
		img->n_hist++;
		if (!e->empty_layer && layer < img->n_layers) {
			e->layer = (long)layer;
			img->layers[layer].history = (long)i;
			layer++;
		}
	}
	return 0;
}

int atmo_image__apply_config(atmo_image *img, json_t *config, const char *where, atmo_error *err)
{
	json_t *rootfs, *ids, *v;
	size_t i;
	if (!json_is_object(config))
		return type_error_at(err, where, "the config", "a JSON object");
	rootfs = json_object_get(config, "rootfs");
	if (rootfs && !json_is_object(rootfs))
		return type_error_at(err, where, "\"rootfs\"", "an object");
	ids = json_object_get(rootfs, "diff_ids");
	if (ids && !json_is_array(ids))
		return type_error_at(err, where, "\"rootfs.diff_ids\"", "an array");
	if (ids && json_array_size(ids) != img->n_layers)
		return atmo__error_set(err, ATMO_EINVALID, where, 0, 0,
				       "the config lists %zu diff_ids but the manifest %zu layers",
				       json_array_size(ids), img->n_layers);
	json_array_foreach(ids, i, v) {
		if (!json_is_string(v))
			return type_error_at(err, where, "\"rootfs.diff_ids\" entries", "strings");
		img->layers[i].diff_id = atmo__strdup(json_string_value(v), NULL);
	}
	if (json_object_get(config, "os") && !json_is_string(json_object_get(config, "os")))
		return type_error_at(err, where, "\"os\"", "a string");
	if (json_object_get(config, "architecture") &&
	    !json_is_string(json_object_get(config, "architecture")))
		return type_error_at(err, where, "\"architecture\"", "a string");
	img->os = dup_or_null(json_string_value(json_object_get(config, "os")));
	img->arch = dup_or_null(json_string_value(json_object_get(config, "architecture")));
	img->variant = dup_or_null(json_string_value(json_object_get(config, "variant")));
	img->created = dup_or_null(json_string_value(json_object_get(config, "created")));
	return read_history(img, config, where, err);
}

static int read_config(atmo_image *img, atmo_image__src *s, const char *cname, json_t **out,
		       atmo_error *err)
{
	char where[600];
	int rc;
	*out = NULL;
	if ((rc = load_json(out, s, cname, err)) < 0)
		return rc;
	snprintf(where, sizeof(where), "%s:%s", s->path, cname);
	return atmo_image__apply_config(img, *out, where, err);
}

static int alloc_layers(atmo_image *img, size_t n, atmo_image__src *s, const char *name,
			atmo_error *err)
{
	size_t i;
	if (n > ATMO_IMAGE_MAX_LAYERS) {
		char src[600];
		snprintf(src, sizeof(src), "%s:%s", s->path, name);
		return atmo__error_set(err, ATMO_ELIMIT, src, 0, 0, "more than %d layers",
				       ATMO_IMAGE_MAX_LAYERS);
	}
	img->layers = atmo__calloc(n ? n : 1, sizeof(*img->layers), NULL);
	if (!img->layers)
		return atmo__error_nomem(err);
	img->n_layers = n;
	for (i = 0; i < n; i++) {
		img->layers[i].history = -1;
		img->layers[i].declared_size = UINT64_MAX;
	}
	return 0;
}

static int check_twice(atmo_image *img, atmo_image__src *s, const char *mname, atmo_error *err)
{
	size_t i, j;
	for (i = 0; i < img->n_layers; i++)
		for (j = 0; j < i; j++)
			if (strcmp(img->layers[i].member, img->layers[j].member) == 0) {
				char src[600];
				snprintf(src, sizeof(src), "%s:%s", s->path, mname);
				return atmo__error_set(
					err, ATMO_EINVALID, src, 0, 0,
					"layer %s is listed twice (layers %zu and %zu)",
					img->layers[i].digest ? img->layers[i].digest
							      : img->layers[i].member,
					j, i);
			}
	return 0;
}

static int open_oci(atmo_image *img, atmo_image__src *s, const atmo_image_options *o,
		    json_t **config, atmo_error *err)
{
	json_t *index = NULL, *man = NULL, *cfg, *layers, *d;
	cand_list cands = { 0 };
	size_t pick, i;
	char bn[200];
	const char *mt, *cdigest;
	int rc;

	if ((rc = load_json(&index, s, "index.json", err)) < 0)
		goto done;
	if ((rc = oci_collect(&cands, s, "index.json", index, NULL, 0, o->verify, err)) < 0)
		goto done;
	if ((rc = select_candidate(&pick, &cands, o, s->path, err)) < 0)
		goto done;
	img->digest = atmo__strdup(cands.c[pick].digest, NULL);
	img->ref = dup_or_null(cands.c[pick].refs);
	blob_name(bn, sizeof(bn), img->digest);
	if ((rc = load_json(&man, s, bn, err)) < 0)
		goto done;
	if (!json_is_object(man)) {
		rc = type_error(err, s, bn, "the manifest", "a JSON object");
		goto done;
	}
	mt = json_string_value(json_object_get(man, "mediaType"));
	if (is_index_type(mt)) {
		rc = type_error(err, s, bn, "the manifest", "an image manifest, not an index");
		goto done;
	}
	cfg = json_object_get(man, "config");
	layers = json_object_get(man, "layers");
	if (!json_is_object(cfg)) {
		rc = type_error(err, s, bn, "\"config\"", "an object");
		goto done;
	}
	if (!json_is_array(layers)) {
		rc = type_error(err, s, bn, "\"layers\"", "an array");
		goto done;
	}
	cdigest = json_string_value(json_object_get(cfg, "digest"));
	if (!cdigest || blob_name(bn, sizeof(bn), cdigest) < 0) {
		rc = type_error(err, s, img->digest, "\"config.digest\"", "a digest string");
		goto done;
	}
	if (json_object_get(cfg, "size") && !json_is_integer(json_object_get(cfg, "size"))) {
		rc = type_error(err, s, img->digest, "\"config.size\"", "an integer");
		goto done;
	}
	img->config_digest = atmo__strdup(cdigest, NULL);
	if ((rc = verify_blob(s, bn, cdigest,
			      json_object_get(cfg, "size")
				      ? json_integer_value(json_object_get(cfg, "size"))
				      : -1,
			      o->verify, err)) < 0)
		goto done;
	if ((rc = alloc_layers(img, json_array_size(layers), s, img->digest, err)) < 0)
		goto done;
	json_array_foreach(layers, i, d) {
		atmo_image__layer *l = &img->layers[i];
		const char *ld, *lmt;
		json_t *sz;
		char lbn[200];
		if (!json_is_object(d)) {
			rc = type_error(err, s, img->digest, "\"layers\" entries", "objects");
			goto done;
		}
		ld = json_string_value(json_object_get(d, "digest"));
		lmt = json_string_value(json_object_get(d, "mediaType"));
		sz = json_object_get(d, "size");
		if (!ld || blob_name(lbn, sizeof(lbn), ld) < 0) {
			rc = type_error(err, s, img->digest, "\"layers[].digest\"",
					"a digest string");
			goto done;
		}
		if (sz && (!json_is_integer(sz) || json_integer_value(sz) < 0)) {
			rc = type_error(err, s, img->digest, "\"layers[].size\"",
					"a non-negative integer");
			goto done;
		}
		if (json_object_get(d, "mediaType") && !lmt) {
			rc = type_error(err, s, img->digest, "\"layers[].mediaType\"", "a string");
			goto done;
		}
		l->digest = atmo__strdup(ld, NULL);
		l->media_type = dup_or_null(lmt);
		l->member = atmo__strdup(lbn, NULL);
		if (!l->digest || !l->member) {
			rc = atmo__error_nomem(err);
			goto done;
		}
		if (sz)
			l->declared_size = (uint64_t)json_integer_value(sz);
		if ((rc = atmo_image__src_find(s, lbn, &l->range, err)) < 0)
			goto done;
	}
	if ((rc = check_twice(img, s, img->digest, err)) < 0)
		goto done;
	rc = read_config(img, s, bn, config, err);
done:
	cands_free(&cands);
	json_decref(index);
	json_decref(man);
	return rc;
}

static int open_docker(atmo_image *img, atmo_image__src *s, const atmo_image_options *o,
		       json_t **config, atmo_error *err)
{
	json_t *man = NULL, *d, *layers, *v;
	cand_list cands = { 0 };
	size_t pick, i;
	const char *cname;
	int rc;

	if ((rc = load_json(&man, s, "manifest.json", err)) < 0)
		goto done;
	if (!json_is_array(man)) {
		rc = type_error(err, s, "manifest.json", "manifest.json", "a JSON array");
		goto done;
	}
	json_array_foreach(man, i, d) {
		candidate *c;
		json_t *tags, *t;
		size_t k;
		atmo_buf b = ATMO_BUF_INIT;
		if (!json_is_object(d) || !json_is_string(json_object_get(d, "Config")) ||
		    !json_is_array(json_object_get(d, "Layers"))) {
			rc = type_error(err, s, "manifest.json", "entries",
					"objects with a \"Config\" string and a \"Layers\" array");
			goto done;
		}
		tags = json_object_get(d, "RepoTags");
		if (tags && !json_is_null(tags) && !json_is_array(tags)) {
			rc = type_error(err, s, "manifest.json", "\"RepoTags\"", "an array");
			goto done;
		}
		if (!(c = cands_add(&cands))) {
			rc = atmo__error_nomem(err);
			goto done;
		}
		c->dm = d;
		json_array_foreach(tags, k, t) {
			if (!json_is_string(t)) {
				rc = type_error(err, s, "manifest.json", "\"RepoTags\" entries",
						"strings");
				goto done;
			}
			json_array_append(c->names, t);
			atmo__buf_printf(&b, "%s%s", k ? ", " : "", json_string_value(t));
		}
		if (b.len)
			c->refs = atmo__buf_detach(&b);
		atmo__buf_free(&b);
		cname = json_string_value(json_object_get(d, "Config"));
		if (strncmp(cname, "blobs/sha256/", 13) == 0) {
			char dg[80];
			snprintf(dg, sizeof(dg), "sha256:%.64s", cname + 13);
			c->digest = atmo__strdup(dg, NULL);
		} else if (strlen(cname) == 69 && strcmp(cname + 64, ".json") == 0) {
			char dg[80];
			snprintf(dg, sizeof(dg), "sha256:%.64s", cname);
			c->digest = atmo__strdup(dg, NULL);
		}
	}
	if ((rc = select_candidate(&pick, &cands, o, s->path, err)) < 0)
		goto done;
	d = cands.c[pick].dm;
	img->ref = dup_or_null(cands.c[pick].refs);
	cname = json_string_value(json_object_get(d, "Config"));
	img->config_digest = dup_or_null(cands.c[pick].digest);
	if (o->verify && img->config_digest &&
	    (rc = verify_blob(s, cname, img->config_digest, -1, 1, err)) < 0)
		goto done;
	layers = json_object_get(d, "Layers");
	if ((rc = alloc_layers(img, json_array_size(layers), s, "manifest.json", err)) < 0)
		goto done;
	json_array_foreach(layers, i, v) {
		atmo_image__layer *l = &img->layers[i];
		const char *ln = json_string_value(v);
		if (!ln) {
			rc = type_error(err, s, "manifest.json", "\"Layers\" entries", "strings");
			goto done;
		}
		l->member = atmo__strdup(ln, NULL);
		if (!l->member) {
			rc = atmo__error_nomem(err);
			goto done;
		}
		if (strncmp(ln, "blobs/sha256/", 13) == 0 && strlen(ln) == 77) {
			char dg[80];
			snprintf(dg, sizeof(dg), "sha256:%s", ln + 13);
			l->digest = atmo__strdup(dg, NULL);
		}
		if ((rc = atmo_image__src_find(s, ln, &l->range, err)) < 0)
			goto done;
	}
	if ((rc = check_twice(img, s, "manifest.json", err)) < 0)
		goto done;
	if ((rc = read_config(img, s, cname, config, err)) < 0)
		goto done;
done:
	cands_free(&cands);
	json_decref(man);
	return rc;
}

/* ---- reading the layers in parallel ---- */
typedef struct {
	atmo_image *img;
	const atmo_image_options *o;
	unsigned long max_files;
	_Atomic uint64_t total;
	atomic_size_t next;
	volatile int stop;
} pool;

static void *worker(void *arg)
{
	pool *p = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->img->n_layers || p->stop)
			break;
		atmo_image__layer_read(&p->img->layers[i], p->o->verify, p->o->packages,
				       p->o->files, p->max_files, &p->total, &p->stop, 0);
	}
	return NULL;
}

static int read_layers(atmo_image *img, const atmo_image_options *o, atmo_error *err)
{
	pool p;
	pthread_t th[64];
	size_t n_threads, started = 0, i;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	memset(&p, 0, sizeof(p));
	p.img = img;
	p.o = o;
	p.max_files = o->max_files ? o->max_files : ATMO_IMAGE_MAX_FILES;
	atomic_init(&p.total, 0);
	atomic_init(&p.next, 0);
	n_threads = o->threads ? o->threads : (cores > 0 ? (size_t)cores : 1);
	if (n_threads > 64)
		n_threads = 64;
	if (n_threads > img->n_layers)
		n_threads = img->n_layers;
	for (i = 1; i < n_threads; i++) {
		if (pthread_create(&th[started], NULL, worker, &p) != 0)
			break; /* fewer threads is fine */
		started++;
	}
	worker(&p);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	/* the first failing layer in order, a cancelled one only when nothing else failed */
	for (i = 0; i < img->n_layers; i++) {
		atmo_image__layer *l = &img->layers[i];
		if (l->rc < 0 && l->rc != ATMO_ECANCELLED) {
			atmo__error_set(err, l->err.code, img->source, 0, 0, "%s: %s",
					l->err.source, l->err.text);
			return l->err.code;
		}
	}
	for (i = 0; i < img->n_layers; i++)
		if (img->layers[i].rc < 0)
			return atmo__error_set(err, ATMO_ECANCELLED, img->source, 0, 0,
					       "cancelled");
	return 0;
}

int atmo_image_open(atmo_image **out, const char *path, const atmo_image_options *opts,
		    atmo_error *err)
{
	atmo_image_options defaults = ATMO_IMAGE_OPTIONS_INIT, v1 = ATMO_IMAGE_OPTIONS_INIT;
	atmo_image__src src;
	atmo_image__reg *reg = NULL;
	int remote;
	atmo_image *img = NULL;
	json_t *config = NULL;
	int rc;
	size_t i;

	atmo_error_clear(err);
	if (out)
		*out = NULL;
	if (!out || !path)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0, "atmo_image_open: no path");
	if (!opts)
		opts = &defaults;
	if (strcmp(path, "-") == 0)
		return atmo__error_set(
			err, ATMO_EUNSUPPORTED, "<stdin>", 0, 0,
			"an image is not read from standard input (its layers are read "
			"by offset, in parallel): give a tar file or a directory");
	if (opts->version == 1) {
		/* a caller built against version 1: its struct ends before auth_file */
		memcpy(&v1, opts, offsetof(atmo_image_options, auth_file));
		opts = &v1;
	} else if (opts->version != ATMO_IMAGE_OPTIONS_VERSION) {
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_image_options: unknown version %u", opts->version);
	}
	atmo_image__src_init(&src); /* a registry image never opens it: nothing to close */
	remote = strncmp(path, ATMO_IMAGE__REG_PREFIX, strlen(ATMO_IMAGE__REG_PREFIX)) == 0;
	if (remote) {
		if ((rc = atmo_image__reg_open(&reg, path, opts, err)) < 0)
			goto done;
		/* layers wait on the network: more of them at a time than there are cores */
		if (!opts->threads) {
			memcpy(&v1, opts, sizeof(v1));
			v1.threads = 8;
			opts = &v1;
		}
	} else if ((rc = atmo_image__src_open(&src, path, err)) < 0) {
		goto done;
	}
	img = atmo__calloc(1, sizeof(*img), NULL);
	if (img)
		pthread_mutex_init(&img->tree_lock, NULL);
	if (!img || !(img->source = atmo__strdup(path, NULL))) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	img->opt_files = opts->files;
	if (remote) {
		img->format = "registry";
		rc = atmo_image__open_registry(img, reg, opts, &config, err);
	} else if (atmo_image__src_has(&src, "manifest.json")) {
		img->format = src.kind == IMG_SRC_DIR ? "docker-archive-dir" : "docker-archive";
		rc = open_docker(img, &src, opts, &config, err);
	} else if (atmo_image__src_has(&src, "index.json")) {
		img->format = src.kind == IMG_SRC_DIR ? "oci-layout" : "oci-archive";
		rc = open_oci(img, &src, opts, &config, err);
	} else {
		rc = atmo__error_set(
			err, ATMO_EINVALID, path, 0, 0,
			"not an image: neither index.json (OCI layout) nor manifest.json "
			"(docker-archive) found");
	}
	if (rc < 0)
		goto done;
	if ((rc = read_layers(img, opts, err)) < 0)
		goto done;
	img->verified = opts->verify ? 1 : 0;
	img->have_packages = opts->packages ? 1 : 0;
	if ((rc = atmo_image__analyze(img, err)) < 0)
		goto done;
	/* the per-layer dpkg copies are no longer needed */
	for (i = 0; i < img->n_layers; i++) {
		size_t k;
		img->layers[i].reg = NULL; /* freed below */
		for (k = 0; k < img->layers[i].n_dpkg; k++) {
			atmo__free(img->layers[i].dpkg[k].data);
			img->layers[i].dpkg[k].data = NULL;
		}
	}
	*out = img;
	img = NULL;
done:
	json_decref(config);
	atmo_image__src_close(&src);
	atmo_image_free(img);
	atmo_image__reg_free(reg);
	return rc;
}

void atmo_image_free(atmo_image *img)
{
	size_t i;
	if (!img)
		return;
	for (i = 0; i < img->n_layers; i++)
		atmo_image__layer_free(&img->layers[i]);
	atmo__free(img->layers);
	for (i = 0; i < img->n_hist; i++) {
		atmo__free(img->hist[i].created);
		atmo__free(img->hist[i].created_by);
		atmo__free(img->hist[i].comment);
	}
	atmo__free(img->hist);
	atmo__free(img->source);
	atmo__free(img->ref);
	atmo__free(img->digest);
	atmo__free(img->config_digest);
	atmo__free(img->os);
	atmo__free(img->arch);
	atmo__free(img->variant);
	atmo__free(img->created);
	atmo__free(img->ineff);
	atmo_image__pkgs_free(img->pkgs, img->n_pkgs);
	atmo_image__pkgs_free(img->removed, img->n_removed);
	atmo__free(img->pkg_names);
	atmo__free(img->tree);
	pthread_mutex_destroy(&img->tree_lock);
	atmo__arena_free(&img->strings);
	atmo__free(img);
}
