/* Internal: a bump allocator whose blocks are all freed at once. */
#ifndef ATMO_UTIL_ARENA_H
#define ATMO_UTIL_ARENA_H

#include <stddef.h>
#include "util/error.h"

typedef struct atmo__chunk {
	struct atmo__chunk *next;
	size_t used, cap;
} atmo__chunk;

/* Zero-initialise ({ NULL }) before the first use. */
typedef struct {
	atmo__chunk *head;
} atmo__arena;

/* 16-byte aligned memory, NULL when out of memory. */
void *atmo__arena_alloc(atmo__arena *a, size_t n);
char *atmo__arena_strndup(atmo__arena *a, const char *s, size_t n);
char *atmo__arena_strdup(atmo__arena *a, const char *s);
char *atmo__arena_printf(atmo__arena *a, const char *fmt, ...) ATMO_PRINTF(2, 3);
void atmo__arena_free(atmo__arena *a);

#endif
