#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <jansson.h>
#include "atmograph/alloc.h"
#include "util/alloc.h"
#include "util/error.h"

/*
 * The allocator in effect: a process-wide setting made before any other call
 * (atmo_set_allocator(), documented in atmograph/alloc.h), as jansson keeps its
 * json_set_alloc_funcs() pair. The library's only static state besides
 * Graphviz's context.
 */
static struct {
	atmo_malloc_fn m;
	atmo_realloc_fn r;
	atmo_free_fn f;
} funcs = { malloc, realloc, free };

int atmo_set_allocator(atmo_malloc_fn m, atmo_realloc_fn r, atmo_free_fn f)
{
	if (!m && !r && !f) {
		m = malloc;
		r = realloc;
		f = free;
	} else if (!m || !r || !f) {
		return ATMO_EINVALID;
	}
	funcs.m = m;
	funcs.r = r;
	funcs.f = f;
	json_set_alloc_funcs(m, f);
	return 0;
}

void atmo_free(void *p)
{
	if (p)
		funcs.f(p);
}

void atmo__free(void *p)
{
	if (p)
		funcs.f(p);
}

void *atmo__malloc(size_t n, atmo_error *err)
{
	void *p = funcs.m(n ? n : 1);
	if (!p)
		atmo__error_nomem(err);
	return p;
}

void *atmo__calloc(size_t count, size_t size, atmo_error *err)
{
	void *p;

	count = count ? count : 1;
	size = size ? size : 1;
	if (count > SIZE_MAX / size) {
		atmo__error_nomem(err);
		return NULL;
	}
	p = funcs.m(count * size);
	if (!p) {
		atmo__error_nomem(err);
		return NULL;
	}
	memset(p, 0, count * size);
	return p;
}

void *atmo__realloc(void *p, size_t n, atmo_error *err)
{
	void *q = funcs.r(p, n ? n : 1);
	if (!q)
		atmo__error_nomem(err);
	return q;
}

void *atmo__reallocarray(void *p, size_t count, size_t size, atmo_error *err)
{
	if (size && count > SIZE_MAX / size) {
		atmo__error_nomem(err);
		return NULL;
	}
	return atmo__realloc(p, count * size, err);
}

char *atmo__strndup(const char *s, size_t n, atmo_error *err)
{
	char *d = atmo__malloc(n + 1, err);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *atmo__strdup(const char *s, atmo_error *err)
{
	return atmo__strndup(s, strlen(s), err);
}

int atmo__asprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int n;

	*out = NULL;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(*out = atmo__malloc((size_t)n + 1, NULL)))
		return -1;
	va_start(ap, fmt);
	vsnprintf(*out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return n;
}
