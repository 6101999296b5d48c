/* atmograph parse: print the syntax tree of a Dockerfile. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "atmograph/dockerfile.h"

static void help(void)
{
	cli_help_print(
		"usage: atmograph parse [--json | --dump] [--syntax-only] FILE\n"
		"\n"
		"Parse a Dockerfile as BuildKit (docker build) does and print its\n"
		"instructions. FILE may be '-' for standard input.\n"
		"\n"
		"Output (default): one line per instruction: line range, keyword, flags,\n"
		"arguments (quoted), then heredocs and ONBUILD's inner instruction.\n"
		"\n"
		"Options:\n"
		"  --json         the parse result as JSON (schema \"atmograph.parse/1\")\n"
		"  --dump         BuildKit's AST dump, the form of its parser test `result` files\n"
		"  --syntax-only  only BuildKit's parser rules: skip the checks its instruction\n"
		"                 layer adds (unknown instructions and flags, missing arguments,\n"
		"                 ...), as its `result` files need\n"
		"  -h, --help     show this help\n"
		"\n"
		"Exit status: 0 parsed, 1 the file is not a valid Dockerfile (the error says\n"
		"FILE:LINE:COL), 2 usage error. Warnings go to standard error.\n",
		stdout);
}

static void put_quoted(FILE *out, const char *s, size_t n)
{
	size_t i;
	fputc('"', out);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void list_one(FILE *out, const atmo_instruction *ins, int nested)
{
	size_t i;
	char kw[32];

	snprintf(kw, sizeof(kw), "%.31s", ins->keyword);
	for (i = 0; kw[i]; i++)
		if (kw[i] >= 'a' && kw[i] <= 'z')
			kw[i] = (char)(kw[i] - 'a' + 'A');
	if (!nested)
		fprintf(out, "%5d-%-5d ", ins->start_line, ins->end_line);
	fprintf(out, "%-11s", kw);
	for (i = 0; i < ins->n_flags; i++)
		fprintf(out, " %s", ins->flags[i]);
	if (ins->inner) {
		fputs(" ", out);
		list_one(out, ins->inner, 1);
		return;
	}
	for (i = 0; i < ins->n_args; i++) {
		fputc(' ', out);
		put_quoted(out, ins->args[i], atmo_instruction_arg_len(ins, i));
	}
	if (ins->json)
		fputs("  (exec form)", out);
	fputc('\n', out);
	for (i = 0; i < ins->n_heredocs; i++) {
		const atmo_heredoc *h = &ins->heredocs[i];
		size_t lines = 0;
		const char *p;
		for (p = h->content; *p; p++)
			lines += *p == '\n';
		char fd[16] = "";
		if (h->fd >= 0)
			snprintf(fd, sizeof(fd), "%d", h->fd);
		fprintf(out, "            heredoc %s%s%s: %zu line%s%s\n", fd,
			h->chomp ? "<<-" : "<<", h->name, lines, lines == 1 ? "" : "s",
			h->expand ? "" : ", no expansion");
	}
}

int cmd_parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "dump", no_argument, NULL, 'd' },
		{ "syntax-only", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, as_json = 0, as_dump = 0, syntax_only = 0, rc = CLI_OK;
	const char *path, *source;
	char *text = NULL, *out = NULL;
	size_t len, i;
	atmo_dockerfile *df = NULL;
	atmo_error err;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			as_json = 1;
			break;
		case 'd':
			as_dump = 1;
			break;
		case 's':
			syntax_only = 1;
			break;
		case 'h':
			help();
			return CLI_OK;
		default:
			return cli_bad_option("parse", c, argv, opts);
		}
	}
	if (as_json && as_dump)
		return cli_usage_error("parse", "--json and --dump cannot be combined");
	if ((rc = cli_one_operand("parse", argc, argv, "FILE", 1, &path)) != CLI_OK)
		return rc;
	source = strcmp(path, "-") ? path : "<stdin>";

	atmo_error_clear(&err);
	if (atmo_file_read(&text, &len, path, 0, &err) < 0)
		return cli_error(&err);
	if (atmo_dockerfile_parse(&df, text, len, source, &err) < 0) {
		rc = cli_error(&err);
		goto done;
	}
	for (i = 0; i < atmo_dockerfile_warning_count(df); i++)
		cli_warning(atmo_dockerfile_warning_at(df, i));
	if (!syntax_only && atmo_dockerfile_validate(df, &err) < 0) {
		rc = cli_error(&err);
		goto done;
	}

	if (as_dump) {
		if (atmo_dockerfile_dump(&out, df, &err) < 0) {
			rc = cli_error(&err);
			goto done;
		}
		rc = cli_write_output("-", out, strlen(out));
	} else if (as_json) {
		json_t *doc = NULL;
		if (atmo_dockerfile_to_json(&doc, df, &err) < 0) {
			rc = cli_error(&err);
			goto done;
		}
		rc = cli_write_json("-", doc);
		json_decref(doc);
	} else {
		const char *v;
		if ((v = atmo_dockerfile_directive(df, "syntax")))
			printf("# syntax=%s\n", v);
		if ((v = atmo_dockerfile_directive(df, "escape")))
			printf("# escape=%s\n", v);
		if ((v = atmo_dockerfile_directive(df, "check")))
			printf("# check=%s\n", v);
		for (i = 0; i < atmo_dockerfile_count(df); i++)
			list_one(stdout, atmo_dockerfile_at(df, i), 0);
		if (fflush(stdout) != 0)
			rc = cli_errorf("cannot write to standard output");
	}
done:
	atmo_free(out);
	atmo_dockerfile_free(df);
	atmo_free(text);
	return rc;
}
