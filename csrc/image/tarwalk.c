/*
 * Image module: a header-only walker for uncompressed tar layers.
 *
 * An uncompressed layer is read by its 512-byte headers alone: one pread per header
 * (or per few headers when the files between them are small), the file data is
 * never read. It understands the common forms (POSIX ustar with pax 'x' headers
 * for long or non-ASCII-free names and harmless attributes, GNU tar with 'L' long
 * names) and reports each entry exactly as libarchive's tar reader would
 * (archive_entry_pathname, filetype, hardlink, size). Anything it does not fully
 * understand (a bad checksum, sparse files, base-256 numbers, pax keys that change
 * sizes or names, truncation, I/O errors, ...) makes it return
 * ATMO_IMAGE__TAR_FALLBACK before its caller has kept anything, and the caller
 * reads the layer with libarchive instead: error messages and odd cases stay
 * libarchive's. libarchive itself spends most of its time per header on checksums,
 * sparse-list allocations and a wide-character conversion of every regular file's
 * name (its "trailing slash means directory" check).
 *
 * pread rather than mmap: the same speed here (a page fault per few headers instead
 * of a syscall), no SIGBUS when the file shrinks under us, and no resident set that
 * grows with the archive (fault-around maps most of a mapped layer).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <archive_entry.h>
#include "image/image_int.h"
#include "util/alloc.h"

#define TW_BUF 16384 /* header reads; pax and 'L' bodies up to TW_BUF - 512 */

typedef struct {
	int fd;
	uint64_t off, len; /* the layer: a byte range of fd */
	char *buf;
	uint64_t bpos; /* buf holds [bpos, bpos + blen) of the range */
	size_t blen;
} twr;

/* n bytes at pos (pos + n <= len), reading `ahead` bytes when they are not buffered */
static const char *tw_at(twr *r, uint64_t pos, size_t n, size_t ahead)
{
	size_t want, got = 0;
	if (pos >= r->bpos && pos + n <= r->bpos + r->blen)
		return r->buf + (pos - r->bpos);
	want = ahead > n ? ahead : n;
	if (want > TW_BUF)
		want = TW_BUF;
	if (want > r->len - pos)
		want = (size_t)(r->len - pos);
	r->blen = 0;
	while (got < want) {
		ssize_t k = pread(r->fd, r->buf + got, want - got, (off_t)(r->off + pos + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	if (got < n)
		return NULL;
	r->bpos = pos;
	r->blen = got;
	return r->buf;
}

static int all_zero(const char *p, size_t n)
{
	uint64_t acc = 0, w;
	size_t i;
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= (unsigned char)p[i];
	return acc == 0;
}

/* libarchive's tar_atol8 on a field known to hold no '-' (-1: not a plain octal field) */
static int64_t octal(const char *p, size_t n)
{
	int64_t v = 0;
	if (n && ((unsigned char)*p & 0x80))
		return -1; /* base-256 */
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	if (n && *p == '-')
		return -1;
	while (n && *p >= '0' && *p <= '7') {
		v = v * 8 + (*p - '0');
		p++;
		n--;
	}
	return v;
}

/* sum of n bytes (n a multiple of 8, at most 1024), 8 at a time in 16-bit lanes */
static uint32_t sum_bytes(const char *p, size_t n)
{
	const uint64_t m = 0x00ff00ff00ff00ffULL;
	uint64_t acc = 0, w;
	size_t i;
	for (i = 0; i < n; i += 8) {
		memcpy(&w, p + i, 8);
		acc += (w & m) + ((w >> 8) & m);
	}
	acc = (acc & 0x0000ffff0000ffffULL) + ((acc >> 16) & 0x0000ffff0000ffffULL);
	return (uint32_t)((acc & 0xffffffffULL) + (acc >> 32));
}

/* libarchive's checksum(), unsigned variant only (the signed one is left to it) */
static int checksum_ok(const char *h)
{
	const unsigned char *b = (const unsigned char *)h;
	uint32_t sum;
	size_t i;
	for (i = 148; i < 156; i++)
		if (h[i] != ' ' && h[i] != '\0' && (h[i] < '0' || h[i] > '7'))
			return 0;
	/* the checksum field counts as eight spaces */
	sum = sum_bytes(h, 512) + 8 * 32;
	for (i = 148; i < 156; i++)
		sum -= b[i];
	return octal(h + 148, 8) == (int64_t)sum;
}

static int pax_xattr(const char *k, size_t n)
{
	return (n > 13 && memcmp(k, "SCHILY.xattr.", 13) == 0) ||
	       (n > 17 && memcmp(k, "LIBARCHIVE.xattr.", 17) == 0);
}

/* pax attributes that change nothing the image reader looks at */
static int pax_harmless(const char *k, size_t n)
{
	static const char *const keys[] = {
		"atime",
		"ctime",
		"mtime",
		"charset",
		"comment",
		"gid",
		"gname",
		"uid",
		"uname",
		"hdrcharset",
		"SCHILY.dev",
		"SCHILY.ino",
		"SCHILY.nlink",
		"SCHILY.fflags",
		"SCHILY.devmajor",
		"SCHILY.devminor",
		"SCHILY.acl.access",
		"SCHILY.acl.default",
		"SCHILY.acl.ace",
		"LIBARCHIVE.creationtime",
	};
	size_t i;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i]) == n && memcmp(keys[i], k, n) == 0)
			return 1;
	return pax_xattr(k, n);
}

typedef struct {
	char *path; /* pax "path" (malloc'd) or NULL */
	int link;   /* a non-empty pax "linkpath" */
} pax_t;

/* 0, or ATMO_IMAGE__TAR_FALLBACK for anything libarchive would treat differently */
static int pax_parse(const char *body, size_t size, pax_t *px)
{
	const char *p = body, *end = body + size;
	while (p < end) {
		size_t line = 0, klen;
		const char *q = p, *k, *eq, *v, *le;
		while (q < end && *q >= '0' && *q <= '9') {
			line = line * 10 + (size_t)(*q - '0');
			if (line > 999999)
				return ATMO_IMAGE__TAR_FALLBACK;
			q++;
		}
		if (q == p || q >= end || *q != ' ' || line < 1 || line > (size_t)(end - p) ||
		    p[line - 1] != '\n')
			return ATMO_IMAGE__TAR_FALLBACK;
		k = q + 1;
		le = p + line - 1;
		if (k >= le)
			return ATMO_IMAGE__TAR_FALLBACK;
		eq = memchr(k, '=', (size_t)(le - k));
		if (!eq || eq == k)
			return ATMO_IMAGE__TAR_FALLBACK;
		klen = (size_t)(eq - k);
		v = eq + 1;
		if (memchr(k, '\0', klen))
			return ATMO_IMAGE__TAR_FALLBACK;
		if (klen == 4 && memcmp(k, "path", 4) == 0) {
			const char *c;
			if (v == le)
				return ATMO_IMAGE__TAR_FALLBACK;
			/* non-ASCII names go through libarchive's charset conversion */
			for (c = v; c < le; c++)
				if ((unsigned char)*c >= 0x80 || *c == '\0')
					return ATMO_IMAGE__TAR_FALLBACK;
			atmo__free(px->path);
			px->path = atmo__strndup(v, (size_t)(le - v), NULL);
			if (!px->path)
				return ATMO_IMAGE__TAR_FALLBACK;
		} else if (klen == 8 && memcmp(k, "linkpath", 8) == 0) {
			if (memchr(v, '\0', (size_t)(le - v)))
				return ATMO_IMAGE__TAR_FALLBACK;
			px->link = v < le;
		} else if (!pax_harmless(k, klen) ||
			   /* binary values (NULs included) only in extended attributes */
			   (memchr(v, '\0', (size_t)(le - v)) && !pax_xattr(k, klen))) {
			return ATMO_IMAGE__TAR_FALLBACK;
		}
		p += line;
	}
	return 0;
}

static uint64_t pad512(uint64_t n)
{
	return (n + 511) & ~(uint64_t)511;
}

int atmo_image__tar_walk(int fd, uint64_t off, uint64_t len, atmo_image__tar_cb cb, void *ctx,
			 uint64_t *tar_size)
{
	twr r;
	pax_t px = { NULL, 0 };
	char *longname = NULL;
	int pending = 0, rc = ATMO_IMAGE__TAR_FALLBACK;
	uint64_t pos = 0, last_skip = 0;
	char name[4096 + 160];

	memset(&r, 0, sizeof(r));
	r.fd = fd;
	r.off = off;
	r.len = len;
	r.buf = atmo__malloc(TW_BUF, NULL);
	if (!r.buf)
		return ATMO_IMAGE__TAR_FALLBACK;
	for (;;) {
		const char *h, *nm;
		char t;
		int64_t sz;
		uint64_t dsz, end;
		atmo_image__tarent e;
		int gnu;

		if (pos == len) {
			/* end of file at a block boundary, without the two zero blocks */
			if (pending)
				goto done;
			*tar_size = pos;
			rc = 0;
			goto done;
		}
		if (len - pos < 512)
			goto done;
		/* small files: the next headers are probably in the same read */
		h = tw_at(&r, pos, 512, last_skip < 3072 ? 4096 : 512);
		if (!h)
			goto done;
		if (h[0] == 0 && all_zero(h, 512)) {
			uint64_t rest = len - pos - 512;
			const char *h2;
			if (pending)
				goto done;
			if (rest == 0) {
				*tar_size = pos + 512;
				rc = 0;
			} else if (rest >= 512 && (h2 = tw_at(&r, pos + 512, 512, 512)) &&
				   all_zero(h2, 512)) {
				*tar_size = pos + 1024;
				rc = 0;
			}
			goto done;
		}
		if (!checksum_ok(h))
			goto done;
		t = h[156];
		sz = octal(h + 124, 12);
		if (sz < 0)
			goto done;
		if (t == 'x' || t == 'L') {
			const char *body;
			if (pending || (uint64_t)sz > TW_BUF - 512 ||
			    pos + 512 + pad512((uint64_t)sz) > len)
				goto done;
			body = tw_at(&r, pos + 512, (size_t)sz, (size_t)sz + 512);
			if (!body)
				goto done;
			if (t == 'x') {
				if (pax_parse(body, (size_t)sz, &px) != 0)
					goto done;
			} else {
				longname = atmo__strndup(body, (size_t)sz, NULL);
				if (!longname || !*longname)
					goto done;
			}
			pending = 1;
			pos += 512 + pad512((uint64_t)sz);
			last_skip = 0;
			continue;
		}
		gnu = memcmp(h + 257, "ustar  \0", 8) == 0;
		if (!gnu && memcmp(h + 257, "ustar\0", 6) != 0)
			goto done;
		/* GNU sparse maps and real sizes */
		if (gnu && (h[386] != 0 || h[482] != 0 || h[483] != 0))
			goto done;
		memset(&e, 0, sizeof(e));
		dsz = 0;
		switch (t) {
		case '0':
		case '\0':
		case '7':
			e.filetype = AE_IFREG;
			dsz = (uint64_t)sz;
			break;
		case '1':
			/* hard links with a body follow heuristics: libarchive decides */
			if (sz != 0 || h[157] == 0)
				goto done;
			e.hardlink = 1;
			break;
		case '2':
			e.filetype = AE_IFLNK;
			break;
		case '3':
			e.filetype = AE_IFCHR;
			break;
		case '4':
			e.filetype = AE_IFBLK;
			break;
		case '5':
			e.filetype = AE_IFDIR;
			break;
		case '6':
			e.filetype = AE_IFIFO;
			break;
		default:
			goto done;
		}
		/* a size on a link, a device or a directory: libarchive versions differ on
		 * whether a body follows */
		if (t != '0' && t != '\0' && t != '7' && sz != 0)
			goto done;
		/* a pax linkpath on anything but a link: libarchive versions differ */
		if (px.link && t != '1' && t != '2')
			goto done;
		if (px.path && longname)
			goto done;
		if (px.path) {
			nm = px.path;
		} else if (longname) {
			nm = longname;
		} else {
			size_t nl = strnlen(h, 100), pl = gnu ? 0 : strnlen(h + 345, 155);
			if (pl) {
				memcpy(name, h + 345, pl);
				if (name[pl - 1] != '/')
					name[pl++] = '/';
			}
			memcpy(name + pl, h, nl);
			name[pl + nl] = '\0';
			nm = name;
		}
		if (!*nm)
			goto done;
		if (e.filetype == AE_IFREG && nm[strlen(nm) - 1] == '/') {
			/* "regular" with a trailing slash: a directory for libarchive */
			if (dsz)
				goto done;
			e.filetype = AE_IFDIR;
		}
		e.size = e.filetype == AE_IFREG ? (uint64_t)sz : 0;
		end = pos + 512 + pad512(dsz);
		if (end > len || end < pos)
			goto done;
		e.name = nm;
		e.data_off = pos + 512;
		rc = cb(ctx, &e);
		if (rc != 0)
			goto done;
		rc = ATMO_IMAGE__TAR_FALLBACK;
		atmo__free(px.path);
		px.path = NULL;
		px.link = 0;
		atmo__free(longname);
		longname = NULL;
		pending = 0;
		last_skip = pad512(dsz);
		pos = end;
	}
done:
	atmo__free(px.path);
	atmo__free(longname);
	atmo__free(r.buf);
	return rc;
}
