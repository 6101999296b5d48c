#!/usr/bin/env bash
# Bake read time: a generated 500-target docker-bake.hcl (variables, templates,
# a user function, inherits, a matrix) read in process by tests/bench/bake_bench.c,
# next to the same targets in the JSON form `--print` writes (the peer, measured in
# the same run). Target: the HCL file in <= 20 ms a read.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=${ATMOGRAPH_BUILD:-$REPO/build}
BENCH=$BUILD/bench/bake_bench
if [ ! -x "$BENCH" ]; then
	echo "bench_bake: $BENCH is missing; run 'make bench' (it builds tests/bench/*.c)" >&2
	exit 1
fi
"$BENCH" 500 1
