"""HCL bake files through the faces: `atmograph bake --print` on golden cases of
buildx (tests/data/bake-golden) byte for byte, and the OpenStack-like family
(tests/data/bake-hcl/openstack) through `bake --graph`, `plan` and the Python API.
"""

import json
import os
import pathlib
import subprocess

import pytest

import atmograph

pytestmark = pytest.mark.cli

REPO = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("ATMOGRAPH_CLI", str(REPO / "build" / "atmograph"))
GOLDEN = REPO / "tests" / "data" / "bake-golden"
OPENSTACK = REPO / "tests" / "data" / "bake-hcl" / "openstack" / "docker-bake.hcl"

# a handful of cases: HCL variables and functions, a matrix, JSON and HCL merged,
# --set overrides, and an error located as buildx locates it
CASES = [
    "TestHCLAttrs__01",
    "TestHCLWithFunctions__01",
    "TestHCLMultiFileAttrs__01",
    "TestCombineHCLAndJSONTargets__01",
    "TestReadTargets__02",
    "TestNestedInherits__01",
    "TestVariableValidation__02",
]


def run(*args, env=None, cwd=None):
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent-home"}
    if env:
        e.update(env)
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, env=e,
                          cwd=cwd, timeout=60)


@pytest.mark.parametrize("case", CASES)
def test_golden_print(case):
    d = GOLDEN / case
    cmd = json.loads((d / "cmd.json").read_text())
    args = ["bake", "--print"]
    for f in cmd["files"]:
        args += ["-f", f]
    for s in cmd["set"]:
        args += ["--set", s]
    for v in cmd["var"]:
        args += ["--var", v]
    args += cmd["targets"]
    r = run(*args, env=cmd["env"], cwd=d)
    if (d / "expected.err").exists():
        want = (d / "expected.err").read_text().strip()
        assert r.returncode == 1, r.stdout
        assert want.removeprefix("ERROR: ") in r.stderr
    else:
        assert r.returncode == 0, r.stderr
        assert r.stdout.rstrip("\n") == (d / "expected.json").read_text().rstrip("\n")


def test_openstack_graph_and_plan():
    r = run("bake", "--graph", "-f", OPENSTACK)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["schema"] == "atmograph.graph/1"
    assert {"builder", "runtime", "keystone", "octavia"} <= {i["id"] for i in doc["images"]}
    text = r.stdout
    for name in ("builder", "runtime", "keystone", "nova-api", "octavia"):
        assert name in text
    r = run("plan", "-f", OPENSTACK, "--json", "--engine", "buildah", "--engine-version", "1.35.0")
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert plan["waves"][0] == ["builder"]
    assert plan["waves"][1] == ["runtime"]
    assert len(plan["waves"][2]) == 16


def test_openstack_python():
    doc = atmograph.bake_graph(OPENSTACK, no_env=True)
    assert doc["schema"] == "atmograph.graph/1"
    printed = atmograph.load_bake(OPENSTACK, targets=["nova-api"], no_env=True,
                                  overrides=["nova-api.args.EXTRA=1"])
    nova = printed["target"]["nova-api"]
    assert nova["args"]["EXTRA"] == "1"
    assert nova["args"]["SERVICE"] == "nova-api"
    # the linked targets are printed too, cache-only as buildx prints them
    assert printed["target"]["builder"]["output"] == [{"type": "cacheonly"}]
    plan = atmograph.plan(OPENSTACK, engine="buildah", no_env=True,
                          overrides=["*.args.EXTRA=1"])
    assert plan["waves"][:2] == [["builder"], ["runtime"]]
    assert sorted(plan["waves"][2])[:2] == ["cinder-api", "cinder-volume"]


def test_hcl_error_is_located(tmp_path):
    f = tmp_path / "docker-bake.hcl"
    f.write_text('variable "A" {\n  default = B\n}\nvariable "B" {\n  default = A\n}\n'
                 'target "default" {\n  args = { A = A }\n}\n')
    r = run("bake", "--print", "-f", f.name, cwd=tmp_path)
    assert r.returncode == 1
    assert "variable cycle not allowed for" in r.stderr
    assert "docker-bake.hcl:" in r.stderr


def test_default_files_hcl_and_override(tmp_path):
    """Without -f: docker-bake.json, docker-bake.hcl, then the override files, merged."""
    (tmp_path / "docker-bake.hcl").write_text(
        'variable "TAG" {\n  default = "dev"\n}\n'
        'target "default" {\n  tags = ["app:${TAG}"]\n  args = { A = "1" }\n}\n')
    (tmp_path / "docker-bake.override.json").write_text(
        '{"target": {"default": {"args": {"B": "2"}}}}')
    r = run("bake", "--print", cwd=tmp_path, env={"TAG": "t"})
    assert r.returncode == 0, r.stderr
    t = json.loads(r.stdout)["target"]["default"]
    assert t["tags"] == ["app:t"]
    assert t["args"] == {"A": "1", "B": "2"}
    (tmp_path / "docker-bake.hcl").unlink()
    (tmp_path / "docker-bake.override.json").unlink()
    (tmp_path / "compose.yaml").write_text("services: {}\n")
    r = run("bake", "--print", cwd=tmp_path)
    assert r.returncode == 1
    assert "compose files are not supported" in r.stderr
