#!/bin/bash
# bench_scale: big inputs stay linear (issue 17).
#  - `atmograph graph --format json` of a 100,000-stage Dockerfile (2.1 MB,
#    independent stages, as the audit measured) and of a 100,000-stage chain
#    (FROM s0 AS s1, FROM s1 AS s2, ...). Target: under 1 s and 256 MiB each.
#  - `atmograph plan` of 10,000 bake targets with 20 "target:" contexts each.
#    Target: under 2 s. Its peer, measured in the same run: the same plan over
#    1,000 targets; linear means the 10k run takes about 10x the 1k run.
# Wall time, CPU time (user+sys, what a shared machine does not inflate) and
# peak memory of each run are printed next to the target. No threshold fails
# the bench: the figures are for reading.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
CLI=${ATMOGRAPH_CLI:-$REPO/build/atmograph}
PY=${PY:-/usr/bin/python3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

exec $PY - "$CLI" "$TMP" <<'PYEOF'
import json, os, subprocess, sys, time

cli, tmp = sys.argv[1], sys.argv[2]

def write_dockerfiles():
    with open(os.path.join(tmp, "indep.Dockerfile"), "w") as f:
        for i in range(100000):
            f.write("FROM alpine AS s%d\n" % i)
    with open(os.path.join(tmp, "chain.Dockerfile"), "w") as f:
        f.write("FROM alpine AS s0\nRUN echo 0\n")
        for i in range(1, 100000):
            f.write("FROM s%d AS s%d\nRUN echo %d\n" % (i - 1, i, i))

def write_bake(n):
    d = os.path.join(tmp, "bake%d" % n)
    os.makedirs(d)
    with open(os.path.join(d, "Dockerfile"), "w") as f:
        f.write("FROM alpine\nRUN true\n")
    targets = {}
    for i in range(n):
        ctx = {"c%d" % j: "target:t%d" % (i - 1 - j) for j in range(20) if i - 1 - j >= 0}
        targets["t%d" % i] = {"context": ".", "dockerfile": "Dockerfile", "contexts": ctx,
                              "tags": ["r/t%d" % i]}
    with open(os.path.join(d, "docker-bake.json"), "w") as f:
        json.dump({"group": {"default": {"targets": list(targets)}}, "target": targets}, f)
    return d

def run(argv, cwd=None):
    """wall seconds, CPU seconds, peak RSS in MiB of one run (the best of 3 by wall)"""
    best = None
    for _ in range(3):
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        if status != 0:
            sys.exit("bench_scale: %s failed: %s" % (" ".join(argv), p.stderr.read().decode()[-500:]))
        p.stderr.close()
        fig = (wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0)
        if best is None or fig[0] < best[0]:
            best = fig
    return best

def show(label, fig, target):
    print("bench_scale: %-44s %6.2f s wall  %6.2f s cpu  %6.0f MiB   (target: %s)"
          % (label, fig[0], fig[1], fig[2], target))

write_dockerfiles()
size = os.path.getsize(os.path.join(tmp, "indep.Dockerfile")) / 1e6
show("graph --format json, 100k stages (%.1f MB)" % size,
     run([cli, "graph", "--format", "json", os.path.join(tmp, "indep.Dockerfile")]),
     "< 1 s, < 256 MiB")
show("graph --format json, 100k-stage chain",
     run([cli, "graph", "--format", "json", os.path.join(tmp, "chain.Dockerfile")]),
     "< 1 s, < 256 MiB")
plan = [cli, "plan", "--engine", "buildah", "--engine-version", "1.28"]
small = run(plan, cwd=write_bake(1000))
big = run(plan, cwd=write_bake(10000))
show("plan, 1k targets x 20 contexts (peer)", small, "the 10k run / 10")
show("plan, 10k targets x 20 contexts", big, "< 2 s; %.1fx the 1k run, linear: 10x" % (big[1] / max(small[1], 1e-3)))
PYEOF
