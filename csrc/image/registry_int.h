/* Internal to the image module: an OCI distribution (v2) client over libcurl. */
#ifndef ATMO_IMAGE_REGISTRY_H
#define ATMO_IMAGE_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include <archive.h>
#include "atmograph/image.h"

/* "docker://" */
#define ATMO_IMAGE__REG_PREFIX "docker://"

typedef struct atmo_image__reg atmo_image__reg;
typedef struct atmo_image__blob atmo_image__blob;

/* Parse docker://HOST[:PORT]/REPO[:TAG|@DIGEST], find how to speak to the registry
 * (HTTPS, or plain HTTP where allowed) and authenticate for pulling REPO. */
int atmo_image__reg_open(atmo_image__reg **out, const char *ref, const atmo_image_options *o,
			 atmo_error *err);
void atmo_image__reg_free(atmo_image__reg *r);
/* the reference as given (for messages), the tag or digest asked for */
const char *atmo_image__reg_name(const atmo_image__reg *r);
const char *atmo_image__reg_reference(const atmo_image__reg *r);

/* GET a manifest (by tag or digest) or a blob into memory (at most max bytes).
 * *media_type (manifests: Content-Type) and *digest (Docker-Content-Digest) may be
 * NULL; caller frees all three. A digest given as `ref` is verified. */
int atmo_image__reg_manifest(atmo_image__reg *r, const char *ref, size_t max, char **data,
			     size_t *len, char **media_type, atmo_error *err);
int atmo_image__reg_blob_get(atmo_image__reg *r, const char *digest, size_t max, char **data,
			     size_t *len, atmo_error *err);

/* A blob streamed: fetched as it is read (never stored whole), its SHA-256 and size
 * checked against digest and size (UINT64_MAX: unknown) when it ends. A broken
 * connection resumes where it stopped (Range), 429/5xx are retried with backoff. */
int atmo_image__blob_open(atmo_image__blob **out, atmo_image__reg *r, const char *digest,
			  uint64_t size, atmo_error *err);
/* libarchive read callback (client data: the blob) */
la_ssize_t atmo_image__blob_read(struct archive *a, void *blob, const void **buf);
/* read what libarchive left (end-of-archive padding), then verify size and digest;
 * *bytes: the blob's size */
int atmo_image__blob_finish(atmo_image__blob *b, uint64_t *bytes);
/* the error that stopped the stream (code 0: none) */
const atmo_error *atmo_image__blob_error(const atmo_image__blob *b);
void atmo_image__blob_free(atmo_image__blob *b);

#endif
