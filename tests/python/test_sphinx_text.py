"""What readers copy from a page: captions keep "--" (no smartquotes), include-source
captions name files from the project root, unnamed stages read "stage N"."""
import re

import pytest
from sphinx.testing.path import path as sphinx_path

DOCKERFILE = "FROM debian:bookworm\nRUN true\n\nFROM debian:bookworm AS final\nRUN true\n"


def project(tmp_path, rst, vcs=True):
    """A project: x/Dockerfile at its root (a .git there unless vcs is False) and its
    docs in doc/source."""
    root = tmp_path / "proj"
    (root / "x").mkdir(parents=True)
    (root / "x" / "Dockerfile").write_text(DOCKERFILE)
    if vcs:
        (root / ".git").mkdir()
    src = root / "doc" / "source"
    src.mkdir(parents=True)
    (src / "conf.py").write_text('extensions = ["atmograph.sphinx"]\nproject = "t"\n')
    (src / "index.rst").write_text("T\n=\n\n" + rst)
    return src


def build(make_app, src):
    app = make_app("html", srcdir=sphinx_path(str(src)))
    app.build()
    return app, (pathlib_read(app.outdir / "index.html"))


def pathlib_read(p):
    with open(str(p), encoding="utf-8") as f:
        return f.read()


def captions(page):
    return re.findall(r'<span class="caption-text">(.*?)</span>', page, re.S)


def test_captions_keep_double_dashes_and_quotes(make_app, tmp_path):
    src = project(tmp_path, ".. atmo-imagegraph:: ../../x/Dockerfile\n"
                            "   :caption: Built with --target final, 'as is'\n"
                            "   :include-source:\n")
    app, page = build(make_app, src)
    caps = captions(page)
    assert "Built with --target final, 'as is'" in caps, caps
    assert "\u2013" not in "".join(caps) and "\u2019" not in "".join(caps)


def test_include_source_caption_is_relative_to_the_project_root(make_app, tmp_path):
    src = project(tmp_path, ".. atmo-imagegraph:: ../../x/Dockerfile\n   :include-source:\n")
    app, page = build(make_app, src)
    assert "x/Dockerfile" in captions(page)
    assert "../../x/Dockerfile" not in page


def test_project_root_config_wins(make_app, tmp_path):
    src = project(tmp_path, ".. atmo-imagegraph:: ../../x/Dockerfile\n   :include-source:\n")
    with open(str(src / "conf.py"), "a") as f:
        f.write('atmograph_project_root = "../../x"\n')
    app, page = build(make_app, src)
    assert "Dockerfile" in captions(page)


def test_without_a_checkout_paths_stay_relative_to_the_source_dir(make_app, tmp_path):
    src = project(tmp_path, ".. atmo-imagegraph:: ../../x/Dockerfile\n   :include-source:\n",
                  vcs=False)
    app, page = build(make_app, src)
    assert "../../x/Dockerfile" in captions(page)


def test_unnamed_stages_read_stage_n(make_app, tmp_path):
    src = project(tmp_path, ".. atmo-imagegraph:: ../../x/Dockerfile\n")
    app, page = build(make_app, src)
    # the core names the diagram (atmo_render_describe); unnamed stages read "stage N"
    assert re.search(r'aria-label="Stage graph of [^"]*: stages stage 0, final', page), page
