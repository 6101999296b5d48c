"""Each option of atmo-imagegraph on its own, checked in the HTML it produces."""

import os
import re
import shutil

import pytest


CASES = [
    ("base", ""),
    ("theme", ":theme: dark"),
    ("rankdir", ":rankdir: TB"),
    ("rankdir-lr", ":rankdir: LR"),
    ("detail", ":detail: overview"),
    ("layers", ":layers:"),
    ("legend", ":legend:"),
    ("hide-scratch", ":hide-scratch:"),
    ("max-label-length", ":max-label-length: 4"),
    ("target", ":target: build"),
    ("build-arg", ":build-arg: BASE=ubuntu:24.04"),
    ("caption", ":caption: A *caption*"),
    ("name", ":name: the-name"),
    ("alt", ":alt: Alternative text"),
    ("align", ":align: right"),
    ("class", ":class: one two"),
    ("format", ":format: png"),
    ("emphasize", ":include-source:\n   :emphasize-stages:"),
]


@pytest.fixture(scope="module")
def built(rootdir, sphinx_test_tempdir):
    """One build of a page with a diagram per option (shared by the tests below)."""
    from io import StringIO

    from sphinx.testing.util import SphinxTestApp
    srcdir = sphinx_test_tempdir / "imagegraph-each-option"
    if srcdir.exists():
        shutil.rmtree(str(srcdir))
    shutil.copytree(str(rootdir / "test-imagegraph"), str(srcdir))
    os.makedirs(str(srcdir / "ctx"))
    with open(str(srcdir / "ctx" / "Dockerfile"), "w") as f:
        f.write("FROM base AS app\nRUN make\n")
    parts = [":orphan:\n\nEach\n====\n"]
    for name, opt in CASES:
        parts.append("%s\n%s\n\n.. atmo-imagegraph:: Dockerfile\n   %s\n" % (name, "-" * len(name), opt))
    parts.append("context\n-------\n\n.. atmo-imagegraph:: ctx/Dockerfile\n"
                 "   :build-context: base=docker-image://alpine:3.19\n")
    with open(str(srcdir / "each.rst"), "w") as f:
        f.write("\n".join(parts))
    app = SphinxTestApp("html", srcdir=srcdir, status=StringIO(), warning=StringIO())
    app.build()
    assert "atmo-imagegraph:" not in app._warning.getvalue()
    page = open(str(app.outdir / "each.html"), encoding="utf-8").read()
    sections = {}
    for name, _ in CASES + [("context", "")]:
        m = re.search(r'<section id="%s">(.*?)</section>' % re.escape(name), page, re.S)
        assert m, name
        sections[name] = m.group(1)
    yield app, sections
    app.cleanup()


def svg(section):
    m = re.search(r"<svg\b.*?</svg>", section, re.S)
    assert m
    return m.group(0)


def labels(section):
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text[^>]*>[^<]*</text>", svg(section))]


def test_theme(built):
    _, s = built
    assert "atmo-theme-light" in svg(s["base"])
    assert "atmo-theme-dark" in svg(s["theme"])


def test_rankdir(built):
    _, s = built
    box = lambda x: re.search(r'viewBox="([^"]+)"', svg(x)).group(1).split()
    lr, tb = box(s["rankdir-lr"]), box(s["rankdir"])
    # another layout (this graph is about as wide either way)
    assert lr != tb


def test_detail(built):
    """:detail: overview draws one node per image, even for one Dockerfile; the default
    (auto) draws its stages."""
    _, s = built
    assert "atmo-overview" not in svg(s["base"]) and "atmo-stage" in svg(s["base"])
    assert "atmo-overview" in svg(s["detail"]) and "atmo-image-node" in svg(s["detail"])
    assert 'class="node atmo-stage' not in svg(s["detail"])


def test_legible_width_and_name(built):
    """The inline SVG is never narrower than its text stays legible (the renderer's
    data-min-width, in px): a large diagram scrolls in its box instead of shrinking. Its
    accessible name is the renderer's: the stages in order, by name."""
    _, s = built
    root = svg(s["base"])[:svg(s["base"]).index(">")]
    low = re.search(r'data-min-width="(\d+)"', root)
    assert low and re.search(r'style="width: [\d.]+pt; max-width: 100%%; min-width: %spx; ' % low.group(1),
                             root), root
    assert re.search(r'aria-label="Stage graph of [^"]*: stages build, ', root), root


def test_layers_and_legend(built):
    _, s = built
    assert "atmo-layers" not in svg(s["base"]) and "atmo-layers" in svg(s["layers"])
    assert "atmo-legend" not in svg(s["base"]) and "atmo-legend" in svg(s["legend"])


def test_hide_scratch(built):
    _, s = built
    assert "atmo-node-dockerfile-scratch" in svg(s["base"])
    assert "atmo-node-dockerfile-scratch" not in svg(s["hide-scratch"])


def test_max_label_length(built):
    _, s = built
    assert "runtime" in labels(s["base"])
    assert "runtime" not in labels(s["max-label-length"])
    assert any("\u2026" in t for t in labels(s["max-label-length"]))


def test_target_and_build_args(built):
    _, s = built
    assert "FROM debian:bookworm" in labels(s["base"])  # atmograph_build_args in conf.py
    assert "FROM ubuntu:24.04" in labels(s["build-arg"])
    assert any("target" in t for t in labels(s["target"]) if "lines 5" in t)
    assert any("unused" in t for t in labels(s["target"]) if "lines 16" in t)


def test_build_context(built):
    _, s = built
    assert any("context" in t for t in labels(s["context"]))


def test_figure_options(built):
    _, s = built
    assert "A <em>caption</em>" in s["caption"] and "<figcaption>" in s["caption"]
    assert 'id="the-name"' in s["name"]
    assert 'aria-label="Alternative text"' in s["alt"]
    assert re.search(r'<figure class="[^"]*align-right', s["align"])
    assert re.search(r'<figure class="atmograph one two', s["class"])
    assert re.search(r'<img src="_images/atmograph-[0-9a-f]{64}\.png" alt="Stage graph of [^"]*: stages build, ', s["format"])
    assert "<svg" not in s["format"]


def test_emphasize_stages_default_marks_from_lines(built):
    _, s = built
    hll = re.findall(r'<span class="hll">(.*?)</span>\n', s["emphasize"])
    text = [re.sub(r"<[^>]+>", "", h) for h in hll]
    assert len(text) == 4 and all("FROM" in t for t in text), text


def test_each_option_documented():
    from atmograph.sphinx import OPTION_DOCS, ImageGraphDirective
    assert set(ImageGraphDirective.option_spec) == set(OPTION_DOCS)


BAD_RENDER_OPTIONS = [
    # (option line, what the warning says): the ranges are the core's
    # (atmo_render_options_check), not the extension's
    (":theme: blue", 'bad render option: theme "blue" is not light or dark'),
    (":max-label-length: 3", "bad render option: max_label_length 3 is out of range (4 to 1000"),
    (":max-label-length: abc", "bad :max-label-length: value 'abc' (expected a number)"),
    (":max-label-length: -5", "bad render option: max_label_length must be >= 0"),
    (":rankdir: BT", 'bad render option: rankdir "BT" is not LR, TB or auto'),
    (":detail: everything", 'bad render option: detail "everything" is not overview, stages or auto'),
]


def test_bad_render_options_are_located_warnings(rootdir, sphinx_test_tempdir):
    """A bad :theme:, :max-label-length:, :rankdir: or :detail: is a warning at the directive's line
    (page:line), the page and the good diagrams still build."""
    from io import StringIO

    from sphinx.testing.util import SphinxTestApp
    srcdir = sphinx_test_tempdir / "imagegraph-bad-render-options"
    if srcdir.exists():
        shutil.rmtree(str(srcdir))
    shutil.copytree(str(rootdir / "test-imagegraph"), str(srcdir))
    lines = [":orphan:", "", "Bad", "===", ""]
    where = []
    for opt, _ in BAD_RENDER_OPTIONS:
        where.append(len(lines) + 1)
        lines += [".. atmo-imagegraph:: Dockerfile", "   " + opt, ""]
    lines += [".. atmo-imagegraph:: Dockerfile", "   :max-label-length: 4", "", "The end.", ""]
    with open(str(srcdir / "bad.rst"), "w") as f:
        f.write("\n".join(lines))
    app = SphinxTestApp("html", srcdir=srcdir, status=StringIO(), warning=StringIO())
    try:
        app.build()
        text = app._warning.getvalue()
        warned = [ln for ln in text.splitlines() if "bad.rst" in ln and "WARNING" in ln]
        assert len(warned) == len(BAD_RENDER_OPTIONS), text
        for lineno, (opt, says) in zip(where, BAD_RENDER_OPTIONS):
            assert any(re.search(r"bad\.rst:%d: WARNING: atmo-imagegraph: " % lineno, ln)
                       and says in ln for ln in warned), (opt, text)
        page = open(str(app.outdir / "bad.html"), encoding="utf-8").read()
        assert "The end." in page
        assert page.count('<div class="atmograph-diagram">') == 1
    finally:
        app.cleanup()
