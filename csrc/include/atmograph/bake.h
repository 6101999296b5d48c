/*
 * atmograph: bake files as `docker buildx bake` reads them: HCL
 * (docker-bake.hcl) and JSON (docker-bake.json), several files merged in
 * buildx's order, with variables (typed, overridden from the environment,
 * validated), functions (buildx's standard library and user functions),
 * matrix targets, `target.x.field` references, groups, inherits, links
 * between targets through `contexts` ("target:x"), --set overrides, and the
 * `--print` form byte for byte; plus the multi-image graph document of a set
 * of targets.
 *
 * Every field of buildx's Target is kept and printed (context, contexts,
 * dockerfile, dockerfile-inline, args, labels, tags, cache-from, cache-to,
 * target, secret, ssh, platforms, output, pull, no-cache, network,
 * no-cache-filter, shm-size, ulimits, resources, call, entitlements,
 * extra-hosts, annotations, attest, description). Compose files are refused.
 *
 * `output` goes to docker buildx only: buildah and podman keep the image in
 * their storage. `cache-from`/`cache-to` go to every engine.
 *
 * Paths: `context` and directory values of `contexts` are relative to the
 * directory of the first bake file; `dockerfile` is relative to the context.
 */
#ifndef ATMOGRAPH_BAKE_H
#define ATMOGRAPH_BAKE_H

#include <jansson.h>
#include "common.h"
#include "dockerfile.h"
#include "graph.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct atmo_bake atmo_bake;

/** One resolved target (inherits applied, variables interpolated). Borrowed views. */
typedef struct atmo_bake_target {
	const char *name;
	const char *description;  /**< NULL when not given */
	const char *context;      /**< as written ("." when not given) */
	const char *context_path; /**< resolved against the bake file's directory */
	const char *dockerfile;   /**< as written ("Dockerfile" when not given) */
	const char *
		dockerfile_path; /**< resolved: context_path/dockerfile; NULL with dockerfile-inline */
	const char *dockerfile_inline; /**< NULL when not given */
	const char *target;            /**< stage to build, NULL: the last */
	const char *const *args;       /**< "KEY=VALUE", sorted by key */
	size_t n_args;
	const char *const
		*contexts; /**< "NAME=VALUE" as written (target:x, docker-image://x, dir), sorted */
	size_t n_contexts;
	const char *const
		*context_paths; /**< per context: resolved directory, or NULL for non-directories */
	const char *const *labels; /**< "KEY=VALUE", sorted */
	size_t n_labels;
	const char *const *tags;
	size_t n_tags;
	const char *const *platforms;
	size_t n_platforms;
	const char *const *outputs;
	size_t n_outputs;
	const char *const *cache_from;
	size_t n_cache_from;
	const char *const *cache_to;
	size_t n_cache_to;
	int no_cache;                  /**< -1 unset, 0 or 1 */
	int pull;                      /**< -1 unset, 0 or 1 */
	const size_t *links;           /**< indices of the targets named by "target:x" contexts */
	const char *const *link_names; /**< per link: the context NAME that names it */
	size_t n_links;
	/* since ATMO_BAKE_OPTIONS_VERSION 2: the other fields of buildx's Target */
	const char *network;  /**< NULL when not given */
	const char *shm_size; /**< NULL when not given */
	const char *call;     /**< NULL when not given */
	const char *const *annotations;
	size_t n_annotations;
	const char *const *no_cache_filter;
	size_t n_no_cache_filter;
	const char *const *ulimits;
	size_t n_ulimits;
	const char *const *entitlements;
	size_t n_entitlements;
	const char *const *extra_hosts; /**< "HOST=IP", sorted */
	size_t n_extra_hosts;
	const char *const *secrets; /**< in CSV form: "id=x,src=path", "id=x,env=NAME" */
	size_t n_secrets;
	const char *const *ssh; /**< "default", "id=path,path" */
	size_t n_ssh;
	const char *const *attest; /**< "type=sbom,..." */
	size_t n_attest;
	const char *json; /**< the whole target in buildx's --print JSON form */
} atmo_bake_target;

/** Options of atmo_bake_load(). Start from ATMO_BAKE_OPTIONS_INIT. */
typedef struct atmo_bake_options {
	unsigned int version; /**< ATMO_BAKE_OPTIONS_VERSION */
	const char *const
		*set_vars; /**< "NAME=VALUE": override variables (after the environment) */
	size_t n_set_vars;
	atmo_env_lookup
		env; /**< the environment; NULL: none (the library reads no environment itself) */
	void *env_payload;
	int no_env;           /**< 1: ignore the environment entirely */
	const char *base_dir; /**< directory paths are relative to; NULL: the first file's */
	/* since version 2 */
	const char *const
		*overrides; /**< --set: "target.key=value", "*.platform=...", "t.tags+=x" */
	size_t n_overrides;
	const char
		*local_platform; /**< BAKE_LOCAL_PLATFORM; NULL: this machine's ("linux/amd64") */
	size_t eval_budget; /**< HCL evaluation budget in bytes per expression; 0: the default */
} atmo_bake_options;

#define ATMO_BAKE_OPTIONS_VERSION 2
#define ATMO_BAKE_OPTIONS_INIT                                                                     \
	{                                                                                          \
		ATMO_BAKE_OPTIONS_VERSION, NULL, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, 0          \
	}

/**
 * Load and resolve bake files, merged in order as buildx merges them.
 * @param[out] out  free with atmo_bake_free()
 * @param paths     the files ("-" is not read); n_paths 0: look in `dir` (NULL: ".")
 *                  for docker-bake.json, docker-bake.hcl, docker-bake.override.json
 *                  and docker-bake.override.hcl as buildx does (compose files
 *                  are reported as unsupported)
 * A target that cannot be resolved (as buildx, it fails only when asked for) is
 * left out of the targets; its error comes from atmo_bake_select() and
 * atmo_bake_print() when it is named.
 * @return 0, ATMO_EINVALID (err: buildx's text, "FILE:LINE,COL-COL: Summary;
 *         Detail" for HCL errors, with source, line and column set),
 *         ATMO_ELIMIT (a hostile file), ATMO_ENOTFOUND (no bake file), ATMO_EIO,
 *         ATMO_ENOMEM
 */
ATMO_EXTERN int atmo_bake_load(atmo_bake **out, const char *const *paths, size_t n_paths,
			       const char *dir, const atmo_bake_options *opts, atmo_error *err);

/** The same from text in memory (source names it in errors). */
ATMO_EXTERN int atmo_bake_load_string(atmo_bake **out, const char *text, size_t len,
				      const char *source, const atmo_bake_options *opts,
				      atmo_error *err);

/** Free a bake. NULL-safe. */
ATMO_EXTERN void atmo_bake_free(atmo_bake *b);

/** The files read, in order (borrowed). */
ATMO_EXTERN size_t atmo_bake_file_count(const atmo_bake *b);
ATMO_EXTERN const char *atmo_bake_file(const atmo_bake *b, size_t i);

/** Targets, in name order. */
ATMO_EXTERN size_t atmo_bake_target_count(const atmo_bake *b);
ATMO_EXTERN const atmo_bake_target *atmo_bake_target_at(const atmo_bake *b, size_t i);
/** A target by name, NULL when absent. */
ATMO_EXTERN const atmo_bake_target *atmo_bake_find_target(const atmo_bake *b, const char *name);

/**
 * Select targets: names of targets or groups (none: the "default" group, or
 * the target "default"), plus every target they link to.
 * @param[out] out   target indices in dependency order (linked targets first); caller frees with atmo_free()
 * @param[out] n     their number
 * @return 0, ATMO_ENOTFOUND (unknown name; the message lists the names), ATMO_ENOMEM
 */
ATMO_EXTERN int atmo_bake_select(size_t **out, size_t *n, const atmo_bake *b,
				 const char *const *names, size_t n_names, atmo_error *err);

/**
 * The resolved bake file in `docker buildx bake --print` form:
 * {"group": {"default": {"targets": [...]}}, "target": {...}}.
 * @param[out] out  a new reference
 */
ATMO_EXTERN int atmo_bake_print(json_t **out, const atmo_bake *b, const char *const *names,
				size_t n_names, atmo_error *err);

/**
 * The `docker buildx bake --print` output of the targets or groups named
 * (patterns like "web-*" too; none: "default"), byte for byte as buildx
 * writes it (2-space indent, buildx's key order, a final newline).
 * @param[out] out  NUL-terminated text, caller frees with atmo_free(); @param[out] len  its length
 * @return 0, ATMO_ENOTFOUND (no such target), ATMO_EINVALID (an override or a link
 *         between targets is wrong), ATMO_ENOMEM
 */
ATMO_EXTERN int atmo_bake_print_text(char **out, size_t *len, const atmo_bake *b,
				     const char *const *names, size_t n_names, atmo_error *err);

/**
 * The multi-image graph document (schema "atmograph.graph/1") of the selected
 * targets: one image cluster per target, stages from each Dockerfile; a context
 * that names another target becomes an edge from that target's target stage.
 * @param[out] out  a new reference
 */
ATMO_EXTERN int atmo_bake_graph(json_t **out, const atmo_bake *b, const char *const *names,
				size_t n_names, atmo_error *err);

/**
 * Read a target's Dockerfile text (the file, or dockerfile-inline).
 * @param[out] text  caller frees with atmo_free(); @param[out] source  borrowed name for errors
 */
ATMO_EXTERN int atmo_bake_target_dockerfile(char **text, size_t *len, const char **source,
					    const atmo_bake_target *t, atmo_error *err);

/**
 * The stage graph of one target, as the bake graph, plans and builds see it: its
 * Dockerfile parsed and resolved with the target's stage (`target`), args,
 * contexts and name (the image id); errors and warnings name the Dockerfile's
 * path (the target's name for dockerfile-inline). A "target:x" context whose
 * target is already built (`built`) is linked to that graph (atmo_graph_link):
 * a stage FROM it inherits x's target stage's ONBUILD triggers and ENV.
 * @param[out] out  the graph; free with atmo_graph_free() before *df
 * @param[out] df   the parsed Dockerfile the graph reads; free with atmo_dockerfile_free()
 * @param t         the target (atmo_bake_target_at())
 * @param text      the Dockerfile text (len bytes); NULL: read it (atmo_bake_target_dockerfile())
 * @param built     NULL, or per bake target index (atmo_bake_target_at(), at least
 *                  atmo_bake_target_count() entries) its graph, NULL when not built
 * @return 0, or what atmo_bake_target_dockerfile(), atmo_dockerfile_parse() and
 *         atmo_graph_build() return (both out-parameters are NULL then)
 */
ATMO_EXTERN int atmo_bake_target_graph(atmo_graph **out, atmo_dockerfile **df,
				       const atmo_bake_target *t, const char *text, size_t len,
				       const atmo_graph *const *built, atmo_error *err);

/** File i read (borrowed), NULL when out of range; the `_at` spelling of atmo_bake_file(). */
static inline const char *atmo_bake_file_at(const atmo_bake *b, size_t i)
{
	return atmo_bake_file(b, i);
}

#ifdef __cplusplus
}
#endif
#endif
