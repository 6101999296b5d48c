#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/buf.h"
#include "util/alloc.h"

int atmo__buf_grow(atmo_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return ATMO_ENOMEM;
	if (extra > (size_t)-1 - b->len - 1)
		goto oom;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
	p = atmo__realloc(b->ptr, cap, NULL);
	if (!p)
		goto oom;
	if (!b->ptr)
		p[0] = '\0';
	b->ptr = p;
	b->cap = cap;
	return 0;
oom:
	b->oom = 1;
	return ATMO_ENOMEM;
}

int atmo__buf_put(atmo_buf *b, const char *data, size_t len)
{
	if (atmo__buf_grow(b, len) < 0)
		return ATMO_ENOMEM;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int atmo__buf_puts(atmo_buf *b, const char *s)
{
	return atmo__buf_put(b, s, strlen(s));
}

int atmo__buf_putc(atmo_buf *b, char c)
{
	return atmo__buf_put(b, &c, 1);
}

int atmo__buf_printf(atmo_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || atmo__buf_grow(b, (size_t)n) < 0)
		return ATMO_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void atmo__buf_clear(atmo_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

char *atmo__buf_detach(atmo_buf *b)
{
	char *p = b->ptr;
	if (!p && !b->oom)
		p = atmo__calloc(1, 1, NULL);
	if (b->oom) {
		atmo__free(b->ptr);
		p = NULL;
	}
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
	return p;
}

void atmo__buf_free(atmo_buf *b)
{
	atmo__free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

const char *atmo__buf_cstr(const atmo_buf *b)
{
	return b->ptr ? b->ptr : "";
}
