/* Image module: blob sources (a directory or a tar). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include "image/image_int.h"
#include "util/alloc.h"
#include "util/grow.h"
#include "util/hash.h"

/* ---- names ---- */
int atmo_image__safe_name(const char *name)
{
	const char *p = name;
	if (!name || !*name || *name == '/')
		return 0;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 0;
		if (!e)
			break;
		p = e + 1;
	}
	return 1;
}

/* ---- ranges ---- */
int atmo_image__range_read(const atmo_image__range *r, size_t max, char **data, size_t *len,
			   const char *what, atmo_error *err)
{
	char *buf;
	uint64_t done = 0;
	*data = NULL;
	*len = 0;
	if (r->len > max)
		return atmo__error_set(
			err, ATMO_ELIMIT, what, 0, 0,
			"%llu bytes is more than the limit of %zu for this kind of file",
			(unsigned long long)r->len, max);
	buf = atmo__malloc((size_t)r->len + 1, NULL);
	if (!buf)
		return atmo__error_nomem(err);
	while (done < r->len) {
		ssize_t n =
			pread(r->fd, buf + done, (size_t)(r->len - done), (off_t)(r->off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			atmo__free(buf);
			return atmo__error_set(err, ATMO_EIO, what, 0, 0, "cannot read: %s",
					       n < 0 ? strerror(errno) : "unexpected end of file");
		}
		done += (uint64_t)n;
	}
	buf[r->len] = '\0';
	*data = buf;
	*len = (size_t)r->len;
	return 0;
}

int atmo_image__range_sha256(const atmo_image__range *r, char hex[65], const char *what,
			     atmo_error *err)
{
	atmo_sha256 *h = NULL;
	char *buf = NULL;
	uint64_t done = 0;
	int rc;
	const size_t bufsz = 1 << 20;
	if ((rc = atmo__sha256_new(&h, err)) < 0)
		return rc;
	buf = atmo__malloc(bufsz, NULL);
	if (!buf) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	while (done < r->len) {
		size_t want = r->len - done > bufsz ? bufsz : (size_t)(r->len - done);
		ssize_t n = pread(r->fd, buf, want, (off_t)(r->off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = atmo__error_set(err, ATMO_EIO, what, 0, 0, "cannot read: %s",
					     n < 0 ? strerror(errno) : "unexpected end of file");
			goto done;
		}
		atmo__sha256_update(h, buf, (size_t)n);
		done += (uint64_t)n;
	}
	rc = atmo__sha256_final_hex(h, hex) < 0
		     ? atmo__error_set(err, ATMO_ERROR, what, 0, 0, "SHA-256 failed")
		     : 0;
done:
	atmo__free(buf);
	atmo__sha256_free(h);
	return rc;
}

/* ---- the outer tar: a member table read with seeks past the data ---- */
typedef struct {
	int fd;
	uint64_t size, pos;
	char buf[16384];
} outer_io;

static la_ssize_t outer_read(struct archive *a, void *cd, const void **out)
{
	outer_io *io = cd;
	ssize_t n;
	(void)a;
	do
		n = pread(io->fd, io->buf, sizeof(io->buf), (off_t)io->pos);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	io->pos += (uint64_t)n;
	*out = io->buf;
	return n;
}

static la_int64_t outer_skip(struct archive *a, void *cd, la_int64_t req)
{
	outer_io *io = cd;
	uint64_t left = io->size > io->pos ? io->size - io->pos : 0;
	uint64_t adv = (uint64_t)req < left ? (uint64_t)req : left;
	(void)a;
	io->pos += adv;
	return (la_int64_t)adv;
}

static la_int64_t outer_seek(struct archive *a, void *cd, la_int64_t off, int whence)
{
	outer_io *io = cd;
	int64_t base = whence == SEEK_SET   ? 0
		       : whence == SEEK_CUR ? (int64_t)io->pos
					    : (int64_t)io->size;
	(void)a;
	if (base + off < 0)
		return ARCHIVE_FATAL;
	io->pos = (uint64_t)(base + off);
	return (la_int64_t)io->pos;
}

static int src_add_member(atmo_image__src *s, const char *name, uint64_t off, uint64_t len,
			  atmo_error *err)
{
	atmo_image__member *m;
	if (ATMO__GROW(s->members, s->cap_members, s->n_members + 1, err) < 0)
		return ATMO_ENOMEM;
	m = &s->members[s->n_members];
	m->name = atmo__strdup(name, err);
	if (!m->name)
		return ATMO_ENOMEM;
	m->off = off;
	m->len = len;
	s->n_members++;
	/* keys are the names (stable); a later member of the same name wins, as tar
	 * extraction does */
	if (atmo__map_set(&s->index, m->name, s->n_members - 1, err) < 0)
		return ATMO_ENOMEM;
	return 0;
}

static int src_scan_tar(atmo_image__src *s, atmo_error *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	outer_io *io = NULL;
	int rc = 0, r;

	if (!a)
		return atmo__error_nomem(err);
	io = atmo__calloc(1, sizeof(*io), NULL);
	if (!io) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	io->fd = s->fd;
	io->size = s->file_size;
	archive_read_support_format_tar(a);
	archive_read_support_filter_none(a);
	/* recognized only to be refused with a clear message: members must be addressable */
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_set_read_callback(a, outer_read);
	archive_read_set_skip_callback(a, outer_skip);
	archive_read_set_seek_callback(a, outer_seek);
	archive_read_set_callback_data(a, io);
	if (archive_read_open1(a) != ARCHIVE_OK) {
		rc = atmo__error_set(err, ATMO_EINVALID, s->path, 0, 0,
				     "not a tar archive or an OCI layout directory: %s",
				     archive_error_string(a) ? archive_error_string(a)
							     : "unknown format");
		goto done;
	}
	for (;;) {
		const char *name;
		uint64_t off, len;
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			rc = atmo__error_set(err, ATMO_EINVALID, s->path, 0, 0,
					     "broken or truncated archive: %s",
					     archive_error_string(a) ? archive_error_string(a)
								     : "read error");
			goto done;
		}
		name = archive_entry_pathname(e);
		if (!name) {
			rc = atmo__error_set(err, ATMO_EINVALID, s->path, 0, 0,
					     "an archive member has no readable name");
			goto done;
		}
		while (name[0] == '.' && name[1] == '/')
			name += 2;
		if (!*name || strcmp(name, ".") == 0)
			continue;
		if (!atmo_image__safe_name(name)) {
			rc = atmo__error_set(err, ATMO_EINVALID, s->path, 0, 0,
					     "unsafe member name '%s' (absolute or with '..')",
					     name);
			goto done;
		}
		if (archive_filter_count(a) > 1) {
			rc = atmo__error_set(
				err, ATMO_EUNSUPPORTED, s->path, 0, 0,
				"compressed image archives are not read; decompress it first");
			goto done;
		}
		if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e))
			continue;
		if (archive_entry_size(e) < 0) {
			rc = atmo__error_set(err, ATMO_EINVALID, s->path, 0, 0,
					     "member '%s' has a negative size", name);
			goto done;
		}
		len = (uint64_t)archive_entry_size(e);
		off = (uint64_t)archive_filter_bytes(a, 0);
		if (off > s->file_size || len > s->file_size - off) {
			rc = atmo__error_set(
				err, ATMO_EINVALID, s->path, 0, 0,
				"member '%s' claims %llu bytes but the archive ends before "
				"(truncated archive or absurd size)",
				name, (unsigned long long)len);
			goto done;
		}
		if (s->n_members >= ATMO_IMAGE_MAX_LAYERS * 4 + 1024) {
			rc = atmo__error_set(err, ATMO_ELIMIT, s->path, 0, 0,
					     "more than %d members in the image archive",
					     ATMO_IMAGE_MAX_LAYERS * 4 + 1024);
			goto done;
		}
		if ((rc = src_add_member(s, name, off, len, err)) < 0)
			goto done;
	}
done:
	archive_read_free(a);
	atmo__free(io);
	return rc;
}

void atmo_image__src_init(atmo_image__src *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->dirfd = -1;
}

int atmo_image__src_open(atmo_image__src *s, const char *path, atmo_error *err)
{
	struct stat st;
	atmo_image__src_init(s);
	s->path = atmo__strdup(path, err);
	if (!s->path)
		return ATMO_ENOMEM;
	if (stat(path, &st) < 0)
		return atmo__error_set(err, errno == ENOENT ? ATMO_ENOTFOUND : ATMO_EIO, path, 0, 0,
				       "cannot open image: %s", strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		s->kind = IMG_SRC_DIR;
		/* the path the caller named may be a link; nothing beneath it may */
		s->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (s->dirfd < 0)
			return atmo__error_set(err, ATMO_EIO, path, 0, 0, "cannot open image: %s",
					       strerror(errno));
		return 0;
	}
	s->kind = IMG_SRC_TAR;
	/* a FIFO or a device is refused before it is opened (opening a FIFO blocks until
	 * a writer comes); O_NONBLOCK covers a file replaced by one in between */
	if (!S_ISREG(st.st_mode))
		return atmo__error_set(err, ATMO_EINVALID, path, 0, 0,
				       "an image is a directory or a tar file");
	s->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (s->fd < 0)
		return atmo__error_set(err, ATMO_EIO, path, 0, 0, "cannot open image: %s",
				       strerror(errno));
	if (fstat(s->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return atmo__error_set(err, ATMO_EINVALID, path, 0, 0,
				       "an image is a directory or a tar file");
	s->file_size = (uint64_t)st.st_size;
	return src_scan_tar(s, err);
}

void atmo_image__src_close(atmo_image__src *s)
{
	size_t i;
	if (s->fd >= 0)
		close(s->fd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	for (i = 0; i < s->n_fds; i++)
		close(s->fds[i]);
	atmo__free(s->fds);
	for (i = 0; i < s->n_members; i++)
		atmo__free(s->members[i].name);
	atmo__free(s->members);
	atmo__map_free(&s->index);
	atmo__free(s->path);
	atmo_image__src_init(s);
}

int atmo_image__src_has(atmo_image__src *s, const char *name)
{
	if (s->kind == IMG_SRC_TAR)
		return atmo__map_get(&s->index, name) != NULL;
	else {
		/* something there that is refused (a link, a FIFO) counts as present, so
		 * that reading it gives the precise error rather than "not an image" */
		int fd;
		if (!atmo_image__safe_name(name))
			return 0;
		fd = atmo_image__open_beneath(s->dirfd, name);
		if (fd < 0)
			return errno == ELOOP || errno == ENOTDIR || errno == EXDEV;
		close(fd);
		return 1;
	}
}

int atmo_image__src_find(atmo_image__src *s, const char *name, atmo_image__range *out,
			 atmo_error *err)
{
	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if (!atmo_image__safe_name(name))
		return atmo__error_set(err, ATMO_EINVALID, s->path, 0, 0,
				       "unsafe blob name '%s' (absolute or with '..')", name);
	if (s->kind == IMG_SRC_TAR) {
		size_t *i = atmo__map_get(&s->index, name);
		if (!i)
			return atmo__error_set(err, ATMO_ENOTFOUND, s->path, 0, 0,
					       "missing blob: no member '%s' in the archive", name);
		out->fd = s->fd;
		out->off = s->members[*i].off;
		out->len = s->members[*i].len;
		return 0;
	} else {
		struct stat st;
		int fd;
		if (strlen(name) >= 4096)
			return atmo__error_set(err, ATMO_EINVALID, s->path, 0, 0, "path too long");
		fd = atmo_image__open_beneath(s->dirfd, name);
		if (fd < 0 && (errno == ELOOP || errno == ENOTDIR || errno == EXDEV))
			return atmo__error_set(
				err, ATMO_EINVALID, s->path, 0, 0,
				"'%s' is or passes through a symbolic link (or leads "
				"outside the image): refused",
				name);
		if (fd < 0)
			return atmo__error_set(err, errno == ENOENT ? ATMO_ENOTFOUND : ATMO_EIO,
					       s->path, 0, 0, "missing blob: cannot open '%s': %s",
					       name, strerror(errno));
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			return atmo__error_set(err, ATMO_EINVALID, s->path, 0, 0,
					       "'%s' is not a regular file", name);
		}
		if (ATMO__GROW(s->fds, s->cap_fds, s->n_fds + 1, err) < 0) {
			close(fd);
			return ATMO_ENOMEM;
		}
		s->fds[s->n_fds++] = fd;
		out->fd = fd;
		out->off = 0;
		out->len = (uint64_t)st.st_size;
		return 0;
	}
}

int atmo_image__src_read(atmo_image__src *s, const char *name, size_t max, char **data, size_t *len,
			 atmo_error *err)
{
	atmo_image__range r;
	char what[512];
	int rc;
	*data = NULL;
	*len = 0;
	if ((rc = atmo_image__src_find(s, name, &r, err)) < 0)
		return rc;
	snprintf(what, sizeof(what), "%s:%s", s->path, name);
	return atmo_image__range_read(&r, max, data, len, what, err);
}
