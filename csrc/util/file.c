#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "atmograph/file.h"
#include "util/buf.h"
#include "util/error.h"

#define ATMO_FILE_DEFAULT_MAX ((size_t)1 << 30)

int atmo_file_read(char **out, size_t *len, const char *path, size_t max, atmo_error *err)
{
	atmo_buf b = ATMO_BUF_INIT;
	const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
	int fd, rc = 0;
	ssize_t n;

	atmo_error_clear(err);
	*out = NULL;
	if (len)
		*len = 0;
	if (!max)
		max = ATMO_FILE_DEFAULT_MAX;
	fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return atmo__error_set(err, errno == ENOENT ? ATMO_ENOTFOUND : ATMO_EIO, shown, 0,
				       0, "cannot open: %s", strerror(errno));
	for (;;) {
		if (atmo__buf_grow(&b, 65536) < 0) {
			rc = atmo__error_nomem(err);
			goto done;
		}
		n = read(fd, b.ptr + b.len, b.cap - b.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = atmo__error_set(err, ATMO_EIO, shown, 0, 0, "cannot read: %s",
					     strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		b.ptr[b.len] = '\0';
		if (b.len > max) {
			rc = atmo__error_set(err, ATMO_ELIMIT, shown, 0, 0,
					     "file larger than the limit of %zu bytes", max);
			goto done;
		}
	}
	if (len)
		*len = b.len;
	*out = atmo__buf_detach(&b);
done:
	if (fd != STDIN_FILENO)
		close(fd);
	atmo__buf_free(&b);
	return rc;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int atmo_file_write_atomic(const char *path, const void *data, size_t len, atmo_error *err)
{
	return atmo_file_write_atomic_flags(path, data, len, 0, err);
}

int atmo_file_write_atomic_flags(const char *path, const void *data, size_t len, unsigned int flags,
				 atmo_error *err)
{
	atmo_buf tmp = ATMO_BUF_INIT;
	int fd = -1, rc = 0;

	atmo_error_clear(err);
	if (strcmp(path, "-") == 0) {
		if (write_all(STDOUT_FILENO, data, len) < 0)
			return atmo__error_set(err, ATMO_EIO, "<stdout>", 0, 0, "cannot write: %s",
					       strerror(errno));
		return 0;
	}
	if (atmo__buf_printf(&tmp, "%s.tmp-XXXXXX", path) < 0)
		return atmo__error_nomem(err);
	fd = mkstemp(tmp.ptr);
	if (fd < 0) {
		rc = atmo__error_set(err, ATMO_EIO, path, 0, 0, "cannot create: %s",
				     strerror(errno));
		goto done;
	}
	if (write_all(fd, data, len) < 0 || (!(flags & ATMO_WRITE_NO_SYNC) && fsync(fd) < 0)) {
		rc = atmo__error_set(err, ATMO_EIO, path, 0, 0, "cannot write: %s",
				     strerror(errno));
		goto done;
	}
	fchmod(fd, 0644);
	if (close(fd) < 0) {
		fd = -1;
		rc = atmo__error_set(err, ATMO_EIO, path, 0, 0, "cannot write: %s",
				     strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp.ptr, path) < 0)
		rc = atmo__error_set(err, ATMO_EIO, path, 0, 0, "cannot rename: %s",
				     strerror(errno));
done:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp.ptr)
		unlink(tmp.ptr);
	atmo__buf_free(&tmp);
	return rc;
}
