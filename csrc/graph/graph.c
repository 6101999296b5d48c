/*
 * The resolver: a parsed Dockerfile becomes stages, nodes and edges, as
 * BuildKit's dockerfile2llb (toDispatchState) and instructions.Parse do.
 *
 * Passes, each linear in the number of instructions:
 *   1. split the instructions into meta ARGs and stages; check FROM lines
 *      and stage names;
 *   2. meta ARGs (builtins, --build-arg), then expand every FROM and resolve
 *      its base: an earlier stage, scratch, a named context or an image;
 *   3. edges: FROM, COPY --from, RUN --mount from=, and the COPY/RUN ONBUILD
 *      triggers a child stage inherits; cycle check; target; reachability;
 *      build order;
 *   4. ARG/ENV scopes of every stage and the expanded paths of each edge
 *      (errors here only count for stages that are built, as in BuildKit).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/graph_int.h"

/* ------------------------------------------------------------------ */
/* the resolver's working state                                        */

typedef struct {
	const char *name;   /* as given */
	const char *norm;   /* familiar form used for look-ups */
	const char *value;
	int node;           /* -1 until used */
} gctx;

typedef struct {
	atmo_graph *g;
	atmo_error *err;
	const atmo_graph_options *opts;

	atmo__gmap build_args;      /* key -> index into ba_val */
	const char **ba_val;

	gctx *ctx;
	size_t n_ctx;
	atmo__gmap ctx_map;         /* normalized name -> index into ctx */

	atmo__gmap names;           /* lower-case stage name -> last stage of that name */
	atmo__gmap images;          /* reference -> node */
	atmo__gmap anchors;
	int scratch_node;

	atmo__gmap meta_declared;   /* every meta ARG key and builtin */
	size_t *meta_ins;           /* instruction indices of meta ARGs */
	size_t n_meta_ins;

	int *base_node;             /* per stage: node its FROM resolves to */
	const char **base_ctx;      /* per stage: context name when base_node is a context */
	int *edge_aux;              /* per edge: index of the --mount flag, -1 */
	int *edge_trig;             /* per edge: ordinal of the linked trigger that made it, -1 */
	/* per edge: 1 for the implicit dependency of a mount without from= on a stage
	 * named scratch (BuildKit's stage graph has it, its output does not): it
	 * counts for cycles, reachability and build order, then leaves the graph */
	unsigned char *edge_hidden;
	size_t cap_aux;
	int cur_trig;               /* edge_trig of the next edges */
	int *stage_link;            /* per stage: index into opts->links of its FROM context, -1 */
	int col;                    /* column for the next error, 0: column 1 */
	/* BuildKit's "unregistered" states: one per COPY --from / mount that names
	 * no stage, in the order of the stages' own instructions; a numeric
	 * --from past the last stage indexes them */
	int *unreg;
	size_t n_unreg, cap_unreg;
	size_t expanded;            /* bytes all expansions produced (ATMO_SHELL_MAX_TOTAL) */
} rctx;

/* variable look-up payload */
typedef struct {
	const atmo__genv *env;
	rctx *r;
	/* names looked up and not found (for UndefinedArgInFrom), NULL: not recorded */
	const char **miss;
	size_t n_miss, cap_miss;
	int oom;
} lookup_ctx;

const char *atmo_graph__lookup_cb(const char *name, size_t len, void *payload)
{
	lookup_ctx *lc = payload;
	const char *v = atmo__genv_get(lc->env, name, len);
	if (!v && lc->r && lc->miss != NULL) {
		size_t i;
		for (i = 0; i < lc->n_miss; i++)
			if (strlen(lc->miss[i]) == len && !memcmp(lc->miss[i], name, len))
				return NULL;
		if (lc->n_miss < lc->cap_miss) {
			const char *c = atmo__arena_strndup(&lc->r->g->arena, name, len);
			if (!c)
				lc->oom = 1;
			else
				lc->miss[lc->n_miss++] = c;
		}
	}
	return v;
}

static const char *src_name(rctx *r)
{
	return r->g->source;
}

int atmo_graph__nomem(rctx *r)
{
	return atmo__error_nomem(r->err);
}


int atmo_graph__fail(rctx *r, int code, int line, const char *fmt, ...) ATMO_PRINTF(4, 5);

/* Count an expansion's result against the file's budget: words are capped
 * one by one, but many capped words still add up (doubling ARG chains). */
int atmo_graph__charge(rctx *r, const char *x, int line)
{
	r->expanded += x ? strlen(x) : 0;
	if (r->expanded > ATMO_SHELL_MAX_TOTAL)
		return atmo_graph__fail(r, ATMO_ELIMIT, line,
			    "variable expansion produced more than %zu bytes in this Dockerfile",
			    ATMO_SHELL_MAX_TOTAL);
	return 0;
}

int atmo_graph__fail(rctx *r, int code, int line, const char *fmt, ...) ATMO_PRINTF(4, 5);
int atmo_graph__fail(rctx *r, int code, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	atmo__error_vset(r->err, code, src_name(r), line,
			 line > 0 ? (r->col > 0 ? r->col : 1) : 0, fmt, ap);
	va_end(ap);
	return code;
}

/* Column of needle in the first line of an instruction (as the parser's
 * checks compute it), 0 when it is not there. last: the last occurrence. */
int atmo_graph__col_of(const atmo_instruction *ins, const char *needle, int last)
{
	const char *o = ins ? ins->original : NULL;
	const char *p, *hit = NULL, *nl;
	size_t n;
	if (!o || !needle || !*needle)
		return 0;
	nl = strchr(o, '\n');
	n = strlen(needle);
	for (p = strstr(o, needle); p && (!nl || p + n <= nl); p = strstr(p + 1, needle)) {
		hit = p;
		if (!last)
			break;
	}
	return hit ? (int)(hit - o) + 1 : 0;
}

static int warn(rctx *r, const char *code, int line, const char *fmt, ...) ATMO_PRINTF(4, 5);
static int warn(rctx *r, const char *code, int line, const char *fmt, ...)
{
	atmo_graph *g = r->g;
	atmo_error *w;
	va_list ap;
	if (atmo__lint_skipped(atmo_dockerfile_directive(g->df, "check"), code))
		return 0;
	if (g->n_warnings == g->cap_warnings) {
		size_t ncap = g->cap_warnings ? g->cap_warnings * 2 : 8;
		atmo_error *nw = realloc(g->warnings, ncap * sizeof(*nw));
		const char **nc;
		if (!nw)
			return atmo_graph__nomem(r);
		g->warnings = nw;
		nc = realloc(g->warning_codes, ncap * sizeof(*nc));
		if (!nc)
			return atmo_graph__nomem(r);
		g->warning_codes = nc;
		g->cap_warnings = ncap;
	}
	w = &g->warnings[g->n_warnings];
	memset(w, 0, sizeof(*w));
	w->offset = -1;
	w->line = line;
	w->column = line > 0 ? 1 : 0;
	snprintf(w->source, sizeof(w->source), "%s", g->source);
	va_start(ap, fmt);
	vsnprintf(w->text, sizeof(w->text), fmt, ap);
	va_end(ap);
	g->warning_codes[g->n_warnings] = code;
	g->n_warnings++;
	return 0;
}

static int lint_emit(void *payload, const char *rule, int line, const char *text)
{
	return warn(payload, rule, line, "%s", text);
}

/* ------------------------------------------------------------------ */
/* small string helpers                                                */

char *atmo_graph__lower_dup(rctx *r, const char *s)
{
	char *p = atmo__arena_strdup(&r->g->arena, s);
	char *q;
	if (!p)
		return NULL;
	for (q = p; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	return p;
}

static int has_upper(const char *s)
{
	for (; *s; s++)
		if (isupper((unsigned char)*s))
			return 1;
	return 0;
}

/* ^[a-z][a-z0-9-_.]*$ */
static int valid_stage_name(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return 0;
	for (s++; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

/* Go's strconv.Atoi: optional sign and decimal digits only */
static int parse_int(const char *s, long *out)
{
	const char *p = s;
	char *end;
	long v;
	if (*p == '+' || *p == '-')
		p++;
	if (!*p)
		return 0;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < INT_MIN || v > INT_MAX)
		return 0;
	*out = v;
	return 1;
}

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

/* The familiar form of an image reference, as BuildKit's named-context
 * look-up normalizes it: no docker.io/, no library/, no :latest. */
static const char *familiar(rctx *r, const char *ref)
{
	const char *p = ref;
	const char *slash;
	size_t n;
	if (!strncmp(p, "docker.io/", 10))
		p += 10;
	else if (!strncmp(p, "index.docker.io/", 16))
		p += 16;
	if (p != ref && !strncmp(p, "library/", 8) && !strchr(p + 8, '/'))
		p += 8;
	n = strlen(p);
	slash = strrchr(p, '/');
	if (n > 7 && !strcmp(p + n - 7, ":latest") && !strchr(p, '@') &&
	    (!slash || slash < p + n - 7))
		n -= 7;
	return atmo__arena_strndup(&r->g->arena, p, n);
}

/* ------------------------------------------------------------------ */
/* nodes and edges                                                     */

static int add_node(rctx *r, atmo_node_kind kind, const char *id, const char *name,
		    const char *ref, int stage, int line)
{
	atmo_graph *g = r->g;
	atmo_graph_node *n;
	if (g->n_nodes == g->cap_nodes) {
		size_t ncap = g->cap_nodes ? g->cap_nodes * 2 : 16;
		atmo_graph_node *nn;
		if (ncap > (size_t)INT_MAX)
			return atmo_graph__fail(r, ATMO_ELIMIT, 0, "too many nodes");
		nn = realloc(g->nodes, ncap * sizeof(*nn));
		if (!nn)
			return atmo_graph__nomem(r);
		g->nodes = nn;
		g->cap_nodes = ncap;
	}
	n = &g->nodes[g->n_nodes];
	memset(n, 0, sizeof(*n));
	n->id = id;
	n->kind = kind;
	n->name = name;
	n->ref = ref;
	n->stage = stage;
	n->line = line;
	return (int)g->n_nodes++;
}

static int add_edge(rctx *r, int from, size_t to, atmo_edge_kind kind, size_t ins, int line,
		    const char *context, int aux)
{
	atmo_graph *g = r->g;
	atmo_graph_edge *e;
	if (g->n_edges == g->cap_edges) {
		size_t ncap = g->cap_edges ? g->cap_edges * 2 : 16;
		atmo_graph_edge *ne = realloc(g->edges, ncap * sizeof(*ne));
		if (!ne)
			return atmo_graph__nomem(r);
		g->edges = ne;
		g->cap_edges = ncap;
	}
	if (g->n_edges >= r->cap_aux) {
		size_t ncap = r->cap_aux ? r->cap_aux * 2 : 16;
		int *na = realloc(r->edge_aux, ncap * sizeof(*na)), *nt;
		unsigned char *nh;
		if (!na)
			return atmo_graph__nomem(r);
		r->edge_aux = na;
		nt = realloc(r->edge_trig, ncap * sizeof(*nt));
		if (!nt)
			return atmo_graph__nomem(r);
		r->edge_trig = nt;
		nh = realloc(r->edge_hidden, ncap);
		if (!nh)
			return atmo_graph__nomem(r);
		r->edge_hidden = nh;
		r->cap_aux = ncap;
	}
	e = &g->edges[g->n_edges];
	memset(e, 0, sizeof(*e));
	e->from = (size_t)from;
	e->to = to;
	e->kind = kind;
	e->line = line;
	e->instruction = ins;
	e->context = context;
	r->edge_aux[g->n_edges] = aux;
	r->edge_trig[g->n_edges] = r->cur_trig;
	r->edge_hidden[g->n_edges] = 0;
	g->n_edges++;
	return 0;
}

int atmo_graph__image_node(rctx *r, const char *ref, int line)
{
	atmo_graph *g = r->g;
	int n = atmo__gmap_get(&r->images, ref, strlen(ref));
	const char *id, *name;
	if (n >= 0)
		return n;
	name = atmo__arena_strdup(&g->arena, ref);
	id = atmo__arena_printf(&g->arena, "%s/image/%s", g->image_id, ref);
	if (!name || !id)
		return atmo_graph__nomem(r);
	n = add_node(r, ATMO_NODE_IMAGE, id, name, name, -1, line);
	if (n < 0)
		return n;
	if (atmo__gmap_put(&r->images, name, strlen(name), n) < 0)
		return atmo_graph__nomem(r);
	return n;
}

int atmo_graph__scratch_node(rctx *r, int line)
{
	const char *id;
	if (r->scratch_node >= 0)
		return r->scratch_node;
	id = atmo__arena_printf(&r->g->arena, "%s/scratch", r->g->image_id);
	if (!id)
		return atmo_graph__nomem(r);
	r->scratch_node = add_node(r, ATMO_NODE_SCRATCH, id, "scratch", NULL, -1, line);
	return r->scratch_node;
}

/* the named context for a FROM or --from name, or -1 */
int atmo_graph__find_context(rctx *r, const char *name)
{
	const char *f;
	int i;
	if (!r->n_ctx)
		return -1;
	/* BuildKit never looks "scratch" and "context" up as named contexts */
	if (!strcasecmp(name, "scratch") || !strcasecmp(name, "context"))
		return -1;
	i = atmo__gmap_get(&r->ctx_map, name, strlen(name));
	if (i >= 0)
		return i;
	f = familiar(r, name);
	if (!f)
		return -1;
	return atmo__gmap_get(&r->ctx_map, f, strlen(f));
}

int atmo_graph__context_node(rctx *r, int ci, int line)
{
	gctx *c = &r->ctx[ci];
	const char *id;
	if (c->node >= 0)
		return c->node;
	id = atmo__arena_printf(&r->g->arena, "%s/context/%s", r->g->image_id, c->name);
	if (!id)
		return atmo_graph__nomem(r);
	c->node = add_node(r, ATMO_NODE_CONTEXT, id, c->name, c->value, -1, line);
	return c->node;
}

/* The node a stage reference resolves to: the stage, or the named context replacing it. */
int atmo_graph__stage_ref_node(rctx *r, size_t s)
{
	int rep = r->g->sx[s].replaced;
	return rep >= 0 ? rep : (int)s;
}

static const char *stage_display(const atmo_stage *st, char *buf, size_t n)
{
	if (st->name)
		return st->name;
	snprintf(buf, n, "stage-%zu", st->index);
	return buf;
}

/* ------------------------------------------------------------------ */
/* flags                                                               */

enum { FT_STRING, FT_BOOL, FT_STRINGS };

typedef struct {
	const char *name;
	int type;
} flagdef;

static const flagdef from_flags[] = { { "platform", FT_STRING }, { NULL, 0 } };
static const flagdef copy_flags[] = {
	{ "from", FT_STRING }, { "chown", FT_STRING }, { "chmod", FT_STRING },
	{ "link", FT_BOOL }, { "parents", FT_BOOL }, { "exclude", FT_STRINGS }, { NULL, 0 } };
static const flagdef add_flags[] = {
	{ "chown", FT_STRING }, { "chmod", FT_STRING }, { "link", FT_BOOL },
	{ "keep-git-dir", FT_BOOL }, { "checksum", FT_STRING }, { "exclude", FT_STRINGS },
	{ "unpack", FT_BOOL }, { NULL, 0 } };
static const flagdef run_flags[] = {
	{ "mount", FT_STRINGS }, { "network", FT_STRING }, { "security", FT_STRING },
	{ "device", FT_STRINGS }, { NULL, 0 } };
static const flagdef healthcheck_flags[] = {
	{ "interval", FT_STRING }, { "timeout", FT_STRING }, { "start-period", FT_STRING },
	{ "start-interval", FT_STRING }, { "retries", FT_STRING }, { NULL, 0 } };
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
			return atmo_graph__fail(r, ATMO_EINVALID, line, "arg should start with -- : %s", f);
		if (!strcmp(f, "--"))
			break;
		f += 2;
		eq = strchr(f, '=');
		nlen = eq ? (size_t)(eq - f) : strlen(f);
		for (k = 0; defs[k].name; k++)
			if (strlen(defs[k].name) == nlen && !strncmp(defs[k].name, f, nlen))
				break;
		if (!defs[k].name)
			return atmo_graph__fail(r, ATMO_EINVALID, line, "unknown flag: %.*s", (int)nlen, f);
		if ((used & (1u << k)) && defs[k].type != FT_STRINGS)
			return atmo_graph__fail(r, ATMO_EINVALID, line, "duplicate flag specified: --%.*s",
				    (int)nlen, f);
		used |= 1u << k;
		if (defs[k].type == FT_BOOL) {
			if (eq && !eq[1])
				return atmo_graph__fail(r, ATMO_EINVALID, line, "missing a value on flag: --%.*s",
					    (int)nlen, f);
			if (eq && strcasecmp(eq + 1, "true") && strcasecmp(eq + 1, "false"))
				return atmo_graph__fail(r, ATMO_EINVALID, line,
					    "expecting boolean value for flag --%.*s, not: %s",
					    (int)nlen, f, eq + 1);
		} else if (!eq) {
			return atmo_graph__fail(r, ATMO_EINVALID, line, "missing a value on flag: --%.*s",
				    (int)nlen, f);
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

typedef struct {
	const char *type;
	const char *from;
	const char *source;
	const char *target;
	const char *id;
} mountinfo;

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
		return atmo_graph__fail(r, ATMO_EINVALID, line, "failed to parse csv mounts: %s", why);
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
					    "unexpected key '%s' for mount type '%s'", key, m->type);
			}
			return atmo_graph__fail(r, ATMO_EINVALID, line,
				    "invalid field '%s' must be a key=value pair", field);
		}
		value = eq + 1;
		if (!env) {
			if (!strcmp(key, "from")) {
				const char *d = strchr(value, '$');
				if (d && d[1])
					return atmo_graph__fail(r, ATMO_EINVALID, line,
						    "'%s' doesn't support variable expansion, define alias stage instead",
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
			rc = atmo_shell_expand(&x, value, r->g->escape, atmo_graph__lookup_cb, &lc, &local);
			if (rc == ATMO_ENOMEM)
				return atmo_graph__nomem(r);
			if (rc < 0)
				return atmo_graph__fail(r, rc, line, "%s", local.text[0] ? local.text : "bad substitution");
			if ((rc = atmo_graph__charge(r, x, line)) < 0) {
				free(x);
				return rc;
			}
			value = atmo__arena_strdup(&r->g->arena, x);
			free(x);
			if (!value)
				return atmo_graph__nomem(r);
		}
		if (!strcmp(key, "type")) {
			char *t = atmo_graph__lower_dup(r, value);
			if (!t)
				return atmo_graph__nomem(r);
			if (!mount_type_ok(t))
				return atmo_graph__fail(r, ATMO_EINVALID, line, "unsupported mount type \"%s\"", value);
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
				return atmo_graph__fail(r, ATMO_EINVALID, line, "invalid value for %s: %s", key, value);
			ro_auto = 0;
		} else if (!strcmp(key, "required")) {
			int b;
			if (strcmp(m->type, "secret") && strcmp(m->type, "ssh"))
				return atmo_graph__fail(r, ATMO_EINVALID, line,
					    "unexpected key '%s' for mount type '%s'", key, m->type);
			if (!parse_bool(value, &b))
				return atmo_graph__fail(r, ATMO_EINVALID, line, "invalid value for %s: %s", key, value);
		} else if (!strcmp(key, "size")) {
			if (strcmp(m->type, "tmpfs"))
				return atmo_graph__fail(r, ATMO_EINVALID, line,
					    "unexpected key '%s' for mount type '%s'", key, m->type);
		} else if (!strcmp(key, "id")) {
			m->id = value;
		} else if (!strcmp(key, "sharing")) {
			if (strcasecmp(value, "shared") && strcasecmp(value, "private") &&
			    strcasecmp(value, "locked"))
				return atmo_graph__fail(r, ATMO_EINVALID, line, "unsupported sharing value \"%s\"", value);
			sharing = value;
		} else if (!strcmp(key, "mode") || !strcmp(key, "uid") || !strcmp(key, "gid")) {
			const char *p = value;
			int base = key[0] == 'm' ? 8 : 10;
			if (!*p)
				return atmo_graph__fail(r, ATMO_EINVALID, line, "invalid value %s for %s", value, key);
			for (; *p; p++)
				if (!isdigit((unsigned char)*p) || (base == 8 && *p > '7'))
					return atmo_graph__fail(r, ATMO_EINVALID, line, "invalid value %s for %s",
						    value, key);
			if (key[0] == 'm')
				has_mode = 1;
			else if (key[0] == 'u')
				has_uid = 1;
			else
				has_gid = 1;
		} else if (!strcmp(key, "env")) {
			/* secrets exposed as an environment variable */
		} else {
			return atmo_graph__fail(r, ATMO_EINVALID, line, "unexpected key '%s' in '%s'", key, field);
		}
	}
	if (!env)
		return 0;
	(void)ro_auto;
	if (strcmp(m->type, "secret") && strcmp(m->type, "ssh") && strcmp(m->type, "cache")) {
		if (has_mode)
			return atmo_graph__fail(r, ATMO_EINVALID, line, "mode not allowed for \"%s\" type mounts", m->type);
		if (has_uid)
			return atmo_graph__fail(r, ATMO_EINVALID, line, "uid not allowed for \"%s\" type mounts", m->type);
		if (has_gid)
			return atmo_graph__fail(r, ATMO_EINVALID, line, "gid not allowed for \"%s\" type mounts", m->type);
	}
	if (!strcmp(m->type, "secret")) {
		if (m->from)
			return atmo_graph__fail(r, ATMO_EINVALID, line, "secret mount should not have a from");
		if (sharing)
			return atmo_graph__fail(r, ATMO_EINVALID, line, "secret mount should not define sharing");
		if (!m->source && !m->target && !m->id)
			return atmo_graph__fail(r, ATMO_EINVALID, line,
				    "invalid secret mount. one of source, target required");
		if (m->source && m->id)
			return atmo_graph__fail(r, ATMO_EINVALID, line, "both source and id can't be set");
	}
	if (sharing && strcmp(m->type, "cache"))
		return atmo_graph__fail(r, ATMO_EINVALID, line, "invalid cache sharing set for %s mount", m->type);
	return 0;
}

/* ------------------------------------------------------------------ */
/* expansion                                                           */

/* Expand word in env; *out is an arena string. Errors located at line. */
int atmo_graph__expand(rctx *r, const char **out, const char *word, const atmo__genv *env,
		  lookup_ctx *lc_opt, int line)
{
	lookup_ctx lc_local = { env, r, NULL, 0, 0, 0 };
	lookup_ctx *lc = lc_opt ? lc_opt : &lc_local;
	atmo_error local;
	char *x = NULL;
	int rc;
	atmo_error_clear(&local);
	lc->env = env;
	rc = atmo_shell_expand(&x, word, r->g->escape, atmo_graph__lookup_cb, lc, &local);
	if (rc == ATMO_ENOMEM || lc->oom) {
		free(x);
		return atmo_graph__nomem(r);
	}
	if (rc < 0) {
		free(x);
		return atmo_graph__fail(r, rc, line, "%s", local.text[0] ? local.text : "bad substitution");
	}
	if ((rc = atmo_graph__charge(r, x, line)) < 0) {
		free(x);
		return rc;
	}
	*out = atmo__arena_strdup(&r->g->arena, x ? x : "");
	free(x);
	if (!*out)
		return atmo_graph__nomem(r);
	return 0;
}

/* ------------------------------------------------------------------ */
/* options                                                             */

static int load_options(rctx *r)
{
	const atmo_graph_options *o = r->opts;
	atmo_graph *g = r->g;
	size_t i;
	if (!o)
		return 0;
	if (o->n_build_args && !o->build_args)
		return atmo_graph__fail(r, ATMO_EINVALID, 0, "build_args is NULL but n_build_args is %zu",
			    o->n_build_args);
	if (o->n_build_contexts && !o->build_contexts)
		return atmo_graph__fail(r, ATMO_EINVALID, 0,
			    "build_contexts is NULL but n_build_contexts is %zu", o->n_build_contexts);
	if (o->n_build_args) {
		r->ba_val = calloc(o->n_build_args, sizeof(*r->ba_val));
		if (!r->ba_val)
			return atmo_graph__nomem(r);
	}
	for (i = 0; i < o->n_build_args; i++) {
		const char *kv = o->build_args[i];
		const char *eq = kv ? strchr(kv, '=') : NULL;
		char *key;
		if (!kv || !eq || eq == kv) {
			atmo__error_set(r->err, ATMO_EINVALID, "--build-arg", 0, 0,
					"invalid build argument '%s': expected KEY=VALUE", kv ? kv : "(null)");
			return ATMO_EINVALID;
		}
		key = atmo__arena_strndup(&g->arena, kv, (size_t)(eq - kv));
		r->ba_val[i] = atmo__arena_strdup(&g->arena, eq + 1);
		if (!key || !r->ba_val[i])
			return atmo_graph__nomem(r);
		if (strpbrk(key, " \t\n\r")) {
			atmo__error_set(r->err, ATMO_EINVALID, "--build-arg", 0, 0,
					"invalid build argument '%s': the name contains white space", kv);
			return ATMO_EINVALID;
		}
		if (atmo__gmap_put(&r->build_args, key, strlen(key), (int)i) < 0)
			return atmo_graph__nomem(r);
	}
	if (o->n_build_contexts) {
		r->ctx = calloc(o->n_build_contexts, sizeof(*r->ctx));
		if (!r->ctx)
			return atmo_graph__nomem(r);
	}
	for (i = 0; i < o->n_build_contexts; i++) {
		const char *kv = o->build_contexts[i];
		const char *eq = kv ? strchr(kv, '=') : NULL;
		gctx *c;
		int prev;
		if (!kv || !eq || eq == kv || !eq[1]) {
			atmo__error_set(r->err, ATMO_EINVALID, "--build-context", 0, 0,
					"invalid build context '%s': expected NAME=VALUE",
					kv ? kv : "(null)");
			return ATMO_EINVALID;
		}
		c = &r->ctx[r->n_ctx];
		c->name = atmo__arena_strndup(&g->arena, kv, (size_t)(eq - kv));
		c->value = atmo__arena_strdup(&g->arena, eq + 1);
		if (!c->name || !c->value)
			return atmo_graph__nomem(r);
		c->norm = familiar(r, c->name);
		if (!c->norm)
			return atmo_graph__nomem(r);
		c->node = -1;
		prev = atmo__gmap_get(&r->ctx_map, c->norm, strlen(c->norm));
		if (prev >= 0) {
			/* a later NAME=VALUE replaces an earlier one */
			r->ctx[prev].value = c->value;
			continue;
		}
		if (atmo__gmap_put(&r->ctx_map, c->norm, strlen(c->norm), (int)r->n_ctx) < 0)
			return atmo_graph__nomem(r);
		r->n_ctx++;
	}
	return 0;
}

const char *atmo_graph__build_arg(rctx *r, const char *key, size_t len)
{
	int i = atmo__gmap_get(&r->build_args, key, len);
	return i >= 0 ? r->ba_val[i] : NULL;
}

/* ------------------------------------------------------------------ */
/* pass 1: stages                                                      */

static const char *description_of(rctx *r, const char *comment, const char *name)
{
	size_t nl = strlen(name);
	const char *p = comment;
	if (!comment || !name)
		return NULL;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len > nl && !strncmp(p, name, nl) && p[nl] == ' ')
			return atmo__arena_strndup(&r->g->arena, p + nl + 1, len - nl - 1);
		if (!e)
			break;
		p = e + 1;
	}
	return NULL;
}

static const char *anchor_for(rctx *r, const char *key, size_t index)
{
	atmo_graph *g = r->g;
	char *a = atmo__arena_printf(&g->arena, "%s-%s", g->image_id, key);
	char *p, *q;
	if (!a)
		return NULL;
	for (p = q = a; *p; p++) {
		char c = (char)tolower((unsigned char)*p);
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '-';
		if (c == '-' && q > a && q[-1] == '-')
			continue;
		*q++ = c;
	}
	while (q > a && q[-1] == '-')
		q--;
	*q = '\0';
	if (atmo__gmap_get(&r->anchors, a, strlen(a)) >= 0) {
		a = atmo__arena_printf(&g->arena, "%s-%zu", a, index);
		if (!a)
			return NULL;
	}
	if (atmo__gmap_put(&r->anchors, a, strlen(a), (int)index) < 0)
		return NULL;
	return a;
}

static int split_stages(rctx *r)
{
	atmo_graph *g = r->g;
	const atmo_dockerfile *df = g->df;
	size_t n = atmo_dockerfile_count(df), i, ns = 0, s = 0;
	atmo__gmap seen = ATMO__GMAP_INIT;
	int rc = 0;

	for (i = 0; i < n; i++) {
		const atmo_instruction *ins = atmo_dockerfile_get(df, i);
		if (!strcmp(ins->keyword, "from"))
			ns++;
		else if (!ns && !strcmp(ins->keyword, "arg"))
			r->n_meta_ins++;
		else if (!ns)
			return atmo_graph__fail(r, ATMO_EINVALID, ins->start_line, "no build stage in current context");
	}
	if (!ns)
		return atmo_graph__fail(r, ATMO_EINVALID, 0, "dockerfile contains no stages to build");
	if (ns > (size_t)INT_MAX / 2)
		return atmo_graph__fail(r, ATMO_ELIMIT, 0, "too many stages");
	g->stages = calloc(ns, sizeof(*g->stages));
	g->sx = calloc(ns, sizeof(*g->sx));
	r->base_node = calloc(ns, sizeof(*r->base_node));
	r->base_ctx = calloc(ns, sizeof(*r->base_ctx));
	r->meta_ins = calloc(r->n_meta_ins ? r->n_meta_ins : 1, sizeof(*r->meta_ins));
	if (!g->stages || !g->sx || !r->base_node || !r->base_ctx || !r->meta_ins)
		return atmo_graph__nomem(r);
	g->n_stages = ns;
	r->n_meta_ins = 0;

	for (i = 0; i < n; i++) {
		const atmo_instruction *ins = atmo_dockerfile_get(df, i);
		atmo_stage *st;
		atmo__gstage *sx;
		const char *key;
		if (strcmp(ins->keyword, "from")) {
			if (!s) {
				r->meta_ins[r->n_meta_ins++] = i;
				if ((rc = atmo_graph__check_flags(r, ins, ins->start_line)) < 0)
					goto done;
				continue;
			}
			st = &g->stages[s - 1];
			st->n_instructions++;
			if (ins->end_line > st->end_line)
				st->end_line = ins->end_line;
			continue;
		}
		if ((rc = atmo_graph__check_flags(r, ins, ins->start_line)) < 0)
			goto done;
		st = &g->stages[s];
		sx = &g->sx[s];
		st->index = s;
		st->first_instruction = i;
		st->n_instructions = 1;
		st->start_line = ins->start_line;
		st->end_line = ins->end_line;
		st->parent_stage = -1;
		sx->replaced = -1;
		if (ins->n_args == 3 && !strcasecmp(ins->args[1], "as")) {
			char *name = atmo_graph__lower_dup(r, ins->args[2]);
			if (!name) {
				rc = atmo_graph__nomem(r);
				goto done;
			}
			if (!valid_stage_name(name)) {
				r->col = atmo_graph__col_of(ins, ins->args[2], 1);
				rc = atmo_graph__fail(r, ATMO_EINVALID, ins->start_line,
					  "invalid name for build stage: \"%s\", name can't start with a number or contain symbols",
					  ins->args[2]);
				goto done;
			}
			st->name = name;
			if (has_upper(ins->args[2]) &&
			    !atmo__lint_comment_skips(ins->comment, "StageNameCasing") &&
			    (rc = warn(r, "StageNameCasing", ins->start_line,
				       "Stage name '%s' should be lowercase", ins->args[2])) < 0)
				goto done;
		} else if (ins->n_args != 1) {
			rc = atmo_graph__fail(r, ATMO_EINVALID, ins->start_line,
				  "FROM requires either one or three arguments");
			goto done;
		}
		sx->raw_base = ins->args[0];
		if (st->name) {
			int dup = atmo__gmap_get(&seen, st->name, strlen(st->name)) >= 0;
			if ((!strcmp(st->name, "scratch") || !strcmp(st->name, "context")) &&
			    (rc = warn(r, "ReservedStageName", ins->start_line,
				       "'%s' is reserved and should not be used as a stage name",
				       st->name)) < 0)
				goto done;
			if (dup && (rc = warn(r, "DuplicateStageName", ins->start_line,
					      "Duplicate stage name \"%s\", stage names should be unique",
					      st->name)) < 0)
				goto done;
			if (!dup && atmo__gmap_put(&seen, st->name, strlen(st->name), (int)s) < 0) {
				rc = atmo_graph__nomem(r);
				goto done;
			}
			key = dup ? atmo__arena_printf(&g->arena, "%s#%zu", st->name, s) : st->name;
			st->label = st->name;
			st->description = description_of(r, ins->comment, st->name);
		} else {
			key = atmo__arena_printf(&g->arena, "%zu", s);
			st->label = key;
		}
		sx->key = key;
		st->node_id = key ? atmo__arena_printf(&g->arena, "%s/stage/%s", g->image_id, key) : NULL;
		st->anchor = key ? anchor_for(r, key, s) : NULL;
		if (!key || !st->node_id || !st->anchor) {
			rc = atmo_graph__nomem(r);
			goto done;
		}
		st->node = s;
		s++;
	}
	/* stage nodes come first: node i is stage i */
	for (s = 0; s < ns; s++) {
		const atmo_stage *st = &g->stages[s];
		int nd = add_node(r, ATMO_NODE_STAGE, st->node_id, st->label, NULL, (int)s,
				  st->start_line);
		if (nd < 0) {
			rc = nd;
			goto done;
		}
	}
done:
	atmo__gmap_free(&seen);
	return rc;
}

/* ------------------------------------------------------------------ */
/* pass 2: meta ARGs and FROM                                          */

static void host_platform(const char **os, const char **arch, const char **variant)
{
	*os = "linux";
	*variant = "";
#if defined(__x86_64__)
	*arch = "amd64";
#elif defined(__aarch64__)
	*arch = "arm64";
#elif defined(__arm__)
	*arch = "arm";
	*variant = "v7";
#elif defined(__i386__)
	*arch = "386";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
	*arch = "ppc64le";
#elif defined(__s390x__)
	*arch = "s390x";
#elif defined(__riscv)
	*arch = "riscv64";
#else
	*arch = "amd64";
#endif
}

static int set_builtin(rctx *r, const char *key, const char *value)
{
	const char *v = atmo_graph__build_arg(r, key, strlen(key));
	if (atmo__gmap_put(&r->meta_declared, key, strlen(key), 1) < 0)
		return atmo_graph__nomem(r);
	if (atmo__genv_set(&r->g->meta, key, v ? v : value, 0) < 0)
		return atmo_graph__nomem(r);
	return 0;
}

static int meta_args(rctx *r)
{
	atmo_graph *g = r->g;
	const char *os, *arch, *variant, *plat, *target;
	size_t i, j, cap = 0;
	int rc;

	host_platform(&os, &arch, &variant);
	plat = atmo__arena_printf(&g->arena, "%s/%s%s%s", os, arch, *variant ? "/" : "", variant);
	if (!plat)
		return atmo_graph__nomem(r);
	target = r->opts && r->opts->target && *r->opts->target ? r->opts->target
		 : g->stages[g->n_stages - 1].name ? g->stages[g->n_stages - 1].name : "";
	if ((rc = set_builtin(r, "BUILDPLATFORM", plat)) < 0 ||
	    (rc = set_builtin(r, "BUILDOS", os)) < 0 ||
	    (rc = set_builtin(r, "BUILDOSVERSION", "")) < 0 ||
	    (rc = set_builtin(r, "BUILDARCH", arch)) < 0 ||
	    (rc = set_builtin(r, "BUILDVARIANT", variant)) < 0 ||
	    (rc = set_builtin(r, "TARGETPLATFORM", plat)) < 0 ||
	    (rc = set_builtin(r, "TARGETOS", os)) < 0 ||
	    (rc = set_builtin(r, "TARGETOSVERSION", "")) < 0 ||
	    (rc = set_builtin(r, "TARGETARCH", arch)) < 0 ||
	    (rc = set_builtin(r, "TARGETVARIANT", variant)) < 0 ||
	    (rc = set_builtin(r, "TARGETSTAGE", target)) < 0)
		return rc;

	for (i = 0; i < r->n_meta_ins; i++)
		cap += atmo_dockerfile_get(g->df, r->meta_ins[i])->n_args;
	if (cap) {
		g->meta_args = atmo__arena_alloc(&g->arena, cap * sizeof(*g->meta_args));
		if (!g->meta_args)
			return atmo_graph__nomem(r);
	}
	for (i = 0; i < r->n_meta_ins; i++) {
		const atmo_instruction *ins = atmo_dockerfile_get(g->df, r->meta_ins[i]);
		if (!ins->n_args)
			return atmo_graph__fail(r, ATMO_EINVALID, ins->start_line, "ARG requires at least one argument");
		for (j = 0; j < ins->n_args; j++) {
			const char *a = ins->args[j];
			const char *eq = strchr(a, '=');
			const char *key, *value = NULL, *ov;
			size_t klen = eq ? (size_t)(eq - a) : strlen(a);
			if (!klen)
				return atmo_graph__fail(r, ATMO_EINVALID, ins->start_line, "ARG names can not be blank");
			key = atmo__arena_strndup(&g->arena, a, klen);
			if (!key)
				return atmo_graph__nomem(r);
			if (atmo__gmap_put(&r->meta_declared, key, klen, 1) < 0)
				return atmo_graph__nomem(r);
			ov = atmo_graph__build_arg(r, key, klen);
			if (ov)
				value = ov;
			else if (eq && (rc = atmo_graph__expand(r, &value, eq + 1, &g->meta, NULL,
						    ins->start_line)) < 0)
				return rc;
			if (!value)
				continue;
			if (atmo__genv_set(&g->meta, key, value, 0) < 0)
				return atmo_graph__nomem(r);
			g->meta_args[g->n_meta_args].name = key;
			g->meta_args[g->n_meta_args].value = value;
			g->meta_args[g->n_meta_args].is_env = 0;
			g->n_meta_args++;
		}
	}
	return 0;
}

static int report_undeclared(rctx *r, lookup_ctx *lc, int line)
{
	size_t i;
	int rc;
	for (i = 0; i < lc->n_miss; i++) {
		if (atmo__gmap_get(&r->meta_declared, lc->miss[i], strlen(lc->miss[i])) >= 0)
			continue;
		if ((rc = warn(r, "UndefinedArgInFrom", line, "FROM argument '%s' is not declared",
			       lc->miss[i])) < 0)
			return rc;
	}
	lc->n_miss = 0;
	return 0;
}

static int resolve_bases(rctx *r)
{
	atmo_graph *g = r->g;
	const char *miss[16];
	size_t s;
	int rc;

	for (s = 0; s < g->n_stages; s++) {
		atmo_stage *st = &g->stages[s];
		atmo__gstage *sx = &g->sx[s];
		const atmo_instruction *ins = atmo_dockerfile_get(g->df, st->first_instruction);
		const char *plat = atmo_graph__flag_value(ins, "platform");
		lookup_ctx lc = { &g->meta, r, miss, 0, 16, 0 };
		const char *base;
		int line = st->start_line, j, ci, node = -1;

		if ((rc = atmo_graph__expand(r, &base, sx->raw_base, &g->meta, &lc, line)) < 0)
			return rc;
		if ((rc = report_undeclared(r, &lc, line)) < 0)
			return rc;
		if (!*base)
			return atmo_graph__fail(r, ATMO_EINVALID, line, "base name (%s) should not be blank",
				    sx->raw_base);
		st->base = base;
		if (plat) {
			const char *p;
			if ((rc = atmo_graph__expand(r, &p, plat, &g->meta, &lc, line)) < 0)
				return rc;
			if ((rc = report_undeclared(r, &lc, line)) < 0)
				return rc;
			if (!*p)
				return atmo_graph__fail(r, ATMO_EINVALID, line,
					    "empty platform value from expression %s", plat);
			st->platform = p;
		}

		/* a named context of the stage's own name replaces the stage */
		if (st->name && (ci = atmo_graph__find_context(r, st->name)) >= 0) {
			if ((sx->replaced = atmo_graph__context_node(r, ci, line)) < 0)
				return sx->replaced;
			if ((rc = warn(r, "StageReplacedByContext", line,
				       "stage '%s' is replaced by the named context '%s=%s'",
				       st->name, r->ctx[ci].name, r->ctx[ci].value)) < 0)
				return rc;
		}

		/* BuildKit looks the expanded base up as written: "FROM Build" is an
		 * image (an invalid reference), not the stage "build" */
		j = atmo__gmap_get(&r->names, base, strlen(base));
		r->base_ctx[s] = NULL;
		if (j >= 0) {
			node = atmo_graph__stage_ref_node(r, (size_t)j);
			if (g->sx[j].replaced < 0)
				st->parent_stage = j;
			else
				r->base_ctx[s] = g->nodes[node].name;
		} else if (!strcmp(base, "scratch")) {
			node = atmo_graph__scratch_node(r, line);
		} else if ((ci = atmo_graph__find_context(r, base)) >= 0) {
			node = atmo_graph__context_node(r, ci, line);
			r->base_ctx[s] = r->ctx[ci].name;
		} else {
			node = atmo_graph__image_node(r, base, line);
		}
		if (node < 0)
			return node;
		r->base_node[s] = node;
		st->base_node = (size_t)node;
		st->replaced = sx->replaced >= 0;
		if (st->name && atmo__gmap_put(&r->names, st->name, strlen(st->name), (int)s) < 0)
			return atmo_graph__nomem(r);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* pass 3: edges                                                       */

#define UNREG_SCRATCH (-2) /* the implicit scratch of a mount without from= */

/* Resolve a --from / from= name: a stage (by name, any position, or index),
 * scratch, a named context or an image. *ctx_name set for contexts. */
static int resolve_ref(rctx *r, size_t s, const char *name, int allow_index, int line,
		       const char **ctx_name)
{
	atmo_graph *g = r->g;
	long idx;
	int j, ci, node;
	char *lower;
	*ctx_name = NULL;
	if (allow_index && parse_int(name, &idx)) {
		if (idx < 0 || (size_t)idx >= g->n_stages + r->n_unreg)
			return atmo_graph__fail(r, ATMO_EINVALID, line, "invalid stage index %ld", idx);
		if ((size_t)idx >= g->n_stages) {
			int u = r->unreg[(size_t)idx - g->n_stages];
			return u == UNREG_SCRATCH ? atmo_graph__scratch_node(r, line) : u;
		}
		j = (int)idx;
	} else {
		lower = atmo_graph__lower_dup(r, name);
		if (!lower)
			return atmo_graph__nomem(r);
		j = atmo__gmap_get(&r->names, lower, strlen(lower));
	}
	if (j >= 0) {
		node = atmo_graph__stage_ref_node(r, (size_t)j);
		if (g->sx[j].replaced >= 0)
			*ctx_name = g->nodes[node].name;
		return node;
	}
	if (!strcmp(name, "scratch"))
		return atmo_graph__scratch_node(r, line);
	if ((ci = atmo_graph__find_context(r, name)) >= 0) {
		*ctx_name = r->ctx[ci].name;
		return atmo_graph__context_node(r, ci, line);
	}
	return atmo_graph__image_node(r, name, line);
}

/* Count a reference that names no stage as BuildKit registers it (own
 * instructions only: BuildKit reads triggers after every stage). */
static int push_unreg(rctx *r, int node, int own)
{
	if (!own || (node >= 0 && (size_t)node < r->g->n_stages))
		return 0;
	if (r->n_unreg == r->cap_unreg) {
		size_t ncap = r->cap_unreg ? r->cap_unreg * 2 : 16;
		int *nu = realloc(r->unreg, ncap * sizeof(*nu));
		if (!nu)
			return atmo_graph__nomem(r);
		r->unreg = nu;
		r->cap_unreg = ncap;
	}
	r->unreg[r->n_unreg++] = node;
	return 0;
}

/* The edges one instruction (or an inherited ONBUILD trigger) makes for stage s. */
/* loc: the instruction as written (the ONBUILD for an inherited trigger), for columns */
static int instruction_edges(rctx *r, size_t s, const atmo_instruction *ins,
			     const atmo_instruction *loc, size_t ins_index, int line,
			     atmo_edge_kind copy_kind, atmo_edge_kind mount_kind)
{
	atmo_graph *g = r->g;
	const char *ctx_name;
	int node, rc;
	size_t f;

	if (!strcmp(ins->keyword, "copy")) {
		const char *from = atmo_graph__flag_value(ins, "from");
		char *x = NULL;
		atmo_error local;
		/* no --from, or an empty one: the build context */
		if (!from || !*from)
			return 0;
		r->col = atmo_graph__col_of(loc, "--from", 0);
		atmo_error_clear(&local);
		rc = atmo_shell_expand(&x, from, g->escape, NULL, NULL, &local);
		if (rc == ATMO_ENOMEM)
			return atmo_graph__nomem(r);
		if (rc < 0 || strcmp(x, from)) {
			free(x);
			return atmo_graph__fail(r, ATMO_EINVALID, line,
				    "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround");
		}
		free(x);
		if ((node = resolve_ref(r, s, from, 1, line, &ctx_name)) < 0)
			return node;
		r->col = 0;
		if ((rc = push_unreg(r, node, copy_kind == ATMO_EDGE_COPY)) < 0)
			return rc;
		return add_edge(r, node, s, copy_kind, ins_index, line, ctx_name, -1);
	}
	if (!strcmp(ins->keyword, "run")) {
		for (f = 0; f < ins->n_flags; f++) {
			const char *fl = ins->flags[f];
			mountinfo m;
			if (strncmp(fl, "--mount=", 8))
				continue;
			r->col = atmo_graph__col_of(loc, fl, 0);
			if (!r->col)
				r->col = atmo_graph__col_of(loc, "--mount", 0);
			if ((rc = atmo_graph__parse_mount(r, fl + 8, NULL, line, &m)) < 0)
				return rc;
			if (!m.from || !*m.from) {
				/* BuildKit looks a mount without from= up as "scratch"
				 * (even a tmpfs one: its stage graph has every mount) */
				int j = atmo__gmap_get(&r->names, "scratch", 7);
				if (j < 0 &&
				    (rc = push_unreg(r, UNREG_SCRATCH, mount_kind == ATMO_EDGE_MOUNT)) < 0)
					return rc;
				if (j >= 0) {
					if ((rc = add_edge(r, j, s, mount_kind, ins_index, line, NULL, (int)f)) < 0)
						return rc;
					r->edge_hidden[g->n_edges - 1] = 1;
				}
				continue;
			}
			/* BuildKit looks from= up by stage name only: "0" is an image */
			if ((node = resolve_ref(r, s, m.from, 0, line, &ctx_name)) < 0)
				return node;
			if ((rc = push_unreg(r, node, mount_kind == ATMO_EDGE_MOUNT)) < 0)
				return rc;
			if ((rc = add_edge(r, node, s, mount_kind, ins_index, line, ctx_name, (int)f)) < 0)
				return rc;
		}
		r->col = 0;
	}
	return 0;
}

static int check_onbuild(rctx *r, const atmo_instruction *ins)
{
	const atmo_instruction *in = ins->inner;
	if (!in)
		return atmo_graph__fail(r, ATMO_EINVALID, ins->start_line, "ONBUILD requires at least one argument");
	if (!strcmp(in->keyword, "onbuild"))
		return atmo_graph__fail(r, ATMO_EINVALID, ins->start_line,
			    "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
	if (!strcmp(in->keyword, "from"))
		return atmo_graph__fail(r, ATMO_EINVALID, ins->start_line, "FROM isn't allowed as an ONBUILD trigger");
	if (!strcmp(in->keyword, "maintainer"))
		return atmo_graph__fail(r, ATMO_EINVALID, ins->start_line,
			    "MAINTAINER isn't allowed as an ONBUILD trigger");
	/* the trigger's own flags are checked where a built stage inherits it */
	return 0;
}

/* the text of an ONBUILD trigger: "RUN ..." */
static const char *onbuild_text(rctx *r, const atmo_instruction *ins)
{
	const char *t = ins->inner && ins->inner->original ? ins->inner->original : NULL;
	const char *o = ins->original;
	(void)r;
	if (t && strncasecmp(t, "onbuild", 7))
		return t;
	/* strip the ONBUILD keyword from the whole instruction */
	if (o && !strncasecmp(o, "onbuild", 7)) {
		o += 7;
		while (*o == ' ' || *o == '\t')
			o++;
		return o;
	}
	return t ? t : (o ? o : "");
}

/* the ONBUILD instructions of a linked graph's target stage, in order */
const atmo_graph *atmo_graph__linked_graph(rctx *r, size_t s, const atmo_stage **lt)
{
	const atmo_graph *lg;
	if (!r->stage_link || r->stage_link[s] < 0)
		return NULL;
	lg = r->opts->links[r->stage_link[s]].graph;
	*lt = &lg->stages[lg->target];
	return lg;
}

/*
 * A stage FROM a named context linked to another graph (a bake target): the
 * ONBUILD triggers of that graph's target stage run first in this stage
 * (BuildKit: the image config's OnBuild). Their COPY --from / RUN --mount
 * from= resolve in this Dockerfile; the edges sit on the FROM line.
 */
static int linked_trigger_edges(rctx *r, size_t s)
{
	atmo_graph *g = r->g;
	atmo_stage *st = &g->stages[s];
	const atmo_stage *lt = NULL;
	const atmo_graph *lg;
	const atmo_instruction *from = atmo_dockerfile_get(g->df, st->first_instruction);
	const char **texts;
	const char *lid;
	size_t i, end, e0 = g->n_edges, k = 0;
	int rc;

	if (r->stage_link)
		r->stage_link[s] = -1;
	if (!r->opts || !r->opts->n_links || !r->base_ctx[s] || !r->stage_link)
		return 0;
	for (i = 0; i < r->opts->n_links; i++) {
		const atmo_graph_link *l = &r->opts->links[i];
		if (l->context && l->graph && l->graph->n_stages && !strcmp(l->context, r->base_ctx[s])) {
			r->stage_link[s] = (int)i;
			break;
		}
	}
	if (!(lg = atmo_graph__linked_graph(r, s, &lt)) || !lt->n_onbuild)
		return 0;
	lid = atmo__arena_strdup(&g->arena, lt->node_id);
	texts = atmo__arena_alloc(&g->arena, lt->n_onbuild * sizeof(*texts));
	if (!lid || !texts)
		return atmo_graph__nomem(r);
	for (i = 0; i < lt->n_onbuild; i++)
		if (!(texts[i] = atmo__arena_strdup(&g->arena, lt->onbuild[i])))
			return atmo_graph__nomem(r);
	st->onbuild_inherited = texts;
	st->n_onbuild_inherited = lt->n_onbuild;
	st->onbuild_from = lid;
	end = lt->first_instruction + lt->n_instructions;
	for (i = lt->first_instruction + 1; i < end; i++) {
		const atmo_instruction *ob = atmo_dockerfile_get(lg->df, i);
		if (strcmp(ob->keyword, "onbuild") || !ob->inner)
			continue;
		if ((rc = atmo_graph__check_flags(r, ob->inner, st->start_line)) < 0)
			return rc;
		r->cur_trig = (int)k++;
		rc = instruction_edges(r, s, ob->inner, from, st->first_instruction, st->start_line,
				       ATMO_EDGE_ONBUILD, ATMO_EDGE_ONBUILD);
		r->cur_trig = -1;
		if (rc < 0)
			return rc;
	}
	for (; e0 < g->n_edges; e0++)
		g->edges[e0].onbuild_from = lid;
	return 0;
}

int atmo_graph__build_edges(rctx *r)
{
	atmo_graph *g = r->g;
	size_t s, i;
	int rc;

	if (r->opts && r->opts->n_links) {
		if (!r->opts->links)
			return atmo_graph__fail(r, ATMO_EINVALID, 0, "atmo_graph_options: n_links without links");
		r->stage_link = malloc(g->n_stages * sizeof(*r->stage_link));
		if (!r->stage_link)
			return atmo_graph__nomem(r);
		for (s = 0; s < g->n_stages; s++)
			r->stage_link[s] = -1;
	}
	for (s = 0; s < g->n_stages; s++) {
		atmo_stage *st = &g->stages[s];
		atmo__gstage *sx = &g->sx[s];
		size_t end = st->first_instruction + st->n_instructions, nob = 0;

		sx->edge_begin = g->n_edges;
		/* ONBUILD triggers are recorded (and checked) even on replaced stages */
		for (i = st->first_instruction + 1; i < end; i++) {
			const atmo_instruction *ins = atmo_dockerfile_get(g->df, i);
			if ((rc = atmo_graph__check_flags(r, ins, ins->start_line)) < 0)
				return rc;
			if (!strcmp(ins->keyword, "onbuild")) {
				if ((rc = check_onbuild(r, ins)) < 0)
					return rc;
				nob++;
			}
		}
		if (nob) {
			const char **ob = atmo__arena_alloc(&g->arena, nob * sizeof(*ob));
			if (!ob)
				return atmo_graph__nomem(r);
			for (i = st->first_instruction + 1; i < end; i++) {
				const atmo_instruction *ins = atmo_dockerfile_get(g->df, i);
				if (!strcmp(ins->keyword, "onbuild"))
					ob[st->n_onbuild++] = onbuild_text(r, ins);
			}
			st->onbuild = ob;
		}
		if (sx->replaced >= 0) {
			sx->edge_end = g->n_edges;
			continue;
		}
		if ((rc = add_edge(r, r->base_node[s], s, ATMO_EDGE_BASE, st->first_instruction,
				   st->start_line, r->base_ctx[s], -1)) < 0)
			return rc;
		if (st->parent_stage >= 0) {
			const atmo_stage *p = &g->stages[st->parent_stage];
			size_t pend = p->first_instruction + p->n_instructions, e0 = g->n_edges;
			st->onbuild_inherited = p->onbuild;
			st->n_onbuild_inherited = p->n_onbuild;
			st->onbuild_from = p->n_onbuild ? p->node_id : NULL;
			for (i = p->first_instruction + 1; i < pend; i++) {
				const atmo_instruction *ins = atmo_dockerfile_get(g->df, i);
				if (strcmp(ins->keyword, "onbuild") || !ins->inner)
					continue;
				if ((rc = instruction_edges(r, s, ins->inner, ins, i, ins->start_line,
							    ATMO_EDGE_ONBUILD, ATMO_EDGE_ONBUILD)) < 0)
					return rc;
			}
			for (; e0 < g->n_edges; e0++)
				g->edges[e0].onbuild_from = p->node_id;
		} else if ((rc = linked_trigger_edges(r, s)) < 0) {
			return rc;
		}
		for (i = st->first_instruction + 1; i < end; i++) {
			const atmo_instruction *ins = atmo_dockerfile_get(g->df, i);
			if ((rc = instruction_edges(r, s, ins, ins, i, ins->start_line, ATMO_EDGE_COPY,
						    ATMO_EDGE_MOUNT)) < 0)
				return rc;
		}
		sx->edge_end = g->n_edges;
	}
	return 0;
}

static int cycle_edge(const atmo_graph_edge *e)
{
	return e->kind == ATMO_EDGE_COPY || e->kind == ATMO_EDGE_MOUNT;
}

/*
 * A cycle found from the root stk[0] back to v: reported as BuildKit's
 * validateCircularDependency does, naming the root, located at the root's
 * command that leads into it (the last one naming that stage: BuildKit keeps
 * one command per dependency).
 */
static int report_cycle(rctx *r, const size_t *stk, size_t top, size_t v)
{
	atmo_graph *g = r->g;
	size_t root = stk[0], next = top > 1 ? stk[1] : v, k, e, len = 0, off = 0;
	const atmo_graph_edge *at = NULL;
	char b[32], *msg;
	int rc;
	for (e = g->sx[root].edge_begin; e < g->sx[root].edge_end; e++)
		if (g->edges[e].from == next && cycle_edge(&g->edges[e]))
			at = &g->edges[e];
	for (k = 0; k < top; k++)
		len += strlen(stage_display(&g->stages[stk[k]], b, sizeof(b))) + 4;
	len += strlen(stage_display(&g->stages[v], b, sizeof(b))) + 1;
	msg = malloc(len);
	if (!msg)
		return atmo_graph__nomem(r);
	for (k = 0; k < top; k++)
		off += (size_t)sprintf(msg + off, "%s -> ",
				       stage_display(&g->stages[stk[k]], b, sizeof(b)));
	sprintf(msg + off, "%s", stage_display(&g->stages[v], b, sizeof(b)));
	r->col = at ? atmo_graph__col_of(atmo_dockerfile_get(g->df, at->instruction),
			     at->kind == ATMO_EDGE_COPY ? "--from" : "from=", 0) : 0;
	rc = atmo_graph__fail(r, ATMO_EINVALID, at ? at->line : g->stages[root].start_line,
		  "circular dependency detected on stage: %s (%s)",
		  stage_display(&g->stages[root], b, sizeof(b)), msg);
	free(msg);
	return rc;
}

/* Iterative DFS over stage -> dependency edges; a back edge is a cycle. */
int atmo_graph__check_cycles(rctx *r)
{
	atmo_graph *g = r->g;
	size_t n = g->n_stages, s;
	unsigned char *color = calloc(n, 1);
	size_t *stk = malloc(n * sizeof(*stk));
	size_t *pos = malloc(n * sizeof(*pos));   /* next edge to look at, per frame */
	size_t *cur = malloc(n * sizeof(*cur));   /* edge followed from each frame */
	size_t *depth = malloc(n * sizeof(*depth));
	int rc = 0;

	if (!color || !stk || !pos || !cur || !depth) {
		rc = atmo_graph__nomem(r);
		goto done;
	}
	for (s = 0; s < n && !rc; s++) {
		size_t top = 0;
		if (color[s])
			continue;
		stk[0] = s;
		pos[0] = g->sx[s].edge_begin;
		color[s] = 1;
		depth[s] = 0;
		top = 1;
		while (top) {
			size_t u = stk[top - 1];
			size_t *p = &pos[top - 1];
			size_t end = g->sx[u].edge_end;
			/* BuildKit's dependencies: COPY --from and mounts, not the
			 * FROM base and not ONBUILD triggers (built stages get its
			 * "defined before" error for those instead) */
			while (*p < end && (g->edges[*p].from >= n || !cycle_edge(&g->edges[*p])))
				(*p)++;
			if (*p >= end) {
				color[u] = 2;
				top--;
				continue;
			}
			{
				size_t e = (*p)++;
				size_t v = g->edges[e].from;
				cur[top - 1] = e;
				if (color[v] == 1) {
					rc = report_cycle(r, stk, top, v);
					break;
				}
				if (color[v] == 0) {
					color[v] = 1;
					depth[v] = top;
					stk[top] = v;
					pos[top] = g->sx[v].edge_begin;
					top++;
				}
			}
		}
	}
done:
	free(color);
	free(stk);
	free(pos);
	free(cur);
	free(depth);
	return rc;
}

int atmo_graph__resolve_target(rctx *r)
{
	atmo_graph *g = r->g;
	const char *t = r->opts ? r->opts->target : NULL;
	char *lower;
	long idx;
	int j;
	size_t s, len = 0;
	char *list, *p;

	if (!t || !*t) {
		g->target = g->n_stages - 1;
		return 0;
	}
	lower = atmo_graph__lower_dup(r, t);
	if (!lower)
		return atmo_graph__nomem(r);
	j = atmo__gmap_get(&r->names, lower, strlen(lower));
	if (j >= 0) {
		g->target = (size_t)j;
		return 0;
	}
	if (parse_int(t, &idx) && idx >= 0 && (size_t)idx < g->n_stages) {
		g->target = (size_t)idx;
		return 0;
	}
	for (s = 0; s < g->n_stages && len < 400; s++)
		if (g->stages[s].name)
			len += strlen(g->stages[s].name) + 2;
	list = malloc(len + 1);
	if (!list)
		return atmo_graph__nomem(r);
	p = list;
	*p = '\0';
	for (s = 0; s < g->n_stages && (size_t)(p - list) < 400; s++) {
		if (!g->stages[s].name)
			continue;
		p += sprintf(p, "%s%s", p == list ? "" : ", ", g->stages[s].name);
	}
	atmo__error_set(r->err, ATMO_ENOTFOUND, g->source, 0, 0,
			"target stage \"%s\" could not be found (stages: %s%sor an index 0..%zu)",
			t, list, *list ? "; " : "", g->n_stages - 1);
	free(list);
	return ATMO_ENOTFOUND;
}

/* used, in_final, build_only, is_target; then the build order */
int atmo_graph__reachability(rctx *r)
{
	atmo_graph *g = r->g;
	size_t n = g->n_stages, s, e, top = 0, head = 0;
	size_t *queue = malloc(n * sizeof(*queue));
	size_t *indeg = calloc(n, sizeof(*indeg));
	size_t *first = calloc(n + 1, sizeof(*first));
	size_t *adj = NULL, *fill = NULL, *heap = NULL;
	int rc = 0, t;

	if (!queue || !indeg || !first) {
		rc = atmo_graph__nomem(r);
		goto done;
	}
	/* BFS from the target over dependencies */
	g->stages[g->target].used = 1;
	g->nodes[g->target].used = 1;
	queue[top++] = g->target;
	while (head < top) {
		size_t u = queue[head++];
		for (e = g->sx[u].edge_begin; e < g->sx[u].edge_end; e++) {
			size_t v = g->edges[e].from;
			if (g->nodes[v].used)
				continue;
			g->nodes[v].used = 1;
			if (v < n) {
				g->stages[v].used = 1;
				queue[top++] = v;
			}
		}
	}
	/* the target's FROM chain: its layers are in the final image */
	for (t = (int)g->target; t >= 0; t = g->stages[t].parent_stage)
		g->stages[t].in_final = 1;
	g->stages[g->target].is_target = 1;
	for (s = 0; s < n; s++)
		g->stages[s].build_only = g->stages[s].used && !g->stages[s].in_final;

	/* Kahn's algorithm over used stages, smallest index first */
	for (s = 0; s < n; s++) {
		if (!g->stages[s].used)
			continue;
		for (e = g->sx[s].edge_begin; e < g->sx[s].edge_end; e++) {
			size_t v = g->edges[e].from;
			if (v < n && v != s) {
				indeg[s]++;
				first[v + 1]++;
			}
		}
	}
	for (s = 0; s < n; s++)
		first[s + 1] += first[s];
	adj = malloc((first[n] ? first[n] : 1) * sizeof(*adj));
	fill = malloc(n * sizeof(*fill));
	heap = malloc(n * sizeof(*heap));
	g->order = malloc(n * sizeof(*g->order));
	if (!adj || !fill || !heap || !g->order) {
		rc = atmo_graph__nomem(r);
		goto done;
	}
	memcpy(fill, first, n * sizeof(*fill));
	for (s = 0; s < n; s++) {
		if (!g->stages[s].used)
			continue;
		for (e = g->sx[s].edge_begin; e < g->sx[s].edge_end; e++) {
			size_t v = g->edges[e].from;
			if (v < n && v != s)
				adj[fill[v]++] = s;
		}
	}
	top = 0;
	for (s = 0; s < n; s++) {
		if (g->stages[s].used && !indeg[s]) {
			/* pushed in increasing order: already a heap */
			heap[top++] = s;
		}
	}
	g->n_order = 0;
	while (top) {
		size_t u = heap[0], i, k;
		heap[0] = heap[--top];
		for (i = 0;;) {
			size_t l = 2 * i + 1, m = i;
			if (l < top && heap[l] < heap[m])
				m = l;
			if (l + 1 < top && heap[l + 1] < heap[m])
				m = l + 1;
			if (m == i)
				break;
			k = heap[i];
			heap[i] = heap[m];
			heap[m] = k;
			i = m;
		}
		g->order[g->n_order++] = u;
		for (k = first[u]; k < first[u + 1]; k++) {
			size_t v = adj[k];
			if (--indeg[v] == 0) {
				size_t c = top++;
				heap[c] = v;
				while (c && heap[(c - 1) / 2] > heap[c]) {
					size_t pnt = (c - 1) / 2, tmp = heap[pnt];
					heap[pnt] = heap[c];
					heap[c] = tmp;
					c = pnt;
				}
			}
		}
	}
done:
	free(queue);
	free(indeg);
	free(first);
	free(adj);
	free(fill);
	free(heap);
	return rc;
}

/* One image reference checked as BuildKit does before resolving it. */
static int check_reference(rctx *r, const char *ref, int line)
{
	char why[512];
	int rc = atmo__reference_check(ref, why, sizeof(why));
	if (rc == ATMO_ENOMEM)
		return atmo_graph__nomem(r);
	if (rc < 0)
		return atmo_graph__fail(r, ATMO_EINVALID, line, "failed to parse stage name \"%s\": %s", ref, why);
	return 0;
}

/* BuildKit parses the ONBUILD triggers a built stage inherits from its base
 * stage (resolveStages) before it looks at the images they name. */
static int check_inherited_triggers(rctx *r)
{
	atmo_graph *g = r->g;
	size_t s, i;
	int rc;
	for (s = 0; s < g->n_stages; s++) {
		const atmo_stage *st = &g->stages[s], *p;
		if (!st->used || st->parent_stage < 0 || g->sx[s].replaced >= 0)
			continue;
		p = &g->stages[st->parent_stage];
		for (i = p->first_instruction + 1; i < p->first_instruction + p->n_instructions; i++) {
			const atmo_instruction *ob = atmo_dockerfile_get(g->df, i);
			if (strcmp(ob->keyword, "onbuild") || !ob->inner)
				continue;
			if ((rc = atmo_dockerfile_validate_trigger(g->df, ob->inner, st->start_line,
								   r->err)) < 0)
				return rc;
		}
	}
	return 0;
}

/* The images a build would resolve, in BuildKit's order: every FROM image,
 * then the images of COPY --from and RUN --mount from= (of every stage),
 * then those of the ONBUILD triggers of the stages that are built. */
int atmo_graph__check_references(rctx *r)
{
	atmo_graph *g = r->g;
	size_t s, e;
	int rc, pass;
	for (s = 0; s < g->n_stages; s++) {
		const atmo_graph_node *n = &g->nodes[r->base_node[s]];
		r->col = atmo_graph__col_of(atmo_dockerfile_get(g->df, g->stages[s].first_instruction),
				g->sx[s].raw_base, 0);
		if (n->kind == ATMO_NODE_IMAGE && g->sx[s].replaced < 0 &&
		    (rc = check_reference(r, g->stages[s].base, g->stages[s].start_line)) < 0)
			return rc;
	}
	for (pass = 0; pass < 2; pass++) {
		if (pass && (rc = check_inherited_triggers(r)) < 0)
			return rc;
		for (e = 0; e < g->n_edges; e++) {
			const atmo_graph_edge *ed = &g->edges[e];
			const atmo_graph_node *n = &g->nodes[ed->from];
			if (ed->kind == ATMO_EDGE_BASE || n->kind != ATMO_NODE_IMAGE ||
			    (ed->kind == ATMO_EDGE_ONBUILD) != pass)
				continue;
			if (pass && !g->stages[ed->to].used)
				continue;
			r->col = 0;
			if ((rc = check_reference(r, n->ref, ed->line)) < 0)
				return rc;
		}
	}
	r->col = 0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* pass 4: scopes and edge details                                     */

static int apply_arg(rctx *r, atmo__genv *env, const atmo_instruction *ins, int line, int strict)
{
	atmo_graph *g = r->g;
	size_t j;
	int rc;
	if (!ins->n_args)
		return strict ? atmo_graph__fail(r, ATMO_EINVALID, line, "ARG requires at least one argument") : 0;
	for (j = 0; j < ins->n_args; j++) {
		const char *a = ins->args[j];
		const char *eq = strchr(a, '=');
		size_t klen = eq ? (size_t)(eq - a) : strlen(a);
		const char *key, *value = NULL, *ov;
		if (!klen) {
			if (strict)
				return atmo_graph__fail(r, ATMO_EINVALID, line, "ARG names can not be blank");
			continue;
		}
		key = atmo__arena_strndup(&g->arena, a, klen);
		if (!key)
			return atmo_graph__nomem(r);
		ov = atmo_graph__build_arg(r, key, klen);
		if (ov) {
			value = ov;
		} else if (eq) {
			rc = atmo_graph__expand(r, &value, eq + 1, env, NULL, line);
			if (rc == ATMO_ENOMEM || (rc < 0 && strict))
				return rc;
			if (rc < 0) {
				atmo_error_clear(r->err);
				continue;
			}
		} else {
			/* `ARG name` inside a stage picks the meta ARG's value */
			value = atmo__genv_get(&g->meta, key, klen);
		}
		if (value && atmo__genv_set(env, key, value, 0) < 0)
			return atmo_graph__nomem(r);
	}
	return 0;
}

/* ENV arguments come as BuildKit's parser lists them: KEY, VALUE, SEPARATOR ("=" or "") */
static int apply_env(rctx *r, atmo__genv *env, const atmo_instruction *ins, int line, int strict)
{
	atmo_graph *g = r->g;
	size_t j, n = ins->n_args / 3;
	const char **kv;
	int rc;
	if (!n)
		return strict ? atmo_graph__fail(r, ATMO_EINVALID, line, "ENV requires at least one argument") : 0;
	kv = atmo__arena_alloc(&g->arena, 2 * n * sizeof(*kv));
	if (!kv)
		return atmo_graph__nomem(r);
	/* every pair is expanded with the scope before the instruction */
	for (j = 0; j < 2 * n; j++) {
		rc = atmo_graph__expand(r, &kv[j], ins->args[3 * (j / 2) + j % 2], env, NULL, line);
		if (rc == ATMO_ENOMEM || (rc < 0 && strict))
			return rc;
		if (rc < 0) {
			atmo_error_clear(r->err);
			kv[j] = NULL;
		}
	}
	for (j = 0; j < n; j++) {
		if (!kv[2 * j] || !kv[2 * j + 1] || !*kv[2 * j])
			continue;
		if (atmo__genv_set(env, kv[2 * j], kv[2 * j + 1], 1) < 0)
			return atmo_graph__nomem(r);
	}
	return 0;
}

static int copy_details(rctx *r, atmo_graph_edge *e, const atmo__genv *env,
			const atmo_instruction *ins, int line, int strict)
{
	atmo_graph *g = r->g;
	size_t j, h = 0, ns;
	const char **src;
	int rc;
	if (ins->n_args < 2)
		return strict ? atmo_graph__fail(r, ATMO_EINVALID, line,
				     "COPY requires at least two arguments, but only one was provided. Destination could not be determined")
			      : 0;
	ns = ins->n_args - 1;
	src = atmo__arena_alloc(&g->arena, ns * sizeof(*src));
	if (!src)
		return atmo_graph__nomem(r);
	for (j = 0; j < ns; j++) {
		const char *a = ins->args[j];
		if (ins->n_heredocs && !strncmp(a, "<<", 2) && h < ins->n_heredocs) {
			src[j] = ins->heredocs[h++].name;
			continue;
		}
		rc = atmo_graph__expand(r, &src[j], a, env, NULL, line);
		if (rc == ATMO_ENOMEM || (rc < 0 && strict))
			return rc;
		if (rc < 0) {
			atmo_error_clear(r->err);
			src[j] = a;
		}
	}
	e->sources = src;
	e->n_sources = ns;
	rc = atmo_graph__expand(r, &e->dest, ins->args[ns], env, NULL, line);
	if (rc == ATMO_ENOMEM || (rc < 0 && strict))
		return rc;
	if (rc < 0) {
		atmo_error_clear(r->err);
		e->dest = ins->args[ns];
	}
	return 0;
}

static int mount_details(rctx *r, atmo_graph_edge *e, const atmo__genv *env,
			 const atmo_instruction *ins, int flag, int line, int strict)
{
	mountinfo m;
	int rc;
	if (flag < 0 || (size_t)flag >= ins->n_flags)
		return 0;
	rc = atmo_graph__parse_mount(r, ins->flags[flag] + 8, env, line, &m);
	if (rc == ATMO_ENOMEM || (rc < 0 && strict))
		return rc;
	if (rc < 0) {
		atmo_error_clear(r->err);
		return 0;
	}
	e->mount_type = m.type;
	e->mount_id = m.id;
	e->dest = m.target;
	if (m.source) {
		const char **src = atmo__arena_alloc(&r->g->arena, sizeof(*src));
		if (!src)
			return atmo_graph__nomem(r);
		src[0] = m.source;
		e->sources = src;
		e->n_sources = 1;
	}
	return 0;
}

/* One word expanded only for its errors (BuildKit's dispatch expands it). */
static int expand_only(rctx *r, const char *word, const atmo__genv *env, int line)
{
	const char *x;
	return word ? atmo_graph__expand(r, &x, word, env, NULL, line) : 0;
}

/* The words BuildKit expands when it builds an instruction (the commands with
 * SupportsSingleWordExpansion, in its order), for their errors: unterminated
 * quotes, ${v:?msg}, bad substitutions. Heredoc bodies with expansion too. */
static int expansion_errors(rctx *r, const atmo_instruction *ins, const atmo__genv *env,
			    int line)
{
	const char *k = ins->keyword;
	size_t i, h = 0;
	int rc, cp = !strcmp(k, "copy"), add = !strcmp(k, "add");
	if (!strcmp(k, "workdir") || !strcmp(k, "user") || !strcmp(k, "stopsignal"))
		return ins->n_args ? expand_only(r, ins->args[0], env, line) : 0;
	if (!strcmp(k, "volume")) {
		for (i = 0; i < ins->n_args; i++)
			if ((rc = expand_only(r, ins->args[i], env, line)) < 0)
				return rc;
		return 0;
	}
	if (!strcmp(k, "label")) {
		for (i = 0; i + 2 < ins->n_args; i += 3)
			if ((rc = expand_only(r, ins->args[i], env, line)) < 0 ||
			    (rc = expand_only(r, ins->args[i + 1], env, line)) < 0)
				return rc;
		return 0;
	}
	if (!(cp || add) || ins->n_args < 2)
		return 0;
	if ((rc = expand_only(r, atmo_graph__flag_value(ins, "chown"), env, line)) < 0 ||
	    (rc = expand_only(r, atmo_graph__flag_value(ins, "chmod"), env, line)) < 0 ||
	    (add && (rc = expand_only(r, atmo_graph__flag_value(ins, "checksum"), env, line)) < 0))
		return rc;
	for (i = 0; i < ins->n_args; i++) {
		if (i + 1 < ins->n_args && ins->n_heredocs && !strncmp(ins->args[i], "<<", 2) &&
		    h < ins->n_heredocs) {
			h++;
			continue;
		}
		if ((rc = expand_only(r, ins->args[i], env, line)) < 0)
			return rc;
	}
	for (h = 0; h < ins->n_heredocs; h++) {
		lookup_ctx lc = { env, r, NULL, 0, 0, 0 };
		atmo_error local;
		char *x = NULL;
		if (!ins->heredocs[h].expand || !ins->heredocs[h].content)
			continue;
		atmo_error_clear(&local);
		rc = atmo_shell_expand_heredoc(&x, ins->heredocs[h].content, atmo_graph__lookup_cb, &lc, &local);
		free(x);
		if (rc == ATMO_ENOMEM)
			return atmo_graph__nomem(r);
		if (rc < 0)
			return atmo_graph__fail(r, rc, line, "%s", local.text[0] ? local.text : "bad substitution");
	}
	return 0;
}

/* BuildKit builds stages in order: a COPY --from or a mount of a stage that
 * is not built yet (defined later, or the stage itself) is an error. */
static int check_defined_before(rctx *r, size_t s, const atmo_graph_edge *e,
				const atmo_instruction *ins, int line)
{
	atmo_graph *g = r->g;
	char b[32];
	const char *cur = g->stages[s].name ? g->stages[s].name : b;
	int hidden = r->edge_hidden[e - g->edges];
	if (e->from >= g->n_stages || e->from < s)
		return 0;
	/* a mount without from= waits for a stage named scratch only as a cache */
	if (hidden && (!e->mount_type || strcmp(e->mount_type, "cache")))
		return 0;
	if (!g->stages[s].name)
		snprintf(b, sizeof(b), "stage-%zu", s);
	r->col = 0;
	if (!strcmp(ins->keyword, "copy"))
		return atmo_graph__fail(r, ATMO_EINVALID, line,
			    "cannot copy from stage \"%s\", it needs to be defined before current stage \"%s\"",
			    atmo_graph__flag_value(ins, "from"), cur);
	return atmo_graph__fail(r, ATMO_EINVALID, line,
		    "cannot mount from stage \"%s\" to \"%s\", stage needs to be defined before current command",
		    !hidden && g->stages[e->from].name ? g->stages[e->from].name : "",
		    e->dest ? e->dest : "");
}

/* The edges of instruction ins_index (inherited trigger or own instruction) get
 * their details; also checks every --mount of a RUN in a built stage. */
static int details_for(rctx *r, size_t s, size_t *ec, const atmo__genv *env,
		       const atmo_instruction *ins, size_t ins_index, int trig, int line, int strict)
{
	atmo_graph *g = r->g;
	atmo__gstage *sx = &g->sx[s];
	int rc;
	if (strict && !strcmp(ins->keyword, "run")) {
		size_t f;
		for (f = 0; f < ins->n_flags; f++) {
			mountinfo m;
			if (strncmp(ins->flags[f], "--mount=", 8))
				continue;
			r->col = atmo_graph__col_of(ins, ins->flags[f], 0);
			if ((rc = atmo_graph__parse_mount(r, ins->flags[f] + 8, env, line, &m)) < 0)
				return rc;
		}
		r->col = 0;
	}
	while (*ec < sx->edge_end && g->edges[*ec].instruction == ins_index &&
	       r->edge_trig[*ec] == trig) {
		atmo_graph_edge *e = &g->edges[*ec];
		if (e->kind != ATMO_EDGE_BASE) {
			if (!strcmp(ins->keyword, "copy"))
				rc = copy_details(r, e, env, ins, line, strict);
			else
				rc = mount_details(r, e, env, ins, r->edge_aux[*ec], line, strict);
			if (rc < 0)
				return rc;
			if (strict && (rc = check_defined_before(r, s, e, ins, line)) < 0)
				return rc;
		}
		(*ec)++;
	}
	return 0;
}

/* A stage FROM a linked target: the target stage's ENV, then its ONBUILD triggers. */
static int linked_scope(rctx *r, size_t s, size_t *ec, int strict)
{
	atmo_graph *g = r->g;
	atmo__gstage *sx = &g->sx[s];
	const atmo_stage *st = &g->stages[s], *lt = NULL;
	const atmo_graph *lg = atmo_graph__linked_graph(r, s, &lt);
	const atmo__genv *le;
	size_t i, end;
	int rc = 0, k = 0;

	if (!lg)
		return 0;
	le = &lg->sx[lg->target].env;
	for (i = 0; i < le->n; i++) {
		const char *name, *value;
		if (!le->v[i].is_env)
			continue;
		name = atmo__arena_strdup(&g->arena, le->v[i].name);
		value = atmo__arena_strdup(&g->arena, le->v[i].value);
		if (!name || !value || atmo__genv_set(&sx->env, name, value, 1) < 0)
			return atmo_graph__nomem(r);
	}
	end = lt->first_instruction + lt->n_instructions;
	for (i = lt->first_instruction + 1; i < end; i++) {
		const atmo_instruction *ob = atmo_dockerfile_get(lg->df, i);
		const atmo_instruction *in = ob->inner;
		if (strcmp(ob->keyword, "onbuild") || !in)
			continue;
		r->col = 0;
		if (!strcmp(in->keyword, "arg"))
			rc = apply_arg(r, &sx->env, in, st->start_line, strict);
		else if (!strcmp(in->keyword, "env"))
			rc = apply_env(r, &sx->env, in, st->start_line, strict);
		else
			rc = details_for(r, s, ec, &sx->env, in, st->first_instruction, k, st->start_line,
					 strict);
		k++;
		if (rc == ATMO_ENOMEM)
			return atmo_graph__nomem(r);
		if (rc < 0 && strict)
			return rc;
		if (rc < 0)
			atmo_error_clear(r->err);
	}
	return 0;
}

/* A valid but unused file must not fail: errors in stages that are not built are dropped. */
int atmo_graph__scopes(rctx *r)
{
	atmo_graph *g = r->g;
	size_t s, i;
	int rc;
	atmo_error scratch_err;

	for (s = 0; s < g->n_stages; s++) {
		atmo_stage *st = &g->stages[s];
		atmo__gstage *sx = &g->sx[s];
		size_t end = st->first_instruction + st->n_instructions;
		size_t ec = sx->edge_begin;
		int strict = st->used && sx->replaced < 0;
		atmo_error *saved = r->err;

		/* errors of unbuilt stages go to a scratch error that is then dropped */
		if (!strict) {
			atmo_error_clear(&scratch_err);
			r->err = &scratch_err;
		}
		if (st->parent_stage >= 0) {
			const atmo_stage *p = &g->stages[st->parent_stage];
			size_t pend = p->first_instruction + p->n_instructions;
			if ((rc = atmo__genv_copy(&sx->env, &g->sx[st->parent_stage].env)) < 0) {
				r->err = saved;
				return atmo_graph__nomem(r);
			}
			/* skip the base edge */
			if (ec < sx->edge_end && g->edges[ec].kind == ATMO_EDGE_BASE)
				ec++;
			/* the parent's ONBUILD triggers run first in this stage */
			for (i = p->first_instruction + 1; i < pend; i++) {
				const atmo_instruction *ob = atmo_dockerfile_get(g->df, i);
				const atmo_instruction *in = ob->inner;
				if (strcmp(ob->keyword, "onbuild") || !in)
					continue;
				/* BuildKit parses an inherited trigger at the child's FROM */
				if (strict && (rc = atmo_graph__check_flags(r, in, st->start_line)) < 0) {
					r->err = saved;
					return rc;
				}
				/* located at this stage's FROM, where BuildKit runs them */
				if (!strcmp(in->keyword, "arg"))
					rc = apply_arg(r, &sx->env, in, st->start_line, strict);
				else if (!strcmp(in->keyword, "env"))
					rc = apply_env(r, &sx->env, in, st->start_line, strict);
				else if (!strict || (rc = expansion_errors(r, in, &sx->env, st->start_line)) == 0)
					rc = details_for(r, s, &ec, &sx->env, in, i, -1, st->start_line, strict);
				if (rc == ATMO_ENOMEM || (rc < 0 && strict)) {
					r->err = saved;
					return rc == ATMO_ENOMEM ? atmo_graph__nomem(r) : rc;
				}
			}
		} else {
			if (ec < sx->edge_end && g->edges[ec].kind == ATMO_EDGE_BASE)
				ec++;
			if ((rc = linked_scope(r, s, &ec, strict)) < 0) {
				r->err = saved;
				return rc;
			}
		}
		for (i = st->first_instruction + 1; i < end; i++) {
			const atmo_instruction *ins = atmo_dockerfile_get(g->df, i);
			r->col = 0;
			if (!strcmp(ins->keyword, "arg"))
				rc = apply_arg(r, &sx->env, ins, ins->start_line, strict);
			else if (!strcmp(ins->keyword, "env"))
				rc = apply_env(r, &sx->env, ins, ins->start_line, strict);
			else if (strict && (rc = expansion_errors(r, ins, &sx->env, ins->start_line)) < 0)
				;
			else
				rc = details_for(r, s, &ec, &sx->env, ins, i, -1, ins->start_line, strict);
			if (rc == ATMO_ENOMEM || (rc < 0 && strict)) {
				r->err = saved;
				return rc == ATMO_ENOMEM ? atmo_graph__nomem(r) : rc;
			}
			if (rc < 0)
				atmo_error_clear(r->err);
		}
		r->err = saved;
	}
	return 0;
}

/* The implicit dependencies on a stage named scratch leave the graph once
 * they have counted (edges stay grouped by stage). */
void atmo_graph__drop_hidden_edges(rctx *r)
{
	atmo_graph *g = r->g;
	size_t s, e, k = 0;
	for (s = 0; s < g->n_stages; s++) {
		atmo__gstage *sx = &g->sx[s];
		size_t begin = k;
		for (e = sx->edge_begin; e < sx->edge_end; e++)
			if (!r->edge_hidden[e])
				g->edges[k++] = g->edges[e];
		sx->edge_begin = begin;
		sx->edge_end = k;
	}
	g->n_edges = k;
}

/* ------------------------------------------------------------------ */
/* public                                                              */

static void rctx_free(rctx *r)
{
	atmo__gmap_free(&r->build_args);
	free(r->ba_val);
	free(r->ctx);
	atmo__gmap_free(&r->ctx_map);
	atmo__gmap_free(&r->names);
	atmo__gmap_free(&r->images);
	atmo__gmap_free(&r->anchors);
	atmo__gmap_free(&r->meta_declared);
	free(r->meta_ins);
	free(r->base_node);
	free(r->base_ctx);
	free(r->edge_aux);
	free(r->edge_trig);
	free(r->edge_hidden);
	free(r->stage_link);
	free(r->unreg);
}

int atmo_graph_build(atmo_graph **out, const atmo_dockerfile *df,
		     const atmo_graph_options *opts, atmo_error *err)
{
	atmo_graph *g = NULL;
	rctx r;
	atmo_error local;
	int rc;

	atmo_error_clear(err);
	if (!out || !df)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_graph_build: out and df must not be NULL");
	*out = NULL;
	if (opts && opts->version != ATMO_GRAPH_OPTIONS_VERSION)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_graph_options version %u is not supported (expected %d)",
				       opts->version, ATMO_GRAPH_OPTIONS_VERSION);
	memset(&r, 0, sizeof(r));
	atmo_error_clear(&local);
	r.err = &local;
	r.opts = opts;
	r.scratch_node = -1;
	r.cur_trig = -1;

	g = calloc(1, sizeof(*g));
	if (!g) {
		rc = atmo__error_nomem(&local);
		goto done;
	}
	r.g = g;
	g->df = df;
	g->escape = atmo_dockerfile_escape(df);
	g->image_id = atmo__arena_strdup(&g->arena, opts && opts->image_id && *opts->image_id
					      ? opts->image_id : "dockerfile");
	g->source = atmo__arena_strdup(&g->arena, opts && opts->source ? opts->source
					    : atmo_dockerfile_source(df) ? atmo_dockerfile_source(df)
					    : "Dockerfile");
	if (!g->image_id || !g->source) {
		rc = atmo_graph__nomem(&r);
		goto done;
	}
	/* BuildKit's instruction layer checks (flags, argument counts, ONBUILD)
	 * come before any resolving */
	if ((rc = atmo_dockerfile_validate(df, &local)) < 0)
		goto done;
	if ((rc = load_options(&r)) < 0 ||
	    (rc = split_stages(&r)) < 0 ||
	    (rc = atmo__lint_rules(df, lint_emit, &r)) < 0 ||
	    (rc = meta_args(&r)) < 0 ||
	    (rc = resolve_bases(&r)) < 0 ||
	    (rc = atmo_graph__build_edges(&r)) < 0 ||
	    (rc = atmo_graph__check_cycles(&r)) < 0 ||
	    (rc = atmo_graph__resolve_target(&r)) < 0 ||
	    (rc = atmo_graph__reachability(&r)) < 0 ||
	    (rc = atmo_graph__check_references(&r)) < 0 ||
	    (rc = atmo_graph__scopes(&r)) < 0)
		goto done;
	atmo_graph__drop_hidden_edges(&r);
	*out = g;
	g = NULL;
done:
	if (rc < 0 && err && !err->code)
		*err = local;
	rctx_free(&r);
	atmo_graph_free(g);
	return rc < 0 ? rc : 0;
}

void atmo_graph_free(atmo_graph *g)
{
	size_t s;
	if (!g)
		return;
	if (g->sx)
		for (s = 0; s < g->n_stages; s++)
			atmo__genv_free(&g->sx[s].env);
	free(g->stages);
	free(g->sx);
	free(g->nodes);
	free(g->edges);
	free(g->warnings);
	free(g->warning_codes);
	free(g->order);
	atmo__genv_free(&g->meta);
	atmo__arena_free(&g->arena);
	free(g);
}
