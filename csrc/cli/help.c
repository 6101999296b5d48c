/*
 * Help texts are composed from shared fragments (registry, render, engine
 * options), each written with its own column; printing realigns every option
 * list of a text to one column so that `--help` reads as one table.
 */
#include <stdio.h>
#include <string.h>
#include "cli.h"

/* options wider than this put their description on the next line */
#define HELP_WIDE_OPTION 28

/* Is line an option line ("  -x, --opt ARG   text")? Sets the option's width
 * (from column 2) and where its description starts (0: none). */
static int option_line(const char *line, size_t len, size_t *width, size_t *desc)
{
	size_t i = 2;

	if (len < 3 || line[0] != ' ' || line[1] != ' ' || line[2] != '-')
		return 0;
	/* words separated by single spaces, up to a run of two or more */
	while (i < len) {
		if (line[i] == ' ') {
			if (i + 1 < len && line[i + 1] == ' ')
				break;
			if (i + 1 == len)
				break;
		}
		i++;
	}
	*width = i - 2;
	while (i < len && line[i] == ' ')
		i++;
	*desc = i < len ? i : 0;
	return 1;
}

static int continuation_line(const char *line, size_t len)
{
	return len > 3 && !strncmp(line, "   ", 3) && line[strspn(line, " ")] != '\n';
}

void cli_help_print(const char *text, FILE *out)
{
	const char *p, *nl;
	size_t width = 0, w, d, col;
	int in_list = 0;

	for (p = text; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (option_line(p, (size_t)(nl - p), &w, &d) && w <= HELP_WIDE_OPTION && w > width)
			width = w;
		if (!*nl)
			break;
	}
	col = 2 + width + 2;
	for (p = text; *p; p = nl + 1) {
		size_t len;

		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		len = (size_t)(nl - p);
		if (option_line(p, len, &w, &d)) {
			in_list = 1;
			fprintf(out, "  %.*s", (int)w, p + 2);
			if (d && w <= width)
				fprintf(out, "%*s%.*s", (int)(col - 2 - w), "", (int)(len - d),
					p + d);
			else if (d)
				fprintf(out, "\n%*s%.*s", (int)col, "", (int)(len - d), p + d);
		} else if (in_list && continuation_line(p, len)) {
			size_t s = strspn(p, " ");
			fprintf(out, "%*s%.*s", (int)col, "", (int)(len - s), p + s);
		} else {
			in_list = 0;
			fwrite(p, 1, len, out);
		}
		if (!*nl)
			break;
		fputc('\n', out);
	}
}
