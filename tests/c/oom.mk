# make check-oom: C test suites run with an allocator that fails the N-th allocation
# (tests/c/oom_harness.h, ATMOGRAPH_OOM_FAIL_AT=N), for N = 1, 2, ... until a run makes
# no failing allocation, in the ASan/UBSan build; each run must not crash.
# OOM_TESTS picks the suites; OOM_STEP and OOM_MAX thin out the long ones
# (test_render makes ~150k allocations: `make check-oom OOM_TESTS=test_render OOM_STEP=1000`).
OOM_TESTS ?= test_util test_image test_render
OOM_FROM ?= 1
OOM_STEP ?= 1
OOM_MAX ?= 0

check-oom:
	$(MAKE) BUILD=build-asan SANITIZE=1 lib $(addprefix build-asan/tests/,$(OOM_TESTS))
	@fail=0; for t in $(OOM_TESTS); do \
	  ATMOGRAPH_TEST_DATA=$(abspath tests/data) tests/c/oom_run.sh build-asan/tests/$$t \
	    $(OOM_FROM) $(OOM_STEP) $(OOM_MAX) || fail=1; \
	done; exit $$fail

.PHONY: check-oom
