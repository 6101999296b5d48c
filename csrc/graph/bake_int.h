/* Internal: the bake struct shared by bake.c and bake_graph.c. */
#ifndef ATMO_GRAPH_BAKE_INT_H
#define ATMO_GRAPH_BAKE_INT_H

#include <stdarg.h>
#include <jansson.h>
#include "atmograph/bake.h"
#include "graph/bake_config_int.h"

struct atmo_bake {
	atmo_bake_options opts;
	char **files; /* names of the files read, in order */
	char **texts; /* their text */
	size_t *lens;
	size_t n_files;
	size_t cap_files, cap_texts, cap_lens; /* each array's room (ATMO__GROW) */
	char *base_dir;
	bake_config cfg;  /* ParseFiles' result */
	json_t *resolved; /* name -> target resolved for the model (all targets) */
	atmo_bake_target *targets;
	size_t n_targets;
	char **owned; /* every string and array the targets point to */
	size_t n_owned, cap_owned;
};

/* keep s (atmo__malloc'd) until the bake is freed; returns s or NULL (s freed) */
char *atmo__bake_keep(atmo_bake *b, char *s);
const char *atmo__bake_join(atmo_bake *b, const char *dir, const char *rel, atmo_error *err);
/* want[i] = 1 for the targets the names (or "default") request, links not followed */
int atmo__bake_requested(unsigned char **want, const atmo_bake *b, const char *const *names,
			 size_t n_names, atmo_error *err);

#endif
