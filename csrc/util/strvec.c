/* The string list: two parallel arrays (pointers with a NULL after the last, and
 * lengths) grown together. */
#include <string.h>
#include "util/alloc.h"
#include "util/grow.h"
#include "util/strvec.h"

int atmo__strvec_pushn(atmo__strvec *v, const char *s, size_t n, atmo_error *err)
{
	if (v->oom)
		return atmo__error_nomem(err);
	if (v->n + 2 > v->cap) {
		size_t cv = v->cap, cl = v->cap;
		/* both arrays grow from the same capacity to the same capacity; a failure
		 * on the second leaves the first bigger than cap says, which is harmless */
		if (ATMO__GROW(v->v, cv, v->n + 2, err) < 0 ||
		    ATMO__GROW(v->len, cl, v->n + 2, err) < 0) {
			v->oom = 1;
			return ATMO_ENOMEM;
		}
		v->cap = cv;
	}
	if (v->copy) {
		char *d = atmo__strndup(s, n, err);
		if (!d) {
			v->oom = 1;
			return ATMO_ENOMEM;
		}
		s = d;
	}
	v->v[v->n] = s;
	v->len[v->n++] = n;
	v->v[v->n] = NULL;
	return 0;
}

int atmo__strvec_push(atmo__strvec *v, const char *s, atmo_error *err)
{
	if (!s)
		s = "";
	return atmo__strvec_pushn(v, s, strlen(s), err);
}

void atmo__strvec_clear(atmo__strvec *v)
{
	size_t i;

	if (v->copy)
		for (i = 0; i < v->n; i++)
			atmo__free((void *)v->v[i]);
	v->n = 0;
	v->oom = 0;
	if (v->v)
		v->v[0] = NULL;
}

void atmo__strvec_free(atmo__strvec *v)
{
	int copy = v->copy;

	atmo__strvec_clear(v);
	atmo__free(v->v);
	atmo__free(v->len);
	memset(v, 0, sizeof(*v));
	v->copy = copy;
}
