/* Internal: recording errors into a caller's atmo_error. */
#ifndef ATMO_UTIL_ERROR_H
#define ATMO_UTIL_ERROR_H

#include <stdarg.h>
#include "atmograph/common.h"

#if defined(__GNUC__)
#define ATMO_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ATMO_PRINTF(a, b)
#endif

/*
 * Record an error unless one is already recorded (the first error wins).
 * source may be NULL, line/column 0 when unknown. Returns code, so callers
 * can write `return atmo__error_set(err, ATMO_EINVALID, ...);`.
 */
int atmo__error_set(atmo_error *err, int code, const char *source, int line, int column,
		    const char *fmt, ...) ATMO_PRINTF(6, 7);
int atmo__error_vset(atmo_error *err, int code, const char *source, int line, int column,
		     const char *fmt, va_list ap);

/* Shorthand for an out-of-memory error. */
int atmo__error_nomem(atmo_error *err);

/* True when err holds an error. */
int atmo__error_is_set(const atmo_error *err);

#endif
