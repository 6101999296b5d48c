#!/bin/sh
# Run one C test binary with the N-th allocation failing (tests/c/oom_harness.h),
# N = FROM, FROM+STEP, ... until a run makes no failing allocation (every
# allocation path was tried) or N passes MAX. A run may fail its assertions (a
# call returning ATMO_ENOMEM where a test expects success); it must not crash:
# no signal, no AddressSanitizer or UndefinedBehaviorSanitizer report.
# Usage: oom_run.sh TEST [FROM] [STEP] [MAX]
t=$1; n=${2:-1}; step=${3:-1}; max=${4:-0}; from=$n
name=$(basename "$t")
log=${TMPDIR:-/tmp}/atmograph-oom-$name-$$.log
runs=0
trap 'echo "$name: stopped at N = $n after $runs runs; no crash so far"; rm -f "$log"; exit 2' TERM INT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:exitcode=99:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:exitcode=98:print_stacktrace=1}
while :; do
	ATMOGRAPH_OOM_FAIL_AT=$n "$t" >"$log" 2>&1
	rc=$?
	runs=$((runs + 1))
	if [ $rc -ge 98 ] || grep -q 'ERROR: AddressSanitizer\|runtime error:' "$log"; then
		echo "$name: CRASH with allocation $n failing (exit $rc):"
		grep -B2 -A25 'ERROR: AddressSanitizer\|runtime error:\|Segmentation\|Aborted' "$log" | head -60
		rm -f "$log"
		exit 1
	fi
	if grep -q 'atmograph-oom: .* none failed' "$log"; then
		echo "$name: $runs runs, N = $from..$n step $step; no crash; $(grep "atmograph-oom:" "$log")"
		rm -f "$log"
		exit 0
	fi
	n=$((n + step))
	if [ "$max" -gt 0 ] && [ $n -gt "$max" ]; then
		echo "$name: $runs runs up to N = $((n - step)) (step $step, stopped at MAX $max); no crash"
		rm -f "$log"
		exit 0
	fi
done
