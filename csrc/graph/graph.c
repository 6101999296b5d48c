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
 *
 * This file holds the working state's helpers, nodes, expansion and passes
 * 1 and 2; instruction flags and RUN --mount are in graph_flags.c, pass 3 in
 * graph_edges.c, pass 4 in graph_scopes.c (shared names in graph_int.h).
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
		return atmo_graph__fail(
			r, ATMO_ELIMIT, line,
			"variable expansion produced more than %zu bytes in this Dockerfile",
			ATMO_SHELL_MAX_TOTAL);
	return 0;
}

int atmo_graph__fail(rctx *r, int code, int line, const char *fmt, ...) ATMO_PRINTF(4, 5);
int atmo_graph__fail(rctx *r, int code, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	atmo__error_vset(r->err, code, src_name(r), line, line > 0 ? (r->col > 0 ? r->col : 1) : 0,
			 fmt, ap);
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
		atmo_error *nw = atmo__realloc(g->warnings, ncap * sizeof(*nw), NULL);
		const char **nc;
		if (!nw)
			return atmo_graph__nomem(r);
		g->warnings = nw;
		nc = atmo__realloc(g->warning_codes, ncap * sizeof(*nc), NULL);
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
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return 0;
	}
	return 1;
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

static int add_node(rctx *r, atmo_node_kind kind, const char *id, const char *name, const char *ref,
		    int stage, int line)
{
	atmo_graph *g = r->g;
	atmo_graph_node *n;
	if (g->n_nodes >= (size_t)INT_MAX)
		return atmo_graph__fail(r, ATMO_ELIMIT, 0, "too many nodes");
	if (ATMO__GROW(g->nodes, g->cap_nodes, g->n_nodes + 1, NULL) < 0)
		return atmo_graph__nomem(r);
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
		atmo__free(x);
		return atmo_graph__nomem(r);
	}
	if (rc < 0) {
		atmo__free(x);
		return atmo_graph__fail(r, rc, line, "%s",
					local.text[0] ? local.text : "bad substitution");
	}
	if ((rc = atmo_graph__charge(r, x, line)) < 0) {
		atmo__free(x);
		return rc;
	}
	*out = atmo__arena_strdup(&r->g->arena, x ? x : "");
	atmo__free(x);
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
		return atmo_graph__fail(r, ATMO_EINVALID, 0,
					"build_args is NULL but n_build_args is %zu",
					o->n_build_args);
	if (o->n_build_contexts && !o->build_contexts)
		return atmo_graph__fail(r, ATMO_EINVALID, 0,
					"build_contexts is NULL but n_build_contexts is %zu",
					o->n_build_contexts);
	if (o->n_build_args) {
		r->ba_val = atmo__calloc(o->n_build_args, sizeof(*r->ba_val), NULL);
		if (!r->ba_val)
			return atmo_graph__nomem(r);
	}
	for (i = 0; i < o->n_build_args; i++) {
		const char *kv = o->build_args[i];
		const char *eq = kv ? strchr(kv, '=') : NULL;
		char *key;
		if (!kv || !eq || eq == kv) {
			atmo__error_set(r->err, ATMO_EINVALID, "--build-arg", 0, 0,
					"invalid build argument '%s': expected KEY=VALUE",
					kv ? kv : "(null)");
			return ATMO_EINVALID;
		}
		key = atmo__arena_strndup(&g->arena, kv, (size_t)(eq - kv));
		r->ba_val[i] = atmo__arena_strdup(&g->arena, eq + 1);
		if (!key || !r->ba_val[i])
			return atmo_graph__nomem(r);
		if (strpbrk(key, " \t\n\r")) {
			atmo__error_set(
				r->err, ATMO_EINVALID, "--build-arg", 0, 0,
				"invalid build argument '%s': the name contains white space", kv);
			return ATMO_EINVALID;
		}
		if (atmo__gmap_put(&r->build_args, key, strlen(key), (int)i) < 0)
			return atmo_graph__nomem(r);
	}
	if (o->n_build_contexts) {
		r->ctx = atmo__calloc(o->n_build_contexts, sizeof(*r->ctx), NULL);
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
	atmo__map seen = ATMO__MAP_INIT;
	int rc = 0;

	for (i = 0; i < n; i++) {
		const atmo_instruction *ins = atmo_dockerfile_at(df, i);
		if (!strcmp(ins->keyword, "from"))
			ns++;
		else if (!ns && !strcmp(ins->keyword, "arg"))
			r->n_meta_ins++;
		else if (!ns)
			return atmo_graph__fail(r, ATMO_EINVALID, ins->start_line,
						"no build stage in current context");
	}
	if (!ns)
		return atmo_graph__fail(r, ATMO_EINVALID, 0,
					"dockerfile contains no stages to build");
	if (ns > (size_t)INT_MAX / 2)
		return atmo_graph__fail(r, ATMO_ELIMIT, 0, "too many stages");
	g->stages = atmo__calloc(ns, sizeof(*g->stages), NULL);
	g->sx = atmo__calloc(ns, sizeof(*g->sx), NULL);
	r->base_node = atmo__calloc(ns, sizeof(*r->base_node), NULL);
	r->base_ctx = atmo__calloc(ns, sizeof(*r->base_ctx), NULL);
	r->meta_ins = atmo__calloc(r->n_meta_ins ? r->n_meta_ins : 1, sizeof(*r->meta_ins), NULL);
	if (!g->stages || !g->sx || !r->base_node || !r->base_ctx || !r->meta_ins)
		return atmo_graph__nomem(r);
	g->n_stages = ns;
	/* one entry a stage at most: sized once, never rehashed on the way */
	if (atmo__map_reserve(&seen, ns, NULL) < 0 ||
	    atmo__map_reserve(&r->anchors, ns, NULL) < 0 ||
	    atmo__map_reserve(&r->names, ns, NULL) < 0) {
		rc = atmo_graph__nomem(r);
		goto done;
	}
	r->n_meta_ins = 0;

	for (i = 0; i < n; i++) {
		const atmo_instruction *ins = atmo_dockerfile_at(df, i);
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
				rc = atmo_graph__fail(
					r, ATMO_EINVALID, ins->start_line,
					"invalid name for build stage: \"%s\", name can't start "
					"with a number or contain symbols",
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
			if (dup &&
			    (rc = warn(r, "DuplicateStageName", ins->start_line,
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
		st->node_id =
			key ? atmo__arena_printf(&g->arena, "%s/stage/%s", g->image_id, key) : NULL;
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
	atmo__map_free(&seen);
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
		 : g->stages[g->n_stages - 1].name              ? g->stages[g->n_stages - 1].name
								: "";
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
		cap += atmo_dockerfile_at(g->df, r->meta_ins[i])->n_args;
	if (cap) {
		g->meta_args = atmo__arena_alloc(&g->arena, cap * sizeof(*g->meta_args));
		if (!g->meta_args)
			return atmo_graph__nomem(r);
	}
	for (i = 0; i < r->n_meta_ins; i++) {
		const atmo_instruction *ins = atmo_dockerfile_at(g->df, r->meta_ins[i]);
		if (!ins->n_args)
			return atmo_graph__fail(r, ATMO_EINVALID, ins->start_line,
						"ARG requires at least one argument");
		for (j = 0; j < ins->n_args; j++) {
			const char *a = ins->args[j];
			const char *eq = strchr(a, '=');
			const char *key, *value = NULL, *ov;
			size_t klen = eq ? (size_t)(eq - a) : strlen(a);
			if (!klen)
				return atmo_graph__fail(r, ATMO_EINVALID, ins->start_line,
							"ARG names can not be blank");
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
		const atmo_instruction *ins = atmo_dockerfile_at(g->df, st->first_instruction);
		const char *plat = atmo_graph__flag_value(ins, "platform");
		lookup_ctx lc = { &g->meta, r, miss, 0, 16, 0 };
		const char *base;
		int line = st->start_line, j, ci, node = -1;

		if ((rc = atmo_graph__expand(r, &base, sx->raw_base, &g->meta, &lc, line)) < 0)
			return rc;
		if ((rc = report_undeclared(r, &lc, line)) < 0)
			return rc;
		if (!*base)
			return atmo_graph__fail(r, ATMO_EINVALID, line,
						"base name (%s) should not be blank", sx->raw_base);
		st->base = base;
		if (plat) {
			const char *p;
			if ((rc = atmo_graph__expand(r, &p, plat, &g->meta, &lc, line)) < 0)
				return rc;
			if ((rc = report_undeclared(r, &lc, line)) < 0)
				return rc;
			if (!*p)
				return atmo_graph__fail(r, ATMO_EINVALID, line,
							"empty platform value from expression %s",
							plat);
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
/* public                                                              */

static void rctx_free(rctx *r)
{
	atmo__map_free(&r->build_args);
	atmo__free(r->ba_val);
	atmo__free(r->ctx);
	atmo__map_free(&r->ctx_map);
	atmo__map_free(&r->names);
	atmo__map_free(&r->images);
	atmo__map_free(&r->anchors);
	atmo__map_free(&r->meta_declared);
	atmo__free(r->meta_ins);
	atmo__free(r->base_node);
	atmo__free(r->base_ctx);
	atmo__free(r->edge_aux);
	atmo__free(r->edge_trig);
	atmo__free(r->edge_hidden);
	atmo__free(r->stage_link);
	atmo__free(r->unreg);
}

int atmo_graph_build(atmo_graph **out, const atmo_dockerfile *df, const atmo_graph_options *opts,
		     atmo_error *err)
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
		return atmo__error_set(
			err, ATMO_EINVALID, NULL, 0, 0,
			"atmo_graph_options version %u is not supported (expected %d)",
			opts->version, ATMO_GRAPH_OPTIONS_VERSION);
	memset(&r, 0, sizeof(r));
	atmo_error_clear(&local);
	r.err = &local;
	r.opts = opts;
	r.scratch_node = -1;
	r.cur_trig = -1;

	g = atmo__calloc(1, sizeof(*g), NULL);
	if (!g) {
		rc = atmo__error_nomem(&local);
		goto done;
	}
	r.g = g;
	g->df = df;
	g->escape = atmo_dockerfile_escape(df);
	g->image_id = atmo__arena_strdup(&g->arena, opts && opts->image_id && *opts->image_id
							    ? opts->image_id
							    : "dockerfile");
	g->source = atmo__arena_strdup(&g->arena, opts && opts->source ? opts->source
						  : atmo_dockerfile_source(df)
							  ? atmo_dockerfile_source(df)
							  : "Dockerfile");
	if (!g->image_id || !g->source) {
		rc = atmo_graph__nomem(&r);
		goto done;
	}
	/* BuildKit's instruction layer checks (flags, argument counts, ONBUILD)
	 * come before any resolving */
	if ((rc = atmo_dockerfile_validate(df, &local)) < 0)
		goto done;
	if ((rc = load_options(&r)) < 0 || (rc = split_stages(&r)) < 0 ||
	    (rc = atmo__lint_rules(df, lint_emit, &r)) < 0 || (rc = meta_args(&r)) < 0 ||
	    (rc = resolve_bases(&r)) < 0 || (rc = atmo_graph__build_edges(&r)) < 0 ||
	    (rc = atmo_graph__check_cycles(&r)) < 0 || (rc = atmo_graph__resolve_target(&r)) < 0 ||
	    (rc = atmo_graph__reachability(&r)) < 0 ||
	    (rc = atmo_graph__check_references(&r)) < 0 || (rc = atmo_graph__scopes(&r)) < 0)
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
	atmo__free(g->stages);
	atmo__free(g->sx);
	atmo__free(g->nodes);
	atmo__free(g->edges);
	atmo__free(g->warnings);
	atmo__free(g->warning_codes);
	atmo__free(g->order);
	atmo__genv_free(&g->meta);
	atmo__arena_free(&g->arena);
	atmo__free(g);
}
