/* Internal: room for more items in a growable array (capacity doubling). */
#ifndef ATMO_UTIL_GROW_H
#define ATMO_UTIL_GROW_H

#include <stddef.h>
#include "util/error.h"

/*
 * Make *cap (the capacity, in items of size bytes, of the array at *(void **)pp)
 * at least need: doubling from 16 items (or from *cap), never past SIZE_MAX
 * bytes, through atmo__reallocarray(). pp is the address of the array pointer
 * (any object pointer type; see ATMO__GROW).
 * @return 0, or ATMO_ENOMEM (recorded in err, NULL allowed) with the array and
 *         *cap unchanged: the caller still frees the old array
 */
int atmo__grow(void *pp, size_t *cap, size_t need, size_t size, atmo_error *err);

/* ATMO__GROW(v, cap, n + 1, err): the item size taken from the array's type */
#define ATMO__GROW(arr, cap, need, err) atmo__grow(&(arr), &(cap), (need), sizeof(*(arr)), (err))

/* Fault in the pages of a large fresh allocation with one call rather than one
 * fault per page; a hint only (a no-op below 1 MiB or without MADV_POPULATE_WRITE). */
void atmo__prefault(void *p, size_t len);

#endif
