"""Hostile engine output at the argv level (issue 17), with the fake buildah of
tests/data/bake/fake: an image id file holding a path and a NUL never reaches the
report or the state; a failed export is reported (stderr and the report), not silent.
"""

import json
import os
import pathlib
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.cli

REPO = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("ATMOGRAPH_CLI", str(REPO / "build" / "atmograph"))
ENGINE = REPO / "tests" / "data" / "bake" / "fake" / "fake-engine.py"
HOSTILE = REPO / "tests" / "data" / "hostile" / "build"


def build(tmp_path, *args):
    work = tmp_path / "w"
    shutil.copytree(HOSTILE, work)
    env = dict(os.environ, FAKE_STORE=str(tmp_path / "store"), ATMOGRAPH_BUILDAH=str(ENGINE))
    r = subprocess.run([CLI, "build", "--engine", "buildah", "--progress", "plain",
                        "--out", "out", "--report", "report.json", *args],
                       capture_output=True, text=True, env=env, cwd=work, timeout=60)
    return r, work


def test_bad_iid_never_reaches_report_or_state(tmp_path):
    r, work = build(tmp_path, "--no-export")
    assert r.returncode == 0, r.stderr
    report = json.loads((work / "report.json").read_text())
    state = json.loads((work / "out" / "state.json").read_text())
    evil = report["targets"]["evil"]
    assert "digest" not in evil, evil
    assert "digest" not in state["targets"].get("evil", {})
    assert any("does not hold a digest" in w for w in evil["warnings"]), evil
    assert "atmograph: warning: evil: out/evil/evil.iid: the engine's image id file does not " \
        "hold a digest" in r.stderr, r.stderr
    for text in ((work / "report.json").read_text(), (work / "out" / "state.json").read_text()):
        assert "passwd" not in text and "junk" not in text
    good = report["targets"]["good"]["digest"]
    assert good.startswith("sha256:") and len(good) == 71, good
    assert "warnings" not in report["targets"]["good"]


def test_bad_state_digest_is_not_trusted(tmp_path):
    r, work = build(tmp_path, "--no-export", "good")
    assert r.returncode == 0, r.stderr
    state_path = work / "out" / "state.json"
    state = json.loads(state_path.read_text())
    state["targets"]["good"]["digest"] = "sha256:../../x"
    state_path.write_text(json.dumps(state))
    r = subprocess.run([CLI, "build", "--engine", "buildah", "--progress", "plain", "--no-export",
                        "--out", "out", "good"], capture_output=True, text=True, cwd=work,
                       env=dict(os.environ, FAKE_STORE=str(tmp_path / "store"),
                                ATMOGRAPH_BUILDAH=str(ENGINE)), timeout=60)
    assert r.returncode == 0, r.stderr
    assert "good: built" in r.stderr, r.stderr  # rebuilt, not "cached" on a bad digest
    assert "../../x" not in state_path.read_text()


def test_failed_export_is_reported(tmp_path):
    # the fake engine cannot `push` (export): the targets build, their export fails
    r, work = build(tmp_path, "good")
    assert r.returncode == 0, r.stderr
    assert "atmograph: warning: good: exporting localhost/hostile/good:latest failed" \
        in r.stderr, r.stderr
    good = json.loads((work / "report.json").read_text())["targets"]["good"]
    assert good["status"] == "built"
    assert "size" not in good
    assert any("exporting" in w and "failed" in w for w in good["warnings"]), good
