/* A small growable string vector for argv building. */
#include <stdlib.h>
#include <string.h>
#include "engine/engine_int.h"
#include "util/alloc.h"

void atmo__strv_push(atmo_strv *s, const char *str)
{
	char *d;

	if (s->oom)
		return;
	if (s->n + 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **v = atmo__realloc(s->v, cap * sizeof(*v), NULL);
		if (!v) {
			s->oom = 1;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	d = atmo__strdup(str ? str : "", NULL);
	if (!d) {
		s->oom = 1;
		return;
	}
	s->v[s->n++] = d;
	s->v[s->n] = NULL;
}

void atmo__strv_free(atmo_strv *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		atmo__free(s->v[i]);
	atmo__free(s->v);
	memset(s, 0, sizeof(*s));
}
