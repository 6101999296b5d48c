/* Internal to the image module: blob sources, layers, small tables. */
#ifndef ATMO_IMAGE_IMAGE_INT_H
#define ATMO_IMAGE_IMAGE_INT_H

#include <pthread.h>
#include <stdint.h>
#include <stddef.h>
#include <archive.h>
#include <jansson.h>
#include "atmograph/image.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/map.h"

/* ---- where a blob lives: a byte range of an open file ---- */
typedef struct {
	int fd;
	uint64_t off;
	uint64_t len;
} atmo_image__range;

enum { IMG_SRC_DIR = 1, IMG_SRC_TAR = 2 };

typedef struct {
	char *name;
	uint64_t off;
	uint64_t len;
} atmo_image__member;

typedef struct {
	int kind;
	char *path; /* the directory or the tar file */
	int fd;     /* tar: the archive; dir: -1 */
	uint64_t file_size;
	atmo_image__member *members; /* tar: every regular member */
	size_t n_members, cap_members;
	atmo__map index; /* member name -> position */
	int dirfd;       /* dir: the directory, every file opened beneath it; tar: -1 */
	int *fds;        /* dir: blob files opened so far (closed at the end) */
	size_t n_fds, cap_fds;
} atmo_image__src;

/* open name (relative, '/'-separated) under the directory dirfd for reading:
 * never through a symbolic link nor outside it (beneath.c). -1 and errno
 * (ELOOP: a link, EXDEV: outside) on failure. */
int atmo_image__open_beneath(int dirfd, const char *name);
/* the same, by one openat(O_NOFOLLOW) per component (the fallback without openat2) */
int atmo_image__open_beneath_walk(int dirfd, const char *name);

/* An empty source (no descriptor open): what atmo_image__src_close() may take. */
void atmo_image__src_init(atmo_image__src *s);
int atmo_image__src_open(atmo_image__src *s, const char *path, atmo_error *err);
void atmo_image__src_close(atmo_image__src *s);
/* 1 when the name exists, 0 otherwise */
int atmo_image__src_has(atmo_image__src *s, const char *name);
/* find a member (tar) or a file under the directory; ATMO_ENOTFOUND when absent */
int atmo_image__src_find(atmo_image__src *s, const char *name, atmo_image__range *out,
			 atmo_error *err);
/* read a whole member, at most max bytes (ATMO_ELIMIT beyond) */
int atmo_image__src_read(atmo_image__src *s, const char *name, size_t max, char **data, size_t *len,
			 atmo_error *err);
int atmo_image__range_read(const atmo_image__range *r, size_t max, char **data, size_t *len,
			   const char *what, atmo_error *err);
/* SHA-256 of a range into hex[65] */
int atmo_image__range_sha256(const atmo_image__range *r, char hex[65], const char *what,
			     atmo_error *err);
/* 1 when a relative member name is safe (no "..", not absolute, not empty) */
int atmo_image__safe_name(const char *name);

/* ---- one entry of a layer ---- */
enum {
	IMG_E_FILE = 0,
	IMG_E_DIR,
	IMG_E_SYMLINK,
	IMG_E_HARDLINK,
	IMG_E_OTHER,
	IMG_E_WHITEOUT, /* path: what it hides */
	IMG_E_OPAQUE    /* path: the directory made opaque */
};

/* the public atmo_image_entry (image.h) is this struct, read through its getters */
typedef struct atmo_image_entry {
	const char *path; /* normalized: no leading "./" or "/", no trailing "/" */
	uint64_t size;
	uint64_t hash; /* atmo__map_hash of the path (computed by the reading thread) */
	uint32_t len;  /* strlen(path) */
	uint8_t type;
} atmo_image__entry;

typedef struct {
	const char *name; /* path inside the layer */
	char *data;       /* content (malloc'd), NULL for a whiteout of it */
	size_t len;
} atmo_image__dpkgfile;

/* the public atmo_image_layer (image.h) is this struct, read through its getters */
typedef struct atmo_image_layer {
	/* from the manifest */
	char *digest; /* "sha256:..." or NULL (legacy docker-archive) */
	char *diff_id;
	char *media_type;
	char *member;           /* name of the blob in the source */
	uint64_t declared_size; /* descriptor size, UINT64_MAX when none */
	atmo_image__range range;
	/* measured */
	const char *compression; /* "none", "gzip", "zstd" */
	uint64_t compressed_size;
	uint64_t size;     /* sum of regular file sizes */
	uint64_t tar_size; /* uncompressed tar bytes */
	uint64_t files;    /* entries, markers excluded */
	uint64_t whiteouts;
	uint64_t opaque_dirs;
	long history; /* index into history, -1 when none */
	atmo_image__entry *entries;
	size_t n_entries, cap_entries;
	atmo__arena strings;
	atmo_image__dpkgfile *dpkg;
	size_t n_dpkg, cap_dpkg;
	size_t *largest; /* indices of the largest files, n_largest of them */
	size_t n_largest;
	int verified;
	int rc;
	atmo_error err;
	struct atmo_image__reg *reg; /* a registry's layer: streamed from there (borrowed) */
} atmo_image__layer;

/* the public atmo_image_history (image.h) is this struct, read through its getters */
typedef struct atmo_image_history {
	char *created;
	char *created_by; /* as recorded */
	char *comment;
	int empty_layer;
	long layer; /* layer index or -1 */
} atmo_image__hist;

typedef struct {
	const char *path;
	uint64_t cumulative;
	uint64_t smallest;
	uint32_t count;
} atmo_image__eff;

typedef struct {
	char *name;
	char *version;
	char *arch;
	uint64_t installed_size; /* bytes (Installed-Size is KiB) */
	long layer;
} atmo_image__pkg;

typedef struct {
	const char *path;
	uint64_t size;
	uint8_t type;
} atmo_image__node;

struct atmo_image {
	char *source;
	const char
		*format; /* "oci-layout", "oci-archive", "docker-archive", "docker-archive-dir" */
	char *ref;
	char *digest;
	char *config_digest;
	char *os, *arch, *variant, *created;
	atmo_image__layer *layers;
	size_t n_layers;
	atmo_image__hist *hist;
	size_t n_hist;
	unsigned int opt_files;
	int verified;
	/* efficiency */
	double score;
	uint64_t wasted, wasted_corrected;
	atmo_image__eff *ineff; /* duplicated paths, sorted by cumulative size, descending */
	size_t n_ineff;
	/* packages */
	int have_packages;
	atmo_image__pkg *pkgs; /* installed at the end, sorted by name */
	size_t n_pkgs;
	atmo_image__pkg *removed;
	size_t n_removed;
	const char **pkg_names;
	/* the final filesystem: read it through atmo_image__tree() (sorted by path on the
	 * first use; `inspect` never needs the order) */
	atmo_image__node *tree;
	size_t n_tree;
	int tree_sorted;
	pthread_mutex_t tree_lock;
	atmo__arena strings;
};

/* ---- tarwalk.c: headers of an uncompressed tar, libarchive's view of them ---- */
typedef struct {
	const char *name;  /* as archive_entry_pathname gives it (NUL-terminated) */
	int filetype;      /* AE_IFREG, AE_IFDIR, ... (0 for a hard link) */
	int hardlink;      /* archive_entry_hardlink is set */
	uint64_t size;     /* archive_entry_size */
	uint64_t data_off; /* where the content starts, from the start of the range */
} atmo_image__tarent;

/* a callback's return value: 0 goes on, < 0 stops with that error,
 * ATMO_IMAGE__TAR_FALLBACK stops and asks the caller to use libarchive */
typedef int (*atmo_image__tar_cb)(void *ctx, const atmo_image__tarent *e);
#define ATMO_IMAGE__TAR_FALLBACK 1

/* Walk the tar stored in [off, off + len) of fd by its headers, calling cb for every
 * entry. 0 when the whole archive was walked (*tar_size: the bytes libarchive would
 * have consumed, end-of-archive blocks included), a callback's error, or
 * ATMO_IMAGE__TAR_FALLBACK when libarchive must read this archive (its own rules
 * for odd headers, its error messages for broken ones). */
int atmo_image__tar_walk(int fd, uint64_t off, uint64_t len, atmo_image__tar_cb cb, void *ctx,
			 uint64_t *tar_size);

/* ---- gzfast.c: gzip layers inflated by ISA-L (when built with it) ---- */
typedef struct atmo_image__gz atmo_image__gz;
/* an inflater for the gzip stream in [off, off + len) of fd: 0, ATMO_ENOMEM,
 * ATMO_EINVALID (its first member is not one to read this way), ATMO_EUNSUPPORTED
 * (built without ISA-L) */
int atmo_image__gz_new(atmo_image__gz **out, int fd, uint64_t off, uint64_t len);
/* libarchive read callback (client data: the atmo_image__gz): the tar inside; -1 as
 * soon as the stream is not clean gzip (the caller then uses libarchive's filter) */
la_ssize_t atmo_image__gz_read(struct archive *a, void *gz, const void **buf);
/* inflate the rest: 0 when the whole blob was complete gzip members, -1 otherwise */
int atmo_image__gz_finish(atmo_image__gz *gz);
void atmo_image__gz_free(atmo_image__gz *gz);

/* atmo_image__layer_read flags */
#define ATMO_IMAGE__READ_LIBARCHIVE 1 /* no header walker: libarchive reads every layer */

/* read one layer (the range is set); thread-safe per layer */
int atmo_image__layer_read(atmo_image__layer *l, int verify, int want_dpkg, unsigned int n_largest,
			   unsigned long max_files, void *counter /* _Atomic uint64_t*, shared */,
			   volatile int *stop, int flags);
void atmo_image__layer_free(atmo_image__layer *l);

/* the final filesystem sorted by path (n_tree nodes); sorts it on the first call,
 * thread-safe, borrowed from img */
const atmo_image__node *atmo_image__tree(const atmo_image *img);

/* open.c: the config's diff_ids, platform, history into img (layers allocated);
 * where: the config's name for errors */
int atmo_image__apply_config(atmo_image *img, json_t *config, const char *where, atmo_error *err);
/* open_registry.c: manifest (through an index), config and streamed layers of a
 * registry image */
int atmo_image__open_registry(atmo_image *img, struct atmo_image__reg *reg,
			      const atmo_image_options *o, json_t **config, atmo_error *err);

/* after every layer is read: efficiency, final tree, packages */
int atmo_image__analyze(atmo_image *img, atmo_error *err);

/* dpkg status text -> packages; appends to *out (caller frees entries' strings) */
int atmo_image__dpkg_parse(const char *text, size_t len, atmo_image__pkg **out, size_t *n,
			   size_t *cap);
/* "file", "dir", "symlink", ... */
const char *atmo_image__type_name(int t);
void atmo_image__pkgs_free(atmo_image__pkg *p, size_t n);

#endif
