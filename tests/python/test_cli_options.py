"""The glue every atmograph subcommand shares: --help, option errors, operands,
exit codes 0/1/2, JSON documents on standard output, atomic output files.

Expected messages are the documented shapes (csrc/cli/cli.h):
  atmograph: TEXT \\n try 'atmograph CMD --help'   (usage errors, exit 2)
Expected sizes are computed here from the image specs (imagegen), in IEC units.
"""
import json
import os
import re
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagegen as g  # noqa: E402

pytestmark = pytest.mark.cli

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.join(HERE, "..", "..")
CLI = os.environ.get("ATMOGRAPH_CLI") or os.path.join(REPO, "build", "atmograph")
MULTI = os.path.join(REPO, "tests", "data", "graph", "multistage.Dockerfile")
IMAGES_BAKE = os.path.join(REPO, "tests", "images", "docker-bake.json")

COMMANDS = ["parse", "stages", "graph", "inspect", "sizes", "diff", "plan", "bake", "build"]


def run(*args, cwd=None, stdin=b""):
    if not os.path.exists(CLI):
        pytest.skip("atmograph program not built: %s" % CLI)
    env = dict(os.environ)
    # no engine is run by these tests: plan and build stop before, or on a usage error
    env.pop("ATMOGRAPH_ENGINE", None)
    p = subprocess.run([CLI] + [str(a) for a in args], input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120, cwd=cwd, env=env)
    err = p.stderr.decode("utf-8", "replace")
    assert "Sanitizer" not in err and "runtime error" not in err, err
    return p.returncode, p.stdout.decode("utf-8", "replace"), err


def usage_error(cmd, text, *args, cwd=None):
    rc, out, err = run(cmd, *args, cwd=cwd)
    assert (rc, out) == (2, ""), (rc, out, err)
    assert err == "atmograph: %s\ntry 'atmograph %s --help'\n" % (text, cmd), err
    return err


def help_options(cmd):
    """The long options the help of cmd lists in its option column."""
    rc, out, err = run(cmd, "--help")
    assert rc == 0 and err == ""
    names = set()
    for line in out.splitlines():
        if not line.startswith("  -"):
            continue
        spec = re.split(r"\s{2,}", line.strip())[0]
        names.update(re.findall(r"--([a-z][a-z-]*)", spec))
    return names


# ---- --help ------------------------------------------------------------------------

@pytest.mark.parametrize("cmd", COMMANDS)
def test_help(cmd, tmp_path):
    for flag in ("--help", "-h"):
        rc, out, err = run(cmd, flag, cwd=tmp_path)
        assert (rc, err) == (0, ""), (rc, err)
        assert out.startswith("usage: atmograph %s" % cmd), out[:200]
        assert "Exit status: 0 " in out and "2 usage error" in out, out
    assert "help" in help_options(cmd)


@pytest.mark.parametrize("cmd", COMMANDS)
def test_every_option_in_help_is_accepted(cmd, tmp_path):
    """Each --option the help lists is known to the command: given alone (in an empty
    directory, no operand) it is either taken or reported as needing a value, never
    as unknown."""
    names = help_options(cmd)
    assert len(names) >= 4, names
    for name in sorted(names - {"help"}):
        rc, out, err = run(cmd, "--" + name, cwd=tmp_path)
        assert "unknown option" not in err, (name, err)
        if "needs a value" in err:
            assert err.startswith("atmograph: option '--%s' needs a value\n" % name), err
            assert rc == 2
        else:
            assert rc in (1, 2), (name, rc, err)   # a missing operand or bake file
            assert err.startswith("atmograph: "), (name, err)


def test_main_help_lists_every_command():
    rc, out, err = run("--help")
    assert rc == 0
    for cmd in COMMANDS:
        assert re.search(r"^  %s\s+\S" % cmd, out, re.M), cmd
    rc, out, err = run("nosuchcommand")
    assert (rc, out) == (2, "")
    assert err == "atmograph: unknown command 'nosuchcommand'\ntry 'atmograph --help'\n"


# ---- option errors -------------------------------------------------------------------

@pytest.mark.parametrize("cmd", COMMANDS)
def test_unknown_options(cmd, tmp_path):
    usage_error(cmd, "unknown option '--no-such-option'", "--no-such-option", cwd=tmp_path)
    usage_error(cmd, "unknown option '--no-such-option=1'", "--no-such-option=1", cwd=tmp_path)
    usage_error(cmd, "unknown option '-Z'", "-Z", cwd=tmp_path)


def test_option_values():
    usage_error("graph", "option '--output' needs a value", MULTI, "--output")
    usage_error("graph", "option '-o' needs a value", MULTI, "-o")
    usage_error("stages", "option '--build-arg' needs a value", MULTI, "--build-arg")
    usage_error("inspect", "option '--ref' needs a value", "x", "--ref")
    usage_error("parse", "option '--json' takes no value", "--json=yes", MULTI)
    usage_error("parse", "option '--js' takes no value", "--js=1", MULTI)    # an abbreviation
    usage_error("diff", "option '--bytes' takes no value", "a", "b", "--bytes=1")
    usage_error("inspect", "option --files needs a non-negative number, not '-3'",
                "x", "--files", "-3")
    usage_error("graph", 'option --rankdir: rankdir "XX" is not LR, TB or auto', MULTI, "--rankdir", "XX")
    usage_error("graph", "unknown format 'gif' (svg, png, pdf, dot, json, text)",
                MULTI, "--format", "gif")
    usage_error("build", "option -j takes 1 to 64, not '65'", "-j", "65")
    usage_error("graph", "option --dpi: dpi 2401 is out of range (1 to 2400, or 0 for "
                "Graphviz's default)", MULTI, "--dpi", "2401")
    usage_error("graph", "option --max-label-length: max_label_length 3 is out of range "
                "(4 to 1000, or 0 for the default 64)", MULTI, "--max-label-length", "3")
    usage_error("plan", "unknown engine 'rocket' (buildah, docker, podman)", "--engine", "rocket")
    usage_error("bake", "--set-var expects NAME=VALUE, not '=x'", "--set-var", "=x")


def test_render_option_ranges_are_the_cores():
    # the CLI parses the numbers; atmo_render_options_check (the check the Python module
    # and atmo_render use) decides the ranges: a rejected value is a usage error (exit 2)
    # naming the flag, given before the Dockerfile is read
    usage_error("graph", 'option --theme: theme "blue" is not light or dark',
                "/no/such/Dockerfile", "--theme", "blue")
    usage_error("graph", "option --max-label-length: max_label_length 1001 is out of range "
                "(4 to 1000, or 0 for the default 64)", MULTI, "--max-label-length", "1001")
    usage_error("graph", "option --max-label-length: max_label_length 4294967295 is out of "
                "range (4 to 1000, or 0 for the default 64)",
                MULTI, "--max-label-length", "99999999999")
    usage_error("graph", "option --dpi needs a non-negative number, not '-3'", MULTI, "--dpi", "-3")
    # the bounds, and 0 for the defaults, pass
    for args in (["--max-label-length", "4"], ["--max-label-length", "1000"],
                 ["--max-label-length", "0"], ["--dpi", "0"], ["--dpi", "2400"],
                 ["--rankdir", "TB"], ["--theme", "dark"]):
        rc, out, err = run("graph", MULTI, "--format", "text", *args)
        assert (rc, err) == (0, ""), (args, rc, err)
        assert "runtime" in out


def test_short_option_in_a_group():
    # "-Hx": -H is taken, then -x is unknown
    usage_error("inspect", "unknown option '-x'", "-Hx", "img")


# ---- operands ------------------------------------------------------------------------

@pytest.mark.parametrize("cmd,what", [
    ("parse", "FILE (use '-' for standard input)"),
    ("stages", "FILE (use '-' for standard input)"),
    ("graph", "FILE (use '-' for standard input)"),
    ("inspect", "IMAGE"),
])
def test_one_operand(cmd, what):
    usage_error(cmd, "missing " + what)
    usage_error(cmd, "one %s only, got 'b' too" % what.split()[0], "a", "b")


def test_sizes_operands():
    usage_error("sizes", "missing DOCKERFILE (use '-' for standard input)", "--image", "a=b")
    usage_error("sizes", "give at least one --image STAGE=IMAGE", MULTI)
    usage_error("sizes", "--image needs STAGE=IMAGE, not 'b'", MULTI, "--image", "b")
    usage_error("diff", "diff takes two images, IMAGE_A and IMAGE_B", "a")


def test_malformed_build_arg_is_a_usage_error(tmp_path):
    # stages, graph and sizes read the Dockerfile and its --build-arg alike
    for cmd, extra in (("stages", []), ("graph", []), ("sizes", ["--image", "base=/nonexistent"])):
        err = usage_error(cmd, "--build-arg: invalid build argument 'X': expected KEY=VALUE",
                          MULTI, "--build-arg", "X", *extra)
        assert err.count("\n") == 2


def test_sizes_prints_resolver_warnings(tmp_path):
    df = tmp_path / "Dockerfile"
    df.write_text("FROM alpine AS Build\nRUN true\n")
    rc, out, err = run("sizes", df, "--image", "build=" + str(tmp_path / "none"))
    assert rc == 1 and out == ""
    assert "atmograph: %s:1:1: warning: Stage name 'Build' should be lowercase" % df in err, err
    assert "error: " in err.splitlines()[-1]


# ---- documents and files -------------------------------------------------------------

@pytest.mark.parametrize("args,schema", [
    (["parse", "--json", MULTI], "atmograph.parse/1"),
    (["stages", "--json", MULTI], "atmograph.stages/1"),
    (["graph", "--format", "json", MULTI], "atmograph.graph/1"),
    (["bake", "--graph", "-f", IMAGES_BAKE], "atmograph.graph/1"),
    (["plan", "--json", "-f", IMAGES_BAKE, "--engine", "buildah", "--engine-version", "1.28.2"],
     "atmograph.plan/1"),
])
def test_json_documents(args, schema):
    rc, out, err = run(*args)
    assert rc == 0, err
    assert out.endswith("}\n") and not out.endswith("\n\n")
    assert out.startswith("{\n  \"")         # two-space indent
    assert json.loads(out)["schema"] == schema


def test_output_files_are_atomic(tmp_path):
    out = tmp_path / "graph.json"
    rc, stdout, err = run("graph", MULTI, "-o", out)
    assert (rc, stdout, err) == (0, "", "")
    good = out.read_bytes()
    assert json.loads(good)["schema"] == "atmograph.graph/1"
    # a failing run leaves the file as it was, and no temporary file behind
    bad = tmp_path / "bad.Dockerfile"
    bad.write_text("FROM alpine\nRUN <<EOF\nnever ends\n")
    rc, stdout, err = run("graph", bad, "-o", out)
    assert rc == 1 and err.startswith("atmograph: %s:2:" % bad), err
    rc, stdout, err = run("bake", "--print", "-f", tmp_path / "nope.json", "-o", out)
    assert rc == 1
    assert out.read_bytes() == good
    assert sorted(os.listdir(tmp_path)) == ["bad.Dockerfile", "graph.json"]
    # a directory that does not exist: an error naming the file, nothing written
    rc, stdout, err = run("graph", MULTI, "-o", tmp_path / "no" / "such.json")
    assert rc == 1 and stdout == ""
    assert err.startswith("atmograph: %s: error: cannot create" % (tmp_path / "no" / "such.json")), err


def iec(n):
    """IEC units with one decimal, computed here."""
    if abs(n) < 1024:
        return "%d B" % n
    v = abs(n) / 1024.0
    units = ["KiB", "MiB", "GiB"]
    u = 0
    while v >= 1023.95 and u < len(units) - 1:
        v /= 1024.0
        u += 1
    return "%s%.1f %s" % ("-" if n < 0 else "", v, units[u])


def test_diff_human_sizes_are_signed(tmp_path):
    base, build, runtime, sz = g.stage_images("gzip")
    pa = g.write_oci_layout(str(tmp_path / "a"), build)
    pb = g.write_oci_layout(str(tmp_path / "b"), runtime)
    rc, out, err = run("diff", pa, pb)
    assert rc == 0, err
    delta = sz["tool"] - (sz["gcc"] + sz["src"] + sz["make"])
    assert delta < -1024
    size_line = [line for line in out.splitlines() if line.startswith("size ")][0]
    assert size_line.split()[-2:] == iec(delta).split(), size_line
    rc, exact, err = run("diff", pa, pb, "--bytes")
    size_line = [line for line in exact.splitlines() if line.startswith("size ")][0]
    assert size_line.split()[-1] == str(delta)
    added = [line for line in out.splitlines() if line.startswith("  + ")]
    assert added == ["  + %-12s /usr/bin/tool" % iec(sz["tool"])], added
