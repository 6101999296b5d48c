/*
 * atmograph: CI gates over built images (`atmograph check`).
 *
 * A rule set holds thresholds; each image is measured against every rule set in it
 * and gets one result per rule: "pass", "fail" or "skip". The three rules of dive's
 * CI mode use dive's definitions:
 *  - lowestEfficiency: the image's efficiency score (atmograph.image/1
 *    efficiency.score) must be at least the threshold (a ratio 0..1, or "N%");
 *  - highestWastedBytes: dive's wasted bytes (efficiency.wasted_bytes: the summed
 *    cumulative size of every path present in more than one layer) at most the
 *    threshold (bytes, or a size such as "20MB" or "20MiB");
 *  - highestUserWastedPercent: those wasted bytes over the bytes of every layer but
 *    the first (dive's "user" bytes) at most the threshold (ratio, or "N%");
 * and atmograph's own:
 *  - highestImageSize: the image's bytes (size.bytes: the files of every layer) at most
 *    the threshold;
 *  - highestGrowth: bytes minus the baseline's bytes at most the threshold, a size or
 *    "N%" of the baseline (needs a baseline: an "atmograph.image/1" document, as
 *    `inspect --json` writes; an "atmograph.check/1" one, matched by source or digest;
 *    or a build report "atmograph.build-report/1", its target named by report-target,
 *    else the one whose digest is the image's, else its only one);
 *  - forbidPackages: no installed dpkg package matches one of the fnmatch(3) globs;
 *  - noBuildOnlyPackages: none of the packages a build kept out of its final image
 *    (a build report's kept_out.packages; or the packages of its build-only stages
 *    absent from its in-final stages) is installed in the image.
 * The value "disabled" turns a rule off (as in dive's .dive-ci).
 *
 * The check document, schema "atmograph.check/1":
 * {schema, passed, summary {images, rules, passed, failed, skipped},
 *  images [{source, ref, digest, passed,
 *           figures {bytes, compressed, user_bytes, efficiency, wasted_bytes,
 *                    user_wasted_percent, packages (count or null)},
 *           rules [{rule, status: "pass"|"fail"|"skip", value, threshold, message}]}]}
 */
#ifndef ATMOGRAPH_CHECK_H
#define ATMOGRAPH_CHECK_H

#include <stddef.h>
#include <jansson.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct atmo_check_rules atmo_check_rules;
struct atmo_image;

/**
 * A rule set with no rule on.
 * @param[out] out  free with atmo_check_rules_free()
 */
ATMO_EXTERN int atmo_check_rules_new(atmo_check_rules **out, atmo_error *err);

/** Free a rule set. NULL-safe. */
ATMO_EXTERN void atmo_check_rules_free(atmo_check_rules *r);

/**
 * Set one rule from its text form, as an option or a rules file gives it.
 * Names: the rules above in dive's camelCase or as kebab-case options
 * ("lowest-efficiency", "highest-wasted-bytes", "highest-user-wasted-percent",
 * "highest-image-size", "highest-growth", "forbid-package" (adds one glob),
 * "baseline" (a file), "build-report" (a file), "report-target" (the report's
 * target to take; default: the target whose digest is the image's, else every target)).
 * A later value replaces an earlier one (forbid-package adds).
 * @param source  where the value comes from, for errors ("--lowest-efficiency",
 *                "rules.json"); line/col locate it in that file (0 when unknown)
 * @return 0, ATMO_EINVALID (unknown name, bad value: located at source:line:col),
 *         ATMO_ENOTFOUND / ATMO_EIO (baseline or report file), ATMO_ENOMEM
 */
ATMO_EXTERN int atmo_check_rules_set(atmo_check_rules *r, const char *name, const char *value,
				     const char *source, int line, int col, atmo_error *err);

/**
 * Read a rules file: JSON (`{"rules": {"lowestEfficiency": 0.9, ...}}`), or YAML of
 * the same shape (dive's .dive-ci form) when its name ends in .yaml or .yml. Numbers
 * and strings are taken as atmo_check_rules_set() takes text; forbidPackages is a
 * list of globs (or one string); baseline and buildReport paths are relative to the
 * file's directory. Errors name the file, line and column.
 * @return 0, ATMO_ENOTFOUND, ATMO_EIO, ATMO_EINVALID, ATMO_ENOMEM
 */
ATMO_EXTERN int atmo_check_rules_load(atmo_check_rules *r, const char *path, atmo_error *err);

/**
 * The same from text: path names it in errors, tells YAML (.yaml, .yml) from JSON and
 * is where relative baseline and buildReport paths start.
 * @param text  len bytes (a NUL byte among them is an error)
 */
ATMO_EXTERN int atmo_check_rules_load_string(atmo_check_rules *r, const char *text, size_t len,
					     const char *path, atmo_error *err);

/** 1 when a rule on needs the image's packages (atmo_image_options.packages). */
ATMO_EXTERN int atmo_check_rules_need_packages(const atmo_check_rules *r);

/** 1 when no rule is on. */
ATMO_EXTERN int atmo_check_rules_empty(const atmo_check_rules *r);

/**
 * Turn on dive's CI defaults for the rules not set: lowestEfficiency 0.9,
 * highestUserWastedPercent 0.1 (highestWastedBytes stays off).
 */
ATMO_EXTERN void atmo_check_rules_defaults(atmo_check_rules *r);

/**
 * Measure images against the rules: the check document described above.
 * @param[out] out  a new reference, caller decrefs
 * @param images    the images (borrowed); packages read when rules need them
 * @return 0 (whether or not rules failed: see "passed"), ATMO_EINVALID (a baseline
 *         without an entry for an image, an image without packages for a package
 *         rule), ATMO_ENOMEM
 */
ATMO_EXTERN int atmo_check_images(json_t **out, const atmo_check_rules *r,
				  const struct atmo_image *const *images, size_t n_images,
				  atmo_error *err);

/** Options of atmo_check_report(). Start from ATMO_CHECK_REPORT_OPTIONS_INIT. */
typedef struct atmo_check_report_options {
	unsigned int version; /**< ATMO_CHECK_REPORT_OPTIONS_VERSION */
	const char *source;   /**< the report's name in errors; NULL: none */
} atmo_check_report_options;

#define ATMO_CHECK_REPORT_OPTIONS_VERSION 1
#define ATMO_CHECK_REPORT_OPTIONS_INIT                                                             \
	{                                                                                          \
		ATMO_CHECK_REPORT_OPTIONS_VERSION, NULL                                            \
	}

/**
 * Measure what a build made against the rules (`atmograph build --check`): the image
 * of every target of a build report ("atmograph.build-report/1") that was built or
 * cached, read from the archive the build exported ("archive", a path as the report
 * gives it), in target name order. Failed and skipped targets are left out (the
 * build fails on them already). The result is the check document described above,
 * each image entry with one more member, "target" (the report's target name).
 * noBuildOnlyPackages needs a build report in the rules (an earlier build's): the
 * report measured here cannot serve, its kept_out lists only packages absent from
 * its own images by definition.
 * @param[out] out  a new reference, caller decrefs
 * @param opts      NULL: ATMO_CHECK_REPORT_OPTIONS_INIT
 * @return 0 (whether or not rules failed: see "passed"), ATMO_EINVALID (not a build
 *         report; a built target without an exported image; as atmo_check_images()),
 *         what atmo_image_open() returns for an archive, ATMO_ENOMEM
 */
ATMO_EXTERN int atmo_check_report(json_t **out, const atmo_check_rules *r, const json_t *report,
				  const atmo_check_report_options *opts, atmo_error *err);

/**
 * The check document as JUnit XML: one <testsuite> per image, one <testcase> per
 * rule, <failure> and <skipped> as the statuses say.
 * @param[out] out  NUL-terminated, caller frees with atmo_free()
 */
ATMO_EXTERN int atmo_check_junit(char **out, const json_t *doc, atmo_error *err);

#ifdef __cplusplus
}
#endif
#endif
