"""atmograph stages / graph: the resolver through the program.

Expected stage lists, edges and lines are read off the test Dockerfiles by hand
(tests/data/graph/*.Dockerfile), not produced by atmograph.
"""
import json
import os
import subprocess

import pytest

pytestmark = pytest.mark.cli

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "graph")
CLI = os.environ.get("ATMOGRAPH_CLI") or os.path.join(HERE, "..", "..", "build", "atmograph")

SERVICE = os.path.join(DATA, "service.Dockerfile")
MULTI = os.path.join(DATA, "multistage.Dockerfile")
CONTEXTS = ["--build-context", "openstack-venv-builder=docker-image://localhost/atmo/venv-builder",
            "--build-context", "openstack-python-runtime=target:python-runtime"]


# Graphviz's text layout (fontconfig, pango) keeps allocations until exit: under
# LeakSanitizer the drawing tests suppress those libraries, and nothing of atmograph's.
LSAN_SUPP = os.path.join(DATA, "lsan-graphviz.supp")


def run(*args, stdin=None, check=None, draws=False):
    env = None
    if draws:
        env = dict(os.environ)
        env["LSAN_OPTIONS"] = "suppressions=%s:print_suppressions=0" % LSAN_SUPP
    p = subprocess.run([CLI] + [str(a) for a in args], input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120, env=env)
    if check is not None:
        assert p.returncode == check, (p.returncode, p.stdout[-2000:], p.stderr[-2000:])
    assert b"Sanitizer" not in p.stderr and b"runtime error" not in p.stderr, p.stderr
    return p


def fail(*args, code=1, stdin=None):
    p = run(*args, stdin=stdin)
    assert p.returncode == code, (p.returncode, p.stdout, p.stderr)
    assert p.stdout == b""
    err = p.stderr.decode()
    assert err.startswith("atmograph: "), err
    return err


# ---- stages ---------------------------------------------------------------------

def test_stages_table():
    out = run("stages", MULTI, check=0).stdout.decode().splitlines()
    assert out[0].split() == ["INDEX", "NAME", "BASE", "LINES", "STATUS", "DESCRIPTION"]
    rows = [line.split(None, 5) for line in out[1:]]
    assert [r[:5] for r in rows] == [
        ["0", "base", "debian:bookworm-slim", "4-6", "final"],
        ["1", "deps", "base", "8-9", "build-only"],
        ["2", "build", "deps", "11-14", "build-only"],
        ["3", "docs", "base", "16-17", "unused"],
        ["4", "export", "scratch", "19-20", "unused"],
        ["5", "runtime", "base", "22-25", "final"],
        ["6", "service", "runtime", "27-27", "target"],
    ]
    assert rows[0][5] == "is the common root of every stage"


def test_stages_json_with_target_and_build_arg():
    p = run("stages", MULTI, "--json", "--target", "build", "--build-arg", "DEBIAN=trixie", check=0)
    doc = json.loads(p.stdout)
    assert doc["schema"] == "atmograph.stages/1"
    assert doc["target"] == "build"
    st = {s["name"]: s for s in doc["stages"]}
    assert st["base"]["base"] == "debian:trixie-slim"
    assert [s["status"] for s in doc["stages"]] == [
        "final", "final", "target", "unused", "unused", "unused", "unused"]
    assert doc["order"] == [0, 1, 2]
    assert st["deps"]["parent"] == 0 and st["base"]["parent"] is None
    assert (st["build"]["line"], st["build"]["end_line"]) == (11, 14)


def test_stages_from_stdin_and_warnings():
    text = b"FROM alpine AS Build\nFROM busybox AS build\nFROM alpine AS scratch\n"
    p = run("stages", "-", "--json", stdin=text, check=0)
    err = p.stderr.decode()
    assert "atmograph: <stdin>:1:1: warning: Stage name 'Build' should be lowercase [StageNameCasing]" in err
    assert "<stdin>:2:1: warning: Duplicate stage name \"build\"" in err and "[DuplicateStageName]" in err
    assert "<stdin>:3:1: warning: 'scratch' is reserved" in err and "[ReservedStageName]" in err
    doc = json.loads(p.stdout)
    codes = [(w["line"], w["code"]) for w in doc["warnings"]]
    assert codes == [(1, "StageNameCasing"), (2, "DuplicateStageName"), (3, "ReservedStageName")]


def test_stage_descriptions_as_buildkit_reads_them():
    # BuildKit's getComment: the first comment line above FROM that starts with
    # "<name> " (directives are no part of the block; "#" alone resets it)
    text = (b"# syntax=docker/dockerfile:1\n# escape=\\\n# base the base\n\n# more\n"
            b"FROM debian AS base\n# build old\n#\n# note\n# build compiles it\n"
            b"FROM base AS build\n# syntax=docker/dockerfile:1\nFROM base AS syntax\n")
    doc = json.loads(run("stages", "-", "--json", stdin=text, check=0).stdout)
    assert [s["description"] for s in doc["stages"]] == ["the base", "compiles it", None]


def test_stages_named_contexts():
    doc = json.loads(run("stages", SERVICE, "--json", *CONTEXTS, check=0).stdout)
    assert [(s["name"], s["base"], s["status"]) for s in doc["stages"]] == [
        ("build", "openstack-venv-builder", "build-only"),
        ("runtime", "openstack-python-runtime", "target")]
    assert doc["stages"][1]["description"] == "is what ships: the venv without compilers"
    table = run("stages", SERVICE, *CONTEXTS, check=0).stdout.decode().splitlines()
    assert table[1].split()[:5] == ["0", "build", "openstack-venv-builder", "(context)", "7-14"]
    # the mark comes from the document's base_kind, the table only reads it
    assert [s["base_kind"] for s in doc["stages"]] == ["context", "context"]
    assert [r.endswith("(context)") for r in (line.split()[3] for line in table[1:])] == [True, True]
    plain = json.loads(run("stages", MULTI, "--json", check=0).stdout)
    assert [s["base_kind"] for s in plain["stages"]] == [
        "image", "stage", "stage", "stage", "scratch", "stage", "stage"]
    assert "(context)" not in run("stages", MULTI, check=0).stdout.decode()


def test_stage_replaced_by_named_context():
    p = run("stages", MULTI, "--json", "--build-context", "build=docker-image://example/build",
            check=0)
    assert "stage 'build' is replaced by the named context 'build=docker-image://example/build'" \
        in p.stderr.decode()
    doc = json.loads(p.stdout)
    assert [s["status"] for s in doc["stages"]] == [
        "final", "unused", "replaced", "unused", "unused", "final", "target"]


# ---- graph ------------------------------------------------------------------------

def graph_json(*args):
    return json.loads(run("graph", *args, "--format", "json", check=0).stdout)


def test_graph_json_service_image():
    doc = graph_json(SERVICE, "--image-id", "nova", "--build-arg", "UV_CACHE_ID=nova", *CONTEXTS)
    assert doc["schema"] == "atmograph.graph/1"
    assert doc["target"] == "nova/stage/runtime"
    assert doc["images"] == [{"id": "nova", "label": "nova", "dockerfile": SERVICE,
                              "target": "nova/stage/runtime"}]
    assert [(n["id"], n["kind"]) for n in doc["nodes"]] == [
        ("nova/stage/build", "stage"), ("nova/stage/runtime", "stage"),
        ("nova/context/openstack-venv-builder", "context"),
        ("nova/context/openstack-python-runtime", "context")]
    assert doc["nodes"][2]["value"] == "docker-image://localhost/atmo/venv-builder"
    edges = [(e["from"], e["to"], e["kind"], e["line"]) for e in doc["edges"]]
    assert edges == [
        ("nova/context/openstack-venv-builder", "nova/stage/build", "base", 7),
        ("nova/context/openstack-python-runtime", "nova/stage/runtime", "base", 17),
        ("nova/stage/build", "nova/stage/runtime", "copy", 20)]
    copy = doc["edges"][2]
    assert copy["sources"] == ["/var/lib/openstack"] and copy["dest"] == "/var/lib/openstack"
    assert doc["edges"][0]["context"] == "openstack-venv-builder"
    build = doc["nodes"][0]
    assert build["anchor"] == "nova-build"
    assert build["build_only"] is True and build["in_final"] is False
    assert [i["keyword"] for i in build["instructions"]] == ["from", "arg", "arg", "add", "run"]
    assert build["instructions"][4]["line"] == 11 and build["instructions"][4]["end_line"] == 14
    assert doc["unused"] == [] and doc["warnings"] == []


def test_graph_json_unused_and_mounts():
    doc = graph_json(MULTI)
    assert doc["unused"] == ["dockerfile/stage/docs", "dockerfile/stage/export"]
    mount = [e for e in doc["edges"] if e["kind"] == "mount"]
    assert mount == [{"from": "dockerfile/stage/build", "to": "dockerfile/stage/docs",
                      "kind": "mount", "line": 17, "sources": ["/srv/app/doc"], "dest": "/doc",
                      "mount_type": "bind"}]
    runtime = [n for n in doc["nodes"] if n["id"] == "dockerfile/stage/runtime"][0]
    assert runtime["onbuild"] == ["ARG PROJECT=app", "RUN useradd $PROJECT"]
    scratch = [n for n in doc["nodes"] if n["kind"] == "scratch"][0]
    assert scratch == {"id": "dockerfile/scratch", "kind": "scratch", "image": "dockerfile",
                       "name": "scratch", "line": 19, "used": False}


def test_graph_output_file_format_from_extension(tmp_path):
    out = tmp_path / "g.json"
    p = run("graph", MULTI, "-o", out, check=0)
    assert p.stdout == b""
    assert json.loads(out.read_text())["schema"] == "atmograph.graph/1"
    dot = run("graph", MULTI, check=0, draws=True).stdout.decode()
    assert dot.lstrip().startswith("digraph") or dot.lstrip().startswith("strict digraph")


def test_graph_svg_png(tmp_path):
    svg = tmp_path / "g.svg"
    run("graph", SERVICE, "-o", svg, *CONTEXTS, check=0, draws=True)
    assert "<svg" in svg.read_text()
    png = tmp_path / "g.png"
    run("graph", SERVICE, "-o", png, "--dpi", "72", check=0, draws=True)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_graph_error_writes_nothing(tmp_path):
    out = tmp_path / "g.svg"
    err = fail("graph", os.path.join(DATA, "broken", "cycle_two.Dockerfile"), "-o", out)
    assert "cycle_two.Dockerfile:2:6: error: circular dependency detected on stage: a (a -> b -> a)" in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


# ---- errors and usage ---------------------------------------------------------------

@pytest.mark.parametrize("name,line,text", [
    ("invalid_name_digit.Dockerfile", 1, "invalid name for build stage"),
    ("index_out_of_range.Dockerfile", 3, "invalid stage index 5"),
    ("from_variable.Dockerfile", 4, "variable expansion is not supported for --from"),
    ("cycle_three_mount.Dockerfile", 2, "(a -> c -> b -> a)"),
])
def test_located_errors(name, line, text):
    path = os.path.join(DATA, "broken", name)
    for cmd in (["stages", path], ["graph", path, "--format", "json"]):
        err = fail(*cmd)
        assert err.startswith("atmograph: %s:%d:" % (path, line)), err
        assert ": error: " in err and text in err


def test_unknown_target_lists_stages():
    err = fail("stages", MULTI, "--target", "nope")
    assert 'target stage "nope" could not be found (stages: base, deps, build, docs, export, runtime, service' in err


@pytest.mark.parametrize("args", [
    ["graph"], ["stages"], ["graph", MULTI, MULTI], ["graph", MULTI, "--format", "gif"],
    ["graph", MULTI, "-o", "x.unknown"], ["graph", MULTI, "--rankdir", "RL"],
    ["graph", MULTI, "--dpi", "-3"], ["graph", MULTI, "--scratch", "maybe"],
    ["stages", MULTI, "--build-arg", "NOVALUE"], ["graph", MULTI, "--build-context", "x"],
    ["stages", MULTI, "--bogus"], ["graph", MULTI, "--target"], ["stages", MULTI, "-q"],
])
def test_usage_errors(args):
    err = fail(*args, code=2)
    assert "try 'atmograph %s --help'" % args[0] in err


def test_help():
    for cmd in ("stages", "graph"):
        p = run(cmd, "--help", check=0)
        assert p.stdout.startswith(b"usage: atmograph " + cmd.encode())
    assert b"--format" in run("graph", "--help").stdout


def test_missing_file():
    err = fail("stages", "/nonexistent/Dockerfile")
    assert "/nonexistent/Dockerfile" in err
