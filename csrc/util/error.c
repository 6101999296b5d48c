#include <stdio.h>
#include <string.h>
#include "util/error.h"

void atmo_error_clear(atmo_error *err)
{
	if (!err)
		return;
	memset(err, 0, sizeof(*err));
	err->offset = -1;
}

const char *atmo_strerror(int code)
{
	switch (code) {
	case ATMO_OK:
		return "success";
	case ATMO_ENOMEM:
		return "out of memory";
	case ATMO_EINVALID:
		return "invalid input";
	case ATMO_ENOTFOUND:
		return "not found";
	case ATMO_EIO:
		return "input/output error";
	case ATMO_EUNSUPPORTED:
		return "not supported";
	case ATMO_EVERIFY:
		return "verification failed";
	case ATMO_ECANCELLED:
		return "cancelled";
	case ATMO_EENGINE:
		return "build engine failed";
	case ATMO_ELIMIT:
		return "limit exceeded";
	default:
		return "error";
	}
}

const char *atmo_version(void)
{
	return ATMO_VERSION;
}

int atmo__error_is_set(const atmo_error *err)
{
	return err && err->code != 0;
}

int atmo__error_vset(atmo_error *err, int code, const char *source, int line, int column,
		     const char *fmt, va_list ap)
{
	if (!err || err->code != 0)
		return code;
	err->code = code;
	err->line = line;
	err->column = column;
	if (source)
		snprintf(err->source, sizeof(err->source), "%s", source);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	return code;
}

int atmo__error_set(atmo_error *err, int code, const char *source, int line, int column,
		    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	atmo__error_vset(err, code, source, line, column, fmt, ap);
	va_end(ap);
	return code;
}

int atmo__error_nomem(atmo_error *err)
{
	return atmo__error_set(err, ATMO_ENOMEM, NULL, 0, 0, "out of memory");
}

char *atmo_error_format(const atmo_error *err, char *buf, size_t n)
{
	if (!buf || n == 0)
		return buf;
	buf[0] = '\0';
	if (!err)
		return buf;
	if (err->source[0] && err->line > 0 && err->column > 0)
		snprintf(buf, n, "%s:%d:%d: %s", err->source, err->line, err->column, err->text);
	else if (err->source[0] && err->line > 0)
		snprintf(buf, n, "%s:%d: %s", err->source, err->line, err->text);
	else if (err->source[0])
		snprintf(buf, n, "%s: %s", err->source, err->text);
	else
		snprintf(buf, n, "%s", err->text[0] ? err->text : atmo_strerror(err->code));
	return buf;
}
