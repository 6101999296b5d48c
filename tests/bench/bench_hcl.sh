#!/usr/bin/env bash
# HCL parsing speed: hcl_parse of a generated 500-target bake file, next to
# jansson loading the same content as JSON in the same run (tests/bench/hcl_bench.c,
# built by `make` into $ATMOGRAPH_BUILD/bench). Target: a parse under 20 ms.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=${ATMOGRAPH_BUILD:-$REPO/build}
BENCH=$BUILD/bench/hcl_bench
if [ ! -x "$BENCH" ]; then
	echo "bench_hcl: $BENCH is missing; run 'make bench' (it builds tests/bench/*.c)" >&2
	exit 1
fi
exec "$BENCH" 500 1
