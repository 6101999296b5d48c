"""Measure `atmograph inspect` against its peers on the generated benchmark image.

usage: image_bench_run.py DIR CLI LAYERS
Peers, measured in the same run: `tar -tvf` of the uncompressed layers, `gzip -dc` /
`zstd -dc` of the compressed layers into /dev/null (the floors, one core), a Python
`tarfile` reader that collects the same per-file sizes, and `skopeo inspect` where
installed. Time is wall-clock seconds; RSS is the peak resident set of the process.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time

DIR, CLI, LAYERS = sys.argv[1], sys.argv[2], int(sys.argv[3])
NCPU = os.cpu_count() or 1


def measure(argv):
    """(seconds, peak RSS in KiB) of one process, output discarded. The RSS comes from
    /usr/bin/time (a fresh process: a child forked from Python would report Python's own
    peak, which ru_maxrss keeps across exec)."""
    timer = ["/usr/bin/time", "-f", "@@RSS %M %U %S"] if os.path.exists("/usr/bin/time") else []
    t0 = time.perf_counter()
    with open(os.devnull, "wb") as null:
        p = subprocess.run(timer + argv, stdout=null, stderr=subprocess.PIPE)
    took = time.perf_counter() - t0
    err = p.stderr.decode(errors="replace")
    if p.returncode != 0:
        raise SystemExit("bench_image: %s failed (%d): %s" % (argv[0], p.returncode, err[-500:]))
    rss = 0
    cpu = None
    for line in err.splitlines():
        if line.startswith("@@RSS "):
            rss = int(line.split()[1])
            cpu = float(line.split()[2]) + float(line.split()[3])
    CPU[tuple(argv)] = cpu
    return took, rss


CPU = {}


def cpu_of(argvs):
    vals = [CPU.get(tuple(a)) for a in argvs]
    return None if None in vals else sum(vals)


def best(argv, n=2):
    runs = [measure(argv) for _ in range(n)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


def floor(cmds):
    """Sum of the times of several commands run one after the other (one core)."""
    t = 0.0
    rss = 0
    for c in cmds:
        s, r = measure(c)
        t += s
        rss = max(rss, r)
    return t, rss


PY_READER = r'''
import json, subprocess, sys, tarfile
kind, path = sys.argv[1], sys.argv[2]
sizes = {}
def scan(tf, layer):
    n = 0
    for m in tf:
        sizes.setdefault(m.name, []).append(m.size if m.isfile() else 0)
        n += 1
    return n
total = 0
if kind == "docker":
    with tarfile.open(path) as outer:
        man = json.load(outer.extractfile("manifest.json"))
        for i, name in enumerate(man[0]["Layers"]):
            with tarfile.open(fileobj=outer.extractfile(name), mode="r:") as tf:
                total += scan(tf, i)
else:
    idx = json.load(open(path + "/index.json"))
    dg = idx["manifests"][0]["digest"].split(":")[1]
    man = json.load(open(path + "/blobs/sha256/" + dg))
    for i, l in enumerate(man["layers"]):
        blob = path + "/blobs/sha256/" + l["digest"].split(":")[1]
        if kind == "gzip":
            with tarfile.open(blob, "r:gz") as tf:
                total += scan(tf, i)
        else:
            p = subprocess.Popen(["zstd", "-dc", blob], stdout=subprocess.PIPE)
            with tarfile.open(fileobj=p.stdout, mode="r|") as tf:
                total += scan(tf, i)
            p.wait()
print(total, sum(sum(v) for v in sizes.values()))
'''


def main():
    py = sys.executable
    reader = os.path.join(DIR, "reader.py")
    with open(reader, "w") as f:
        f.write(PY_READER)
    skopeo = shutil.which("skopeo")
    layers = sorted(glob.glob(os.path.join(DIR, "layer-*.tar")))
    forms = [
        ("uncompressed docker-archive", os.path.join(DIR, "docker-archive.tar"), "docker",
         [["tar", "-tvf", l] for l in layers], "tar -tvf (layers)", 3.0,
         ["skopeo", "inspect", "docker-archive:" + os.path.join(DIR, "docker-archive.tar")]),
    ]
    for comp, tool in (("gzip", "gzip"), ("zstd", "zstd")):
        d = os.path.join(DIR, "oci-" + comp)
        man = json.load(open(os.path.join(d, "blobs/sha256",
                                          json.load(open(d + "/index.json"))["manifests"][0]["digest"][7:])))
        blobs = [os.path.join(d, "blobs/sha256", l["digest"][7:]) for l in man["layers"]]
        forms.append(("%s OCI layout" % comp, d, comp, [[tool, "-dc", b] for b in blobs],
                      "%s -dc (floor, 1 core)" % tool, 1.1,
                      ["skopeo", "inspect", "oci:" + d]))
    results = []
    print("bench_image: %d layers, %d cores, load average %.1f (wall times on a busy machine "
          "are noisy; cpu = user + sys)" % (LAYERS, NCPU, os.getloadavg()[0]))
    for title, path, kind, peer_cmds, peer_name, factor, sk in forms:
        at, arss = best([CLI, "inspect", path, "--json"])
        at1, _ = best([CLI, "inspect", path, "--json", "--threads", "1"], n=1)
        pt, prss = floor(peer_cmds)
        yt, yrss = measure([py, reader, kind, path])
        print("\n== %s: %s" % (title, path))
        print("  %-34s %8.3f s  %7.1f MiB" % ("atmograph inspect", at, arss / 1024))
        c1 = cpu_of([[CLI, "inspect", path, "--json", "--threads", "1"]])
        cp = cpu_of(peer_cmds)
        print("  %-34s %8.3f s" % ("atmograph inspect --threads 1", at1)
              + ("  (cpu %.3f s)" % c1 if c1 is not None else ""))
        print("  %-34s %8.3f s  %7.1f MiB" % (peer_name, pt, prss / 1024)
              + ("  (cpu %.3f s)" % cp if cp is not None else ""))
        print("  %-34s %8.3f s  %7.1f MiB" % ("python tarfile reader", yt, yrss / 1024))
        if skopeo:
            st, srss = measure(sk)
            print("  %-34s %8.3f s  %7.1f MiB  (reads the config only)" % ("skopeo inspect", st, srss / 1024))
        else:
            print("  skopeo inspect: not installed")
        checks = [
            ("time <= %.1fx %s" % (factor, peer_name), at <= factor * pt, "%.2fx" % (at / pt)),
            ("time >= 20x faster than python tarfile", yt >= 20 * at, "%.1fx" % (yt / at)),
            ("peak RSS < 64 MiB", arss < 64 * 1024, "%.1f MiB" % (arss / 1024)),
        ]
        for name, ok, fig in checks:
            print("  %-4s %-52s (%s)" % ("PASS" if ok else "MISS", name, fig))
            results.append(ok)
    print("\nbench_image: %d of %d targets met" % (sum(results), len(results)))


main()
