/* Internal: the state of one ParseFiles (bake_hcl.c, bake_vars.c, bake_funcs.c, bake_blocks.c). */
#ifndef ATMO_GRAPH_BAKE_HCL_H
#define ATMO_GRAPH_BAKE_HCL_H

#include <stdarg.h>
#include <jansson.h>
#include "graph/bake_config_int.h"
#include "hcl/hcl.h"
#include "util/map.h"

typedef struct bake_func bake_func;
typedef struct bake_block_state bake_block_state;

typedef struct bake_parser {
	const atmo_bake_options *o;
	bake_config *cfg;
	hcl_file **files;
	size_t n_files, cap_files;
	char **names; /* file names made up for files of no known extension */
	size_t n_names, cap_names;
	hcl_attr **attrs; /* global attributes, the last of a name wins */
	size_t n_attrs, cap_attrs;
	hcl_block **vars, **funcs, **blocks;
	size_t n_vars, n_funcs, n_blocks;
	size_t cap_vars, cap_funcs, cap_blocks;
	atmo__map attr_ix, var_ix, func_ix; /* name -> index (keys copied) */
	hcl_value **vals;                   /* resolved variables and attributes */
	size_t n_vals, cap_vals;
	atmo__map val_ix;
	atmo__map progress; /* names being resolved (cycles) */
	bake_func **fdefs;  /* user functions made so far */
	size_t n_fdefs;
	bake_block_state *bs; /* per block of p->blocks */
	json_t *tvals;        /* "target"/"group" -> name -> decoded fields (for target.x.y) */
	json_t *renamed;      /* old name -> [new names] */
	hcl_ctx ctx;          /* the global scope */
	hcl_diag diag;        /* the error, once one happened */
	int diag_soft;        /* diag holds a block's evaluation diagnostics, which buildx
				      * collects over all blocks (not a stop-at-once error) */
	size_t lookup_fails;  /* reference resolutions that failed (buildx's loadDeps) */
	atmo_error err;       /* an error that is no HCL diagnostic */
	int err_set;
	char local_platform[64];
	char *rebase_dir;      /* BUILDX_BAKE_FILE_RELATIVE_PATHS: the block's file's directory */
	size_t kept;           /* bytes held by resolved variables (bounded) */
	const bake_file *srcs; /* the texts, to find where an expression starts */
	size_t n_srcs;
} bake_parser;

/* HCL's Expression.StartRange(): the opening bracket or first name of the expression at r */
hcl_range atmo__bake_start_range(const bake_parser *p, hcl_range r);

/* fill p->diag; returns -1 */
int atmo__bake_diag(bake_parser *p, const hcl_range *r, const char *summary, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* an hcl_diag as buildx prints it: "FILE:RANGE: SUMMARY; DETAIL" */
int atmo__bake_diag_error(const hcl_diag *d, atmo_error *err);
/* evaluate e in ctx (NULL: global); -1 with p->diag */
int atmo__bake_eval(bake_parser *p, const hcl_expr *e, const hcl_ctx *ctx, hcl_value **out);

/* bake_vars.c: a variable's value (default, type, environment); its validation blocks */
int atmo__bake_var_value(bake_parser *p, const hcl_block *var, hcl_value **out);
int atmo__bake_var_validate(bake_parser *p, const hcl_block *var);
/* a global attribute overridden from the environment, parsed as its value's type */
int atmo__bake_attr_env(bake_parser *p, const char *name, const hcl_attr *a, hcl_value **v);

/* bake_funcs.c: a user function by name (0, 1 unknown, -1 p->diag); definitions checked */
int atmo__bake_user_func(bake_parser *p, const char *name, const hcl_func **out);
int atmo__bake_funcs_check(bake_parser *p);
void atmo__bake_funcs_free(bake_parser *p);

/* bake_partial.c: 1 when gohcl adds a diagnostic of its own when it decodes into f
 * the value e (whose evaluation failed) has in HCL, unknowns in place of what
 * failed; 0 when not; -1 no memory */
int atmo__bake_partial_fails(bake_parser *p, const hcl_expr *e, const hcl_ctx *ctx,
			     const bake_field *f);

/* bake_blocks.c: targets and groups into p->cfg; target.x / group.x references */
int atmo__bake_blocks_init(bake_parser *p); /* -1: no memory */
int atmo__bake_blocks(bake_parser *p);
int atmo__bake_block_ref(bake_parser *p, const hcl_traversal *t, hcl_value **out);
void atmo__bake_blocks_free(bake_parser *p);

#endif
