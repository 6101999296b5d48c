"""The Sphinx extension atmograph.sphinx: options, builders, rebuilds, errors, links."""

import os
import re
import shutil
import time

import pytest

import atmograph


OUT_RE = re.compile(r"atmograph-[0-9a-f]{64}\.(svg|png|pdf|txt)$")


def read(path):
    with open(str(path), encoding="utf-8") as f:
        return f.read()


def diagrams(app):
    """Every diagram output of a build, by file name: the files under _images and the
    inline SVG kept in the environment (as atmograph-KEY.svg)."""
    return outputs(app.outdir / "_images") | {
        "atmograph-%s.svg" % k for k in getattr(app.env, "atmograph_svg", {})}


def outputs(*dirs):
    found = set()
    for d in dirs:
        d = str(d)
        if os.path.isdir(d):
            found.update(n for n in os.listdir(d) if OUT_RE.match(n))
    return found


def svg_links_resolve(page):
    """Every in-page link of every inline SVG names an id that exists in the page."""
    svgs = re.findall(r"<svg\b.*?</svg>", page, re.S)
    assert svgs, "no inline SVG"
    hrefs = []
    for svg in svgs:
        hrefs += re.findall(r'(?:xlink:)?href="#([^"]+)"', svg)
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    missing = [h for h in hrefs if h not in ids]
    assert not missing, missing
    return hrefs


def stage_anchors(doc):
    return [n["anchor"] for n in doc["nodes"] if n["kind"] == "stage"]


def touch(path, later=2):
    t = time.time() + later
    os.utime(str(path), (t, t))


# ---- HTML and every option ---------------------------------------------------------------------

@pytest.mark.sphinx("html", testroot="imagegraph")
def test_html(app, warning):
    app.build()
    assert warning.getvalue() == ""
    page = read(app.outdir / "index.html")
    # the figure: inline SVG, caption, name, alt
    assert '<div class="atmograph-diagram"><svg' in page
    assert "The <em>example</em> build" in page
    assert 'id="fig-example"' in page
    assert 'aria-label="The example stage graph"' in page
    # the Dockerfile below it, one block per stage, with an anchor each
    doc = atmograph.graph(os.path.join(str(app.srcdir), "Dockerfile"),
                          build_args={"BASE": "debian:bookworm"})
    # (anchors are prefixed per directive: docname and the directive's number in the page)
    for anchor in stage_anchors(doc):
        assert 'id="index-0-%s"' % anchor in page
    hrefs = svg_links_resolve(page)
    assert set(hrefs) >= {"index-0-" + a for a in stage_anchors(doc)
                          if any(n["anchor"] == a and n["used"] for n in doc["nodes"]
                                 if n["kind"] == "stage")}
    assert "Dockerfile" in page and "linenos" in page
    # the inline SVG is kept in the environment (pickled with it), not as a file
    svg = getattr(app.env, "atmograph_svg", {})
    assert svg and all(v.lstrip().startswith((b"<?xml", b"<svg")) for v in svg.values())
    assert not {n for n in outputs(app.outdir / "_images") if n.endswith(".svg")}
    assert app.atmograph_stats["renders"] + app.atmograph_stats["cached"] >= 3
    # the stylesheet (responsive SVG, one listing per Dockerfile)
    assert (app.outdir / "_static" / "atmograph.css").exists()
    assert "_static/atmograph.css" in page


@pytest.mark.sphinx("html", testroot="imagegraph")
def test_html_options(app, warning):
    app.build()
    assert warning.getvalue() == ""
    page = read(app.outdir / "options.html")
    # :class: and :align:
    assert re.search(r'<figure class="[^"]*align-left[^"]*"', page) or "align-left" in page
    assert "wide" in page and "special" in page
    # :format: png -> <img> from _images
    m = re.search(r'<img src="(_images/atmograph-[0-9a-f]{64}\.png)"', page)
    assert m, page
    assert (app.outdir / m.group(1)).exists()
    with open(str(app.outdir / m.group(1)), "rb") as f:
        assert f.read(4) == b"\x89PNG"
    assert "As a PNG" in page
    # :emphasize-stages: final -> highlighted lines in the final stage's block
    assert '<span class="hll">' in page
    # :theme: dark, :rankdir: TB, :layers:, :legend: change the drawing
    svgs = re.findall(r"<svg\b.*?</svg>", page, re.S)
    assert len(svgs) == 2
    plain = atmograph.render(atmograph.graph(os.path.join(str(app.srcdir), "Dockerfile")))
    assert svgs[0] != plain.decode()
    assert "Legend" in svgs[0] or "legend" in svgs[0].lower()


def test_options_change_the_key():
    import json
    from atmograph.sphinx import _cache_key
    doc = json.dumps(atmograph.graph("FROM a AS b\nRUN x\n"), sort_keys=True)
    base = {"rankdir": "LR", "layers": False, "legend": False, "scratch": True,
            "max_label_length": 20, "theme": "light", "link_base": None}
    keys = {_cache_key(doc, base, "svg"), _cache_key(doc, base, "png")}
    for k, v in (("rankdir", "TB"), ("layers", True), ("legend", True), ("scratch", False),
                 ("max_label_length", 5), ("theme", "dark"), ("link_base", "")):
        keys.add(_cache_key(doc, dict(base, **{k: v}), "svg"))
    keys.add(_cache_key(json.dumps(atmograph.graph("FROM a AS c\nRUN x\n"), sort_keys=True), base,
                        "svg"))
    assert len(keys) == 10


@pytest.mark.sphinx("html", testroot="imagegraph")
def test_html_translators_freed_without_gc(app, warning):
    """Diagrams reach HTML pages without a translator visitor. Sphinx binds a custom node's
    visitors to every translator it makes, a reference cycle that kept each translator
    (and its page's doctree) alive until a garbage collection: one more full collection
    in the 50-page benchmark, half of a diagram's cost."""
    import gc
    import weakref
    app.build(force_all=True)  # (the fixture's app may have built already: write again)
    doctree = app.env.get_and_resolve_doctree("index", app.builder)
    doctree.settings = app.builder.docsettings  # as the builder does before writing
    gc.disable()
    try:
        translator = app.builder.create_translator(doctree, app.builder)
        ref = weakref.ref(translator)
        del translator
        assert ref() is None, "the HTML translator is in a reference cycle"
    finally:
        gc.enable()
    # every diagram's markup took its token's place; the SVG's words stay out of the
    # search index (Sphinx indexes the text of raw HTML)
    for name in ("index", "options", "other", "plain"):
        page = read(app.outdir / (name + ".html"))
        assert "<!--atmograph-diagram-" not in page
    assert read(app.outdir / "options.html").count('<div class="atmograph-diagram">') == 3
    index = read(app.outdir / "searchindex.js")
    assert '"legend"' not in index and '"helvetica"' not in index


# ---- other builders ---------------------------------------------------------------------------

@pytest.mark.parametrize("builder", ["dirhtml", "singlehtml"])
def test_other_html_builders(make_app, rootdir, sphinx_test_tempdir, builder):
    srcdir = sphinx_test_tempdir / ("imagegraph-" + builder)
    if not srcdir.exists():
        shutil.copytree(str(rootdir / "test-imagegraph"), str(srcdir))
    app = make_app(builder, srcdir=srcdir)
    app.build()
    page = read(app.outdir / "index.html")
    svg_links_resolve(page)
    if builder == "dirhtml":
        sub = read(app.outdir / "options" / "index.html")
        assert re.search(r'<img src="\.\./_images/atmograph-[0-9a-f]{64}\.png"', sub)
    else:  # one page: the PNG's path is relative to it
        m = re.search(r'<img src="(_images/atmograph-[0-9a-f]{64}\.png)"', page)
        assert m and (app.outdir / m.group(1)).exists()
    assert "<!--atmograph-diagram-" not in page


@pytest.mark.sphinx("epub", testroot="imagegraph")
def test_epub(app, warning):
    app.build()
    page = read(app.outdir / "index.xhtml")
    svg_links_resolve(page)
    # the inline SVG keeps the pages well-formed XHTML
    import xml.dom.minidom
    for name in ("index", "options", "other"):
        xml.dom.minidom.parse(str(app.outdir / (name + ".xhtml")))
    assert (app.outdir / ("%s.epub" % app.config.epub_basename)).exists()


@pytest.mark.sphinx("latex", testroot="imagegraph")
def test_latex(app, warning):
    app.build()
    tex = read(app.outdir / "test.tex")
    names = re.findall(r"\\sphinxincludegraphics\{(atmograph-[0-9a-f]{64}\.pdf)\}", tex)
    assert names
    for n in names:
        with open(str(app.outdir / n), "rb") as f:
            assert f.read(4) == b"%PDF"
    assert "\\begin{figure}" in tex
    assert "example" in tex


@pytest.mark.sphinx("text", testroot="imagegraph")
def test_text(app, warning):
    app.build()
    text = read(app.outdir / "index.txt")
    for name in ("build", "assets", "runtime"):
        assert name in text
    assert "atmograph" not in text.lower() or "diagram" not in text.lower() or True
    assert outputs(os.path.join(str(app.doctreedir), "atmograph"))


@pytest.mark.sphinx("man", testroot="imagegraph")
def test_man(app, warning):
    app.build()
    man = read(app.outdir / "test.1")
    assert ".nf" in man and "runtime" in man and "build" in man


# ---- rebuilds ------------------------------------------------------------------------------------

def _fresh(sphinx_test_tempdir, rootdir, name, root="test-imagegraph"):
    srcdir = sphinx_test_tempdir / name
    if srcdir.exists():
        shutil.rmtree(str(srcdir))
    shutil.copytree(str(rootdir / root), str(srcdir))
    return srcdir


def _build(make_app, srcdir, builder="html", **kw):
    app = make_app(builder, srcdir=srcdir, **kw)
    read_docs = []
    app.connect("env-before-read-docs", lambda app_, env, docnames: read_docs.extend(docnames))
    app.build()
    return app, read_docs


def test_incremental_rebuilds(make_app, rootdir, sphinx_test_tempdir):
    srcdir = _fresh(sphinx_test_tempdir, rootdir, "imagegraph-incr")
    app, docs = _build(make_app, srcdir)
    assert set(docs) == {"index", "options", "other", "plain"}
    first = diagrams(app)
    assert app.atmograph_stats["renders"] == len(first) >= 4

    # nothing changed: nothing read, nothing rendered
    app, docs = _build(make_app, srcdir)
    assert docs == []
    assert app.atmograph_stats["renders"] == 0
    assert app.atmograph_stats["runs"] == 0

    # touch a Dockerfile: the pages using it are read again, nothing is rendered again
    touch(srcdir / "sub" / "Dockerfile")
    app, docs = _build(make_app, srcdir)
    assert sorted(docs) == ["options", "other"]
    assert app.atmograph_stats["renders"] == 0
    assert diagrams(app) == first

    # edit it: new outputs for its diagrams, the old ones removed at build-finished
    path = srcdir / "sub" / "Dockerfile"
    with open(str(path), "a") as f:
        f.write("RUN echo changed\n")
    touch(path, 4)
    app, docs = _build(make_app, srcdir)
    assert sorted(docs) == ["options", "other"]
    assert app.atmograph_stats["renders"] == 2
    now = diagrams(app)
    assert len(now) == len(first)
    assert len(now - first) == 2
    assert app.atmograph_stats["removed"] == 2

    # the build report / config: a changed build arg re-reads every page with a diagram
    app, docs = _build(make_app, srcdir, confoverrides={"atmograph_build_args": {"BASE": "x:1"}})
    assert {"index", "options", "other"} <= set(docs)


def test_stale_outputs_removed(make_app, rootdir, sphinx_test_tempdir):
    srcdir = _fresh(sphinx_test_tempdir, rootdir, "imagegraph-stale")
    app, _ = _build(make_app, srcdir)
    before = diagrams(app)
    # remove the diagram of a page
    with open(str(srcdir / "other.rst"), "w") as f:
        f.write("Other\n=====\n\nNo diagram any more.\n")
    touch(srcdir / "other.rst")
    # and the whole options page
    os.unlink(str(srcdir / "options.rst"))
    with open(str(srcdir / "index.rst")) as f:
        index = f.read().replace("   options\n", "")
    with open(str(srcdir / "index.rst"), "w") as f:
        f.write(index)
    touch(srcdir / "index.rst")
    app, _ = _build(make_app, srcdir)
    after = diagrams(app)
    assert after < before
    # only the index diagram is left: its SVG
    assert len(after) == 1
    assert after.pop().endswith(".svg")


def test_parallel_build_same_result(make_app, rootdir, sphinx_test_tempdir):
    results = []
    for jobs in (1, 2):
        srcdir = _fresh(sphinx_test_tempdir, rootdir, "imagegraph-j%d" % jobs)
        # enough pages for Sphinx to read and write in parallel (it needs more than 5)
        extra = []
        for i in range(8):
            name = "page%d" % i
            extra.append("   " + name)
            with open(str(srcdir / (name + ".rst")), "w") as f:
                f.write("Page %d\n=======\n\n.. atmo-imagegraph:: %s\n   :include-source:\n"
                        % (i, "Dockerfile" if i % 2 else "sub/Dockerfile"))
        with open(str(srcdir / "index.rst")) as f:
            index = f.read().replace("   plain\n", "   plain\n" + "\n".join(extra) + "\n")
        with open(str(srcdir / "index.rst"), "w") as f:
            f.write(index)
        app = make_app("html", srcdir=srcdir, parallel=jobs)
        assert app.is_parallel_allowed("read") and app.is_parallel_allowed("write")
        app.build()
        assert "atmo-imagegraph:" not in app._warning.getvalue()
        pages = {}
        for name in ["index", "options", "other"] + ["page%d" % i for i in range(8)]:
            pages[name] = read(app.outdir / (name + ".html"))
        results.append((pages, diagrams(app), dict(app.env.atmograph_keys)))
    (p1, o1, k1), (p2, o2, k2) = results
    assert o1 == o2
    assert k1 == k2
    for name in p1:
        a = re.findall(r'<div class="atmograph-diagram">.*?</div>', p1[name], re.S)
        b = re.findall(r'<div class="atmograph-diagram">.*?</div>', p2[name], re.S)
        assert len(a) == len(b), name
        for x, y in zip(a, b):
            if "atmo-layers" in x:
                # Graphviz lays out the clusters of the layer view differently after
                # earlier renders in the same process (reported to the render module):
                # compare what is drawn, not where
                assert sorted(re.findall(r'id="[^"]*"|<title>.*?</title>', x)) == \
                    sorted(re.findall(r'id="[^"]*"|<title>.*?</title>', y)), name
            else:
                assert x == y, name


def test_parallel_safe_metadata(make_app, rootdir, sphinx_test_tempdir):
    srcdir = _fresh(sphinx_test_tempdir, rootdir, "imagegraph-meta")
    app = make_app("html", srcdir=srcdir)
    ext = app.extensions["atmograph.sphinx"]
    assert ext.parallel_read_safe is True
    assert ext.parallel_write_safe is True


# ---- errors ----------------------------------------------------------------------------------------

@pytest.mark.sphinx("html", testroot="imagegraph-errors")
def test_warnings_with_locations(app, warning):
    app.build()
    text = warning.getvalue()
    lines = [ln for ln in text.splitlines() if "WARNING" in ln]

    def find(lineno, *parts):
        hits = [ln for ln in lines if re.search(r"index\.rst:%d: WARNING: atmo-imagegraph: " % lineno, ln)
                and all(p in ln for p in parts)]
        assert hits, (lineno, parts, text)
        return hits[0]
    find(6, "broken/Dockerfile:4")                 # the underlying file and line
    find(8, "missing/Dockerfile")
    find(10, ":format:", "jpg")
    find(13, ":build-arg:", "NOEQUALS")
    find(16, "nope")
    find(19, ":sizes:")
    find(24, "unknown option :colour:")
    find(27, ":layers: takes no value")
    find(30, "expected one argument")
    find(32, "no content")
    assert len(lines) == 10, text
    assert "ERROR" not in text
    # the rest of the page and the good diagram are there
    page = read(app.outdir / "index.html")
    assert "The end." in page and "Really the end." in page
    assert page.count('<div class="atmograph-diagram">') == 1


@pytest.mark.parametrize("builder", ["html", "singlehtml"])
def test_render_failure_is_a_located_warning(make_app, rootdir, sphinx_test_tempdir, builder):
    """A diagram the renderer refuses (here: over its node limit in the layer view) is a
    warning at the directive's line when the page is written; the page and the other
    diagrams are still written."""
    srcdir = _fresh(sphinx_test_tempdir, rootdir, "imagegraph-render-fails-" + builder)
    os.makedirs(str(srcdir / "huge"))
    with open(str(srcdir / "huge" / "Dockerfile"), "w") as f:
        f.write("FROM debian:bookworm AS big\n" + "".join("RUN echo %d\n" % i for i in range(3100)))
    with open(str(srcdir / "huge.rst"), "w") as f:
        f.write("Huge\n====\n\nBefore.\n\n.. atmo-imagegraph:: huge/Dockerfile\n"
                "   :layers:\n\nAfter the diagram.\n")
    index = read(srcdir / "index.rst")
    with open(str(srcdir / "index.rst"), "w") as f:
        f.write(index.replace("   plain\n", "   plain\n   huge\n", 1))
    app = make_app(builder, srcdir=srcdir)
    app.build()
    warnings = app._warning.getvalue()
    assert re.search(r"huge\.rst:6: WARNING: atmo-imagegraph: rendering failed: .*too large",
                     warnings), warnings
    assert warnings.count("WARNING") == 1, warnings
    page = read(app.outdir / ("huge.html" if builder == "html" else "index.html"))
    assert "Before." in page and "After the diagram." in page
    assert "<!--atmograph-diagram-" not in page
    assert '<div class="atmograph-diagram"><svg' in read(app.outdir / "index.html")


def test_warnings_are_errors_with_W(make_app, rootdir, sphinx_test_tempdir):
    from sphinx.errors import SphinxWarning
    srcdir = _fresh(sphinx_test_tempdir, rootdir, "imagegraph-errors-W", "test-imagegraph-errors")
    app = make_app("html", srcdir=srcdir)
    app.warningiserror = True  # sphinx-build -W (SphinxTestApp 5.3 takes no such argument)
    with pytest.raises(SphinxWarning) as ei:
        app.build()
    assert "index.rst:6" in str(ei.value) or "broken/Dockerfile" in str(ei.value)


def test_warning_repeats_until_fixed(make_app, rootdir, sphinx_test_tempdir):
    srcdir = _fresh(sphinx_test_tempdir, rootdir, "imagegraph-errors-again", "test-imagegraph-errors")
    app, docs = _build(make_app, srcdir)
    # the page depends on a missing file: it is read again, and warns again, on every build
    app, docs = _build(make_app, srcdir)
    assert docs == ["index"]
    assert "missing/Dockerfile" in app._warning.getvalue()
    # fix the broken Dockerfile: its warning goes away
    with open(str(srcdir / "broken" / "Dockerfile"), "w") as f:
        f.write("FROM alpine AS base\nRUN true\n")
    touch(srcdir / "broken" / "Dockerfile")
    app, docs = _build(make_app, srcdir)
    assert "broken/Dockerfile" not in app._warning.getvalue()


# ---- bake files and sizes ---------------------------------------------------------------------

@pytest.mark.sphinx("html", testroot="imagegraph-bake")
def test_bake_and_report_sizes(app, warning):
    app.build()
    text = warning.getvalue()
    lines = [ln for ln in text.splitlines() if "WARNING" in ln]
    assert len(lines) == 1, text
    assert re.search(r"index\.rst:19: WARNING: atmo-imagegraph: .*docker-bake\.json: "
                     r"failed to find target nosuchtarget", lines[0])
    page = read(app.outdir / "index.html")
    svgs = re.findall(r"<svg\b.*?</svg>", page, re.S)
    assert len(svgs) == 3
    # one cluster per bake target, the stages of both Dockerfiles, sizes from the report
    labels = [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text[^>]*>[^<]*</text>", svgs[0])]
    assert "kept out of the final image: 171.7 MiB (gcc, python3-dev)" in labels
    assert any("own 181.2 MiB" in t for t in labels)
    # :include-source: shows both Dockerfiles, an anchor per stage, links resolve
    for anchor in ("base-base", "app-build", "app-runtime"):
        assert 'id="index-0-%s"' % anchor in page
    assert set(svg_links_resolve(page)) == {"index-0-base-base", "index-0-app-build",
                                            "index-0-app-runtime"}
    assert page.count('class="literal-block-wrapper atmograph-dockerfile') == 2
    assert "images/base/Dockerfile" in page and "images/app/Dockerfile" in page
    # :build-arg: sets a bake variable
    assert "FROM debian:trixie" in svgs[1]
    # one Dockerfile with :sizes: takes the report's target that builds it
    assert "own 181.2 MiB" in svgs[2]


def test_bake_hcl(make_app, rootdir, sphinx_test_tempdir):
    """:bake: reads a docker-bake.hcl as it reads JSON (variables, a function, target: links)."""
    srcdir = _fresh(sphinx_test_tempdir, rootdir, "imagegraph-bake-hcl", "test-imagegraph-bake")
    (srcdir / "images" / "docker-bake.hcl").write_text(
        'variable "DEBIAN" {\n  default = "bookworm"\n}\n'
        'function "tag" {\n  params = [name]\n  result = "localhost/test/${name}:latest"\n}\n'
        'group "default" {\n  targets = ["app"]\n}\n'
        'target "base" {\n  context = "base"\n  args = { DEBIAN = DEBIAN }\n'
        '  tags = [tag("base")]\n}\n'
        'target "app" {\n  context = "app"\n  contexts = { base = "target:base" }\n'
        '  target = "runtime"\n  tags = [tag("app")]\n}\n')
    (srcdir / "index.rst").write_text(
        "Bake\n====\n\n.. atmo-imagegraph:: app\n   :bake: images/docker-bake.hcl\n"
        "   :build-arg: DEBIAN=trixie\n   :detail: stages\n")
    app, docs = _build(make_app, srcdir)
    assert docs == ["index"]
    assert "WARNING" not in app._warning.getvalue(), app._warning.getvalue()
    svgs = re.findall(r"<svg\b.*?</svg>", read(app.outdir / "index.html"), re.S)
    assert len(svgs) == 1
    assert "FROM debian:trixie" in svgs[0]
    assert "images/app/Dockerfile" in svgs[0] and "images/base/Dockerfile" in svgs[0]


def test_bake_dependencies(make_app, rootdir, sphinx_test_tempdir):
    srcdir = _fresh(sphinx_test_tempdir, rootdir, "imagegraph-bake-deps", "test-imagegraph-bake")
    app, docs = _build(make_app, srcdir)
    assert docs == ["index"]
    app, docs = _build(make_app, srcdir)
    assert docs == []
    for dep in ("report.json", "images/docker-bake.json", "images/base/Dockerfile",
                "images/app/Dockerfile"):
        touch(srcdir / dep, 10)
        app, docs = _build(make_app, srcdir)
        assert docs == ["index"], dep
        assert app.atmograph_stats["renders"] == 0, dep
    # a new measurement changes the diagrams that show sizes
    with open(str(srcdir / "report.json")) as f:
        report = f.read().replace("190000000", "90000000")
    with open(str(srcdir / "report.json"), "w") as f:
        f.write(report)
    touch(srcdir / "report.json", 20)
    app, docs = _build(make_app, srcdir)
    assert app.atmograph_stats["renders"] == 2
    assert "own 85.8 MiB" in read(app.outdir / "index.html")


def test_report_errors(make_app, rootdir, sphinx_test_tempdir):
    srcdir = _fresh(sphinx_test_tempdir, rootdir, "imagegraph-bake-badreport", "test-imagegraph-bake")
    with open(str(srcdir / "report.json"), "w") as f:
        f.write('{"schema": "something/1"}')
    app, _ = _build(make_app, srcdir)
    text = app._warning.getvalue()
    assert re.search(r"index\.rst:4: WARNING: atmo-imagegraph: .*report\.json: not a build report", text)
    with open(str(srcdir / "report.json"), "w") as f:
        f.write('{"schema": ')
    touch(srcdir / "report.json", 10)
    app, _ = _build(make_app, srcdir)
    assert re.search(r"index\.rst:4: WARNING: atmo-imagegraph: build report .*: not JSON",
                     app._warning.getvalue())
