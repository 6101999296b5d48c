"""Images read from a real registry (Debian's docker-registry, started by the tests),
pushed with skopeo from the fixtures imagegen writes: the figures must be those of
the same image read from its file; auth, TLS, faults and bad content.
"""
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagegen as g  # noqa: E402
import regserver  # noqa: E402
from test_cli_image import run, fail  # noqa: E402

pytestmark = pytest.mark.cli

# what differs between a file and a registry by nature: where it was read from
PLACE = ("source", "format", "ref")


def figures(doc, drop=()):
    return {k: v for k, v in doc.items() if k not in PLACE + tuple(drop)}


def inspect(ref, *extra, check=0):
    return json.loads(run("inspect", ref, "--json", "--packages", *extra, check=check).stdout)


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    reg = regserver.Registry(tmp_path_factory.mktemp("reg-plain"))
    yield reg
    reg.stop()


@pytest.fixture(scope="module")
def pushed(plain, tmp_path_factory):
    """The sample image in each compression, as files and in the registry."""
    tmp = tmp_path_factory.mktemp("fixtures")
    out = {}
    for comp in ("gzip", "zstd", "none"):
        path = g.write_oci_archive(str(tmp / ("%s.tar" % comp)), g.sample_image(comp),
                                   str(tmp / comp))
        out[comp] = (path, plain.push("oci-archive:" + path, "sample:%s" % comp))
    return out


@pytest.mark.parametrize("comp", ["gzip", "zstd", "none"])
def test_same_figures_as_the_file(pushed, comp):
    path, ref = pushed[comp]
    a, b = inspect(path), inspect(ref)
    assert b["format"] == "registry" and b["source"] == ref and b["ref"] == comp
    assert figures(a) == figures(b)
    assert b["size"]["bytes"] == g.sample_expected()["bytes"]


def test_sizes_diff_check_over_a_registry(pushed, tmp_path):
    path, ref = pushed["gzip"]
    d = json.loads(run("diff", path, ref, "--json", check=0).stdout)
    assert d["delta"] == {"bytes": 0, "compressed": 0, "layers": 0}
    assert d["files"]["added_count"] == d["files"]["removed_count"] == 0
    c = json.loads(run("check", ref, "--json", "--forbid-package", "curl", check=1).stdout)
    assert c["images"][0]["rules"][0]["value"] == ["curl"]
    df = tmp_path / "Dockerfile"
    df.write_text("FROM scratch\nCOPY a /a\n")
    s1 = json.loads(run("sizes", df, "--image", "0=" + path, "--json", check=0).stdout)
    s2 = json.loads(run("sizes", df, "--image", "0=" + ref, "--json", check=0).stdout)
    for st in (s1, s2):
        for x in st["stages"]:
            x.pop("image", None)
            x.pop("ref", None)
    assert s1 == s2


def test_by_digest_and_docker_media_types(pushed, plain):
    path, ref = pushed["gzip"]
    doc = inspect(ref)
    by_digest = inspect("docker://%s/sample@%s" % (plain.host, doc["digest"]))
    assert figures(by_digest) == figures(doc)
    # a tag and a digest: the digest decides
    both = inspect("docker://%s/sample:zstd@%s" % (plain.host, doc["digest"]))
    assert figures(both) == figures(doc) and both["ref"] == doc["digest"]
    # docker v2 schema 2: the manifest and layer media types change, not the figures
    v2 = plain.push("oci-archive:" + path, "sample:v2s2", fmt="v2s2")
    d2 = inspect(v2)
    assert d2["layers"][0]["media_type"] == "application/vnd.docker.image.rootfs.diff.tar.gzip"
    drop = ("digest", "layers", "config_digest")
    assert figures(d2, drop) == figures(doc, drop)
    assert [l["size"] for l in d2["layers"]] == [l["size"] for l in doc["layers"]]


def test_index_with_platforms(plain, tmp_path):
    amd = g.sample_image("gzip")
    arm = g.Image(g.sample_layers()[:2], compression="gzip", arch="arm64")
    layout = g.write_oci_layout(str(tmp_path / "multi"), [amd, arm], nested=True)
    ref = plain.push("oci:%s:latest" % layout, "multi:1", all_images=True)
    err = fail("inspect", ref)
    assert "2 images; pick one with --platform" in err and "linux/arm64" in err
    a = inspect(ref, "--platform", "linux/arm64")
    f = inspect(layout, "--platform", "linux/arm64")
    assert figures(a) == figures(f)
    assert a["platform"]["architecture"] == "arm64" and a["size"]["layers"] == 2
    assert "no image for --platform linux/s390x" in fail("inspect", ref, "--platform",
                                                         "linux/s390x")


def test_python_api(pushed, plain):
    import atmograph
    path, ref = pushed["zstd"]
    a = atmograph.inspect_image(path, packages=True)
    b = atmograph.inspect_image(ref, packages=True)
    assert figures(a) == figures(b)
    d = atmograph.image_diff(path, ref)
    assert d["delta"]["bytes"] == 0
    with pytest.raises(atmograph.NotFoundError):
        atmograph.inspect_image("docker://%s/nothing:here" % plain.host)



def test_registry_image_closes_no_descriptor_of_the_caller(pushed):
    """A registry image has no local source: opening it once closed descriptor 0
    (the unused source's directory descriptor was zero, not -1), and with it
    whatever file the process held there."""
    import atmograph
    _, ref = pushed["zstd"]
    before = sorted(os.listdir("/proc/self/fd"))
    r, w = os.pipe()
    saved = os.dup(0)
    try:
        os.dup2(r, 0)
        atmograph.inspect_image(ref)
        os.fstat(0)          # still open
        assert os.readlink("/proc/self/fd/0") == os.readlink("/proc/self/fd/%d" % r)
    finally:
        os.dup2(saved, 0)
        for fd in (r, w, saved):
            os.close(fd)
    assert sorted(os.listdir("/proc/self/fd")) == before

def test_missing_tag_and_bad_reference(plain):
    err = fail("inspect", "docker://%s/sample:nope" % plain.host)
    assert "manifest nope: HTTP 404" in err and "MANIFEST_UNKNOWN" in err
    err = fail("inspect", "docker://%s/UPPER:case" % plain.host)
    assert "not an image reference" in err


# ---- auth ----

@pytest.fixture(scope="module")
def basic(tmp_path_factory):
    reg = regserver.Registry(tmp_path_factory.mktemp("reg-auth"), auth=("tester", "s3cret"))
    yield reg
    reg.stop()


def test_basic_auth_from_auth_file(basic, pushed, tmp_path, monkeypatch):
    path = pushed["gzip"][0]
    ref = basic.push("oci-archive:" + path, "private:1")
    monkeypatch.delenv("REGISTRY_AUTH_FILE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))          # no ~/.docker/config.json
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.delenv("DOCKER_CONFIG", raising=False)
    err = fail("inspect", ref)
    assert "asks for credentials" in err or "no credentials" in err, err
    good = basic.auth_file(str(tmp_path / "auth.json"))
    a = inspect(ref, "--auth-file", good)
    assert figures(a) == figures(inspect(path))
    # the environment, as podman and skopeo read it
    monkeypatch.setenv("REGISTRY_AUTH_FILE", good)
    inspect(ref)
    monkeypatch.delenv("REGISTRY_AUTH_FILE")
    os.makedirs(tmp_path / ".docker")
    basic.auth_file(str(tmp_path / ".docker" / "config.json"))
    inspect(ref)
    bad = basic.auth_file(str(tmp_path / "bad.json"), password="wrong")
    err = fail("inspect", ref, "--auth-file", bad)
    assert "401" in err or "credentials" in err, err


# ---- TLS ----

@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    reg = regserver.Registry(tmp_path_factory.mktemp("reg-tls"), tls=True)
    yield reg
    reg.stop()


def test_tls_verified_by_default(tls, pushed):
    path = pushed["gzip"][0]
    ref = tls.push("oci-archive:" + path, "secure:1")
    err = fail("inspect", ref)
    assert "certificate" in err.lower(), err
    assert figures(inspect(ref, "--registry-ca", tls.ca)) == figures(inspect(path))
    # an insecure registry: TLS without verification
    inspect(ref, "--insecure-registry", tls.host)


def test_plain_http_only_where_allowed(plain, pushed):
    # the registry behind another loopback address, which is not "local" by name:
    # TLS is tried, and plain HTTP refused unless the registry is named insecure
    p = regserver.FaultProxy(plain.port, bind="127.0.0.2")
    try:
        ref = pushed["gzip"][1].replace(plain.host, p.host)
        err = fail("inspect", ref)
        assert "plain HTTP is used only for localhost" in err, err
        doc = inspect(ref, "--insecure-registry", p.host)
        assert figures(doc) == figures(inspect(pushed["gzip"][0]))
    finally:
        p.stop()


# ---- faults ----

@pytest.fixture
def proxy(plain, pushed):
    p = regserver.FaultProxy(plain.port)
    yield p
    p.stop()


def via(proxy, ref):
    return ref.replace(ref.split("/")[2], proxy.host)


@pytest.mark.parametrize("kind,where", [
    ("500", "/manifests/"), ("500", "/blobs/"), ("drop", "/manifests/"), ("drop", "/blobs/"),
    ("cut", "/blobs/"), ("redirect", "/blobs/"), ("500", "/v2/"), ("429", "/manifests/"),
    ("429", "/blobs/"),
])
def test_faults_are_survived(proxy, pushed, kind, where):
    path, ref = pushed["gzip"]
    # the largest blob of the image: the first layer
    doc = inspect(path)
    target = doc["layers"][0]["digest"] if where == "/blobs/" else where
    proxy.faults = [(kind, lambda p, t=target: t in p)]
    got = inspect(via(proxy, ref))
    assert proxy.faults == [], "the fault was not hit: %s" % proxy.seen
    assert figures(got) == figures(doc)


def test_bad_manifest_is_located(proxy, pushed):
    ref = via(proxy, pushed["gzip"][1])
    proxy.faults = [("badjson", lambda p: "/manifests/" in p)]
    err = fail("inspect", ref)
    assert err.startswith("atmograph: %s:2:24: error: not valid JSON" % ref), err


def test_wrong_blob_digest_is_an_error(proxy, pushed):
    path, ref = pushed["gzip"]
    layer = inspect(path)["layers"][1]["digest"]
    proxy.faults = [("corrupt", lambda p: layer in p)] * 5
    err = fail("inspect", via(proxy, ref))
    assert "layer %s" % layer in err and "digest mismatch" in err, err


def test_wrong_manifest_digest_is_an_error(proxy, pushed):
    path, ref = pushed["gzip"]
    dg = inspect(path)["digest"]
    base = via(proxy, ref).rsplit(":", 1)[0]
    proxy.faults = [("corrupt", lambda p: dg in p)]
    err = fail("inspect", "%s@%s" % (base, dg))
    assert "manifest %s: digest mismatch" % dg in err, err


def test_persistent_500_gives_up(proxy, pushed):
    ref = via(proxy, pushed["gzip"][1])
    proxy.faults = [("500", lambda p: "/manifests/" in p)] * 10
    err = fail("inspect", ref)
    assert "HTTP 500" in err and "injected" in err, err


# ---- the directive's :image: ----

def test_directive_image_from_a_registry(plain, make_app, rootdir, sphinx_test_tempdir):
    import re
    import shutil
    import time
    import test_sphinx_sizes as ts
    srcdir = sphinx_test_tempdir / ("imagegraph-registry-%d" % time.monotonic_ns())
    shutil.copytree(str(rootdir / "test-imagegraph-bake"), str(srcdir))
    refs = {}
    for stage, steps in (("build", ts.BUILD), ("runtime", ts.RUNTIME)):
        archive = srcdir / ("%s.tar" % stage)
        ts.docker_archive(archive, steps, "test/app:%s" % stage)
        refs[stage] = plain.push("docker-archive:%s" % archive, "app:%s" % stage)
        os.unlink(str(archive))               # only the registry has the images now
    with open(str(srcdir / "sizes.rst"), "w") as f:
        f.write(":orphan:\n\nSizes\n=====\n\n.. atmo-imagegraph:: images/app/Dockerfile\n"
                "   :build-context: base=docker-image://debian:bookworm\n"
                "   :image: build=%s runtime=%s\n" % (refs["build"], refs["runtime"]))
    app = make_app("html", srcdir=srcdir)
    app.build()
    assert "sizes.rst" not in app._warning.getvalue(), app._warning.getvalue()
    page = open(str(app.outdir / "sizes.html"), encoding="utf-8").read()
    svg = re.findall(r"<svg\b.*?</svg>", page, re.S)[0]
    labels = [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text[^>]*>[^<]*</text>", svg)]
    # the figures of the archive test (test_sphinx_sizes), read from the registry
    assert any("own 1.9 MiB" in t for t in labels), labels
    assert any("kept out" in t for t in labels), labels
