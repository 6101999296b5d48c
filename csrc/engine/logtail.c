/* The last lines of a build log: a failed build shows where it failed on the
 * terminal instead of only naming a file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "atmograph/build.h"
#include "util/alloc.h"
#include "util/error.h"

/* how much of the end of the log is read: engine logs can be large, their
 * last lines are not */
#define TAIL_WINDOW (64 * 1024)

int atmo_build_log_tail(char **out, const char *path, size_t max_lines, atmo_error *err)
{
	FILE *f;
	long size, from;
	size_t n, start, lines = 0;
	char *buf;
	int rc = 0;

	atmo_error_clear(err);
	*out = NULL;
	if (!path || !*path)
		return atmo__error_set(err, ATMO_EINVALID, "", 0, 0, "no log file");
	if (!(f = fopen(path, "rb")))
		return atmo__error_set(err, errno == ENOENT ? ATMO_ENOTFOUND : ATMO_EIO, path, 0, 0,
				       "cannot open the build log: %s", strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0) {
		rc = atmo__error_set(err, ATMO_EIO, path, 0, 0, "cannot read the build log");
		goto done;
	}
	from = size > TAIL_WINDOW ? size - TAIL_WINDOW : 0;
	if (!(buf = atmo__malloc((size_t)(size - from) + 2, err))) {
		rc = ATMO_ENOMEM;
		goto done;
	}
	if (fseek(f, from, SEEK_SET) != 0) {
		atmo__free(buf);
		rc = atmo__error_set(err, ATMO_EIO, path, 0, 0, "cannot read the build log");
		goto done;
	}
	n = fread(buf, 1, (size_t)(size - from), f);
	if (ferror(f)) {
		atmo__free(buf);
		rc = atmo__error_set(err, ATMO_EIO, path, 0, 0, "cannot read the build log");
		goto done;
	}
	/* a final newline ends the last line, it does not start another */
	if (n && buf[n - 1] != '\n')
		buf[n++] = '\n';
	start = n;
	while (start > 0 && max_lines) {
		/* start is the beginning of a line; step back over the previous one */
		size_t i = start - 1;
		while (i > 0 && buf[i - 1] != '\n')
			i--;
		if (lines == max_lines)
			break;
		lines++;
		start = i;
	}
	/* a window cut inside a line: drop the partial line */
	if (start == 0 && from > 0 && lines) {
		char *nl = memchr(buf, '\n', n);
		start = nl ? (size_t)(nl - buf) + 1 : n;
	}
	memmove(buf, buf + start, n - start);
	buf[n - start] = '\0';
	*out = buf;
done:
	fclose(f);
	return rc;
}
