/* Small containers used by the resolver: an arena, a string map, a variable scope. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/graph_int.h"

/* ---- map ---- */

static size_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;
	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 29));
}

static int gmap_grow(atmo__gmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 16;
	const char **keys;
	size_t *lens;
	int *vals;
	size_t i;
	if (ncap > SIZE_MAX / sizeof(size_t))
		return ATMO_ENOMEM;
	keys = atmo__calloc(ncap, sizeof(*keys), NULL);
	lens = atmo__calloc(ncap, sizeof(*lens), NULL);
	vals = atmo__calloc(ncap, sizeof(*vals), NULL);
	if (!keys || !lens || !vals) {
		atmo__free(keys);
		atmo__free(lens);
		atmo__free(vals);
		return ATMO_ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		size_t j;
		if (!m->keys[i])
			continue;
		j = hash_bytes(m->keys[i], m->lens[i]) & (ncap - 1);
		while (keys[j])
			j = (j + 1) & (ncap - 1);
		keys[j] = m->keys[i];
		lens[j] = m->lens[i];
		vals[j] = m->vals[i];
	}
	atmo__free(m->keys);
	atmo__free(m->lens);
	atmo__free(m->vals);
	m->keys = keys;
	m->lens = lens;
	m->vals = vals;
	m->cap = ncap;
	return 0;
}

int atmo__gmap_put(atmo__gmap *m, const char *key, size_t len, int val)
{
	size_t j;
	if ((m->count + 1) * 4 > m->cap * 3) {
		int rc = gmap_grow(m);
		if (rc < 0)
			return rc;
	}
	j = hash_bytes(key, len) & (m->cap - 1);
	while (m->keys[j]) {
		if (m->lens[j] == len && !memcmp(m->keys[j], key, len)) {
			m->vals[j] = val;
			return 0;
		}
		j = (j + 1) & (m->cap - 1);
	}
	m->keys[j] = key;
	m->lens[j] = len;
	m->vals[j] = val;
	m->count++;
	return 0;
}

int atmo__gmap_get(const atmo__gmap *m, const char *key, size_t len)
{
	size_t j;
	if (!m->cap)
		return -1;
	j = hash_bytes(key, len) & (m->cap - 1);
	while (m->keys[j]) {
		if (m->lens[j] == len && !memcmp(m->keys[j], key, len))
			return m->vals[j];
		j = (j + 1) & (m->cap - 1);
	}
	return -1;
}

int atmo__gmap_copy(atmo__gmap *dst, const atmo__gmap *src)
{
	atmo__gmap_free(dst);
	if (!src->cap)
		return 0;
	dst->keys = atmo__malloc(src->cap * sizeof(*dst->keys), NULL);
	dst->lens = atmo__malloc(src->cap * sizeof(*dst->lens), NULL);
	dst->vals = atmo__malloc(src->cap * sizeof(*dst->vals), NULL);
	if (!dst->keys || !dst->lens || !dst->vals) {
		atmo__gmap_free(dst);
		return ATMO_ENOMEM;
	}
	memcpy(dst->keys, src->keys, src->cap * sizeof(*dst->keys));
	memcpy(dst->lens, src->lens, src->cap * sizeof(*dst->lens));
	memcpy(dst->vals, src->vals, src->cap * sizeof(*dst->vals));
	dst->cap = src->cap;
	dst->count = src->count;
	return 0;
}

void atmo__gmap_free(atmo__gmap *m)
{
	atmo__free(m->keys);
	atmo__free(m->lens);
	atmo__free(m->vals);
	m->keys = NULL;
	m->lens = NULL;
	m->vals = NULL;
	m->cap = 0;
	m->count = 0;
}

/* ---- scope ---- */

int atmo__genv_set(atmo__genv *e, const char *name, const char *value, int is_env)
{
	size_t len = strlen(name);
	int i = atmo__gmap_get(&e->idx, name, len);
	if (i >= 0) {
		/* ENV always wins over an ARG of the same name (Dockerfile reference) */
		if (e->v[i].is_env && !is_env)
			return 0;
		e->v[i].value = value;
		e->v[i].is_env = is_env;
		return 0;
	}
	if (e->n == e->cap) {
		size_t ncap = e->cap ? e->cap * 2 : 8;
		atmo_graph_var *nv;
		if (ncap > (size_t)INT32_MAX)
			return ATMO_ELIMIT;
		nv = atmo__realloc(e->v, ncap * sizeof(*nv), NULL);
		if (!nv)
			return ATMO_ENOMEM;
		e->v = nv;
		e->cap = ncap;
	}
	if (atmo__gmap_put(&e->idx, name, len, (int)e->n) < 0)
		return ATMO_ENOMEM;
	e->v[e->n].name = name;
	e->v[e->n].value = value;
	e->v[e->n].is_env = is_env;
	e->n++;
	return 0;
}

const char *atmo__genv_get(const atmo__genv *e, const char *name, size_t len)
{
	int i = atmo__gmap_get(&e->idx, name, len);
	return i >= 0 ? e->v[i].value : NULL;
}

int atmo__genv_copy(atmo__genv *dst, const atmo__genv *src)
{
	atmo__genv_free(dst);
	if (!src->n)
		return 0;
	dst->v = atmo__malloc(src->n * sizeof(*dst->v), NULL);
	if (!dst->v)
		return ATMO_ENOMEM;
	memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	dst->n = dst->cap = src->n;
	if (atmo__gmap_copy(&dst->idx, &src->idx) < 0) {
		atmo__genv_free(dst);
		return ATMO_ENOMEM;
	}
	return 0;
}

void atmo__genv_free(atmo__genv *e)
{
	atmo__free(e->v);
	e->v = NULL;
	e->n = e->cap = 0;
	atmo__gmap_free(&e->idx);
}
