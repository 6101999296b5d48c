/* Shared by the cmocka tests: includes and small helpers. */
#ifndef ATMO_TEST_HARNESS_H
#define ATMO_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "atmograph/atmograph.h"
#include "oom_harness.h"

/* Path of a file under tests/data (ATMOGRAPH_TEST_DATA), in a static buffer per call site. */
static inline const char *test_data_path(char *buf, size_t n, const char *rel)
{
	const char *root = getenv("ATMOGRAPH_TEST_DATA");
	snprintf(buf, n, "%s/%s", root ? root : "tests/data", rel);
	return buf;
}

/* Root of BuildKit's conformance vectors, copied into tests/data/buildkit
 * (parser testfiles, negative cases, shell envVarTest and wordsTest; Apache-2.0,
 * LICENSE beside them) so that the tests run without ../shared. */
static inline const char *test_conformance_root(char *buf, size_t n)
{
	return test_data_path(buf, n, "buildkit");
}

#endif
