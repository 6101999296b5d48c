/*
 * atmograph: the allocator the library uses, settable as jansson's
 * json_set_alloc_funcs() and libgit2's GIT_OPT_SET_ALLOCATOR.
 */
#ifndef ATMOGRAPH_ALLOC_H
#define ATMOGRAPH_ALLOC_H

#include <stddef.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void *(*atmo_malloc_fn)(size_t size);
typedef void *(*atmo_realloc_fn)(void *ptr, size_t size);
typedef void (*atmo_free_fn)(void *ptr);

/**
 * Set the functions the library allocates with (and jansson's, through
 * json_set_alloc_funcs(), since the library's JSON documents are jansson's).
 *
 * A process-wide configuration, not per call: set it once, before any other
 * atmograph call (and before any jansson value is made), from one thread; memory
 * allocated before the change must not be freed after it. Like jansson's, the
 * setting lives in one static of the library (util/alloc.c): the only such state.
 * Graphviz, libarchive, libcurl and libcrypto keep their own allocators.
 *
 * The functions follow malloc(), realloc() and free(): realloc(NULL, n) allocates,
 * a NULL result is an out-of-memory failure (the library then returns ATMO_ENOMEM),
 * free(NULL) does nothing.
 * @param m, r, f  all three, or all NULL to go back to the C library's
 * @return 0, or ATMO_EINVALID when only some are NULL (nothing changes)
 */
ATMO_EXTERN int atmo_set_allocator(atmo_malloc_fn m, atmo_realloc_fn r, atmo_free_fn f);

/**
 * Free memory the library handed over ("caller frees": render output, texts) with
 * the allocator in effect. NULL-safe. Without atmo_set_allocator() this is free().
 */
ATMO_EXTERN void atmo_free(void *ptr);

#ifdef __cplusplus
}
#endif
#endif
