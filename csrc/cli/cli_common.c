/* Glue every subcommand shares: operands, repeated options, output files, JSON
 * documents, human-readable sizes, and reading a Dockerfile into its stage graph. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "util/size.h"
#include "util/json_nomem.h"

int cli_one_operand(const char *cmd, int argc, char **argv, const char *what, int stdin_ok,
		    const char **operand)
{
	if (optind >= argc)
		return cli_usage_error(cmd, "missing %s%s", what,
				       stdin_ok ? " (use '-' for standard input)" : "");
	if (optind + 1 < argc)
		return cli_usage_error(cmd, "one %s only, got '%s' too", what, argv[optind + 1]);
	*operand = argv[optind];
	return CLI_OK;
}

int cli_parse_uint(const char *cmd, const char *opt, const char *s, unsigned long *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return cli_usage_error(cmd, "option %s needs a non-negative number, not '%s'", opt,
				       s ? s : "");
	*out = strtoul(s, &end, 10);
	if (*end)
		return cli_usage_error(cmd, "option %s needs a non-negative number, not '%s'", opt,
				       s);
	return CLI_OK;
}

int cli_parse_range(const char *cmd, const char *opt, const char *s, unsigned long lo,
		    unsigned long hi, unsigned long *out)
{
	int rc = cli_parse_uint(cmd, opt, s, out);
	if (rc == CLI_OK && (*out < lo || *out > hi))
		return cli_usage_error(cmd, "option %s takes %lu to %lu, not '%s'", opt, lo, hi, s);
	return rc;
}

int cli_push(const char ***list, size_t *n, const char *value)
{
	const char **nl = realloc(*list, (*n + 1) * sizeof(*nl));
	if (!nl)
		return cli_errorf("out of memory");
	nl[(*n)++] = value;
	*list = nl;
	return CLI_OK;
}

/* ---- output ---- */

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

int cli_write_buf(const char *path, const atmo_buf *b)
{
	if (b->oom)
		return cli_errorf("out of memory");
	return cli_write_output(path, atmo__buf_cstr(b), b->len);
}

int cli_write_json(const char *path, const json_t *doc)
{
	/* jansson keeps insertion order (JSON_PRESERVE_ORDER is a no-op since 2.8) */
	char *s = atmo__json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	char *t;
	size_t len;
	int rc;

	if (!s)
		return cli_errorf("out of memory");
	/* whole or NULL (json_dumps() can drop a key it could not write); made with
	   the library's allocator (atmo_set_allocator()): it goes back with
	   atmo_free(), and is not realloc()ed here, so the text with its newline is a
	   copy of the face's own */
	len = strlen(s);
	t = malloc(len + 2);
	if (!t) {
		atmo_free(s);
		return cli_errorf("out of memory");
	}
	memcpy(t, s, len);
	atmo_free(s);
	t[len++] = '\n';
	t[len] = '\0';
	rc = cli_write_output(path, t, len);
	free(t);
	return rc;
}

int cli_write_document(const char *path, const json_t *doc, int as_json, cli_report_fn report,
		       const cli_report_options *o)
{
	atmo_buf b = ATMO_BUF_INIT;
	int rc;

	if (as_json)
		return cli_write_json(path, doc);
	report(&b, doc, o);
	rc = cli_write_buf(path, &b);
	atmo__buf_free(&b);
	return rc;
}

int cli_output_option(cli_output_args *a, int c, const char *arg)
{
	switch (c) {
	case CLI_OPT_JSON:
		a->json = 1;
		return CLI_OK;
	case 'H':
		a->report.human = 1;
		return CLI_OK;
	case CLI_OPT_BYTES:
		a->report.human = 0;
		return CLI_OK;
	case 'o':
		a->output = arg;
		return CLI_OK;
	default:
		return -1;
	}
}

/* ---- human-readable reports ---- */

const char *cli_size(char *buf, size_t n, long long v, int human, int sign)
{
	unsigned long long m = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	const char *sg = v < 0 ? "-" : (sign && v > 0 ? "+" : "");
	char h[ATMO_SIZE_BUFLEN];

	if (human)
		snprintf(buf, n, "%s%s", sg, atmo__format_size(h, sizeof(h), m));
	else
		snprintf(buf, n, "%s%llu", sg, m);
	return buf;
}

long long cli_jint(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

const char *cli_jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

const char *cli_one_line(char *out, size_t n, const char *s, size_t width)
{
	size_t i, j = 0;

	if (!n)
		return out;
	for (i = 0; s[i] && j + 1 < n && j < width; i++)
		out[j++] = (s[i] == '\n' || s[i] == '\t') ? ' ' : s[i];
	if (s[i] && j >= 3)
		out[j - 3] = out[j - 2] = out[j - 1] = '.';
	out[j] = '\0';
	return out;
}

const char *cli_stage_title(char *out, size_t n, const char *name)
{
	const char *p = name;

	if (!name || !*name)
		return name ? name : "";
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p)
		return name;
	snprintf(out, n, "stage %s", name);
	return out;
}

/* ---- a Dockerfile and its stage graph ---- */

int cli_graph_option(cli_graph_args *a, int c, const char *arg)
{
	switch (c) {
	case 't':
		a->target = arg;
		return CLI_OK;
	case CLI_OPT_BUILD_ARG:
		return cli_push(&a->build_args, &a->n_build_args, arg);
	case CLI_OPT_BUILD_CONTEXT:
		return cli_push(&a->build_contexts, &a->n_build_contexts, arg);
	default:
		return -1;
	}
}

void cli_graph_args_free(cli_graph_args *a)
{
	free(a->build_args);
	free(a->build_contexts);
	memset(a, 0, sizeof(*a));
}

/* a resolver warning, with its code ("... [DuplicateStageName]") */
static void graph_warning(const atmo_error *w, const char *code)
{
	atmo_error copy = *w;
	if (code)
		snprintf(copy.text, sizeof(copy.text), "%.480s [%s]", w->text, code);
	cli_warning(&copy);
}

int cli_graph_load(atmo_graph **g, atmo_dockerfile **df, char **text, const char *cmd,
		   const char *path, const cli_graph_args *a)
{
	atmo_graph_options go = ATMO_GRAPH_OPTIONS_INIT;
	atmo_error err;
	size_t len, i;
	const char *source = strcmp(path, "-") ? path : "<stdin>";

	*g = NULL;
	*df = NULL;
	*text = NULL;
	atmo_error_clear(&err);
	if (atmo_file_read(text, &len, path, 0, &err) < 0)
		return cli_error(&err);
	if (atmo_dockerfile_parse(df, *text, len, source, &err) < 0)
		return cli_error(&err);
	for (i = 0; i < atmo_dockerfile_warning_count(*df); i++)
		cli_warning(atmo_dockerfile_warning_at(*df, i));
	go.target = a->target;
	go.build_args = a->build_args;
	go.n_build_args = a->n_build_args;
	go.build_contexts = a->build_contexts;
	go.n_build_contexts = a->n_build_contexts;
	go.image_id = a->image_id;
	go.source = source;
	if (atmo_graph_build(g, *df, &go, &err) < 0) {
		/* a malformed --build-arg / --build-context is a usage error */
		if (err.code == ATMO_EINVALID && !strncmp(err.source, "--", 2))
			return cli_usage_error(cmd, "%s: %s", err.source, err.text);
		return cli_error(&err);
	}
	for (i = 0; i < atmo_graph_warning_count(*g); i++)
		graph_warning(atmo_graph_warning_at(*g, i), atmo_graph_warning_code(*g, i));
	return CLI_OK;
}
