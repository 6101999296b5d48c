/*
 * Internal: a bake config as buildx's ParseFiles returns it (targets and
 * groups of every file merged, matrix expanded, variables evaluated) and
 * ReadTargets over it.
 */
#ifndef ATMO_GRAPH_BAKE_CONFIG_H
#define ATMO_GRAPH_BAKE_CONFIG_H

#include <jansson.h>
#include "atmograph/bake.h"
#include "graph/bake_model_int.h"

typedef struct bake_config {
	json_t *targets; /* name -> fields (bake_model_int.h), in buildx's c.Targets order */
	json_t *groups;  /* name -> {"description": s, "targets": [...]}, in c.Groups order */
} bake_config;

/* one file as read: its name and text */
typedef struct bake_file {
	const char *name;
	const char *text;
	size_t len;
} bake_file;

/*
 * ParseFiles: read the files (HCL or JSON, told apart as buildx does) and
 * evaluate them into c (whose members the caller frees with json_decref).
 * Errors are buildx's text ("docker-bake.hcl:9,14-17: Invalid expression;
 * ...") with the file, line and column set.
 */
int atmo__bake_parse_files(bake_config *c, const bake_file *files, size_t n,
			   const atmo_bake_options *o, atmo_error *err);

/* ReadTargets: the targets and groups (new references) names ask for */
int atmo__bake_read_targets(json_t **targets, json_t **groups, const bake_config *c,
			    const char *const *names, size_t n_names, const char *const *set,
			    size_t n_set, const atmo_bake_options *o, atmo_error *err);

/* the --print document of read targets and groups (new reference) */
json_t *atmo__bake_print_doc(const json_t *targets, const json_t *groups);

#endif
