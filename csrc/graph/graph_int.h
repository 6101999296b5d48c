/* Internal to csrc/graph: the resolver's data structures and small containers. */
#ifndef ATMO_GRAPH_INT_H
#define ATMO_GRAPH_INT_H

#include <stddef.h>
#include "atmograph/graph.h"
#include "util/arena.h"
#include "util/error.h"

/* every string and small array of a graph lives in one arena (util/arena.h) */

/* ---- string -> int map (open addressing); keys are borrowed (arena) ---- */
typedef struct {
	const char **keys;
	size_t *lens;
	int *vals;
	size_t cap;   /* power of two, 0 when empty */
	size_t count;
} atmo__gmap;

#define ATMO__GMAP_INIT { NULL, NULL, NULL, 0, 0 }

/* insert or replace; 0 or ATMO_ENOMEM */
int atmo__gmap_put(atmo__gmap *m, const char *key, size_t len, int val);
/* the value or -1 */
int atmo__gmap_get(const atmo__gmap *m, const char *key, size_t len);
int atmo__gmap_copy(atmo__gmap *dst, const atmo__gmap *src);
void atmo__gmap_free(atmo__gmap *m);

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
	atmo__gmap idx;
} atmo__genv;

#define ATMO__GENV_INIT { NULL, 0, 0, ATMO__GMAP_INIT }

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

	atmo__genv meta;            /* builtins and meta ARGs with values */
	atmo_graph_var *meta_args;  /* meta ARGs only, for atmo_graph_meta_args */
	size_t n_meta_args;
};

#endif
