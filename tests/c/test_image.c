/* Image reader: fixtures written here with libarchive and jansson, figures by hand. */
#include "harness.h"
#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>
#include "atmograph/image.h"
#include "util/hash.h"

typedef struct {
	const char *path;
	int type;        /* 'f' file, 'd' dir, 'l' symlink, 'h' hardlink */
	size_t size;
	const char *link;
	const char *data; /* content, else `size` bytes of 'x' */
} ent;

/* a layer tar (compressed with `filter`: 0 none, 1 gzip, 2 zstd) into a malloc'd buffer */
static unsigned char *make_layer(const ent *e, size_t n, int filter, size_t *len, char diff_hex[65])
{
	size_t cap = 4 << 20, used = 0, i;
	unsigned char *buf = malloc(cap), *raw = malloc(cap);
	struct archive *a;
	size_t raw_used = 0;
	assert_non_null(buf);
	assert_non_null(raw);
	for (int pass = 0; pass < 2; pass++) {
		a = archive_write_new();
		archive_write_set_format_pax_restricted(a);
		if (pass == 1 && filter == 1)
			archive_write_add_filter_gzip(a);
		if (pass == 1 && filter == 2)
			archive_write_add_filter_zstd(a);
		archive_write_set_bytes_in_last_block(a, 1);
		assert_int_equal(archive_write_open_memory(a, pass ? buf : raw, cap,
							   pass ? &used : &raw_used), ARCHIVE_OK);
		for (i = 0; i < n; i++) {
			struct archive_entry *ae = archive_entry_new();
			archive_entry_set_pathname(ae, e[i].path);
			archive_entry_set_mtime(ae, 1700000000, 0);
			archive_entry_set_perm(ae, 0644);
			if (e[i].type == 'd') {
				archive_entry_set_filetype(ae, AE_IFDIR);
			} else if (e[i].type == 'l') {
				archive_entry_set_filetype(ae, AE_IFLNK);
				archive_entry_set_symlink(ae, e[i].link);
			} else if (e[i].type == 'h') {
				archive_entry_set_filetype(ae, AE_IFREG);
				archive_entry_set_hardlink(ae, e[i].link);
			} else {
				size_t sz = e[i].data ? strlen(e[i].data) : e[i].size;
				archive_entry_set_filetype(ae, AE_IFREG);
				archive_entry_set_size(ae, (la_int64_t)sz);
			}
			assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
			if (e[i].type == 'f') {
				size_t sz = e[i].data ? strlen(e[i].data) : e[i].size;
				char *d = malloc(sz + 1);
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
	}
	atmo__sha256_hex(raw, raw_used, diff_hex, NULL);
	free(raw);
	*len = used;
	return buf;
}

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char p[1024];
	FILE *f;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void write_blob(const char *dir, const void *data, size_t len, char hex[65])
{
	char name[128];
	atmo__sha256_hex(data, len, hex, NULL);
	snprintf(name, sizeof(name), "blobs/sha256/%s", hex);
	write_file(dir, name, data, len);
}

/* an OCI layout with the given layers; history: one entry per layer plus an empty one */
static void make_layout(const char *dir, unsigned char **blobs, size_t *lens, char diffs[][65],
			size_t n, int filter)
{
	char p[1024], hex[65], chex[65];
	json_t *cfg = json_object(), *ids = json_array(), *hist = json_array(), *man, *layers;
	char *s;
	size_t i;
	static const char *mt[] = { "application/vnd.oci.image.layer.v1.tar",
				    "application/vnd.oci.image.layer.v1.tar+gzip",
				    "application/vnd.oci.image.layer.v1.tar+zstd" };
	snprintf(p, sizeof(p), "%s/blobs", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/blobs/sha256", dir);
	mkdir(p, 0755);
	write_file(dir, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
	layers = json_array();
	for (i = 0; i < n; i++) {
		char d[80];
		snprintf(d, sizeof(d), "sha256:%s", diffs[i]);
		json_array_append_new(ids, json_string(d));
		json_array_append_new(hist, json_pack("{s:s}", "created_by",
						      i == 0 ? "/bin/sh -c #(nop) ADD file:x in / "
							     : "/bin/sh -c echo step"));
		write_blob(dir, blobs[i], lens[i], hex);
		snprintf(d, sizeof(d), "sha256:%s", hex);
		json_array_append_new(layers, json_pack("{s:s,s:s,s:I}", "mediaType", mt[filter],
							"digest", d, "size", (json_int_t)lens[i]));
	}
	json_array_append_new(hist, json_pack("{s:s,s:b}", "created_by",
					      "/bin/sh -c #(nop)  CMD [\"x\"]", "empty_layer", 1));
	json_object_set_new(cfg, "architecture", json_string("amd64"));
	json_object_set_new(cfg, "os", json_string("linux"));
	json_object_set_new(cfg, "rootfs", json_pack("{s:s,s:o}", "type", "layers", "diff_ids", ids));
	json_object_set_new(cfg, "history", hist);
	s = json_dumps(cfg, JSON_COMPACT);
	write_blob(dir, s, strlen(s), chex);
	man = json_pack("{s:i,s:s,s:{s:s,s:s,s:I},s:o}", "schemaVersion", 2, "mediaType",
			"application/vnd.oci.image.manifest.v1+json", "config", "mediaType",
			"application/vnd.oci.image.config.v1+json", "digest", "", "size",
			(json_int_t)strlen(s), "layers", layers);
	{
		char d[80];
		snprintf(d, sizeof(d), "sha256:%s", chex);
		json_object_set_new(json_object_get(man, "config"), "digest", json_string(d));
	}
	atmo_free(s);
	s = json_dumps(man, JSON_COMPACT);
	write_blob(dir, s, strlen(s), hex);
	{
		char d[80];
		json_t *idx;
		char *is;
		snprintf(d, sizeof(d), "sha256:%s", hex);
		idx = json_pack("{s:i,s:[{s:s,s:s,s:I,s:{s:s}}]}", "schemaVersion", 2, "manifests",
				"mediaType", "application/vnd.oci.image.manifest.v1+json", "digest", d,
				"size", (json_int_t)strlen(s), "annotations",
				"org.opencontainers.image.ref.name", "latest");
		is = json_dumps(idx, JSON_COMPACT);
		write_file(dir, "index.json", is, strlen(is));
		atmo_free(is);
		json_decref(idx);
	}
	atmo_free(s);
	json_decref(man);
	json_decref(cfg);
}

static const ent L0[] = {
	{ "etc", 'd', 0, NULL, NULL }, { "etc/a", 'f', 1000, NULL, NULL },
	{ "etc/b", 'f', 300, NULL, NULL }, { "etc/link", 'l', 0, "a", NULL },
	{ "etc/hard", 'h', 0, "etc/a", NULL }, { "var", 'd', 0, NULL, NULL },
	{ "var/d", 'd', 0, NULL, NULL }, { "var/d/x", 'f', 70, NULL, NULL },
	{ "var/d/y", 'f', 30, NULL, NULL },
	{ "var/lib/dpkg/status", 'f', 0, NULL,
	  "Package: zlib1g\nStatus: install ok installed\nVersion: 1.2.13\nInstalled-Size: 100\n\n"
	  "Package: gone\nStatus: install ok installed\nVersion: 1\n" },
};
static const ent L1[] = {
	{ "etc/a", 'f', 1500, NULL, NULL }, { "var/.wh.d", 'f', 0, NULL, NULL },
	{ "var/lib/dpkg/status", 'f', 0, NULL,
	  "Package: zlib1g\nStatus: install ok installed\nVersion: 1.2.13\nInstalled-Size: 100\n" },
};

typedef struct {
	char dir[256];
} fx;

static int setup(void **state, int filter)
{
	fx *f = calloc(1, sizeof(*f));
	unsigned char *b[2];
	size_t len[2];
	char diffs[2][65];
	test_oom_pause();   /* the fixture is not under test (make check-oom) */
	snprintf(f->dir, sizeof(f->dir), "/tmp/atmo-test-image-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	b[0] = make_layer(L0, sizeof(L0) / sizeof(L0[0]), filter, &len[0], diffs[0]);
	b[1] = make_layer(L1, sizeof(L1) / sizeof(L1[0]), filter, &len[1], diffs[1]);
	make_layout(f->dir, b, len, diffs, 2, filter);
	free(b[0]);
	free(b[1]);
	test_oom_resume();
	*state = f;
	return 0;
}
static int setup_none(void **s) { return setup(s, 0); }
static int setup_gzip(void **s) { return setup(s, 1); }
static int setup_zstd(void **s) { return setup(s, 2); }

static int teardown(void **state)
{
	fx *f = *state;
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

#define JI(o, k) json_integer_value(json_object_get((o), (k)))

/* a caller built against version 1 of the options: its struct ends before the registry
 * fields, and the library must not read past it (ASan sees the exact allocation) */
typedef struct {             /* atmo_image_options as version 1 declared it */
	unsigned int version;
	const char *ref, *platform;
	int verify;
	unsigned int files;
	int packages;
	unsigned long max_files;
	unsigned int threads;
} options_v1;

static void test_options_v1(void **state)
{
	fx *f = *state;
	options_v1 *o = calloc(1, sizeof(*o));
	atmo_image *img = NULL;
	atmo_image_totals t;
	assert_non_null(o);
	assert_int_equal(sizeof(*o), offsetof(atmo_image_options, auth_file));
	o->version = 1;
	o->files = 3;
	o->packages = 1;
	assert_int_equal(atmo_image_open(&img, f->dir, (const atmo_image_options *)(void *)o, NULL), 0);
	atmo_image_get_totals(img, &t);
	assert_int_equal(t.layers, 2);
	atmo_image_free(img);
	o->version = 99;
	assert_int_equal(atmo_image_open(&img, f->dir, (const atmo_image_options *)(void *)o, NULL),
			 ATMO_EINVALID);
	free(o);
}

/* a registry reference is checked before anything goes to the network */
static void test_registry_reference_errors(void **state)
{
	atmo_image *img = NULL;
	atmo_error err;
	(void)state;
	atmo_error_clear(&err);
	assert_int_equal(atmo_image_open(&img, "docker://localhost:5000/Upper/Case:1", NULL, &err),
			 ATMO_EINVALID);
	assert_string_equal(err.source, "docker://localhost:5000/Upper/Case:1");
	assert_non_null(strstr(err.text, "not an image reference"));
	atmo_error_clear(&err);
	assert_int_equal(atmo_image_open(&img, "docker://localhost:5000/", NULL, &err),
			 ATMO_EINVALID);
	assert_null(img);
}

static void test_sample(void **state)
{
	fx *f = *state;
	atmo_image *img = NULL;
	atmo_image_options o = ATMO_IMAGE_OPTIONS_INIT;
	atmo_error err;
	json_t *doc = NULL, *l0, *l1, *eff, *pk;
	atmo_image_totals t;
	size_t np;
	const char *const *names;
	uint64_t st0 = strlen(L0[9].data), st1 = strlen(L1[2].data);
	uint64_t cum, small;

	o.packages = 1;
	o.verify = 1;
	atmo_error_clear(&err);
	assert_int_equal(atmo_image_open(&img, f->dir, &o, &err), 0);
	assert_int_equal(atmo_image_to_json(&doc, img, &err), 0);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), "atmograph.image/1");
	l0 = json_array_get(json_object_get(doc, "layers"), 0);
	l1 = json_array_get(json_object_get(doc, "layers"), 1);
	assert_int_equal(JI(l0, "size"), 1000 + 300 + 70 + 30 + st0);
	assert_int_equal(JI(l0, "files"), 10);
	assert_int_equal(JI(l1, "size"), 1500 + st1);
	assert_int_equal(JI(l1, "files"), 2);
	assert_int_equal(JI(l1, "whiteouts"), 1);
	assert_string_equal(json_string_value(json_object_get(l0, "created_by")), "ADD file:x in / ");
	assert_string_equal(json_string_value(json_object_get(l1, "created_by")), "echo step");
	/* leaves: etc/a (1000, 1500), etc/b 300, etc/link 0, etc/hard 0, var/d/x 70, var/d/y 30,
	 * status (st0, st1), whiteout var/d hides 100 */
	cum = 1000 + 1500 + 300 + 70 + 30 + st0 + st1 + 100;
	small = 1000 + 300 + 70 + 30 + (st0 < st1 ? st0 : st1) + 100;
	eff = json_object_get(doc, "efficiency");
	assert_true(json_real_value(json_object_get(eff, "score")) > (double)small / (double)cum - 1e-12);
	assert_true(json_real_value(json_object_get(eff, "score")) < (double)small / (double)cum + 1e-12);
	assert_int_equal(JI(eff, "wasted_bytes"), 2500 + st0 + st1);
	assert_int_equal(JI(eff, "wasted_bytes_corrected"), 1500 + (st0 > st1 ? st0 : st1));
	assert_int_equal(JI(eff, "inefficient_count"), 2);
	pk = json_object_get(doc, "packages");
	assert_int_equal(JI(pk, "count"), 1);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(pk, "removed"), 0), "name")), "gone");
	assert_int_equal(JI(json_array_get(json_object_get(pk, "installed"), 0), "installed_size"),
			 100 * 1024);
	assert_int_equal(json_array_size(json_object_get(doc, "history")), 3);
	assert_true(json_is_true(json_object_get(doc, "verified")));
	atmo_image_get_totals(img, &t);
	assert_int_equal(t.layers, 2);
	assert_int_equal(t.history, 3);
	assert_int_equal(t.files, 12);
	names = atmo_image_packages(img, &np);
	assert_int_equal(np, 1);
	assert_string_equal(names[0], "zlib1g");
	json_decref(doc);
	atmo_image_free(img);
}

static void test_one_thread_same(void **state)
{
	fx *f = *state;
	atmo_image *a = NULL, *b = NULL;
	atmo_image_options o = ATMO_IMAGE_OPTIONS_INIT;
	json_t *ja, *jb;
	o.threads = 1;
	assert_int_equal(atmo_image_open(&a, f->dir, &o, NULL), 0);
	o.threads = 8;
	assert_int_equal(atmo_image_open(&b, f->dir, &o, NULL), 0);
	atmo_image_to_json(&ja, a, NULL);
	atmo_image_to_json(&jb, b, NULL);
	assert_true(json_equal(ja, jb));
	json_decref(ja);
	json_decref(jb);
	atmo_image_free(a);
	atmo_image_free(b);
}

static void test_limit(void **state)
{
	fx *f = *state;
	atmo_image *img = NULL;
	atmo_image_options o = ATMO_IMAGE_OPTIONS_INIT;
	atmo_error err;
	o.max_files = 5;
	atmo_error_clear(&err);
	assert_int_equal(atmo_image_open(&img, f->dir, &o, &err), ATMO_ELIMIT);
	assert_null(img);
	assert_non_null(strstr(err.text, "tar bomb"));
}

static void test_diff_self(void **state)
{
	fx *f = *state;
	atmo_image *a = NULL;
	json_t *d = NULL;
	assert_int_equal(atmo_image_open(&a, f->dir, NULL, NULL), 0);
	assert_int_equal(atmo_image_diff(&d, a, a, 0, NULL), 0);
	assert_int_equal(JI(json_object_get(d, "files"), "added_count"), 0);
	assert_int_equal(JI(json_object_get(d, "files"), "changed_count"), 0);
	assert_int_equal(JI(json_object_get(d, "layers"), "shared"), 2);
	assert_true(json_is_null(json_object_get(d, "packages")));
	json_decref(d);
	atmo_image_free(a);
}

static void test_errors(void **state)
{
	atmo_image *img = NULL;
	atmo_error err;
	atmo_image_options o = ATMO_IMAGE_OPTIONS_INIT;
	char dir[] = "/tmp/atmo-test-image-bad-XXXXXX";
	(void)state;
	atmo_error_clear(&err);
	assert_int_equal(atmo_image_open(&img, "/nonexistent/x", NULL, &err), ATMO_ENOTFOUND);
	assert_null(img);
	assert_non_null(mkdtemp(dir));
	atmo_error_clear(&err);
	assert_int_equal(atmo_image_open(&img, dir, NULL, &err), ATMO_EINVALID);
	write_file(dir, "index.json", "[1,", 3);
	atmo_error_clear(&err);
	assert_int_equal(atmo_image_open(&img, dir, NULL, &err), ATMO_EINVALID);
	assert_non_null(strstr(err.text, "not valid JSON"));
	assert_int_equal(err.line, 1);
	write_file(dir, "index.json", "{\"manifests\":[]}", 16);
	atmo_error_clear(&err);
	assert_int_equal(atmo_image_open(&img, dir, NULL, &err), ATMO_ENOTFOUND);
	o.version = 99;
	assert_int_equal(atmo_image_open(&img, dir, &o, NULL), ATMO_EINVALID);
	assert_int_equal(atmo_image_open(NULL, dir, NULL, NULL), ATMO_EINVALID);
	atmo_image_free(NULL);
	{
		char cmd[200];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

static void test_trim(void **state)
{
	(void)state;
	assert_string_equal(atmo_image_trim_created_by("/bin/sh -c #(nop)  ENV A=b"), "ENV A=b");
	assert_string_equal(atmo_image_trim_created_by("/bin/sh -c apt-get update"), "apt-get update");
	assert_string_equal(atmo_image_trim_created_by("COPY a b # buildkit"), "COPY a b # buildkit");
	assert_null(atmo_image_trim_created_by(NULL));
}


/* the read-only views (history, layers, entries, final tree) against the fixture's
 * figures; NULL and out-of-range arguments give NULL, 0 or -1, never a crash */
static void test_accessors(void **state)
{
	fx *f = *state;
	atmo_image *img = NULL;
	atmo_image_options o = ATMO_IMAGE_OPTIONS_INIT;
	const atmo_image_history *h;
	const atmo_image_layer *l0, *l1;
	const atmo_image_entry *e;
	atmo_image_entry_kind kind;
	uint64_t size, st0 = strlen(L0[9].data), st1 = strlen(L1[2].data);
	json_t *doc = NULL;
	size_t i, n;

	assert_int_equal(atmo_image_open(&img, f->dir, &o, NULL), 0);
	assert_int_equal(atmo_image_to_json(&doc, img, NULL), 0);
	assert_string_equal(atmo_image_source(img), f->dir);
	assert_string_equal(atmo_image_ref(img), "latest");
	assert_string_equal(atmo_image_digest(img),
			    json_string_value(json_object_get(doc, "digest")));
	assert_null(atmo_image_packages(img, &n)); /* opened without opts.packages */

	/* history: ADD (layer 0), RUN (layer 1), CMD (empty) */
	assert_int_equal(atmo_image_history_count(img), 3);
	h = atmo_image_history_at(img, 0);
	assert_string_equal(atmo_image_history_created_by(h), "/bin/sh -c #(nop) ADD file:x in / ");
	assert_int_equal(atmo_image_history_layer(h), 0);
	assert_int_equal(atmo_image_history_layer(atmo_image_history_at(img, 1)), 1);
	h = atmo_image_history_at(img, 2);
	assert_string_equal(atmo_image_history_created_by(h), "/bin/sh -c #(nop)  CMD [\"x\"]");
	assert_int_equal(atmo_image_history_layer(h), -1);
	assert_null(atmo_image_history_at(img, 3));

	/* layers: figures as the image document gives them */
	assert_int_equal(atmo_image_layer_count(img), 2);
	l0 = atmo_image_layer_at(img, 0);
	l1 = atmo_image_layer_at(img, 1);
	assert_non_null(l0);
	assert_null(atmo_image_layer_at(img, 2));
	assert_int_equal(atmo_image_layer_size(l0), 1000 + 300 + 70 + 30 + st0);
	assert_int_equal(atmo_image_layer_size(l1), 1500 + st1);
	for (i = 0; i < 2; i++) {
		json_t *jl = json_array_get(json_object_get(doc, "layers"), i);
		const atmo_image_layer *l = atmo_image_layer_at(img, i);
		assert_int_equal(atmo_image_layer_compressed_size(l), JI(jl, "compressed_size"));
		assert_int_equal(atmo_image_layer_history(l), (long)i);
	}

	/* entries: every one of L0 in the tar's order; L1's whiteout hides var/d */
	assert_int_equal(atmo_image_layer_entry_count(l0), sizeof(L0) / sizeof(L0[0]));
	e = atmo_image_layer_entry_at(l0, 1);
	assert_string_equal(atmo_image_entry_path(e), "etc/a");
	assert_int_equal(atmo_image_entry_size(e), 1000);
	assert_int_equal(atmo_image_entry_type(e), ATMO_IMAGE_ENTRY_FILE);
	assert_int_equal(atmo_image_entry_type(atmo_image_layer_entry_at(l0, 0)), ATMO_IMAGE_ENTRY_DIR);
	assert_int_equal(atmo_image_entry_type(atmo_image_layer_entry_at(l0, 3)),
			 ATMO_IMAGE_ENTRY_SYMLINK);
	assert_int_equal(atmo_image_entry_type(atmo_image_layer_entry_at(l0, 4)),
			 ATMO_IMAGE_ENTRY_HARDLINK);
	assert_null(atmo_image_layer_entry_at(l0, sizeof(L0) / sizeof(L0[0])));
	e = atmo_image_layer_entry_at(l1, 1);
	assert_string_equal(atmo_image_entry_path(e), "var/d");
	assert_int_equal(atmo_image_entry_type(e), ATMO_IMAGE_ENTRY_WHITEOUT);

	/* the final tree: the last etc/a, var/d gone with what it held */
	assert_int_equal(atmo_image_tree_find(&kind, &size, img, "etc/a"), 0);
	assert_int_equal(kind, ATMO_IMAGE_ENTRY_FILE);
	assert_int_equal(size, 1500);
	assert_int_equal(atmo_image_tree_find(&kind, NULL, img, "etc"), 0);
	assert_int_equal(kind, ATMO_IMAGE_ENTRY_DIR);
	assert_int_equal(atmo_image_tree_find(NULL, &size, img, "etc/b"), 0);
	assert_int_equal(size, 300);
	assert_int_equal(atmo_image_tree_find(NULL, NULL, img, "var/d/x"), ATMO_ENOTFOUND);
	assert_int_equal(atmo_image_tree_find(NULL, NULL, img, "var/d"), ATMO_ENOTFOUND);
	assert_int_equal(atmo_image_tree_find(NULL, NULL, img, "nosuch"), ATMO_ENOTFOUND);
	assert_int_equal(atmo_image_tree_find(NULL, NULL, img, NULL), ATMO_EINVALID);
	assert_int_equal(atmo_image_tree_find(NULL, NULL, NULL, "etc/a"), ATMO_EINVALID);

	/* NULL everywhere */
	assert_null(atmo_image_source(NULL));
	assert_null(atmo_image_ref(NULL));
	assert_null(atmo_image_digest(NULL));
	assert_int_equal(atmo_image_history_count(NULL), 0);
	assert_null(atmo_image_history_at(NULL, 0));
	assert_null(atmo_image_history_created_by(NULL));
	assert_int_equal(atmo_image_history_layer(NULL), -1);
	assert_int_equal(atmo_image_layer_count(NULL), 0);
	assert_null(atmo_image_layer_at(NULL, 0));
	assert_int_equal(atmo_image_layer_size(NULL), 0);
	assert_int_equal(atmo_image_layer_compressed_size(NULL), 0);
	assert_int_equal(atmo_image_layer_history(NULL), -1);
	assert_int_equal(atmo_image_layer_entry_count(NULL), 0);
	assert_null(atmo_image_layer_entry_at(NULL, 0));
	assert_null(atmo_image_entry_path(NULL));
	assert_int_equal(atmo_image_entry_size(NULL), 0);
	assert_int_equal(atmo_image_entry_type(NULL), ATMO_IMAGE_ENTRY_OTHER);
	json_decref(doc);
	atmo_image_free(img);

	/* with packages read: a list, here of one name */
	o.packages = 1;
	assert_int_equal(atmo_image_open(&img, f->dir, &o, NULL), 0);
	assert_non_null(atmo_image_packages(img, &n));
	assert_int_equal(n, 1);
	atmo_image_free(img);
}

/* An image's JSON (index, manifest, config) read out of memory: ATMO_ENOMEM, never
 * "not valid JSON" (jansson 2.14 records few of its allocation failures). Each
 * allocation of an open fails in turn. (A byte jansson's lexer drops without an
 * error can make a field wrong: another error, located, but not "not JSON".) */
static void test_open_nomem(void **state)
{
	fx *f = *state;
	atmo_image *img;
	atmo_image_options o = ATMO_IMAGE_OPTIONS_INIT;
	atmo_error err;
	unsigned long k;
	int rc = 0, failed = 1;

	if (getenv("ATMOGRAPH_OOM_FAIL_AT"))
		skip(); /* make check-oom owns the allocator */
	o.threads = 1;
	atmo_set_allocator(oom_malloc, oom_realloc, free);
	for (k = 1; failed && k < 100000; k++) {
		img = NULL;
		oom_failed = 0;
		oom_fail_at = oom_count + k;
		atmo_error_clear(&err);
		rc = atmo_image_open(&img, f->dir, &o, &err);
		failed = oom_failed;
		oom_fail_at = 0;
		atmo_image_free(img);
		if (rc == 0 || (failed && (rc == ATMO_ENOMEM || !strstr(err.text, "not valid JSON"))))
			continue;
		break;
	}
	oom_failed = 0;
	atmo_set_allocator(NULL, NULL, NULL);
	if (rc != 0 || failed)
		fail_msg("allocation %lu failing: %d: %s", k, rc, err.text);
	assert_true(k > 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sample, setup_none, teardown),
		cmocka_unit_test_setup_teardown(test_sample, setup_gzip, teardown),
		cmocka_unit_test_setup_teardown(test_sample, setup_zstd, teardown),
		cmocka_unit_test_setup_teardown(test_one_thread_same, setup_gzip, teardown),
		cmocka_unit_test_setup_teardown(test_limit, setup_gzip, teardown),
		cmocka_unit_test_setup_teardown(test_diff_self, setup_none, teardown),
		cmocka_unit_test_setup_teardown(test_options_v1, setup_gzip, teardown),
		cmocka_unit_test(test_registry_reference_errors),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_trim),
		cmocka_unit_test_setup_teardown(test_open_nomem, setup_gzip, teardown),
		cmocka_unit_test_setup_teardown(test_accessors, setup_gzip, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
