/*
 * atmograph: reading built container images without unpacking them.
 *
 * atmo_image_open() reads an OCI image layout (directory), an oci-archive
 * (the layout in a tar) or a docker-archive (`docker save`: legacy
 * `<id>/layer.tar` entries or the newer `blobs/sha256/` layout). Layers may be
 * uncompressed, gzip or zstd. Layers are streamed (one libarchive handle per
 * layer, several layers in parallel); memory grows with the number of files,
 * never with layer bytes. The result gives per-layer sizes and counts, the
 * history, the efficiency of the layer stack as dive computes it, and the dpkg
 * packages found in the layers.
 *
 * atmo_image_to_json() gives the document "atmograph.image/1";
 * atmo_image_diff() compares two images ("atmograph.diff/1"). Attributing
 * image bytes to the stages of a Dockerfile is the sizes module's (sizes.h).
 */
#ifndef ATMOGRAPH_IMAGE_H
#define ATMOGRAPH_IMAGE_H

#include <stdint.h>
#include <jansson.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct atmo_image atmo_image;
struct atmo_graph;

/** Safety limit: entries (files, dirs, links, whiteouts) over all layers of one image. */
#define ATMO_IMAGE_MAX_FILES 1000000
/** Safety limit: bytes of a JSON document (manifest, index, config) read into memory. */
#define ATMO_IMAGE_MAX_JSON (16u * 1024u * 1024u)
/** Safety limit: bytes of one dpkg status file read into memory. */
#define ATMO_IMAGE_MAX_DPKG (64u * 1024u * 1024u)
/** Safety limit: layers of one image. */
#define ATMO_IMAGE_MAX_LAYERS 4096
/** Longest member name in a layer, in bytes, whatever its form (ustar, pax "path",
 *  GNU long name); longer, or a pax header the tar reader drops (over 1 MiB,
 *  malformed), is ATMO_ELIMIT / ATMO_EINVALID naming the layer and the entry. */
#define ATMO_IMAGE_MAX_NAME 4096

/** Options of atmo_image_open(). Start from ATMO_IMAGE_OPTIONS_INIT. */
typedef struct atmo_image_options {
	unsigned int version; /**< ATMO_IMAGE_OPTIONS_VERSION */
	const char *ref;      /**< pick the image by reference: a RepoTag, an
	                             org.opencontainers.image.ref.name (full or the part
	                             after the last ':'), or a manifest digest (prefix);
	                             NULL: the only image */
	const char *
		platform; /**< "os/arch[/variant]" to pick from a multi-platform index; NULL: any */
	int verify;       /**< 1: check SHA-256 digests and sizes of every blob */
	unsigned int files;      /**< the N largest files listed per layer (0: none) */
	int packages;            /**< 1: read the dpkg database from the layers */
	unsigned long max_files; /**< entry limit; 0: ATMO_IMAGE_MAX_FILES */
	unsigned int threads;    /**< layers read in parallel; 0: the cores online (files) or
	                             8 (registries) */
	/* version 2: registries (docker://HOST[:PORT]/REPO[:TAG|@DIGEST]) */
	const char *auth_file;           /**< credentials ({"auths": {"HOST[:PORT]": {"auth": base64
	                             "user:password"}}}: containers-auth.json and
	                             ~/.docker/config.json alike; credential helpers are not
	                             run); NULL: none. The library reads no environment
	                             variable: the faces resolve $REGISTRY_AUTH_FILE,
	                             $XDG_RUNTIME_DIR/containers/auth.json, ~/.docker/config.json */
	const char *insecure_registries; /**< comma-separated HOST[:PORT] list spoken to over
	                             plain HTTP or TLS without verification; localhost and
	                             127.0.0.1 may use plain HTTP anyway (TLS stays verified) */
	const char *ca_file; /**< PEM bundle of the CAs trusted for registries; NULL: the
	                             system's */
} atmo_image_options;

#define ATMO_IMAGE_OPTIONS_VERSION 2
#define ATMO_IMAGE_OPTIONS_INIT                                                                    \
	{                                                                                          \
		ATMO_IMAGE_OPTIONS_VERSION, NULL, NULL, 0, 10, 0, 0, 0, NULL, NULL, NULL           \
	}

/**
 * Read an image.
 * @param[out] out  the image; free with atmo_image_free()
 * @param path      a directory (OCI layout, or an unpacked docker-archive), a tar file,
 *                  or an image in a registry: docker://HOST[:PORT]/REPO[:TAG|@DIGEST]
 *                  (OCI distribution spec v2: index/manifest list with opts.platform,
 *                  docker v2 and OCI manifests, bearer-token and basic auth; layers
 *                  streamed, never written to disk, their digests and sizes verified
 *                  while streaming; opts.ref does not apply)
 * @param opts      NULL for defaults
 * @return 0; ATMO_ENOTFOUND (no such file, missing blob, no image matches --ref;
 *         the message lists the images), ATMO_EINVALID (bad JSON, wrong types, broken
 *         or truncated archive, unsafe member names, a layer listed twice),
 *         ATMO_EVERIFY (digest or size mismatch), ATMO_ELIMIT (too many entries),
 *         ATMO_EUNSUPPORTED, ATMO_EIO or ATMO_ENOMEM
 */
ATMO_EXTERN int atmo_image_open(atmo_image **out, const char *path, const atmo_image_options *opts,
				atmo_error *err);

/** Free an image. NULL-safe. */
ATMO_EXTERN void atmo_image_free(atmo_image *img);

/**
 * The image document, schema "atmograph.image/1":
 * {schema, source, format, ref, digest, config_digest, platform, created,
 *  size {bytes, compressed, tar_bytes, layers, files},
 *  layers [{index, digest, diff_id, media_type, compression, compressed_size, size,
 *           tar_size, files, whiteouts, opaque_dirs, history, created_by, comment,
 *           largest [{path, size}]}],
 *  history [{index, created, created_by, comment, empty_layer, layer, size}],
 *  efficiency {score, wasted_bytes, wasted_bytes_corrected, inefficient [{path, count,
 *              cumulative, smallest}]},
 *  packages null | {format: "dpkg", count, installed_size, installed [{name, version,
 *              architecture, installed_size, layer}], removed [{name, version, layer}]},
 *  verified}
 * @param[out] out  a new reference, caller decrefs
 */
ATMO_EXTERN int atmo_image_to_json(json_t **out, const atmo_image *img, atmo_error *err);

/** Summary figures (borrowed view). */
typedef struct atmo_image_totals {
	uint64_t bytes;      /**< sum of the file sizes of every layer */
	uint64_t compressed; /**< sum of the layer blob sizes */
	uint64_t tar_bytes;  /**< sum of the uncompressed layer tar streams */
	size_t layers;
	uint64_t files; /**< entries over all layers */
	size_t history; /**< history entries (empty layers included) */
} atmo_image_totals;

/** The totals of an image. */
ATMO_EXTERN void atmo_image_get_totals(const atmo_image *img, atmo_image_totals *out);

/**
 * Names of the dpkg packages installed in the image (borrowed, sorted), NULL
 * when the image was opened without opts.packages (non-NULL, possibly empty,
 * when it was: the test for whether packages were read).
 * @param[out] n  their number
 */
ATMO_EXTERN const char *const *atmo_image_packages(const atmo_image *img, size_t *n);

/*
 * Read-only views of an opened image: its history, its layers and their entries,
 * and its final filesystem. Every pointer is borrowed from the image and valid
 * until atmo_image_free(); nothing here allocates, and every getter is NULL-safe
 * (a NULL or out-of-range argument gives NULL, 0 or -1 as each one says).
 * Concurrent readers of one image are safe.
 */

/** The path or reference atmo_image_open() was given (borrowed); NULL for NULL. */
ATMO_EXTERN const char *atmo_image_source(const atmo_image *img);
/** The image's names (borrowed): its ref names or RepoTags, ", "-joined, or the registry
 *  reference; NULL when it has none (the "ref" of the image document). */
ATMO_EXTERN const char *atmo_image_ref(const atmo_image *img);
/** The manifest digest, "sha256:..." (borrowed), NULL when none (legacy docker-archive). */
ATMO_EXTERN const char *atmo_image_digest(const atmo_image *img);

/** One entry of the image config's history (opaque; atmo_image_history_at()). */
typedef struct atmo_image_history atmo_image_history;

/** Number of history entries, empty layers included. */
ATMO_EXTERN size_t atmo_image_history_count(const atmo_image *img);
/** History entry i, oldest first (borrowed from img), NULL when out of range. */
ATMO_EXTERN const atmo_image_history *atmo_image_history_at(const atmo_image *img, size_t i);
/** The entry's `created_by` as recorded (borrowed), NULL when it has none. */
ATMO_EXTERN const char *atmo_image_history_created_by(const atmo_image_history *h);
/** Index of the layer the entry made (atmo_image_layer_at()), -1 when it made none. */
ATMO_EXTERN long atmo_image_history_layer(const atmo_image_history *h);

/** One layer of an image (opaque; atmo_image_layer_at()). */
typedef struct atmo_image_layer atmo_image_layer;

/** Number of layers. */
ATMO_EXTERN size_t atmo_image_layer_count(const atmo_image *img);
/** Layer i, bottom layer first (borrowed from img), NULL when out of range. */
ATMO_EXTERN const atmo_image_layer *atmo_image_layer_at(const atmo_image *img, size_t i);
/** Sum of the sizes of the layer's regular files (as atmo_image_totals.bytes). */
ATMO_EXTERN uint64_t atmo_image_layer_size(const atmo_image_layer *l);
/** Size of the layer's blob as stored (compressed or not). */
ATMO_EXTERN uint64_t atmo_image_layer_compressed_size(const atmo_image_layer *l);
/** Index of the layer's history entry (atmo_image_history_at()), -1 when none. */
ATMO_EXTERN long atmo_image_layer_history(const atmo_image_layer *l);

/** What a layer entry or a node of the final filesystem is. */
typedef enum atmo_image_entry_kind {
	ATMO_IMAGE_ENTRY_FILE = 0, /**< a regular file */
	ATMO_IMAGE_ENTRY_DIR,
	ATMO_IMAGE_ENTRY_SYMLINK,
	ATMO_IMAGE_ENTRY_HARDLINK,
	ATMO_IMAGE_ENTRY_OTHER,    /**< device, fifo, ... */
	ATMO_IMAGE_ENTRY_WHITEOUT, /**< layers only: the path is what it hides */
	ATMO_IMAGE_ENTRY_OPAQUE    /**< layers only: the path is the directory made opaque */
} atmo_image_entry_kind;

/** One entry of a layer's tar (opaque; atmo_image_layer_entry_at()). */
typedef struct atmo_image_entry atmo_image_entry;

/** Number of entries of a layer, whiteout and opaque markers included. */
ATMO_EXTERN size_t atmo_image_layer_entry_count(const atmo_image_layer *l);
/** Entry i of a layer in the tar's order (borrowed from the image), NULL when out of range. */
ATMO_EXTERN const atmo_image_entry *atmo_image_layer_entry_at(const atmo_image_layer *l, size_t i);
/** The entry's path (borrowed): no leading "./" or "/", no trailing "/"; NULL for NULL. */
ATMO_EXTERN const char *atmo_image_entry_path(const atmo_image_entry *e);
/** The entry's size in bytes (0 unless a regular file). */
ATMO_EXTERN uint64_t atmo_image_entry_size(const atmo_image_entry *e);
/** What the entry is; ATMO_IMAGE_ENTRY_OTHER for NULL. */
ATMO_EXTERN atmo_image_entry_kind atmo_image_entry_type(const atmo_image_entry *e);

/**
 * Look a path up in the image's final filesystem (every layer applied, whiteouts
 * included).
 * @param[out] type  what the node is (never a whiteout or opaque marker); may be NULL
 * @param[out] size  its size in bytes; may be NULL
 * @param path       normalized as atmo_image_entry_path() gives paths
 * @return 0, ATMO_ENOTFOUND (no such node) or ATMO_EINVALID (img or path NULL)
 */
ATMO_EXTERN int atmo_image_tree_find(atmo_image_entry_kind *type, uint64_t *size,
				     const atmo_image *img, const char *path);

/** The shell prefixes trimmed from a history `created_by` (borrowed pointer into s). */
ATMO_EXTERN const char *atmo_image_trim_created_by(const char *s);

/**
 * An image reduced to its layer list and package names: what kept-out and
 * own-bytes figures are computed from (atmo_sizes_kept_out(), atmo_sizes_own_bytes() in
 * sizes.h), the same for atmo_sizes_compute() and the build report. Borrowed pointers.
 */
typedef struct atmo_layer_set {
	const char *const *diff_ids; /**< the layers' diff_ids, bottom layer first (a NULL entry
	                                   matches no other layer and is not counted as kept out) */
	const uint64_t
		*bytes; /**< per layer: the bytes of its files (as atmo_image_totals.bytes) */
	size_t n_layers;
	const char *const *packages; /**< dpkg package names, any order; NULL when not read */
	size_t n_packages;
} atmo_layer_set;

/**
 * Fill a layer set from an image (pointers borrowed from img; free the arrays
 * with atmo_layer_set_free()). Packages are those of atmo_image_packages().
 */
ATMO_EXTERN int atmo_image_layer_set(atmo_layer_set *out, const atmo_image *img, atmo_error *err);
/** Free what atmo_image_layer_set() allocated (not the strings). NULL-safe. */
ATMO_EXTERN void atmo_layer_set_free(atmo_layer_set *set);

/**
 * Compare two images: totals, layers shared, files added/removed/changed in the
 * final filesystem, and packages added/removed/changed (when both were opened
 * with opts.packages). Document schema "atmograph.diff/1":
 * {schema, a {source, ref, digest, size {bytes, compressed, layers, files}, packages},
 *  b {...}, delta {bytes, compressed, layers} (b - a),
 *  layers {shared (common prefix by diff_id), only_a [ids], only_b [ids]},
 *  files {added_count, removed_count, changed_count, added_bytes, removed_bytes,
 *         changed_bytes, added [{path, type, size}], removed [...],
 *         changed [{path, type_a, type_b, size_a, size_b}]},
 *  packages null | {added [{name, version}], removed [...], changed [{name, version_a,
 *         version_b}]}}
 * @param max_files  cap on each list of files (0: no cap)
 * @param[out] out   a new reference, caller decrefs
 */
ATMO_EXTERN int atmo_image_diff(json_t **out, const atmo_image *a, const atmo_image *b,
				size_t max_files, atmo_error *err);

/* The size functions (atmo_sizes_compute(), atmo_sizes_kept_out(), ...) and their
 * former atmo_image_ names are declared in sizes.h, included here so that code
 * including image.h alone keeps compiling. */
#include "sizes.h"

#ifdef __cplusplus
}
#endif
#endif
