/*
 * atmograph: resolving a parsed Dockerfile into stages and its stage graph,
 * as BuildKit's dockerfile2llb does (meta ARGs, ARG/ENV scoping, build args,
 * named contexts, stage references by name or index, --target, reachability).
 *
 * atmo_graph_build() resolves; the structs below are read-only views owned by
 * the atmo_graph. atmo_graph_to_json() gives the graph document, schema
 * ATMO_GRAPH_SCHEMA ("atmograph.graph/1", see doc/source/manual/schemas.rst),
 * the input of atmo_render().
 */
#ifndef ATMOGRAPH_GRAPH_H
#define ATMOGRAPH_GRAPH_H

#include <jansson.h>
#include "common.h"
#include "dockerfile.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct atmo_graph atmo_graph;

/**
 * A named context that stands for another graph's target stage (a bake link,
 * `contexts = {"runtime": "target:runtime"}`). A stage whose FROM is this
 * context inherits, as BuildKit does for the image it builds on:
 *   - the ONBUILD triggers declared in the linked graph's target stage (the
 *     image config's OnBuild), run at the start of the stage: ARG and ENV
 *     triggers enter the stage's scope, COPY --from / RUN --mount from= triggers
 *     make edges of kind ATMO_EDGE_ONBUILD resolved in this Dockerfile;
 *   - the ENV of the linked target stage (the image config's Env).
 * The linked graph is read during atmo_graph_build() only (strings are copied).
 */
typedef struct atmo_graph_link {
	const char *context;     /**< the NAME of a "NAME=VALUE" build context */
	const atmo_graph *graph; /**< the linked target's graph */
} atmo_graph_link;

/** Options of atmo_graph_build(). Start from ATMO_GRAPH_OPTIONS_INIT. */
typedef struct atmo_graph_options {
	unsigned int version;          /**< ATMO_GRAPH_OPTIONS_VERSION */
	const char *target;            /**< stage name or numeric index; NULL: the last stage */
	const char *const *build_args; /**< "KEY=VALUE" strings (a bare "KEY" is an error) */
	size_t n_build_args;
	const char *const *
		build_contexts; /**< "NAME=VALUE" strings (docker-image://x, target:x, a path...) */
	size_t n_build_contexts;
	const char *image_id; /**< cluster id in the graph document; NULL: "dockerfile" */
	const char *source;   /**< path shown in errors and in "images[].dockerfile";
	                                      NULL: atmo_dockerfile_source(df) */
	const atmo_graph_link
		*links; /**< named contexts linked to other graphs (bake); may be NULL */
	size_t n_links;
} atmo_graph_options;

#define ATMO_GRAPH_OPTIONS_VERSION 1
#define ATMO_GRAPH_OPTIONS_INIT                                                                    \
	{                                                                                          \
		ATMO_GRAPH_OPTIONS_VERSION, NULL, NULL, 0, NULL, 0, NULL, NULL, NULL, 0            \
	}

/** What a node of the graph stands for. */
typedef enum {
	ATMO_NODE_STAGE = 0, /**< a stage of the Dockerfile */
	ATMO_NODE_IMAGE,     /**< an external image (FROM name or --from name that is no stage) */
	ATMO_NODE_CONTEXT,   /**< a named context given by --build-context */
	ATMO_NODE_SCRATCH    /**< FROM scratch */
} atmo_node_kind;

/** Why one node depends on another. */
typedef enum {
	ATMO_EDGE_BASE = 0, /**< FROM */
	ATMO_EDGE_COPY,     /**< COPY --from= */
	ATMO_EDGE_MOUNT,    /**< RUN --mount=...,from= */
	ATMO_EDGE_ONBUILD   /**< a COPY/RUN --mount from an ONBUILD trigger inherited from the base
	                            stage, or from a linked target's image (atmo_graph_link) */
} atmo_edge_kind;

/** One stage. Every pointer is borrowed and lives as long as the graph. */
typedef struct atmo_stage {
	const char *name;         /**< lower-cased `AS` name, NULL when unnamed */
	const char *label;        /**< name, or the index as a string when unnamed */
	size_t index;             /**< 0-based position among the stages */
	const char *base;         /**< FROM argument after expansion (meta ARGs, build args) */
	const char *platform;     /**< FROM --platform after expansion, NULL when not given */
	int start_line;           /**< the FROM line */
	int end_line;             /**< last line of the stage's last instruction */
	size_t first_instruction; /**< index of the FROM in the dockerfile (atmo_dockerfile_at) */
	size_t n_instructions;    /**< instructions of the stage, FROM included */
	const char
		*description; /**< buildx-style: comment above FROM starting with the name; NULL */
	int used;             /**< reachable from the target */
	int in_final;         /**< target or on its FROM chain: layers end up in the target image */
	int build_only;       /**< used && !in_final */
	int is_target;
	int parent_stage;    /**< index of the stage FROM names, -1 for an image/context/scratch */
	const char *node_id; /**< "<image>/stage/<label>" ("<name>#<index>" for a repeated name) */
	const char *anchor;  /**< "<image>-<label>", only [a-z0-9-] */
	size_t node;         /**< index of the stage's node (atmo_graph_node_at) */
	const char *const *onbuild; /**< ONBUILD triggers declared in the stage ("RUN ...") */
	size_t n_onbuild;
	size_t base_node; /**< the node FROM resolves to: a stage, image, named context or scratch */
	int replaced;     /**< 1 when a named context of the stage's name replaces it */
	const char *const *onbuild_inherited; /**< the triggers that run first in this stage: the
	                                     parent stage's ONBUILD (same file) or the linked
	                                     target stage's (atmo_graph_link); "RUN ..." */
	size_t n_onbuild_inherited;
	const char *onbuild_from; /**< node id of the stage that declared them (another image's
	                                for a link: "runtime/stage/runtime"), NULL when none */
} atmo_stage;

/** One node: a stage, an image, a named context or scratch. */
typedef struct atmo_graph_node {
	const char *id; /**< stable id, see the graph document */
	atmo_node_kind kind;
	const char *name; /**< stage label, image reference, context name, "scratch" */
	const char *ref; /**< images: the reference; contexts: the VALUE of NAME=VALUE; else NULL */
	int stage;       /**< stage index for stage nodes, else -1 */
	int used;        /**< reachable from the target */
	int line;        /**< first line that names it (images, contexts, scratch) */
} atmo_graph_node;

/** One edge: `to` depends on `from`. */
typedef struct atmo_graph_edge {
	size_t from; /**< node index of the dependency */
	size_t to;   /**< node index of the dependent (always a stage) */
	atmo_edge_kind kind;
	int line;                   /**< line of the instruction (FROM, COPY, RUN, ONBUILD) */
	size_t instruction;         /**< index of that instruction in the dockerfile */
	const char *const *sources; /**< copies: source paths (heredoc names for heredoc COPY);
	                                 mounts: the mount's source= if any */
	size_t n_sources;
	const char *dest;       /**< copies: destination; mounts: target=; else NULL */
	const char *context;    /**< the named context's name when `from` is a context, else NULL */
	const char *mount_type; /**< mounts: "bind", "cache", ...; else NULL */
	const char *mount_id;   /**< mounts: id= after expansion; else NULL */
	const char *onbuild_from; /**< ONBUILD edges: node id of the stage that declared the
	                                trigger (in another image for a link); else NULL */
} atmo_graph_edge;

/** An effective ARG or ENV value of a stage (after its last instruction). */
typedef struct atmo_graph_var {
	const char *name;
	const char *value; /**< never NULL: a declared ARG without value has none and is left out */
	int is_env;        /**< 1 for ENV (inherited from the parent stage too), 0 for ARG */
} atmo_graph_var;

/**
 * Resolve a parsed Dockerfile into its stage graph.
 * @param[out] out  the graph; free with atmo_graph_free()
 * @param df        the parsed Dockerfile; it must outlive the graph
 * @param opts      NULL for defaults
 * Errors come in BuildKit's order (doc/source/manual/buildkit.rst): the
 * instruction layer (atmo_dockerfile_validate), the stage graph (FROM
 * expansion, --from and from= references, cycles, image references by the
 * distribution reference grammar), then the stages the target needs, in
 * order (word expansion; a COPY --from or mount of a stage not built yet).
 * @return 0; ATMO_EINVALID (bad stage name, bad --build-arg, cycle, bad index, bad
 *         substitution, invalid image reference, a stage used before it is built;
 *         err carries source, line and column), ATMO_ENOTFOUND (unknown
 *         target; the message lists the stages), ATMO_ELIMIT (an expanded word over
 *         ATMO_SHELL_MAX_WORD or all expansions over ATMO_SHELL_MAX_TOTAL; located at
 *         the instruction) or ATMO_ENOMEM
 */
ATMO_EXTERN int atmo_graph_build(atmo_graph **out, const atmo_dockerfile *df,
				 const atmo_graph_options *opts, atmo_error *err);

/** Free a graph. NULL-safe. */
ATMO_EXTERN void atmo_graph_free(atmo_graph *g);

/**
 * The graph document (schema "atmograph.graph/1").
 * Besides the fields of doc/source/manual/schemas.rst, a stage node whose start runs
 * inherited ONBUILD triggers has "onbuild_inherited": ["ARG PROJECT", "RUN ..."]
 * (atmo_stage.onbuild_inherited) and "onbuild_from": the node id of the stage that
 * declared them (the parent stage, or a linked target's stage in another image:
 * "runtime/stage/runtime"); both are left out when there are none. Edges of kind
 * "onbuild" carry "onbuild_from" too; for a linked image's triggers their "line"
 * is the child stage's FROM line.
 * @param[out] out  a new reference, caller decrefs
 */
ATMO_EXTERN int atmo_graph_to_json(json_t **out, const atmo_graph *g, atmo_error *err);

/** Receives output text; returns 0, or non-zero to stop (the writer then fails). */
typedef int (*atmo_write_fn)(const char *data, size_t len, void *payload);

/**
 * Write the graph document as text, byte for byte what json_dumps() of
 * atmo_graph_to_json()'s document with JSON_INDENT(2) gives, followed by a
 * newline (what atmo_render() gives for ATMO_FORMAT_JSON) - but one node or
 * edge at a time, so memory stays that of the graph: a 100,000-stage
 * Dockerfile's document takes gigabytes as a jansson tree.
 * @return 0, ATMO_ENOMEM or ATMO_EIO (write returned non-zero)
 */
ATMO_EXTERN int atmo_graph_write_json(const atmo_graph *g, atmo_write_fn write, void *payload,
				      atmo_error *err);

/**
 * The stage list (schema "atmograph.stages/1"): {"schema", "source", "image", "target"
 * (stage name or index), "stages": [{"index", "name" (null when unnamed), "label", "base",
 * "base_kind" (what FROM resolved to: "stage"|"image"|"context"|"scratch"), "platform",
 * "line", "end_line", "description", "parent" (stage index or null), "used",
 * "in_final", "build_only", "target", "replaced", "status" ("target"|"final"|"build-only"|"unused"|
 * "replaced": a named context of its name stands in for it)}],
 * "order": [stage indices in build order], "warnings": [...]} (what `atmograph stages --json` prints).
 * @param[out] out  a new reference, caller decrefs
 */
ATMO_EXTERN int atmo_graph_stages_to_json(json_t **out, const atmo_graph *g, atmo_error *err);

/** The Dockerfile the graph was built from (borrowed). */
ATMO_EXTERN const atmo_dockerfile *atmo_graph_dockerfile(const atmo_graph *g);

/** The image (cluster) id: opts->image_id or "dockerfile" (borrowed). */
ATMO_EXTERN const char *atmo_graph_image_id(const atmo_graph *g);

/** Number of stages. */
ATMO_EXTERN size_t atmo_graph_stage_count(const atmo_graph *g);

/** Stage i (borrowed), NULL when out of range. */
ATMO_EXTERN const atmo_stage *atmo_graph_stage_at(const atmo_graph *g, size_t i);

/** Index of the target stage. */
ATMO_EXTERN size_t atmo_graph_target(const atmo_graph *g);

/**
 * Find a stage by name (case-insensitive; the last stage of that name) or numeric index.
 * @return the stage index or -1
 */
ATMO_EXTERN int atmo_graph_find_stage(const atmo_graph *g, const char *name);

/**
 * The used stages in build order (dependencies first; ties by index).
 * @param[out] n  their number
 * @return a borrowed array of stage indices
 */
ATMO_EXTERN const size_t *atmo_graph_order(const atmo_graph *g, size_t *n);

/** Nodes: stages first (node i is stage i), then images, contexts and scratch in order of first use. */
ATMO_EXTERN size_t atmo_graph_node_count(const atmo_graph *g);
ATMO_EXTERN const atmo_graph_node *atmo_graph_node_at(const atmo_graph *g, size_t i);

/** Edges, in order of the instructions that make them. */
ATMO_EXTERN size_t atmo_graph_edge_count(const atmo_graph *g);
ATMO_EXTERN const atmo_graph_edge *atmo_graph_edge_at(const atmo_graph *g, size_t i);

/**
 * Warnings found while resolving (DuplicateStageName, ReservedStageName,
 * StageNameCasing, UndefinedArgInFrom, ...): count and i-th (borrowed).
 * The code is in atmo_graph_warning_code().
 */
ATMO_EXTERN size_t atmo_graph_warning_count(const atmo_graph *g);
ATMO_EXTERN const atmo_error *atmo_graph_warning_at(const atmo_graph *g, size_t i);
/** The linter-style code of warning i ("DuplicateStageName"), borrowed, NULL when out of range. */
ATMO_EXTERN const char *atmo_graph_warning_code(const atmo_graph *g, size_t i);

/**
 * The effective ARG and ENV values of stage i after its last instruction
 * (ENV inherited from the parent stage included; ENV shadows ARG of the same name).
 * @param[out] n  their number
 * @return a borrowed array, NULL when i is out of range
 */
ATMO_EXTERN const atmo_graph_var *atmo_graph_stage_vars(const atmo_graph *g, size_t i, size_t *n);

/** The meta ARGs (declared before the first FROM) with their effective values. */
ATMO_EXTERN const atmo_graph_var *atmo_graph_meta_args(const atmo_graph *g, size_t *n);

/**
 * Schema names of the documents of this module: the graph document
 * (atmo_graph_to_json(), atmo_bake_graph_to_json(); the input of atmo_render())
 * and the stage list (atmo_graph_stages_to_json()). A document's "schema" is
 * exactly this string; a new incompatible form gets a new name.
 */
#define ATMO_GRAPH_SCHEMA "atmograph.graph/1"
#define ATMO_STAGES_SCHEMA "atmograph.stages/1"

/*
 * Deprecated: the former spellings of the i-th getters (now `_at` in every header).
 */
static inline const atmo_stage *atmo_graph_stage(const atmo_graph *g, size_t i)
{
	return atmo_graph_stage_at(g, i);
}
static inline const atmo_graph_node *atmo_graph_get_node(const atmo_graph *g, size_t i)
{
	return atmo_graph_node_at(g, i);
}
static inline const atmo_graph_edge *atmo_graph_get_edge(const atmo_graph *g, size_t i)
{
	return atmo_graph_edge_at(g, i);
}
static inline const atmo_error *atmo_graph_warning(const atmo_graph *g, size_t i)
{
	return atmo_graph_warning_at(g, i);
}

#ifdef __cplusplus
}
#endif
#endif
