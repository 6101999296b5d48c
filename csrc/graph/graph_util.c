/* The resolver's variable scope: ARG and ENV values in order, looked up by name. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/graph_int.h"

/* ---- scope ---- */

int atmo__genv_set(atmo__genv *e, const char *name, const char *value, int is_env)
{
	size_t len = strlen(name);
	int i = atmo__gmap_get(&e->idx, name, len);
	if (i >= 0) {
		/* ENV always wins over an ARG of the same name (Dockerfile reference) */
		if (e->v[i].is_env && !is_env)
			return 0;
		e->v[i].value = value;
		e->v[i].is_env = is_env;
		return 0;
	}
	if (e->n >= (size_t)INT32_MAX)
		return ATMO_ELIMIT;
	if (ATMO__GROW(e->v, e->cap, e->n + 1, NULL) < 0)
		return ATMO_ENOMEM;
	if (atmo__gmap_put(&e->idx, name, len, (int)e->n) < 0)
		return ATMO_ENOMEM;
	e->v[e->n].name = name;
	e->v[e->n].value = value;
	e->v[e->n].is_env = is_env;
	e->n++;
	return 0;
}

const char *atmo__genv_get(const atmo__genv *e, const char *name, size_t len)
{
	int i = atmo__gmap_get(&e->idx, name, len);
	return i >= 0 ? e->v[i].value : NULL;
}

int atmo__genv_copy(atmo__genv *dst, const atmo__genv *src)
{
	atmo__genv_free(dst);
	if (!src->n)
		return 0;
	dst->v = atmo__malloc(src->n * sizeof(*dst->v), NULL);
	if (!dst->v)
		return ATMO_ENOMEM;
	memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	dst->n = dst->cap = src->n;
	if (atmo__map_copy(&dst->idx, &src->idx, NULL) < 0) {
		atmo__genv_free(dst);
		return ATMO_ENOMEM;
	}
	return 0;
}

void atmo__genv_free(atmo__genv *e)
{
	atmo__free(e->v);
	e->v = NULL;
	e->n = e->cap = 0;
	atmo__map_free(&e->idx);
}
