#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "util/alloc.h"
#include "util/error.h"

void *atmo__malloc(size_t n, atmo_error *err)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		atmo__error_nomem(err);
	return p;
}

void *atmo__calloc(size_t count, size_t size, atmo_error *err)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		atmo__error_nomem(err);
	return p;
}

void *atmo__realloc(void *p, size_t n, atmo_error *err)
{
	void *q = realloc(p, n ? n : 1);
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
