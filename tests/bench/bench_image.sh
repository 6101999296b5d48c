#!/usr/bin/env bash
# Image reader benchmark: about 1 GiB in 100k files over 4 layers, in three forms
# (uncompressed docker-archive, gzip OCI layout, zstd OCI layout), generated in a
# temporary directory under /tmp and removed at the end. Prints atmograph's time
# and peak RSS next to its peers and PASS/MISS for each target.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${ATMOGRAPH_BUILD:-$here/../../build}
cli=${ATMOGRAPH_CLI:-$build/atmograph}
gen=$build/bench/bench_image_gen
py=${PY:-/usr/bin/python3}
total=${BENCH_IMAGE_BYTES:-1073741824}
files=${BENCH_IMAGE_FILES:-100000}
layers=${BENCH_IMAGE_LAYERS:-4}
if [ ! -x "$gen" ]; then
	echo "bench_image: $gen is missing (make bench builds it)" >&2
	exit 1
fi
dir=$(mktemp -d /tmp/atmograph-bench-image.XXXXXX)
trap 'rm -rf "$dir"' EXIT
start=$(date +%s.%N)
"$gen" "$dir" "$total" "$files" "$layers"
printf 'bench_image: generated %s bytes in %s files in %.1f s\n' "$total" "$files" \
	"$(echo "$(date +%s.%N) - $start" | bc)"
"$py" "$here/image_bench_run.py" "$dir" "$cli" "$layers"
