"""Two tiny OCI images for the manual's examples of ``inspect``, ``sizes`` and ``diff``.

The manual shows the real output of commands that read images. So that those examples run
on any machine (no engine, no registry, no network), the documentation build writes two
small OCI image layouts with Python's tarfile module, as a build of
``doc/source/manual/demo.Dockerfile`` would have produced them: ``demo-build`` (its
``build`` stage) and ``demo-final`` (its ``final`` stage). Their contents are made up (a
few kilobytes of files named like a Debian system's) but their structure is that of a
real build: gzip layers, diff_ids, a history whose ``created_by`` entries are BuildKit's,
a dpkg status database rewritten by a later layer, a whiteout.

They are written to ``doc/build/demo-images`` (beside the HTML output), only when
their content changed, byte for byte the same on every machine (fixed times, owners and
order), so their digests in the pages are stable. ``atmo-command`` arguments refer to
that directory as ``{demo}``, the ``:image:`` options of the pages as
``/../build/demo-images`` (relative to the source directory).
"""
import gzip
import hashlib
import io
import json
import os
import tarfile

__version__ = "1.0"

EPOCH = 1767225600  # 2026-01-01T00:00:00Z
CREATED = "2026-01-01T00:00:00Z"


def _dpkg_status(packages):
    paras = []
    for name, version, size in packages:
        paras.append("Package: %s\nStatus: install ok installed\nPriority: optional\n"
                     "Section: misc\nInstalled-Size: %d\nMaintainer: Demo <demo@example.org>\n"
                     "Architecture: amd64\nVersion: %s\nDescription: %s (demo)\n"
                     % (name, size, version, name))
    return ("\n".join(paras)).encode()


BASE_PACKAGES = [("base-files", "12.4+deb12u8", 392), ("libc6", "2.36-9+deb12u9", 12985),
                 ("python3-minimal", "3.11.2-1+b1", 148)]
BUILD_PACKAGES = BASE_PACKAGES + [("cpp-12", "12.2.0-14", 27954), ("gcc-12", "12.2.0-14", 66422),
                                  ("libc6-dev", "2.36-9+deb12u9", 12803), ("make", "4.3-4.1", 1517)]


def _blob(size, seed):
    """size bytes that compress a little, like a binary does."""
    out = bytearray()
    h = hashlib.sha256(seed.encode()).digest()
    while len(out) < size:
        h = hashlib.sha256(h).digest()
        out += h[:16] + bytes(16)
    return bytes(out[:size])


def _layer(entries):
    """entries: (path, bytes or None for a directory) -> (tar bytes, gzip bytes)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, data in entries:
            info = tarfile.TarInfo(path)
            info.mtime = EPOCH
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            if data is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                info.mode = 0o755 if path.startswith(("usr/bin/", "src/hello")) else 0o644
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    tar_bytes = raw.getvalue()
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0, filename="") as f:
        f.write(tar_bytes)
    return tar_bytes, gz.getvalue()


def _sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _base_layer():
    return _layer([
        ("etc", None), ("etc/os-release", b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'
                                          b'ID=debian\nVERSION_ID="12"\n'),
        ("etc/motd", b"Welcome to the demo image.\n"),
        ("usr", None), ("usr/lib", None), ("usr/lib/x86_64-linux-gnu", None),
        ("usr/lib/x86_64-linux-gnu/libc.so.6", _blob(48000, "libc")),
        ("usr/bin", None), ("usr/bin/python3.11", _blob(64000, "python")),
        ("var", None), ("var/lib", None), ("var/lib/dpkg", None),
        ("var/lib/dpkg/status", _dpkg_status(BASE_PACKAGES)),
    ])


def _images():
    """{name: [(created_by, layer or None for an empty layer)]} of the two images."""
    # the base image's own history, as Debian's official images have it
    base = [("/bin/sh -c #(nop) ADD file:8b1e79f91081eb527b455431af3ba6d9fb0bd6e2b6a2d5b6e7d4a8a4fb0c8b41 in / ",
             _base_layer()),
            ('/bin/sh -c #(nop)  CMD ["bash"]', None)]
    build = base + [
        ("RUN /bin/sh -c apt-get install -y gcc make libc6-dev # buildkit", _layer([
            ("usr", None), ("usr/bin", None), ("usr/bin/gcc-12", _blob(90000, "gcc")),
            ("usr/bin/make", _blob(24000, "make")),
            ("var", None), ("var/lib", None), ("var/lib/dpkg", None),
            ("var/lib/dpkg/status", _dpkg_status(BUILD_PACKAGES)),
        ])),
        ("WORKDIR /src", None),
        ("RUN /bin/sh -c make hello # buildkit", _layer([
            ("src", None), ("src/hello", _blob(30000, "hello")),
            ("src/hello.o", _blob(12000, "hello.o")),
        ])),
    ]
    final = base + [
        ("COPY /src/hello /usr/bin/hello # buildkit", _layer([
            ("usr", None), ("usr/bin", None), ("usr/bin/hello", _blob(30000, "hello")),
        ])),
        ("RUN /bin/sh -c rm /etc/motd # buildkit", _layer([
            ("etc", None), ("etc/.wh.motd", b""),
        ])),
        ('CMD ["/usr/bin/hello"]', None),
    ]
    return {"demo-build": build, "demo-final": final}


def _write_if_changed(path, data):
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return
    except OSError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def write_layout(directory, steps, ref):
    blobs = {}
    layers, diff_ids, history = [], [], []
    for created_by, layer in steps:
        entry = {"created": CREATED, "created_by": created_by}
        if layer is None:
            entry["empty_layer"] = True
        else:
            tar_bytes, gz = layer
            blobs[_sha(gz)] = gz
            layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                           "digest": _sha(gz), "size": len(gz)})
            diff_ids.append(_sha(tar_bytes))
        history.append(entry)
    config = json.dumps({
        "created": CREATED, "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/usr/local/bin:/usr/bin:/bin"], "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": diff_ids}, "history": history,
    }, sort_keys=True, separators=(",", ":")).encode()
    blobs[_sha(config)] = config
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": _sha(config), "size": len(config)},
        "layers": layers,
    }, sort_keys=True, separators=(",", ":")).encode()
    blobs[_sha(manifest)] = manifest
    index = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": _sha(manifest), "size": len(manifest),
                       "annotations": {"org.opencontainers.image.ref.name": ref}}],
    }, sort_keys=True, indent=2).encode()
    for digest, data in blobs.items():
        _write_if_changed(os.path.join(directory, "blobs", "sha256", digest.split(":", 1)[1]), data)
    _write_if_changed(os.path.join(directory, "oci-layout"), b'{"imageLayoutVersion":"1.0.0"}')
    _write_if_changed(os.path.join(directory, "index.json"), index)


def demo_dir(app):
    """doc/build/demo-images, whatever the output directory: pages name it literally."""
    return os.path.normpath(os.path.join(app.confdir, "..", "build", "demo-images"))


def builder_inited(app):
    root = demo_dir(app)
    for name, steps in _images().items():
        write_layout(os.path.join(root, name), steps, "latest")
    # atmo-command replaces {demo} in its arguments with this directory
    app.atmo_cli_substitutions = {"demo": os.path.relpath(root, app.config.atmo_cli_cwd or
                                                          os.getcwd())}


def setup(app):
    app.connect("builder-inited", builder_inited)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
