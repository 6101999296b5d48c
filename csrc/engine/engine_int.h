/* Internal: plans and runs, shared by the files of csrc/engine. */
#ifndef ATMO_ENGINE_INT_H
#define ATMO_ENGINE_INT_H

#include <jansson.h>
#include "atmograph/build.h"
#include "util/strvec.h"

typedef struct plan_target {
	const atmo_bake_target *t;
	size_t index; /* bake target index */
	size_t wave;
	char *image;
	char *dir;  /* work_dir/<target> */
	char *text; /* the Dockerfile as read */
	size_t text_len;
	char *lowered; /* written to dir/Dockerfile; NULL: the original is used */
	size_t n_lowered;
	json_t *heredoc_files; /* written under dir/heredocs */
	size_t first_step, n_steps;
} plan_target;

typedef struct plan_step {
	atmo_plan_step pub;
	atmo__strvec argv; /* copies its strings (ATMO__STRVEC_INIT_COPY) */
	plan_target *target;
} plan_step;

struct atmo_plan {
	atmo_plan_options opts;
	const atmo_bake *bake;
	char *work_dir;
	plan_target *targets;
	size_t n_targets;
	size_t *slot; /* bake target index -> plan target index + 1 (0: not planned) */
	plan_step *steps;
	size_t n_steps;
	size_t n_waves;
	size_t *wave_items, *wave_start;
};

/* 1 when s is "sha256:" and 64 lowercase hex digits or "sha512:" and 128 */
int atmo__digest_valid(const char *s);
/* the digest in an engine's output text[0..len) (trailing newline allowed, a bare
 * 64-hex id taken as sha256), malloc'd; NULL when it is not a valid digest (or
 * out of memory) */
char *atmo__digest_parse(const char *text, size_t len);

void atmo__engine_resolve(atmo_engine_options *eo);
void atmo__engine_global_args(atmo__strvec *v, const atmo_engine_options *eo);
int atmo__engine_needs_lowering(const atmo_engine_options *eo);
/* ATMO_EUNSUPPORTED when the engine cannot build target t as asked (several
 * platforms loaded into docker; push without tags), with a message saying what
 * would work; else 0 */
int atmo__engine_check_target(const atmo_engine_options *eo, const atmo_bake_target *t, int push,
			      atmo_error *err);
/* Append to a lowering error which engine and version lacks the feature and
 * which engine builds it (err->text is cut to fit). */
void atmo__engine_lowering_hint(atmo_error *err, const atmo_engine_options *eo);

/* sha256 of a target's inputs */
int atmo__inputs_hash(char hex[65], const plan_target *pt, const char *engine,
		      const char *engine_version, const char *const *parent_digests,
		      size_t n_parents, atmo_error *err);

/*
 * The figures of one target of the build report, from the layer lists
 * ("_layers": [{"diff_id", "size"}]) export_image() put in the sizes:
 * each stage's "own_bytes" (atmo_image_own_bytes() against its parent: a stage of
 * the target named by its "base", or the linked target of that context name,
 * whose final layer list is link_layers[k]; left out when the parent's layers
 * are unknown) and the entry's "kept_out" (atmo_image_kept_out() of the stages with
 * "in_final": false against the target's image).
 */
int atmo__report_figures(json_t *entry, json_t *stages, const char *const *link_names,
			 const json_t *const *link_layers, size_t n_links, atmo_error *err);

#endif
