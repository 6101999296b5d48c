"""Scaling out: `--builder`, `--push`, cache flags, `plan --bake-json`, `build --check`.

No docker engine runs on this machine, so the docker command lines are tested as
text (the plan's argv); buildah's push steps run against the fake engine.
"""

import json
import os
import pathlib
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_cli_build import run, DATA, IMAGES_BAKE  # noqa: E402

pytestmark = pytest.mark.cli

SCALE = DATA / "scaleout"
BAKE = SCALE / "docker-bake.json"


def plan(*args, code=0):
    r = run("plan", "-f", BAKE, "--json", "--engine-version", "1.35.0", *args)
    assert r.returncode == code, r.stderr
    return json.loads(r.stdout) if code == 0 else r


def steps_of(doc, target):
    return [s for s in doc["steps"] if s["target"] == target]


def flag_values(argv, flag):
    return [argv[i + 1] for i, a in enumerate(argv) if a == flag]


# ---- docker: builder, push, cache (argv as text) ------------------------------------

def test_docker_builder_push_and_every_tag():
    doc = plan("--engine", "docker", "--engine-path", "/nonexistent/docker",
               "--builder", "k8s-builders", "--push")
    assert doc["engine"]["builder"] == "k8s-builders" and doc["push"] is True
    (base,) = steps_of(doc, "base")
    argv = base["argv"]
    assert argv[:5] == ["/nonexistent/docker", "buildx", "build", "--builder", "k8s-builders"]
    # every tag of the target, the first one naming the image
    assert flag_values(argv, "-t") == ["registry.example/team/base:1.0",
                                       "registry.example/team/base:latest"]
    # pushed, and loaded too so atmograph can export and read the image
    assert "--push" in argv and "--load" in argv
    # bake's cache entries go to buildx as written
    assert flag_values(argv, "--cache-from") == ["type=registry,ref=registry.example/team/cache:base"]
    assert flag_values(argv, "--cache-to") == [
        "type=registry,ref=registry.example/team/cache:base,mode=max"]
    (app,) = steps_of(doc, "app")
    assert "base=docker-image://registry.example/team/base:1.0" in app["argv"]
    # bake reads a plain cache entry as buildx does: type=registry,ref=...
    assert flag_values(app["argv"], "--cache-from") == ["type=registry,ref=registry.example/team/cache:app"]
    # docker pushes in the build step: no separate push steps
    assert {s["action"] for s in doc["steps"]} == {"build"}


def test_docker_without_push_or_builder_is_unchanged():
    doc = plan("--engine", "docker", "--engine-path", "docker")
    argv = steps_of(doc, "base")[0]["argv"]
    assert argv[:3] == ["docker", "buildx", "build"]
    assert "--builder" not in argv and "--push" not in argv and "--load" in argv
    assert doc["push"] is False and "builder" not in doc["engine"]


def test_docker_push_several_platforms_is_not_loaded():
    doc = plan("--engine", "docker", "--engine-path", "docker", "--push", "multi")
    argv = steps_of(doc, "multi")[0]["argv"]
    assert "--push" in argv and "--load" not in argv
    assert flag_values(argv, "--platform") == ["linux/amd64,linux/arm64"]
    # without --push, several platforms cannot be loaded into docker: said before running
    r = plan("--engine", "docker", "--engine-path", "docker", "multi", code=1)
    assert "several platforms" in r.stderr and "--push" in r.stderr


def test_docker_gha_cache_passes_through():
    doc = plan("--engine", "docker", "--engine-path", "docker", "gha")
    argv = steps_of(doc, "gha")[0]["argv"]
    assert flag_values(argv, "--cache-from") == ["type=gha"]
    assert flag_values(argv, "--cache-to") == ["type=gha,mode=max"]


def test_commands_show_builder_and_push():
    r = run("plan", "-f", BAKE, "--commands", "--engine", "docker", "--engine-path", "docker",
            "--builder", "remote1", "--push", "base")
    assert r.returncode == 0, r.stderr
    line = [ln for ln in r.stdout.splitlines() if "buildx build" in ln][0]
    assert line.strip().startswith("docker buildx build --builder remote1 -f ")
    assert " --push --load " in line


# ---- buildah / podman: push steps, registry cache only -------------------------------

def test_buildah_push_steps_per_tag():
    doc = plan("--engine", "buildah", "--engine-path", "buildah", "--push", "app")
    base = steps_of(doc, "base")
    assert [s["action"] for s in base] == ["build", "push", "push"]
    build = base[0]["argv"]
    assert flag_values(build, "-t") == ["registry.example/team/base:1.0",
                                        "registry.example/team/base:latest"]
    # buildah's cache flags take a repository without a tag ("repository must contain
    # neither a tag nor digest", buildah 1.28): bake's registry entry is translated
    assert flag_values(build, "--cache-from") == ["registry.example/team/cache"]
    assert flag_values(build, "--cache-to") == ["registry.example/team/cache"]
    app_argv = steps_of(doc, "app")[0]["argv"]
    assert flag_values(app_argv, "--cache-from") == ["registry.example/team/cache"]
    assert [s["argv"] for s in base[1:]] == [
        ["buildah", "--storage-driver", "vfs", "push", "registry.example/team/base:1.0",
         "docker://" + tag] for tag in ("registry.example/team/base:1.0",
                                        "registry.example/team/base:latest")]
    # the push steps come after the build, in the target's wave
    assert [s["wave"] for s in base] == [0, 0, 0]
    app = steps_of(doc, "app")
    assert [s["action"] for s in app] == ["build", "push"] and app[1]["wave"] == 1
    r = run("plan", "-f", BAKE, "--commands", "--engine", "podman", "--engine-path", "podman",
            "--engine-version", "5.0", "--push", "base")
    assert "  # base push\n  podman --storage-driver vfs push registry.example/team/base:1.0 " \
        "docker://registry.example/team/base:latest" in r.stdout


def test_push_needs_tags_and_builder_needs_docker():
    r = plan("--engine", "buildah", "--engine-path", "buildah", "--push", "untagged", code=1)
    assert "target 'untagged' has no tags to push to" in r.stderr
    r = plan("--engine", "docker", "--engine-path", "docker", "--push", "untagged", code=1)
    assert "no tags to push to" in r.stderr
    r = plan("--engine", "buildah", "--engine-path", "buildah", "--builder", "k8s", code=1)
    assert "needs the docker engine" in r.stderr


def test_buildah_refuses_buildkit_only_cache():
    r = plan("--engine", "buildah", "--engine-path", "buildah", "gha", code=1)
    assert "target 'gha': cache-from 'type=gha'" in r.stderr
    assert "--engine docker" in r.stderr


# ---- plan --bake-json --------------------------------------------------------------------

def bake_print(path, *names):
    """The --print form without the output buildx gives a target that is only there as
    another's context ([{"type": "cacheonly"}]): in a written bake file every target is
    named in the default group, so it is built for itself and has no such output."""
    r = run("bake", "--print", "-f", path, *names)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    for t in doc.get("target", {}).values():
        if t.get("output") == [{"type": "cacheonly"}]:
            del t["output"]
    return doc


def test_bake_json_next_to_the_bake_file_reads_back_the_same(tmp_path):
    family = tmp_path / "family"
    shutil.copytree(SCALE, family)
    out = family / "bake.json"
    r = run("plan", "-f", family / "docker-bake.json", "--bake-json", "-o", out,
            "--engine", "docker", "--engine-path", "docker", "app")
    assert r.returncode == 0, r.stderr
    written = json.loads(out.read_text())
    assert sorted(written["target"]) == ["app", "base"]
    assert written["target"]["app"]["contexts"] == {"assets": "assets", "base": "target:base"}
    assert written["target"]["app"]["context"] == "app"
    # read back: the same targets as the original bake file gives
    assert bake_print(out)["target"] == bake_print(family / "docker-bake.json", "app")["target"]


def test_bake_json_elsewhere_keeps_the_directories(tmp_path):
    out = tmp_path / "ci" / "bake.json"
    out.parent.mkdir()
    r = run("plan", "-f", IMAGES_BAKE, "--bake-json", "-o", out, "--engine-version", "1")
    assert r.returncode == 0, r.stderr
    written = json.loads(out.read_text())
    rel = os.path.relpath(IMAGES_BAKE.parent / "service", out.parent)
    assert written["target"]["service"]["context"] == rel
    assert written["target"]["service"]["contexts"]["builder"] == "target:builder"
    back = bake_print(out)["target"]
    orig = bake_print(IMAGES_BAKE)["target"]
    assert sorted(back) == sorted(orig) == ["base", "builder", "runtime", "service"]
    for name in orig:
        # the same target, only its context written from the new file's directory
        assert (out.parent / back[name]["context"]).resolve() == \
            (IMAGES_BAKE.parent / orig[name]["context"]).resolve()
        assert {k: v for k, v in back[name].items() if k != "context"} == \
            {k: v for k, v in orig[name].items() if k != "context"}


def test_bake_json_needs_no_engine(tmp_path):
    # buildah 1.28 cannot build nova (ADD --keep-git-dir); BuildKit can, and plans the
    # bake itself: --bake-json neither asks an engine nor lowers anything
    bake = pathlib.Path(__file__).resolve().parents[2] / "images" / "docker-bake.json"
    r = run("plan", "-f", bake, "--engine", "buildah", "--engine-version", "1.28.2",
            "--engine-path", "/nonexistent/buildah", "--bake-json", "-o", tmp_path / "b.json")
    assert r.returncode == 0, r.stderr
    assert "nova" in json.loads((tmp_path / "b.json").read_text())["target"]
    r = run("plan", "-f", bake, "--bake-json", "nope")
    assert r.returncode == 1 and "failed to find target nope" in r.stderr


def test_bake_json_to_stdout_and_usage_errors():
    r = run("plan", "-f", BAKE, "--bake-json", "--engine-version", "1", "base", cwd=SCALE)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["group"]["default"]["targets"] == ["base"]
    r = run("plan", "-f", BAKE, "--bake-json", "--json", "--engine-version", "1")
    assert r.returncode == 2 and "--bake-json goes without --json" in r.stderr
    r = run("plan", "-f", BAKE, "-o", "x.json", "--engine-version", "1")
    assert r.returncode == 2 and "--output goes with" in r.stderr


# ---- build --push and build --check with the fake buildah ----------------------------

import xml.etree.ElementTree as ET  # noqa: E402

import imagegen as g  # noqa: E402
from test_cli_build import FAKE, calls  # noqa: E402


@pytest.fixture
def fake(tmp_path):
    """The fake family; the fake engine exports generated images (imagegen)."""
    family = tmp_path / "family"
    shutil.copytree(FAKE, family)
    store = tmp_path / "store"
    env = {"FAKE_STORE": str(store), "ATMOGRAPH_BUILDAH": str(family / "fake-engine.py"),
           "FAKE_IMAGEGEN": os.path.dirname(os.path.abspath(__file__))}
    return {"bake": family / "docker-bake.json", "store": store, "out": tmp_path / "out",
            "env": env, "report": tmp_path / "report.json", "dir": tmp_path}


def build(fake, *args):
    return run("build", "-f", fake["bake"], "--progress", "plain", "--out", fake["out"],
               "--report", fake["report"], "--engine", "buildah", *args, env=fake["env"],
               cwd=fake["dir"])


def rule_lines(text):
    return [ln.strip() for ln in text.splitlines() if ln.startswith("  ")]


def test_build_push_runs_a_push_per_tag(fake):
    r = build(fake, "--no-export", "--push", "r")
    assert r.returncode == 0, r.stderr
    pushes = [c[c.index("push"):] for c in calls(fake) if "push" in c]
    assert pushes == [["push", "localhost/fake/r:1", "docker://localhost/fake/r:1"],
                      ["push", "localhost/fake/r:1", "docker://registry.example/fake/r:1"]]
    report = json.loads(fake["report"].read_text())
    assert report["targets"]["r"]["pushed"] == ["localhost/fake/r:1", "registry.example/fake/r:1"]
    assert "r: push docker://registry.example/fake/r:1" in r.stderr  # progress shows pushes
    # pushed again next time, though nothing changed: a cached image may never have been pushed
    r = build(fake, "--no-export", "--push", "r")
    assert r.returncode == 0, r.stderr
    assert json.loads(fake["report"].read_text())["targets"]["r"]["status"] == "built"
    assert len([c for c in calls(fake) if "push" in c and "docker://" in c[-1]]) == 4
    # a target without tags cannot be pushed: said before anything runs
    n = len(calls(fake))
    r = build(fake, "--no-export", "--push", "d")
    assert r.returncode == 1 and "target 'd' has no tags to push to" in r.stderr
    assert len(calls(fake)) == n + 1  # only the version probe


def test_build_check_passes_and_fails_per_rule(fake):
    exp = g.sample_expected()
    sizes = g.stage_images()[3]
    runtime_bytes = sizes["debian"] + sizes["ca"] + sizes["tool"]
    assert runtime_bytes > exp["bytes"]
    # a (the sample image: curl installed) and r (the runtime image: no curl, bigger)
    r = build(fake, "checked", "--check", "--lowest-efficiency", str(exp["score"] - 0.001),
              "--highest-image-size", str(runtime_bytes))
    assert r.returncode == 0, r.stdout + r.stderr
    lines = rule_lines(r.stdout)
    assert len(lines) == 4 and all(ln.startswith("PASS: ") for ln in lines), r.stdout
    heads = [ln for ln in r.stdout.splitlines() if not ln.startswith(" ")]
    assert heads[0].startswith("a: ") and heads[1].startswith("r: ")
    assert heads[-1] == "Result: PASS [images: 2] [rules: 4] [passed: 4] [failed: 0] [skipped: 0]"

    junit = fake["dir"] / "junit.xml"
    r = build(fake, "checked", "--check", "--forbid-package", "curl",
              "--highest-image-size", str(exp["bytes"]), "--junit", junit)
    assert r.returncode == 1
    by_target = {}
    target = None
    for ln in r.stdout.splitlines():
        if ln.startswith("  "):
            by_target[target].append(ln.split(":")[0].strip())
        elif not ln.startswith("Result"):
            target = ln.split(":")[0]
            by_target[target] = []
    # a: exactly at the size, but curl is installed; r: too big, no curl
    assert by_target == {"a": ["PASS", "FAIL"], "r": ["FAIL", "PASS"]}, r.stdout
    assert "size %d B" % runtime_bytes in r.stdout
    assert "installed: curl (curl)" in r.stdout
    assert r.stdout.splitlines()[-1].startswith("Result: FAIL [images: 2] [rules: 4]")
    suites = ET.parse(junit).getroot().findall(".//testsuite")
    assert len(suites) == 2
    assert sum(len(s.findall(".//failure")) for s in suites) == 2
    # the second build took both from the first one's cache: cached targets are
    # checked too, from the archives the first build exported
    report = json.loads(fake["report"].read_text())
    assert {t["status"] for t in report["targets"].values()} == {"cached"}


def test_build_check_rules_file_and_defaults(fake):
    (fake["dir"] / ".atmograph-ci.json").write_text(
        json.dumps({"rules": {"forbidPackages": ["gcc*"], "highestImageSize": "1MiB"}}))
    r = build(fake, "r", "--check")
    assert r.returncode == 0, r.stderr
    assert [ln.split(":")[1].strip() for ln in rule_lines(r.stdout)] == \
        ["highestImageSize", "forbidPackages"]
    # no rule at all: dive's defaults, as in `atmograph check`
    (fake["dir"] / ".atmograph-ci.json").unlink()
    r = build(fake, "r", "--check")
    assert [ln.split(":")[1].strip() for ln in rule_lines(r.stdout)] == \
        ["lowestEfficiency", "highestUserWastedPercent"]


def test_build_check_usage_errors(fake):
    r = build(fake, "--check", "--no-export")
    assert r.returncode == 2 and "leave out --no-export" in r.stderr
    r = build(fake, "--lowest-efficiency", "0.9")
    assert r.returncode == 2 and "go with --check" in r.stderr
    n = len(calls(fake))
    r = build(fake, "--check", "--lowest-efficiency", "lots")
    assert r.returncode == 2 and "not a ratio" in r.stderr
    assert len(calls(fake)) == n  # nothing ran


def test_build_check_skips_failed_targets(fake):
    r = build(fake, "b", "a", "--keep-going", "--check", "--highest-image-size", "1GB")
    assert r.returncode == 1
    assert "some targets failed" in r.stderr


def test_python_plan_takes_builder_and_push():
    import atmograph
    doc = atmograph.plan(BAKE, targets=["base"], no_env=True, engine="docker",
                         builder="k8s", push=True)
    cli = plan("--engine", "docker", "--builder", "k8s", "--push", "base")
    # the same core, the same argv (the CLI names the program it found or was given)
    strip = [s["argv"][1:] for s in doc["steps"]]
    assert strip == [s["argv"][1:] for s in cli["steps"]]
    assert doc["push"] is True and doc["engine"]["builder"] == "k8s"
    with pytest.raises(atmograph.InvalidInputError):
        atmograph.plan(BAKE, targets=["base"], engine="buildah", builder="k8s")


def test_python_check_report_matches_build_check(fake):
    import atmograph
    r = build(fake, "checked", "--check", "--forbid-package", "curl")
    assert r.returncode == 1
    report = json.loads(fake["report"].read_text())
    doc = atmograph.check_report(report, rules={"forbidPackages": ["curl"]})
    assert [(i["target"], [x["status"] for x in i["rules"]]) for i in doc["images"]] == \
        [("a", ["fail"]), ("r", ["pass"])]
    assert doc["passed"] is False and doc["summary"]["failed"] == 1
    with pytest.raises(atmograph.InvalidInputError):
        atmograph.check_report({"schema": "atmograph.image/1"})
