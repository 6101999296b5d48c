/* Internal: allocation wrappers that record ATMO_ENOMEM in an error struct. */
#ifndef ATMO_UTIL_ALLOC_H
#define ATMO_UTIL_ALLOC_H

#include <stddef.h>
#include "atmograph/common.h"

void *atmo__malloc(size_t n, atmo_error *err);
void *atmo__calloc(size_t count, size_t size, atmo_error *err);
void *atmo__realloc(void *p, size_t n, atmo_error *err);
/* realloc of an array of count items of size bytes, checking for overflow */
void *atmo__reallocarray(void *p, size_t count, size_t size, atmo_error *err);
char *atmo__strdup(const char *s, atmo_error *err);
char *atmo__strndup(const char *s, size_t n, atmo_error *err);

#endif
