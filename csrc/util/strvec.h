/*
 * Internal: a growable list of strings with their lengths. The strings are
 * borrowed (they must outlive the list: an arena's, a parsed file's) unless the
 * list copies them (ATMO__STRVEC_INIT_COPY), as argv building does. v[n] is NULL
 * once anything was pushed, so v serves as an argv ((char *const *)v.v).
 *
 * An allocation failure gives ATMO_ENOMEM (recorded in err, NULL allowed) and
 * sets oom: later pushes do nothing and give ATMO_ENOMEM too, so a caller may
 * push a run of strings and check once at the end.
 */
#ifndef ATMO_UTIL_STRVEC_H
#define ATMO_UTIL_STRVEC_H

#include <stddef.h>
#include "util/error.h"

typedef struct {
	const char **v; /* n strings, then NULL; NULL before the first push */
	size_t *len;    /* len[i]: the bytes of v[i] */
	size_t n, cap;
	int copy; /* set before the first push: pushes copy (NUL-terminated), free frees */
	int oom;  /* an allocation failed */
} atmo__strvec;

#define ATMO__STRVEC_INIT                                                                          \
	{                                                                                          \
		NULL, NULL, 0, 0, 0, 0                                                             \
	}
#define ATMO__STRVEC_INIT_COPY                                                                     \
	{                                                                                          \
		NULL, NULL, 0, 0, 1, 0                                                             \
	}

/* Append the n bytes at s (no NUL needed when copying; a borrowed string is
 * v[i] with length len[i], NUL-terminated or not as the caller made it). */
int atmo__strvec_pushn(atmo__strvec *v, const char *s, size_t n, atmo_error *err);
/* Append the NUL-terminated s; NULL is taken as "". */
int atmo__strvec_push(atmo__strvec *v, const char *s, atmo_error *err);
/* Empty the list, keeping its memory (copied strings are freed); oom is cleared. */
void atmo__strvec_clear(atmo__strvec *v);
/* Free the arrays (and the copied strings); the list is empty and reusable, copy kept. */
void atmo__strvec_free(atmo__strvec *v);

#endif
