"""Container image fixtures for the image tests, made at test time.

Writes OCI image layouts (directories), oci-archives and docker-archives (the
legacy ``<id>/layer.tar`` layout and the newer ``blobs/sha256/`` one) with
layers uncompressed, gzip or zstd (through the ``zstd`` program). Nothing
binary is committed: every test builds what it reads.

A layer is a list of entries; an entry is a tuple:
  ("dir", path) | ("file", path, size_or_bytes) | ("symlink", path, target)
  | ("hardlink", path, target) | ("whiteout", path) | ("opaque", dir)
"""
import copy
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile

MT_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MT_OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER_MT = {
    "none": "application/vnd.oci.image.layer.v1.tar",
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
}


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _content(spec):
    if isinstance(spec, (bytes, bytearray)):
        return bytes(spec)
    if isinstance(spec, str):
        return spec.encode()
    # an int: that many bytes of varied (compressible, but not trivially) content
    unit = b"atmograph fixture data 0123456789\n"
    return (unit * (spec // len(unit) + 1))[:spec]


def layer_tar(entries):
    """Uncompressed tar bytes of one layer."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for e in entries:
            kind, path = e[0], e[1]
            if kind == "whiteout":
                d, b = os.path.split(path)
                path = os.path.join(d, ".wh." + b)
                kind, e = "file", ("file", path, 0)
            elif kind == "opaque":
                path = os.path.join(path, ".wh..wh..opq")
                kind, e = "file", ("file", path, 0)
            ti = tarfile.TarInfo(path)
            ti.mtime = 1700000000
            ti.uname = ti.gname = "root"
            if kind == "dir":
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
                tf.addfile(ti)
            elif kind == "file":
                data = _content(e[2])
                ti.size = len(data)
                ti.mode = 0o644
                tf.addfile(ti, io.BytesIO(data))
            elif kind == "symlink":
                ti.type = tarfile.SYMTYPE
                ti.linkname = e[2]
                tf.addfile(ti)
            elif kind == "hardlink":
                ti.type = tarfile.LNKTYPE
                ti.linkname = e[2]
                tf.addfile(ti)
            else:
                raise ValueError(kind)
    return buf.getvalue()


def compress(data, how, level=None):
    if how == "none":
        return data
    if how == "gzip":
        return gzip.compress(data, compresslevel=level or 6, mtime=0)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c", "-%d" % (level or 3)], input=data,
                              stdout=subprocess.PIPE, check=True).stdout
    raise ValueError(how)


class Image:
    """An image: layers, history, config; written in every layout."""

    def __init__(self, layers, history=None, compression="gzip", ref="latest",
                 tag="sample:latest", arch="amd64", os_="linux"):
        self.tars = [layer_tar(l) for l in layers]
        self.compression = compression
        self.blobs_c = [compress(t, compression) for t in self.tars]
        if history is None:
            history = [{"created_by": "layer %d" % i} for i in range(len(layers))]
        history = copy.deepcopy(history)
        self.history = history
        self.ref = ref
        self.tag = tag
        self.config = {
            "architecture": arch, "os": os_, "created": "2026-11-26T12:00:00Z",
            "config": {"Env": ["PATH=/usr/bin"]},
            "rootfs": {"type": "layers", "diff_ids": [sha256(t) for t in self.tars]},
            "history": history,
        }

    # blobs ---------------------------------------------------------------
    def config_bytes(self):
        return json.dumps(self.config, sort_keys=True).encode()

    def manifest(self):
        cb = self.config_bytes()
        return {
            "schemaVersion": 2, "mediaType": MT_OCI_MANIFEST,
            "config": {"mediaType": MT_OCI_CONFIG, "digest": sha256(cb), "size": len(cb)},
            "layers": [{"mediaType": LAYER_MT[self.compression], "digest": sha256(b),
                        "size": len(b)} for b in self.blobs_c],
        }

    def manifest_bytes(self):
        return json.dumps(self.manifest(), sort_keys=True).encode()

    def oci_blobs(self):
        out = {sha256(self.config_bytes()): self.config_bytes(),
               sha256(self.manifest_bytes()): self.manifest_bytes()}
        for b in self.blobs_c:
            out[sha256(b)] = b
        return out

    def descriptor(self, platform=False):
        mb = self.manifest_bytes()
        d = {"mediaType": MT_OCI_MANIFEST, "digest": sha256(mb), "size": len(mb)}
        if self.ref:
            d["annotations"] = {"org.opencontainers.image.ref.name": self.ref}
        if platform:
            d["platform"] = {"architecture": self.config["architecture"],
                             "os": self.config["os"]}
        return d


def write_oci_layout(path, images, index_extra=None, nested=False):
    """An OCI layout directory holding one or more images."""
    if not isinstance(images, (list, tuple)):
        images = [images]
    os.makedirs(os.path.join(path, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(path, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    for img in images:
        for dg, data in img.oci_blobs().items():
            with open(os.path.join(path, "blobs", "sha256", dg[7:]), "wb") as f:
                f.write(data)
    if nested:
        # a multi-platform image index as a blob, named by the top index
        sub = {"schemaVersion": 2, "mediaType": MT_OCI_INDEX,
               "manifests": [dict(i.descriptor(platform=True), annotations={})
                             for i in images]}
        sb = json.dumps(sub).encode()
        with open(os.path.join(path, "blobs", "sha256", sha256(sb)[7:]), "wb") as f:
            f.write(sb)
        index = {"schemaVersion": 2, "mediaType": MT_OCI_INDEX,
                 "manifests": [{"mediaType": MT_OCI_INDEX, "digest": sha256(sb),
                                "size": len(sb),
                                "annotations": {"org.opencontainers.image.ref.name":
                                                images[0].ref or "latest"}}]}
    else:
        index = {"schemaVersion": 2, "mediaType": MT_OCI_INDEX,
                 "manifests": [i.descriptor() for i in images]}
    if index_extra:
        index.update(index_extra)
    with open(os.path.join(path, "index.json"), "w") as f:
        json.dump(index, f)
    return path


def tar_directory(src, dest):
    """An (uncompressed) tar of a directory's content, members without './'."""
    with tarfile.open(dest, "w", format=tarfile.PAX_FORMAT) as tf:
        for root, dirs, files in os.walk(src):
            dirs.sort()
            for name in sorted(files):
                full = os.path.join(root, name)
                tf.add(full, arcname=os.path.relpath(full, src))
    return dest


def write_oci_archive(path, images, tmpdir, **kw):
    d = os.path.join(tmpdir, "oci-archive-src")
    shutil.rmtree(d, ignore_errors=True)
    write_oci_layout(d, images, **kw)
    tar_directory(d, path)
    shutil.rmtree(d)
    return path


def docker_members(images, legacy=True):
    """name -> bytes of a docker-archive (docker save) holding the images."""
    if not isinstance(images, (list, tuple)):
        images = [images]
    members = {}
    manifest = []
    for img in images:
        cb = img.config_bytes()
        if legacy:
            cname = sha256(cb)[7:] + ".json"
            layers = []
            for i, t in enumerate(img.tars):
                lid = hashlib.sha256(b"%d" % i + t).hexdigest()
                members[lid + "/layer.tar"] = t
                members[lid + "/VERSION"] = b"1.0"
                members[lid + "/json"] = json.dumps({"id": lid}).encode()
                layers.append(lid + "/layer.tar")
        else:
            cname = "blobs/sha256/" + sha256(cb)[7:]
            layers = []
            for t in img.tars:
                members["blobs/sha256/" + sha256(t)[7:]] = t
                layers.append("blobs/sha256/" + sha256(t)[7:])
        members[cname] = cb
        manifest.append({"Config": cname, "RepoTags": [img.tag] if img.tag else None,
                         "Layers": layers})
    members["manifest.json"] = json.dumps(manifest).encode()
    if not legacy:
        members["oci-layout"] = b'{"imageLayoutVersion": "1.0.0"}'
        members["index.json"] = json.dumps({"schemaVersion": 2, "manifests": []}).encode()
    return members


def write_tar(path, members, order=None):
    """A tar of name -> bytes (in the given order, else sorted)."""
    names = order or sorted(members)
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        for name in names:
            ti = tarfile.TarInfo(name)
            ti.size = len(members[name])
            ti.mtime = 1700000000
            tf.addfile(ti, io.BytesIO(members[name]))
    return path


def write_docker_archive(path, images, legacy=True):
    return write_tar(path, docker_members(images, legacy))


# ---- the sample image the tests reason about -----------------------------------

DPKG0 = """Package: base-files
Status: install ok installed
Installed-Size: 340
Architecture: amd64
Version: 12.4+deb12u5

Package: libc6
Status: install ok installed
Installed-Size: 12000
Architecture: amd64
Version: 2.36-9
Description: GNU C Library
 shared libraries

Package: tzdata
Status: install ok installed
Installed-Size: 3000
Architecture: all
Version: 2023c-5

Package: vim-tiny
Status: install ok installed
Installed-Size: 1700
Architecture: amd64
Version: 2:9.0.1378-2

Package: oldconf
Status: deinstall ok config-files
Installed-Size: 10
Architecture: amd64
Version: 1.0
"""

DPKG1 = """Package: base-files
Status: install ok installed
Installed-Size: 340
Architecture: amd64
Version: 12.4+deb12u5

Package: curl
Status: install ok installed
Installed-Size: 500
Architecture: amd64
Version: 7.88.1-10

Package: libc6
Status: install ok installed
Installed-Size: 12000
Architecture: amd64
Version: 2.36-9

Package: tzdata
Status: install ok installed
Installed-Size: 3100
Architecture: all
Version: 2024a-0
"""

DPKG_D = """Package: extra-pkg
Version: 3.1
Architecture: amd64
Installed-Size: 7
"""


def sample_layers():
    l0 = [("dir", "etc/"), ("file", "etc/os-release", 100),
          ("dir", "usr/"), ("dir", "usr/bin/"), ("file", "usr/bin/tool", 5000),
          ("symlink", "usr/bin/alias", "tool"), ("hardlink", "usr/bin/tool2", "usr/bin/tool"),
          ("dir", "usr/share/"), ("dir", "usr/share/doc/"),
          ("file", "usr/share/doc/a.txt", 300), ("file", "usr/share/doc/b.txt", 200),
          ("dir", "var/"), ("dir", "var/lib/"), ("dir", "var/lib/dpkg/"),
          ("file", "var/lib/dpkg/status", DPKG0),
          ("dir", "opt/"), ("dir", "opt/data/"), ("file", "opt/data/big.bin", 10000),
          ("file", "opt/data/small.bin", 50), ("dir", "srv/")]
    l1 = [("dir", "usr/"), ("dir", "usr/bin/"), ("file", "usr/bin/tool", 6000),
          ("dir", "var/"), ("dir", "var/lib/"), ("dir", "var/lib/dpkg/"),
          ("file", "var/lib/dpkg/status", DPKG1),
          ("dir", "var/lib/dpkg/status.d/"), ("file", "var/lib/dpkg/status.d/extra", DPKG_D),
          ("dir", "tmp/"), ("file", "tmp/cache.bin", 2000)]
    l2 = [("dir", "tmp/"), ("whiteout", "tmp/cache.bin"), ("dir", "opt/"),
          ("whiteout", "opt/data"), ("dir", "etc/"), ("opaque", "etc"),
          ("file", "etc/os-release", 120)]
    return [l0, l1, l2]


SAMPLE_HISTORY = [
    {"created": "2026-11-26T12:00:00Z", "created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
    {"created": "2026-11-26T12:00:01Z", "created_by": "/bin/sh -c #(nop)  ENV TZ=UTC",
     "empty_layer": True},
    {"created": "2026-11-26T12:00:02Z",
     "created_by": "RUN /bin/sh -c apt-get install -y curl # buildkit",
     "comment": "buildkit.dockerfile.v0"},
    {"created": "2026-11-26T12:00:03Z", "created_by": "/bin/sh -c rm -rf /tmp/cache.bin /opt/data"},
    {"created": "2026-11-26T12:00:04Z", "created_by": "/bin/sh -c #(nop)  CMD [\"tool\"]",
     "empty_layer": True},
]


def sample_image(compression="gzip", **kw):
    return Image(sample_layers(), history=SAMPLE_HISTORY, compression=compression, **kw)


def sample_expected():
    """The figures of the sample image, by plain arithmetic over the spec above."""
    s0, s1, s2 = len(DPKG0), len(DPKG1), len(DPKG_D)
    layer_sizes = [100 + 5000 + 300 + 200 + s0 + 10000 + 50, 6000 + s1 + s2 + 2000, 120]
    layer_files = [20, 11, 4]   # entries without markers (whiteouts/opaque are counted apart)
    # per path: (cumulative, smallest, count) over leaf paths
    paths = {
        "etc/os-release": (100 + 120, 100, 2),
        "usr/bin/tool": (5000 + 6000, 5000, 2),
        "var/lib/dpkg/status": (s0 + s1, min(s0, s1), 2),
        "tmp/cache.bin": (2000 + 0, 0, 2),          # a whiteout over a file counts 0
        "opt/data": (10050, 10050, 1),              # a whiteout over a dir: what it hides
        "usr/bin/alias": (0, 0, 1), "usr/bin/tool2": (0, 0, 1),
        "usr/share/doc/a.txt": (300, 300, 1), "usr/share/doc/b.txt": (200, 200, 1),
        "opt/data/big.bin": (10000, 10000, 1), "opt/data/small.bin": (50, 50, 1),
        "srv": (0, 0, 1), "var/lib/dpkg/status.d/extra": (s2, s2, 1),
    }
    cum = sum(v[0] for v in paths.values())
    small = sum(v[1] for v in paths.values())
    dup = [v for v in paths.values() if v[2] >= 2]
    return {
        "layer_sizes": layer_sizes,
        "layer_files": layer_files,
        "bytes": sum(layer_sizes),
        "score": small / cum,
        "wasted": sum(v[0] for v in dup),
        "wasted_corrected": sum(v[0] - v[1] for v in dup),
        "inefficient": sorted(((p, v[2], v[0], v[1]) for p, v in paths.items() if v[2] >= 2),
                              key=lambda x: (-x[2], x[0])),
        "packages": {"base-files": ("12.4+deb12u5", 0, 340 * 1024),
                     "curl": ("7.88.1-10", 1, 500 * 1024),
                     "extra-pkg": ("3.1", 1, 7 * 1024),
                     "libc6": ("2.36-9", 0, 12000 * 1024),
                     "tzdata": ("2024a-0", 1, 3100 * 1024)},
        "removed": {"vim-tiny": 1},
    }


# ---- broken inputs ---------------------------------------------------------------

def tar_bomb_layer_gz(path, entries=2_000_000):
    """A gzip layer of `entries` empty-file headers, built from one compressed chunk
    repeated (gzip allows concatenated members), so that it is quick to write."""
    block = io.BytesIO()
    with tarfile.open(fileobj=block, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for i in range(2048):
            ti = tarfile.TarInfo("bomb/f%05d" % i)
            tf.addfile(ti)
    raw = block.getvalue()
    raw = raw[: 2048 * 512]          # headers only, without the end-of-archive blocks
    member = gzip.compress(raw, compresslevel=9, mtime=0)
    reps = max(1, entries // 2048)
    with open(path, "wb") as f:
        for _ in range(reps):
            f.write(member)
        f.write(gzip.compress(b"\0" * 1024, mtime=0))
    return path


def raw_tar_header(name, size, typeflag=b"0"):
    """A ustar header block with any size (for absurd sizes)."""
    h = bytearray(512)
    h[0:len(name)] = name.encode()
    h[100:108] = b"0000644\0"
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = ("%011o\0" % size).encode() if size < 8 ** 11 else b"\x80" + size.to_bytes(11, "big")
    h[136:148] = b"00000000000\0"
    h[156:157] = typeflag
    h[257:263] = b"ustar\0"
    h[263:265] = b"00"
    h[148:156] = b" " * 8
    chk = sum(h)
    h[148:156] = ("%06o\0 " % chk).encode()
    return bytes(h)


if __name__ == "__main__":
    import sys
    kind = sys.argv[1] if len(sys.argv) > 1 else "oci"
    out = sys.argv[2] if len(sys.argv) > 2 else "sample-image"
    img = sample_image("gzip" if kind != "docker" else "none")
    if kind == "oci":
        write_oci_layout(out, img)
    elif kind == "oci-archive":
        write_oci_archive(out, img, os.path.dirname(os.path.abspath(out)))
    else:
        write_docker_archive(out, img, legacy=(kind == "docker"))
    print(out)


# ---- a multi-stage build: one image per stage (each built with --target) -----------

STAGES_DOCKERFILE = """\
# syntax=docker/dockerfile:1
FROM debian:bookworm AS base
RUN apt-get install -y ca-certificates

# build: compiles the tool
FROM base AS build
RUN apt-get install -y gcc
COPY . /src
RUN make -C /src

FROM base AS runtime
ENV TZ=UTC
COPY --from=build /src/out /usr/bin/tool
CMD ["tool"]
"""

BASE_HISTORY = [
    {"created_by": "/bin/sh -c #(nop) ADD file:1234 in / "},
    {"created_by": "/bin/sh -c #(nop)  CMD [\"bash\"]", "empty_layer": True},
]


def _status(pkgs):
    return "".join("Package: %s\nStatus: install ok installed\nInstalled-Size: %d\n"
                   "Architecture: amd64\nVersion: %s\n\n" % (n, s, v) for n, v, s in pkgs)


BASE_PKGS = [("base-files", "12.4", 300), ("libc6", "2.36-9", 12000)]
CA_PKGS = BASE_PKGS + [("ca-certificates", "20230311", 400)]
GCC_PKGS = CA_PKGS + [("cpp-12", "12.2.0-14", 30000), ("gcc", "4:12.2.0-3", 50),
                      ("gcc-12", "12.2.0-14", 60000)]


def stage_images(compression="gzip"):
    """(base, build, runtime) images and the layer sizes the tests expect."""
    base_l = [[("dir", "etc/"), ("file", "etc/debian_version", 5), ("dir", "var/"),
               ("dir", "var/lib/"), ("dir", "var/lib/dpkg/"),
               ("file", "var/lib/dpkg/status", _status(BASE_PKGS)),
               ("dir", "usr/"), ("dir", "usr/lib/"), ("file", "usr/lib/libc.so.6", 20000)]]
    ca_l = [("dir", "var/"), ("dir", "var/lib/"), ("dir", "var/lib/dpkg/"),
            ("file", "var/lib/dpkg/status", _status(CA_PKGS)),
            ("dir", "etc/"), ("file", "etc/ca-certificates.conf", 3000)]
    gcc_l = [("dir", "var/"), ("dir", "var/lib/"), ("dir", "var/lib/dpkg/"),
             ("file", "var/lib/dpkg/status", _status(GCC_PKGS)),
             ("dir", "usr/"), ("dir", "usr/bin/"), ("file", "usr/bin/gcc-12", 90000)]
    src_l = [("dir", "src/"), ("file", "src/main.c", 700)]
    make_l = [("dir", "src/"), ("file", "src/out", 8000)]
    tool_l = [("dir", "usr/"), ("dir", "usr/bin/"), ("file", "usr/bin/tool", 8000)]
    bk = {"comment": "buildkit.dockerfile.v0"}
    base_h = BASE_HISTORY + [dict(bk, created_by="RUN /bin/sh -c apt-get install -y ca-certificates # buildkit")]
    base = Image(base_l + [ca_l], history=base_h, compression=compression, ref="base",
                 tag="stages:base")
    build = Image(base_l + [ca_l, gcc_l, src_l, make_l], history=base_h + [
        dict(bk, created_by="RUN /bin/sh -c apt-get install -y gcc # buildkit"),
        dict(bk, created_by="COPY . /src # buildkit"),
        dict(bk, created_by="RUN /bin/sh -c make -C /src # buildkit")],
        compression=compression, ref="build", tag="stages:build")
    runtime = Image(base_l + [ca_l, tool_l], history=base_h + [
        dict(bk, created_by="ENV TZ=UTC", empty_layer=True),
        dict(bk, created_by="COPY /src/out /usr/bin/tool # buildkit"),
        dict(bk, created_by="CMD [\"tool\"]", empty_layer=True)],
        compression=compression, ref="runtime", tag="stages:runtime")
    sizes = {
        "debian": 5 + len(_status(BASE_PKGS)) + 20000,
        "ca": len(_status(CA_PKGS)) + 3000,
        "gcc": len(_status(GCC_PKGS)) + 90000,
        "src": 700, "make": 8000, "tool": 8000,
    }
    return base, build, runtime, sizes


def write_fuzz_seeds(dest):
    """Small seeds for tests/fuzz/fuzz_image.c (first byte: 0 archive, 1 layer,
    2 config, 3 manifest.json). Tars are written with 512-byte records to stay small."""
    old = tarfile.RECORDSIZE
    tarfile.RECORDSIZE = 512
    try:
        os.makedirs(dest, exist_ok=True)
        layers = [[("dir", "etc/"), ("file", "etc/a", 40), ("symlink", "etc/l", "a"),
                   ("hardlink", "etc/h", "etc/a"), ("file", "var/lib/dpkg/status", DPKG_D)],
                  [("whiteout", "etc/a"), ("opaque", "var"), ("file", "etc/b", 9)]]
        img = Image(layers, history=SAMPLE_HISTORY[:2] + SAMPLE_HISTORY[2:3], compression="none")
        seeds = {
            "archive-docker": b"\0" + open(write_docker_archive(os.path.join(dest, "tmp.tar"), img),
                                           "rb").read(),
            "layer-tar": b"\1" + img.tars[0],
            "layer-whiteouts": b"\1" + img.tars[1],
            "layer-gzip": b"\1" + compress(img.tars[0], "gzip"),
            "layer-zstd": b"\1" + compress(img.tars[0], "zstd"),
            "config": b"\2" + img.config_bytes(),
            "manifest": b"\3" + json.dumps([{"Config": "config.json", "RepoTags": ["f:1"],
                                              "Layers": ["l/layer.tar"]}]).encode(),
        }
        d = os.path.join(dest, "tmp-oci")
        write_oci_layout(d, Image(layers, compression="gzip"))
        tar_directory(d, os.path.join(dest, "tmp.tar"))
        shutil.rmtree(d)
        seeds["archive-oci"] = b"\0" + open(os.path.join(dest, "tmp.tar"), "rb").read()
        os.unlink(os.path.join(dest, "tmp.tar"))
        for name, data in seeds.items():
            with open(os.path.join(dest, name), "wb") as f:
                f.write(data)
    finally:
        tarfile.RECORDSIZE = old
    return dest
