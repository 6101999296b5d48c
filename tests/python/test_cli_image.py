"""atmograph inspect / sizes / diff on images the tests generate themselves.

Every figure asserted here comes from imagegen.sample_expected() and the other
spec helpers: plain arithmetic over the fixture specs, not from atmograph.
"""
import gzip
import json
import os
import resource
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagegen as g  # noqa: E402

pytestmark = pytest.mark.cli

CLI = os.environ.get("ATMOGRAPH_CLI") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "atmograph")


def run(*args, check=None, timeout=300):
    p = subprocess.run([CLI] + [str(a) for a in args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=timeout)
    if check is not None:
        assert p.returncode == check, (p.returncode, p.stdout[-2000:], p.stderr[-2000:])
    return p


def inspect_json(path, *extra):
    p = run("inspect", path, "--json", "--packages", *extra, check=0)
    return json.loads(p.stdout)


def fail(*args, code=1):
    p = run(*args)
    assert p.returncode == code, (p.returncode, p.stdout[-1000:], p.stderr[-1000:])
    assert p.stderr.startswith("atmograph: "), p.stderr
    assert "Sanitizer" not in p.stderr and "runtime error" not in p.stderr, p.stderr
    return p.stderr


# ---- every layout and compression ---------------------------------------------------

LAYOUTS = [
    ("oci-layout", "gzip"), ("oci-layout", "zstd"), ("oci-layout", "none"),
    ("oci-archive", "gzip"), ("oci-archive", "zstd"),
    ("docker-legacy", "none"), ("docker-blobs", "none"),
]


def make(tmp_path, layout, compression="gzip", image=None):
    img = image or g.sample_image(compression)
    if layout == "oci-layout":
        return g.write_oci_layout(str(tmp_path / "oci"), img)
    if layout == "oci-archive":
        return g.write_oci_archive(str(tmp_path / "oci.tar"), img, str(tmp_path))
    if layout == "docker-legacy":
        return g.write_docker_archive(str(tmp_path / "docker.tar"), img, legacy=True)
    if layout == "docker-blobs":
        return g.write_docker_archive(str(tmp_path / "docker2.tar"), img, legacy=False)
    raise ValueError(layout)


@pytest.mark.parametrize("layout,compression", LAYOUTS)
def test_sample_every_layout(tmp_path, layout, compression):
    path = make(tmp_path, layout, compression)
    doc = inspect_json(path, "--verify")
    exp = g.sample_expected()
    assert doc["schema"] == "atmograph.image/1"
    assert doc["format"] == {"oci-layout": "oci-layout", "oci-archive": "oci-archive"}.get(
        layout, "docker-archive")
    assert doc["verified"] is True
    assert [l["size"] for l in doc["layers"]] == exp["layer_sizes"]
    assert [l["files"] for l in doc["layers"]] == exp["layer_files"]
    assert [l["whiteouts"] for l in doc["layers"]] == [0, 0, 2]
    assert [l["opaque_dirs"] for l in doc["layers"]] == [0, 0, 1]
    assert [l["compression"] for l in doc["layers"]] == [compression] * 3
    assert doc["size"]["bytes"] == exp["bytes"]
    assert doc["size"]["layers"] == 3
    assert doc["size"]["files"] == sum(exp["layer_files"])
    img = g.sample_image(compression)
    if layout.startswith("oci"):
        assert [l["compressed_size"] for l in doc["layers"]] == [len(b) for b in img.blobs_c]
        assert [l["digest"] for l in doc["layers"]] == [g.sha256(b) for b in img.blobs_c]
    else:
        assert [l["compressed_size"] for l in doc["layers"]] == [len(t) for t in img.tars]
    assert [l["tar_size"] > 0 for l in doc["layers"]] == [True] * 3
    assert [l["diff_id"] for l in doc["layers"]] == [g.sha256(t) for t in img.tars]
    eff = doc["efficiency"]
    assert eff["score"] == pytest.approx(exp["score"], abs=1e-12)
    assert eff["wasted_bytes"] == exp["wasted"]
    assert eff["wasted_bytes_corrected"] == exp["wasted_corrected"]
    assert [(e["path"], e["count"], e["cumulative"], e["smallest"])
            for e in eff["inefficient"]] == exp["inefficient"]
    # history: empty layers kept as zero-byte steps, prefixes trimmed
    h = doc["history"]
    assert len(h) == 5
    assert [e["layer"] for e in h] == [0, None, 1, 2, None]
    assert [e["empty_layer"] for e in h] == [False, True, False, False, True]
    assert [e["size"] for e in h] == [exp["layer_sizes"][0], 0, exp["layer_sizes"][1],
                                      exp["layer_sizes"][2], 0]
    assert h[0]["created_by"] == "ADD file:abc in / "
    assert h[1]["created_by"] == "ENV TZ=UTC"
    assert h[3]["created_by"] == "rm -rf /tmp/cache.bin /opt/data"
    assert h[2]["comment"] == "buildkit.dockerfile.v0"
    assert doc["layers"][2]["history"] == 3
    # packages: last writer wins, removals and status.d honoured
    pk = doc["packages"]
    got = {p["name"]: (p["version"], p["layer"], p["installed_size"]) for p in pk["installed"]}
    assert got == exp["packages"]
    assert {p["name"]: p["layer"] for p in pk["removed"]} == exp["removed"]
    assert pk["count"] == len(exp["packages"])
    assert pk["installed_size"] == sum(v[2] for v in exp["packages"].values())
    # largest files of layer 0 (hard link and symlink carry no bytes)
    assert [(f["path"], f["size"]) for f in doc["layers"][0]["largest"][:3]] == [
        ("opt/data/big.bin", 10000), ("usr/bin/tool", 5000), ("var/lib/dpkg/status", len(g.DPKG0))]


def test_human_output(tmp_path):
    path = make(tmp_path, "oci-layout")
    out = run("inspect", path, "--packages", "--files", "2", check=0).stdout
    assert "LAYER" in out and "CREATED BY" in out
    assert "Efficiency: 75.07 %" in out
    assert "13.9 KiB (dive)" in out          # 14215 bytes
    assert "usr/bin/tool" in out and "curl" in out
    exact = run("inspect", path, "--bytes", check=0).stdout
    assert "14215 (dive)" in exact and "8696 (corrected" in exact


def test_empty_and_link_layers(tmp_path):
    layers = [[], [("dir", "a/"), ("file", "a/x", 10), ("hardlink", "a/y", "a/x"),
                   ("symlink", "a/z", "x")]]
    img = g.Image(layers, compression="gzip")
    doc = inspect_json(g.write_oci_layout(str(tmp_path / "o"), img))
    assert [l["files"] for l in doc["layers"]] == [0, 4]
    assert [l["size"] for l in doc["layers"]] == [0, 10]
    assert doc["efficiency"]["score"] == 1.0
    assert doc["efficiency"]["wasted_bytes"] == 0
    assert doc["packages"]["count"] == 0


def test_no_layers_score_is_one(tmp_path):
    img = g.Image([], history=[], compression="gzip")
    doc = inspect_json(g.write_oci_layout(str(tmp_path / "o"), img))
    assert doc["size"]["bytes"] == 0 and doc["efficiency"]["score"] == 1.0


# ---- choosing among several images -------------------------------------------------

def test_several_images_need_ref(tmp_path):
    one = g.sample_image("gzip", ref="one")
    two = g.Image([[("file", "only-two", 42)]], compression="zstd", ref="two")
    path = g.write_oci_layout(str(tmp_path / "multi"), [one, two])
    err = fail("inspect", path)
    assert "one" in err and "two" in err and "--ref" in err
    doc = inspect_json(path, "--ref", "two")
    assert doc["ref"] == "two" and doc["size"]["bytes"] == 42
    err = fail("inspect", path, "--ref", "three")
    assert "no image matches --ref three" in err


def test_platform_index(tmp_path):
    amd = g.Image([[("file", "amd", 1)]], arch="amd64")
    arm = g.Image([[("file", "arm", 2)]], arch="arm64")
    path = g.write_oci_layout(str(tmp_path / "plat"), [amd, arm], nested=True)
    err = fail("inspect", path)
    assert "linux/amd64" in err and "linux/arm64" in err
    assert inspect_json(path, "--platform", "linux/arm64")["size"]["bytes"] == 2
    assert inspect_json(path, "--platform", "linux/amd64")["size"]["bytes"] == 1


def test_docker_archive_repotags(tmp_path):
    a = g.Image([[("file", "a", 5)]], tag="x/app:1.0")
    b = g.Image([[("file", "b", 7)]], tag="x/app:2.0")
    path = g.write_docker_archive(str(tmp_path / "d.tar"), [a, b])
    assert "x/app:1.0" in fail("inspect", path)
    assert inspect_json(path, "--ref", "x/app:2.0")["size"]["bytes"] == 7
    assert inspect_json(path, "--ref", "1.0")["size"]["bytes"] == 5


# ---- broken inputs -----------------------------------------------------------------

def test_missing_image():
    assert "cannot open image" in fail("inspect", "/nonexistent/image.tar")


def test_usage_errors():
    p = run("inspect")
    assert p.returncode == 2 and "try 'atmograph inspect --help'" in p.stderr
    assert run("inspect", "--help", check=0).stdout.startswith("usage: atmograph inspect")
    assert run("sizes", "Dockerfile").returncode == 2
    assert run("diff", "a").returncode == 2


def test_digest_mismatch_with_verify(tmp_path):
    img = g.sample_image("none")
    path = g.write_oci_layout(str(tmp_path / "o"), img)
    blob = os.path.join(path, "blobs", "sha256", g.sha256(img.blobs_c[0])[7:])
    data = bytearray(open(blob, "rb").read())
    pos = data.index(b"atmograph fixture data")
    data[pos] ^= 1                     # same size, same tar structure, other bytes
    open(blob, "wb").write(bytes(data))
    run("inspect", path, check=0)      # without --verify the content is not hashed
    err = fail("inspect", path, "--verify")
    assert "digest mismatch" in err and g.sha256(img.blobs_c[0]) in err


def test_missing_blob(tmp_path):
    img = g.sample_image("gzip")
    path = g.write_oci_layout(str(tmp_path / "o"), img)
    os.unlink(os.path.join(path, "blobs", "sha256", g.sha256(img.blobs_c[1])[7:]))
    assert "missing blob" in fail("inspect", path)


def test_index_not_json(tmp_path):
    path = g.write_oci_layout(str(tmp_path / "o"), g.sample_image())
    open(os.path.join(path, "index.json"), "w").write('{"manifests": [')
    err = fail("inspect", path)
    assert "index.json" in err and "not valid JSON" in err


def test_index_wrong_types(tmp_path):
    path = g.write_oci_layout(str(tmp_path / "o"), g.sample_image())
    open(os.path.join(path, "index.json"), "w").write('{"manifests": {"a": 1}}')
    assert '"manifests" must be an array' in fail("inspect", path)
    open(os.path.join(path, "index.json"), "w").write(
        '{"manifests": [{"digest": "sha256:../../etc/passwd"}]}')
    assert "digest" in fail("inspect", path)


def test_config_wrong_types(tmp_path):
    img = g.sample_image()
    img.config["history"] = 5
    assert '"history" must be an array' in fail("inspect", g.write_oci_layout(str(tmp_path / "a"), img))
    img = g.sample_image()
    img.config["rootfs"]["diff_ids"] = [1, 2, 3]
    assert "diff_ids" in fail("inspect", g.write_oci_layout(str(tmp_path / "b"), img))
    img = g.sample_image()
    img.config["history"][0]["created_by"] = ["not", "a", "string"]
    assert "must be strings" in fail("inspect", g.write_oci_layout(str(tmp_path / "c"), img))


def test_docker_manifest_wrong(tmp_path):
    members = g.docker_members(g.sample_image("none"))
    members["manifest.json"] = b'{"Config": 1}'
    assert "must be a JSON array" in fail("inspect", g.write_tar(str(tmp_path / "a.tar"), members))
    members["manifest.json"] = b'[{"Config": "x.json", "Layers": [1]}]'
    assert "must be" in fail("inspect", g.write_tar(str(tmp_path / "b.tar"), members))
    members["manifest.json"] = b"\x00garbage"
    assert "not valid JSON" in fail("inspect", g.write_tar(str(tmp_path / "c.tar"), members))


def test_layer_listed_twice(tmp_path):
    members = g.docker_members(g.sample_image("none"))
    man = json.loads(members["manifest.json"])
    man[0]["Layers"] = [man[0]["Layers"][0]] * 2 + man[0]["Layers"][1:]
    members["manifest.json"] = json.dumps(man).encode()
    assert "listed twice" in fail("inspect", g.write_tar(str(tmp_path / "t.tar"), members))


def test_truncated_archive(tmp_path):
    path = make(tmp_path, "docker-legacy")
    data = open(path, "rb").read()
    import tarfile
    with tarfile.open(path) as tf:
        last = tf.getmembers()[-1]
    # inside the first header, in the middle, inside the last member's data
    for cut in (300, len(data) // 2, last.offset_data + last.size // 2):
        open(path, "wb").write(data[:cut])
        fail("inspect", path)


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
@pytest.mark.parametrize("damage", ["truncate", "corrupt"])
def test_broken_compressed_layer(tmp_path, compression, damage):
    img = g.sample_image(compression)
    # a bigger layer so that damage lands inside the compressed stream
    img.tars[0] = g.layer_tar([("file", "f%d" % i, ("line %d of file %d\n" % (k, i)) * 40)
                               for i in range(20) for k in range(1)])
    img.blobs_c[0] = g.compress(img.tars[0], compression)
    img.config["rootfs"]["diff_ids"][0] = g.sha256(img.tars[0])
    b = bytearray(img.blobs_c[0])
    if damage == "truncate":
        b = b[: len(b) // 2]
    else:
        for i in range(len(b) // 3, len(b) // 3 + 64):
            b[i] ^= 0x5A
    img.blobs_c[0] = bytes(b)          # the manifest names the damaged blob
    err = fail("inspect", g.write_oci_layout(str(tmp_path / "o"), img))
    assert "layer" in err


def test_media_type_says_gzip_but_is_not(tmp_path):
    img = g.sample_image("none")
    path = g.write_oci_layout(str(tmp_path / "o"), img)
    man_path = os.path.join(path, "blobs", "sha256", g.sha256(img.manifest_bytes())[7:])
    man = json.loads(open(man_path).read())
    man["layers"][0]["mediaType"] = g.LAYER_MT["gzip"]
    mb = json.dumps(man).encode()
    open(os.path.join(path, "blobs", "sha256", g.sha256(mb)[7:]), "wb").write(mb)
    json.dump({"schemaVersion": 2, "manifests": [{"mediaType": g.MT_OCI_MANIFEST,
               "digest": g.sha256(mb), "size": len(mb)}]},
              open(os.path.join(path, "index.json"), "w"))
    assert "is not gzip data" in fail("inspect", path)


def test_docker_gzip_type_on_an_uncompressed_layer(tmp_path):
    # docker schema 2 labels every layer tar.gzip, uncompressed ones too: the content decides
    img = g.sample_image("none")
    path = g.write_oci_layout(str(tmp_path / "o"), img)
    man_path = os.path.join(path, "blobs", "sha256", g.sha256(img.manifest_bytes())[7:])
    man = json.loads(open(man_path).read())
    for layer in man["layers"]:
        layer["mediaType"] = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    mb = json.dumps(man).encode()
    open(os.path.join(path, "blobs", "sha256", g.sha256(mb)[7:]), "wb").write(mb)
    json.dump({"schemaVersion": 2, "manifests": [{"mediaType": g.MT_OCI_MANIFEST,
               "digest": g.sha256(mb), "size": len(mb)}]},
              open(os.path.join(path, "index.json"), "w"))
    doc = inspect_json(path)
    assert [l["compression"] for l in doc["layers"]] == ["none"] * 3
    assert doc["size"]["bytes"] == g.sample_expected()["bytes"]


def test_absurd_size_in_layer_header(tmp_path):
    img = g.sample_image("none")
    img.tars[1] = g.raw_tar_header("huge.bin", 8 ** 11 - 1) + b"\0" * 2048
    img.blobs_c[1] = img.tars[1]
    img.config["rootfs"]["diff_ids"][1] = g.sha256(img.tars[1])
    err = fail("inspect", g.write_oci_layout(str(tmp_path / "o"), img))
    assert "truncated" in err.lower() or "absurd" in err


def test_absurd_size_in_outer_archive(tmp_path):
    path = make(tmp_path, "docker-legacy")
    data = open(path, "rb").read()
    import tarfile
    with tarfile.open(path) as tf:
        last = tf.getmembers()[-1]
    end = last.offset_data + (last.size + 511) // 512 * 512
    with open(path, "wb") as f:
        f.write(data[:end])            # drop the end-of-archive blocks
        f.write(g.raw_tar_header("zzz/huge", 8 ** 11 - 1))
        f.write(b"\0" * 1024)
    assert "claims" in fail("inspect", path)


@pytest.mark.parametrize("name,word", [("../escape", "'..'"), ("a/../../b", "'..'"),
                                       ("/etc/abs", "absolute")])
def test_unsafe_member_names(tmp_path, name, word):
    img = g.sample_image("gzip")
    raw = g.raw_tar_header(name, 0) + b"\0" * 1024
    img.tars[2] = raw
    img.blobs_c[2] = gzip.compress(raw)
    img.config["rootfs"]["diff_ids"][2] = g.sha256(raw)
    assert word in fail("inspect", g.write_oci_layout(str(tmp_path / "o"), img))
    # and in the outer archive
    members = g.docker_members(g.sample_image("none"))
    members[name] = b"x"
    assert word in fail("inspect", g.write_tar(str(tmp_path / "d.tar"), members))


def test_tar_bomb_is_stopped(tmp_path):
    path = str(tmp_path / "bomb")
    img = g.Image([[("file", "x", 1)]], compression="gzip")
    os.makedirs(path)
    bomb = g.tar_bomb_layer_gz(str(tmp_path / "bomb.gz"), entries=1_100_000)
    data = open(bomb, "rb").read()
    img.blobs_c[0] = data
    g.write_oci_layout(path, img)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    err = fail("inspect", path)
    took = time.time() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert "tar bomb" in err and "ATMO_IMAGE_MAX_FILES" in err
    assert took < 120
    if "asan" not in CLI:
        assert after.ru_maxrss < 400 * 1024, after.ru_maxrss   # KiB: bounded memory


# ---- stage attribution ------------------------------------------------------------

def test_sizes_stages(tmp_path):
    base, build, runtime, sz = g.stage_images("gzip")
    df = tmp_path / "Dockerfile"
    df.write_text(g.STAGES_DOCKERFILE)
    pb = g.write_oci_layout(str(tmp_path / "base"), base)
    pbu = g.write_oci_archive(str(tmp_path / "build.tar"), build, str(tmp_path))
    pr = g.write_docker_archive(str(tmp_path / "runtime.tar"), runtime)
    doc = json.loads(run("sizes", df, "--json", "--image", "base=" + pb, "--image",
                         "build=" + pbu, "--image", "runtime=" + pr, check=0).stdout)
    assert doc["schema"] == "atmograph.sizes/1" and doc["target"] == "runtime"
    st = {s["stage"]: s for s in doc["stages"]}
    assert st["base"]["base_bytes"] == sz["debian"]
    assert st["base"]["own_bytes"] == sz["ca"]
    assert st["build"]["base_bytes"] == sz["debian"] + sz["ca"]
    assert st["build"]["own_bytes"] == sz["gcc"] + sz["src"] + sz["make"]
    assert st["runtime"]["own_bytes"] == sz["tool"]
    assert st["build"]["in_final"] is False and st["runtime"]["in_final"] is True
    ins = {(i["line"], i["keyword"]): i["bytes"] for i in st["build"]["instructions"]}
    assert ins == {(7, "run"): sz["gcc"], (8, "copy"): sz["src"], (9, "run"): sz["make"]}
    rins = [(i["keyword"], i["bytes"], len(i["history"])) for i in st["runtime"]["instructions"]]
    assert rins == [("env", 0, 1), ("copy", sz["tool"], 1), ("cmd", 0, 1)]
    assert st["build"]["own_packages"] == ["cpp-12", "gcc", "gcc-12"]
    # kept out (atmo_image_kept_out): the build image's layers absent from the final image,
    # by diff_id; /src/out copied into the runtime stage is reported as copied_bytes
    assert doc["kept_out"]["own_bytes"] == sz["gcc"] + sz["src"] + sz["make"]
    assert doc["kept_out"]["copied_bytes"] == sz["make"]
    assert doc["kept_out"]["bytes"] == sz["gcc"] + sz["src"] + sz["make"]
    assert doc["kept_out"]["layers"] == 3
    assert doc["kept_out"]["packages"] == ["cpp-12", "gcc", "gcc-12"]
    assert doc["kept_out"]["stages"] == ["build"]
    # one stage alone: the base image's history is found as a prefix
    one = json.loads(run("sizes", df, "--json", "--image", "build=" + pbu, check=0).stdout)
    s = one["stages"][0]
    assert s["own_bytes"] == sz["gcc"] + sz["src"] + sz["make"]
    assert s["base_history"] == 3
    # every history entry carries "line": null for the base image's entries (schema)
    assert all("line" in h for h in s["history"])
    assert [h["line"] for h in s["history"] if h["part"] == "base"] == [None] * 3
    human = run("sizes", df, "--image", "build=" + pbu, "--image", "runtime=" + pr, check=0).stdout
    assert "Kept out of the final image" in human and "gcc-12" in human


def test_sizes_bad_stage(tmp_path):
    base, build, runtime, sz = g.stage_images("gzip")
    df = tmp_path / "Dockerfile"
    df.write_text(g.STAGES_DOCKERFILE)
    pb = g.write_oci_layout(str(tmp_path / "base"), base)
    err = fail("sizes", df, "--image", "nosuch=" + pb)
    assert "no stage 'nosuch'" in err and "build" in err
    assert run("sizes", df, "--image", "base").returncode == 2


# ---- diff --------------------------------------------------------------------------

def test_diff(tmp_path):
    base, build, runtime, sz = g.stage_images("zstd")
    pa = g.write_oci_layout(str(tmp_path / "a"), build)
    pb = g.write_docker_archive(str(tmp_path / "b.tar"), runtime, legacy=False)
    doc = json.loads(run("diff", pa, pb, "--json", check=0).stdout)
    assert doc["schema"] == "atmograph.diff/1"
    assert doc["layers"]["shared"] == 2
    assert doc["delta"]["bytes"] == sz["tool"] - (sz["gcc"] + sz["src"] + sz["make"])
    f = doc["files"]
    assert [e["path"] for e in f["added"]] == ["usr/bin/tool"]
    assert sorted(e["path"] for e in f["removed"]) == ["src", "src/main.c", "src/out",
                                                       "usr/bin/gcc-12"]
    assert f["removed_bytes"] == 700 + 8000 + 90000
    assert [e["path"] for e in f["changed"]] == ["var/lib/dpkg/status"]
    assert sorted(p["name"] for p in doc["packages"]["removed"]) == ["cpp-12", "gcc", "gcc-12"]
    assert doc["packages"]["added"] == [] and doc["packages"]["changed"] == []
    out = run("diff", pa, pb, check=0).stdout
    assert "Shared layers: 2" in out and "- gcc-12" in out.replace("  ", " ")


def test_verify_diff_id_of_compressed_layer(tmp_path):
    img = g.sample_image("zstd")
    img.config["rootfs"]["diff_ids"][1] = g.sha256(b"something else")
    path = g.write_oci_layout(str(tmp_path / "o"), img)
    run("inspect", path, check=0)
    err = fail("inspect", path, "--verify")
    assert "diff_id mismatch" in err and g.sha256(img.tars[1]) in err


def test_many_largest_files(tmp_path):
    path = make(tmp_path, "oci-layout")
    doc = json.loads(run("inspect", path, "--json", "--files", "1000", check=0).stdout)
    sizes = [f["size"] for f in doc["layers"][0]["largest"]]
    assert sizes == sorted(sizes, reverse=True) and len(sizes) == 8   # files + hard link
    doc = json.loads(run("inspect", path, "--json", "--files", "1", check=0).stdout)
    assert [f["path"] for f in doc["layers"][1]["largest"]] == ["usr/bin/tool"]


def test_long_member_names_in_outer_archive(tmp_path):
    """pax headers before a member shift its data: the layer offsets must follow."""
    members = g.docker_members(g.sample_image("none"))
    man = json.loads(members["manifest.json"])
    names = []
    for i, l in enumerate(man[0]["Layers"]):
        n = "very-long-directory-name-" * 6 + "%d/layer.tar" % i
        members[n] = members.pop(l)
        names.append(n)
    man[0]["Layers"] = names
    members["manifest.json"] = json.dumps(man).encode()
    doc = inspect_json(g.write_tar(str(tmp_path / "long.tar"), members), "--verify")
    assert [l["size"] for l in doc["layers"]] == g.sample_expected()["layer_sizes"]


def test_empty_blob_layer(tmp_path):
    img = g.Image([[("file", "a", 3)], []], compression="none")
    img.tars[1] = img.blobs_c[1] = b""
    img.config["rootfs"]["diff_ids"][1] = g.sha256(b"")
    doc = inspect_json(g.write_oci_layout(str(tmp_path / "o"), img), "--verify")
    assert [l["files"] for l in doc["layers"]] == [1, 0]
    assert [l["size"] for l in doc["layers"]] == [3, 0]


def test_sizes_docker_classic_history(tmp_path):
    """docker/buildah forms: `#(nop)` for metadata and COPY, `|N K=V /bin/sh -c` for RUN."""
    df = tmp_path / "Dockerfile"
    df.write_text("FROM debian:bookworm\nARG V=1\nCOPY app /app\nRUN make -C /app\n"
                  "ENV X=y\nRUN rm -rf /app/obj\n")
    layers = [[("file", "base", 100)], [("file", "app/src.c", 40)], [("file", "app/obj", 500)],
              [("whiteout", "app/obj")]]
    hist = [{"created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
            {"created_by": "/bin/sh -c #(nop)  CMD [\"bash\"]", "empty_layer": True},
            {"created_by": "/bin/sh -c #(nop)  ARG V=1", "empty_layer": True},
            {"created_by": "/bin/sh -c #(nop) COPY dir:123 in /app "},
            {"created_by": "|1 V=1 /bin/sh -c make -C /app"},
            {"created_by": "/bin/sh -c #(nop)  ENV X=y", "empty_layer": True},
            {"created_by": "|1 V=1 /bin/sh -c rm -rf /app/obj"}]
    img = g.Image(layers, history=hist, compression="gzip")
    path = g.write_oci_layout(str(tmp_path / "o"), img)
    doc = json.loads(run("sizes", df, "--json", "--image", "0=" + path, check=0).stdout)
    s = doc["stages"][0]
    assert s["base_history"] == 2 and s["base_bytes"] == 100
    assert s["own_bytes"] == 540 and s["unattributed_bytes"] == 0
    assert [(i["keyword"], i["bytes"], i["history"]) for i in s["instructions"]] == [
        ("arg", 0, [2]), ("copy", 40, [3]), ("run", 500, [4]), ("env", 0, [5]), ("run", 0, [6])]
    assert [h["part"] for h in s["history"]] == ["base", "base"] + ["instruction"] * 5


def test_compressed_outer_archive_is_refused(tmp_path):
    path = make(tmp_path, "oci-archive")
    data = open(path, "rb").read()
    gz = str(tmp_path / "oci.tar.gz")
    open(gz, "wb").write(gzip.compress(data))
    assert "decompress it first" in fail("inspect", gz)


def test_history_missing_or_short(tmp_path):
    img = g.sample_image("gzip")
    del img.config["history"]
    doc = inspect_json(g.write_oci_layout(str(tmp_path / "a"), img))
    assert doc["history"] == [] and [l["history"] for l in doc["layers"]] == [None] * 3
    assert "(no history entry)" in run("inspect", str(tmp_path / "a"), check=0).stdout
    img = g.sample_image("gzip")
    img.config["history"] = img.config["history"][:1]
    doc = inspect_json(g.write_oci_layout(str(tmp_path / "b"), img))
    assert [l["history"] for l in doc["layers"]] == [0, None, None]


def test_not_an_image(tmp_path):
    (tmp_path / "d").mkdir()
    assert "not an image" in fail("inspect", tmp_path / "d")
    (tmp_path / "f").write_bytes(b"hello, not a tar\n" * 100)
    fail("inspect", tmp_path / "f")


def test_whiteout_of_implicit_directory(tmp_path):
    # no directory entries: x/y exists only as the parent of its files
    layers = [[("file", "x/y/z", 10), ("file", "x/y/w", 5), ("file", "x/k", 1)],
              [("whiteout", "x/y")]]
    doc = inspect_json(g.write_oci_layout(str(tmp_path / "o"), g.Image(layers)))
    eff = doc["efficiency"]
    # paths: x/y/z 10, x/y/w 5, x/k 1, whiteout x/y hides 15: cum 31, smallest 31
    assert eff["score"] == 1.0 and eff["wasted_bytes"] == 0
    b = g.Image([[("file", "x/k", 1)]])
    d = json.loads(run("diff", str(tmp_path / "o"), g.write_oci_layout(str(tmp_path / "b"), b),
                       "--json", check=0).stdout)
    assert d["files"]["removed_count"] == 0 and d["files"]["added_count"] == 0


def test_many_whiteouts_are_quick(tmp_path):
    n = 20000
    layers = [[("file", "d%d/f%d" % (i % 100, i), 1) for i in range(n)],
              [("whiteout", "d%d/f%d" % (i % 100, i)) for i in range(n)]]
    path = g.write_oci_layout(str(tmp_path / "o"), g.Image(layers, compression="zstd"))
    t0 = time.time()
    doc = inspect_json(path)
    assert time.time() - t0 < 20
    assert doc["layers"][1]["whiteouts"] == n
    # every path twice: cumulative 1 + 0, smallest 0
    assert doc["efficiency"]["wasted_bytes"] == n
    assert doc["efficiency"]["wasted_bytes_corrected"] == n
    assert doc["efficiency"]["score"] == 0.0


def test_stdin_is_refused():
    assert "standard input" in fail("inspect", "-")


def test_distroless_status_d(tmp_path):
    layers = [[("file", "var/lib/dpkg/status.d/libc6",
                "Package: libc6\nVersion: 2.36-9\nArchitecture: amd64\nInstalled-Size: 12000\n"),
               ("file", "var/lib/dpkg/status.d/libc6.md5sums", "0123abcd  lib/x86_64-linux-gnu/libc.so.6\n"),
               ("file", "var/lib/dpkg/status.d/tzdata", "Package: tzdata\nVersion: 2024a\n")],
              [("whiteout", "var/lib/dpkg/status.d/tzdata")]]
    doc = inspect_json(g.write_oci_layout(str(tmp_path / "o"), g.Image(layers)))
    pk = doc["packages"]
    assert [(p["name"], p["version"], p["layer"]) for p in pk["installed"]] == [("libc6", "2.36-9", 0)]
    assert [(p["name"], p["layer"]) for p in pk["removed"]] == [("tzdata", 1)]
