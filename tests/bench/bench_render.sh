#!/bin/bash
# Render benchmark (make bench): 100 graphs of 7 to 30 nodes drawn in-process
# to SVG, against the same graphs as DOT fed to one `dot -Tsvg` process each
# (what sphinx.ext.graphviz does); then resident memory over 10,000 renders.
# Prints atmograph's figures next to the peer's, the targets and PASS/MISS.
# Extra arguments go to render_bench (--quick, --renders N).
set -u
BIN="${ATMOGRAPH_BUILD:-build}/bench/render_bench"
if [ ! -x "$BIN" ]; then
	echo "bench_render: $BIN is missing (make bench builds it)" >&2
	exit 1
fi
if ! command -v dot >/dev/null 2>&1; then
	echo "bench_render: the dot program (Debian package graphviz) is needed for the comparison" >&2
	exit 1
fi
exec "$BIN" "$@"
