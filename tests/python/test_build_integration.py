"""Integration: build tests/images with buildah through `atmograph build -j 2 --stages`.

The base image comes from debootstrap (tests/images/make-base.sh); nothing but
Debian's mirror is used. Asserts from the build report: every image exists, the
builder is larger than the final image, build-time packages stay out of it, a
second run rebuilds nothing, and touching one Dockerfile rebuilds only it and
its dependents (on a copy of the family, so the tree is left as it is).

Run by `make check-build` (and so `make check`), which sets ATMOGRAPH_INTEGRATION=1;
skipped otherwise so that `pytest tests/python` does not build images twice.
Needs root, buildah and debootstrap.
"""

import json
import os
import pathlib
import shutil
import subprocess
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("ATMOGRAPH_CLI", str(REPO / "build" / "atmograph"))
FAMILY = REPO / "tests" / "images"
OUT = pathlib.Path(os.environ.get("ATMOGRAPH_EXAMPLE_DIR", REPO / "build" / "example-images"))
STORAGE = os.environ.get("ATMOGRAPH_EXAMPLE_STORAGE", "/var/cache/atmograph/storage")
REPORT = OUT / "report.json"
TARGETS = ("base", "builder", "runtime", "service")


def buildah(*args):
    return subprocess.run(["buildah", "--storage-driver", "vfs", "--root", STORAGE, *args],
                          capture_output=True, text=True)


def atmograph_build(bake, out, report, *extra):
    cmd = [CLI, "build", "-f", str(bake), "-j", "2", "--progress", "plain",
           "--storage-root", STORAGE, "--out", str(out), "--report", str(report), *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def report():
    if os.environ.get("ATMOGRAPH_INTEGRATION") != "1":
        pytest.skip("image builds run in `make check-build` (ATMOGRAPH_INTEGRATION=1)")
    if os.geteuid() != 0 or not shutil.which("buildah"):
        pytest.skip("needs root and buildah")
    env = dict(os.environ, ATMOGRAPH_STORAGE_ROOT=STORAGE)
    r = subprocess.run(["sh", str(FAMILY / "make-base.sh")], env=env, capture_output=True,
                       text=True, timeout=900)
    if r.returncode == 77:
        pytest.skip("the base image cannot be made here: " + r.stderr.strip())
    assert r.returncode == 0, r.stdout + r.stderr
    OUT.mkdir(parents=True, exist_ok=True)
    r = atmograph_build(FAMILY / "docker-bake.json", OUT / "out", REPORT, "--stages")
    assert r.returncode == 0, r.stderr
    return json.loads(REPORT.read_text())


def test_each_image_exists(report):
    assert report["schema"] == "atmograph.build-report/1"
    assert report["engine"]["name"] == "buildah"
    assert set(report["targets"]) == set(TARGETS)
    for name in TARGETS:
        t = report["targets"][name]
        assert t["status"] in ("built", "cached"), (name, t)
        r = buildah("inspect", "--type", "image", "--format", "{{.FromImageID}}", t["image"])
        assert r.returncode == 0, r.stderr
        assert t["digest"].endswith(r.stdout.strip())
        assert pathlib.Path(t["archive"]).is_file()
        assert t["size"]["bytes"] > 0 and t["size"]["layers"] >= 1
        assert pathlib.Path(t["log"]).is_file()
    # buildah 1.28 has no heredocs: the family was lowered
    assert report["targets"]["base"]["lowered"] == 2


def test_builder_stage_larger_than_final_image(report):
    service = report["targets"]["service"]
    final = service["size"]["bytes"]
    assert report["targets"]["builder"]["size"]["bytes"] > final
    build = service["stages"]["build"]
    assert build["in_final"] is False
    assert build["size"]["bytes"] > final
    assert service["stages"]["service"]["in_final"] is True


def test_build_packages_stay_out_of_the_final_image(report):
    builder = set(report["targets"]["builder"]["packages"])
    build_stage = set(report["targets"]["service"]["stages"]["build"]["packages"])
    final = set(report["targets"]["service"]["packages"])
    for pkg in ("gcc", "libc6-dev", "libffi-dev"):
        assert pkg in builder and pkg in build_stage, pkg
        assert pkg not in final, pkg
    assert "python3" in final
    kept = report["targets"]["service"]["kept_out"]
    assert {"gcc", "libc6-dev", "libffi-dev"} <= set(kept["packages"])
    # the layers of the build stage the final image lacks: the toolchain at least
    toolchain = report["targets"]["builder"]["size"]["bytes"] - report["targets"]["base"]["size"]["bytes"]
    assert kept["bytes"] > 0.9 * toolchain


def test_second_run_rebuilds_nothing(report, tmp_path):
    start = time.monotonic()
    r = atmograph_build(FAMILY / "docker-bake.json", OUT / "out", tmp_path / "again.json",
                        "--stages")
    elapsed = time.monotonic() - start
    assert r.returncode == 0, r.stderr
    again = json.loads((tmp_path / "again.json").read_text())
    assert {t["status"] for t in again["targets"].values()} == {"cached"}
    assert elapsed < 10
    # the cached report keeps what the build measured
    assert again["targets"]["service"]["size"] == report["targets"]["service"]["size"]


def test_touching_a_dockerfile_rebuilds_it_and_its_dependents(report, tmp_path):
    # a copy of the family with a copy of the build state: same inputs, same images
    family = tmp_path / "images"
    shutil.copytree(FAMILY, family)
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(OUT / "out" / "state.json", out / "state.json")
    r = atmograph_build(family / "docker-bake.json", out, tmp_path / "r1.json", "--no-export")
    assert r.returncode == 0, r.stderr
    r1 = json.loads((tmp_path / "r1.json").read_text())
    assert {t["status"] for t in r1["targets"].values()} == {"cached"}
    with open(family / "runtime" / "Dockerfile", "a") as f:
        f.write("# touched by the integration test\n")
    r = atmograph_build(family / "docker-bake.json", out, tmp_path / "r2.json", "--no-export")
    assert r.returncode == 0, r.stderr
    r2 = json.loads((tmp_path / "r2.json").read_text())
    status = {k: v["status"] for k, v in r2["targets"].items()}
    assert status == {"base": "cached", "builder": "cached", "runtime": "built",
                      "service": "built"}
    assert r2["targets"]["runtime"]["inputs"] != r1["targets"]["runtime"]["inputs"]
    assert r2["targets"]["service"]["inputs"] != r1["targets"]["service"]["inputs"]
    # the committed family and its state are unchanged
    assert "touched" not in (FAMILY / "runtime" / "Dockerfile").read_text()
    r = atmograph_build(FAMILY / "docker-bake.json", OUT / "out", tmp_path / "r3.json",
                        "--stages")
    assert r.returncode == 0, r.stderr
