/* The one place where the atmograph program prints errors, warnings and notes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

static void print_located(const char *kind, const atmo_error *e)
{
	size_t sl = strlen(e->source);

	fputs("atmograph: ", stderr);
	/* a text that locates itself (bake's "FILE:9,14-17: ...", as buildx writes it) is not located twice */
	if (e->source[0] && !(!strncmp(e->text, e->source, sl) && e->text[sl] == ':')) {
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

/* "atmograph: " KIND TEXT and a newline (KIND "error: ", "warning: " or "") */
static void vmessage(const char *kind, const char *fmt, va_list ap)
{
	fprintf(stderr, "atmograph: %s", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_error(const atmo_error *err)
{
	print_located("error", err);
	return CLI_FAIL;
}

int cli_errorf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("error: ", fmt, ap);
	va_end(ap);
	return CLI_FAIL;
}

void cli_warning(const atmo_error *w)
{
	print_located("warning", w);
}

void cli_warningf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("warning: ", fmt, ap);
	va_end(ap);
}

void cli_notef(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "try 'atmograph %s --help'\n", cmd);
	else
		fputs("try 'atmograph --help'\n", stderr);
	return CLI_USAGE;
}

/* does arg ("--name=value") give a value to a long option that takes none? */
static int value_not_taken(const char *arg, const struct option *lo)
{
	const char *eq = strchr(arg, '=');
	const struct option *p;
	size_t n;

	if (strncmp(arg, "--", 2) || !eq)
		return 0;
	n = (size_t)(eq - arg - 2);
	for (p = lo; p && p->name; p++)         /* the exact name */
		if (strlen(p->name) == n && !strncmp(p->name, arg + 2, n))
			return p->has_arg == no_argument;
	for (p = lo; p && p->name; p++)         /* an abbreviation getopt_long took */
		if (!strncmp(p->name, arg + 2, n))
			return p->has_arg == no_argument;
	return 0;
}

int cli_bad_option(const char *cmd, int c, char *const *argv, const struct option *longopts)
{
	/* glibc: optind has passed the failing element unless it was a short option
	 * inside a group ("-xq"), for which optopt names the letter; optopt is 0 for an
	 * unknown or ambiguous long option, the option's code for "--flag=value" */
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	int is_long;

	is_long = !strncmp(arg, "--", 2) && arg[2] &&
		  (optopt == 0 || optopt >= 0x100 || value_not_taken(arg, longopts));

	if (c == ':') {
		/* a missing value ends its element: arg is the option itself */
		if (!strncmp(arg, "--", 2))
			return cli_usage_error(cmd, "option '%s' needs a value", arg);
		return cli_usage_error(cmd, "option '-%c' needs a value", optopt);
	}
	if (is_long && value_not_taken(arg, longopts))
		return cli_usage_error(cmd, "option '%.*s' takes no value",
				       (int)(strchr(arg, '=') - arg), arg);
	if (is_long)
		return cli_usage_error(cmd, "unknown option '%s'", arg);
	if (optopt > 0 && optopt < 0x100 && optopt != '?')
		return cli_usage_error(cmd, "unknown option '-%c'", optopt);
	return cli_usage_error(cmd, "unknown option '%s'", arg);
}
