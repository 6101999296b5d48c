"""Tests of the documentation's own tools: the internal link checker, the JSON field
checker of ``atmo-json``, the report tables and the demo images. Run by
``make check-docs`` (``python3 -m pytest doc/test_doc_tools.py``)."""
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "source", "_ext"))
sys.path.insert(0, HERE)

import atmo_cli  # noqa: E402
import atmo_demo_images  # noqa: E402
import atmo_reports  # noqa: E402
import check_links  # noqa: E402


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(text)


def test_check_links_accepts_a_sound_site(tmp_path, capsys):
    write(str(tmp_path / "index.html"),
          '<a href="sub/p.html#ok">x</a><a href="sub/">dir</a><a href="#top" id="top">t</a>'
          '<a href="https://example.org/">ext</a><object data="d.svg"></object>')
    write(str(tmp_path / "sub/p.html"), '<h1 id="ok">p</h1><a href="../index.html#top">up</a>')
    write(str(tmp_path / "sub/index.html"), "<p>dir</p>")
    write(str(tmp_path / "d.svg"), '<svg><a xlink:href="index.html#top"><text>t</text></a></svg>')
    assert check_links.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "0 broken" in out and "1 external" in out


def test_check_links_reports_each_broken_link(tmp_path, capsys):
    write(str(tmp_path / "index.html"),
          '<a href="sub/p.html#nope">a</a>\n<a href="missing.html">b</a>\n'
          '<a href="../outside.html">c</a>\n<object data="d.svg"></object><img src="i.svg">')
    write(str(tmp_path / "sub/p.html"), '<h1 id="ok">p</h1>')
    write(str(tmp_path / "d.svg"), '<svg><a xlink:href="#gone"><text>t</text></a></svg>')
    # an SVG shown through <img>: its links are dead in a browser and not checked
    write(str(tmp_path / "i.svg"), '<svg><a href="#also-gone"/></svg>')
    assert check_links.main([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "index.html:1: broken link sub/p.html#nope: no id 'nope' in sub/p.html" in out
    assert "index.html:2: broken link missing.html: no file missing.html" in out
    assert "index.html:3: broken link ../outside.html: points outside the site" in out
    assert "d.svg:1: broken link #gone" in out
    assert "also-gone" not in out
    assert "4 broken" in out


def test_check_links_usage_errors(tmp_path):
    assert check_links.main([]) == 2
    assert check_links.main([str(tmp_path)]) == 2  # no index.html: not a built site


def paths_of(doc):
    out = []
    atmo_cli._flatten(doc, [], out)
    return out


def uncovered(doc, patterns):
    pats = [atmo_cli._split_path(p) for p in patterns]
    return sorted(".".join(p) for p, container in paths_of(doc)
                  if not any(atmo_cli._covers(q, p, container) for q in pats))


def test_json_fields_every_field_must_be_described():
    doc = {"schema": "x", "layers": [{"digest": "d", "history": {"i": 1}}],
           "targets": {"nova": {"status": "built", "stages": {"build": {"a": 1}}}},
           "labels": {"k": "v"}, "tags": ["a"], "empty": []}
    assert uncovered(doc, ["schema", "layers[].digest", "layers[].history.i",
                           "targets.*.status", "targets.*.stages.*.a", "labels.**",
                           "tags[]", "empty[]"]) == []
    # a field nobody described is reported, with its path
    assert uncovered(doc, ["schema", "layers[].digest", "targets.*.status", "labels.**",
                           "tags[]", "empty[]"]) == \
        ["layers[].history", "layers[].history.i", "targets.nova.stages",
         "targets.nova.stages.build", "targets.nova.stages.build.a"]
    # an array is not an object: "tags" does not describe "tags[]"
    assert "tags[]" in uncovered(doc, ["tags"])


def test_report_tables_units_and_bad_reports(tmp_path):
    assert atmo_reports.human_bytes(999) == "999 B"
    assert atmo_reports.human_bytes(1536) == "1.5 KiB"
    assert atmo_reports.human_bytes(123456789) == "117.7 MiB"
    assert atmo_reports.exact_bytes(123456789) == "123,456,789"
    assert atmo_reports.load_report(str(tmp_path / "absent.json")) is None
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": "atmograph.graph/1"}))
    with pytest.raises(ValueError, match="not an atmograph.build-report/1"):
        atmo_reports.load_report(str(bad))
    bad.write_text(json.dumps({"schema": "atmograph.build-report/1", "targets": []}))
    with pytest.raises(ValueError, match="no \"targets\" object"):
        atmo_reports.load_report(str(bad))
    bad.write_text("{not json")
    with pytest.raises(ValueError):
        atmo_reports.load_report(str(bad))


def test_demo_images_are_reproducible_oci_layouts(tmp_path):
    images = atmo_demo_images._images()
    assert sorted(images) == ["demo-build", "demo-final"]
    for run in ("a", "b"):
        for name, steps in images.items():
            atmo_demo_images.write_layout(str(tmp_path / run / name), steps, "latest")
    for name in images:
        a = json.loads((tmp_path / "a" / name / "index.json").read_text())
        b = json.loads((tmp_path / "b" / name / "index.json").read_text())
        assert a == b  # same digests on every machine and every build
        digest = a["manifests"][0]["digest"].split(":", 1)[1]
        manifest = json.loads((tmp_path / "a" / name / "blobs" / "sha256" / digest).read_text())
        for blob in [manifest["config"]] + manifest["layers"]:
            path = tmp_path / "a" / name / "blobs" / "sha256" / blob["digest"].split(":", 1)[1]
            assert path.stat().st_size == blob["size"]


@pytest.mark.skipif(not os.path.exists(os.environ.get("ATMOGRAPH_CLI", "")),
                    reason="ATMOGRAPH_CLI is not built")
def test_demo_images_read_by_atmograph(tmp_path):
    for name, steps in atmo_demo_images._images().items():
        atmo_demo_images.write_layout(str(tmp_path / name), steps, "latest")
    out = subprocess.run([os.environ["ATMOGRAPH_CLI"], "inspect", "--json", "--packages",
                          "--verify", str(tmp_path / "demo-build")],
                         check=True, stdout=subprocess.PIPE).stdout
    doc = json.loads(out)
    assert doc["schema"] == "atmograph.image/1"
    assert doc["verified"] is True
    assert doc["size"]["layers"] == 3
    # the dpkg database written twice is the one inefficient path
    assert [p["path"].lstrip("/") for p in doc["efficiency"]["inefficient"]] == ["var/lib/dpkg/status"]
    names = {p["name"] for p in doc["packages"]["installed"]}
    assert {"gcc-12", "make", "libc6"} <= names


def test_directive_tables_show_code_not_backticks():
    import atmo_directive_doc
    para = atmo_directive_doc._meaning("build report of `atmograph build` for :sizes:")
    assert para.astext() == "build report of atmograph build for :sizes:"
    assert [n.astext() for n in para.children if n.tagname == "literal"] == ["atmograph build"]
    assert "`" not in atmo_directive_doc._meaning("no code here").astext()


def test_missing_report_is_said_once(tmp_path):
    """A page with a :sizes: diagram and an atmo-report of the same missing report
    shows one note, the report's, saying how to get real sizes."""
    from sphinx.application import Sphinx
    src = tmp_path / "src"
    write(str(src / "Dockerfile"), "FROM debian:bookworm AS a\nRUN true\n")
    write(str(src / "conf.py"),
          "import sys\nsys.path.insert(0, %r)\n" % os.path.join(HERE, "source", "_ext") +
          "extensions = ['atmograph.sphinx', 'atmo_cli', 'atmo_reports']\n"
          "atmo_reports = {'example': %r}\n" % str(tmp_path / "none" / "report.json") +
          "atmograph_build_reports = atmo_reports\natmo_cli_cwd = %r\n" % str(tmp_path))
    write(str(src / "index.rst"),
          "T\n=\n\n.. atmo-imagegraph:: Dockerfile\n   :report: example\n\n"
          "Sizes\n-----\n\n.. atmo-report:: example\n   :make: example-images\n")
    app = Sphinx(str(src), str(src), str(tmp_path / "out"), str(tmp_path / "dt"), "html",
                 status=None, warning=None, freshenv=True)
    app.build()
    with open(str(tmp_path / "out" / "index.html"), encoding="utf-8") as fh:
        page = fh.read()
    assert page.count('admonition note') == 1, page
    assert "Sizes not measured yet" not in page
    assert "No sizes yet" in page and "example-images</span>" in page
    assert "none/report.json" in page
