/*
 * The checks BuildKit's instruction layer (frontend/dockerfile/instructions)
 * makes before a build, on top of what its parser accepts: unknown
 * instructions, unknown or malformed flags (`--=x`, `--from` on RUN),
 * argument counts, SHELL in JSON form, HEALTHCHECK types, ONBUILD triggers.
 * The parser itself accepts all of these, as BuildKit's does (its `result`
 * dumps contain e.g. `COPY --doit=true`); atmo_dockerfile_validate() reports
 * the first one with its location.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "dockerfile/df_internal.h"

typedef struct {
	const char *kw;
	const char *flags; /* "|name|name=|": '=' marks flags that need a value */
	int min_args;
} rule;

static const rule rules[] = {
	{ "add", "|chown=|chmod=|link|keep-git-dir|checksum=|exclude=|unpack|", 2 },
	{ "arg", "||", 1 },
	{ "cmd", "||", 0 },
	{ "copy", "|from=|chown=|chmod=|link|parents|exclude=|", 2 },
	{ "entrypoint", "||", 0 },
	{ "env", "||", 1 },
	{ "expose", "||", 1 },
	{ "from", "|platform=|", 1 },
	{ "healthcheck", "|interval=|timeout=|start-period=|start-interval=|retries=|", 1 },
	{ "label", "||", 1 },
	{ "maintainer", "||", 1 },
	{ "onbuild", "||", 1 },
	{ "run", "|mount=|network=|security=|device=|", 1 },
	{ "shell", "||", 1 },
	{ "stopsignal", "||", 1 },
	{ "user", "||", 1 },
	{ "volume", "||", 1 },
	{ "workdir", "||", 1 },
};

static const rule *find_rule(const char *kw)
{
	size_t i;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (!strcmp(rules[i].kw, kw))
			return &rules[i];
	return NULL;
}

static int column_of(const atmo_instruction *ins, const char *needle)
{
	const char *p = ins->original ? strstr(ins->original, needle) : NULL;
	return p ? (int)(p - ins->original) + 1 : 1;
}

static int fail(const atmo_dockerfile *df, const atmo_instruction *ins, int col,
		atmo_error *err, const char *fmt, const char *a, const char *b)
{
	return atmo__error_set(err, ATMO_EINVALID, df->source, ins->start_line, col, fmt, a, b);
}

static int upper(char *dst, size_t n, const char *s)
{
	size_t i;
	for (i = 0; i + 1 < n && s[i]; i++)
		dst[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 32) : s[i];
	dst[i] = '\0';
	return 0;
}

static int check_one(const atmo_dockerfile *df, const atmo_instruction *ins, int trigger,
		     atmo_error *err)
{
	const rule *r = find_rule(ins->keyword);
	char KW[32];
	size_t i;

	atmo__display_word(KW, sizeof(KW), ins->keyword, 1);
	if (!r)
		return fail(df, ins, 1, err, "unknown instruction: %s%s", KW, "");
	for (i = 0; i < ins->n_flags; i++) {
		const char *f = ins->flags[i], *eq;
		char name[64], key[70];
		size_t nl;
		int col = column_of(ins, f);
		if (strncmp(f, "--", 2))
			return fail(df, ins, col, err, "arg should start with -- : %s%s", f, "");
		eq = strchr(f + 2, '=');
		nl = eq ? (size_t)(eq - f - 2) : strlen(f + 2);
		if (nl == 0)
			return fail(df, ins, col, err, "flag '%s' has no name%s", f, "");
		if (nl >= sizeof(name))
			return fail(df, ins, col, err, "unknown flag: %.60s%s", f + 2, "");
		memcpy(name, f + 2, nl);
		name[nl] = '\0';
		if (strchr(name, '|'))
			return fail(df, ins, col, err, "unknown flag: %s (not a flag of %s)", name, KW);
		snprintf(key, sizeof(key), "|%s|", name);
		if (strstr(r->flags, key)) {
			continue; /* boolean flag, with or without =value */
		}
		snprintf(key, sizeof(key), "|%s=|", name);
		if (!strstr(r->flags, key))
			return fail(df, ins, col, err, "unknown flag: %s (not a flag of %s)", name, KW);
		if (!eq)
			return fail(df, ins, col, err, "missing a value on flag: %s%s", name, "");
	}
	if (ins->n_args < (size_t)r->min_args && !(r->min_args == 2 && ins->n_heredocs))
		return fail(df, ins, 1, err, "%s requires at least %s", KW,
			    r->min_args == 1 ? "one argument" : "two arguments");
	if (!strcmp(ins->keyword, "from") && ins->n_args != 1 &&
	    !(ins->n_args == 3 && !strcasecmp(ins->args[1], "as")))
		return fail(df, ins, 1, err, "FROM requires either one or three arguments%s%s", "", "");
	if (!strcmp(ins->keyword, "shell") && !ins->json)
		return fail(df, ins, 1, err, "SHELL requires the arguments to be in JSON form%s%s", "", "");
	if (!strcmp(ins->keyword, "healthcheck")) {
		const char *t = ins->args[0];
		if (!strcasecmp(t, "none")) {
			if (ins->n_args > 1)
				return fail(df, ins, 1, err, "HEALTHCHECK NONE takes no arguments%s%s", "", "");
		} else if (!strcasecmp(t, "cmd")) {
			if (ins->n_args < 2)
				return fail(df, ins, 1, err, "Missing command after HEALTHCHECK CMD%s%s", "", "");
		} else {
			return fail(df, ins, column_of(ins, t), err,
				    "Unknown type %s in HEALTHCHECK (try CMD)%s", t, "");
		}
	}
	if (!strcmp(ins->keyword, "onbuild")) {
		const atmo_instruction *in = ins->inner;
		if (trigger)
			return fail(df, ins, 1, err,
				    "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed%s%s", "", "");
		if (in) {
			char IK[32];
			upper(IK, sizeof(IK), in->keyword);
			if (!strcmp(in->keyword, "onbuild"))
				return fail(df, ins, 1, err,
					    "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed%s%s", "", "");
			if (!strcmp(in->keyword, "from") || !strcmp(in->keyword, "maintainer"))
				return fail(df, ins, 1, err, "%s isn't allowed as an ONBUILD trigger%s", IK, "");
			return check_one(df, in, 1, err);
		}
	}
	return 0;
}

int atmo_dockerfile_validate(const atmo_dockerfile *df, atmo_error *err)
{
	size_t i;
	int rc;
	atmo_error_clear(err);
	if (!df)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_dockerfile_validate: NULL argument");
	for (i = 0; i < df->n_ins; i++)
		if ((rc = check_one(df, &df->ins[i].pub, 0, err)) < 0)
			return rc;
	return 0;
}
