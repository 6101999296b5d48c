/*
 * Out-of-memory runs (make check-oom, tests/c/oom.mk): with ATMOGRAPH_OOM_FAIL_AT=N
 * in the environment, the N-th allocation the library (and jansson) makes fails,
 * through atmo_set_allocator() (as jansson's test_chaos). The TEST reads the
 * variable, the library reads no environment. At exit the test prints
 * "atmograph-oom: failed allocation N of M" when it got that far, else
 * "atmograph-oom: M allocations, none failed" (the run that ends the loop).
 * Included by harness.h: every C test has it.
 */
#ifndef ATMO_TEST_OOM_HARNESS_H
#define ATMO_TEST_OOM_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include "atmograph/alloc.h"

/* test-only state of one test process */
static unsigned long oom_fail_at, oom_count;
static int oom_failed, oom_paused;

/* Fixtures a test builds with jansson (its input files) are not what is under test:
   between test_oom_pause() and test_oom_resume() nothing fails and nothing counts. */
static inline void test_oom_pause(void)
{
	oom_paused++;
}

static inline void test_oom_resume(void)
{
	oom_paused--;
}

static int oom_should_fail(void)
{
	if (oom_paused)
		return 0;
	return ++oom_count == oom_fail_at ? (oom_failed = 1) : 0;
}

static void *oom_malloc(size_t n)
{
	return oom_should_fail() ? NULL : malloc(n);
}

static void *oom_realloc(void *p, size_t n)
{
	return oom_should_fail() ? NULL : realloc(p, n);
}

/* make check-oom: the call under test may give ATMO_ENOMEM once the test
 * allocator has failed an allocation; the test then goes to its cleanup, having
 * freed what it holds, so that a leak report is the library's. */
static inline int oom_hit(int rc)
{
	return rc == ATMO_ENOMEM && oom_failed;
}

/* call must give want, or ATMO_ENOMEM after a failed allocation: then `goto done` */
#define OOM_EXPECT(call, want)                                                                     \
	do {                                                                                       \
		int rc_ = (call);                                                                  \
		if (oom_hit(rc_))                                                                  \
			goto done;                                                                 \
		assert_int_equal(rc_, (want));                                                     \
	} while (0)

static void oom_report(void)
{
	if (oom_failed)
		fprintf(stderr, "atmograph-oom: failed allocation %lu of %lu\n", oom_fail_at, oom_count);
	else
		fprintf(stderr, "atmograph-oom: %lu allocations, none failed\n", oom_count);
}

__attribute__((constructor)) static void oom_install(void)
{
	const char *n = getenv("ATMOGRAPH_OOM_FAIL_AT");

	if (!n || !*n)
		return;
	oom_fail_at = strtoul(n, NULL, 10);
	atmo_set_allocator(oom_malloc, oom_realloc, free);
	atexit(oom_report);
}

#endif
