/* The one place where the atmograph program prints errors and warnings. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

static void print_located(const char *kind, const atmo_error *e)
{
	fputs("atmograph: ", stderr);
	if (e->source[0]) {
		fputs(e->source, stderr);
		if (e->line > 0) {
			fprintf(stderr, ":%d", e->line);
			if (e->column > 0)
				fprintf(stderr, ":%d", e->column);
		}
		fputs(": ", stderr);
	}
	fprintf(stderr, "%s: %s\n", kind,
		e->text[0] ? e->text : atmo_strerror(e->code));
}

int cli_error(const atmo_error *err)
{
	print_located("error", err);
	return CLI_FAIL;
}

int cli_errorf(const char *fmt, ...)
{
	va_list ap;
	fputs("atmograph: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_FAIL;
}

void cli_warning(const atmo_error *w)
{
	print_located("warning", w);
}

void cli_warningf(const char *fmt, ...)
{
	va_list ap;
	fputs("atmograph: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fputs("atmograph: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd)
		fprintf(stderr, "try 'atmograph %s --help'\n", cmd);
	else
		fputs("try 'atmograph --help'\n", stderr);
	return CLI_USAGE;
}

int cli_bad_option(const char *cmd)
{
	/* getopt_long already printed what was wrong */
	if (cmd)
		fprintf(stderr, "try 'atmograph %s --help'\n", cmd);
	else
		fputs("try 'atmograph --help'\n", stderr);
	return CLI_USAGE;
}

int cli_write_output(const char *path, const void *data, size_t len)
{
	atmo_error err;
	atmo_error_clear(&err);
	if (!path)
		path = "-";
	if (atmo_file_write_atomic(path, data, len, &err) < 0)
		return cli_error(&err);
	return CLI_OK;
}

int cli_parse_uint(const char *cmd, const char *opt, const char *s, unsigned long *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return cli_usage_error(cmd, "option %s needs a non-negative number, not '%s'",
				       opt, s ? s : "");
	*out = strtoul(s, &end, 10);
	if (*end)
		return cli_usage_error(cmd, "option %s needs a non-negative number, not '%s'",
				       opt, s);
	return CLI_OK;
}
