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
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include "dockerfile/dockerfile_int.h"
#include "util/alloc.h"

typedef struct {
	const char *kw;
	const char *flags; /* "|name|name=|name*|": '=' a flag that needs a value,
			      '*' one that needs a value and may repeat; else boolean */
	int min_args;
} rule;

static const rule rules[] = {
	{ "add", "|chown=|chmod=|link|keep-git-dir|checksum=|exclude*|unpack|", 2 },
	{ "arg", "||", 1 },
	{ "cmd", "||", 0 },
	{ "copy", "|from=|chown=|chmod=|link|parents|exclude*|", 2 },
	{ "entrypoint", "||", 0 },
	{ "env", "||", 1 },
	{ "expose", "||", 1 },
	{ "from", "|platform=|", 1 },
	{ "healthcheck", "|interval=|timeout=|start-period=|start-interval=|retries=|", 1 },
	{ "label", "||", 1 },
	{ "maintainer", "||", 1 },
	{ "onbuild", "||", 1 },
	{ "run", "|mount*|network=|security=|device*|", 0 }, /* a bare RUN is accepted */
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

static int fail(const atmo_dockerfile *df, const atmo_instruction *ins, int col, atmo_error *err,
		const char *fmt, const char *a, const char *b)
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

/* ^[a-z][a-z0-9-_.]*$ on the lower-cased name (instructions.parseBuildStageName) */
static int stage_name_ok(const char *s)
{
	char c = (char)tolower((unsigned char)*s);
	if (!(c >= 'a' && c <= 'z'))
		return 0;
	for (s++; *s; s++) {
		c = (char)tolower((unsigned char)*s);
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return 0;
	}
	return 1;
}

/* a word the parser takes for a heredoc: [0-9]*<<-?NAME */
static int is_heredoc_word(const char *w)
{
	while (*w >= '0' && *w <= '9')
		w++;
	if (strncmp(w, "<<", 2))
		return 0;
	w += 2;
	if (*w == '-')
		w++;
	while (*w == ' ' || *w == '\t' || *w == '\n' || *w == '\f' || *w == '\r')
		w++;
	return *w && !strchr(w, '<');
}

/* blank ENV/LABEL/ARG names, a heredoc as the COPY/ADD destination */
static int check_names(const atmo_dockerfile *df, const atmo_instruction *ins, atmo_error *err)
{
	char KW[32];
	size_t i;
	upper(KW, sizeof(KW), ins->keyword);
	if (!strcmp(ins->keyword, "env") || !strcmp(ins->keyword, "label")) {
		for (i = 0; i + 2 < ins->n_args; i += 3)
			if (!ins->args[i][0])
				return fail(df, ins, 1, err, "%s names can not be blank%s", KW, "");
	} else if (!strcmp(ins->keyword, "arg")) {
		for (i = 0; i < ins->n_args; i++)
			if (ins->args[i][0] == '=')
				return fail(df, ins, 1, err, "%s names can not be blank%s", KW, "");
	} else if ((!strcmp(ins->keyword, "copy") || !strcmp(ins->keyword, "add")) &&
		   ins->n_args >= 2 && is_heredoc_word(ins->args[ins->n_args - 1])) {
		return fail(df, ins, 1, err, "%s cannot accept a heredoc as a destination%s", KW,
			    "");
	}
	return 0;
}

/* 'b' boolean, '=' string, '*' strings (repeatable), 0 unknown */
static char flag_type(const rule *r, const char *name)
{
	char key[72];
	const char *t = ".=*";
	snprintf(key, sizeof(key), "|%s|", name);
	if (strstr(r->flags, key))
		return 'b';
	for (; *t; t++) {
		snprintf(key, sizeof(key), "|%s%c|", name, *t);
		if (strstr(r->flags, key))
			return *t;
	}
	return 0;
}

/*
 * One RUN --mount value as BuildKit's parser reads it (parseMount without an
 * expander): a CSV record (go-csvvalue), and a from= that would need variable
 * expansion. Everything else is checked when the stage is built.
 */
static int check_mount(const atmo_dockerfile *df, const atmo_instruction *ins, const char *v,
		       int col, atmo_error *err)
{
	size_t n = strlen(v), i = 0, k;
	char *field = atmo__malloc(n + 1, NULL);
	const char *why = NULL;
	int rc = 0;
	if (!field)
		return atmo__error_nomem(err);
	if (!n)
		why = "EOF";
	while (!why) {
		k = 0;
		if (v[i] == '"') {
			for (i++;; i++) {
				if (i >= n) {
					why = "extraneous or missing \" in quoted-field";
					break;
				}
				if (v[i] == '"' && v[i + 1] == '"')
					field[k++] = v[i++];
				else if (v[i] == '"')
					break;
				else
					field[k++] = v[i];
			}
			if (why)
				break;
			i++;
			if (i < n && v[i] != ',') {
				why = "extraneous or missing \" in quoted-field";
				break;
			}
		} else {
			for (; i < n && v[i] != ','; i++) {
				if (v[i] == '"') {
					why = "bare \" in non-quoted-field";
					break;
				}
				field[k++] = v[i];
			}
			if (why)
				break;
		}
		field[k] = '\0';
		if (!strncasecmp(field, "from=", 5)) {
			const char *d = strchr(field + 5, '$');
			if (d && d[1]) {
				rc = fail(df, ins, col, err,
					  "'from' doesn't support variable expansion, define alias "
					  "stage instead%s%s",
					  "", "");
				break;
			}
		}
		if (i >= n)
			break;
		i++;
	}
	atmo__free(field);
	if (why && !rc)
		rc = fail(df, ins, col, err, "failed to parse csv mounts: %s%s", why, "");
	return rc;
}

/* time.ParseDuration: 0 when s is a duration (*ns its value), else -1 with
 * Go's message in msg */
static int go_duration(const char *s, double *ns, char *msg, size_t mn)
{
	static const struct {
		const char *u;
		double ns;
	} units[] = { { "ns", 1 },   { "us", 1e3 }, { "\xC2\xB5s", 1e3 }, { "\xCE\xBCs", 1e3 },
		      { "ms", 1e6 }, { "s", 1e9 },  { "m", 6e10 },        { "h", 3.6e12 } };
	const char *orig = s, *p;
	double total = 0;
	int neg = 0;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!strcmp(s, "0")) {
		*ns = 0;
		return 0;
	}
	if (!*s)
		goto invalid;
	while (*s) {
		double v = 0, scale = 1;
		int pre = 0, post = 0;
		size_t ul, k;
		if (!(*s == '.' || (*s >= '0' && *s <= '9')))
			goto invalid;
		for (; *s >= '0' && *s <= '9'; s++, pre = 1)
			v = v * 10 + (*s - '0');
		if (*s == '.')
			for (s++; *s >= '0' && *s <= '9'; s++, post = 1)
				v += (*s - '0') / (scale *= 10);
		if (!pre && !post)
			goto invalid;
		for (p = s; *p && *p != '.' && !(*p >= '0' && *p <= '9'); p++)
			;
		ul = (size_t)(p - s);
		if (!ul) {
			snprintf(msg, mn, "time: missing unit in duration \"%.100s\"", orig);
			return -1;
		}
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
			if (strlen(units[k].u) == ul && !memcmp(units[k].u, s, ul))
				break;
		if (k == sizeof(units) / sizeof(units[0])) {
			snprintf(msg, mn, "time: unknown unit \"%.*s\" in duration \"%.100s\"",
				 (int)(ul > 40 ? 40 : ul), s, orig);
			return -1;
		}
		total += v * units[k].ns;
		if (total > 9.223372036854775807e18)
			goto invalid;
		s = p;
	}
	*ns = neg ? -total : total;
	return 0;
invalid:
	snprintf(msg, mn, "time: invalid duration \"%.100s\"", orig);
	return -1;
}

/* HEALTHCHECK CMD: the durations and --retries (parseHealthcheck) */
static int check_health_flags(const atmo_dockerfile *df, const atmo_instruction *ins,
			      atmo_error *err)
{
	static const char *const names[] = { "interval", "timeout", "start-period",
					     "start-interval" };
	char msg[256];
	size_t k, i;
	for (k = 0; k < 5; k++) {
		const char *name = k < 4 ? names[k] : "retries", *v = NULL;
		size_t nl = strlen(name);
		for (i = 0; i < ins->n_flags; i++)
			if (!strncmp(ins->flags[i] + 2, name, nl) && ins->flags[i][2 + nl] == '=')
				v = ins->flags[i] + 3 + nl;
		if (!v || !*v)
			continue;
		if (k == 4) {
			char *end;
			long long n = strtoll(v, &end, 10);
			if (*end || end == v || n > 2147483647LL || n < -2147483648LL)
				return fail(
					df, ins, 1, err, "strconv.ParseInt: parsing \"%s\": %s", v,
					*end || end == v ? "invalid syntax" : "value out of range");
			if (n < 0)
				return fail(df, ins, 1, err, "--retries cannot be negative (%s)%s",
					    v, "");
			continue;
		}
		{
			double ns;
			if (go_duration(v, &ns, msg, sizeof(msg)) < 0)
				return fail(df, ins, 1, err, "%s%s", msg, "");
			if (ns != 0 && ns < 1e6)
				return fail(df, ins, 1, err,
					    "Interval \"%s\" cannot be less than 1ms%s", name, "");
		}
	}
	return 0;
}

/* the last value of --name=, NULL when not given */
static const char *last_flag(const atmo_instruction *ins, const char *name)
{
	size_t i, nl = strlen(name);
	const char *v = NULL;
	for (i = 0; i < ins->n_flags; i++)
		if (!strncmp(ins->flags[i] + 2, name, nl) && ins->flags[i][2 + nl] == '=')
			v = ins->flags[i] + 3 + nl;
	return v;
}

/* RUN's parse hooks: --network and --security take one of a few values */
static int check_run_modes(const atmo_dockerfile *df, const atmo_instruction *ins, atmo_error *err)
{
	const char *net = last_flag(ins, "network"), *sec = last_flag(ins, "security");
	if (net && strcmp(net, "default") && strcmp(net, "none") && strcmp(net, "host"))
		return fail(df, ins, column_of(ins, "--network"), err,
			    "invalid network mode \"%.100s\"%s", net, "");
	if (sec && strcmp(sec, "insecure") && strcmp(sec, "sandbox"))
		return fail(df, ins, column_of(ins, "--security"), err,
			    "security \"%.100s\" is not valid%s", sec, "");
	return 0;
}

/* BFlags.Parse on flag i (name, eq: its '=' or NULL) */
static int check_flag(const atmo_dockerfile *df, const atmo_instruction *ins, const rule *r,
		      const char *name, const char *eq, size_t i, int col, atmo_error *err)
{
	char KW[32], type = flag_type(r, name);
	size_t j, nl = strlen(name);
	atmo__display_word(KW, sizeof(KW), ins->keyword, 1);
	if (!type)
		return fail(df, ins, col, err, "unknown flag: %s (not a flag of %s)", name, KW);
	for (j = 0; type != '*' && j < i; j++)
		if (!strncmp(ins->flags[j] + 2, name, nl) &&
		    (ins->flags[j][2 + nl] == '=' || !ins->flags[j][2 + nl]))
			return fail(df, ins, col, err, "duplicate flag specified: --%s%s", name,
				    "");
	if (type == 'b') {
		if (eq && !eq[1])
			return fail(df, ins, col, err, "missing a value on flag: --%s%s", name, "");
		if (eq && strcasecmp(eq + 1, "true") && strcasecmp(eq + 1, "false"))
			return atmo__error_set(err, ATMO_EINVALID, df->source, ins->start_line, col,
					       "expecting boolean value for flag --%s, not: %.80s",
					       name, eq + 1);
		return 0;
	}
	if (!eq)
		return fail(df, ins, col, err, "missing a value on flag: --%s%s", name, "");
	return 0;
}

static int check_one(const atmo_dockerfile *df, const atmo_instruction *ins, int trigger,
		     atmo_error *err)
{
	const rule *r = find_rule(ins->keyword);
	char KW[32];
	size_t i;
	int rc;

	atmo__display_word(KW, sizeof(KW), ins->keyword, 1);
	if (!r)
		return fail(df, ins, 1, err, "unknown instruction: %s%s", KW, "");
	for (i = 0; i < ins->n_flags; i++) {
		const char *f = ins->flags[i], *eq;
		char name[64];
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
			return fail(df, ins, col, err, "unknown flag: %s (not a flag of %s)", name,
				    KW);
		if ((rc = check_flag(df, ins, r, name, eq, i, col, err)) < 0)
			return rc;
		if (!strcmp(ins->keyword, "run") && !strcmp(name, "mount") &&
		    (rc = check_mount(df, ins, eq + 1, col, err)) < 0)
			return rc;
	}
	if (!strcmp(ins->keyword, "run") && (rc = check_run_modes(df, ins, err)) < 0)
		return rc;
	if (ins->n_args < (size_t)r->min_args && !(r->min_args == 2 && ins->n_heredocs))
		return fail(df, ins, 1, err, "%s requires at least %s", KW,
			    r->min_args == 1 ? "one argument"
					     : "two arguments, but only one was provided. "
					       "Destination could not be determined");
	if (!strcmp(ins->keyword, "from") && ins->n_args != 1 &&
	    !(ins->n_args == 3 && !strcasecmp(ins->args[1], "as")))
		return fail(df, ins, 1, err, "FROM requires either one or three arguments%s%s", "",
			    "");
	if (!strcmp(ins->keyword, "from") && ins->n_args == 3 && !stage_name_ok(ins->args[2]))
		return fail(df, ins, column_of(ins, ins->args[2]), err,
			    "invalid name for build stage: \"%s\", name can't start with a number "
			    "or contain symbols",
			    ins->args[2], "");
	if ((rc = check_names(df, ins, err)) < 0)
		return rc;
	if (!strcmp(ins->keyword, "shell") && !ins->json)
		return fail(df, ins, 1, err, "SHELL requires the arguments to be in JSON form%s%s",
			    "", "");
	if (!strcmp(ins->keyword, "healthcheck")) {
		const char *t = ins->args[0];
		if (!strcasecmp(t, "none")) {
			if (ins->n_args > 1)
				return fail(df, ins, 1, err,
					    "HEALTHCHECK NONE takes no arguments%s%s", "", "");
		} else if (!strcasecmp(t, "cmd")) {
			if (ins->n_args < 2)
				return fail(df, ins, 1, err,
					    "Missing command after HEALTHCHECK CMD%s%s", "", "");
			if ((rc = check_health_flags(df, ins, err)) < 0)
				return rc;
		} else {
			return fail(df, ins, column_of(ins, t), err,
				    "Unknown type %s in HEALTHCHECK (try CMD)%s", t, "");
		}
	}
	if (!strcmp(ins->keyword, "onbuild")) {
		const atmo_instruction *in = ins->inner;
		if (trigger)
			return fail(df, ins, 1, err,
				    "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed%s%s", "",
				    "");
		if (in) {
			char IK[32];
			upper(IK, sizeof(IK), in->keyword);
			if (!strcmp(in->keyword, "onbuild"))
				return fail(
					df, ins, 1, err,
					"Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed%s%s",
					"", "");
			if (!strcmp(in->keyword, "from") || !strcmp(in->keyword, "maintainer"))
				return fail(df, ins, 1, err,
					    "%s isn't allowed as an ONBUILD trigger%s", IK, "");
			/* the trigger itself is parsed only when a stage built on
			 * this one inherits it (checked by the graph there) */
			(void)trigger;
		}
	}
	return 0;
}

/* linter.ParseLintOptions on the `# check=` directive: up to three
 * "key=value" options split at ';', keys skip, experimental and error */
static int check_directive(const atmo_dockerfile *df, atmo_error *err)
{
	const char *p = df->check, *stop;
	int parts = 0;
	if (!p)
		return 0;
	/* ParseDirective keeps the value up to its first space */
	stop = strchr(p, ' ');
	if (!stop)
		stop = p + strlen(p);
	while (p < stop && isspace((unsigned char)*p))
		p++;
	while (p < stop) {
		const char *end = ++parts < 3 ? memchr(p, ';', (size_t)(stop - p)) : NULL, *eq, *k,
			   *ke, *v, *ve;
		if (!end)
			end = stop;
		eq = memchr(p, '=', (size_t)(end - p));
		if (!eq)
			return atmo__error_set(
				err, ATMO_EINVALID, df->source, 1, 1,
				"failed to parse check options: invalid check option \"%.*s\"",
				(int)(end - p > 100 ? 100 : end - p), p);
		for (k = p; k < eq && isspace((unsigned char)*k); k++)
			;
		for (ke = eq; ke > k && isspace((unsigned char)ke[-1]); ke--)
			;
		for (v = eq + 1; v < end && isspace((unsigned char)*v); v++)
			;
		for (ve = end; ve > v && isspace((unsigned char)ve[-1]); ve--)
			;
		if (ke - k == 5 && !strncmp(k, "error", 5)) {
			static const char *const ok[] = {
				"1", "t", "T", "TRUE",  "true",  "True",
				"0", "f", "F", "FALSE", "false", "False"
			};
			size_t i;
			for (i = 0; i < 12; i++)
				if ((size_t)(ve - v) == strlen(ok[i]) &&
				    !strncmp(v, ok[i], (size_t)(ve - v)))
					break;
			if (i == 12)
				return atmo__error_set(
					err, ATMO_EINVALID, df->source, 1, 1,
					"failed to parse check options: failed to parse check "
					"option \"%.*s\": strconv.ParseBool: parsing \"%.*s\": "
					"invalid syntax",
					(int)(end - p > 100 ? 100 : end - p), p,
					(int)(ve - v > 100 ? 100 : ve - v), v);
		} else if (!((ke - k == 4 && !strncmp(k, "skip", 4)) ||
			     (ke - k == 12 && !strncmp(k, "experimental", 12)))) {
			return atmo__error_set(
				err, ATMO_EINVALID, df->source, 1, 1,
				"failed to parse check options: invalid check option \"%.*s\"",
				(int)(ke - k > 100 ? 100 : ke - k), k);
		}
		p = end < stop ? end + 1 : end;
	}
	return 0;
}

int atmo_dockerfile_validate_trigger(const atmo_dockerfile *df, const atmo_instruction *trigger,
				     int line, atmo_error *err)
{
	int rc;
	if (!df || !trigger)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_dockerfile_validate_trigger: NULL argument");
	rc = check_one(df, trigger, 1, err);
	if (rc < 0 && err) {
		err->line = line;
		err->column = 1;
	}
	return rc;
}

int atmo_dockerfile_validate(const atmo_dockerfile *df, atmo_error *err)
{
	size_t i;
	int rc, seen_from = 0;

	atmo_error_clear(err);
	if (!df)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_dockerfile_validate: NULL argument");
	if ((rc = check_directive(df, err)) < 0)
		return rc;
	for (i = 0; i < df->n_ins; i++) {
		const atmo_instruction *ins = &df->ins[i].pub;
		if ((rc = check_one(df, ins, 0, err)) < 0)
			return rc;
		/* instructions.Parse: each instruction, then whether a stage has begun */
		if (!seen_from && strcmp(ins->keyword, "from") && strcmp(ins->keyword, "arg"))
			return fail(df, ins, 1, err, "no build stage in current context%s%s", "",
				    "");
		seen_from |= !strcmp(ins->keyword, "from");
	}
	return 0;
}
