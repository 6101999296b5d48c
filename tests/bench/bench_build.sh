#!/bin/bash
# bench_build: a no-op `atmograph build` of tests/images (every target cached:
# inputs hashed, images checked in the engine) next to buildah's own cached
# rebuild (`buildah build --layers` of the same targets, same argv as the plan)
# in the same run. Target: atmograph at least 10x faster. Needs root and buildah;
# skipped with a message when the base image cannot be made.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
CLI=${ATMOGRAPH_CLI:-$REPO/build/atmograph}
PY=${PY:-/usr/bin/python3}
BUILD_DIR=${ATMOGRAPH_BUILD:-$REPO/build}
OUT=${ATMOGRAPH_EXAMPLE_DIR:-$BUILD_DIR/example-images}
STORAGE=${ATMOGRAPH_EXAMPLE_STORAGE:-/var/cache/atmograph/storage}
BAKE=$REPO/tests/images/docker-bake.json
RUNS=${BENCH_RUNS:-5}

ATMOGRAPH_STORAGE_ROOT=$STORAGE sh "$REPO/tests/images/make-base.sh" >/dev/null 2>"$BUILD_DIR/bench-base.err"
rc=$?
if [ $rc = 77 ]; then
	echo "bench_build: SKIP: the base image cannot be made here ($(cat "$BUILD_DIR/bench-base.err"))"
	exit 0
elif [ $rc != 0 ]; then
	echo "bench_build: SKIP: make-base.sh failed:"; tail -5 "$BUILD_DIR/bench-base.err"
	exit 0
fi
mkdir -p "$OUT"
build() {
	"$CLI" build -f "$BAKE" -j 2 --stages --progress plain --storage-root "$STORAGE" \
		--out "$OUT/out" --report "$OUT/bench-report.json" "$@"
}
# make sure everything is built once (not timed)
if ! build >"$OUT/bench-build.log" 2>&1; then
	echo "bench_build: the example images did not build:"; tail -20 "$OUT/bench-build.log"
	exit 1
fi

# time both in one Python process (no bc on a fresh machine)
"$CLI" plan -f "$BAKE" --json --storage-root "$STORAGE" --work-dir "$OUT/out" >"$OUT/bench-plan.json" || exit 1
exec $PY - "$CLI" "$BAKE" "$STORAGE" "$OUT" "$RUNS" <<'PYEOF'
import json, subprocess, sys, time
cli, bake, storage, out, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
report = out + "/bench-report.json"
cmd = [cli, "build", "-f", bake, "-j", "2", "--stages", "--progress", "plain",
       "--storage-root", storage, "--out", out + "/out", "--report", report]

def timed(argvs):
    t0 = time.monotonic()
    for argv in argvs:
        r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            sys.exit("bench_build: failed: %s\n%s" % (" ".join(argv), r.stderr[-2000:]))
    return time.monotonic() - t0

atmo = min(timed([cmd]) for _ in range(runs))
r = json.load(open(report))
bad = {k: v["status"] for k, v in r["targets"].items() if v["status"] != "cached"}
if bad:
    sys.exit("bench_build: the no-op build rebuilt %s" % bad)
# the peer: the engine calls of the plan's image steps, run directly (buildah --layers)
steps = [s["argv"] for s in json.load(open(out + "/bench-plan.json"))["steps"] if s["stage"] is None]
peer = min(timed(steps) for _ in range(2))
ratio = peer / atmo if atmo > 0 else float("inf")
print("bench_build: no-op rebuild of tests/images (%d targets)" % len(steps))
print("  atmograph build (all cached)      %8.3f s" % atmo)
print("  buildah build --layers (cached)   %8.3f s" % peer)
print("  speedup %.1fx, target >= 10x: %s" % (ratio, "PASS" if ratio >= 10 else "MISS"))
PYEOF
