/*
 * Image module: an image in a registry (docker://...). The manifest (through an
 * index or manifest list when the tag names one, picked by platform) and the config
 * are fetched into memory and verified against their digests; the layers are set up
 * to be streamed by the layer readers (layer.c), so that every figure comes from the
 * same code as for files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "image/image_int.h"
#include "image/registry_int.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/json_nomem.h"

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_V1 "application/vnd.docker.distribution.manifest.v1"

static int parse_doc(json_t **out, const char *data, size_t len, const char *where, atmo_error *err)
{
	json_error_t je;
	int nomem;
	*out = atmo__json_loadb(data, len, JSON_REJECT_DUPLICATES, &je, &nomem);
	if (nomem)
		return atmo__error_nomem(err);
	if (!*out)
		return atmo__error_set(err, ATMO_EINVALID, where, je.line > 0 ? je.line : 0,
				       je.column > 0 ? je.column : 0, "not valid JSON: %s",
				       je.text);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return atmo__error_set(err, ATMO_EINVALID, where, 1, 1, "expected a JSON object");
	}
	return 0;
}

static int bad(atmo_error *err, const char *where, const char *field, const char *want)
{
	return atmo__error_set(err, ATMO_EINVALID, where, 0, 0, "%s must be %s", field, want);
}

static int is_digest(const char *d)
{
	size_t i;
	if (!d || strncmp(d, "sha256:", 7) || strlen(d) != 71)
		return 0;
	for (i = 7; i < 71; i++)
		if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
			return 0;
	return 1;
}

static void platform_of(char *buf, size_t n, const json_t *p)
{
	const char *os = json_string_value(json_object_get(p, "os"));
	const char *arch = json_string_value(json_object_get(p, "architecture"));
	const char *var = json_string_value(json_object_get(p, "variant"));
	snprintf(buf, n, "%s/%s%s%s", os ? os : "?", arch ? arch : "?", var ? "/" : "",
		 var ? var : "");
}

/* the image manifest an index names for the platform asked (or its only one) */
static int pick(const char **digest, const json_t *index, const char *where, const char *platform,
		atmo_error *err)
{
	const json_t *mans = json_object_get(index, "manifests"), *d;
	atmo_buf all = ATMO_BUF_INIT;
	size_t i, n = 0;
	int rc = 0;
	*digest = NULL;
	if (!json_is_array(mans))
		return bad(err, where, "\"manifests\"", "an array");
	json_array_foreach(mans, i, d) {
		const char *dg = json_string_value(json_object_get(d, "digest"));
		const json_t *ann = json_object_get(d, "annotations");
		const char *at =
			json_string_value(json_object_get(ann, "vnd.docker.reference.type"));
		const char *os =
			json_string_value(json_object_get(json_object_get(d, "platform"), "os"));
		char plat[200];
		if (!json_is_object(d) || !is_digest(dg))
			return bad(err, where, "\"manifests[].digest\"",
				   "a digest string (sha256:<64 hex digits>)");
		if ((at && !strcmp(at, "attestation-manifest")) || (os && !strcmp(os, "unknown")))
			continue;
		platform_of(plat, sizeof(plat), json_object_get(d, "platform"));
		atmo__buf_printf(&all, "%s%s %s", all.len ? "; " : "", plat, dg);
		if (platform && strncmp(plat, platform, strlen(platform)))
			continue;
		if (!*digest || strcmp(*digest, dg))
			n++;
		if (n == 1)
			*digest = dg;
	}
	if (n > 1)
		rc = atmo__error_set(err, ATMO_ENOTFOUND, where, 0, 0,
				     "%zu images; pick one with --platform: %s", n,
				     atmo__buf_cstr(&all));
	else if (!n)
		rc = atmo__error_set(err, ATMO_ENOTFOUND, where, 0, 0,
				     "no image%s%s in the index; it holds: %s",
				     platform ? " for --platform " : "", platform ? platform : "",
				     all.len ? atmo__buf_cstr(&all) : "nothing");
	if (rc < 0)
		*digest = NULL;
	atmo__buf_free(&all);
	return rc;
}

int atmo_image__open_registry(atmo_image *img, atmo_image__reg *reg, const atmo_image_options *o,
			      json_t **config, atmo_error *err)
{
	char *data = NULL, *mt = NULL, where[1200], hex[65];
	size_t len, i;
	json_t *man = NULL, *cfg, *layers, *d;
	const char *ref = atmo_image__reg_reference(reg), *cdigest, *kind;
	int rc, depth;

	*config = NULL;
	snprintf(where, sizeof(where), "%s", atmo_image__reg_name(reg));
	for (depth = 0;; depth++) {
		if ((rc = atmo_image__reg_manifest(reg, ref, ATMO_IMAGE_MAX_JSON, &data, &len, &mt,
						   err)) < 0)
			goto done;
		if ((rc = parse_doc(&man, data, len, where, err)) < 0)
			goto done;
		if ((rc = atmo__sha256_hex(data, len, hex, err)) < 0)
			goto done;
		kind = json_string_value(json_object_get(man, "mediaType"));
		if (!kind)
			kind = mt;
		if (json_integer_value(json_object_get(man, "schemaVersion")) == 1 ||
		    (kind && !strncmp(kind, MT_DOCKER_V1, strlen(MT_DOCKER_V1)))) {
			rc = atmo__error_set(err, ATMO_EUNSUPPORTED, where, 0, 0,
					     "docker schema 1 manifests are not read (deprecated; "
					     "push the image again with a current engine)");
			goto done;
		}
		if (!(kind && (!strcmp(kind, MT_OCI_INDEX) || !strcmp(kind, MT_DOCKER_LIST))) &&
		    !json_object_get(man, "manifests"))
			break;
		if (depth >= 4) {
			rc = bad(err, where, "index nesting", "at most 4 deep");
			goto done;
		}
		if ((rc = pick(&ref, man, where, o->platform, err)) < 0)
			goto done;
		/* ref points into man: keep it until the next manifest is fetched */
		{
			char *next = atmo__strdup(ref, NULL);
			json_decref(man);
			man = NULL;
			atmo__free(data);
			atmo__free(mt);
			data = mt = NULL;
			if (!next) {
				rc = atmo__error_nomem(err);
				goto done;
			}
			atmo__free(img->digest);
			img->digest = next;
			ref = img->digest;
			snprintf(where, sizeof(where), "%s@%s", atmo_image__reg_name(reg), ref);
		}
	}
	atmo__free(img->digest);
	img->digest = NULL;
	if (atmo__asprintf(&img->digest, "sha256:%s", hex) < 0) {
		img->digest = NULL;
		rc = atmo__error_nomem(err);
		goto done;
	}
	img->ref = atmo__strdup(atmo_image__reg_reference(reg), NULL);
	cfg = json_object_get(man, "config");
	layers = json_object_get(man, "layers");
	if (!json_is_object(cfg)) {
		rc = bad(err, where, "\"config\"", "an object");
		goto done;
	}
	if (!json_is_array(layers)) {
		rc = bad(err, where, "\"layers\"", "an array");
		goto done;
	}
	cdigest = json_string_value(json_object_get(cfg, "digest"));
	if (!is_digest(cdigest)) {
		rc = bad(err, where, "\"config.digest\"",
			 "a digest string (sha256:<64 hex digits>)");
		goto done;
	}
	if (json_array_size(layers) > ATMO_IMAGE_MAX_LAYERS) {
		rc = atmo__error_set(err, ATMO_ELIMIT, where, 0, 0, "more than %d layers",
				     ATMO_IMAGE_MAX_LAYERS);
		goto done;
	}
	img->config_digest = atmo__strdup(cdigest, NULL);
	img->layers = atmo__calloc(json_array_size(layers) + 1, sizeof(*img->layers), NULL);
	if (!img->layers || !img->config_digest || !img->ref) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	img->n_layers = json_array_size(layers);
	json_array_foreach(layers, i, d) {
		atmo_image__layer *l = &img->layers[i];
		const char *ld = json_string_value(json_object_get(d, "digest"));
		const char *lmt = json_string_value(json_object_get(d, "mediaType"));
		json_t *sz = json_object_get(d, "size");
		size_t k;
		l->history = -1;
		l->declared_size = UINT64_MAX;
		l->range.fd = -1;
		if (!json_is_object(d) || !is_digest(ld)) {
			rc = bad(err, where, "\"layers[].digest\"", "a digest string");
			goto done;
		}
		if (!json_is_integer(sz) || json_integer_value(sz) < 0) {
			rc = bad(err, where, "\"layers[].size\"", "a non-negative integer");
			goto done;
		}
		for (k = 0; k < i; k++)
			if (!strcmp(img->layers[k].digest, ld)) {
				rc = atmo__error_set(
					err, ATMO_EINVALID, where, 0, 0,
					"layer %s is listed twice (layers %zu and %zu)", ld, k, i);
				goto done;
			}
		l->digest = atmo__strdup(ld, NULL);
		l->member = atmo__strdup(ld, NULL);
		l->media_type = lmt ? atmo__strdup(lmt, NULL) : NULL;
		l->declared_size = (uint64_t)json_integer_value(sz);
		l->reg = reg;
		if (!l->digest || !l->member || (lmt && !l->media_type)) {
			rc = atmo__error_nomem(err);
			goto done;
		}
	}
	/* the config */
	atmo__free(data);
	data = NULL;
	if ((rc = atmo_image__reg_blob_get(reg, cdigest, ATMO_IMAGE_MAX_JSON, &data, &len, err)) <
	    0)
		goto done;
	snprintf(where, sizeof(where), "%s@%s", atmo_image__reg_name(reg), cdigest);
	if (json_is_integer(json_object_get(cfg, "size")) &&
	    (uint64_t)json_integer_value(json_object_get(cfg, "size")) != len) {
		rc = atmo__error_set(
			err, ATMO_EVERIFY, where, 0, 0,
			"size mismatch: the manifest says %lld bytes, the config has %zu",
			(long long)json_integer_value(json_object_get(cfg, "size")), len);
		goto done;
	}
	if ((rc = parse_doc(config, data, len, where, err)) < 0)
		goto done;
	rc = atmo_image__apply_config(img, *config, where, err);
done:
	atmo__free(data);
	atmo__free(mt);
	json_decref(man);
	return rc;
}
