/*
 * The two name tables of the cgraph builder: the stable SVG ids of a drawing
 * (atmo_ridmap, shared with the SVG writer) and cgraph's id discipline that
 * numbers names in creation order (atmo__ordered_ids).
 */
#include <stdio.h>
#include <string.h>
#include "render/builder_int.h"
#include "util/alloc.h"

static size_t hash_str(const char *s, size_t len)
{
	size_t h = 1469598103934665603ULL, i;
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

/*
 * The two name tables of this file (stable ids, cgraph names) are open addressing
 * over indexes: a slot holds index + 1, 0 is empty, and key(ctx, i) gives back
 * the string of index i.
 */
typedef const char *(*slot_key_fn)(const void *ctx, size_t i);

/* Index of key, or -1 with *empty (if not NULL) set to the slot where it would go. */
static long slots_find(const size_t *slots, size_t nslots, const char *key, size_t len,
		       slot_key_fn keyof, const void *ctx, size_t *empty)
{
	size_t h, k;

	if (!nslots)
		return -1;
	h = hash_str(key, len) & (nslots - 1);
	for (k = 0; k < nslots; k++, h = (h + 1) & (nslots - 1)) {
		const char *s;
		if (!slots[h]) {
			if (empty)
				*empty = h;
			return -1;
		}
		s = keyof(ctx, slots[h] - 1);
		if (!strncmp(s, key, len) && s[len] == '\0')
			return (long)(slots[h] - 1);
	}
	return -1;
}

/* Twice the slots (64 at first) for the n indexes there are. */
static int slots_grow(size_t **slots, size_t *nslots, size_t n, slot_key_fn keyof, const void *ctx)
{
	size_t cap = *nslots ? *nslots * 2 : 64, i;
	size_t *v = atmo__calloc(cap, sizeof(*v), NULL);

	if (!v)
		return ATMO_ENOMEM;
	for (i = 0; i < n; i++) {
		const char *k = keyof(ctx, i);
		size_t h = hash_str(k, strlen(k)) & (cap - 1);
		while (v[h])
			h = (h + 1) & (cap - 1);
		v[h] = i + 1;
	}
	atmo__free(*slots);
	*slots = v;
	*nslots = cap;
	return 0;
}

static const char *rid_key(const void *ctx, size_t i)
{
	return ((const atmo_ridmap *)ctx)->v[i].id;
}

const atmo_rident *atmo__ridmap_get(const atmo_ridmap *m, const char *id, size_t len)
{
	long i = slots_find(m->slots, m->nslots, id, len, rid_key, m, NULL);
	return i < 0 ? NULL : &m->v[i];
}

long atmo__ridmap_add(atmo_ridmap *m, const char *prefix, const char *key)
{
	size_t plen = strlen(prefix), klen = strnlen(key, 200), base_len, len, i, h;
	unsigned suffix = 1;
	char *id = atmo__malloc(plen + klen + 16, NULL);

	if (!id)
		return ATMO_ENOMEM;
	memcpy(id, prefix, plen);
	/* ids stay short: long keys are cut (uniqueness comes from the suffix) */
	for (i = 0; i < klen; i++) {
		char ch = key[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			ch = '-';
		id[plen + i] = ch;
	}
	base_len = len = plen + klen;
	id[len] = '\0';
	while (atmo__ridmap_get(m, id, len)) {
		int n = snprintf(id + base_len, 16, "-%u", ++suffix);
		len = base_len + (size_t)(n > 0 ? n : 0);
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 32;
		atmo_rident *v = atmo__realloc(m->v, cap * sizeof(*v), NULL);
		if (!v)
			goto oom;
		m->v = v;
		m->cap = cap;
	}
	if ((m->n + 1) * 2 > m->nslots && slots_grow(&m->slots, &m->nslots, m->n, rid_key, m) < 0)
		goto oom;
	slots_find(m->slots, m->nslots, id, len, rid_key, m, &h);   /* new: its empty slot */
	i = m->n++;
	m->v[i].id = id;
	m->v[i].title = NULL;
	m->v[i].href = NULL;
	m->v[i].round = 0;
	m->slots[h] = i + 1;
	return (long)i;
oom:
	atmo__free(id);
	return ATMO_ENOMEM;
}

void atmo__ridmap_free(atmo_ridmap *m)
{
	size_t i;
	for (i = 0; i < m->n; i++) {
		atmo__free(m->v[i].id);
		atmo__free(m->v[i].title);
		atmo__free(m->v[i].href);
	}
	atmo__free(m->v);
	atmo__free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* ---- deterministic object ids ----------------------------------------------------------
 * cgraph's default id discipline uses the address of the interned name as the id
 * of a named object, and keeps subgraphs ordered by id: cluster order (and so
 * layout and output order) would follow malloc. This discipline numbers names
 * in creation order instead (even ids; odd ids stay for anonymous objects).
 */
typedef struct {
	Agraph_t *g;
	char **names;   /* interned in the graph's string dictionary (agwrite reads their flags) */
	size_t n, cap;
	size_t *slots;  /* open addressing: index + 1 */
	size_t nslots;
	IDTYPE anon;
} idstate;

static void *id_open(Agraph_t *g, Agdisc_t *d)
{
	idstate *s = atmo__calloc(1, sizeof(*s), NULL);
	(void)d;
	if (s) {
		s->g = g;
		s->anon = 1;
	}
	return s;
}

static const char *name_key(const void *ctx, size_t i)
{
	return ((const idstate *)ctx)->names[i];
}

static long id_map(void *state, int objtype, char *str, IDTYPE *id, int createflag)
{
	idstate *s = state;
	size_t slot = 0;
	long i;

	(void)objtype;
	if (!s)
		return 0;
	if (!str) {
		*id = s->anon;
		s->anon += 2;
		return 1;
	}
	i = slots_find(s->slots, s->nslots, str, strlen(str), name_key, s, &slot);
	if (i >= 0) {
		*id = (IDTYPE)(i + 1) * 2;
		return 1;
	}
	if (!createflag)
		return 0;
	if ((s->n + 1) * 2 > s->nslots) {
		if (slots_grow(&s->slots, &s->nslots, s->n, name_key, s) < 0)
			return 0;
		slots_find(s->slots, s->nslots, str, strlen(str), name_key, s, &slot);
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		char **v = atmo__realloc(s->names, cap * sizeof(*v), NULL);
		if (!v)
			return 0;
		s->names = v;
		s->cap = cap;
	}
	if (!(s->names[s->n] = agstrdup(s->g, str)))
		return 0;
	s->slots[slot] = ++s->n;
	*id = (IDTYPE)s->n * 2;
	return 1;
}

static long id_alloc(void *state, int objtype, IDTYPE request)
{
	(void)state;
	(void)objtype;
	(void)request;
	return 0;
}

static void id_free(void *state, int objtype, IDTYPE id)
{
	(void)state;
	(void)objtype;
	(void)id;
}

static char *id_print(void *state, int objtype, IDTYPE id)
{
	idstate *s = state;
	(void)objtype;
	if (s && id % 2 == 0 && id >= 2 && id / 2 <= s->n)
		return s->names[id / 2 - 1];
	return NULL;
}

static void id_close(void *state)
{
	idstate *s = state;
	if (!s)
		return;
	/* the names go with the graph's string dictionary, which agclose frees next */
	atmo__free(s->names);
	atmo__free(s->slots);
	atmo__free(s);
}

static void id_register(void *state, int objtype, void *obj)
{
	(void)state;
	(void)objtype;
	(void)obj;
}

Agiddisc_t atmo__ordered_ids = { id_open, id_map, id_alloc, id_free, id_print, id_close, id_register };
