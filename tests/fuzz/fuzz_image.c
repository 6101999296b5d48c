/*
 * libFuzzer harness for the image reader. The first byte picks how the rest is used:
 *   0: the whole image archive (a tar: docker-archive or oci-archive)
 *   1: one layer blob (tar, gzip or zstd) inside a generated docker-archive; the blob
 *      is also read alone by the tar header walker and by libarchive alone, which must
 *      agree on everything (entries, counts, errors)
 *   2: the config JSON of a generated docker-archive with one small layer
 *   3: manifest.json of a generated docker-archive (config and one layer present)
 * The archive lives in a memfd, read through /proc/self/fd/N (no disk writes).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include "atmograph/alloc.h"
#include "atmograph/image.h"
#include "image/image_int.h"
#include "util/alloc.h"

static void add(struct archive *a, const char *name, const void *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_write_header(a, e);
	if (len)
		archive_write_data(a, data, len);
	archive_entry_free(e);
}

static const char small_layer_cfg[] =
	"{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:"
	"0000000000000000000000000000000000000000000000000000000000000000\"]},"
	"\"history\":[{\"created_by\":\"/bin/sh -c #(nop) ADD x\"},{\"empty_layer\":true}]}";
static const char default_manifest[] =
	"[{\"Config\":\"config.json\",\"RepoTags\":[\"f:1\"],\"Layers\":[\"l/layer.tar\"]}]";

static unsigned char *build(const uint8_t *d, size_t n, int mode, size_t *out_len)
{
	size_t cap = n * 2 + 65536, used = 0;
	unsigned char *buf = malloc(cap);
	struct archive *a = archive_write_new();
	static const char tiny_layer_text[] = "Package: a\nVersion: 1\n";
	unsigned char tiny[4096];
	size_t tiny_len = 0;
	archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_in_last_block(a, 1);
	archive_write_open_memory(a, buf, cap, &used);
	/* a tiny valid layer: var/lib/dpkg/status */
	{
		struct archive *l = archive_write_new();
		struct archive_entry *e = archive_entry_new();
		archive_write_set_format_pax_restricted(l);
		archive_write_set_bytes_in_last_block(l, 1);
		archive_write_open_memory(l, tiny, sizeof(tiny), &tiny_len);
		archive_entry_set_pathname(e, "var/lib/dpkg/status");
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)strlen(tiny_layer_text));
		archive_write_header(l, e);
		archive_write_data(l, tiny_layer_text, strlen(tiny_layer_text));
		archive_entry_free(e);
		archive_write_close(l);
		archive_write_free(l);
	}
	if (mode == 1) {
		add(a, "manifest.json", default_manifest, strlen(default_manifest));
		add(a, "config.json", small_layer_cfg, strlen(small_layer_cfg));
		add(a, "l/layer.tar", d, n);
	} else if (mode == 2) {
		add(a, "manifest.json", default_manifest, strlen(default_manifest));
		add(a, "config.json", d, n);
		add(a, "l/layer.tar", tiny, tiny_len);
	} else {
		add(a, "manifest.json", d, n);
		add(a, "config.json", small_layer_cfg, strlen(small_layer_cfg));
		add(a, "l/layer.tar", tiny, tiny_len);
	}
	archive_write_close(a);
	archive_write_free(a);
	*out_len = used;
	return buf;
}

static void read_alone(atmo_image__layer *l, int fd, size_t len, int flags)
{
	_Atomic uint64_t total = 0;
	volatile int stop = 0;
	memset(l, 0, sizeof(*l));
	l->member = atmo__strdup("layer.tar", NULL); /* the layer frees it with atmo__free() */
	l->declared_size = UINT64_MAX;
	l->range.fd = fd;
	l->range.len = len;
	atmo_image__layer_read(l, 0, 1, 3, 2000, &total, &stop, flags);
}

/* the walker and libarchive give the same layer, or the same error */
static void differential(const uint8_t *d, size_t n)
{
	atmo_image__layer a, b;
	size_t i;
	int fd = memfd_create("fuzz-layer", 0);
	if (fd < 0)
		return;
	if (n && write(fd, d, n) != (ssize_t)n) {
		close(fd);
		return;
	}
	read_alone(&a, fd, n, 0);
	read_alone(&b, fd, n, ATMO_IMAGE__READ_LIBARCHIVE);
	if (a.rc != b.rc || strcmp(a.err.text, b.err.text) != 0)
		abort();
	if (a.rc == 0) {
		if (a.n_entries != b.n_entries || a.files != b.files || a.size != b.size ||
		    a.whiteouts != b.whiteouts || a.opaque_dirs != b.opaque_dirs ||
		    a.tar_size != b.tar_size || a.n_dpkg != b.n_dpkg)
			abort();
		for (i = 0; i < a.n_entries; i++)
			if (strcmp(a.entries[i].path, b.entries[i].path) != 0 ||
			    a.entries[i].size != b.entries[i].size || a.entries[i].type != b.entries[i].type)
				abort();
		for (i = 0; i < a.n_dpkg; i++)
			if (a.dpkg[i].len != b.dpkg[i].len ||
			    memcmp(a.dpkg[i].data, b.dpkg[i].data, a.dpkg[i].len) != 0)
				abort();
	}
	atmo_image__layer_free(&a);
	atmo_image__layer_free(&b);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int mode, fd;
	unsigned char *arch = NULL;
	size_t len;
	char path[64];
	atmo_image *img = NULL;
	atmo_image_options o = ATMO_IMAGE_OPTIONS_INIT;
	atmo_error err;

	if (size < 1)
		return 0;
	mode = data[0] & 3;
	data++;
	size--;
	if (mode == 0) {
		arch = malloc(size ? size : 1);
		memcpy(arch, data, size);
		len = size;
	} else {
		arch = build(data, size, mode, &len);
	}
	if (mode == 1)
		differential(data, size);
	fd = memfd_create("fuzz-image", 0);
	if (fd < 0) {
		free(arch);
		return 0;
	}
	if (len && write(fd, arch, len) != (ssize_t)len) {
		close(fd);
		free(arch);
		return 0;
	}
	free(arch);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	o.packages = 1;
	o.verify = size > 0 && (data[0] & 1);
	o.files = 3;
	o.threads = 1;
	o.max_files = 20000;
	atmo_error_clear(&err);
	if (atmo_image_open(&img, path, &o, &err) == 0) {
		json_t *doc = NULL, *diff = NULL;
		if (atmo_image_to_json(&doc, img, &err) == 0) {
			char *s = json_dumps(doc, JSON_COMPACT);
			atmo_free(s);
		}
		atmo_image_diff(&diff, img, img, 10, &err);
		json_decref(diff);
		json_decref(doc);
		atmo_image_free(img);
	}
	close(fd);
	return 0;
}
