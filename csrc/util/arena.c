/* A bump allocator: many small strings and arrays freed at once (a parsed
 * Dockerfile, a stage graph). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/arena.h"
#include "util/alloc.h"

#define ARENA_CHUNK 65536
#define ARENA_ALIGN 16
#define CHUNK_HDR ((sizeof(atmo__chunk) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

/* n bytes at an offset aligned to align (a power of two, at most ARENA_ALIGN) */
static void *arena_take(atmo__arena *a, size_t n, size_t align)
{
	atmo__chunk *c = a->head;
	size_t off = c ? (c->used + align - 1) & ~(align - 1) : 0;
	void *p;

	if (!c || off > c->cap || c->cap - off < n) {
		size_t cap = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;
		if (cap > (size_t)-1 - CHUNK_HDR)
			return NULL;
		c = atmo__malloc(CHUNK_HDR + cap, NULL);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		if (n > ARENA_CHUNK / 4 && a->head) {
			/* a big block: keep filling the current chunk afterwards */
			c->next = a->head->next;
			a->head->next = c;
			c->used = n;
			return (char *)c + CHUNK_HDR;
		}
		c->next = a->head;
		a->head = c;
		off = 0;
	}
	p = (char *)c + CHUNK_HDR + off;
	c->used = off + n;
	return p;
}

void *atmo__arena_alloc(atmo__arena *a, size_t n)
{
	return arena_take(a, n, ARENA_ALIGN);
}

char *atmo__arena_strndup(atmo__arena *a, const char *s, size_t n)
{
	/* strings need no alignment: packed end to end (millions of image paths) */
	char *p = n < (size_t)-1 ? arena_take(a, n + 1, 1) : NULL;
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
		atmo__free(c);
		c = next;
	}
	a->head = NULL;
}

char *atmo__arena_strdup(atmo__arena *a, const char *s)
{
	return atmo__arena_strndup(a, s, strlen(s));
}

char *atmo__arena_printf(atmo__arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = atmo__arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
