/* Internal to the image module: the rule set of atmograph check (check.c, check_load.c). */
#ifndef ATMO_IMAGE_CHECK_INT_H
#define ATMO_IMAGE_CHECK_INT_H

#include <stdint.h>
#include <jansson.h>
#include "atmograph/check.h"

enum { CHECK_GROWTH_OFF = 0, CHECK_GROWTH_BYTES, CHECK_GROWTH_RATIO };

struct atmo_check_rules {
	int has_eff, has_wasted, has_user, has_size;
	double lowest_eff; /* ratio */
	uint64_t highest_wasted;
	double highest_user; /* ratio */
	uint64_t highest_size;
	int growth_kind; /* CHECK_GROWTH_* */
	uint64_t growth_bytes;
	double growth_ratio;
	char *baseline_path;
	json_t *baseline; /* image/1 or check/1 document */
	char **forbid;    /* fnmatch globs */
	size_t n_forbid;
	char *report_path;
	json_t *report; /* build-report/1 */
	char *report_target;
};

#endif
