/* Lists of strings whose storage grows with the parse. */
#include <stdlib.h>
#include <string.h>
#include "dockerfile/dockerfile_int.h"
#include "util/alloc.h"

int atmo__dfstrv_push(atmo__dfstrv *v, const char *s, size_t n)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		const char **ns = atmo__reallocarray(v->s, cap, sizeof(*ns), NULL);
		size_t *nl;
		if (!ns)
			return ATMO_ENOMEM;
		v->s = ns;
		nl = atmo__reallocarray(v->len, cap, sizeof(*nl), NULL);
		if (!nl)
			return ATMO_ENOMEM;
		v->len = nl;
		v->cap = cap;
	}
	v->s[v->n] = s;
	v->len[v->n++] = n;
	return 0;
}

void atmo__dfstrv_free(atmo__dfstrv *v)
{
	atmo__free(v->s);
	atmo__free(v->len);
	memset(v, 0, sizeof(*v));
}
