/*
 * atmograph: building the targets of a bake file in dependency order with a
 * real engine (buildah, docker buildx, podman): plans in waves, engine
 * command lines (argv, never a shell), lowering of Dockerfile features an
 * engine lacks, runs with -j, input hashing, the build report
 * (schema "atmograph.build-report/1") and annotating a graph document with it.
 */
#ifndef ATMOGRAPH_BUILD_H
#define ATMOGRAPH_BUILD_H

#include <signal.h>
#include <jansson.h>
#include "common.h"
#include "bake.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	ATMO_ENGINE_BUILDAH = 0,
	ATMO_ENGINE_DOCKER, /**< docker buildx build (BuildKit) */
	ATMO_ENGINE_PODMAN
} atmo_engine_kind;

/** Parse "buildah", "docker", "podman"; 0 or ATMO_EINVALID. */
ATMO_EXTERN int atmo_engine_from_name(atmo_engine_kind *out, const char *name);
ATMO_EXTERN const char *atmo_engine_name(atmo_engine_kind kind);

/**
 * The engine to use when none is named, from the environment the caller
 * passes (the library reads no environment itself; the CLI and the Python
 * module pass the process's): $ATMOGRAPH_ENGINE if set, else the engine whose
 * $ATMOGRAPH_BUILDAH/_PODMAN/_DOCKER is set, else the first of buildah,
 * podman, docker found on $PATH (buildah when none is). Empty values count as
 * unset.
 * @param env  looks a variable up; NULL: an empty environment (the engines are
 *             then searched in the path execvp() uses without PATH, confstr(_CS_PATH))
 * @return 0 or ATMO_EINVALID ($ATMOGRAPH_ENGINE names no engine)
 */
ATMO_EXTERN int atmo_engine_default_env(atmo_engine_kind *out, atmo_env_lookup env, void *payload);

/**
 * atmo_engine_default_env() with an empty environment. Earlier versions read
 * the process environment; the library reads none now (no options struct
 * changed, so no version moved): callers pass theirs to
 * atmo_engine_default_env() and atmo_engine_options_env().
 * @return 0
 */
ATMO_EXTERN int atmo_engine_default(atmo_engine_kind *out);

/** How to call the engine. Start from ATMO_ENGINE_OPTIONS_INIT. */
typedef struct atmo_engine_options {
	unsigned int version; /**< ATMO_ENGINE_OPTIONS_VERSION */
	atmo_engine_kind kind;
	const char *program;        /**< NULL: the engine's name ("buildah", "docker", "podman") */
	const char *isolation;      /**< buildah --isolation; NULL: "chroot" */
	const char *storage_driver; /**< buildah/podman --storage-driver; NULL: "vfs" */
	const char *storage_root;   /**< buildah/podman --root; NULL: the engine's */
	const char *
		engine_version; /**< e.g. "1.28.2"; NULL: probed at run time, assumed old for plans */
	const char *builder; /**< docker buildx --builder NAME (a buildx builder: docker-container,
				          remote or kubernetes driver); NULL: buildx's current one.
				          Not allowed with buildah or podman (ATMO_EINVALID) */
} atmo_engine_options;

#define ATMO_ENGINE_OPTIONS_VERSION 1
#define ATMO_ENGINE_OPTIONS_INIT                                                                   \
	{                                                                                          \
		ATMO_ENGINE_OPTIONS_VERSION, ATMO_ENGINE_BUILDAH, NULL, NULL, NULL, NULL, NULL,    \
			NULL                                                                       \
	}

/**
 * Fill the fields of eo left NULL from the environment the caller passes (the
 * library reads no environment itself; the CLI and the Python module pass the
 * process's): program from $ATMOGRAPH_BUILDAH, _DOCKER or _PODMAN (by eo->kind,
 * so pick the kind first), isolation from $ATMOGRAPH_ISOLATION, storage_driver
 * from $ATMOGRAPH_STORAGE_DRIVER, storage_root from $ATMOGRAPH_STORAGE_ROOT.
 * Empty values count as unset. The strings are borrowed from the lookup: they
 * must live as long as eo is used (getenv()'s do).
 * @param env  NULL: an empty environment (eo is left as it is)
 */
ATMO_EXTERN void atmo_engine_options_env(atmo_engine_options *eo, atmo_env_lookup env,
					 void *payload);

/**
 * Ask the engine for its version ("buildah --version").
 * @param[out] out  e.g. "1.28.2", caller frees with atmo_free()
 */
ATMO_EXTERN int atmo_engine_probe_version(char **out, const atmo_engine_options *eo,
					  atmo_error *err);

/* ---- lowering ---- */

/**
 * Rewrite a Dockerfile for an engine without heredocs and COPY --link:
 * RUN heredocs become a script written with printf and run; COPY/ADD
 * heredocs become files of a generated build context named
 * "atmo-heredocs" (written under heredoc_dir by atmo_lowered_write());
 * `--link` is dropped. Everything else is kept byte for byte.
 * @param[out] out  the lowered text (caller frees with atmo_free()); @param[out] n_lowered  heredocs lowered
 * @param[out] files  NULL or a new JSON object {"relative/path": "content"} to write
 *                    into the atmo-heredocs context (caller decrefs)
 * @return 0, ATMO_EUNSUPPORTED (err names the instruction and line), ATMO_EINVALID
 */
ATMO_EXTERN int atmo_dockerfile_lower(char **out, size_t *n_lowered, json_t **files,
				      const char *text, size_t len, const char *source,
				      atmo_error *err);

/* ---- plans ---- */

typedef struct atmo_plan atmo_plan;

typedef struct atmo_plan_options {
	unsigned int version; /**< ATMO_PLAN_OPTIONS_VERSION */
	atmo_engine_options engine;
	int stages;           /**< one step per used stage (--target), then the image */
	const char *work_dir; /**< lowered Dockerfiles, iid files; NULL: ".atmograph" */
	int lower;            /**< -1: by engine and version, 0: never, 1: always */
	int push;             /**< push each target's image to every one of its tags:
				          docker buildx build --push (with --load for one platform
				          and no output, so the image can still be read: buildx and
				          BuildKit 0.13 or newer); buildah/podman: one "push" step
				          per tag after the build. A target without tags is an
				          error (ATMO_EINVALID). Targets are never taken from the
				          cache of earlier runs then (the push must happen). */
} atmo_plan_options;

#define ATMO_PLAN_OPTIONS_VERSION 1
#define ATMO_PLAN_OPTIONS_INIT                                                                     \
	{                                                                                          \
		ATMO_PLAN_OPTIONS_VERSION, ATMO_ENGINE_OPTIONS_INIT, 0, NULL, -1, 0                \
	}

/** One engine call. Borrowed; lives as long as the plan. */
typedef struct atmo_plan_step {
	const char *target;  /**< bake target name */
	const char *stage;   /**< the stage of a --stages step; NULL for the image itself */
	const char *image;   /**< the reference the step tags */
	size_t target_index; /**< index into the bake's targets */
	size_t wave;
	const char *const *argv;  /**< NULL-terminated */
	const char *dockerfile;   /**< the file the engine reads (lowered or original) */
	const char *lowered_text; /**< NULL when the Dockerfile is used as it is */
	size_t n_lowered;
	const char *action; /**< "build", or "push" (buildah/podman with push: image is
				          the tag pushed to, as docker://TAG) */
} atmo_plan_step;

/**
 * Plan the build of targets (names of targets or groups; none: "default").
 * @param[out] out  free with atmo_plan_free()
 */
ATMO_EXTERN int atmo_plan_new(atmo_plan **out, const atmo_bake *b, const char *const *names,
			      size_t n_names, const atmo_plan_options *opts, atmo_error *err);
ATMO_EXTERN void atmo_plan_free(atmo_plan *p);

/** Waves of independent targets: count, and the bake target indices of wave w. */
ATMO_EXTERN size_t atmo_plan_wave_count(const atmo_plan *p);
ATMO_EXTERN const size_t *atmo_plan_wave(const atmo_plan *p, size_t w, size_t *n);
ATMO_EXTERN size_t atmo_plan_step_count(const atmo_plan *p);
ATMO_EXTERN const atmo_plan_step *atmo_plan_step_at(const atmo_plan *p, size_t i);
ATMO_EXTERN const atmo_bake *atmo_plan_bake(const atmo_plan *p);

/** The plan as JSON (schema "atmograph.plan/1"): waves, steps, argv. New reference. */
ATMO_EXTERN int atmo_plan_to_json(json_t **out, const atmo_plan *p, atmo_error *err);

/**
 * Targets as a bake file in the form `docker buildx bake --print` writes
 * (atmo_bake_print(): group "default" with the targets named (none: the default
 * group) and every target they link to, "target:x" contexts kept), so
 * `docker buildx bake -f FILE` builds the same family on BuildKit's own workers,
 * which schedule it themselves: no engine is asked and nothing is lowered.
 * Relative paths ("context", directory "contexts") are rewritten to be relative
 * to dest_dir, the directory the file is written to (buildx reads them against
 * its working directory: run it there); they stay as written when dest_dir is
 * the bake file's directory.
 * @param[out] out  a new reference
 * @param dest_dir  NULL: the current directory
 * @return 0, ATMO_ENOTFOUND (an unknown target or group), ATMO_EIO (a directory
 *         that cannot be resolved), ATMO_ENOMEM, or what atmo_bake_print() returns
 */
ATMO_EXTERN int atmo_plan_bake_json(json_t **out, const atmo_bake *b, const char *const *names,
				    size_t n_names, const char *dest_dir, atmo_error *err);

/** Quote an argv for display (POSIX shell quoting); caller frees with atmo_free(). */
ATMO_EXTERN char *atmo_argv_display(const char *const *argv);

/* ---- runs ---- */

typedef enum {
	ATMO_BUILD_EVENT_START = 0, /**< a target started */
	ATMO_BUILD_EVENT_STEP,      /**< the engine reported a step ("STEP 3/9: RUN ...") */
	ATMO_BUILD_EVENT_DONE /**< a target finished: status "built", "cached", "failed", "skipped" */
} atmo_build_event_kind;

typedef struct atmo_build_event {
	atmo_build_event_kind kind;
	const char *target;
	const char *stage;  /**< the stage being built (--stages), else NULL */
	const char *status; /**< DONE: the status */
	const char *step;   /**< STEP: the engine's line */
	double elapsed_s;
	const char *log; /**< the target's log file */
} atmo_build_event;

typedef void (*atmo_build_callback)(const atmo_build_event *ev, void *payload);

typedef struct atmo_build_options {
	unsigned int version;          /**< ATMO_BUILD_OPTIONS_VERSION */
	unsigned int jobs;             /**< targets built at once; 0: 1 */
	int keep_going;                /**< finish independent targets after a failure */
	int force;                     /**< rebuild even when the inputs are unchanged */
	int export_images;             /**< export each image as an OCI archive and inspect it */
	const char *out_dir;           /**< archives, state; NULL: plan work_dir */
	const char *log_dir;           /**< one log per target; NULL: out_dir/logs */
	const char *report_path;       /**< the report, written atomically; NULL: none */
	volatile sig_atomic_t *cancel; /**< set to non-zero (from a signal handler) to stop */
	atmo_build_callback callback;
	void *payload;
} atmo_build_options;

#define ATMO_BUILD_OPTIONS_VERSION 1
#define ATMO_BUILD_OPTIONS_INIT                                                                    \
	{                                                                                          \
		ATMO_BUILD_OPTIONS_VERSION, 1, 0, 0, 1, NULL, NULL, NULL, NULL, NULL, NULL         \
	}

/**
 * Run a plan. On cancellation the engines started get SIGTERM (then SIGKILL)
 * on their process groups and no report is written.
 *
 * With export_images, each target's entry of the report gets, from the images
 * exported (the target's and, with --stages, each stage's):
 *  - "layers": [{"diff_id", "size"}] of the target's image (bottom first), kept so
 *    that targets built on it later, even from a cached entry, can use it;
 *  - per stage "own_bytes": atmo_sizes_own_bytes() (sizes.h), the bytes of the stage
 *    image's layers beyond its parent's layer list, the parent being the stage or
 *    linked target ("target:x" context) its FROM names; a stage FROM an external
 *    image counts all its layers; left out when the parent's layers are unknown;
 *  - "kept_out" {"bytes", "layers", "packages"}: atmo_sizes_kept_out() (sizes.h), the
 *    same definition as atmo_sizes_compute(): the bytes of the layers held by the
 *    build-only stages' images (base chain included) whose diff_id is not in the
 *    target's image, each distinct layer once, and the dpkg packages present in
 *    any build-only stage's image and absent from the target's image.
 * A target built whose entry is incomplete (an export failed, so no sizes; the
 * engine's image id file held no valid digest) keeps status "built" and gets
 * "warnings": ["..."], also written to its log. Digests (iidfile, `inspect`,
 * the state file) are accepted only as sha256:<64 hex> or sha512:<128 hex>.
 * @param[out] report  the build report (schema "atmograph.build-report/1"), also
 *                     written to opts->report_path; NULL allowed
 * @return 0 when every target was built or cached, ATMO_EENGINE when one
 *         failed (the report says which), ATMO_ECANCELLED, ATMO_EIO
 */
ATMO_EXTERN int atmo_build_run(json_t **report, const atmo_plan *p, const atmo_build_options *opts,
			       atmo_error *err);

/**
 * The last lines of a build log (a target's log file, atmo_build_event.log),
 * so a failure can be shown where it happened. Only the end of the file is
 * read (64 KiB at most), so a huge log costs no more than a small one.
 * @param[out] out  the last max_lines lines of the file, each ending with a
 *                  newline ("" for an empty file or max_lines 0); caller frees with atmo_free()
 * @return 0, ATMO_ENOTFOUND (no such file), ATMO_EIO, ATMO_EINVALID (no path)
 */
ATMO_EXTERN int atmo_build_log_tail(char **out, const char *path, size_t max_lines,
				    atmo_error *err);

/** Deprecated name of atmo_sizes_annotate_report() (sizes.h). */
ATMO_EXTERN int atmo_report_annotate(json_t *graph_doc, const json_t *report, atmo_error *err);

/**
 * The name of the build report's target whose "dockerfile" is the file at
 * path dockerfile (the file itself is compared: device and inode, so links
 * and different spellings of one path match). A target's relative
 * "dockerfile" is tried against each of bases (the directories report paths
 * may be relative to: where the build ran, the report's directory, ...),
 * against the current directory when n_bases is 0; an absolute one as it is.
 * Targets without a string "dockerfile" are skipped.
 * When several targets are built from the file (e.g. two bake targets naming
 * different stages of one Dockerfile), the one whose name sorts first
 * (strcmp, byte order) is chosen, so the answer never depends on the order of
 * the report's keys.
 * @param[out] name  borrowed from report (valid while report lives); NULL on error
 * @return 0, ATMO_ENOTFOUND (no target matches, or dockerfile does not
 *         exist; err.source is dockerfile) or ATMO_EINVALID (not a build report)
 */
ATMO_EXTERN int atmo_report_find_target(const char **name, const json_t *report,
					const char *dockerfile, const char *const *bases,
					size_t n_bases, atmo_error *err);

#ifdef __cplusplus
}
#endif
#endif
