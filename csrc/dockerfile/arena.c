/* Lists of strings whose storage grows with the parse. */
#include <stdlib.h>
#include <string.h>
#include "dockerfile/df_internal.h"

int atmo__dfstrv_push(atmo__dfstrv *v, const char *s, size_t n)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		const char **ns = realloc(v->s, cap * sizeof(*ns));
		size_t *nl;
		if (!ns)
			return ATMO_ENOMEM;
		v->s = ns;
		nl = realloc(v->len, cap * sizeof(*nl));
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
	free(v->s);
	free(v->len);
	memset(v, 0, sizeof(*v));
}
