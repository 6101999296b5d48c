/*
 * The two name tables of the cgraph builder: the stable SVG ids of a drawing
 * (atmo_ridmap, shared with the SVG writer) and cgraph's id discipline that
 * numbers names in creation order (atmo__ordered_ids).
 */
#include <stdio.h>
#include <string.h>
#include "render/builder_int.h"
#include "util/alloc.h"
#include "util/grow.h"
#include "util/map.h"

const atmo_rident *atmo__ridmap_get(const atmo_ridmap *m, const char *id, size_t len)
{
	const size_t *i = atmo__map_getn(&m->index, id, len);
	return i ? &m->v[*i] : NULL;
}

long atmo__ridmap_add(atmo_ridmap *m, const char *prefix, const char *key)
{
	size_t plen = strlen(prefix), klen = strnlen(key, 200), base_len, len, i;
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
		else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
			   ch == '-'))
			ch = '-';
		id[plen + i] = ch;
	}
	base_len = len = plen + klen;
	id[len] = '\0';
	while (atmo__ridmap_get(m, id, len)) {
		int n = snprintf(id + base_len, 16, "-%u", ++suffix);
		len = base_len + (size_t)(n > 0 ? n : 0);
	}
	if (ATMO__GROW(m->v, m->cap, m->n + 1, NULL) < 0)
		goto oom;
	/* the key is the id itself, which the entry owns from here on */
	if (atmo__map_setn(&m->index, id, len, m->n, NULL) < 0)
		goto oom;
	i = m->n++;
	m->v[i].id = id;
	m->v[i].title = NULL;
	m->v[i].href = NULL;
	m->v[i].round = 0;
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
	atmo__map_free(&m->index);
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
	char **names; /* interned in the graph's string dictionary (agwrite reads their flags) */
	size_t n, cap;
	atmo__map index; /* name -> its index in names (keys: the interned names) */
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

static long id_map(void *state, int objtype, char *str, IDTYPE *id, int createflag)
{
	idstate *s = state;
	const size_t *i;

	(void)objtype;
	if (!s)
		return 0;
	if (!str) {
		*id = s->anon;
		s->anon += 2;
		return 1;
	}
	if ((i = atmo__map_get(&s->index, str))) {
		*id = (IDTYPE)(*i + 1) * 2;
		return 1;
	}
	if (!createflag)
		return 0;
	if (ATMO__GROW(s->names, s->cap, s->n + 1, NULL) < 0)
		return 0;
	if (!(s->names[s->n] = agstrdup(s->g, str)))
		return 0;
	if (atmo__map_set(&s->index, s->names[s->n], s->n, NULL) < 0) {
		agstrfree(s->g, s->names[s->n]);
		return 0;
	}
	*id = (IDTYPE)++s->n * 2;
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
	atmo__map_free(&s->index);
	atmo__free(s);
}

static void id_register(void *state, int objtype, void *obj)
{
	(void)state;
	(void)objtype;
	(void)obj;
}

Agiddisc_t atmo__ordered_ids = {
	id_open, id_map, id_alloc, id_free, id_print, id_close, id_register
};
