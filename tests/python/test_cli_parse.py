"""atmograph parse: output forms, stdin, usage errors, the broken Dockerfiles.

Expected values come from BuildKit's golden files (tests/data/buildkit) and from
tests/data/dockerfile/broken/*/expect, written by hand per case.
"""
import json
import os
import pathlib
import re
import subprocess

import pytest

pytestmark = pytest.mark.cli

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "dockerfile"
CLI = os.environ.get("ATMOGRAPH_CLI") or str(HERE.parent.parent / "build" / "atmograph")
TESTFILES = HERE.parent / "data" / "buildkit" / "parser" / "testfiles"

ERROR_RE = re.compile(r"^atmograph: (?P<src>.+):(?P<line>\d+):(?P<col>\d+): error: (?P<text>.+)$")


def run(*args, stdin=None):
    if not os.path.exists(CLI):
        pytest.skip("atmograph program not built: %s" % CLI)
    p = subprocess.run([CLI] + [str(a) for a in args], input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    assert b"Sanitizer" not in p.stderr and b"runtime error" not in p.stderr, p.stderr
    return p


def read_expect(case):
    out = {}
    for line in (case / "expect").read_text().splitlines():
        key, _, value = line.partition(": ")
        out[key] = value
    return out


BROKEN = sorted(p for p in (DATA / "broken").iterdir() if p.is_dir())


def test_there_are_at_least_thirty_broken_cases():
    assert len(BROKEN) >= 30


@pytest.mark.parametrize("case", BROKEN, ids=[p.name for p in BROKEN])
def test_broken_dockerfile(case):
    expect = read_expect(case)
    path = case / "Dockerfile"
    p = run("parse", path)
    if expect["stage"] == "ok":
        assert p.returncode == 0, p.stderr
        if expect.get("warning"):
            assert expect["warning"].encode() in p.stderr
        return
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert p.stdout == b""
    lines = p.stderr.decode("utf-8", "replace").splitlines()
    errors = [m for m in map(ERROR_RE.match, lines) if m]
    assert len(errors) == 1, lines
    m = errors[0]
    assert m["src"] == str(path)
    assert (int(m["line"]), int(m["col"])) == (int(expect["line"]), int(expect["column"]))
    assert expect["text"] in m["text"]
    # errors of the instruction layer only: --syntax-only accepts the file as BuildKit's parser does
    q = run("parse", "--syntax-only", path)
    assert q.returncode == (0 if expect["stage"] == "validate" else 1), q.stderr


def test_dump_matches_buildkit_result_files():
    cases = sorted(d for d in TESTFILES.iterdir() if d.is_dir())
    assert len(cases) == 33
    for d in cases:
        p = run("parse", "--dump", "--syntax-only", d / "Dockerfile")
        assert p.returncode == 0, (d.name, p.stderr)
        assert p.stdout == (d / "result").read_bytes(), d.name


def test_json_schema_and_heredocs():
    p = run("parse", "--json", DATA / "good" / "heredocs.Dockerfile")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["schema"] == "atmograph.parse/1"
    assert doc["escape"] == "\\"
    assert doc["directives"] == {}
    assert doc["warnings"] == []
    ins = doc["instructions"]
    assert [i["keyword"] for i in ins[:3]] == ["from", "run", "run"]
    for i in ins:
        assert set(i) == {"keyword", "original", "line", "end_line", "flags", "args", "json",
                          "heredocs", "inner", "comment"}
    two = ins[5]
    assert (two["line"], two["end_line"]) == (15, 19)
    assert two["heredocs"] == [
        {"name": "A", "content": "first\n", "expand": True, "chomp": False, "fd": None},
        {"name": "B", "content": "second\n", "expand": True, "chomp": False, "fd": 3},
    ]
    assert ins[3]["heredocs"][0]["expand"] is False
    assert ins[8]["json"] is True and ins[8]["args"] == ["cat", "<<EOF"]


def test_json_directives_onbuild_and_comment():
    p = run("parse", "--json", DATA / "good" / "service.Dockerfile")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["directives"] == {"syntax": "docker/dockerfile:1.7", "check": "skip=JSONArgsRecommended"}
    build = doc["instructions"][2]
    assert build["args"] == ["openstack-venv-builder", "AS", "build"]
    assert build["comment"] == "build: compile the virtual environment"
    onbuild = doc["instructions"][12]
    assert onbuild["inner"]["keyword"] == "run"
    assert onbuild["heredocs"][0]["content"] == 'echo "child image of nova"\n'


def test_default_listing_and_stdin():
    text = b"FROM alpine AS build\nRUN --mount=type=cache,target=/c \\\n  make\n"
    p = run("parse", "-", stdin=text)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.decode().splitlines()
    assert lines[0].split() == ["1-1", "FROM", '"alpine"', '"AS"', '"build"']
    assert lines[1].split() == ["2-3", "RUN", "--mount=type=cache,target=/c", '"make"']


def test_stdin_errors_name_stdin():
    p = run("parse", "-", stdin=b"FROM a\nRUN <<EOF\nx\n")
    assert p.returncode == 1
    assert p.stderr.decode().startswith("atmograph: <stdin>:2:5: error: unterminated heredoc")


def test_warnings_go_to_stderr():
    p = run("parse", "--syntax-only", "-", stdin=b"FROM a\nFOO bar\n")
    assert p.returncode == 0
    assert b"<stdin>:2:1: warning: unknown instruction: FOO" in p.stderr


@pytest.mark.parametrize("args", [[], ["--json", "--dump", "x"], ["a", "b"], ["--nope", "x"]])
def test_usage_errors(args):
    p = run("parse", *args)
    assert p.returncode == 2
    assert b"try 'atmograph parse --help'" in p.stderr


def test_help():
    p = run("parse", "--help")
    assert p.returncode == 0
    assert b"usage: atmograph parse" in p.stdout and b"--dump" in p.stdout


def test_missing_file():
    p = run("parse", "/nonexistent/Dockerfile")
    assert p.returncode == 1
    assert p.stderr.startswith(b"atmograph: ")


def test_huge_inputs(tmp_path):
    big = tmp_path / "big.Dockerfile"
    big.write_bytes(b"FROM a\nRUN echo " + b"x" * (10 * 1024 * 1024) + b"\n")
    p = run("parse", big)
    assert p.returncode == 1
    m = ERROR_RE.match(p.stderr.decode().splitlines()[0])
    # located as BuildKit does: its scanner stops there and reports the lines read
    assert m and (m["line"], m["col"]) == ("1", "1")
    assert "greater than max allowed size of 65535 (line 2)" in m["text"]
    many = tmp_path / "many.Dockerfile"
    many.write_bytes(b"FROM a\n" + b"".join(b"RUN echo %d\n" % i for i in range(100000)))
    p = run("parse", "--json", many)
    assert p.returncode == 0, p.stderr[-500:]
    doc = json.loads(p.stdout)
    assert len(doc["instructions"]) == 100001
    assert doc["instructions"][-1]["line"] == 100001
