"""atmograph bake --graph drawn: the family overview by default, --detail stages, the
format from -o's extension (as `graph`), and bad drawing options as usage errors."""
import json
import os
import re
import subprocess

import pytest

pytestmark = pytest.mark.cli

HERE = os.path.dirname(os.path.abspath(__file__))
CLI = os.environ.get("ATMOGRAPH_CLI") or os.path.join(HERE, "..", "..", "build", "atmograph")
BAKE = os.path.join(HERE, "roots", "test-imagegraph-bake", "images", "docker-bake.json")
LSAN_SUPP = os.path.join(HERE, "..", "data", "graph", "lsan-graphviz.supp")


def run(*args):
    env = dict(os.environ)
    env["LSAN_OPTIONS"] = "suppressions=%s:print_suppressions=0" % LSAN_SUPP
    p = subprocess.run([CLI, "bake", "-f", BAKE] + [str(a) for a in args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120, env=env)
    assert b"Sanitizer" not in p.stderr and b"runtime error" not in p.stderr, p.stderr
    return p


def test_overview_by_default(tmp_path):
    out = tmp_path / "family.svg"
    p = run("--graph", "-o", out, "app")
    assert p.returncode == 0, p.stderr
    svg = out.read_text()
    root = svg[svg.index("<svg"):svg.index(">", svg.index("<svg"))]
    assert "atmo-overview" in root
    assert 'aria-label="Image family of 2 images: ' in root
    # one node per image, an edge from base to app through the named context
    assert len(re.findall(r'class="node atmo-image-node', svg)) == 2
    assert 'class="node atmo-stage' not in svg
    # both stages of app start FROM base: one edge, said once (a second, anonymous edge
    # was drawn for the pair)
    assert re.search(r"<title>base \u2192 app: FROM \(named context base\)</title>", svg), svg
    assert len(re.findall(r'<g id="[^"]*" class="edge', svg)) == 2
    assert '<g id="" ' not in svg


def test_detail_stages_and_formats(tmp_path):
    out = tmp_path / "family.svg"
    assert run("--graph", "--detail", "stages", "-o", out, "app").returncode == 0
    svg = out.read_text()
    assert "atmo-overview" not in svg
    assert len(re.findall(r'class="cluster atmo-image"', svg)) == 2
    assert 'class="node atmo-stage' in svg
    # the format from the extension; without -o (or .json) the document as before
    dot = tmp_path / "family.dot"
    assert run("--graph", "-o", dot, "app").returncode == 0
    assert dot.read_text().startswith("digraph atmograph {")
    p = run("--graph", "app")
    assert p.returncode == 0
    assert json.loads(p.stdout)["schema"] == "atmograph.graph/1"


@pytest.mark.parametrize("args, says", [
    (["--graph", "--detail", "all", "app"],
     'atmograph: option --detail: detail "all" is not overview, stages or auto'),
    (["--graph", "--rankdir", "RL", "app"],
     'atmograph: option --rankdir: rankdir "RL" is not LR, TB or auto'),
    (["--print", "--detail", "stages", "app"],
     "atmograph: drawing options (--format, --detail, ...) need --graph"),
    (["--graph", "-o", "family.jpeg", "app"],
     "atmograph: cannot tell the format from 'family.jpeg'; give --format"),
])
def test_bad_drawing_options(args, says):
    p = run(*args)
    assert p.returncode == 2, p.stderr
    assert p.stderr.decode().startswith(says + "\n"), p.stderr
    assert p.stdout == b""
