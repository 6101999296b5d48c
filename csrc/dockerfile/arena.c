/* A bump allocator: a parsed file's strings and arrays, freed at once. */
#include <stdlib.h>
#include <string.h>
#include "dockerfile/df_internal.h"

#define ARENA_CHUNK 65536
#define ARENA_ALIGN 16
#define CHUNK_HDR ((sizeof(atmo__chunk) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

void *atmo__arena_alloc(atmo__arena *a, size_t n)
{
	atmo__chunk *c = a->head;
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	void *p;

	if (need < n)
		return NULL;
	if (!c || c->cap - c->used < need) {
		size_t cap = need > ARENA_CHUNK / 4 ? need : ARENA_CHUNK;
		if (cap > (size_t)-1 - CHUNK_HDR)
			return NULL;
		c = malloc(CHUNK_HDR + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		if (need > ARENA_CHUNK / 4 && a->head) {
			/* a big block: keep filling the current chunk afterwards */
			c->next = a->head->next;
			a->head->next = c;
			c->used = need;
			return (char *)c + CHUNK_HDR;
		}
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c + CHUNK_HDR + c->used;
	c->used += need;
	return p;
}

char *atmo__arena_strndup(atmo__arena *a, const char *s, size_t n)
{
	char *p = atmo__arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void atmo__arena_free(atmo__arena *a)
{
	atmo__chunk *c = a->head;
	while (c) {
		atmo__chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

int atmo__dfstrv_push(atmo__dfstrv *v, const char *s, size_t n)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		const char **ns = realloc(v->s, cap * sizeof(*ns));
		size_t *nl;
		if (!ns)
			return ATMO_ENOMEM;
		v->s = ns;
		nl = realloc(v->len, cap * sizeof(*nl));
		if (!nl)
			return ATMO_ENOMEM;
		v->len = nl;
		v->cap = cap;
	}
	v->s[v->n] = s;
	v->len[v->n++] = n;
	return 0;
}

void atmo__dfstrv_free(atmo__dfstrv *v)
{
	free(v->s);
	free(v->len);
	memset(v, 0, sizeof(*v));
}
