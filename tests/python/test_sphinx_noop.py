"""A no-op rebuild with atmograph.sphinx costs nothing beyond loading the extension:
no directive runs, no render, and no warm-up of the render thread (which loads
Graphviz's plugins and fonts and was waited for at env-updated: the bulk of the
extension's no-op cost, measured by tests/bench/bench_sphinx.py)."""
import shutil

import pytest

import atmograph
import atmograph.sphinx as ext


def _fresh(sphinx_test_tempdir, rootdir, name):
    srcdir = sphinx_test_tempdir / name
    if srcdir.exists():
        shutil.rmtree(str(srcdir))
    shutil.copytree(str(rootdir / "test-imagegraph"), str(srcdir))
    return srcdir


@pytest.fixture
def submits(monkeypatch):
    """Every render_submit call, with a fresh process-wide queue (as in a new process)."""
    calls = []
    real = atmograph._core.render_submit

    def counting(*args, **kwargs):
        calls.append(kwargs.get("format"))
        return real(*args, **kwargs)

    monkeypatch.setattr(atmograph._core, "render_submit", counting)
    monkeypatch.setattr(ext, "_QUEUE", [])
    return calls


def test_noop_rebuild_submits_nothing(make_app, rootdir, sphinx_test_tempdir, submits):
    srcdir = _fresh(sphinx_test_tempdir, rootdir, "imagegraph-noop")
    app = make_app("html", srcdir=srcdir)
    app.build()
    assert app.atmograph_stats["renders"] >= 4
    assert submits, "a cold build renders in the render thread"

    del submits[:]
    ext._QUEUE[:] = []        # a new process: no queue yet
    app = make_app("html", srcdir=srcdir)
    app.build()
    assert app.atmograph_stats["runs"] == 0
    assert app.atmograph_stats["renders"] == 0
    assert submits == []      # not even the warm-up
    assert ext._QUEUE == []
