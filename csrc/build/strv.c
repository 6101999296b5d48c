/* A small growable string vector for argv building. */
#include <stdlib.h>
#include <string.h>
#include "build/build_internal.h"

void atmo__strv_push(atmo_strv *s, const char *str)
{
	char *d;

	if (s->oom)
		return;
	if (s->n + 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **v = realloc(s->v, cap * sizeof(*v));
		if (!v) {
			s->oom = 1;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	d = strdup(str ? str : "");
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
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
