/*
 * BuildKit's linter rules about how instructions are written, which the
 * resolver itself never needs (frontend/dockerfile/instructions/parse.go and
 * dockerfile2llb's validateCommandCasing): MaintainerDeprecated, FromAsCasing,
 * ConsistentInstructionCasing; and the `# check=skip=...` directive that
 * silences rules (linter.ParseLintOptions).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "graph/graph_int.h"

/* the keyword as written: the first word of the instruction's text */
static size_t keyword_as_written(const atmo_instruction *ins, const char **kw)
{
	const char *p = ins->original ? ins->original : "";
	size_t n = 0;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\v' || *p == '\f')
		p++;
	while (p[n] && !isspace((unsigned char)p[n]))
		n++;
	*kw = p;
	return n;
}

/* 'l' all lower case, 'u' all upper case, 0 mixed */
static char casing(const char *s, size_t n)
{
	size_t i;
	int lower = 1, upper = 1;
	for (i = 0; i < n; i++) {
		if (isupper((unsigned char)s[i]))
			lower = 0;
		if (islower((unsigned char)s[i]))
			upper = 0;
	}
	return lower ? 'l' : upper ? 'u' : 0;
}

/* 1 when a `check=skip=...` line of the comment above an instruction skips
 * rule for it (Linter.WithMergedConfigFromComments: the first check line,
 * its value up to the first blank) */
int atmo__lint_comment_skips(const char *comment, const char *rule)
{
	const char *p = comment;
	char value[256];
	while (p && *p) {
		const char *e = strchr(p, '\n'), *v = p;
		size_t n;
		if (!e)
			e = p + strlen(p);
		while (v < e && isspace((unsigned char)*v))
			v++;
		if (e - v > 5 && !strncasecmp(v, "check", 5)) {
			v += 5;
			while (v < e && isspace((unsigned char)*v))
				v++;
			if (v < e && *v == '=') {
				for (v++; v < e && isspace((unsigned char)*v); v++)
					;
				for (n = 0; v + n < e && !isspace((unsigned char)v[n]) &&
					    n + 1 < sizeof(value);
				     n++)
					value[n] = v[n];
				value[n] = '\0';
				return atmo__lint_skipped(value, rule);
			}
		}
		p = *e ? e + 1 : e;
	}
	return 0;
}

int atmo__lint_rules(const atmo_dockerfile *df, atmo__lint_emit emit, void *payload)
{
	size_t n = atmo_dockerfile_count(df), i, first = n;
	int lower = 0, upper = 0, rc;
	char text[256];

	for (i = 0; i < n; i++) {
		const atmo_instruction *ins = atmo_dockerfile_at(df, i);
		const char *kw;
		size_t kn = keyword_as_written(ins, &kw);
		char c = casing(kw, kn);
		if (!strcmp(ins->keyword, "from") && first == n)
			first = i;
		if (first < n) {
			lower += c == 'l';
			upper += c == 'u';
		}
		if (!strcmp(ins->keyword, "maintainer") &&
		    !atmo__lint_comment_skips(ins->comment, "MaintainerDeprecated") &&
		    (rc = emit(payload, "MaintainerDeprecated", ins->start_line,
			       "Maintainer instruction is deprecated in favor of using label")) < 0)
			return rc;
		if (!strcmp(ins->keyword, "from") && ins->n_args == 3 && c &&
		    casing(ins->args[1], strlen(ins->args[1])) != c &&
		    !atmo__lint_comment_skips(ins->comment, "FromAsCasing")) {
			snprintf(text, sizeof(text),
				 "'%.40s' and '%.*s' keywords' casing do not match", ins->args[1],
				 (int)(kn > 40 ? 40 : kn), kw);
			if ((rc = emit(payload, "FromAsCasing", ins->start_line, text)) < 0)
				return rc;
		}
	}
	/* every instruction of the stages should have the case most of them have
	 * (a tie counts as upper case, as in BuildKit) */
	for (i = first; i < n; i++) {
		const atmo_instruction *ins = atmo_dockerfile_at(df, i);
		const char *kw;
		size_t kn = keyword_as_written(ins, &kw);
		char c = casing(kw, kn), want = lower > upper ? 'l' : 'u';
		if (c == want)
			continue;
		snprintf(text, sizeof(text),
			 "Command '%.*s' should match the case of the command majority (%s)",
			 (int)(kn > 40 ? 40 : kn), kw, want == 'l' ? "lowercase" : "uppercase");
		if ((rc = emit(payload, "ConsistentInstructionCasing", ins->start_line, text)) < 0)
			return rc;
	}
	return 0;
}

/* 1 when the `# check=` directive's skip= names rule (or is "all") */
int atmo__lint_skipped(const char *check, const char *rule)
{
	const char *p = check, *end, *stop;
	size_t rn = strlen(rule);
	if (!check)
		return 0;
	/* options "key=value" separated by ';', up to the first space (ParseDirective) */
	stop = strchr(p, ' ');
	if (!stop)
		stop = p + strlen(p);
	for (; p < stop; p = end < stop ? end + 1 : end) {
		const char *v;
		end = memchr(p, ';', (size_t)(stop - p));
		if (!end)
			end = stop;
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (end - p < 5 || strncmp(p, "skip", 4))
			continue;
		v = p + 4;
		while (v < end && isspace((unsigned char)*v))
			v++;
		if (v >= end || *v != '=')
			continue;
		for (v++; v < end && isspace((unsigned char)*v); v++)
			;
		{
			const char *e = end;
			while (e > v && isspace((unsigned char)e[-1]))
				e--;
			if (e - v == 3 && !memcmp(v, "all", 3))
				return 1;
		}
		while (v < end) {
			const char *c = memchr(v, ',', (size_t)(end - v)), *e;
			if (!c)
				c = end;
			e = c;
			while (v < e && isspace((unsigned char)*v))
				v++;
			while (e > v && isspace((unsigned char)e[-1]))
				e--;
			if ((size_t)(e - v) == rn && !memcmp(v, rule, rn))
				return 1;
			v = c + 1;
		}
	}
	return 0;
}
