/*
 * Image module: gzip layers inflated by ISA-L (igzip), about 2.5 times faster than
 * zlib, handed to libarchive's tar reader as plain tar through its read callback.
 *
 * Only clean streams are read this way: one or more complete gzip members, each with
 * a header libarchive's gzip reader accepts and a trailer whose CRC-32 and length
 * match, and nothing after the last member. Anything else (a truncated or corrupt
 * member, trailing bytes, a header ISA-L or libarchive would treat differently)
 * marks the stream broken; the caller then reads the layer again through libarchive's
 * own gzip filter, so that error messages stay exactly libarchive's.
 *
 * Built with ISA-L when ATMO_HAVE_ISAL is defined (the Makefile does so when
 * pkg-config finds libisal, Debian package libisal-dev); without it,
 * atmo_image__gz_new() says ATMO_EUNSUPPORTED and libarchive reads every gzip layer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <archive.h>
#include "image/image_int.h"

#ifdef ATMO_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#include "util/alloc.h"

#define GZ_IN (1u << 20)
#define GZ_OUT (1u << 20)

enum { GZ_MEMBER, GZ_BETWEEN, GZ_DONE, GZ_BROKEN };

struct atmo_image__gz {
	int fd;
	uint64_t off, len, in_pos; /* the compressed range and how much of it was read */
	unsigned char *in, *out;
	struct inflate_state st;
	int state;
};

/* more input when ISA-L has taken all it had; keeps `keep` unread bytes in front */
static int gz_fill(atmo_image__gz *g)
{
	size_t keep = g->st.avail_in, want;
	ssize_t n;
	if (g->in_pos >= g->len)
		return 0;
	if (keep)
		memmove(g->in, g->st.next_in, keep);
	want = GZ_IN - keep;
	if (want > g->len - g->in_pos)
		want = (size_t)(g->len - g->in_pos);
	do
		n = pread(g->fd, g->in + keep, want, (off_t)(g->off + g->in_pos));
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	g->in_pos += (uint64_t)n;
	g->st.next_in = g->in;
	g->st.avail_in = (uint32_t)(keep + (size_t)n);
	return 1;
}

/* a member header libarchive's gzip reader takes: deflate, no reserved flags */
static int gz_header_ok(const unsigned char *b)
{
	return b[0] == 0x1f && b[1] == 0x8b && b[2] == 8 && (b[3] & 0xe0) == 0;
}

/* the next member, or the clean end; 0, or -1 (broken) */
static int gz_next_member(atmo_image__gz *g)
{
	while (g->st.avail_in < 4) {
		int r = gz_fill(g);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
	}
	if (g->st.avail_in == 0) {
		g->state = GZ_DONE;
		return 0;
	}
	if (g->st.avail_in < 4 || !gz_header_ok(g->st.next_in))
		return -1; /* trailing bytes: libarchive decides what they mean */
	{
		uint8_t *next_in = g->st.next_in;
		uint32_t avail_in = g->st.avail_in;
		isal_inflate_reset(&g->st);
		g->st.crc_flag = ISAL_GZIP;
		g->st.next_in = next_in;
		g->st.avail_in = avail_in;
	}
	g->state = GZ_MEMBER;
	return 0;
}

int atmo_image__gz_new(atmo_image__gz **out, int fd, uint64_t off, uint64_t len)
{
	atmo_image__gz *g;
	*out = NULL;
	g = atmo__calloc(1, sizeof(*g), NULL);
	if (!g)
		return ATMO_ENOMEM;
	g->fd = fd;
	g->off = off;
	g->len = len;
	g->in = atmo__malloc(GZ_IN, NULL);
	g->out = atmo__malloc(GZ_OUT, NULL);
	if (!g->in || !g->out) {
		atmo_image__gz_free(g);
		return ATMO_ENOMEM;
	}
	isal_inflate_init(&g->st);
	g->st.next_in = g->in;
	g->st.avail_in = 0;
	if (gz_next_member(g) < 0 || g->state != GZ_MEMBER) {
		atmo_image__gz_free(g);
		return ATMO_EINVALID;
	}
	*out = g;
	return 0;
}

/* up to GZ_OUT bytes of tar; 0 at the clean end, -1 when the stream is broken */
static ssize_t gz_produce(atmo_image__gz *g)
{
	g->st.next_out = g->out;
	g->st.avail_out = GZ_OUT;
	while (g->st.avail_out > 0) {
		int rc;
		if (g->state == GZ_DONE || g->state == GZ_BROKEN)
			break;
		if (g->state == GZ_BETWEEN) {
			if (gz_next_member(g) < 0)
				g->state = GZ_BROKEN;
			continue;
		}
		if (g->st.avail_in == 0) {
			int r = gz_fill(g);
			if (r <= 0) {
				g->state = GZ_BROKEN; /* truncated member, or a read error */
				break;
			}
		}
		{
			uint32_t in0 = g->st.avail_in, out0 = g->st.avail_out;
			rc = isal_inflate(&g->st);
			if (rc < 0 || (g->st.block_state != ISAL_BLOCK_FINISH &&
				       g->st.avail_in == in0 && g->st.avail_out == out0)) {
				g->state = GZ_BROKEN; /* corrupt, or no progress */
				break;
			}
		}
		if (g->st.block_state == ISAL_BLOCK_FINISH)
			g->state = GZ_BETWEEN;
	}
	if (g->state == GZ_BROKEN)
		return -1;
	return (ssize_t)(GZ_OUT - g->st.avail_out);
}

la_ssize_t atmo_image__gz_read(struct archive *a, void *cd, const void **buf)
{
	atmo_image__gz *g = cd;
	ssize_t n = gz_produce(g);
	if (n < 0) {
		archive_set_error(a, EINVAL, "gzip stream left to libarchive");
		return -1;
	}
	*buf = g->out;
	return (la_ssize_t)n;
}

int atmo_image__gz_finish(atmo_image__gz *g)
{
	ssize_t n;
	do
		n = gz_produce(g);
	while (n > 0);
	return n == 0 && g->state == GZ_DONE ? 0 : -1;
}

void atmo_image__gz_free(atmo_image__gz *g)
{
	if (!g)
		return;
	atmo__free(g->in);
	atmo__free(g->out);
	atmo__free(g);
}

#else /* no ISA-L: libarchive's gzip filter reads every gzip layer */

int atmo_image__gz_new(atmo_image__gz **out, int fd, uint64_t off, uint64_t len)
{
	(void)fd;
	(void)off;
	(void)len;
	*out = NULL;
	return ATMO_EUNSUPPORTED;
}

la_ssize_t atmo_image__gz_read(struct archive *a, void *cd, const void **buf)
{
	(void)cd;
	(void)buf;
	archive_set_error(a, EINVAL, "built without ISA-L");
	return -1;
}

int atmo_image__gz_finish(atmo_image__gz *g)
{
	(void)g;
	return -1;
}

void atmo_image__gz_free(atmo_image__gz *g)
{
	(void)g;
}

#endif
