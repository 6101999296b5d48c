/*
 * The resolver's reading of instruction flags: each instruction's flags
 * checked as BuildKit's BFlags.Parse does, and RUN --mount values read as
 * BuildKit's parseMount does (split from graph.c).
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/graph_int.h"

/* Go's strconv.ParseBool */
static int parse_bool(const char *s, int *out)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };
	size_t i;
	for (i = 0; i < 6; i++) {
		if (!strcmp(s, t[i])) {
			*out = 1;
			return 1;
		}
		if (!strcmp(s, f[i])) {
			*out = 0;
			return 1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* flags                                                               */

enum { FT_STRING, FT_BOOL, FT_STRINGS };

typedef struct {
	const char *name;
	int type;
} flagdef;

static const flagdef from_flags[] = { { "platform", FT_STRING }, { NULL, 0 } };
static const flagdef copy_flags[] = { { "from", FT_STRING },
				      { "chown", FT_STRING },
				      { "chmod", FT_STRING },
				      { "link", FT_BOOL },
				      { "parents", FT_BOOL },
				      { "exclude", FT_STRINGS },
				      { NULL, 0 } };
static const flagdef add_flags[] = { { "chown", FT_STRING },    { "chmod", FT_STRING },
				     { "link", FT_BOOL },       { "keep-git-dir", FT_BOOL },
				     { "checksum", FT_STRING }, { "exclude", FT_STRINGS },
				     { "unpack", FT_BOOL },     { NULL, 0 } };
static const flagdef run_flags[] = { { "mount", FT_STRINGS },
				     { "network", FT_STRING },
				     { "security", FT_STRING },
				     { "device", FT_STRINGS },
				     { NULL, 0 } };
static const flagdef healthcheck_flags[] = {
	{ "interval", FT_STRING },       { "timeout", FT_STRING }, { "start-period", FT_STRING },
	{ "start-interval", FT_STRING }, { "retries", FT_STRING }, { NULL, 0 }
};
static const flagdef no_flags[] = { { NULL, 0 } };

static const flagdef *flags_for(const char *kw)
{
	if (!strcmp(kw, "from"))
		return from_flags;
	if (!strcmp(kw, "copy"))
		return copy_flags;
	if (!strcmp(kw, "add"))
		return add_flags;
	if (!strcmp(kw, "run"))
		return run_flags;
	if (!strcmp(kw, "healthcheck"))
		return healthcheck_flags;
	return no_flags;
}

/* Check an instruction's flags as BuildKit's BFlags.Parse does. */
int atmo_graph__check_flags(rctx *r, const atmo_instruction *ins, int line)
{
	const flagdef *defs = flags_for(ins->keyword);
	unsigned used = 0;
	size_t i;
	for (i = 0; i < ins->n_flags; i++) {
		const char *f = ins->flags[i];
		const char *eq;
		size_t nlen;
		int k;
		if (strncmp(f, "--", 2))
			return atmo_graph__fail(r, ATMO_EINVALID, line,
						"arg should start with -- : %s", f);
		if (!strcmp(f, "--"))
			break;
		f += 2;
		eq = strchr(f, '=');
		nlen = eq ? (size_t)(eq - f) : strlen(f);
		for (k = 0; defs[k].name; k++)
			if (strlen(defs[k].name) == nlen && !strncmp(defs[k].name, f, nlen))
				break;
		if (!defs[k].name)
			return atmo_graph__fail(r, ATMO_EINVALID, line, "unknown flag: %.*s",
						(int)nlen, f);
		if ((used & (1u << k)) && defs[k].type != FT_STRINGS)
			return atmo_graph__fail(r, ATMO_EINVALID, line,
						"duplicate flag specified: --%.*s", (int)nlen, f);
		used |= 1u << k;
		if (defs[k].type == FT_BOOL) {
			if (eq && !eq[1])
				return atmo_graph__fail(r, ATMO_EINVALID, line,
							"missing a value on flag: --%.*s",
							(int)nlen, f);
			if (eq && strcasecmp(eq + 1, "true") && strcasecmp(eq + 1, "false"))
				return atmo_graph__fail(
					r, ATMO_EINVALID, line,
					"expecting boolean value for flag --%.*s, not: %s",
					(int)nlen, f, eq + 1);
		} else if (!eq) {
			return atmo_graph__fail(r, ATMO_EINVALID, line,
						"missing a value on flag: --%.*s", (int)nlen, f);
		}
	}
	return 0;
}

/* The value of the last --name=value flag, or NULL. */
const char *atmo_graph__flag_value(const atmo_instruction *ins, const char *name)
{
	size_t n = strlen(name), i;
	const char *v = NULL;
	for (i = 0; i < ins->n_flags; i++) {
		const char *f = ins->flags[i];
		if (!strncmp(f, "--", 2) && !strncmp(f + 2, name, n) && f[2 + n] == '=')
			v = f + 3 + n;
	}
	return v;
}

/* ------------------------------------------------------------------ */
/* RUN --mount: Go's encoding/csv on one record, then BuildKit's parseMount */

/* Split a CSV record into fields (arena strings). */
static int csv_fields(rctx *r, const char *s, const char ***out, size_t *n, const char **why)
{
	atmo__arena *a = &r->g->arena;
	size_t cap = 1, cnt = 0, i, len = strlen(s);
	const char **f;
	char *buf;
	*why = NULL;
	if (!len) {
		*why = "EOF";
		return ATMO_EINVALID;
	}
	for (i = 0; i < len; i++)
		if (s[i] == ',')
			cap++;
	f = atmo__arena_alloc(a, cap * sizeof(*f));
	buf = atmo__arena_alloc(a, len + cap);
	if (!f || !buf)
		return ATMO_ENOMEM;
	i = 0;
	for (;;) {
		char *start = buf;
		if (s[i] == '"') {
			i++;
			for (;;) {
				if (i >= len) {
					*why = "extraneous or missing \" in quoted-field";
					return ATMO_EINVALID;
				}
				if (s[i] == '"') {
					if (s[i + 1] == '"') {
						*buf++ = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				*buf++ = s[i++];
			}
			if (i < len && s[i] != ',') {
				*why = "extraneous or missing \" in quoted-field";
				return ATMO_EINVALID;
			}
		} else {
			while (i < len && s[i] != ',') {
				if (s[i] == '"') {
					*why = "bare \" in non-quoted-field";
					return ATMO_EINVALID;
				}
				*buf++ = s[i++];
			}
		}
		*buf++ = '\0';
		f[cnt++] = start;
		if (i >= len)
			break;
		i++; /* the comma */
		if (i >= len) {
			*buf++ = '\0';
			f[cnt++] = buf - 1;
			break;
		}
	}
	*out = f;
	*n = cnt;
	return 0;
}

static int mount_type_ok(const char *t)
{
	return !strcmp(t, "bind") || !strcmp(t, "cache") || !strcmp(t, "tmpfs") ||
	       !strcmp(t, "secret") || !strcmp(t, "ssh");
}

/*
 * Parse one --mount value. env NULL: the first pass (only from= is read, and
 * it must not use variables). env set: every value expanded and checked.
 */
int atmo_graph__parse_mount(rctx *r, const char *val, const atmo__genv *env, int line, mountinfo *m)
{
	const char **fields;
	size_t nf, i;
	const char *why;
	int rc, ro_auto = 1, has_mode = 0, has_uid = 0, has_gid = 0;
	const char *sharing = NULL;
	memset(m, 0, sizeof(*m));
	m->type = "bind";
	rc = csv_fields(r, val, &fields, &nf, &why);
	if (rc == ATMO_ENOMEM)
		return atmo_graph__nomem(r);
	if (rc < 0)
		return atmo_graph__fail(r, ATMO_EINVALID, line, "failed to parse csv mounts: %s",
					why);
	for (i = 0; i < nf; i++) {
		const char *field = fields[i];
		const char *eq = strchr(field, '=');
		char key[32];
		size_t klen = eq ? (size_t)(eq - field) : strlen(field), k;
		const char *value;
		if (klen >= sizeof(key))
			klen = sizeof(key) - 1;
		for (k = 0; k < klen; k++)
			key[k] = (char)tolower((unsigned char)field[k]);
		key[klen] = '\0';
		if (!eq) {
			if (!env)
				continue;
			if (!strcmp(key, "readonly") || !strcmp(key, "ro") ||
			    !strcmp(key, "readwrite") || !strcmp(key, "rw")) {
				ro_auto = 0;
				continue;
			}
			if (!strcmp(key, "required")) {
				if (!strcmp(m->type, "secret") || !strcmp(m->type, "ssh"))
					continue;
				return atmo_graph__fail(r, ATMO_EINVALID, line,
							"unexpected key '%s' for mount type '%s'",
							key, m->type);
			}
			return atmo_graph__fail(r, ATMO_EINVALID, line,
						"invalid field '%s' must be a key=value pair",
						field);
		}
		value = eq + 1;
		if (!env) {
			if (!strcmp(key, "from")) {
				const char *d = strchr(value, '$');
				if (d && d[1])
					return atmo_graph__fail(
						r, ATMO_EINVALID, line,
						"'%s' doesn't support variable expansion, define "
						"alias stage instead",
						key);
				m->from = value;
			} else if (!strcmp(key, "type")) {
				m->type = value;
			}
			continue;
		}
		{
			lookup_ctx lc = { env, r, NULL, 0, 0, 0 };
			atmo_error local;
			char *x = NULL;
			atmo_error_clear(&local);
			rc = atmo_shell_expand(&x, value, r->g->escape, atmo_graph__lookup_cb, &lc,
					       &local);
			if (rc == ATMO_ENOMEM)
				return atmo_graph__nomem(r);
			if (rc < 0)
				return atmo_graph__fail(r, rc, line, "%s",
							local.text[0] ? local.text
								      : "bad substitution");
			if ((rc = atmo_graph__charge(r, x, line)) < 0) {
				atmo__free(x);
				return rc;
			}
			value = atmo__arena_strdup(&r->g->arena, x);
			atmo__free(x);
			if (!value)
				return atmo_graph__nomem(r);
		}
		if (!strcmp(key, "type")) {
			char *t = atmo_graph__lower_dup(r, value);
			if (!t)
				return atmo_graph__nomem(r);
			if (!mount_type_ok(t))
				return atmo_graph__fail(r, ATMO_EINVALID, line,
							"unsupported mount type \"%s\"", value);
			m->type = t;
		} else if (!strcmp(key, "from")) {
			m->from = value;
		} else if (!strcmp(key, "source") || !strcmp(key, "src")) {
			m->source = value;
		} else if (!strcmp(key, "target") || !strcmp(key, "dst") ||
			   !strcmp(key, "destination")) {
			m->target = value;
		} else if (!strcmp(key, "readonly") || !strcmp(key, "ro") ||
			   !strcmp(key, "readwrite") || !strcmp(key, "rw")) {
			int b;
			if (!parse_bool(value, &b))
				return atmo_graph__fail(r, ATMO_EINVALID, line,
							"invalid value for %s: %s", key, value);
			ro_auto = 0;
		} else if (!strcmp(key, "required")) {
			int b;
			if (strcmp(m->type, "secret") && strcmp(m->type, "ssh"))
				return atmo_graph__fail(r, ATMO_EINVALID, line,
							"unexpected key '%s' for mount type '%s'",
							key, m->type);
			if (!parse_bool(value, &b))
				return atmo_graph__fail(r, ATMO_EINVALID, line,
							"invalid value for %s: %s", key, value);
		} else if (!strcmp(key, "size")) {
			if (strcmp(m->type, "tmpfs"))
				return atmo_graph__fail(r, ATMO_EINVALID, line,
							"unexpected key '%s' for mount type '%s'",
							key, m->type);
		} else if (!strcmp(key, "id")) {
			m->id = value;
		} else if (!strcmp(key, "sharing")) {
			if (strcasecmp(value, "shared") && strcasecmp(value, "private") &&
			    strcasecmp(value, "locked"))
				return atmo_graph__fail(r, ATMO_EINVALID, line,
							"unsupported sharing value \"%s\"", value);
			sharing = value;
		} else if (!strcmp(key, "mode") || !strcmp(key, "uid") || !strcmp(key, "gid")) {
			const char *p = value;
			int base = key[0] == 'm' ? 8 : 10;
			if (!*p)
				return atmo_graph__fail(r, ATMO_EINVALID, line,
							"invalid value %s for %s", value, key);
			for (; *p; p++)
				if (!isdigit((unsigned char)*p) || (base == 8 && *p > '7'))
					return atmo_graph__fail(r, ATMO_EINVALID, line,
								"invalid value %s for %s", value,
								key);
			if (key[0] == 'm')
				has_mode = 1;
			else if (key[0] == 'u')
				has_uid = 1;
			else
				has_gid = 1;
		} else if (!strcmp(key, "env")) {
			/* secrets exposed as an environment variable */
		} else {
			return atmo_graph__fail(r, ATMO_EINVALID, line,
						"unexpected key '%s' in '%s'", key, field);
		}
	}
	if (!env)
		return 0;
	(void)ro_auto;
	if (strcmp(m->type, "secret") && strcmp(m->type, "ssh") && strcmp(m->type, "cache")) {
		if (has_mode)
			return atmo_graph__fail(r, ATMO_EINVALID, line,
						"mode not allowed for \"%s\" type mounts", m->type);
		if (has_uid)
			return atmo_graph__fail(r, ATMO_EINVALID, line,
						"uid not allowed for \"%s\" type mounts", m->type);
		if (has_gid)
			return atmo_graph__fail(r, ATMO_EINVALID, line,
						"gid not allowed for \"%s\" type mounts", m->type);
	}
	if (!strcmp(m->type, "secret")) {
		if (m->from)
			return atmo_graph__fail(r, ATMO_EINVALID, line,
						"secret mount should not have a from");
		if (sharing)
			return atmo_graph__fail(r, ATMO_EINVALID, line,
						"secret mount should not define sharing");
		if (!m->source && !m->target && !m->id)
			return atmo_graph__fail(
				r, ATMO_EINVALID, line,
				"invalid secret mount. one of source, target required");
		if (m->source && m->id)
			return atmo_graph__fail(r, ATMO_EINVALID, line,
						"both source and id can't be set");
	}
	if (sharing && strcmp(m->type, "cache"))
		return atmo_graph__fail(r, ATMO_EINVALID, line,
					"invalid cache sharing set for %s mount", m->type);
	return 0;
}
