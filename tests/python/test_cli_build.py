"""Engine-free tests of `atmograph bake`, `plan` and `build`.

`build` runs against tests/data/bake/fake/fake-engine.py, a fake buildah: targets
built in order, cached on a second run, a failing target (dependents skipped,
independents finished with --keep-going), cancellation of a hanging engine.
"""

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.cli

REPO = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("ATMOGRAPH_CLI", str(REPO / "build" / "atmograph"))
DATA = REPO / "tests" / "data" / "bake"
FAKE = DATA / "fake"
ENGINE = str(FAKE / "fake-engine.py")
IMAGES_BAKE = REPO / "tests" / "images" / "docker-bake.json"


def run(*args, env=None, cwd=None, timeout=60):
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, env=e,
                          cwd=cwd, timeout=timeout)


@pytest.fixture
def fake(tmp_path):
    """A copy of the fake family, the fake engine's store and an output dir."""
    family = tmp_path / "family"
    shutil.copytree(FAKE, family)
    store = tmp_path / "store"
    out = tmp_path / "out"
    env = {"FAKE_STORE": str(store), "ATMOGRAPH_BUILDAH": str(family / "fake-engine.py")}
    return {"bake": family / "docker-bake.json", "store": store, "out": out, "env": env,
            "dir": family, "report": tmp_path / "report.json"}


def build(fake, *args, timeout=60):
    return run("build", "-f", fake["bake"], "--no-export", "--progress", "plain",
               "--out", fake["out"], "--report", fake["report"], *args,
               env=fake["env"], timeout=timeout)


def alive(pid):
    """True when pid runs (a zombie nobody reaped does not count)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def calls(fake):
    path = fake["store"] / "calls.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


# ---- bake ----------------------------------------------------------------------

def test_bake_print_is_buildx_form():
    r = run("bake", "--print", "-f", IMAGES_BAKE, "service")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["group"] == {"default": {"targets": ["service"]}}
    assert set(doc["target"]) == {"base", "builder", "runtime", "service"}
    service = doc["target"]["service"]
    assert service["contexts"] == {"builder": "target:builder", "runtime": "target:runtime"}
    assert service["tags"] == ["localhost/atmo-example/service:latest"]
    assert service["args"] == {"PROJECT": "hello"}
    assert "inherits" not in service
    assert doc["target"]["base"]["contexts"]["debian"] == \
        "docker-image://localhost/atmo-example/debian:bookworm"


def test_bake_set_var_and_environment():
    r = run("bake", "-f", IMAGES_BAKE, "--set-var", "TAG=v1", "base",
            env={"REGISTRY": "registry.example/x"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["target"]["base"]["tags"] == ["registry.example/x/base:v1"]


def test_bake_default_file_lookup(tmp_path):
    shutil.copy(DATA / "good" / "docker-bake.json", tmp_path / "docker-bake.json")
    r = run("bake", "--print", cwd=tmp_path, env={"TAG": "t"})
    assert r.returncode == 0, r.stderr
    # buildx prints the groups asked for as the file has them (default names "all")
    printed = json.loads(r.stdout)
    assert printed["group"]["default"]["targets"] == ["all"]
    assert sorted(printed["target"]) == ["app", "lib"]
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run("bake", "--print", cwd=empty)
    assert r.returncode == 1
    assert "no bake file" in r.stderr


def test_bake_graph_links_targets():
    r = run("bake", "--graph", "-f", IMAGES_BAKE)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["schema"] == "atmograph.graph/1"
    assert [i["id"] for i in doc["images"]] == ["base", "builder", "runtime", "service"]
    cross = {(e["from"], e["to"], e["context"]) for e in doc["edges"] if e.get("context")}
    assert ("base/stage/base", "builder/stage/builder", "base") in cross
    assert ("builder/stage/builder", "service/stage/build", "builder") in cross
    assert ("runtime/stage/runtime", "service/stage/service", "runtime") in cross
    ids = {n["id"] for n in doc["nodes"]}
    assert "service/context/builder" not in ids


def test_bake_graph_onbuild_crosses_images(tmp_path):
    # tests/images: runtime's ONBUILD triggers run at the start of the service stage
    r = run("bake", "--graph", "-f", IMAGES_BAKE)
    assert r.returncode == 0, r.stderr
    nodes = {n["id"]: n for n in json.loads(r.stdout)["nodes"]}
    svc = nodes["service/stage/service"]
    assert svc["onbuild_inherited"] == [
        "ARG PROJECT",
        'RUN useradd --system --no-create-home --shell /usr/sbin/nologin "${PROJECT}"']
    assert svc["onbuild_from"] == "runtime/stage/runtime"
    assert "onbuild_inherited" not in nodes["service/stage/build"]
    # a COPY --from trigger makes an "onbuild" edge in the child image
    (tmp_path / "rt").mkdir()
    (tmp_path / "svc").mkdir()
    (tmp_path / "rt" / "Dockerfile").write_text(
        "FROM debian AS rt\nONBUILD ARG DEST\nONBUILD COPY --from=assets /a ${DEST}\n")
    (tmp_path / "svc" / "Dockerfile").write_text(
        "FROM alpine AS assets\nFROM alpine AS unused\n\nFROM runtime AS svc\n")
    bake = tmp_path / "docker-bake.json"
    bake.write_text(json.dumps({"target": {
        "rt": {"context": "rt"},
        "svc": {"context": "svc", "contexts": {"runtime": "target:rt"},
                "args": {"DEST": "/srv/a"}}}}))
    r = run("bake", "--graph", "-f", bake, "svc")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    ob = [e for e in doc["edges"] if e["kind"] == "onbuild"]
    assert ob == [{"from": "svc/stage/assets", "to": "svc/stage/svc", "kind": "onbuild",
                   "line": 4, "sources": ["/a"], "dest": "/srv/a",
                   "onbuild_from": "rt/stage/rt"}]
    assert doc["unused"] == ["svc/stage/unused"]
    # --stages plans the stage the trigger uses, not the unused one
    r = run("plan", "--stages", "--json", "-f", bake, "svc", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    steps = [(s["target"], s["stage"]) for s in json.loads(r.stdout)["steps"]]
    assert steps == [("rt", None), ("svc", "assets"), ("svc", None)]


@pytest.mark.parametrize("name,text", [
    # the unknown value then cannot be stored in tags (gohcl's "Unsuitable value type")
    ("unknown-variable", ':4,21-24: Unknown variable; There is no variable named "TAG"., and 1 other diagnostic(s)'),
    ("variable-loop", ":4,25-26: Invalid expression; variable cycle not allowed for A"),
    ("group-field", ':5,7-18: Unsupported argument; An argument named "platforms" is not expected here.'),
    ("context-self", "target a cannot link to itself"),
    ("group-unknown-member", "failed to find target missing"),
])
def test_bake_errors_are_buildx_errors(name, text):
    """Errors in buildx's words; those buildx locates name the file and the range once."""
    f = DATA / "bad" / (name + ".json")
    r = run("bake", "--print", "-f", f)
    assert r.returncode == 1
    assert r.stdout == ""
    if text.startswith(":"):
        assert r.stderr == "atmograph: error: %s%s\n" % (f, text)
    else:
        assert text in r.stderr


def test_bake_usage_errors():
    r = run("bake", "--nope")
    assert r.returncode == 2
    assert "try 'atmograph bake --help'" in r.stderr
    r = run("bake", "--set-var", "novalue")
    assert r.returncode == 2
    for cmd in ("bake", "plan", "build"):
        r = run(cmd, "--help")
        assert r.returncode == 0 and "usage: atmograph " + cmd in r.stdout
    r = run("build", "-j", "0", "-f", IMAGES_BAKE)
    assert r.returncode == 2


# ---- plan ----------------------------------------------------------------------

def test_plan_waves():
    r = run("plan", "-f", IMAGES_BAKE, "--engine-version", "1.28.2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["wave 1: base", "wave 2: builder runtime",
                                     "wave 3: service"]


def test_plan_json_commands_and_lowering(tmp_path):
    r = run("plan", "-f", IMAGES_BAKE, "--json", "--stages", "--engine", "buildah",
            "--engine-version", "1.28.2",
            "--storage-root", "/srv/storage", "--work-dir", tmp_path)
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert plan["schema"] == "atmograph.plan/1"
    assert plan["waves"] == [["base"], ["builder", "runtime"], ["service"]]
    steps = {(s["target"], s["stage"]): s for s in plan["steps"]}
    assert ("service", "build") in steps and ("service", None) in steps
    argv = steps[("service", None)]["argv"]
    assert argv[:5] == ["buildah", "--storage-driver", "vfs", "--root", "/srv/storage"]
    assert argv[5:9] == ["build", "--isolation", "chroot", "--layers"]
    assert "--build-context" in argv
    assert "builder=container-image://localhost/atmo-example/builder:latest" in argv
    assert argv[argv.index("--target") + 1] == "service"
    assert argv[-1].endswith("tests/images/service")
    # buildah 1.28 has no heredocs: the Dockerfile is lowered
    assert steps[("service", None)]["lowered"] == 1
    assert steps[("service", None)]["dockerfile"] == str(tmp_path / "service" / "Dockerfile")
    # a newer buildah reads the Dockerfile as it is
    r = run("plan", "-f", IMAGES_BAKE, "--json", "--engine", "buildah",
            "--engine-version", "1.35.0")
    plan = json.loads(r.stdout)
    assert all(s["lowered"] == 0 for s in plan["steps"])
    assert plan["steps"][0]["dockerfile"].endswith("tests/images/base/Dockerfile")


def test_plan_docker_engine():
    r = run("plan", "-f", IMAGES_BAKE, "--json", "--engine", "docker",
            "--engine-path", "/nonexistent/docker", "service")
    assert r.returncode == 0, r.stderr
    steps = json.loads(r.stdout)["steps"]
    argv = steps[-1]["argv"]
    assert argv[:3] == ["/nonexistent/docker", "buildx", "build"]
    assert "--load" in argv
    assert "runtime=docker-image://localhost/atmo-example/runtime:latest" in argv
    assert steps[-1]["lowered"] == 0


def test_plan_engine_from_environment():
    # the CLI reads the environment and passes it on (the library reads none);
    # a flag wins over its variable
    env = {"ATMOGRAPH_ENGINE": "podman", "ATMOGRAPH_PODMAN": "/nonexistent/podman",
           "ATMOGRAPH_STORAGE_DRIVER": "overlay", "ATMOGRAPH_STORAGE_ROOT": "/srv/env-root",
           "ATMOGRAPH_ISOLATION": "oci"}
    r = run("plan", "-f", IMAGES_BAKE, "--json", "--engine-version", "4.3.1",
            "--storage-root", "/srv/flag-root", "base", env=env)
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert plan["engine"]["name"] == "podman"
    argv = plan["steps"][0]["argv"]
    assert argv[0] == "/nonexistent/podman"
    assert argv[argv.index("--storage-driver") + 1] == "overlay"
    assert argv[argv.index("--root") + 1] == "/srv/flag-root"
    assert argv[argv.index("--isolation") + 1] == "oci"
    r = run("plan", "-f", IMAGES_BAKE, "--json", "--engine-version", "1",
            env={"ATMOGRAPH_ENGINE": "rkt"})
    assert r.returncode == 2    # a usage error
    assert "ATMOGRAPH_ENGINE names no engine" in r.stderr


def test_plan_commands_are_display_quoted():
    r = run("plan", "-f", IMAGES_BAKE, "--commands", "--engine", "buildah",
            "--engine-version", "1.28.2", "base")
    assert r.returncode == 0, r.stderr
    assert "'org.opencontainers.image.vendor=atmograph example'" in r.stdout


def test_plan_unknown_target():
    r = run("plan", "-f", IMAGES_BAKE, "nope", "--engine-version", "1")
    assert r.returncode == 1
    assert "failed to find target nope" in r.stderr


# ---- build with the fake engine ----------------------------------------------------

def test_build_then_cached_then_forced(fake):
    r = build(fake, "-j", "2")
    assert r.returncode == 0, r.stderr
    report = json.loads(fake["report"].read_text())
    assert report["schema"] == "atmograph.build-report/1"
    assert report["engine"] == {"name": "buildah", "version": "1.28.2"}
    assert {k: v["status"] for k, v in report["targets"].items()} == {"a": "built", "d": "built"}
    for name, t in report["targets"].items():
        assert t["digest"].startswith("sha256:")
        assert len(t["inputs"]) == 64
        assert pathlib.Path(t["log"]).is_file()
    assert "STEP 2/2: RUN true" in pathlib.Path(report["targets"]["a"]["log"]).read_text()
    # d links to a: it got a's image as a named context, as argv (no shell)
    d_call = [c for c in calls(fake) if "build" in c and "localhost/atmograph/d:latest" in c][0]
    assert "a=container-image://localhost/fake/a:latest" in d_call
    assert "--build-arg" in d_call and "V=1" in d_call
    # COPY --link is lowered away for buildah 1.28
    lowered = (fake["out"] / "d" / "Dockerfile").read_text()
    assert "COPY y /y" in lowered and "--link" not in lowered

    n = len(calls(fake))
    r = build(fake, "-j", "2")
    assert r.returncode == 0, r.stderr
    report = json.loads(fake["report"].read_text())
    assert {t["status"] for t in report["targets"].values()} == {"cached"}
    assert not [c for c in calls(fake)[n:] if "build" in c]

    # a file in .dockerignore does not count; another file does, for d only
    (fake["dir"] / "d" / "ignored").write_text("changed\n")
    r = build(fake)
    assert {t["status"] for t in json.loads(fake["report"].read_text())["targets"].values()} \
        == {"cached"}
    (fake["dir"] / "d" / "y").write_text("changed\n")
    r = build(fake)
    st = {k: v["status"] for k, v in json.loads(fake["report"].read_text())["targets"].items()}
    assert st == {"a": "cached", "d": "built"}
    # a changed parent rebuilds its dependents
    (fake["dir"] / "a" / "x").write_text("changed\n")
    r = build(fake)
    st = {k: v["status"] for k, v in json.loads(fake["report"].read_text())["targets"].items()}
    assert st == {"a": "built", "d": "built"}

    r = build(fake, "--force")
    assert r.returncode == 0
    assert {t["status"] for t in json.loads(fake["report"].read_text())["targets"].values()} \
        == {"built"}


def test_build_missing_image_is_rebuilt(fake):
    assert build(fake).returncode == 0
    for p in (fake["store"] / "images").iterdir():
        if "fake_a" in p.name:
            p.unlink()
    r = build(fake)
    st = {k: v["status"] for k, v in json.loads(fake["report"].read_text())["targets"].items()}
    assert st["a"] == "built"


def test_build_failure_keep_going(fake):
    r = build(fake, "failing", "--keep-going", "-j", "2")
    assert r.returncode == 1
    assert "some targets failed" in r.stderr
    st = {k: v["status"] for k, v in json.loads(fake["report"].read_text())["targets"].items()}
    # b fails, c needs b and is skipped, a and d do not need b and are built
    assert st == {"a": "built", "b": "failed", "c": "skipped", "d": "built"}
    report = json.loads(fake["report"].read_text())
    assert "RUN false" in pathlib.Path(report["targets"]["b"]["log"]).read_text()


def test_build_failure_fail_fast(fake):
    r = build(fake, "b", "d", "-j", "1")
    assert r.returncode == 1
    report = json.loads(fake["report"].read_text())
    st = {k: v["status"] for k, v in report["targets"].items()}
    # b is named first and starts first; it fails, so a and d (which do not need b)
    # are not started
    assert st == {"a": "skipped", "b": "failed", "d": "skipped"}
    assert "no --keep-going" in report["targets"]["d"]["reason"]


def test_build_engine_missing(fake):
    env = dict(fake["env"], ATMOGRAPH_BUILDAH="/nonexistent/buildah")
    r = run("build", "-f", fake["bake"], "--out", fake["out"], env=env)
    assert r.returncode == 1
    assert "buildah" in r.stderr


def test_build_cancel_stops_engines(fake):
    cmd = [CLI, "build", "-f", str(fake["bake"]), "--no-export", "--progress", "plain",
           "--out", str(fake["out"]), "--report", str(fake["report"]), "-j", "2", "h", "a"]
    env = dict(os.environ, **fake["env"])
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pids_file = fake["store"] / "hang.pids"
    deadline = time.time() + 20
    while not pids_file.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert pids_file.exists(), "the fake engine never started"
    time.sleep(0.2)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=20)
    assert p.returncode == 130
    assert "cancelled" in err
    pids = [int(x) for x in pids_file.read_text().split()]
    time.sleep(0.2)
    for pid in pids:  # the engine and its child were in one process group, both stopped
        assert not alive(pid), pid
    # no report, no state, no half-written file
    assert not fake["report"].exists()
    assert not (fake["out"] / "state.json").exists()
    leftovers = [x for x in fake["report"].parent.rglob("*") if ".tmp" in x.name]
    assert leftovers == []
