/* The one place where the atmograph program prints errors, warnings and notes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"

/* SGR sequences as gcc uses them: bold locations, bold red errors, bold
 * magenta warnings */
#define SGR_BOLD "\033[1m"
#define SGR_RESET "\033[0m"

int cli_color_when(const char **out, const char *when)
{
	if (!when)
		when = "always";
	if (strcmp(when, "auto") && strcmp(when, "always") && strcmp(when, "never"))
		return -1;
	*out = when;
	return 0;
}

int cli_color_stderr(void)
{
	const char *when = getenv("ATMOGRAPH_COLOR"), *no = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (when && !strcmp(when, "always"))
		return 1;
	if (when && !strcmp(when, "never"))
		return 0;
	if ((no && *no) || (term && !strcmp(term, "dumb")))
		return 0;
	return isatty(STDERR_FILENO);
}

/* the colour of a message kind ("error", "warning"), or "" */
static const char *kind_color(const char *kind)
{
	if (!strncmp(kind, "error", 5))
		return "\033[1;31m";
	if (!strncmp(kind, "warning", 7))
		return "\033[1;35m";
	return "";
}

static void print_located(const char *kind, const atmo_error *e)
{
	int color = cli_color_stderr();
	size_t sl = strlen(e->source);

	fputs("atmograph: ", stderr);
	/* a text that locates itself (bake's "FILE:9,14-17: ...", as buildx writes it) is not located twice */
	if (e->source[0] && !(!strncmp(e->text, e->source, sl) && e->text[sl] == ':')) {
		if (color)
			fputs(SGR_BOLD, stderr);
		fputs(e->source, stderr);
		if (e->line > 0) {
			fprintf(stderr, ":%d", e->line);
			if (e->column > 0)
				fprintf(stderr, ":%d", e->column);
		}
		fputs(color ? ":" SGR_RESET " " : ": ", stderr);
	}
	fprintf(stderr, "%s%s:%s %s\n", color ? kind_color(kind) : "", kind, color ? SGR_RESET : "",
		e->text[0] ? e->text : atmo_strerror(e->code));
}

/* "atmograph: " KIND TEXT and a newline (KIND "error: ", "warning: " or "") */
static void vmessage(const char *kind, const char *fmt, va_list ap)
{
	if (*kind && cli_color_stderr())
		fprintf(stderr, "atmograph: %s%.*s" SGR_RESET " ", kind_color(kind),
			(int)strlen(kind) - 1, kind);
	else
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
	for (p = lo; p && p->name; p++) /* the exact name */
		if (strlen(p->name) == n && !strncmp(p->name, arg + 2, n))
			return p->has_arg == no_argument;
	for (p = lo; p && p->name; p++) /* an abbreviation getopt_long took */
		if (!strncmp(p->name, arg + 2, n))
			return p->has_arg == no_argument;
	return 0;
}

/* "unknown option '--jsn' (did you mean '--json'?)" */
static int unknown_long(const char *cmd, const char *arg, const struct option *lo)
{
	const char *names[128], *eq = strchr(arg, '='), *best;
	char word[65];
	size_t n = 0, len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);

	for (; lo && lo->name && n < sizeof(names) / sizeof(names[0]); lo++)
		names[n++] = lo->name;
	if (len >= sizeof(word))
		return cli_usage_error(cmd, "unknown option '%s'", arg);
	memcpy(word, arg + 2, len);
	word[len] = '\0';
	best = cli_suggest(word, names, n);
	if (best)
		return cli_usage_error(cmd, "unknown option '%s' (did you mean '--%s'?)", arg,
				       best);
	return cli_usage_error(cmd, "unknown option '%s'", arg);
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
		return unknown_long(cmd, arg, longopts);
	if (optopt > 0 && optopt < 0x100 && optopt != '?')
		return cli_usage_error(cmd, "unknown option '-%c'", optopt);
	return cli_usage_error(cmd, "unknown option '%s'", arg);
}
