/*
 * The header walker for uncompressed layers (csrc/image/tarwalk.c) against libarchive:
 * every layer here is read twice, by the walker and by libarchive alone
 * (ATMO_IMAGE__READ_LIBARCHIVE), and everything kept must be identical: entries,
 * counts, tar size, dpkg files, the error code and message. Forms the walker
 * handles itself are checked to be walked (no silent fallback); odd and broken
 * forms are checked to be handed to libarchive.
 */
#include "harness.h"
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>
#include "image/image_int.h"
#include "util/alloc.h"

typedef struct {
	const char *path;
	int type;          /* 'f' file, 'd' dir, 'l' symlink, 'h' hardlink, 'c' char dev, 'p' fifo */
	size_t size;
	const char *link;
	const char *data;  /* content, else size bytes */
	int xattr;         /* add a security.capability xattr (a pax header) */
} ent;

typedef struct {
	unsigned char *p;
	size_t len, cap;
} mem;

static void mem_put(mem *m, const void *d, size_t n)
{
	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2 + 4096;
		m->p = realloc(m->p, m->cap);
		assert_non_null(m->p);
	}
	memcpy(m->p + m->len, d, n);
	m->len += n;
}

static la_ssize_t mem_write(struct archive *a, void *cd, const void *buf, size_t n)
{
	(void)a;
	mem_put(cd, buf, n);
	return (la_ssize_t)n;
}

/* a tar in the given libarchive format */
static mem write_tar(int format, const ent *e, size_t n)
{
	mem m = {NULL, 0, 0};
	struct archive *a = archive_write_new();
	size_t i;
	assert_int_equal(archive_write_set_format(a, format), ARCHIVE_OK);
	archive_write_set_bytes_in_last_block(a, 1);
	assert_int_equal(archive_write_open(a, &m, NULL, mem_write, NULL), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		size_t sz = e[i].data ? strlen(e[i].data) : e[i].size;
		archive_entry_set_pathname(ae, e[i].path);
		archive_entry_set_mtime(ae, 1700000000, 0);
		archive_entry_set_perm(ae, 0644);
		switch (e[i].type) {
		case 'd': archive_entry_set_filetype(ae, AE_IFDIR); break;
		case 'l':
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_symlink(ae, e[i].link);
			break;
		case 'h':
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_hardlink(ae, e[i].link);
			break;
		case 'c':
			archive_entry_set_filetype(ae, AE_IFCHR);
			archive_entry_set_rdevmajor(ae, 1);
			archive_entry_set_rdevminor(ae, 3);
			break;
		case 'p': archive_entry_set_filetype(ae, AE_IFIFO); break;
		default:
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_size(ae, (la_int64_t)sz);
		}
		if (e[i].xattr)
			archive_entry_xattr_add_entry(ae, "security.capability", "\x01\x00\x00\x02", 4);
		assert_true(archive_write_header(a, ae) >= ARCHIVE_WARN);
		if (e[i].type == 'f' && sz) {
			char *d = malloc(sz);
			assert_non_null(d);
			if (e[i].data)
				memcpy(d, e[i].data, sz);
			else
				memset(d, 'x', sz);
			assert_int_equal(archive_write_data(a, d, sz), (la_ssize_t)sz);
			free(d);
		}
		archive_entry_free(ae);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return m;
}

/* ---- hand-made headers for the odd forms ---- */
static void octal_field(char *f, size_t n, uint64_t v)
{
	char tmp[40];
	snprintf(tmp, sizeof(tmp), "%0*llo", (int)n - 1, (unsigned long long)v);
	memcpy(f, tmp, n - 1);
	f[n - 1] = '\0';
}

static void raw_header(mem *m, const char *name, char type, uint64_t size, const char *link,
		       int gnu)
{
	char h[512];
	unsigned sum = 0;
	size_t i;
	memset(h, 0, sizeof(h));
	strncpy(h, name, 100);
	octal_field(h + 100, 8, 0644);
	octal_field(h + 108, 8, 0);
	octal_field(h + 116, 8, 0);
	octal_field(h + 124, 12, size);
	octal_field(h + 136, 12, 1700000000);
	h[156] = type;
	if (link)
		strncpy(h + 157, link, 100);
	memcpy(h + 257, gnu ? "ustar  \0" : "ustar\0" "00", 8);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	h[155] = ' ';
	mem_put(m, h, 512);
}

static void raw_data(mem *m, size_t n, char c)
{
	char blk[512];
	memset(blk, c, sizeof(blk));
	while (n) {
		size_t k = n < 512 ? n : 512;
		mem_put(m, blk, k);
		n -= k;
	}
	if (m->len % 512) {
		memset(blk, 0, sizeof(blk));
		mem_put(m, blk, 512 - m->len % 512);
	}
}

static void raw_pax(mem *m, const char *records)
{
	raw_header(m, "PaxHeader/x", 'x', strlen(records), NULL, 0);
	mem_put(m, records, strlen(records));
	raw_data(m, 0, 0);
}

static void raw_end(mem *m)
{
	char z[1024];
	memset(z, 0, sizeof(z));
	mem_put(m, z, sizeof(z));
}

/* ---- reading a layer both ways ---- */
typedef struct {
	int rc;
	atmo_error err;
	atmo_image__layer l;
	uint64_t total;
} outcome;

static char *to_file(const mem *m)
{
	static int seq;
	char *path = malloc(128);
	int fd;
	assert_non_null(path);
	snprintf(path, 128, "/tmp/atmo-test-walk-%d-%d.tar", (int)getpid(), seq++);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	if (m->len)
		assert_int_equal(write(fd, m->p, m->len), (ssize_t)m->len);
	close(fd);
	return path;
}

static void read_layer(outcome *o, const char *path, uint64_t claim, int flags,
		       unsigned long max_files, int stop_now)
{
	_Atomic uint64_t total;
	volatile int stop = stop_now;
	int fd = open(path, O_RDONLY);
	struct stat st;
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	memset(o, 0, sizeof(*o));
	atomic_init(&total, 0);
	/* the layer frees it with the library's allocator: made by it, outside the
	   failing allocations of make check-oom (a fixture) */
	test_oom_pause();
	o->l.member = atmo__strdup("layer.tar", NULL);
	test_oom_resume();
	assert_non_null(o->l.member);
	o->l.declared_size = UINT64_MAX;
	o->l.history = -1;
	o->l.range.fd = fd;
	o->l.range.len = claim ? claim : (uint64_t)st.st_size;
	o->rc = atmo_image__layer_read(&o->l, 0, 1, 3, max_files, &total, &stop, flags);
	o->err = o->l.err;
	o->total = atomic_load(&total);
	close(fd);
}

static void same(const outcome *a, const outcome *b)
{
	size_t i;
	assert_int_equal(a->rc, b->rc);
	assert_int_equal(a->err.code, b->err.code);
	assert_string_equal(a->err.text, b->err.text);
	assert_int_equal(a->total, b->total);
	if (a->rc < 0)
		return;
	assert_int_equal(a->l.n_entries, b->l.n_entries);
	for (i = 0; i < a->l.n_entries; i++) {
		assert_string_equal(a->l.entries[i].path, b->l.entries[i].path);
		assert_int_equal(a->l.entries[i].size, b->l.entries[i].size);
		assert_int_equal(a->l.entries[i].type, b->l.entries[i].type);
		assert_int_equal(a->l.entries[i].len, b->l.entries[i].len);
		assert_int_equal(a->l.entries[i].hash, b->l.entries[i].hash);
	}
	assert_int_equal(a->l.files, b->l.files);
	assert_int_equal(a->l.size, b->l.size);
	assert_int_equal(a->l.whiteouts, b->l.whiteouts);
	assert_int_equal(a->l.opaque_dirs, b->l.opaque_dirs);
	assert_int_equal(a->l.tar_size, b->l.tar_size);
	assert_int_equal(a->l.n_largest, b->l.n_largest);
	for (i = 0; i < a->l.n_largest; i++)
		assert_int_equal(a->l.largest[i], b->l.largest[i]);
	assert_int_equal(a->l.n_dpkg, b->l.n_dpkg);
	for (i = 0; i < a->l.n_dpkg; i++) {
		assert_string_equal(a->l.dpkg[i].name, b->l.dpkg[i].name);
		assert_int_equal(a->l.dpkg[i].len, b->l.dpkg[i].len);
		assert_memory_equal(a->l.dpkg[i].data, b->l.dpkg[i].data, a->l.dpkg[i].len);
	}
	assert_string_equal(a->l.media_type, b->l.media_type);
}

static int count_entry(void *ctx, const atmo_image__tarent *e)
{
	(void)e;
	(*(size_t *)ctx)++;
	return 0;
}

/* what the walker alone says: 0 walked, ATMO_IMAGE__TAR_FALLBACK */
static int walker_says(const char *path, uint64_t claim)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	size_t n = 0;
	uint64_t ts = 0;
	int rc;
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	rc = atmo_image__tar_walk(fd, 0, claim ? claim : (uint64_t)st.st_size, count_entry, &n, &ts);
	close(fd);
	return rc;
}

/* both readers agree; the walker walks it (expect 0) or leaves it to libarchive (1);
 * returns the walker's outcome's rc */
static int check_ex(const mem *m, int expect, uint64_t claim, unsigned long max_files,
		    outcome *keep)
{
	char *path = to_file(m);
	outcome fast, slow;
	int rc;
	assert_int_equal(walker_says(path, claim), expect);
	read_layer(&fast, path, claim, 0, max_files, 0);
	read_layer(&slow, path, claim, ATMO_IMAGE__READ_LIBARCHIVE, max_files, 0);
	same(&fast, &slow);
	rc = fast.rc;
	if (keep)
		*keep = fast;
	else
		atmo_image__layer_free(&fast.l);
	atmo_image__layer_free(&slow.l);
	unlink(path);
	free(path);
	return rc;
}

static int check(const mem *m, int expect)
{
	return check_ex(m, expect, 0, 100000, NULL);
}

static const char dpkg_status[] =
	"Package: base-files\nStatus: install ok installed\nVersion: 12.4\n"
	"Installed-Size: 391\n\nPackage: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13\n";

static const ent common[] = {
	{"./", 'd', 0, NULL, NULL, 0},
	{"usr/", 'd', 0, NULL, NULL, 0},
	{"usr/bin/", 'd', 0, NULL, NULL, 0},
	{"usr/bin/tool", 'f', 5000, NULL, NULL, 1},
	{"usr/bin/empty", 'f', 0, NULL, NULL, 0},
	{"usr/bin/one", 'f', 1, NULL, NULL, 0},
	{"usr/bin/block", 'f', 512, NULL, NULL, 0},
	{"usr/bin/block1", 'f', 513, NULL, NULL, 0},
	{"usr/bin/link", 'l', 0, "tool", NULL, 0},
	{"usr/bin/hard", 'h', 0, "usr/bin/tool", NULL, 0},
	{"dev/null", 'c', 0, NULL, NULL, 0},
	{"run/fifo", 'p', 0, NULL, NULL, 0},
	{"etc/.wh.old.conf", 'f', 0, NULL, NULL, 0},
	{"opt/.wh..wh..opq", 'f', 0, NULL, NULL, 0},
	{".wh..wh.plnk", 'd', 0, NULL, NULL, 0},
	{"var/lib/dpkg/status", 'f', 0, NULL, dpkg_status, 0},
	{"usr/share/a/rather/long/directory/name/that/needs/the/ustar/prefix/field/to/hold/it/all/file.txt",
	 'f', 100, NULL, NULL, 0},
	{"usr/share/0123456789012345678901234567890123456789012345678901234567890123456789/"
	 "0123456789012345678901234567890123456789012345678901234567890123456789/"
	 "0123456789012345678901234567890123456789012345678901234567890123456789/"
	 "0123456789012345678901234567890123456789012345678901234567890123456789/far.txt",
	 'f', 2000, NULL, NULL, 0},
};

static const ent short_names[] = {
	{"usr/", 'd', 0, NULL, NULL, 0},
	{"usr/bin/tool", 'f', 5000, NULL, NULL, 0},
	{"usr/bin/link", 'l', 0, "tool", NULL, 0},
	{"usr/bin/hard", 'h', 0, "usr/bin/tool", NULL, 0},
	{"var/lib/dpkg/status", 'f', 0, NULL, dpkg_status, 0},
	{"etc/.wh.gone", 'f', 0, NULL, NULL, 0},
};

#define N(x) (sizeof(x) / sizeof((x)[0]))

/* the forms image builders write: pax (restricted and full), ustar, GNU (long names as 'L') */
static void test_walked_forms(void **state)
{
	int formats[] = {ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE,
			 ARCHIVE_FORMAT_TAR_GNUTAR};
	size_t f;
	mem m;
	outcome o;
	(void)state;
	for (f = 0; f < N(formats); f++) {
		m = write_tar(formats[f], common, N(common));
		assert_int_equal(check_ex(&m, 0, 0, 100000, &o), 0);
		/* the figures themselves, not only their agreement */
		assert_int_equal(o.l.whiteouts, 1);
		assert_int_equal(o.l.opaque_dirs, 1);
		assert_int_equal(o.l.n_dpkg, 1);
		assert_int_equal(o.l.dpkg[0].len, strlen(dpkg_status));
		assert_int_equal(o.l.size, 5000 + 1 + 512 + 513 + strlen(dpkg_status) + 100 + 2000);
		assert_int_equal(o.l.tar_size % 512, 0);
		atmo_image__layer_free(&o.l);
		free(m.p);
	}
	m = write_tar(ARCHIVE_FORMAT_TAR_USTAR, short_names, N(short_names));
	assert_int_equal(check(&m, 0), 0);
	free(m.p);
}

/* names are the archive's bytes: raw in ustar and GNU headers (walked), UTF-8 in a pax
 * path (left to libarchive's charset conversion); both readers give the same bytes */
static void test_non_ascii_names(void **state)
{
	static const ent names[] = {
		{"caf\xc3\xa9/\xc3\xbc.txt", 'f', 10, NULL, NULL, 0},
		{"raw\xff\xfe.bin", 'f', 3, NULL, NULL, 0},
		{"\xe6\x97\xa5\xe6\x9c\xac/", 'd', 0, NULL, NULL, 0},
	};
	mem m;
	outcome o;
	(void)state;
	m = write_tar(ARCHIVE_FORMAT_TAR_USTAR, names, N(names));
	assert_int_equal(check_ex(&m, 0, 0, 100000, &o), 0);
	assert_string_equal(o.l.entries[0].path, "caf\xc3\xa9/\xc3\xbc.txt");
	assert_string_equal(o.l.entries[1].path, "raw\xff\xfe.bin");
	assert_string_equal(o.l.entries[2].path, "\xe6\x97\xa5\xe6\x9c\xac");
	atmo_image__layer_free(&o.l);
	free(m.p);
	m = write_tar(ARCHIVE_FORMAT_TAR_GNUTAR, names, N(names));
	assert_int_equal(check(&m, 0), 0);
	free(m.p);
	/* a pax "path" with UTF-8 in it */
	m.p = NULL;
	m.len = m.cap = 0;
	raw_pax(&m, "26 path=caf\xc3\xa9/\xc3\xbc-long.txt\n");
	raw_header(&m, "cafe/u-long.txt", '0', 4, NULL, 0);
	raw_data(&m, 4, 'y');
	raw_end(&m);
	assert_int_equal(check_ex(&m, ATMO_IMAGE__TAR_FALLBACK, 0, 100000, &o), 0);
	assert_string_equal(o.l.entries[0].path, "caf\xc3\xa9/\xc3\xbc-long.txt");
	atmo_image__layer_free(&o.l);
	free(m.p);
}

/* forms the walker leaves to libarchive; both readers still agree */
static void test_odd_forms_fall_back(void **state)
{
	mem m;
	outcome o;
	(void)state;
	/* GNU long link name ('K') */
	{
		static const ent e[] = {
			{"a", 'f', 1, NULL, NULL, 0},
			{"b", 'l', 0, "0123456789012345678901234567890123456789012345678901234567890123456789"
				      "0123456789012345678901234567890123456789012345678901234567890123456789",
			 NULL, 0},
		};
		m = write_tar(ARCHIVE_FORMAT_TAR_GNUTAR, e, N(e));
		assert_int_equal(check(&m, ATMO_IMAGE__TAR_FALLBACK), 0);
		free(m.p);
	}
	/* pax "size" (files over 8 GiB), GNU.sparse, global headers, unknown keys */
	{
		static const char *recs[] = {"9 size=7\n", "30 GNU.sparse.name=real.txt\n",
					     "25 APPLE.something=1234\n"};
		size_t i;
		for (i = 0; i < N(recs); i++) {
			m.p = NULL;
			m.len = m.cap = 0;
			raw_pax(&m, recs[i]);
			raw_header(&m, "f.txt", '0', 7, NULL, 0);
			raw_data(&m, 7, 'z');
			raw_end(&m);
			assert_int_equal(check(&m, ATMO_IMAGE__TAR_FALLBACK), 0);
			free(m.p);
		}
	}
	/* a pax linkpath on a regular file (a hard link for some libarchive versions) */
	m.p = NULL;
	m.len = m.cap = 0;
	raw_pax(&m, "18 linkpath=other\n");
	raw_header(&m, "f.txt", '0', 0, NULL, 0);
	raw_end(&m);
	assert_int_equal(check(&m, ATMO_IMAGE__TAR_FALLBACK), 0);
	free(m.p);
	/* binary extended attributes are walked; a NUL anywhere else is libarchive's */
	{
		static const char xa[] = "41 SCHILY.xattr.security.capability=\x01\x00\x00\x02\n"
					 "27 path=renamed-by-pax.txt\n";
		static const char bad[] = "17 comment=a\x00" "bcd\n";
		m.p = NULL;
		m.len = m.cap = 0;
		raw_header(&m, "PaxHeader/x", 'x', sizeof(xa) - 1, NULL, 0);
		mem_put(&m, xa, sizeof(xa) - 1);
		raw_data(&m, 0, 0);
		raw_header(&m, "orig.txt", '0', 3, NULL, 0);
		raw_data(&m, 3, 'c');
		raw_end(&m);
		assert_int_equal(check_ex(&m, 0, 0, 100000, &o), 0);
		assert_string_equal(o.l.entries[0].path, "renamed-by-pax.txt");
		atmo_image__layer_free(&o.l);
		free(m.p);
		m.p = NULL;
		m.len = m.cap = 0;
		raw_header(&m, "PaxHeader/x", 'x', sizeof(bad) - 1, NULL, 0);
		mem_put(&m, bad, sizeof(bad) - 1);
		raw_data(&m, 0, 0);
		raw_header(&m, "orig.txt", '0', 3, NULL, 0);
		raw_data(&m, 3, 'c');
		raw_end(&m);
		assert_int_equal(check(&m, ATMO_IMAGE__TAR_FALLBACK), 0);
		free(m.p);
	}
	/* a hard link with a body, a GNU sparse file, a global pax header, an unknown type */
	{
		static const char types[] = {'1', 'S', 'g', 'Z'};
		size_t i;
		for (i = 0; i < N(types); i++) {
			m.p = NULL;
			m.len = m.cap = 0;
			raw_header(&m, "a.txt", '0', 3, NULL, 0);
			raw_data(&m, 3, 'a');
			raw_header(&m, "odd", types[i], 10, "a.txt", types[i] == 'S');
			raw_data(&m, 10, 'o');
			raw_header(&m, "z.txt", '0', 2, NULL, 0);
			raw_data(&m, 2, 'z');
			raw_end(&m);
			check(&m, ATMO_IMAGE__TAR_FALLBACK);
			free(m.p);
		}
	}
	/* a "regular file" named with a trailing slash: a directory; with a body: libarchive */
	m.p = NULL;
	m.len = m.cap = 0;
	raw_header(&m, "adir/", '0', 0, NULL, 0);
	raw_end(&m);
	assert_int_equal(check_ex(&m, 0, 0, 100000, &o), 0);
	assert_int_equal(o.l.entries[0].type, IMG_E_DIR);
	atmo_image__layer_free(&o.l);
	free(m.p);
	m.p = NULL;
	m.len = m.cap = 0;
	raw_header(&m, "adir/", '0', 5, NULL, 0);
	raw_data(&m, 5, 'q');
	raw_end(&m);
	check(&m, ATMO_IMAGE__TAR_FALLBACK);
	free(m.p);
	/* a directory header with a size (and a body after it) */
	m.p = NULL;
	m.len = m.cap = 0;
	raw_header(&m, "dir", '5', 600, NULL, 0);
	raw_data(&m, 600, 'd');
	raw_header(&m, "after.txt", '0', 2, NULL, 0);
	raw_data(&m, 2, 'a');
	raw_end(&m);
	check(&m, ATMO_IMAGE__TAR_FALLBACK);
	free(m.p);
	/* a base-256 size */
	m.p = NULL;
	m.len = m.cap = 0;
	raw_header(&m, "b.txt", '0', 0, NULL, 0);
	m.p[124] = (char)0x80;
	{
		unsigned sum = 0;
		size_t i;
		memset(m.p + 148, ' ', 8);
		for (i = 0; i < 512; i++)
			sum += m.p[i];
		snprintf((char *)m.p + 148, 8, "%06o", sum);
		m.p[155] = ' ';
	}
	raw_end(&m);
	check(&m, ATMO_IMAGE__TAR_FALLBACK);
	free(m.p);
}

/* the end of the archive: with and without its zero blocks, garbage after them */
static void test_archive_ends(void **state)
{
	mem m;
	char junk[512];
	outcome o;
	(void)state;
	memset(junk, 'J', sizeof(junk));
	/* no zero blocks at all: ends at a block boundary */
	m.p = NULL;
	m.len = m.cap = 0;
	raw_header(&m, "a.txt", '0', 700, NULL, 0);
	raw_data(&m, 700, 'a');
	assert_int_equal(check_ex(&m, 0, 0, 100000, &o), 0);
	assert_int_equal(o.l.tar_size, 1536);
	atmo_image__layer_free(&o.l);
	/* one zero block */
	{
		char z[512];
		memset(z, 0, sizeof(z));
		mem_put(&m, z, 512);
		assert_int_equal(check_ex(&m, 0, 0, 100000, &o), 0);
		assert_int_equal(o.l.tar_size, 2048);
		atmo_image__layer_free(&o.l);
		/* a zero block then garbage: libarchive's rules */
		mem_put(&m, junk, 512);
		check(&m, ATMO_IMAGE__TAR_FALLBACK);
		m.len -= 512;
		mem_put(&m, z, 512);
	}
	/* two zero blocks, then garbage that no reader looks at */
	mem_put(&m, junk, 512);
	assert_int_equal(check_ex(&m, 0, 0, 100000, &o), 0);
	assert_int_equal(o.l.tar_size, 2560);
	atmo_image__layer_free(&o.l);
	free(m.p);
	/* an empty blob */
	m.p = NULL;
	m.len = m.cap = 0;
	assert_int_equal(check_ex(&m, 0, 0, 100000, &o), 0);
	assert_int_equal(o.l.n_entries, 0);
	assert_int_equal(o.l.tar_size, 0);
	atmo_image__layer_free(&o.l);
}

/* truncated and damaged layers: the walker hands them to libarchive, whose error the
 * reader reports, the same as before the walker existed */
static void test_broken_layers(void **state)
{
	mem m = write_tar(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, common, N(common));
	mem cut;
	outcome o;
	size_t at[] = {100, 512 * 3 + 17, m.len / 2, m.len - 1024 - 7};
	size_t i;
	(void)state;
	for (i = 0; i < N(at); i++) {
		cut.p = m.p;
		cut.len = at[i];
		assert_int_equal(check_ex(&cut, ATMO_IMAGE__TAR_FALLBACK, 0, 100000, &o) < 0, 1);
		assert_string_equal(o.err.source, "layer layer.tar");
		atmo_image__layer_free(&o.l);
	}
	/* cut in the middle of a file's data: "broken or truncated layer" */
	cut.p = m.p;
	cut.len = 512 * 6 + 100;
	assert_int_equal(check_ex(&cut, ATMO_IMAGE__TAR_FALLBACK, 0, 100000, &o), ATMO_EINVALID);
	assert_non_null(strstr(o.err.text, "broken or truncated layer"));
	atmo_image__layer_free(&o.l);
	/* a damaged checksum in the third header */
	{
		mem d = {NULL, 0, 0};
		raw_header(&d, "a.txt", '0', 3, NULL, 0);
		raw_data(&d, 3, 'a');
		raw_header(&d, "b.txt", '0', 3, NULL, 0);
		raw_data(&d, 3, 'b');
		raw_header(&d, "c.txt", '0', 3, NULL, 0);
		raw_data(&d, 3, 'c');
		raw_end(&d);
		d.p[2048 + 148] = '7';
		assert_int_equal(check(&d, ATMO_IMAGE__TAR_FALLBACK), ATMO_EINVALID);
		free(d.p);
	}
	/* the file shrank after its table was made: the range runs past its end */
	cut.p = m.p;
	cut.len = m.len / 2;
	assert_int_equal(check_ex(&cut, ATMO_IMAGE__TAR_FALLBACK, m.len, 100000, &o), ATMO_EINVALID);
	assert_non_null(strstr(o.err.text, "unexpected end of file"));
	atmo_image__layer_free(&o.l);
	free(m.p);
}

/* semantic errors found while walking: same code, same message, same entry */
static void test_errors_while_walking(void **state)
{
	mem m;
	(void)state;
	m.p = NULL;
	m.len = m.cap = 0;
	raw_header(&m, "ok.txt", '0', 1, NULL, 0);
	raw_data(&m, 1, 'o');
	raw_header(&m, "../escape", '0', 1, NULL, 0);
	raw_data(&m, 1, 'e');
	raw_end(&m);
	assert_int_equal(check_ex(&m, 0, 0, 100000, NULL), ATMO_EINVALID);
	free(m.p);
	m.p = NULL;
	m.len = m.cap = 0;
	raw_header(&m, "/abs", '5', 0, NULL, 0);
	raw_end(&m);
	assert_int_equal(check_ex(&m, 0, 0, 100000, NULL), ATMO_EINVALID);
	free(m.p);
	/* an absurd size, past the end of the blob (the walker leaves it to libarchive) */
	m.p = NULL;
	m.len = m.cap = 0;
	raw_header(&m, "huge", '0', (uint64_t)1 << 34, NULL, 0);
	raw_end(&m);
	assert_int_equal(check(&m, ATMO_IMAGE__TAR_FALLBACK), ATMO_EINVALID);
	free(m.p);
	/* a cancelled read */
	{
		char *path;
		outcome a, b;
		m = write_tar(ARCHIVE_FORMAT_TAR_USTAR, short_names, N(short_names));
		path = to_file(&m);
		read_layer(&a, path, 0, 0, 100000, 1);
		read_layer(&b, path, 0, ATMO_IMAGE__READ_LIBARCHIVE, 100000, 1);
		assert_int_equal(a.rc, ATMO_ECANCELLED);
		assert_int_equal(b.rc, ATMO_ECANCELLED);
		atmo_image__layer_free(&a.l);
		atmo_image__layer_free(&b.l);
		unlink(path);
		free(path);
		free(m.p);
	}
}

/* the entry limit trips at the same entry; a fallback gives back what the walker counted */
static void test_limit_and_counter(void **state)
{
	ent *many = calloc(700, sizeof(*many));
	char (*names)[32] = calloc(700, 32);
	mem m;
	size_t i;
	outcome o;
	(void)state;
	for (i = 0; i < 700; i++) {
		snprintf(names[i], 32, "d/f%04zu", i);
		many[i].path = names[i];
		many[i].type = 'f';
		many[i].size = i % 3 ? 0 : 600;
	}
	m = write_tar(ARCHIVE_FORMAT_TAR_USTAR, many, 700);
	assert_int_equal(check_ex(&m, 0, 0, 699, &o), ATMO_ELIMIT);
	assert_non_null(strstr(o.err.text, "more than 699 entries"));
	assert_int_equal(o.total, 700);
	atmo_image__layer_free(&o.l);
	assert_int_equal(check_ex(&m, 0, 0, 5, &o), ATMO_ELIMIT);
	assert_int_equal(o.total, 6);
	atmo_image__layer_free(&o.l);
	assert_int_equal(check_ex(&m, 0, 0, 700, &o), 0);
	assert_int_equal(o.total, 700);
	atmo_image__layer_free(&o.l);
	/* a GNU sparse entry after 700 walked ones: the walker's count is given back */
	m.len -= 1024;
	while (m.len % 512)
		m.len--;
	{
		/* drop libarchive's padding of the last block too */
		char *path;
		outcome fast;
		raw_header(&m, "sparse", 'S', 0, NULL, 1);
		raw_end(&m);
		path = to_file(&m);
		assert_int_equal(walker_says(path, 0), ATMO_IMAGE__TAR_FALLBACK);
		read_layer(&fast, path, 0, 0, 100000, 0);
		assert_int_equal(fast.rc, 0);
		assert_int_equal(fast.total, 701);
		assert_int_equal(fast.l.n_entries, 701);
		atmo_image__layer_free(&fast.l);
		unlink(path);
		free(path);
	}
	free(m.p);
	free(many);
	free(names);
}

static void on_alarm(int sig)
{
	static const char msg[] = "test_fifo_refused: atmo_image_open blocked on a FIFO\n";
	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

/* a FIFO is refused at once, not opened (which blocks until a writer comes) */
static void test_fifo_refused(void **state)
{
	char dir[] = "/tmp/atmo-test-fifo-XXXXXX";
	char p[256], blob[512];
	atmo_image *img = NULL;
	atmo_error err;
	FILE *f;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/image.tar", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	signal(SIGALRM, on_alarm);
	alarm(20);
	atmo_error_clear(&err);
	assert_int_equal(atmo_image_open(&img, p, NULL, &err), ATMO_EINVALID);
	assert_null(img);
	assert_non_null(strstr(err.text, "an image is a directory or a tar file"));
	unlink(p);
	/* an OCI layout whose layer blob is a FIFO */
	snprintf(p, sizeof(p), "%s/blobs", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/blobs/sha256", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/oci-layout", dir);
	f = fopen(p, "w");
	fputs("{\"imageLayoutVersion\":\"1.0.0\"}", f);
	fclose(f);
	{
		char man[1024], cfg[512];
		snprintf(cfg, sizeof(cfg), "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":"
			 "{\"type\":\"layers\",\"diff_ids\":[\"sha256:%064d\"]}}", 3);
		snprintf(man, sizeof(man), "{\"schemaVersion\":2,\"config\":{\"mediaType\":"
			 "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:%064d\","
			 "\"size\":%zu},\"layers\":[{\"mediaType\":"
			 "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:%064d\","
			 "\"size\":0}]}", 2, strlen(cfg), 3);
		snprintf(p, sizeof(p), "%s/index.json", dir);
		f = fopen(p, "w");
		fprintf(f, "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
			"\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:%064d\","
			"\"size\":%zu}]}", 1, strlen(man));
		fclose(f);
		snprintf(p, sizeof(p), "%s/blobs/sha256/%064d", dir, 1);
		f = fopen(p, "w");
		fputs(man, f);
		fclose(f);
		snprintf(p, sizeof(p), "%s/blobs/sha256/%064d", dir, 2);
		f = fopen(p, "w");
		fputs(cfg, f);
		fclose(f);
	}
	snprintf(blob, sizeof(blob), "%s/blobs/sha256/%064d", dir, 3);
	assert_int_equal(mkfifo(blob, 0600), 0);
	atmo_error_clear(&err);
	assert_int_equal(atmo_image_open(&img, dir, NULL, &err), ATMO_EINVALID);
	assert_null(img);
	assert_non_null(strstr(err.text, "is not a regular file"));
	alarm(0);
	unlink(blob);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
}

/* the map: keys given by length and hash, prefixes of longer strings, growth */
static void test_map(void **state)
{
	atmo__map m = {0};
	const char *s = "usr/share/doc/pkg/copyright";
	size_t *v, i;
	char (*keys)[16] = calloc(5000, 16);
	(void)state;
	assert_int_equal(atmo__map_put(&m, s, strlen(s), atmo__map_hash(s, strlen(s)), 7, NULL,
				       NULL), 0);
	/* "usr/share" as the first 9 bytes of s is not the key s */
	assert_null(atmo__map_find(&m, s, 9, atmo__map_hash(s, 9)));
	v = atmo__map_find(&m, s, strlen(s), atmo__map_hash(s, strlen(s)));
	assert_non_null(v);
	assert_int_equal(*v, 7);
	assert_int_equal(atmo__map_reserve(&m, 3000, NULL), 0);
	for (i = 0; i < 5000; i++) {
		snprintf(keys[i], 16, "k%zu", i);
		assert_int_equal(atmo__map_set(&m, keys[i], i, NULL), 0);
	}
	for (i = 0; i < 5000; i += 2)
		atmo__map_del(&m, keys[i]);
	for (i = 0; i < 5000; i++) {
		v = atmo__map_get(&m, keys[i]);
		if (i % 2)
			assert_true(v && *v == i);
		else
			assert_null(v);
	}
	assert_int_equal(m.n, 2501);
	/* the hash mixes every byte into the low bits */
	assert_true((atmo__map_hash("usr/share/a", 11) & 0xfff) !=
		    (atmo__map_hash("usr/share/b", 11) & 0xfff) ||
		    (atmo__map_hash("usr/share/a", 11) >> 32) !=
		    (atmo__map_hash("usr/share/b", 11) >> 32));
	atmo__map_free(&m);
	free(keys);
}

/* ---- gzip layers: ISA-L (when built with it) against libarchive's gzip filter ---- */
static mem gzip_bytes(const unsigned char *d, size_t n)
{
	mem m = {NULL, 0, 0};
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
	assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	archive_write_set_bytes_in_last_block(a, 1);
	assert_int_equal(archive_write_open(a, &m, NULL, mem_write, NULL), ARCHIVE_OK);
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_pathname(ae, "raw");
	assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
	if (n)
		assert_int_equal(archive_write_data(a, d, n), (la_ssize_t)n);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(ae);
	return m;
}

/* does the ISA-L inflater take this blob as clean gzip (1), or leave it (0)? */
static int gz_clean(const mem *m)
{
	char *path = to_file(m);
	int fd = open(path, O_RDONLY), ok = 0;
	atmo_image__gz *gz = NULL;
	assert_true(fd >= 0);
	if (atmo_image__gz_new(&gz, fd, 0, m->len) == 0)
		ok = atmo_image__gz_finish(gz) == 0;
	atmo_image__gz_free(gz);
	close(fd);
	unlink(path);
	free(path);
	return ok;
}

/* both readers agree on a gzip blob (the walker is not involved: expect is unused) */
static int check_gz(const mem *m, int clean, unsigned long max_files, outcome *keep)
{
	char *path = to_file(m);
	outcome fast, slow;
	int rc;
#ifdef ATMO_HAVE_ISAL
	assert_int_equal(gz_clean(m), clean);
#else
	(void)clean;
	assert_int_equal(gz_clean(m), 0);
#endif
	read_layer(&fast, path, 0, 0, max_files, 0);
	read_layer(&slow, path, 0, ATMO_IMAGE__READ_LIBARCHIVE, max_files, 0);
	same(&fast, &slow);
	rc = fast.rc;
	if (keep)
		*keep = fast;
	else
		atmo_image__layer_free(&fast.l);
	atmo_image__layer_free(&slow.l);
	unlink(path);
	free(path);
	return rc;
}

static void test_gzip_layers(void **state)
{
	mem t = write_tar(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, common, N(common));
	mem g = gzip_bytes(t.p, t.len), two, bad;
	outcome o;
	size_t half = t.len / 2;
	(void)state;
	assert_int_equal(check_gz(&g, 1, 100000, &o), 0);
	assert_int_equal(o.l.n_dpkg, 1);
	assert_int_equal(o.l.whiteouts, 1);
	assert_string_equal(o.l.media_type, "application/vnd.docker.image.rootfs.diff.tar.gzip");
	atmo_image__layer_free(&o.l);
	/* the limit, and the count given back when ISA-L's reading is not kept */
	assert_int_equal(check_gz(&g, 1, 4, &o), ATMO_ELIMIT);
	assert_int_equal(o.total, 5);
	atmo_image__layer_free(&o.l);
	/* two members, the tar split between them (as pigz and some registries write) */
	{
		mem a = gzip_bytes(t.p, half), b = gzip_bytes(t.p + half, t.len - half);
		two.p = NULL;
		two.len = two.cap = 0;
		mem_put(&two, a.p, a.len);
		mem_put(&two, b.p, b.len);
		free(a.p);
		free(b.p);
	}
	assert_int_equal(check_gz(&two, 1, 100000, NULL), 0);
	/* bytes after the last member: libarchive's rules */
	mem_put(&two, "JUNKJUNK", 8);
	check_gz(&two, 0, 100000, NULL);
	free(two.p);
	/* truncated in the middle and in the trailer */
	bad = g;
	bad.len = g.len / 2;
	assert_true(check_gz(&bad, 0, 100000, &o) < 0);
	assert_non_null(strstr(o.err.text, "layer"));
	atmo_image__layer_free(&o.l);
	bad.len = g.len - 3;
	check_gz(&bad, 0, 100000, NULL);
	/* a damaged byte in the deflate data, a wrong CRC (libarchive does not check it) */
	bad.p = malloc(g.len);
	memcpy(bad.p, g.p, g.len);
	bad.len = g.len;
	bad.p[g.len / 2] ^= 0x55;
	check_gz(&bad, 0, 100000, NULL);
	memcpy(bad.p, g.p, g.len);
	bad.p[g.len - 6] ^= 1;
	assert_int_equal(check_gz(&bad, 0, 100000, NULL), 0);
	/* reserved header flags */
	memcpy(bad.p, g.p, g.len);
	bad.p[3] |= 0x80;
	check_gz(&bad, 0, 100000, NULL);
	free(bad.p);
	/* an empty tar, gzipped */
	free(g.p);
	g = gzip_bytes(t.p, 0);
	check_gz(&g, 1, 100000, NULL);
	free(g.p);
	free(t.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walked_forms),
		cmocka_unit_test(test_non_ascii_names),
		cmocka_unit_test(test_odd_forms_fall_back),
		cmocka_unit_test(test_archive_ends),
		cmocka_unit_test(test_broken_layers),
		cmocka_unit_test(test_errors_while_walking),
		cmocka_unit_test(test_limit_and_counter),
		cmocka_unit_test(test_fifo_refused),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_gzip_layers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
