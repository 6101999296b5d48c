# make check-oom: C test suites run with an allocator that fails the N-th allocation
# (tests/c/oom_harness.h, ATMOGRAPH_OOM_FAIL_AT=N), for N = 1, 2, ... until a run makes
# no failing allocation, in the ASan/UBSan build; each run must not crash (a run may
# fail its assertions: a call gave ATMO_ENOMEM where the test expects success).
# OOM_TESTS picks the suites. test_render makes ~150k allocations at ~1 s a run, so by
# default it is sampled every OOM_STEP_test_render-th allocation; every N:
# `make check-oom OOM_TESTS=test_render OOM_STEP_test_render=1` (days), or a window:
# `OOM_FROM=1 OOM_MAX=300`.
# test_dockerfile (~3,400 allocations) and test_conformance (~460) are sampled too, so
# that each stays under a minute on a loaded machine; every N of them takes ~5 min.
OOM_TESTS ?= test_util test_image test_render test_dockerfile test_conformance
OOM_FROM ?= 1
OOM_STEP ?= 1
OOM_STEP_test_render ?= 1499
OOM_STEP_test_dockerfile ?= 29
OOM_STEP_test_conformance ?= 2
OOM_MAX ?= 0

check-oom:
	$(MAKE) BUILD=build-asan SANITIZE=1 lib $(addprefix build-asan/tests/,$(OOM_TESTS))
	@fail=0; $(foreach t,$(OOM_TESTS),ATMOGRAPH_TEST_DATA=$(abspath tests/data) \
	  tests/c/oom_run.sh build-asan/tests/$(t) $(OOM_FROM) $(or $(OOM_STEP_$(t)),$(OOM_STEP)) \
	  $(OOM_MAX) || fail=1;) exit $$fail

.PHONY: check-oom
