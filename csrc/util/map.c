/*
 * The string map: open addressing with linear probing over a power-of-two table,
 * the full hash kept in each slot (a rehash does not read the keys, a probe
 * compares keys only on a hash match), tombstones for deletion. Grown at 5/8
 * load; a table mostly of tombstones is rehashed at the same size.
 */
#include <string.h>
#include "util/alloc.h"
#include "util/grow.h"
#include "util/map.h"

#define MAP_MIN 16

const char atmo__map_tomb[] = "";

static inline uint64_t load_tail(const char *s, size_t n)
{
	uint64_t w = 0;
	memcpy(&w, s, n);
	return w;
}

uint64_t atmo__map_hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)n * 0xff51afd7ed558ccdULL);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	if (n)
		h = (h ^ load_tail(s, n)) * 0x94d049bb133111ebULL;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	return h;
}

static inline int slot_is(const atmo__map_slot *s, uint64_t h, const char *key, size_t n)
{
	return s->hash == h && s->len == n && s->key != atmo__map_tomb &&
	       (n == 0 || memcmp(s->key, key, n) == 0);
}

size_t *atmo__map_find(const atmo__map *m, const char *key, size_t n, uint64_t h)
{
	size_t i, mask;

	if (!m->cap)
		return NULL;
	mask = m->cap - 1;
	for (i = h & mask;; i = (i + 1) & mask) {
		atmo__map_slot *s = &m->slots[i];
		if (!s->key)
			return NULL;
		if (slot_is(s, h, key, n))
			return &s->val;
	}
}

size_t *atmo__map_getn(const atmo__map *m, const char *key, size_t n)
{
	if (!m->cap)
		return NULL;
	return atmo__map_find(m, key, n, atmo__map_hash(key, n));
}

size_t *atmo__map_get(const atmo__map *m, const char *key)
{
	if (!m->cap)
		return NULL;
	return atmo__map_getn(m, key, strlen(key));
}

/* Move every live entry into a fresh table of cap slots (a power of two); drops tombstones. */
static int map_rehash(atmo__map *m, size_t cap, atmo_error *err)
{
	atmo__map_slot *slots;
	size_t i;

	slots = atmo__calloc(cap, sizeof(*slots), err);
	if (!slots)
		return ATMO_ENOMEM;
	atmo__prefault(slots, cap * sizeof(*slots));
	for (i = 0; i < m->cap; i++) {
		atmo__map_slot *s = &m->slots[i];
		size_t j;
		if (!s->key || s->key == atmo__map_tomb)
			continue;
		for (j = s->hash & (cap - 1); slots[j].key; j = (j + 1) & (cap - 1))
			;
		slots[j] = *s;
	}
	atmo__free(m->slots);
	m->slots = slots;
	m->cap = cap;
	m->used = m->n;
	return 0;
}

/* the slots for n live entries under the 5/8 load, or 0 past the address space */
static size_t cap_for(size_t n)
{
	size_t cap = MAP_MIN;
	if (n > SIZE_MAX / 16 / sizeof(atmo__map_slot))
		return 0;
	while ((n + 1) * 8 >= cap * 5)
		cap *= 2;
	return cap;
}

static int map_grow(atmo__map *m, atmo_error *err)
{
	size_t cap;

	if (!m->cap)
		cap = MAP_MIN;
	else if (m->n * 4 < m->cap)
		cap = m->cap; /* mostly tombstones: rehash at the same size */
	else if (m->cap > SIZE_MAX / 2 / sizeof(atmo__map_slot))
		return atmo__error_nomem(err);
	else
		cap = m->cap * 2;
	return map_rehash(m, cap, err);
}

int atmo__map_reserve(atmo__map *m, size_t n, atmo_error *err)
{
	size_t cap = cap_for(n);
	if (!cap)
		return atmo__error_nomem(err);
	return cap <= m->cap ? 0 : map_rehash(m, cap, err);
}

int atmo__map_put(atmo__map *m, const char *key, size_t n, uint64_t h, size_t val, size_t **slot,
		  atmo_error *err)
{
	size_t i, mask, tomb = SIZE_MAX;
	atmo__map_slot *s;

	if ((m->used + 1) * 8 >= m->cap * 5 && map_grow(m, err) < 0)
		return ATMO_ENOMEM;
	mask = m->cap - 1;
	for (i = h & mask;; i = (i + 1) & mask) {
		s = &m->slots[i];
		if (!s->key)
			break;
		if (s->key == atmo__map_tomb) {
			if (tomb == SIZE_MAX)
				tomb = i;
			continue;
		}
		if (slot_is(s, h, key, n)) {
			s->val = val;
			if (slot)
				*slot = &s->val;
			return 0;
		}
	}
	if (m->copy_keys) {
		/* copied before the slot is taken: a failure leaves the map as it was */
		key = atmo__arena_strndup(&m->keys, key, n);
		if (!key)
			return atmo__error_nomem(err);
	}
	if (tomb != SIZE_MAX)
		i = tomb;
	else
		m->used++;
	s = &m->slots[i];
	s->key = key;
	s->len = n;
	s->hash = h;
	s->val = val;
	m->n++;
	if (slot)
		*slot = &s->val;
	return 0;
}

int atmo__map_setn(atmo__map *m, const char *key, size_t n, size_t val, atmo_error *err)
{
	return atmo__map_put(m, key, n, atmo__map_hash(key, n), val, NULL, err);
}

int atmo__map_set(atmo__map *m, const char *key, size_t val, atmo_error *err)
{
	return atmo__map_setn(m, key, strlen(key), val, err);
}

int atmo__map_deln(atmo__map *m, const char *key, size_t n)
{
	size_t i, mask;
	uint64_t h;

	if (!m->cap)
		return 0;
	h = atmo__map_hash(key, n);
	mask = m->cap - 1;
	for (i = h & mask;; i = (i + 1) & mask) {
		atmo__map_slot *s = &m->slots[i];
		if (!s->key)
			return 0;
		if (slot_is(s, h, key, n)) {
			s->key = atmo__map_tomb;
			m->n--;
			return 1;
		}
	}
}

int atmo__map_del(atmo__map *m, const char *key)
{
	return atmo__map_deln(m, key, strlen(key));
}

int atmo__map_copy(atmo__map *dst, const atmo__map *src, atmo_error *err)
{
	size_t i;

	atmo__map_free(dst);
	dst->copy_keys = src->copy_keys;
	if (!src->n)
		return 0;
	if (!src->copy_keys) {
		/* borrowed keys: the table as it is, tombstones and all */
		dst->slots = atmo__calloc(src->cap, sizeof(*dst->slots), err);
		if (!dst->slots)
			return ATMO_ENOMEM;
		memcpy(dst->slots, src->slots, src->cap * sizeof(*dst->slots));
		dst->cap = src->cap;
		dst->n = src->n;
		dst->used = src->used;
		return 0;
	}
	if (atmo__map_reserve(dst, src->n, err) < 0)
		return ATMO_ENOMEM;
	for (i = 0; i < src->cap; i++) {
		const atmo__map_slot *s = &src->slots[i];
		if (!s->key || s->key == atmo__map_tomb)
			continue;
		if (atmo__map_put(dst, s->key, s->len, s->hash, s->val, NULL, err) < 0) {
			atmo__map_free(dst);
			return ATMO_ENOMEM;
		}
	}
	return 0;
}

const atmo__map_slot *atmo__map_next(const atmo__map *m, size_t *pos)
{
	for (; *pos < m->cap; (*pos)++) {
		const atmo__map_slot *s = &m->slots[*pos];
		if (s->key && s->key != atmo__map_tomb) {
			(*pos)++;
			return s;
		}
	}
	return NULL;
}

void atmo__map_free(atmo__map *m)
{
	int copy = m->copy_keys;
	atmo__free(m->slots);
	atmo__arena_free(&m->keys);
	memset(m, 0, sizeof(*m));
	m->copy_keys = copy;
}
