/*
 * Internal: an open-addressing hash map from a string key (bytes and a length,
 * no NUL needed) to a size_t: an index into the caller's own array, a count, a
 * flag. Keys are borrowed (they must outlive the map) unless the map copies
 * them (ATMO__MAP_INIT_COPY), into an arena of its own.
 *
 * Zero-initialised (or ATMO__MAP_INIT) it is an empty borrowing map; nothing is
 * allocated before the first put. Every allocation failure gives ATMO_ENOMEM,
 * recorded in err (NULL allowed), with the map as it was; a key of 4 GiB or
 * more gives ATMO_ELIMIT.
 */
#ifndef ATMO_UTIL_MAP_H
#define ATMO_UTIL_MAP_H

#include <stddef.h>
#include <stdint.h>
#include "util/arena.h"
#include "util/error.h"

typedef struct {
	const char *key; /* NULL: empty; atmo__map_tomb: deleted */
	uint32_t hash;   /* the low bits of atmo__map_hash(key): the slot, a first comparison */
	uint32_t len;    /* 24 bytes a slot: a map of every path of an image stays small */
	size_t val;
} atmo__map_slot;

typedef struct {
	atmo__map_slot *slots;
	size_t cap;       /* slots: 0 or a power of two */
	size_t n;         /* live entries */
	size_t used;      /* live and deleted slots */
	int copy_keys;    /* set before the first put: keys are copied into `keys` */
	atmo__arena keys; /* the copied keys */
} atmo__map;

#define ATMO__MAP_INIT                                                                             \
	{                                                                                          \
		NULL, 0, 0, 0, 0,                                                                  \
		{                                                                                  \
			NULL                                                                       \
		}                                                                                  \
	}
#define ATMO__MAP_INIT_COPY                                                                        \
	{                                                                                          \
		NULL, 0, 0, 0, 1,                                                                  \
		{                                                                                  \
			NULL                                                                       \
		}                                                                                  \
	}

extern const char atmo__map_tomb[];

/* The hash every map uses: n bytes, 8 at a time, then a full avalanche so that the
 * low bits (the slot) depend on every byte (paths share long prefixes). */
uint64_t atmo__map_hash(const char *s, size_t n);

/* The value of key (NUL-terminated), or NULL. The pointer is valid until the next put. */
size_t *atmo__map_get(const atmo__map *m, const char *key);
/* the same for the n bytes at key */
size_t *atmo__map_getn(const atmo__map *m, const char *key, size_t n);
/* the same with the hash known (atmo__map_hash(key, n) == h) */
size_t *atmo__map_find(const atmo__map *m, const char *key, size_t n, uint64_t h);

/* Insert or overwrite. 0 or ATMO_ENOMEM. */
int atmo__map_set(atmo__map *m, const char *key, size_t val, atmo_error *err);
int atmo__map_setn(atmo__map *m, const char *key, size_t n, size_t val, atmo_error *err);
/* the same with the hash known; *slot (when slot is not NULL) is set to the value's
 * place, valid until the next put */
int atmo__map_put(atmo__map *m, const char *key, size_t n, uint64_t h, size_t val, size_t **slot,
		  atmo_error *err);

/* Remove key: 1 removed, 0 not there. */
int atmo__map_del(atmo__map *m, const char *key);
int atmo__map_deln(atmo__map *m, const char *key, size_t n);

/* Room for n entries without a rehash. 0 or ATMO_ENOMEM. */
int atmo__map_reserve(atmo__map *m, size_t n, atmo_error *err);

/* dst (freed first) becomes a copy of src, copying the keys when src does. 0 or
 * ATMO_ENOMEM (dst then empty). */
int atmo__map_copy(atmo__map *dst, const atmo__map *src, atmo_error *err);

/* Iteration in slot order: for (i = 0; (s = atmo__map_next(m, &i));) ... NULL at the
 * end. No put or delete during the loop. */
const atmo__map_slot *atmo__map_next(const atmo__map *m, size_t *pos);

/* Start loading the slot where a key of hash h would be (many lookups in a row). */
static inline void atmo__map_prefetch(const atmo__map *m, uint64_t h)
{
	if (m->cap)
		__builtin_prefetch(&m->slots[h & (m->cap - 1)]);
}

/* Free the slots (and the copied keys); the map is empty and reusable, copy_keys kept. */
void atmo__map_free(atmo__map *m);

#endif
