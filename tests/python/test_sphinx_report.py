"""atmo-imagegraph: the :report: option, sizes not measured yet, paths shown to readers,
anchors unique per directive (singlehtml), and atmograph.annotate_sizes."""

import os
import re
import shutil
import time

import pytest

import atmograph

ROOT = "test-imagegraph-bake"


def _root(rootdir, tmp, conf_extra, pages):
    """A copy of the bake test root with extra conf.py lines and these pages."""
    srcdir = tmp / ("imagegraph-report-%d" % time.monotonic_ns())
    shutil.copytree(str(rootdir / ROOT), str(srcdir))
    with open(str(srcdir / "conf.py"), "a") as f:
        f.write("\n" + conf_extra + "\n")
    for name, text in pages.items():
        os.makedirs(os.path.dirname(str(srcdir / name)) or ".", exist_ok=True)
        with open(str(srcdir / name), "w") as f:
            f.write(text)
    return srcdir


def _build(make_app, srcdir, builder="html"):
    app = make_app(builder, srcdir=srcdir)
    app.build()
    return app


def _svgs(page):
    return re.findall(r"<svg\b.*?</svg>", page, re.S)


def _labels(svg):
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text[^>]*>[^<]*</text>", svg)]


INDEX = """Index
=====

.. atmo-imagegraph:: app
   :bake:
   :detail: stages
   :report: measured
   :include-source:

.. atmo-imagegraph:: images/app/Dockerfile
   :report: other/report.json
   :build-context: base=docker-image://debian:bookworm

.. atmo-imagegraph:: app
   :bake:
   :detail: stages
   :report: later
   :include-source:

.. toctree::

   second
"""

SECOND = """Second
======

The same Dockerfile as on the first page, with its source.

.. atmo-imagegraph:: app
   :bake:
   :detail: stages
   :include-source:
"""


@pytest.fixture
def report_root(rootdir, sphinx_test_tempdir):
    srcdir = _root(rootdir, sphinx_test_tempdir,
                   'atmograph_build_report = None\n'
                   'atmograph_build_reports = {"measured": "report.json",\n'
                   '                           "later": "not-built-yet/report.json"}\n'
                   'atmograph_sizes_hint = {"later": "run make later-images"}\n'
                   'atmograph_project_root = ".."',
                   {"index.rst": INDEX, "second.rst": SECOND})
    os.makedirs(str(srcdir / "other"))
    with open(str(srcdir / "report.json")) as f:
        report = f.read()
    with open(str(srcdir / "other" / "report.json"), "w") as f:
        f.write(report.replace("190000000", "90000000").replace(
            '"dockerfile": "images/app/Dockerfile"', '"dockerfile": "../images/app/Dockerfile"'))
    return srcdir


def test_report_option_and_unmeasured_note(make_app, report_root):
    app = _build(make_app, report_root)
    assert app._warning.getvalue() == ""  # so -W passes before the images are built
    page = open(str(app.outdir / "index.html"), encoding="utf-8").read()
    svgs = _svgs(page)
    assert len(svgs) == 3
    # :report: NAME (atmograph_build_reports) gives the first diagram its sizes
    assert "kept out of the final image: 171.7 MiB (gcc, python3-dev)" in _labels(svgs[0])
    assert any("own 181.2 MiB" in t for t in _labels(svgs[0]))
    # :report: FILE (relative to the document), another measurement
    assert any("own 85.8 MiB" in t for t in _labels(svgs[1])), _labels(svgs[1])
    # a named report that does not exist: drawn without sizes, a note with the hint, INFO
    assert not any("own " in t for t in _labels(svgs[2]))
    note = ("Sizes not measured yet: no build report at %s/not-built-yet/report.json. "
            "To measure them: run make later-images." % os.path.basename(str(report_root)))
    assert note in page
    assert page.count("Sizes not measured yet") == 1
    assert "atmograph-unmeasured" in page
    status = app._status.getvalue()
    assert re.search(r"index\.rst:14: atmo-imagegraph: Sizes not measured yet", status), status


def test_paths_shown_relative_to_project(make_app, report_root):
    app = _build(make_app, report_root)
    page = open(str(app.outdir / "index.html"), encoding="utf-8").read()
    # atmograph_project_root = ".." (the test tempdir): captions and cluster titles name
    # <root>/images/..., never this machine's absolute path
    shown = "%s/images/app/Dockerfile" % os.path.basename(str(report_root))
    assert '<span class="caption-text">%s</span>' % shown in page
    assert str(report_root) not in page
    assert str(report_root) not in "".join(_svgs(page))
    doc = atmograph.bake_graph(str(report_root / "images" / "docker-bake.json"),
                               targets=["app"], no_env=True)
    assert all(os.path.isabs(i["dockerfile"]) for i in doc["images"])  # what the core gives


def test_unique_ids_singlehtml(make_app, report_root):
    """The same Dockerfile with :include-source: on two pages (and twice on one page):
    every id is unique in the single page, and every SVG link lands on its own block."""
    app = _build(make_app, report_root, "singlehtml")
    page = open(str(app.outdir / "index.html"), encoding="utf-8").read()
    ids = re.findall(r'\bid="([^"]+)"', page)
    dups = sorted({i for i in ids if ids.count(i) > 1})
    assert not dups, dups
    svgs = _svgs(page)
    assert len(svgs) == 4
    idset = set(ids)
    links = [re.findall(r'(?:xlink:)?href="#([^"]+)"', svg) for svg in svgs]
    for svg_links in links:
        assert all(h in idset for h in svg_links), svg_links
    # each diagram with its source links to its own blocks: index's 1st and 3rd, second's 1st
    assert set(links[0]) == {"index-0-app-build", "index-0-app-runtime", "index-0-base-base"}
    assert set(links[2]) == {"index-2-app-build", "index-2-app-runtime", "index-2-base-base"}
    assert set(links[3]) == {"second-0-app-build", "second-0-app-runtime", "second-0-base-base"}
    assert links[1] == []  # no :include-source:, no links
    for anchor in ("index-0-app-build", "index-2-app-build", "second-0-app-build"):
        block = page[page.index('id="%s"' % anchor):][:3000]
        assert re.search(r"FROM.*base.*AS.*build", re.sub(r"<[^>]+>", "", block)), anchor


def test_report_option_errors(make_app, rootdir, sphinx_test_tempdir):
    srcdir = _root(rootdir, sphinx_test_tempdir, "atmograph_build_report = None", {
        "index.rst": "Errors\n======\n\n"
                     ".. atmo-imagegraph:: app\n   :bake:\n   :sizes:\n\n"
                     ".. atmo-imagegraph:: app\n   :bake:\n   :report: images/docker-bake.json\n\n"
                     ".. atmo-imagegraph:: app\n   :bake:\n   :report:\n"})
    app = _build(make_app, srcdir)
    lines = [ln for ln in app._warning.getvalue().splitlines() if "WARNING" in ln]
    assert len(lines) == 3, lines
    assert re.search(r"index\.rst:4: WARNING: atmo-imagegraph: :sizes: needs :image: archives, "
                     r":report: or the atmograph_build_report config value", lines[0]), lines[0]
    assert re.search(r"index\.rst:8: WARNING: atmo-imagegraph: images/docker-bake\.json: not a "
                     r"build report \(schema atmograph\.build-report/1\)", lines[1]), lines[1]
    assert re.search(r"index\.rst:12: WARNING: atmo-imagegraph: :report: needs a value: a NAME "
                     r"of atmograph_build_reports \(known: none\) or a file", lines[2]), lines[2]


# ---- atmograph.annotate_sizes ------------------------------------------------------------

TWO = "FROM debian AS build\nRUN make\nFROM debian AS runtime\nCOPY --from=build /out /out\n"
SIZES = {"schema": "atmograph.sizes/1", "stages": [
    {"stage": "build", "node": "dockerfile/stage/build", "target": False,
     "size": {"bytes": 5000, "compressed": 2000, "layers": 2}, "own_bytes": 4000, "packages": 12},
    {"stage": "runtime", "node": "dockerfile/stage/runtime", "target": True,
     "size": {"bytes": 1300, "compressed": 700, "layers": 2}, "own_bytes": 300, "packages": None}],
    "kept_out": {"bytes": 3700, "own_bytes": 4000, "copied_bytes": 300,
                 "packages": ["make", "gcc"], "stages": ["build"], "final_image": True}}


def test_annotate_sizes():
    g = atmograph.graph(TWO)
    out = atmograph.annotate_sizes(g, SIZES)
    assert "size" not in g["nodes"][0]  # a copy
    by_id = {n["id"]: n for n in out["nodes"]}
    assert by_id["dockerfile/stage/build"]["size"] == {"bytes": 5000, "own_bytes": 4000,
                                                       "packages": 12}
    assert by_id["dockerfile/stage/runtime"]["size"] == {"bytes": 1300, "own_bytes": 300}
    assert "size" not in by_id["dockerfile/image/debian"]
    assert out["images"][0]["size"] == {"bytes": 1300, "compressed": 700}
    assert out["kept_out"] == {"bytes": 3700, "packages": ["gcc", "make"]}


def test_annotate_sizes_errors():
    g = atmograph.graph(TWO)
    with pytest.raises(atmograph.InvalidInputError) as exc:
        atmograph.annotate_sizes(g, {"schema": "atmograph.build-report/1", "targets": {}})
    assert exc.value.filename == "sizes"
    assert exc.value.text == "not a sizes document (schema atmograph.sizes/1)"
    with pytest.raises(atmograph.NotFoundError) as exc:
        atmograph.annotate_sizes(atmograph.graph(TWO, image_id="app"), SIZES)
    assert "node 'dockerfile/stage/build' is not in the graph document" in exc.value.text
    with pytest.raises(atmograph.InvalidInputError):
        atmograph.annotate_sizes({"schema": "nope"}, SIZES)
    with pytest.raises(TypeError):
        atmograph.annotate_sizes(g, [])


def test_annotate_sizes_from_measured_images(tmp_path):
    """sizes() then annotate_sizes(): the node figures are the sizes document's own."""
    import test_sphinx_sizes as ts
    ts.docker_archive(tmp_path / "build.tar", ts.BUILD, "test/app:build")
    ts.docker_archive(tmp_path / "runtime.tar", ts.RUNTIME, "test/app:latest")
    dockerfile = os.path.join(os.path.dirname(__file__), "roots", ROOT, "images", "app",
                              "Dockerfile")
    ctx = ["base=docker-image://debian:bookworm"]
    sizes = atmograph.sizes(dockerfile, {"build": str(tmp_path / "build.tar"),
                                         "runtime": str(tmp_path / "runtime.tar")},
                            build_contexts=ctx)
    g = atmograph.annotate_sizes(atmograph.graph(dockerfile, build_contexts=ctx), sizes)
    by_id = {n["id"]: n for n in g["nodes"]}
    for st in sizes["stages"]:
        assert by_id[st["node"]]["size"]["bytes"] == st["size"]["bytes"]
        assert by_id[st["node"]]["size"]["own_bytes"] == st["own_bytes"]
    assert g["kept_out"]["bytes"] == sizes["kept_out"]["bytes"]


def test_report_target_warnings_are_sphinx_warnings(make_app, rootdir, sphinx_test_tempdir):
    # a target whose export failed is "built" with "warnings" in the report (issue 17):
    # the directive repeats them as located warnings, so `sphinx-build -W` fails
    srcdir = _root(rootdir, sphinx_test_tempdir,
                   'atmograph_build_report = None\n'
                   'atmograph_build_reports = {"measured": "report.json"}',
                   {"index.rst": "Warn\n====\n\n.. atmo-imagegraph:: app\n   :bake:\n"
                                 "   :report: measured\n"})
    import json
    with open(str(srcdir / "report.json")) as f:
        report = json.load(f)
    report["targets"]["app"]["warnings"] = [
        "exporting localhost/app:latest failed: no sizes or packages (see out/logs/app.log)"]
    with open(str(srcdir / "report.json"), "w") as f:
        json.dump(report, f)
    app = _build(make_app, srcdir)
    lines = [ln for ln in app._warning.getvalue().splitlines() if "WARNING" in ln]
    assert len(lines) == 1, lines
    assert re.search(r"index\.rst:4: WARNING: atmo-imagegraph: the build report's target app: "
                     r"exporting localhost/app:latest failed", lines[0]), lines[0]
