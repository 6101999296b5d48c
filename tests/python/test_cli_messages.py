"""What a new user sees first from the atmograph program: colour on a terminal
only, "did you mean" for typos, aligned --help columns, clean `stages` rows,
the end of a failed build's log, and refusals that say which engine would work.
"""
import json
import os
import pathlib
import pty
import re
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.cli

REPO = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("ATMOGRAPH_CLI", str(REPO / "build" / "atmograph"))
FAKE = REPO / "tests" / "data" / "bake" / "fake"
COMMANDS = ["parse", "stages", "graph", "inspect", "sizes", "diff", "plan", "bake", "build"]
DUP = b"FROM a AS x\nFROM b AS x\n"   # two warnings (DuplicateStageName)
ESC = "\033["


def run(*args, env=None, stdin=b"", cwd=None, stderr_tty=False):
    if not os.path.exists(CLI):
        pytest.skip("atmograph program not built: %s" % CLI)
    e = {k: v for k, v in os.environ.items()
         if k not in ("NO_COLOR", "ATMOGRAPH_COLOR", "ATMOGRAPH_ENGINE", "TERM")}
    e.update(env or {})
    master = slave = None
    if stderr_tty:
        master, slave = pty.openpty()
    try:
        p = subprocess.run([CLI, *map(str, args)], input=stdin, stdout=subprocess.PIPE,
                           stderr=slave if stderr_tty else subprocess.PIPE, env=e, cwd=cwd,
                           timeout=60)
        if stderr_tty:
            os.close(slave)
            slave = None
            chunks = []
            while True:
                try:
                    data = os.read(master, 65536)
                except OSError:     # EIO: the writer closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            err = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
        else:
            err = p.stderr.decode("utf-8", "replace")
    finally:
        for fd in (master, slave):
            if fd is not None:
                os.close(fd)
    assert "Sanitizer" not in err and "runtime error" not in err, err
    return p.returncode, p.stdout.decode("utf-8", "replace"), err


# ---- colour --------------------------------------------------------------------

def test_no_colour_when_not_a_terminal():
    rc, _, err = run("stages", "-", stdin=DUP)
    assert rc == 0 and "warning: " in err and ESC not in err


def test_colour_on_a_terminal():
    rc, _, err = run("stages", "-", stdin=DUP, stderr_tty=True)
    assert rc == 0
    assert "\033[1;35mwarning:\033[0m" in err, repr(err)
    assert "\033[1m<stdin>:2:1:\033[0m" in err, repr(err)


@pytest.mark.parametrize("env,args", [
    ({"NO_COLOR": "1"}, []),
    ({"TERM": "dumb"}, []),
    ({}, ["--color=never"]),
    ({"NO_COLOR": "1"}, ["--colour=never"]),
])
def test_colour_turned_off_on_a_terminal(env, args):
    rc, _, err = run(*args, "stages", "-", stdin=DUP, env=env, stderr_tty=True)
    assert rc == 0 and "warning: " in err and ESC not in err, repr(err)


def test_colour_forced_and_anywhere_in_the_line():
    # --color=always wins over NO_COLOR and a pipe; it may follow the command too
    rc, out, err = run("stages", "-", "--color=always", stdin=DUP, env={"NO_COLOR": "1"})
    assert rc == 0 and "\033[1;35mwarning:\033[0m" in err and ESC not in out
    rc, _, err = run("--color", "parse", "/nonexistent/Dockerfile")
    assert rc == 1 and "\033[1;31merror:\033[0m" in err, repr(err)
    rc, _, err = run("--color=auto", "parse", "/nonexistent/Dockerfile")
    assert rc == 1 and ESC not in err


def test_colour_bad_value_is_a_usage_error():
    rc, out, err = run("--color=sometimes", "stages", "x")
    assert (rc, out) == (2, "")
    assert err == ("atmograph: --color takes auto, always or never, not 'sometimes'\n"
                   "try 'atmograph --help'\n")


def test_color_after_double_dash_is_an_operand():
    rc, _, err = run("stages", "--", "--color=never")
    assert rc == 1 and "--color=never" in err


# ---- did you mean --------------------------------------------------------------

@pytest.mark.parametrize("typo,meant", [
    ("stagse", "stages"), ("grpah", "graph"), ("biuld", "build"), ("inspcet", "inspect"),
    ("plna", "plan"), ("dif", "diff"), ("parser", "parse"),
])
def test_unknown_command_suggests(typo, meant):
    rc, out, err = run(typo)
    assert (rc, out) == (2, "")
    assert err == ("atmograph: unknown command '%s' (did you mean '%s'?)\n"
                   "try 'atmograph --help'\n" % (typo, meant))


@pytest.mark.parametrize("word", ["nosuchcommand", "ls", "x"])
def test_unknown_command_far_from_all_suggests_nothing(word):
    rc, _, err = run(word)
    assert rc == 2 and "did you mean" not in err and "unknown command '%s'" % word in err


@pytest.mark.parametrize("cmd,typo,meant", [
    ("stages", "--jsn", "--json"),
    ("graph", "--fromat=svg", "--format"),
    ("graph", "--legnd", "--legend"),
    ("build", "--keep-gong", "--keep-going"),
    ("plan", "--comands", "--commands"),
    ("inspect", "--pacakges", "--packages"),
])
def test_unknown_option_suggests(cmd, typo, meant):
    rc, out, err = run(cmd, typo, "x")
    assert (rc, out) == (2, "")
    assert err == ("atmograph: unknown option '%s' (did you mean '%s'?)\n"
                   "try 'atmograph %s --help'\n" % (typo, meant, cmd))


# ---- help ----------------------------------------------------------------------

def option_columns(text):
    """The column of every option description and continuation line of the
    option lists (the lines from the first '  -' line up to a blank line)."""
    cols, inside = [], False
    for line in text.splitlines():
        if line.startswith("  -"):
            inside = True
            m = re.match(r"^(  -\S*(?: \S+)*?)( {2,})(\S)", line)
            if m:
                cols.append((m.start(3), line))
        elif inside and re.match(r"^ {3,}\S", line):
            cols.append((len(line) - len(line.lstrip()), line))
        elif not line.strip():
            inside = False
    return cols


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help_columns_are_aligned(cmd):
    rc, out, _ = run(cmd, "--help")
    assert rc == 0
    cols = option_columns(out)
    assert len(cols) >= 2, out
    assert len({c for c, _ in cols}) == 1, "\n".join("%3d %s" % c for c in cols)
    assert all(line == line.rstrip() for line in out.splitlines())


def test_graph_help_and_overview_list_text():
    _, out, _ = run("graph", "--help")
    fmt = [line for line in out.splitlines() if line.lstrip().startswith("--format")][0]
    assert "text" in fmt
    _, out, _ = run("--help")
    line = [x for x in out.splitlines() if x.strip().startswith("graph ")][0]
    assert "text" in line


# ---- stages --------------------------------------------------------------------

def test_stages_rows_end_without_spaces_and_unnamed_stages_say_stage():
    rc, out, _ = run("stages", "-", stdin=b"FROM a\nFROM b AS named\nFROM c\n")
    assert rc == 0
    lines = out.splitlines()
    assert lines and all(line == line.rstrip() for line in lines), repr(out)
    rows = [re.split(r"\s{2,}", line) for line in lines[1:]]
    assert [r[1] for r in rows] == ["stage 0", "named", "stage 2"]


# ---- a failed build shows its log ------------------------------------------------

def test_failed_build_shows_the_end_of_its_log(tmp_path):
    family = tmp_path / "family"
    shutil.copytree(FAKE, family)
    env = {"FAKE_STORE": str(tmp_path / "store"),
           "ATMOGRAPH_BUILDAH": str(family / "fake-engine.py")}
    rc, _, err = run("build", "-f", family / "docker-bake.json", "--no-export",
                     "--progress", "plain", "--out", tmp_path / "out", "b", env=env)
    assert rc == 1
    log = tmp_path / "out" / "logs" / "b.log"
    if not log.exists():
        log = next((tmp_path / "out").rglob("b*.log"))
    last = log.read_text().splitlines()[-20:]
    assert "atmograph: b failed; the last lines of its log:\n" in err
    shown = err.split("the last lines of its log:\n", 1)[1].split("atmograph: b failed; its log:")[0]
    assert shown.splitlines() == last
    assert "RUN false" in shown
    assert "atmograph: b failed; its log: %s" % log in err


# ---- plan: what the engine cannot do --------------------------------------------

def bake_dir(tmp_path, dockerfile, target):
    (tmp_path / "Dockerfile").write_text(dockerfile)
    (tmp_path / "docker-bake.json").write_text(json.dumps({"target": {"default": target}}))
    return tmp_path


def test_plan_names_the_engine_that_lacks_a_feature(tmp_path):
    d = bake_dir(tmp_path, "FROM x\nCOPY --parents a/b /d/\n", {"context": "."})
    rc, out, err = run("plan", "--engine", "buildah", "--engine-version", "1.28.2", cwd=d)
    assert (rc, out) == (1, "")
    assert err.startswith("atmograph: Dockerfile:2:1: error: cannot lower COPY --parents")
    assert "buildah 1.28.2 cannot build it; docker buildx (BuildKit) can: --engine docker" in err
    rc, out, err = run("plan", "--engine", "docker", cwd=d)
    assert rc == 0 and out == "wave 1: default\n", err


def test_plan_refuses_several_platforms_loaded_into_docker(tmp_path):
    d = bake_dir(tmp_path, "FROM x\n",
                 {"context": ".", "platforms": ["linux/amd64", "linux/arm64"]})
    rc, out, err = run("plan", "--engine", "docker", cwd=d)
    assert (rc, out) == (1, "")
    assert err == ("atmograph: error: target 'default' has several platforms (linux/amd64, "
                   "linux/arm64) and would be loaded into docker (--load): the docker image "
                   "store takes one platform at a time; give the target one platform, or an "
                   "output such as \"output\": [\"type=oci,dest=default.tar\"] or "
                   "[\"type=registry\"], or --push\n")
    bake_dir(tmp_path, "FROM x\n", {"context": ".", "platforms": ["linux/amd64", "linux/arm64"],
                                    "output": ["type=docker,name=x"]})
    assert run("plan", "--engine", "docker", cwd=d)[0] == 1
    bake_dir(tmp_path, "FROM x\n", {"context": ".", "platforms": ["linux/amd64", "linux/arm64"],
                                    "output": ["type=oci,dest=x.tar"]})
    rc, out, err = run("plan", "--engine", "docker", "--commands", cwd=d)
    assert rc == 0 and "--platform linux/amd64,linux/arm64" in out and "--load" not in out, err
    bake_dir(tmp_path, "FROM x\n", {"context": ".", "platforms": ["linux/amd64"]})
    rc, out, err = run("plan", "--engine", "docker", "--commands", cwd=d)
    assert rc == 0 and "--load" in out, err


# ---- sizes: unnamed stages read "stage N" ------------------------------------------

def test_sizes_report_names_unnamed_stages(tmp_path):
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import imagegen as g
    base, build, runtime, sz = g.stage_images("gzip")
    # the same Dockerfile with its stages unnamed: referred to by index
    text = (g.STAGES_DOCKERFILE.replace(" AS base", "").replace(" AS build", "")
            .replace(" AS runtime", "").replace("FROM base", "FROM 0")
            .replace("--from=build", "--from=1"))
    df = tmp_path / "Dockerfile"
    df.write_text(text)
    pb = g.write_oci_layout(str(tmp_path / "base"), base)
    pbu = g.write_oci_archive(str(tmp_path / "build.tar"), build, str(tmp_path))
    pr = g.write_docker_archive(str(tmp_path / "runtime.tar"), runtime)
    rc, out, err = run("sizes", df, "--image", "0=" + pb, "--image", "1=" + pbu,
                       "--image", "2=" + pr)
    assert rc == 0, err
    assert "target: stage 2\n" in out
    rows = [re.split(r"\s+", line)[:2] for line in out.splitlines()
            if line.startswith("stage ")]
    assert [" ".join(r) for r in rows] == ["stage 0", "stage 1", "stage 2"], out
    assert "\nStage 1 (" in out and "in stage(s) stage 1 (" in out
