#!/bin/bash
# bench_registry: `atmograph inspect docker://...` of an image in a local registry
# (Debian's docker-registry, started here) next to, in the same run:
#   - `skopeo inspect` of the same reference (manifest and config only: a floor);
#   - `skopeo copy` to an OCI directory followed by `atmograph inspect DIR` (what one
#     did before the registry source: download, then read the files).
# Wall time (best of BENCH_RUNS) and peak RSS (/usr/bin/time -v) of each. Target: the
# registry read under 64 MiB of peak RSS (layers are streamed, never stored).
# Skipped with a message when docker-registry or skopeo is missing.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
CLI=${ATMOGRAPH_CLI:-$REPO/build/atmograph}
PY=${PY:-/usr/bin/python3}
RUNS=${BENCH_RUNS:-3}
for t in docker-registry skopeo /usr/bin/time; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "bench_registry: SKIP: $t is missing (Makefile DEB_PACKAGES)"
		exit 0
	fi
done
exec $PY - "$REPO" "$CLI" "$RUNS" <<'PYEOF'
import os, re, shutil, subprocess, sys, tempfile, time
repo, cli, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, os.path.join(repo, "tests", "python"))
import imagegen as g
import regserver

tmp = tempfile.mkdtemp(prefix="atmograph-bench-registry-")
try:
    # three layers of incompressible and compressible files, one path rewritten
    rnd = lambda n: os.urandom(n)
    layers = []
    for k in range(3):
        entries = [("dir", "data%d/" % k)]
        entries += [("file", "data%d/r%04d.bin" % (k, i), rnd(12000)) for i in range(1000)]
        entries += [("file", "data%d/t%04d.txt" % (k, i), 40000) for i in range(500)]
        entries += [("file", "shared.bin", rnd(2_000_000))]
        layers.append(entries)
    img = g.Image(layers, compression="gzip")
    archive = g.write_oci_archive(os.path.join(tmp, "img.tar"), img, tmp)
    reg = regserver.Registry(os.path.join(tmp, "reg"))
    try:
        ref = reg.push("oci-archive:" + archive, "bench:1")
        size = os.path.getsize(archive)

        def timed(argv):
            """(seconds, peak RSS KiB) of one run, through /usr/bin/time -v"""
            t0 = time.monotonic()
            r = subprocess.run(["/usr/bin/time", "-v"] + argv, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
            dt = time.monotonic() - t0
            if r.returncode != 0:
                sys.exit("bench_registry: failed: %s\n%s" % (" ".join(argv), r.stderr[-2000:]))
            rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
            return dt, rss

        def best(argvs_fn):
            res = []
            for _ in range(runs):
                argvs = argvs_fn()
                t = rss = 0
                for a in argvs:
                    dt, r = timed(a)
                    t += dt
                    rss = max(rss, r)
                res.append((t, rss))
            return min(r[0] for r in res), max(r[1] for r in res)

        ours = best(lambda: [[cli, "inspect", ref, "--json", "--packages"]])
        peek = best(lambda: [["skopeo", "inspect", "--tls-verify=false", ref]])

        def copy_then_read():
            d = os.path.join(tmp, "oci")
            shutil.rmtree(d, ignore_errors=True)
            return [["skopeo", "--insecure-policy", "copy", "-q", "--src-tls-verify=false",
                     ref, "oci:" + d + ":bench"],
                    [cli, "inspect", d, "--json", "--packages"]]
        both = best(copy_then_read)
        print("image: 3 layers, %.1f MiB compressed (%d files), registry on localhost"
              % (size / 1048576.0, 3 * 1501))
        fmt = "  %-48s %8.3f s  peak RSS %6.1f MiB"
        print(fmt % ("atmograph inspect docker://... (streamed)", ours[0], ours[1] / 1024.0))
        print(fmt % ("skopeo inspect (manifest + config only)", peek[0], peek[1] / 1024.0))
        print(fmt % ("skopeo copy to oci: + atmograph inspect DIR", both[0], both[1] / 1024.0))
        print("  registry read vs copy+read: %.2fx the speed; peak RSS %s 64 MiB"
              % (both[0] / ours[0], "<" if ours[1] < 65536 else ">="))
    finally:
        reg.stop()
finally:
    shutil.rmtree(tmp, ignore_errors=True)
PYEOF
