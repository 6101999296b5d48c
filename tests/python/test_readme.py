"""README.md: the commands of its tour that need no built image run as written, its
picture is what the program draws today, and it names the licence that LICENSE holds."""
import os
import re
import shlex
import subprocess

import pytest

pytestmark = pytest.mark.cli

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("ATMOGRAPH_CLI") or os.path.join(REPO, "build", "atmograph")


def readme():
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        return f.read()


def tour_commands():
    """The build/atmograph lines of the tour's first code block (comments cut)."""
    tour = readme().split("## A short tour", 1)[1]
    block = re.search(r"```sh\n(.*?)```", tour, re.S).group(1)
    cmds = []
    for line in block.splitlines():
        line = line.split(" #", 1)[0].strip()
        if line.startswith("build/atmograph "):
            cmds.append(shlex.split(line)[1:])
    return cmds


@pytest.mark.parametrize("args", tour_commands(), ids=lambda a: " ".join(a[:2]))
def test_tour_commands_run(args, tmp_path):
    if not os.path.exists(CLI):
        pytest.skip("atmograph program not built")
    args = [os.path.join(REPO, a) if a.startswith("tests/") else a for a in args]
    env = dict(os.environ, ATMOGRAPH_ENGINE="docker")   # plan: no engine is asked
    p = subprocess.run([CLI] + args, cwd=str(tmp_path), capture_output=True, text=True,
                       env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout or os.listdir(str(tmp_path))


def titles(svg):
    return sorted(re.findall(r"<title>(.*?)</title>", svg, re.S))


def test_picture_is_what_the_program_draws():
    """The committed SVG has the nodes and edges `make readme-diagram` draws now (after
    a change of the renderer's looks, run it again and commit the result)."""
    if not os.path.exists(CLI):
        pytest.skip("atmograph program not built")
    text = readme()
    m = re.search(r'<img src="(doc/[^"]+\.svg)"', text)
    assert m, "README shows no picture"
    with open(os.path.join(REPO, m.group(1)), encoding="utf-8") as f:
        committed = f.read()
    cmd = re.search(r"`atmograph (graph tests/images/service/Dockerfile[^`]*)`", text).group(1)
    p = subprocess.run([CLI] + shlex.split(cmd) + ["--format", "svg"], cwd=REPO, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    assert titles(committed) == titles(p.stdout) and titles(committed)


def test_licence_and_no_internal_paths():
    text = readme()
    with open(os.path.join(REPO, "LICENSE"), encoding="utf-8") as f:
        assert "Apache License" in f.read(2000)
    assert "Apache License, Version 2.0" in text
    assert "../shared" not in text
    assert "make example-images" in text.split("## A short tour", 1)[1]
