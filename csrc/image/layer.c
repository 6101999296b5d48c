/*
 * Image module: reading one layer. The layer blob is a byte range of a file
 * (a blob of an OCI layout, or a member of an outer tar); a libarchive handle
 * reads it through callbacks that pread from that range, with skip and seek
 * callbacks so that the data of an uncompressed layer is skipped, not read.
 * Compressed layers are decompressed by libarchive's gzip and zstd filters.
 *
 * Two faster readers come first and give way to that one whenever they meet
 * anything unusual, before anything they read is kept (so error messages and odd
 * cases stay libarchive's): an uncompressed layer that libarchive recognizes is
 * walked by its headers (tarwalk.c), several times faster; a gzip layer is inflated
 * by ISA-L (gzfast.c, when built with it), about 2.5 times faster than zlib, and
 * kept only when the whole blob is clean gzip. All of them feed take_entry().
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include "image/image_int.h"
#include "image/registry_int.h"
#include "util/alloc.h"
#include "util/grow.h"
#include "util/hash.h"

typedef struct {
	int fd;
	uint64_t off, len, pos;
	char *buf;
	size_t bufsz;
} layer_io;

static la_ssize_t io_read(struct archive *a, void *cd, const void **out)
{
	layer_io *io = cd;
	size_t want;
	ssize_t n;
	(void)a;
	if (io->pos >= io->len)
		return 0;
	want = io->len - io->pos < io->bufsz ? (size_t)(io->len - io->pos) : io->bufsz;
	do
		n = pread(io->fd, io->buf, want, (off_t)(io->off + io->pos));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read error");
		return -1;
	}
	if (n == 0) {
		/* the blob ends before its recorded size: the file shrank since it was opened */
		archive_set_error(a, EIO,
				  "unexpected end of file (%llu of %llu bytes; the file "
				  "shrank?)",
				  (unsigned long long)io->pos, (unsigned long long)io->len);
		return -1;
	}
	io->pos += (uint64_t)n;
	*out = io->buf;
	return n;
}

static la_int64_t io_skip(struct archive *a, void *cd, la_int64_t req)
{
	layer_io *io = cd;
	uint64_t left = io->len - io->pos;
	uint64_t adv = (uint64_t)req < left ? (uint64_t)req : left;
	(void)a;
	io->pos += adv;
	return (la_int64_t)adv;
}

static la_int64_t io_seek(struct archive *a, void *cd, la_int64_t off, int whence)
{
	layer_io *io = cd;
	int64_t base = whence == SEEK_SET   ? 0
		       : whence == SEEK_CUR ? (int64_t)io->pos
					    : (int64_t)io->len;
	(void)a;
	if (base + off < 0 || (uint64_t)(base + off) > io->len)
		return ARCHIVE_FATAL;
	io->pos = (uint64_t)(base + off);
	return (la_int64_t)io->pos;
}

static const char *magic_compression(const atmo_image__range *r)
{
	unsigned char m[4] = { 0, 0, 0, 0 };
	ssize_t n = r->len >= 4 ? pread(r->fd, m, 4, (off_t)r->off) : 0;
	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return "gzip";
	if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
		return "zstd";
	return "none";
}

static const char *declared_compression(const char *mt)
{
	size_t n;
	if (!mt)
		return NULL;
	/* docker's schema 2 has this one type for every layer, and pushes of uncompressed
	 * layers (docker save, skopeo --preserve-digests) keep it: as docker and
	 * containers/image do, the content says whether it is compressed */
	if (strcmp(mt, "application/vnd.docker.image.rootfs.diff.tar.gzip") == 0)
		return NULL;
	n = strlen(mt);
	if ((n > 5 && strcmp(mt + n - 5, "+gzip") == 0) || strstr(mt, "tar.gzip"))
		return "gzip";
	if (n > 5 && strcmp(mt + n - 5, "+zstd") == 0)
		return "zstd";
	if (n > 4 && strcmp(mt + n - 4, ".tar") == 0)
		return "none";
	return NULL;
}

static int add_entry(atmo_image__layer *l, const char *path, size_t plen, uint64_t size, int type)
{
	atmo_image__entry *e;
	if (ATMO__GROW(l->entries, l->cap_entries, l->n_entries + 1, NULL) < 0)
		return ATMO_ENOMEM;
	e = &l->entries[l->n_entries];
	e->path = atmo__arena_strndup(&l->strings, path, plen);
	if (!e->path)
		return ATMO_ENOMEM;
	e->size = size;
	e->hash = atmo__map_hash(path, plen);
	e->len = (uint32_t)plen;
	e->type = (uint8_t)type;
	l->n_entries++;
	return 0;
}

static int is_dpkg_path(const char *p)
{
	static const char st[] = "var/lib/dpkg/status";
	if (strncmp(p, st, sizeof(st) - 1) != 0)
		return 0;
	if (p[sizeof(st) - 1] == '\0')
		return 1;
	if (strncmp(p + sizeof(st) - 1, ".d/", 3) != 0 || !p[sizeof(st) + 2] ||
	    strchr(p + sizeof(st) + 2, '/'))
		return 0;
	/* distroless keeps "<pkg>.md5sums" beside "<pkg>": no package fields there */
	{
		size_t n = strlen(p);
		return !(n > 8 && strcmp(p + n - 8, ".md5sums") == 0);
	}
}

static int add_dpkg(atmo_image__layer *l, const char *path, char *data, size_t len)
{
	atmo_image__dpkgfile *d;
	if (ATMO__GROW(l->dpkg, l->cap_dpkg, l->n_dpkg + 1, NULL) < 0)
		return ATMO_ENOMEM;
	d = &l->dpkg[l->n_dpkg];
	d->name = atmo__arena_strndup(&l->strings, path, strlen(path));
	if (!d->name)
		return ATMO_ENOMEM;
	d->data = data;
	d->len = len;
	l->n_dpkg++;
	return 0;
}

static int cmp_largest(const void *pa, const void *pb, void *ctx)
{
	const atmo_image__layer *l = ctx;
	const atmo_image__entry *a = &l->entries[*(const size_t *)pa];
	const atmo_image__entry *b = &l->entries[*(const size_t *)pb];
	if (a->size != b->size)
		return a->size < b->size ? 1 : -1;
	return strcmp(a->path, b->path);
}

static int pick_largest(atmo_image__layer *l, unsigned int n)
{
	size_t i, k, have = 0;
	size_t *idx;
	if (!n)
		return 0;
	if (n > 64) {
		/* many: sort every candidate */
		idx = atmo__malloc((l->n_entries + 1) * sizeof(*idx), NULL);
		if (!idx)
			return ATMO_ENOMEM;
		for (i = 0; i < l->n_entries; i++)
			if (l->entries[i].type == IMG_E_FILE ||
			    l->entries[i].type == IMG_E_HARDLINK)
				idx[have++] = i;
		if (have)
			qsort_r(idx, have, sizeof(*idx), cmp_largest, l);
		l->largest = idx;
		l->n_largest = have < n ? have : n;
		return 0;
	}
	idx = atmo__malloc((size_t)n * sizeof(*idx), NULL);
	if (!idx)
		return ATMO_ENOMEM;
	/* keep the n largest in order: insertion into a sorted array of at most n */
	for (i = 0; i < l->n_entries; i++) {
		const atmo_image__entry *e = &l->entries[i];
		if (e->type != IMG_E_FILE && e->type != IMG_E_HARDLINK)
			continue;
		if (have == n && cmp_largest(&i, &idx[have - 1], l) >= 0)
			continue;
		k = have < n ? have++ : have - 1;
		while (k > 0 && cmp_largest(&i, &idx[k - 1], l) < 0) {
			idx[k] = idx[k - 1];
			k--;
		}
		idx[k] = i;
	}
	l->largest = idx;
	l->n_largest = have;
	return 0;
}

/* SHA-256 of the decompressed stream (the diff_id of a compressed layer) */
static int uncompressed_sha256(layer_io *io, char hex[65], atmo_error *err, const char *where)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	atmo_sha256 *h = NULL;
	const void *buf;
	size_t len;
	la_int64_t off;
	int rc = 0, r;
	if (!a || atmo__sha256_new(&h, err) < 0) {
		archive_read_free(a);
		return atmo__error_nomem(err);
	}
	io->pos = 0;
	archive_read_support_format_raw(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_set_read_callback(a, io_read);
	archive_read_set_callback_data(a, io);
	if (archive_read_open1(a) != ARCHIVE_OK || archive_read_next_header(a, &e) != ARCHIVE_OK) {
		rc = atmo__error_set(err, ATMO_EINVALID, where, 0, 0,
				     "cannot decompress the layer: %s",
				     archive_error_string(a) ? archive_error_string(a) : "unknown");
		goto done;
	}
	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
		atmo__sha256_update(h, buf, len);
	if (r != ARCHIVE_EOF) {
		rc = atmo__error_set(err, ATMO_EINVALID, where, 0, 0,
				     "cannot decompress the layer: %s",
				     archive_error_string(a) ? archive_error_string(a) : "unknown");
		goto done;
	}
	atmo__sha256_final_hex(h, hex);
done:
	atmo__sha256_free(h);
	archive_read_free(a);
	return rc;
}

#define LERR(code, ...) atmo__error_set(&l->err, (code), where, 0, 0, __VA_ARGS__)

/*
 * One entry as libarchive reports it (name, type, hard link, size), read by either
 * reader: the checks, whiteouts, the entry table. 0, < 0 an error (set in l->err), or
 * 1 when the caller must read the entry's content (size bytes, a dpkg file) and hand
 * it to add_dpkg.
 */
static int take_entry(atmo_image__layer *l, const char *where, const char *name, int filetype,
		      int hardlink, int64_t esize, int want_dpkg)
{
	const char *base;
	size_t len;
	int type;
	uint64_t size = 0;

	while (name[0] == '.' && name[1] == '/')
		name += 2;
	len = strlen(name);
	while (len && name[len - 1] == '/')
		len--;
	if (len == 0 || (len == 1 && name[0] == '.'))
		return 0; /* the root directory */
	if (name[0] == '/')
		return LERR(ATMO_EINVALID, "absolute member name '%s'", name);
	if (!atmo_image__safe_name(name))
		return LERR(ATMO_EINVALID, "member name with '..': '%s'", name);
	if (len > ATMO_IMAGE_MAX_NAME)
		return LERR(ATMO_ELIMIT,
			    "member name of %zu bytes, longer than %d (starts '%.60s')", len,
			    ATMO_IMAGE_MAX_NAME, name);
	base = memrchr(name, '/', len);
	base = base ? base + 1 : name;
	if (strncmp(base, ".wh.", 4) == 0) {
		size_t dlen = (size_t)(base - name);
		if (strncmp(base, ".wh..wh..opq", (size_t)(name + len - base)) == 0 &&
		    (size_t)(name + len - base) == 12) {
			if (add_entry(l, name, dlen ? dlen - 1 : 0, 0, IMG_E_OPAQUE) < 0)
				return LERR(ATMO_ENOMEM, "out of memory");
			l->opaque_dirs++;
		} else if (strncmp(base, ".wh..wh.", 8) == 0) {
			return 0; /* other AUFS metadata (.wh..wh.plnk ...) */
		} else {
			char buf[4200];
			memcpy(buf, name, dlen);
			memcpy(buf + dlen, base + 4, (size_t)(name + len - base) - 4);
			if (add_entry(l, buf, dlen + (size_t)(name + len - base) - 4, 0,
				      IMG_E_WHITEOUT) < 0)
				return LERR(ATMO_ENOMEM, "out of memory");
			l->whiteouts++;
		}
		return 0;
	}
	if (hardlink) {
		type = IMG_E_HARDLINK;
	} else {
		switch (filetype) {
		case AE_IFREG:
			type = IMG_E_FILE;
			break;
		case AE_IFDIR:
			type = IMG_E_DIR;
			break;
		case AE_IFLNK:
			type = IMG_E_SYMLINK;
			break;
		default:
			type = IMG_E_OTHER;
			break;
		}
	}
	if (type == IMG_E_FILE || type == IMG_E_HARDLINK) {
		if (esize < 0)
			return LERR(ATMO_EINVALID, "'%s' has a negative size", name);
		size = (uint64_t)esize;
		if (size > (UINT64_C(1) << 50))
			return LERR(ATMO_EINVALID, "'%s' claims an absurd size of %llu bytes", name,
				    (unsigned long long)size);
	}
	if (add_entry(l, name, len, size, type) < 0)
		return LERR(ATMO_ENOMEM, "out of memory");
	l->files++;
	l->size += size;
	if (want_dpkg && type == IMG_E_FILE && is_dpkg_path(l->entries[l->n_entries - 1].path)) {
		if (size > ATMO_IMAGE_MAX_DPKG)
			return LERR(ATMO_ELIMIT, "'%s' is larger than %u bytes", name,
				    ATMO_IMAGE_MAX_DPKG);
		return 1;
	}
	return 0;
}

/* ---- the header walker's side: uncompressed layers ---- */
#define COUNT_BATCH 256

typedef struct {
	atmo_image__layer *l;
	const char *where;
	int want_dpkg;
	unsigned long max_files;
	_Atomic uint64_t *total;
	uint64_t seen;    /* the shared count as of the last flush, ours included */
	uint64_t pending; /* entries not yet added to it */
	uint64_t added;   /* entries added to it */
	volatile int *stop;
} walk_ctx;

static void walk_flush(walk_ctx *c)
{
	if (c->pending) {
		c->seen = atomic_fetch_add(c->total, c->pending) + c->pending;
		c->added += c->pending;
		c->pending = 0;
	}
}

static int walk_entry(void *ctx, const atmo_image__tarent *t)
{
	walk_ctx *c = ctx;
	atmo_image__layer *l = c->l;
	const char *where = c->where;
	char *data;
	size_t have = 0;
	int r;

	if (*c->stop)
		return ATMO_ECANCELLED;
	/* the shared count moves in batches; with one thread the limit trips at the same
	 * entry as one increment per entry would */
	c->pending++;
	if (c->seen + c->pending > c->max_files || c->pending == COUNT_BATCH)
		walk_flush(c);
	if (c->seen > c->max_files)
		return LERR(ATMO_ELIMIT,
			    "more than %lu entries in the layers of this image (the limit "
			    "ATMO_IMAGE_MAX_FILES; a tar bomb?)",
			    c->max_files);
	r = take_entry(l, where, t->name, t->filetype, t->hardlink, (int64_t)t->size, c->want_dpkg);
	if (r <= 0)
		return r;
	data = atmo__malloc((size_t)t->size + 1, NULL);
	if (!data)
		return LERR(ATMO_ENOMEM, "out of memory");
	while (have < t->size) {
		ssize_t n = pread(l->range.fd, data + have, (size_t)t->size - have,
				  (off_t)(l->range.off + t->data_off + have));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			atmo__free(data);
			return ATMO_IMAGE__TAR_FALLBACK; /* libarchive reports the read error */
		}
		have += (size_t)n;
	}
	data[have] = '\0';
	if (add_dpkg(l, l->entries[l->n_entries - 1].path, data, have) < 0) {
		atmo__free(data);
		return LERR(ATMO_ENOMEM, "out of memory");
	}
	return 0;
}

/* the entries of an opened archive, as libarchive reads them; *counted (when not
 * NULL): how many were added to the shared count */
static int archive_entries(atmo_image__layer *l, struct archive *a, const char *where,
			   int want_dpkg, unsigned long max_files, _Atomic uint64_t *total,
			   volatile int *stop, uint64_t *counted)
{
	struct archive_entry *e;
	char *dpkg_data = NULL;
	int rc = 0, r;

	for (;;) {
		const char *name;

		if (*stop) {
			rc = ATMO_ECANCELLED;
			goto done;
		}
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN && archive_error_string(a) &&
		    !strncmp(archive_error_string(a), "Special header too large", 24)) {
			rc = LERR(ATMO_ELIMIT,
				  "entry %llu: its pax or GNU long-name header is over "
				  "1 MiB (%s); member names are limited to %d bytes",
				  (unsigned long long)l->n_entries + 1, archive_error_string(a),
				  ATMO_IMAGE_MAX_NAME);
			goto done;
		}
		if (r < ARCHIVE_WARN) {
			rc = LERR(ATMO_EINVALID, "broken or truncated layer after %llu entries: %s",
				  (unsigned long long)l->n_entries,
				  archive_error_string(a) ? archive_error_string(a) : "read error");
			goto done;
		}
		/* libarchive warns and goes on with the short ustar name when it drops an
		 * oversized pax attribute ("Rejecting pax extended attribute > 1MB",
		 * "Ignoring oversized pax extensions"): the member's real name is unknown,
		 * so it is an error, as a name over ATMO_IMAGE_MAX_NAME is in any form.
		 * (Malformed records it skips stay its business, as before.) */
		if (r == ARCHIVE_WARN && archive_error_string(a) &&
		    (!strncmp(archive_error_string(a), "Ignoring oversized", 18) ||
		     !strncmp(archive_error_string(a), "Rejecting pax", 13))) {
			rc = LERR(ATMO_ELIMIT,
				  "entry %llu: its pax header is dropped by the tar "
				  "reader (%s); member names are limited to %d bytes",
				  (unsigned long long)l->n_entries + 1, archive_error_string(a),
				  ATMO_IMAGE_MAX_NAME);
			goto done;
		}
		if (counted)
			(*counted)++;
		if (atomic_fetch_add(total, 1) + 1 > max_files) {
			rc = LERR(ATMO_ELIMIT,
				  "more than %lu entries in the layers of this image (the limit "
				  "ATMO_IMAGE_MAX_FILES; a tar bomb?)",
				  max_files);
			goto done;
		}
		name = archive_entry_pathname(e);
		if (!name) {
			rc = LERR(ATMO_EINVALID, "entry %llu has no readable name",
				  (unsigned long long)l->n_entries + 1);
			goto done;
		}
		r = take_entry(l, where, name, (int)archive_entry_filetype(e),
			       archive_entry_hardlink(e) != NULL, archive_entry_size(e), want_dpkg);
		if (r < 0) {
			rc = r;
			goto done;
		}
		if (r == 1) {
			uint64_t size = (uint64_t)archive_entry_size(e);
			la_ssize_t got;
			size_t have = 0;
			dpkg_data = atmo__malloc((size_t)size + 1, NULL);
			if (!dpkg_data)
				goto nomem;
			while (have < size && (got = archive_read_data(a, dpkg_data + have,
								       (size_t)size - have)) > 0)
				have += (size_t)got;
			if (have != size) {
				rc = LERR(ATMO_EINVALID, "cannot read '%s': %s", name,
					  archive_error_string(a) ? archive_error_string(a)
								  : "short read");
				goto done;
			}
			dpkg_data[have] = '\0';
			if (add_dpkg(l, l->entries[l->n_entries - 1].path, dpkg_data, have) < 0)
				goto nomem;
			dpkg_data = NULL;
		}
	}
	goto done;
nomem:
	rc = LERR(ATMO_ENOMEM, "out of memory");
done:
	atmo__free(dpkg_data);
	return rc;
}

/* ---- gzip layers inflated by ISA-L: only a fully clean stream is kept ---- */
static int gzip_fast(atmo_image__layer *l, const char *where, int want_dpkg,
		     unsigned long max_files, _Atomic uint64_t *total, volatile int *stop)
{
	atmo_image__gz *gz = NULL;
	struct archive *a = NULL;
	uint64_t counted = 0;
	int rc;

	rc = atmo_image__gz_new(&gz, l->range.fd, l->range.off, l->range.len);
	if (rc == ATMO_ENOMEM)
		return LERR(ATMO_ENOMEM, "out of memory");
	if (rc < 0)
		return ATMO_IMAGE__TAR_FALLBACK;
	a = archive_read_new();
	if (!a) {
		atmo_image__gz_free(gz);
		return LERR(ATMO_ENOMEM, "out of memory");
	}
	archive_read_support_format_tar(a);
	archive_read_support_format_empty(a);
	archive_read_set_read_callback(a, atmo_image__gz_read);
	archive_read_set_callback_data(a, gz);
	rc = ATMO_IMAGE__TAR_FALLBACK;
	if (archive_read_open1(a) != ARCHIVE_OK || archive_filter_count(a) != 1)
		goto done;
	rc = archive_entries(l, a, where, want_dpkg, max_files, total, stop, &counted);
	if (rc == ATMO_ECANCELLED || rc == ATMO_ENOMEM)
		goto done;
	/* any other error, and a stream that is not clean to its end, are libarchive's to
	 * report: its gzip filter may meet a damaged member before the tar error */
	if (rc < 0 || atmo_image__gz_finish(gz) < 0) {
		rc = ATMO_IMAGE__TAR_FALLBACK;
		goto done;
	}
	l->tar_size = (uint64_t)archive_filter_bytes(a, 0);
	rc = 0;
done:
	if (rc == ATMO_IMAGE__TAR_FALLBACK) {
		memset(&l->err, 0, sizeof(l->err));
		if (counted)
			atomic_fetch_sub(total, counted);
	}
	archive_read_free(a);
	atmo_image__gz_free(gz);
	return rc;
}

/* forget what the walker kept before libarchive reads the layer again */
static void layer_reset(atmo_image__layer *l)
{
	size_t i;
	for (i = 0; i < l->n_dpkg; i++)
		atmo__free(l->dpkg[i].data);
	l->n_dpkg = 0;
	l->n_entries = 0;
	atmo__arena_free(&l->strings);
	l->files = l->size = l->whiteouts = l->opaque_dirs = 0;
}

/* the layer through libarchive (its filters for compressed layers); an uncompressed
 * tar that libarchive recognizes (its bid on the first header) is then walked by its
 * headers, libarchive reading it only when the walker meets something it leaves to
 * libarchive */
static int libarchive_entries(atmo_image__layer *l, layer_io *io, struct archive **ap,
			      const char *where, int want_dpkg, unsigned long max_files,
			      _Atomic uint64_t *total, volatile int *stop, int flags)
{
	struct archive *a = archive_read_new();
	int rc, r;
	*ap = a;
	if (!a)
		return LERR(ATMO_ENOMEM, "out of memory");
	archive_read_support_format_tar(a);
	archive_read_support_format_empty(a);
	archive_read_support_filter_none(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_set_read_callback(a, io_read);
	archive_read_set_skip_callback(a, io_skip);
	archive_read_set_seek_callback(a, io_seek);
	archive_read_set_callback_data(a, io);
	if (archive_read_open1(a) != ARCHIVE_OK)
		return LERR(ATMO_EINVALID, "cannot read the layer: %s",
			    archive_error_string(a) ? archive_error_string(a) : "unknown format");
	if (!(flags & ATMO_IMAGE__READ_LIBARCHIVE) && strcmp(l->compression, "none") == 0 &&
	    archive_filter_count(a) == 1) {
		walk_ctx c;
		uint64_t tar_size = 0;
		memset(&c, 0, sizeof(c));
		c.l = l;
		c.where = where;
		c.want_dpkg = want_dpkg;
		c.max_files = max_files;
		c.total = total;
		c.seen = atomic_load(total);
		c.stop = stop;
		r = atmo_image__tar_walk(l->range.fd, l->range.off, l->range.len, walk_entry, &c,
					 &tar_size);
		walk_flush(&c);
		if (r < 0)
			return r;
		if (r == 0) {
			l->tar_size = tar_size;
			return 0;
		}
		if (c.added)
			atomic_fetch_sub(total, c.added);
		layer_reset(l);
	}
	if ((rc = archive_entries(l, a, where, want_dpkg, max_files, total, stop, NULL)) < 0)
		return rc;
	l->tar_size = (uint64_t)archive_filter_bytes(a, 0);
	return 0;
}

/* ---- a registry's layer: streamed through libarchive, verified as it ends ---- */
static int stream_fail(atmo_image__layer *l, atmo_image__blob *b, const char *where, int rc)
{
	const atmo_error *be = atmo_image__blob_error(b);
	if (be->code && rc != ATMO_ECANCELLED) {
		memset(&l->err, 0, sizeof(l->err));
		return LERR(be->code, "%s", be->text);
	}
	return rc;
}

static int stream_layer(atmo_image__layer *l, const char *where, int want_dpkg,
			unsigned long max_files, _Atomic uint64_t *total, volatile int *stop)
{
	atmo_image__blob *b = NULL;
	struct archive *a = NULL;
	const char *decl;
	uint64_t bytes = 0;
	int rc;

	if ((rc = atmo_image__blob_open(&b, l->reg, l->digest, l->declared_size, &l->err)) < 0)
		return rc;
	if (!(a = archive_read_new())) {
		rc = LERR(ATMO_ENOMEM, "out of memory");
		goto done;
	}
	archive_read_support_format_tar(a);
	archive_read_support_format_empty(a);
	archive_read_support_filter_none(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_set_read_callback(a, atmo_image__blob_read);
	archive_read_set_callback_data(a, b);
	if (archive_read_open1(a) != ARCHIVE_OK) {
		rc = stream_fail(
			l, b, where,
			LERR(ATMO_EINVALID, "cannot read the layer: %s",
			     archive_error_string(a) ? archive_error_string(a) : "unknown format"));
		goto done;
	}
	l->compression = archive_filter_code(a, 0) == ARCHIVE_FILTER_GZIP   ? "gzip"
			 : archive_filter_code(a, 0) == ARCHIVE_FILTER_ZSTD ? "zstd"
									    : "none";
	decl = declared_compression(l->media_type);
	if (decl && strcmp(decl, "none") != 0 && strcmp(decl, l->compression) != 0) {
		rc = LERR(ATMO_EINVALID, "media type %s says %s but the blob is not %s data",
			  l->media_type, decl, decl);
		goto done;
	}
	if ((rc = archive_entries(l, a, where, want_dpkg, max_files, total, stop, NULL)) < 0) {
		rc = stream_fail(l, b, where, rc);
		goto done;
	}
	l->tar_size = (uint64_t)archive_filter_bytes(a, 0);
	/* what the tar reader left (end-of-archive padding) counts for the digest */
	if ((rc = atmo_image__blob_finish(b, &bytes)) < 0) {
		rc = stream_fail(l, b, where, rc);
		goto done;
	}
	l->compressed_size = bytes;
	l->verified = 1;
done:
	if (a)
		archive_read_free(a);
	atmo_image__blob_free(b);
	return rc;
}

int atmo_image__layer_read(atmo_image__layer *l, int verify, int want_dpkg, unsigned int n_largest,
			   unsigned long max_files, void *counter, volatile int *stop, int flags)
{
	_Atomic uint64_t *total = counter;
	struct archive *a = NULL;
	layer_io io;
	const char *decl;
	char where[600];
	int rc = 0, r, walked = 0;

	memset(&io, 0, sizeof(io));
	snprintf(where, sizeof(where), "layer %s", l->digest ? l->digest : l->member);
	if (l->reg) {
		/* digest and size are always checked while streaming; diff_ids are not */
		(void)verify;
		if ((rc = stream_layer(l, where, want_dpkg, max_files, total, stop)) < 0)
			goto done;
		goto finish;
	}
	l->compressed_size = l->range.len;
	l->compression = magic_compression(&l->range);
	decl = declared_compression(l->media_type);
	if (decl && strcmp(decl, "none") != 0 && strcmp(decl, l->compression) != 0) {
		rc = LERR(ATMO_EINVALID, "media type %s says %s but the blob is not %s data",
			  l->media_type, decl, decl);
		goto done;
	}
	if (verify) {
		char hex[65];
		if ((rc = atmo_image__range_sha256(&l->range, hex, where, &l->err)) < 0)
			goto done;
		if (l->digest) {
			if (strncmp(l->digest, "sha256:", 7) == 0 &&
			    strcmp(l->digest + 7, hex) != 0) {
				rc = LERR(ATMO_EVERIFY,
					  "digest mismatch: the content hashes to sha256:%s", hex);
				goto done;
			}
		} else if (strcmp(l->compression, "none") == 0 && l->diff_id &&
			   strncmp(l->diff_id, "sha256:", 7) == 0 &&
			   strcmp(l->diff_id + 7, hex) != 0) {
			rc = LERR(ATMO_EVERIFY,
				  "diff_id mismatch: config says %s but the layer hashes to "
				  "sha256:%s",
				  l->diff_id, hex);
			goto done;
		}
		if (strcmp(l->compression, "none") == 0 && l->digest && l->diff_id &&
		    strcmp(l->digest, l->diff_id) != 0) {
			rc = LERR(ATMO_EVERIFY,
				  "diff_id mismatch: the config says %s but this "
				  "uncompressed layer is %s",
				  l->diff_id, l->digest);
			goto done;
		}
		l->verified = 1;
	}
	if (l->declared_size != UINT64_MAX && l->declared_size != l->range.len) {
		rc = LERR(ATMO_EVERIFY,
			  "size mismatch: the manifest says %llu bytes, the blob has %llu",
			  (unsigned long long)l->declared_size, (unsigned long long)l->range.len);
		goto done;
	}

	if (!(flags & ATMO_IMAGE__READ_LIBARCHIVE) && strcmp(l->compression, "gzip") == 0) {
		r = gzip_fast(l, where, want_dpkg, max_files, total, stop);
		if (r < 0 && r != ATMO_IMAGE__TAR_FALLBACK) {
			rc = r;
			goto done;
		}
		if (r == 0)
			walked = 1;
		else
			layer_reset(l);
	}
	io.fd = l->range.fd;
	io.off = l->range.off;
	io.len = l->range.len;
	/* small reads for uncompressed layers so that file data is skipped, big ones to feed
	 * a decompressor */
	io.bufsz = strcmp(l->compression, "none") == 0 ? 4096 : 1 << 20;
	io.buf = atmo__malloc(io.bufsz, NULL);
	if (!io.buf) {
		rc = LERR(ATMO_ENOMEM, "out of memory");
		goto done;
	}
	if (!walked && (rc = libarchive_entries(l, &io, &a, where, want_dpkg, max_files, total,
						stop, flags)) < 0)
		goto done;
	if (verify && strcmp(l->compression, "none") != 0 && l->diff_id &&
	    strncmp(l->diff_id, "sha256:", 7) == 0) {
		char hex[65];
		if ((rc = uncompressed_sha256(&io, hex, &l->err, where)) < 0)
			goto done;
		if (strcmp(hex, l->diff_id + 7) != 0) {
			rc = LERR(ATMO_EVERIFY,
				  "diff_id mismatch: the config says %s but the uncompressed layer "
				  "hashes to sha256:%s",
				  l->diff_id, hex);
			goto done;
		}
	}
finish:
	if (!l->media_type) {
		const char *mt = strcmp(l->compression, "gzip") == 0
					 ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
				 : strcmp(l->compression, "zstd") == 0
					 ? "application/vnd.oci.image.layer.v1.tar+zstd"
					 : "application/vnd.docker.image.rootfs.diff.tar";
		if (!(l->media_type = atmo__strdup(mt, NULL)))
			goto nomem;
	}
	if (pick_largest(l, n_largest) < 0)
		goto nomem;
	goto done;
nomem:
	rc = LERR(ATMO_ENOMEM, "out of memory");
done:
	if (a)
		archive_read_free(a);
	atmo__free(io.buf);
	if (rc < 0 && !l->err.code)
		l->err.code = rc;
	if (rc < 0 && rc != ATMO_ECANCELLED)
		*stop = 1;
	l->rc = rc;
	return rc;
}

void atmo_image__layer_free(atmo_image__layer *l)
{
	size_t i;
	atmo__free(l->digest);
	atmo__free(l->diff_id);
	atmo__free(l->media_type);
	atmo__free(l->member);
	atmo__free(l->entries);
	atmo__free(l->largest);
	for (i = 0; i < l->n_dpkg; i++)
		atmo__free(l->dpkg[i].data);
	atmo__free(l->dpkg);
	atmo__arena_free(&l->strings);
}
