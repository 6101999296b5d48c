/*
 * Internal: allocation through the allocator in effect (atmo_set_allocator(),
 * atmograph/alloc.h). The wrappers record ATMO_ENOMEM in err (NULL allowed);
 * memory from them is freed with atmo__free(), never free(). Memory made by the
 * C library itself (open_memstream, getline, realpath) is freed with free().
 */
#ifndef ATMO_UTIL_ALLOC_H
#define ATMO_UTIL_ALLOC_H

#include <stddef.h>
#include "atmograph/common.h"
#include "util/error.h"

void *atmo__malloc(size_t n, atmo_error *err);
void *atmo__calloc(size_t count, size_t size, atmo_error *err);
void *atmo__realloc(void *p, size_t n, atmo_error *err);
/* realloc of an array of count items of size bytes, checking for overflow */
void *atmo__reallocarray(void *p, size_t count, size_t size, atmo_error *err);
char *atmo__strdup(const char *s, atmo_error *err);
char *atmo__strndup(const char *s, size_t n, atmo_error *err);
/* free() for the allocator in effect. NULL-safe. */
void atmo__free(void *p);
/* asprintf() with the allocator in effect: the length, or -1 (*out NULL) */
int atmo__asprintf(char **out, const char *fmt, ...) ATMO_PRINTF(2, 3);

#endif
