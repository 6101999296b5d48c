#!/usr/bin/python3
"""A fake buildah for engine-free tests of `atmograph build`.

Understands: --version; [--storage-driver X] [--root Y] build ... -f F -t IMAGE
[--target S] ... --iidfile FILE CONTEXT; inspect --type image --format F IMAGE;
push IMAGE DEST. Images live in $FAKE_STORE/images. Every call is appended to
$FAKE_STORE/calls.jsonl. A Dockerfile containing "FAKE: fail" fails, "FAKE: hang"
hangs (with a child process) after writing its pids to $FAKE_STORE/hang.pids,
"FAKE: hostile-iid" writes a path and a NUL instead of a digest to the iidfile
(and `inspect` prints a path as the image's id).
"FAKE: image NAME" says which generated image (tests/python/imagegen.py, found
through $FAKE_IMAGEGEN) the image is: "sample" (the default) or "runtime"; push to
oci-archive:PATH[:REF] writes it there (and fails without $FAKE_IMAGEGEN: an export
that fails), push to docker://TAG only records the call.
"""
import hashlib
import json
import os
import subprocess
import sys
import time

store = os.environ.get("FAKE_STORE", "/tmp/fake-engine-store")
os.makedirs(os.path.join(store, "images"), exist_ok=True)
args = sys.argv[1:]
with open(os.path.join(store, "calls.jsonl"), "a") as f:
    f.write(json.dumps(sys.argv) + "\n")

if args == ["--version"]:
    print("fake-buildah version 1.28.2 (image-spec 1.1.0-rc2)")
    sys.exit(0)
while args and args[0] in ("--storage-driver", "--root"):
    args = args[2:]
cmd, rest = args[0], args[1:]


def image_path(ref):
    return os.path.join(store, "images", ref.replace("/", "_").replace(":", "="))


if cmd == "build":
    opts = {}
    i = 0
    context = None
    while i < len(rest):
        a = rest[i]
        if a in ("-f", "-t", "--target", "--iidfile", "--isolation", "--format",
                 "--build-arg", "--build-context", "--label", "--platform"):
            opts.setdefault(a, []).append(rest[i + 1])
            i += 2
        elif a.startswith("-"):
            i += 1
        else:
            context = a
            i += 1
    text = open(opts["-f"][0]).read()
    assert os.path.isdir(context), context
    print("STEP 1/2: FROM something", flush=True)
    if "FAKE: fail" in text:
        print("STEP 2/2: RUN false", flush=True)
        print("error building at STEP 2/2", file=sys.stderr)
        sys.exit(1)
    if "FAKE: hang" in text:
        print("STEP 2/2: RUN sleep forever", flush=True)
        child = subprocess.Popen(["sleep", "300"])
        with open(os.path.join(store, "hang.pids"), "w") as f:
            f.write("%d %d\n" % (os.getpid(), child.pid))
        time.sleep(300)
        sys.exit(0)
    print("STEP 2/2: RUN true", flush=True)
    image = opts["-t"][0]
    digest = hashlib.sha256((image + text + str(sorted(opts.get("--build-arg", [])))
                             + str(opts.get("--build-context", []))).encode()).hexdigest()
    with open(image_path(image), "w") as f:
        f.write("../../../etc/passwd" if "FAKE: hostile-iid" in text else digest)
    kind = "sample"
    for line in text.splitlines():
        if "FAKE: image " in line:
            kind = line.split("FAKE: image ", 1)[1].strip()
    with open(image_path(image) + ".kind", "w") as f:
        f.write(kind)
    with open(opts["--iidfile"][0], "wb") as f:
        if "FAKE: hostile-iid" in text:
            f.write(b"../../../etc/passwd\n\0junk")
        else:
            f.write(("sha256:" + digest).encode())
    print("COMMIT " + image)
    sys.exit(0)
if cmd == "inspect":
    ref = rest[-1]
    try:
        print(open(image_path(ref)).read())
    except OSError:
        print("Error: %s: image not known" % ref, file=sys.stderr)
        sys.exit(125)
    sys.exit(0)
if cmd == "push":
    ref, dest = [a for a in rest if not a.startswith("-")]
    if not os.path.exists(image_path(ref)):
        print("Error: %s: image not known" % ref, file=sys.stderr)
        sys.exit(125)
    if dest.startswith("docker://"):
        sys.exit(0)
    if dest.startswith("oci-archive:"):
        sys.path.insert(0, os.environ["FAKE_IMAGEGEN"])
        import imagegen
        path = dest[len("oci-archive:"):].split(":", 1)[0]
        kind = open(image_path(ref) + ".kind").read()
        img = imagegen.stage_images()[2] if kind == "runtime" else imagegen.sample_image()
        imagegen.write_oci_archive(path, img, os.path.dirname(path))
        sys.exit(0)
print("fake engine: unsupported command %s" % cmd, file=sys.stderr)
sys.exit(2)
