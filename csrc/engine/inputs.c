/*
 * The inputs of a target, hashed: engine and version, the Dockerfile (and
 * its lowered form), args, contexts, labels, target, the files of the build
 * context minus .dockerignore, directory contexts, and the digests of the
 * targets it links to. Same hash: the image need not be rebuilt.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "engine/engine_int.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/alloc.h"
#include "util/grow.h"

typedef struct {
	atmo__strvec pat; /* copies its strings */
	int *neg;
	size_t neg_cap;
} ignore_t;

static void ignore_free(ignore_t *ig)
{
	atmo__strvec_free(&ig->pat);
	atmo__free(ig->neg);
}

/* 0, or ATMO_ENOMEM: a pattern left out would change what is hashed */
static int ignore_load(ignore_t *ig, const char *dir, atmo_error *err)
{
	char path[4096], line[4096];
	FILE *f;
	int rc = 0;

	memset(ig, 0, sizeof(*ig));
	ig->pat.copy = 1;
	snprintf(path, sizeof(path), "%s/.dockerignore", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *e;
		int neg = 0;
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (!*s || *s == '#')
			continue;
		if (*s == '!') {
			neg = 1;
			s++;
		}
		while (*s == '/')
			s++;
		if (!strncmp(s, "./", 2))
			s += 2;
		while (e > s && e[-1] == '/')
			*--e = '\0';
		if ((rc = ATMO__GROW(ig->neg, ig->neg_cap, ig->pat.n + 1, err)) < 0 ||
		    (rc = atmo__strvec_push(&ig->pat, s, err)) < 0)
			break;
		ig->neg[ig->pat.n - 1] = neg;
	}
	fclose(f);
	return rc;
}

/* the last matching pattern wins, as in moby's patternmatcher */
static int ignored(const ignore_t *ig, const char *rel)
{
	size_t i;
	int result = 0;

	for (i = 0; i < ig->pat.n; i++) {
		const char *p = ig->pat.v[i];
		int flags = strstr(p, "**") ? 0 : FNM_PATHNAME;
		int m = fnmatch(p, rel, flags) == 0;
		if (!m) {
			/* a pattern naming a directory covers what is inside */
			char parent[4096];
			const char *slash;
			snprintf(parent, sizeof(parent), "%s", rel);
			while (!m && (slash = strrchr(parent, '/')) != NULL) {
				parent[slash - parent] = '\0';
				m = fnmatch(p, parent, flags) == 0;
			}
		}
		if (m)
			result = !ig->neg[i];
	}
	return result;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int hash_tree(atmo_sha256 *h, const char *root, const char *rel, const ignore_t *ig,
		     int depth, atmo_error *err)
{
	char path[4096];
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (depth > 64)
		return atmo__error_set(err, ATMO_ELIMIT, root, 0, 0, "directories nest too deep");
	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	d = opendir(path);
	if (!d)
		return atmo__error_set(err, ATMO_ENOTFOUND, path, 0, 0,
				       "cannot read the build context");
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((rc = ATMO__GROW(names, cap, n + 1, err)) < 0)
			break;
		names[n] = atmo__strdup(de->d_name, NULL);
		if (!names[n]) {
			rc = atmo__error_nomem(err);
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == 0)
		qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; rc == 0 && i < n; i++) {
		char sub[4096], full[8300], meta[128];
		struct stat st;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", names[i]);
		snprintf(full, sizeof(full), "%s/%s", root, sub);
		if (lstat(full, &st) < 0)
			continue;
		if (ignored(ig, sub) && !S_ISDIR(st.st_mode))
			continue;
		snprintf(meta, sizeof(meta), "\n%o %lld\n", (unsigned)st.st_mode,
			 (long long)st.st_size);
		atmo__sha256_update(h, sub, strlen(sub));
		atmo__sha256_update(h, meta, strlen(meta));
		if (S_ISDIR(st.st_mode)) {
			rc = hash_tree(h, root, sub, ig, depth + 1, err);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t l = readlink(full, target, sizeof(target));
			if (l > 0)
				atmo__sha256_update(h, target, (size_t)l);
		} else if (S_ISREG(st.st_mode)) {
			char buf[65536];
			ssize_t r;
			int fd = open(full, O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				rc = atmo__error_set(err, ATMO_EIO, full, 0, 0, "cannot read: %s",
						     strerror(errno));
				break;
			}
			while ((r = read(fd, buf, sizeof(buf))) > 0)
				atmo__sha256_update(h, buf, (size_t)r);
			close(fd);
		}
	}
	for (i = 0; i < n; i++)
		atmo__free(names[i]);
	atmo__free(names);
	return rc;
}

static void put_str(atmo_sha256 *h, const char *tag, const char *s)
{
	atmo__sha256_update(h, tag, strlen(tag) + 1);
	if (s)
		atmo__sha256_update(h, s, strlen(s) + 1);
	else
		atmo__sha256_update(h, "\xff", 1);
}

int atmo__inputs_hash(char hex[65], const plan_target *pt, const char *engine,
		      const char *engine_version, const char *const *parent_digests,
		      size_t n_parents, atmo_error *err)
{
	const atmo_bake_target *t = pt->t;
	atmo_sha256 *h = NULL;
	ignore_t ig;
	size_t i;
	int rc;

	if ((rc = atmo__sha256_new(&h, err)) < 0)
		return rc;
	put_str(h, "atmograph-inputs/1", NULL);
	put_str(h, "engine", engine);
	put_str(h, "engine-version", engine_version);
	atmo__sha256_update(h, pt->text, pt->text_len);
	put_str(h, "lowered", pt->lowered);
	put_str(h, "target", t->target);
	for (i = 0; i < t->n_args; i++)
		put_str(h, "arg", t->args[i]);
	for (i = 0; i < t->n_contexts; i++)
		put_str(h, "context", t->contexts[i]);
	for (i = 0; i < t->n_labels; i++)
		put_str(h, "label", t->labels[i]);
	for (i = 0; i < t->n_tags; i++)
		put_str(h, "tag", t->tags[i]);
	for (i = 0; i < t->n_platforms; i++)
		put_str(h, "platform", t->platforms[i]);
	put_str(h, "no-cache", t->no_cache == 1 ? "1" : "0");
	for (i = 0; i < n_parents; i++)
		put_str(h, "parent", parent_digests[i]);
	rc = ignore_load(&ig, t->context_path, err);
	if (rc == 0)
		rc = hash_tree(h, t->context_path, "", &ig, 0, err);
	ignore_free(&ig);
	for (i = 0; rc == 0 && i < t->n_contexts; i++) {
		if (t->context_paths[i]) {
			ignore_t none = { ATMO__STRVEC_INIT, NULL, 0 };
			put_str(h, "context-dir", t->contexts[i]);
			rc = hash_tree(h, t->context_paths[i], "", &none, 0, err);
		}
	}
	if (rc == 0)
		atmo__sha256_final_hex(h, hex);
	atmo__sha256_free(h);
	return rc;
}
