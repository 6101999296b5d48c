/*
 * Benchmark fixture: an image of about TOTAL bytes in FILES files over LAYERS
 * layers, written in three forms at once:
 *   OUT/docker-archive.tar   uncompressed docker-archive (legacy <id>/layer.tar)
 *   OUT/oci-gzip/            OCI layout, gzip layers (level 1)
 *   OUT/oci-zstd/            OCI layout, zstd layers (level 1)
 *   OUT/layer-N.tar          the uncompressed layers (for `tar -tvf`, removed by the script)
 * File content is pseudo-text from a word list: it compresses about 3:1, so the
 * decompressors do real work. usage: bench_image_gen OUT TOTAL FILES LAYERS
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

typedef struct {
	int fd;
	EVP_MD_CTX *md;
	uint64_t bytes;
} sink;

static la_ssize_t sink_write(struct archive *a, void *cd, const void *buf, size_t n)
{
	sink *s = cd;
	size_t done = 0;
	(void)a;
	while (done < n) {
		ssize_t w = write(s->fd, (const char *)buf + done, n - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)w;
	}
	EVP_DigestUpdate(s->md, buf, n);
	s->bytes += n;
	return (la_ssize_t)n;
}

static void hex_final(EVP_MD_CTX *md, char hex[65])
{
	unsigned char d[32];
	unsigned int n = 0, i;
	EVP_DigestFinal_ex(md, d, &n);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	hex[64] = 0;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_image_gen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void write_text(const char *path, const char *s)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(s, 1, strlen(s), f) != strlen(s) || fclose(f) != 0)
		die(path);
}

static void file_hex(const char *path, char hex[65], uint64_t *size)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char *buf = malloc(1 << 20);
	int fd = open(path, O_RDONLY);
	ssize_t n;
	*size = 0;
	if (fd < 0)
		die(path);
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	while ((n = read(fd, buf, 1 << 20)) > 0) {
		EVP_DigestUpdate(md, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	close(fd);
	hex_final(md, hex);
	EVP_MD_CTX_free(md);
	free(buf);
}

static void blob_from_string(const char *dir, const char *s, char hex[65])
{
	char p[4096];
	unsigned char d[32];
	unsigned int n, i;
	EVP_Digest(s, strlen(s), d, &n, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	hex[64] = 0;
	snprintf(p, sizeof(p), "%s/blobs/sha256/%s", dir, hex);
	write_text(p, s);
}

int main(int argc, char **argv)
{
	static const char *words[] = { "container", "layer", "image", "stage", "build", "graph",
		"package", "library", "runtime", "python", "openstack", "nova", "neutron", "glance",
		"keystone", "debian", "bookworm", "the", "of", "and", "to", "in", "is", "for", "with",
		"on", "as", "by", "config", "service", "daemon", "socket", "thread", "module" };
	const char *out;
	uint64_t total, files, layers, per_layer, i, L;
	size_t textlen = 8 << 20, pos = 0;
	char *text, *buf;
	uint64_t seed = 88172645463325252ULL;
	char diff_hex[64][65], gz_hex[64][65], zs_hex[64][65], p[4096];
	uint64_t gz_size[64], zs_size[64];
	char *diffs_json, *gz_layers, *zs_layers, *config, *man;
	size_t cap = 1 << 16;

	if (argc != 5) {
		fprintf(stderr, "usage: bench_image_gen OUT TOTAL FILES LAYERS\n");
		return 2;
	}
	out = argv[1];
	total = strtoull(argv[2], NULL, 10);
	files = strtoull(argv[3], NULL, 10);
	layers = strtoull(argv[4], NULL, 10);
	if (!files || !layers || layers > 64)
		return 2;
	per_layer = files / layers;
	text = malloc(textlen + (1 << 20));
	buf = text;
	while (pos < textlen + (1 << 20) - 32) {
		seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
		const char *w = words[seed % (sizeof(words) / sizeof(words[0]))];
		size_t n = strlen(w);
		memcpy(text + pos, w, n);
		pos += n;
		if (seed % 11 == 0)
			pos += (size_t)sprintf(text + pos, " %llu", (unsigned long long)(seed % 100000));
		text[pos++] = seed % 13 == 0 ? '\n' : ' ';
	}
	snprintf(p, sizeof(p), "%s/oci-gzip", out);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/oci-gzip/blobs", out);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/oci-gzip/blobs/sha256", out);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/oci-zstd", out);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/oci-zstd/blobs", out);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/oci-zstd/blobs/sha256", out);
	mkdir(p, 0755);

	for (L = 0; L < layers; L++) {
		struct archive *w[3];
		sink s[3];
		const char *names[3] = { "layer-%llu.tar", "oci-gzip/blobs/sha256/tmp-%llu",
					 "oci-zstd/blobs/sha256/tmp-%llu" };
		int k;
		uint64_t nf = L == layers - 1 ? files - per_layer * (layers - 1) : per_layer;
		for (k = 0; k < 3; k++) {
			char fn[512];
			snprintf(fn, sizeof(fn), names[k], (unsigned long long)L);
			snprintf(p, sizeof(p), "%s/%s", out, fn);
			s[k].fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (s[k].fd < 0)
				die(p);
			s[k].md = EVP_MD_CTX_new();
			EVP_DigestInit_ex(s[k].md, EVP_sha256(), NULL);
			s[k].bytes = 0;
			w[k] = archive_write_new();
			archive_write_set_format_pax_restricted(w[k]);
			if (k == 1) {
				archive_write_add_filter_gzip(w[k]);
				archive_write_set_filter_option(w[k], "gzip", "compression-level", "1");
			} else if (k == 2) {
				archive_write_add_filter_zstd(w[k]);
				archive_write_set_filter_option(w[k], "zstd", "compression-level", "1");
			}
			archive_write_set_bytes_per_block(w[k], 65536);
			archive_write_set_bytes_in_last_block(w[k], 1);
			if (archive_write_open(w[k], &s[k], NULL, sink_write, NULL) != ARCHIVE_OK) {
				fprintf(stderr, "%s\n", archive_error_string(w[k]));
				return 1;
			}
		}
		for (i = 0; i < nf; i++) {
			struct archive_entry *e = archive_entry_new();
			char path[256];
			uint64_t size;
			seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
			/* sizes from 0 to 2x the mean; a few directories per layer */
			size = seed % (2 * (total / files) + 1);
			snprintf(path, sizeof(path), "usr/share/l%llu/d%03llu/file-%06llu.txt",
				 (unsigned long long)L, (unsigned long long)(i % 500),
				 (unsigned long long)i);
			archive_entry_set_pathname(e, path);
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_mtime(e, 1700000000, 0);
			archive_entry_set_size(e, (la_int64_t)size);
			for (k = 0; k < 3; k++) {
				if (archive_write_header(w[k], e) != ARCHIVE_OK) {
					fprintf(stderr, "%s\n", archive_error_string(w[k]));
					return 1;
				}
				if (size && archive_write_data(w[k], text + (seed >> 20) % textlen,
							       (size_t)size) != (la_ssize_t)size) {
					fprintf(stderr, "%s\n", archive_error_string(w[k]));
					return 1;
				}
			}
			archive_entry_free(e);
		}
		for (k = 0; k < 3; k++) {
			archive_write_close(w[k]);
			archive_write_free(w[k]);
			close(s[k].fd);
		}
		hex_final(s[0].md, diff_hex[L]);
		hex_final(s[1].md, gz_hex[L]);
		hex_final(s[2].md, zs_hex[L]);
		gz_size[L] = s[1].bytes;
		zs_size[L] = s[2].bytes;
		for (k = 0; k < 3; k++)
			EVP_MD_CTX_free(s[k].md);
		{
			char a[4096], b[4096];
			snprintf(a, sizeof(a), "%s/oci-gzip/blobs/sha256/tmp-%llu", out, (unsigned long long)L);
			snprintf(b, sizeof(b), "%s/oci-gzip/blobs/sha256/%s", out, gz_hex[L]);
			if (rename(a, b) < 0)
				die(b);
			snprintf(a, sizeof(a), "%s/oci-zstd/blobs/sha256/tmp-%llu", out, (unsigned long long)L);
			snprintf(b, sizeof(b), "%s/oci-zstd/blobs/sha256/%s", out, zs_hex[L]);
			if (rename(a, b) < 0)
				die(b);
		}
	}
	(void)buf;
	/* configs, manifests, indexes */
	diffs_json = malloc(cap);
	gz_layers = malloc(cap);
	zs_layers = malloc(cap);
	config = malloc(cap * 2);
	man = malloc(cap * 2);
	diffs_json[0] = gz_layers[0] = zs_layers[0] = 0;
	for (L = 0; L < layers; L++) {
		size_t n = strlen(diffs_json);
		snprintf(diffs_json + n, cap - n, "%s\"sha256:%s\"", L ? "," : "", diff_hex[L]);
		n = strlen(gz_layers);
		snprintf(gz_layers + n, cap - n,
			 "%s{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
			 "\"digest\":\"sha256:%s\",\"size\":%llu}", L ? "," : "", gz_hex[L],
			 (unsigned long long)gz_size[L]);
		n = strlen(zs_layers);
		snprintf(zs_layers + n, cap - n,
			 "%s{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\","
			 "\"digest\":\"sha256:%s\",\"size\":%llu}", L ? "," : "", zs_hex[L],
			 (unsigned long long)zs_size[L]);
	}
	{
		char *hist = malloc(cap);
		hist[0] = 0;
		for (L = 0; L < layers; L++) {
			size_t n = strlen(hist);
			snprintf(hist + n, cap - n, "%s{\"created_by\":\"/bin/sh -c generate layer %llu\"}",
				 L ? "," : "", (unsigned long long)L);
		}
		snprintf(config, cap * 2,
			 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
			 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%s]},\"history\":[%s]}",
			 diffs_json, hist);
		free(hist);
	}
	for (int form = 0; form < 2; form++) {
		char dir[2048], chex[65], mhex[65], idx[1024];
		snprintf(dir, sizeof(dir), "%s/%s", out, form ? "oci-zstd" : "oci-gzip");
		blob_from_string(dir, config, chex);
		snprintf(man, cap * 2,
			 "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
			 "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
			 "\"digest\":\"sha256:%s\",\"size\":%zu},\"layers\":[%s]}",
			 chex, strlen(config), form ? zs_layers : gz_layers);
		blob_from_string(dir, man, mhex);
		snprintf(idx, sizeof(idx),
			 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
			 "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:%s\","
			 "\"size\":%zu,\"annotations\":{\"org.opencontainers.image.ref.name\":\"bench\"}}]}",
			 mhex, strlen(man));
		snprintf(p, sizeof(p), "%s/index.json", dir);
		write_text(p, idx);
		snprintf(p, sizeof(p), "%s/oci-layout", dir);
		write_text(p, "{\"imageLayoutVersion\":\"1.0.0\"}");
	}
	/* the docker-archive: legacy layout, layers copied from layer-N.tar */
	{
		struct archive *a = archive_write_new();
		struct archive_entry *e;
		char chex[65], mj[65536];
		unsigned char d[32];
		unsigned int n, k;
		char *cbuf = malloc(1 << 20);
		snprintf(p, sizeof(p), "%s/docker-archive.tar", out);
		archive_write_set_format_pax_restricted(a);
		archive_write_set_bytes_per_block(a, 65536);
		archive_write_open_filename(a, p);
		EVP_Digest(config, strlen(config), d, &n, EVP_sha256(), NULL);
		for (k = 0; k < 32; k++)
			sprintf(chex + 2 * k, "%02x", d[k]);
		snprintf(mj, sizeof(mj), "[{\"Config\":\"%s.json\",\"RepoTags\":[\"bench:latest\"],\"Layers\":[",
			 chex);
		for (L = 0; L < layers; L++) {
			uint64_t sz;
			char hx[65], lp[512];
			int fd;
			ssize_t r;
			snprintf(lp, sizeof(lp), "%s/layer-%llu.tar", out, (unsigned long long)L);
			file_hex(lp, hx, &sz);
			snprintf(mj + strlen(mj), sizeof(mj) - strlen(mj), "%s\"%s/layer.tar\"",
				 L ? "," : "", hx);
			e = archive_entry_new();
			snprintf(p, sizeof(p), "%s/layer.tar", hx);
			archive_entry_set_pathname(e, p);
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_size(e, (la_int64_t)sz);
			archive_write_header(a, e);
			archive_entry_free(e);
			fd = open(lp, O_RDONLY);
			while ((r = read(fd, cbuf, 1 << 20)) > 0)
				archive_write_data(a, cbuf, (size_t)r);
			close(fd);
		}
		strcat(mj, "]}]");
		e = archive_entry_new();
		snprintf(p, sizeof(p), "%s.json", chex);
		archive_entry_set_pathname(e, p);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)strlen(config));
		archive_write_header(a, e);
		archive_write_data(a, config, strlen(config));
		archive_entry_free(e);
		e = archive_entry_new();
		archive_entry_set_pathname(e, "manifest.json");
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)strlen(mj));
		archive_write_header(a, e);
		archive_write_data(a, mj, strlen(mj));
		archive_entry_free(e);
		archive_write_close(a);
		archive_write_free(a);
		free(cbuf);
	}
	free(text);
	free(diffs_json);
	free(gz_layers);
	free(zs_layers);
	free(config);
	free(man);
	return 0;
}
