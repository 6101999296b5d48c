/*
 * atmograph: the sizes module, attributing the bytes of built images to the
 * stages and instructions of a Dockerfile, above the image reader and the graph.
 *
 * atmo_sizes_compute() gives the document "atmograph.sizes/1";
 * atmo_sizes_annotate() and atmo_sizes_annotate_report() copy measured sizes (of
 * a sizes document, of a build report) onto a graph document;
 * atmo_sizes_kept_out() and atmo_sizes_own_bytes() are the one definition of
 * the kept-out and own-bytes figures, shared with the build report.
 */
#ifndef ATMOGRAPH_SIZES_H
#define ATMOGRAPH_SIZES_H

#include <stdint.h>
#include <jansson.h>
#include "common.h"
#include "image.h"

#ifdef __cplusplus
extern "C" {
#endif

struct atmo_graph;

/**
 * What a multi-stage build kept out of its final image. The one definition used by
 * atmo_sizes_compute() and by the build report (atmograph build):
 *  - bytes: the bytes of the layers held by the build-only images (each stage's image,
 *    its base chain included) whose diff_id is not among the final image's layers,
 *    each distinct diff_id counted once;
 *  - packages: the dpkg packages present in any build-only image and absent from the
 *    final image (sorted, unique).
 * @param[out] out   {"bytes": N, "layers": (distinct layers counted), "packages": [...]}
 * @param final      the final (target) image
 * @param build_only the images of the used build-only stages
 * @return 0, ATMO_EINVALID (NULL arguments), ATMO_ENOMEM
 */
ATMO_EXTERN int atmo_sizes_kept_out(json_t **out, const atmo_layer_set *final,
				    const atmo_layer_set *build_only, size_t n_build_only,
				    atmo_error *err);

/**
 * The bytes a stage's image adds over its parent (the stage or linked target it is
 * FROM): the layers after the longest common diff_id prefix of the two layer lists
 * (all of img's layers when parent is NULL). Layer-accurate, not a size difference.
 */
ATMO_EXTERN uint64_t atmo_sizes_own_bytes(const atmo_layer_set *img, const atmo_layer_set *parent);

/** One image of one stage given to atmo_sizes_compute(). */
typedef struct atmo_sizes_input {
	const char *stage;       /**< stage name or index, as in --image STAGE=IMAGE */
	const atmo_image *image; /**< the image built with --target STAGE (borrowed) */
} atmo_sizes_input;

/**
 * Attribute image bytes to the stages and instructions of a Dockerfile.
 * Each image's history is matched against its stage's instructions (BuildKit
 * `# buildkit` comments, `/bin/sh -c #(nop)` forms); the history of the base
 * (the parent stage's image when given, otherwise what precedes the first match)
 * is a prefix. With several stages: what each stage adds on top of its base,
 * and the bytes and packages of build stages absent from the final image
 * (kept_out). Document schema "atmograph.sizes/1":
 * {schema, dockerfile, target,
 *  stages [{stage, index, node, base, base_stage, image, ref, digest, in_final, build_only,
 *           target, size {bytes, compressed, layers}, base_history (entries of the base
 *           prefix), base_bytes, own_bytes, own_compressed, unattributed_bytes,
 *           instructions [{keyword, line, end_line, text, bytes, layers, history [index]}],
 *           history [{index, created_by, bytes, part: "base"|"instruction"|"unattributed",
 *                     line}],
 *           packages (count or null), own_packages [names not in the base stage's image]}],
 *  kept_out {bytes, layers, packages: atmo_sizes_kept_out() of the used build-only stages'
 *            images against the target's image (null when the target's image is not
 *            given), own_bytes (what the build-only stages add on top of their bases),
 *            copied_bytes (of that, the files a COPY --from into a stage of the final
 *            image takes, matched by source path or glob; informative), stages [labels],
 *            final_image (bool: the target's image was given)}}
 * A stage's own_bytes: atmo_sizes_own_bytes() against its parent stage's image when that is
 * given; otherwise the bytes of the history entries after the base prefix.
 * @param[out] out  a new reference, caller decrefs
 * @return 0, ATMO_ENOTFOUND (a stage name that is not in the graph), ATMO_EINVALID, ATMO_ENOMEM
 */
ATMO_EXTERN int atmo_sizes_compute(json_t **out, const struct atmo_graph *graph,
				   const atmo_sizes_input *inputs, size_t n_inputs,
				   atmo_error *err);

/**
 * Add the figures of a sizes document (atmo_sizes_compute()) to the graph
 * document of the same Dockerfile, as atmo_sizes_annotate_report() does with a build
 * report: each measured stage's node gets "size" {"bytes" (its image),
 * "own_bytes" (what it adds on top of its base), "packages" (dpkg count, when
 * read)}, the image of the target stage gets "size" {"bytes", "compressed"}
 * when the target stage was measured, and the document gets "kept_out"
 * {"bytes", "packages" (sorted)} when a build-only stage was measured.
 * Stages are matched by node id (sizes.stages[].node), so the graph must be
 * built with the same options (image id, target) as the sizes.
 * @param graph_doc  a graph document ("atmograph.graph/1"), changed in place
 * @param sizes_doc  a sizes document ("atmograph.sizes/1"), borrowed
 * @return 0; ATMO_EINVALID (not a graph or sizes document, wrong types),
 *         ATMO_ENOTFOUND (a measured stage's node is not in the graph), ATMO_ENOMEM.
 *         On error graph_doc is unchanged.
 */
ATMO_EXTERN int atmo_sizes_annotate(json_t *graph_doc, const json_t *sizes_doc, atmo_error *err);

/**
 * Add measured sizes from a build report ("atmograph.build-report/1") to a graph
 * document: nodes' "size" ({"bytes", "own_bytes", "packages"}), images' "size"
 * and top-level "kept_out" (the targets' kept_out combined: bytes summed,
 * packages united and sorted).
 * @return 0 or ATMO_EINVALID (not a report or not a graph document)
 */
ATMO_EXTERN int atmo_sizes_annotate_report(json_t *graph_doc, const json_t *report,
					   atmo_error *err);

/*
 * Deprecated: the former names. atmo_image_* and atmo_report_annotate() (build.h)
 * remain exported functions (the library's ABI); atmo_kept_out() and
 * atmo_own_bytes() were header-only.
 */
typedef atmo_sizes_input atmo_image_sizes_input;

ATMO_EXTERN int atmo_image_kept_out(json_t **out, const atmo_layer_set *final,
				    const atmo_layer_set *build_only, size_t n_build_only,
				    atmo_error *err);
ATMO_EXTERN uint64_t atmo_image_own_bytes(const atmo_layer_set *img, const atmo_layer_set *parent);
ATMO_EXTERN int atmo_image_sizes_compute(json_t **out, const struct atmo_graph *graph,
					 const atmo_sizes_input *inputs, size_t n_inputs,
					 atmo_error *err);
ATMO_EXTERN int atmo_image_sizes_annotate(json_t *graph_doc, const json_t *sizes_doc,
					  atmo_error *err);

static inline int atmo_kept_out(json_t **out, const atmo_layer_set *final,
				const atmo_layer_set *build_only, size_t n_build_only,
				atmo_error *err)
{
	return atmo_sizes_kept_out(out, final, build_only, n_build_only, err);
}

static inline uint64_t atmo_own_bytes(const atmo_layer_set *img, const atmo_layer_set *parent)
{
	return atmo_sizes_own_bytes(img, parent);
}

#ifdef __cplusplus
}
#endif
#endif
