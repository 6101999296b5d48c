/* Internal: a growable byte buffer that stays NUL-terminated. */
#ifndef ATMO_UTIL_BUF_H
#define ATMO_UTIL_BUF_H

#include <stddef.h>
#include "util/error.h"

typedef struct {
	char *ptr; /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
	int oom; /* set once an allocation failed; later appends are no-ops */
} atmo_buf;

#define ATMO_BUF_INIT                                                                              \
	{                                                                                          \
		NULL, 0, 0, 0                                                                      \
	}

int atmo__buf_grow(atmo_buf *b, size_t extra);
int atmo__buf_put(atmo_buf *b, const char *data, size_t len);
int atmo__buf_puts(atmo_buf *b, const char *s);
int atmo__buf_putc(atmo_buf *b, char c);
int atmo__buf_printf(atmo_buf *b, const char *fmt, ...) ATMO_PRINTF(2, 3);
void atmo__buf_clear(atmo_buf *b);   /* keep memory, length 0 */
char *atmo__buf_detach(atmo_buf *b); /* caller frees; buffer reset */
void atmo__buf_free(atmo_buf *b);
/* the content, "" when empty */
const char *atmo__buf_cstr(const atmo_buf *b);

#endif
