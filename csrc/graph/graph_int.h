/* Internal to csrc/graph: the resolver's data structures and small containers. */
#ifndef ATMO_GRAPH_INT_H
#define ATMO_GRAPH_INT_H

#include <stddef.h>
#include "atmograph/graph.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/grow.h"
#include "util/error.h"
#include "util/map.h"

/* every string and small array of a graph lives in one arena (util/arena.h) */

/* ---- string -> int look-ups over util's map (util/map.h); keys borrowed (arena) ---- */
/* insert or replace; 0 or ATMO_ENOMEM */
static inline int atmo__gmap_put(atmo__map *m, const char *key, size_t len, int val)
{
	return atmo__map_setn(m, key, len, (size_t)val, NULL) < 0 ? ATMO_ENOMEM : 0;
}

/* the value or -1 */
static inline int atmo__gmap_get(const atmo__map *m, const char *key, size_t len)
{
	const size_t *v = atmo__map_getn(m, key, len);
	return v ? (int)*v : -1;
}

/* ---- image references (reference.c) ---- */
/* Check ref as BuildKit does before resolving an image (distribution/reference's
 * ParseNormalizedNamed, go-digest's Validate): 0 valid; -1 invalid with the
 * library's message in why ("invalid reference format", ...); ATMO_ENOMEM. */
int atmo__reference_check(const char *ref, char *why, size_t why_n);

/* ---- BuildKit's linter rules on how instructions are written (lint.c) ---- */
/* receives one warning: rule (a static string), line, text; 0 or a negative code */
typedef int (*atmo__lint_emit)(void *payload, const char *rule, int line, const char *text);
/* MaintainerDeprecated, FromAsCasing, ConsistentInstructionCasing */
int atmo__lint_rules(const atmo_dockerfile *df, atmo__lint_emit emit, void *payload);
/* 1 when the `# check=` directive's value skips rule (skip=all or a list) */
int atmo__lint_skipped(const char *check, const char *rule);
/* 1 when a "check=skip=..." line of an instruction's comment skips rule for it */
int atmo__lint_comment_skips(const char *comment, const char *rule);

/* ---- variables in scope (ARG and ENV), insertion order kept ---- */
typedef struct {
	atmo_graph_var *v;
	size_t n, cap;
	atmo__map idx;
} atmo__genv;

#define ATMO__GENV_INIT                                                                            \
	{                                                                                          \
		NULL, 0, 0, ATMO__MAP_INIT                                                         \
	}

/* Set name (borrowed, arena) to value. An ARG never replaces an ENV of the same name. */
int atmo__genv_set(atmo__genv *e, const char *name, const char *value, int is_env);
/* value or NULL when unset */
const char *atmo__genv_get(const atmo__genv *e, const char *name, size_t len);
int atmo__genv_copy(atmo__genv *dst, const atmo__genv *src);
void atmo__genv_free(atmo__genv *e);

/* ---- the graph ---- */
typedef struct {
	atmo__genv env;       /* after the stage's last instruction */
	int replaced;         /* node of a named context that replaces the stage, -1 */
	const char *key;      /* id part: name, name#index for later duplicates, index */
	const char *raw_base; /* FROM argument as written */
	size_t edge_begin, edge_end;
} atmo__gstage;

struct atmo_graph {
	atmo__arena arena;
	const atmo_dockerfile *df;
	const char *image_id;
	const char *source;
	char escape;

	atmo_stage *stages;
	atmo__gstage *sx;
	size_t n_stages;

	atmo_graph_node *nodes;
	size_t n_nodes, cap_nodes;

	atmo_graph_edge *edges;
	size_t n_edges, cap_edges;

	atmo_error *warnings;
	const char **warning_codes;
	size_t n_warnings, cap_warnings;

	size_t target;
	size_t *order;
	size_t n_order;

	atmo__genv meta;           /* builtins and meta ARGs with values */
	atmo_graph_var *meta_args; /* meta ARGs only, for atmo_graph_meta_args */
	size_t n_meta_args;
};

/* ---- the resolver (graph.c, graph_flags.c, graph_edges.c, graph_scopes.c) ---- */

/* a named build context (--build-context NAME=VALUE) */
typedef struct {
	const char *name; /* as given */
	const char *norm; /* familiar form used for look-ups */
	const char *value;
	int node; /* -1 until used */
} gctx;

/* the resolver's working state, for one atmo_graph_build() */
typedef struct {
	atmo_graph *g;
	atmo_error *err;
	const atmo_graph_options *opts;

	atmo__map build_args; /* key -> index into ba_val */
	const char **ba_val;

	gctx *ctx;
	size_t n_ctx;
	atmo__map ctx_map; /* normalized name -> index into ctx */

	atmo__map names;  /* lower-case stage name -> last stage of that name */
	atmo__map images; /* reference -> node */
	atmo__map anchors;
	int scratch_node;

	atmo__map meta_declared; /* every meta ARG key and builtin */
	size_t *meta_ins;        /* instruction indices of meta ARGs */
	size_t n_meta_ins;

	int *base_node;        /* per stage: node its FROM resolves to */
	const char **base_ctx; /* per stage: context name when base_node is a context */
	int *edge_aux;         /* per edge: index of the --mount flag, -1 */
	int *edge_trig;        /* per edge: ordinal of the linked trigger that made it, -1 */
	/* per edge: 1 for the implicit dependency of a mount without from= on a stage
	 * named scratch (BuildKit's stage graph has it, its output does not): it
	 * counts for cycles, reachability and build order, then leaves the graph */
	unsigned char *edge_hidden;
	size_t cap_aux;
	int cur_trig;    /* edge_trig of the next edges */
	int *stage_link; /* per stage: index into opts->links of its FROM context, -1 */
	int col;         /* column for the next error, 0: column 1 */
	/* BuildKit's "unregistered" states: one per COPY --from / mount that names
	 * no stage, in the order of the stages' own instructions; a numeric
	 * --from past the last stage indexes them */
	int *unreg;
	size_t n_unreg, cap_unreg;
	size_t expanded; /* bytes all expansions produced (ATMO_SHELL_MAX_TOTAL) */
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

/* what one RUN --mount value says */
typedef struct {
	const char *type;
	const char *from;
	const char *source;
	const char *target;
	const char *id;
} mountinfo;

/* graph.c: errors, look-ups, expansion, nodes */
int atmo_graph__nomem(rctx *r);
/* the error of the resolve, at line (column r->col, else 1); returns code */
int atmo_graph__fail(rctx *r, int code, int line, const char *fmt, ...) ATMO_PRINTF(4, 5);
/* column of needle in the first line of ins, 0 when not there; last: the last one */
int atmo_graph__col_of(const atmo_instruction *ins, const char *needle, int last);
/* atmo_shell_expand()'s look-up over a lookup_ctx */
const char *atmo_graph__lookup_cb(const char *name, size_t len, void *payload);
/* count an expansion's result against the file's budget */
int atmo_graph__charge(rctx *r, const char *x, int line);
/* expand word in env into an arena string; lc_opt NULL or one recording misses */
int atmo_graph__expand(rctx *r, const char **out, const char *word, const atmo__genv *env,
		       lookup_ctx *lc_opt, int line);
/* lower-case arena copy of s, NULL when out of memory */
char *atmo_graph__lower_dup(rctx *r, const char *s);
/* the value of --build-arg key, or NULL */
const char *atmo_graph__build_arg(rctx *r, const char *key, size_t len);
/* nodes made once and found again: the node, or a negative code */
int atmo_graph__image_node(rctx *r, const char *ref, int line);
int atmo_graph__scratch_node(rctx *r, int line);
int atmo_graph__context_node(rctx *r, int ci, int line);
/* the named context for a FROM or --from name, or -1 */
int atmo_graph__find_context(rctx *r, const char *name);
/* the node of stage s: the stage, or the named context replacing it */
int atmo_graph__stage_ref_node(rctx *r, size_t s);

/* graph_flags.c */
int atmo_graph__check_flags(rctx *r, const atmo_instruction *ins, int line);
/* the value of the last --name=value flag, or NULL */
const char *atmo_graph__flag_value(const atmo_instruction *ins, const char *name);
/* one --mount value; env NULL: the first pass (from= and type= only) */
int atmo_graph__parse_mount(rctx *r, const char *val, const atmo__genv *env, int line,
			    mountinfo *m);

/* graph_edges.c: pass 3 */
int atmo_graph__build_edges(rctx *r);
int atmo_graph__check_cycles(rctx *r);
int atmo_graph__resolve_target(rctx *r);
int atmo_graph__reachability(rctx *r);
int atmo_graph__check_references(rctx *r);
/* the graph stage s's FROM is linked to (its target stage in *lt), or NULL */
const atmo_graph *atmo_graph__linked_graph(rctx *r, size_t s, const atmo_stage **lt);

/* graph_scopes.c: pass 4 */
int atmo_graph__scopes(rctx *r);
void atmo_graph__drop_hidden_edges(rctx *r);

#endif
