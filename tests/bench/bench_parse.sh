#!/usr/bin/env bash
# Parser throughput: atmograph (in process, tests/bench/parse_bench.c built by
# `make` into $ATMOGRAPH_BUILD/bench) against the npm package dockerfile-ast
# parsing the same input in the same run. The input is BuildKit's 33
# conformance Dockerfiles concatenated and repeated to about 50 MB.
# Targets: >= 100 MB/s and >= 50x the peer.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=${ATMOGRAPH_BUILD:-$REPO/build}
SHARED=${ATMOGRAPH_SHARED:-$REPO/../shared}
CASES=$SHARED/conformance/buildkit/parser/testfiles
BENCH=$BUILD/bench/parse_bench
TARGET_MBPS=100
TARGET_RATIO=50
SIZE_MB=${BENCH_PARSE_MB:-50}

if [ ! -x "$BENCH" ]; then
	echo "bench_parse: $BENCH is missing; run 'make bench' (it builds tests/bench/*.c)" >&2
	exit 1
fi
if [ ! -d "$CASES" ]; then
	echo "bench_parse: conformance data absent ($CASES), skipped"
	exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# One round of the 33 files, a newline after each (some end without one). A
# file ending in a line continuation would swallow the next file's FROM: such
# a file gets "x=1" after it, which completes an ENV or a RUN harmlessly.
for f in "$CASES"/*/Dockerfile; do
	cat "$f"; echo
	if tail -n 1 "$f" | grep -q '\\[[:space:]]*$'; then echo "  x=1"; fi
done > "$TMP/one"
one=$(stat -c %s "$TMP/one")
reps=$(( SIZE_MB * 1000000 / one + 1 ))
# repeat by doubling (a few cat calls instead of thousands)
cp "$TMP/one" "$TMP/chunk"; n=1; : > "$TMP/input.Dockerfile"; left=$reps
while [ "$left" -gt 0 ]; do
	if [ $((left & 1)) -eq 1 ]; then cat "$TMP/chunk" >> "$TMP/input.Dockerfile"; fi
	left=$((left >> 1))
	[ "$left" -gt 0 ] && { cat "$TMP/chunk" "$TMP/chunk" > "$TMP/chunk2"; mv "$TMP/chunk2" "$TMP/chunk"; n=$((n * 2)); }
done
bytes=$(stat -c %s "$TMP/input.Dockerfile")
echo "bench_parse: input $bytes bytes ($reps x the 33 conformance Dockerfiles)"

out=$("$BENCH" "$TMP/input.Dockerfile" 3) || { echo "bench_parse: atmograph failed" >&2; exit 1; }
echo "$out (the whole input as one Dockerfile)"
ours=$(echo "$out" | sed -n 's/.* \([0-9.]*\) MB\/s$/\1/p')
out=$("$BENCH" "$TMP/input.Dockerfile" 3 "$one") || { echo "bench_parse: atmograph failed" >&2; exit 1; }
echo "$out (as $reps documents of $one bytes)"
ours_docs=$(echo "$out" | sed -n 's/.* \([0-9.]*\) MB\/s$/\1/p')

# dockerfile-ast slows down superlinearly on big documents (5 MB: ~0.2 MB/s),
# so it parses the same input as the $reps documents it is made of, for at
# most PEER_SECONDS of CPU time; atmograph's like-for-like figure is above.
PEER_SECONDS=${BENCH_PEER_SECONDS:-20}
peer=""
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
	echo "bench_parse: npm/node not found, peer dockerfile-ast skipped"
elif ! (cd "$TMP" && timeout 300 npm install --no-audit --no-fund --silent --prefix "$TMP/peer" dockerfile-ast >"$TMP/npm.log" 2>&1); then
	echo "bench_parse: 'npm install dockerfile-ast' failed, peer skipped ($(tail -1 "$TMP/npm.log"))"
else
	cat > "$TMP/peer.js" <<'JS'
const fs = require("fs");
const path = require("path");
const { DockerfileParser } = require(path.join(process.argv[2], "node_modules", "dockerfile-ast"));
const buf = fs.readFileSync(process.argv[3]);
const doc = Number(process.argv[4]);
const budget = Number(process.argv[5]);
const docs = [];
for (let off = 0; off < buf.length; off += doc)
	docs.push(buf.subarray(off, Math.min(off + doc, buf.length)).toString("utf8"));
const t0 = process.cpuUsage();
let bytes = 0, n = 0, parsed = 0, t = 0;
for (let i = 0; i < docs.length; i++) {
	n += DockerfileParser.parse(docs[i]).getInstructions().length;
	bytes += Math.min(doc, buf.length - i * doc);
	parsed++;
	const u = process.cpuUsage(t0);
	t = (u.user + u.system) / 1e6;
	if (t > budget)
		break;
}
console.log(`dockerfile-ast: ${bytes} bytes, ${n} instructions, ${parsed} of ${docs.length} documents, ${t.toFixed(3)} s, ${(bytes / t / 1e6).toFixed(2)} MB/s`);
JS
	if pout=$(node "$TMP/peer.js" "$TMP/peer" "$TMP/input.Dockerfile" "$one" "$PEER_SECONDS" 2>"$TMP/node.err"); then
		echo "$pout"
		peer=$(echo "$pout" | sed -n 's/.* \([0-9.]*\) MB\/s$/\1/p')
	else
		echo "bench_parse: dockerfile-ast failed: $(tail -2 "$TMP/node.err")"
	fi
fi

verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 >= b + 0) ? "PASS" : "MISS" }'; }
echo "parse throughput: atmograph $ours MB/s on the whole ${bytes}-byte input (target >= $TARGET_MBPS MB/s): $(verdict "$ours" "$TARGET_MBPS")"
if [ -n "$peer" ]; then
	ratio=$(awk -v a="$ours_docs" -v b="$peer" 'BEGIN { printf "%.1f", (b > 0) ? a / b : 0 }')
	echo "parse throughput: per document atmograph $ours_docs MB/s, dockerfile-ast $peer MB/s: ${ratio}x (target >= ${TARGET_RATIO}x): $(verdict "$ratio" "$TARGET_RATIO")"
else
	echo "parse throughput: peer not measured, ratio target (>= ${TARGET_RATIO}x) not checked"
fi
