"""atmo-imagegraph with :image: STAGE=ARCHIVE: sizes measured from image archives."""

import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import time

import pytest



def _layer(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in files.items():
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def docker_archive(path, steps, tag):
    """A `docker save` archive (legacy layout); steps: [(files or None, created_by)]."""
    blobs = [_layer(files) for files, _ in steps if files is not None]
    history = [dict({"created_by": c}, **({} if files is not None else {"empty_layer": True}))
               for files, c in steps]
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": [
                             "sha256:" + hashlib.sha256(b).hexdigest() for b in blobs]},
                         "history": history}).encode()
    cfg_name = hashlib.sha256(config).hexdigest() + ".json"
    manifest = json.dumps([{"Config": cfg_name, "RepoTags": [tag],
                            "Layers": ["l%d/layer.tar" % i for i in range(len(blobs))]}]).encode()
    with tarfile.open(str(path), "w") as t:
        for name, data in [(cfg_name, config), ("manifest.json", manifest)] + \
                [("l%d/layer.tar" % i, b) for i, b in enumerate(blobs)]:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))


BASE = [({"etc/os-release": b"debian\n" * 100, "bin/sh": b"x" * 5000}, "/bin/sh -c #(nop) ADD file:abc in / ")]
BUILD = BASE + [({"usr/bin/gcc": b"g" * 2000000}, "RUN /bin/sh -c apt-get install -y gcc python3-dev && make # buildkit")]
RUNTIME = BASE + [({"app/run": b"r" * 300000}, "COPY /app /app # buildkit"),
                  (None, 'CMD ["/app/run"]')]

PAGE = """:orphan:

Sizes
=====

.. atmo-imagegraph:: images/app/Dockerfile
   :build-context: base=docker-image://debian:bookworm
   :image: build=build.tar runtime=runtime.tar
   :include-source:

.. atmo-imagegraph:: images/app/Dockerfile
   :image: build=missing.tar
"""


@pytest.fixture
def sizes_root(rootdir, sphinx_test_tempdir):
    srcdir = sphinx_test_tempdir / ("imagegraph-sizes-%d" % time.monotonic_ns())
    shutil.copytree(str(rootdir / "test-imagegraph-bake"), str(srcdir))
    docker_archive(srcdir / "build.tar", BUILD, "test/app:build")
    docker_archive(srcdir / "runtime.tar", RUNTIME, "test/app:latest")
    with open(str(srcdir / "sizes.rst"), "w") as f:
        f.write(PAGE)
    return srcdir


def _build(make_app, srcdir):
    app = make_app("html", srcdir=srcdir)
    docs = []
    app.connect("env-before-read-docs", lambda a, e, d: docs.extend(d))
    app.build()
    return app, docs


def test_sizes_from_archives(make_app, sizes_root):
    app, _ = _build(make_app, sizes_root)
    warnings = app._warning.getvalue()
    page = open(str(app.outdir / "sizes.html"), encoding="utf-8").read()
    svg = re.findall(r"<svg\b.*?</svg>", page, re.S)[0]
    labels = [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text[^>]*>[^<]*</text>", svg)]
    # the build stage adds ~2 MB (1.9 MiB) on top of its base, the runtime ~300 kB
    assert any("own 1.9 MiB" in t for t in labels), labels
    assert any("kept out" in t for t in labels), labels
    # the missing archive (not built yet): no warning, a note in the page and an INFO line
    assert "sizes.rst" not in warnings, warnings
    assert "Sizes not measured yet: no image at missing.tar." in page
    assert re.search(r"sizes\.rst:11: atmo-imagegraph: Sizes not measured yet: no image at "
                     r"missing\.tar", app._status.getvalue()), app._status.getvalue()


def test_sizes_archive_is_a_dependency(make_app, sizes_root):
    _build(make_app, sizes_root)
    app, docs = _build(make_app, sizes_root)
    assert "sizes" in docs  # a missing dependency (missing.tar) keeps the page outdated
    # fix the page; then a touched archive re-reads it and a new image re-renders it
    with open(str(sizes_root / "sizes.rst"), "w") as f:
        f.write(PAGE.split(".. atmo-imagegraph:: images/app/Dockerfile\n   :image: build=missing")[0])
    app, docs = _build(make_app, sizes_root)
    app, docs = _build(make_app, sizes_root)
    assert docs == []
    t = time.time() + 10
    os.utime(str(sizes_root / "runtime.tar"), (t, t))
    app, docs = _build(make_app, sizes_root)
    assert docs == ["sizes"]
    assert app.atmograph_stats["renders"] == 0
    docker_archive(sizes_root / "runtime.tar",
                   BASE + [({"app/run": b"r" * 900000}, "COPY /app /app # buildkit"),
                           (None, 'CMD ["/app/run"]')], "test/app:latest")
    os.utime(str(sizes_root / "runtime.tar"), (t + 10, t + 10))
    app, docs = _build(make_app, sizes_root)
    assert docs == ["sizes"]
    assert app.atmograph_stats["renders"] == 1


def test_broken_archive_warns(make_app, sizes_root):
    with open(str(sizes_root / "build.tar"), "wb") as f:
        f.write(b"not a tar archive at all" * 40)
    app, _ = _build(make_app, sizes_root)
    assert re.search(r"sizes\.rst:6: WARNING: atmo-imagegraph: .*build\.tar", app._warning.getvalue())
