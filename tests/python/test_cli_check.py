"""atmograph check: CI rules over images the tests generate (imagegen).

Expected figures come from imagegen.sample_expected() (arithmetic over the fixture
spec), dive's definitions applied to them here: user wasted percent is the wasted
bytes over the bytes of every layer but the first.
"""
import json
import os
import sys
import xml.etree.ElementTree as ET

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imagegen as g  # noqa: E402
from test_cli_image import run, fail  # noqa: E402

pytestmark = pytest.mark.cli


@pytest.fixture
def sample(tmp_path):
    return g.write_oci_layout(str(tmp_path / "oci"), g.sample_image("gzip"))


def lines(p):
    return [ln.strip() for ln in p.stdout.splitlines() if ln.startswith("  ")]


def check_json(*args, code=0):
    p = run("check", *args, "--json", check=code)
    return json.loads(p.stdout)


def test_dive_rules_figures_and_thresholds(sample, tmp_path):
    exp = g.sample_expected()
    user = sum(exp["layer_sizes"][1:])
    user_pct = exp["wasted"] / user
    # just below and just above each figure: pass, then fail
    doc = check_json(sample, "--lowest-efficiency", str(exp["score"] - 0.001),
                     "--highest-wasted-bytes", str(exp["wasted"]),
                     "--highest-user-wasted-percent", "%.6f" % (user_pct + 0.001))
    figs = doc["images"][0]["figures"]
    assert figs["wasted_bytes"] == exp["wasted"]
    assert figs["bytes"] == exp["bytes"] and figs["user_bytes"] == user
    assert abs(figs["efficiency"] - exp["score"]) < 1e-9
    assert abs(figs["user_wasted_percent"] - user_pct) < 1e-9
    assert [r["status"] for r in doc["images"][0]["rules"]] == ["pass"] * 3
    assert doc["passed"] is True and doc["summary"]["passed"] == 3

    p = run("check", sample, "--lowest-efficiency", str(exp["score"] + 0.001),
            "--highest-wasted-bytes", str(exp["wasted"] - 1),
            "--highest-user-wasted-percent", "%.6f" % (user_pct - 0.001), check=1)
    ls = lines(p)
    assert len(ls) == 3 and all(ln.startswith("FAIL: ") for ln in ls), p.stdout
    assert "wasted %d B" % exp["wasted"] in p.stdout
    assert p.stdout.rstrip().splitlines()[-1].startswith("Result: FAIL")


def test_dive_defaults_when_no_rule(sample, tmp_path):
    exp = g.sample_expected()
    doc = check_json(sample, code=1 if exp["score"] < 0.9 else 0)
    rules = {r["rule"]: r for r in doc["images"][0]["rules"]}
    assert set(rules) == {"lowestEfficiency", "highestUserWastedPercent"}
    assert rules["lowestEfficiency"]["threshold"] == 0.9
    assert rules["highestUserWastedPercent"]["threshold"] == 0.1


def test_size_percent_units_and_disabled(sample):
    exp = g.sample_expected()
    doc = check_json(sample, "--highest-image-size", "%dB" % exp["bytes"],
                     "--lowest-efficiency", "0%", "--highest-user-wasted-percent", "disabled")
    assert [r["rule"] for r in doc["images"][0]["rules"]] == ["lowestEfficiency",
                                                               "highestImageSize"]
    doc = check_json(sample, "--highest-image-size", "0.001MB", code=1)  # 1000 bytes
    assert doc["images"][0]["rules"][0]["threshold"] == 1000
    doc = check_json(sample, "--highest-image-size", "1KiB", code=1)
    assert doc["images"][0]["rules"][0]["threshold"] == 1024


def test_forbid_package_globs(sample):
    doc = check_json(sample, "--forbid-package", "gcc-*", "--forbid-package", "vim-*")
    r = doc["images"][0]["rules"][0]
    assert r["status"] == "pass" and r["value"] == []   # vim-tiny was removed in layer 1
    p = run("check", sample, "--forbid-package", "cur?", "--forbid-package", "tz*", check=1)
    assert lines(p) == ["FAIL: forbidPackages: installed: curl (cur?), tzdata (tz*)"]


def test_growth_against_baseline(sample, tmp_path):
    exp = g.sample_expected()
    small = g.write_oci_layout(str(tmp_path / "small"),
                               g.Image([g.sample_layers()[0]], compression="gzip"))
    base = tmp_path / "base.json"
    base.write_text(run("inspect", small, "--json", check=0).stdout)
    grown = exp["bytes"] - exp["layer_sizes"][0]
    doc = check_json(sample, "--baseline", base, "--highest-growth", str(grown))
    assert doc["images"][0]["rules"][0]["value"] == grown
    check_json(sample, "--baseline", base, "--highest-growth", str(grown - 1), code=1)
    pct = 100.0 * grown / exp["layer_sizes"][0]
    check_json(sample, "--baseline", base, "--highest-growth", "%.3f%%" % (pct + 0.01))
    check_json(sample, "--baseline", base, "--highest-growth", "%.3f%%" % (pct - 0.01), code=1)
    # a check document is a baseline too (matched by source)
    prev = tmp_path / "prev.json"
    prev.write_text(run("check", sample, "--json", "--lowest-efficiency", "0").stdout)
    doc = check_json(sample, "--baseline", prev, "--highest-growth", "0")
    assert doc["images"][0]["rules"][0]["value"] == 0
    # the rule without a baseline
    err = fail("check", sample, "--highest-growth", "10%")
    assert "needs a baseline" in err


def test_growth_against_a_build_report(sample, tmp_path):
    exp = g.sample_expected()
    base = exp["bytes"] - 1000
    report = {"schema": "atmograph.build-report/1", "targets": {
        "app": {"digest": "sha256:old", "size": {"bytes": base, "compressed": 1, "layers": 3}},
        "tool": {"digest": "sha256:other", "size": {"bytes": 5, "compressed": 1, "layers": 1}}}}
    rp = tmp_path / "report.json"
    rp.write_text(json.dumps(report))
    doc = check_json(sample, "--baseline", rp, "--report-target", "app",
                     "--highest-growth", "1000")
    assert doc["images"][0]["rules"][0]["value"] == 1000
    check_json(sample, "--baseline", rp, "--report-target", "app", "--highest-growth", "999",
               code=1)
    err = fail("check", sample, "--baseline", rp, "--highest-growth", "1000")
    assert "several targets: pick one with --report-target (app, tool)" in err, err
    del report["targets"]["tool"]
    rp.write_text(json.dumps(report))
    check_json(sample, "--baseline", rp, "--highest-growth", "1000")


def test_build_report_kept_out_packages(sample, tmp_path):
    report = {"schema": "atmograph.build-report/1", "targets": {
        "app": {"digest": "sha256:none", "kept_out": {"bytes": 1, "packages": ["gcc", "curl"]},
                "stages": {}},
        "tool": {"digest": "sha256:other", "stages": {
            "build": {"in_final": False, "packages": ["make", "libc6", "tzdata"]},
            "run": {"in_final": True, "packages": ["libc6"]}}}}}
    rp = tmp_path / "report.json"
    rp.write_text(json.dumps(report))
    p = run("check", sample, "--build-report", rp, "--report-target", "app", check=1)
    assert lines(p) == ["FAIL: noBuildOnlyPackages: installed although the build kept them "
                        "out: curl"]
    # from the stages: build-only packages absent from the in-final stages
    doc = check_json(sample, "--build-report", rp, "--report-target", "tool", code=1)
    r = doc["images"][0]["rules"][0]
    assert sorted(r["threshold"]) == ["make", "tzdata"] and r["value"] == ["tzdata"]
    fail("check", sample, "--build-report", rp, "--report-target", "nope")


def test_rules_file_json_and_yaml(sample, tmp_path, monkeypatch):
    exp = g.sample_expected()
    (tmp_path / "rules.json").write_text(json.dumps({"rules": {
        "lowestEfficiency": 0.5, "highestWastedBytes": "20MB",
        "highestUserWastedPercent": "disabled", "forbidPackages": ["gcc*"],
        "highestImageSize": exp["bytes"]}}))
    doc = check_json(sample, "--rules", tmp_path / "rules.json")
    assert [r["rule"] for r in doc["images"][0]["rules"]] == [
        "lowestEfficiency", "highestWastedBytes", "highestImageSize", "forbidPackages"]
    assert doc["images"][0]["rules"][1]["threshold"] == 20000000
    # options override the file
    check_json(sample, "--rules", tmp_path / "rules.json", "--highest-image-size", "1", code=1)
    # dive's .dive-ci shape in YAML, found in the current directory by default
    (tmp_path / ".atmograph-ci.yaml").write_text(
        "rules:\n  lowestEfficiency: 0.5\n  highestWastedBytes: disabled\n"
        "  forbidPackages:\n    - curl\n")
    monkeypatch.chdir(tmp_path)
    p = run("check", sample, check=1)
    assert lines(p)[0].startswith("PASS: lowestEfficiency")
    assert lines(p)[1] == "FAIL: forbidPackages: installed: curl (curl)"


@pytest.mark.parametrize("name,text,where,msg", [
    ("bad.json", '{"rules": {\n  "lowestEfficiency": 0.9,\n}}', ":3:1:", "not valid JSON"),
    ("type.json", '{"rules": {\n  "lowestEfficiency": [1]\n}}', ":2:3:", "expected a number"),
    ("range.json", '{"rules": {\n  "lowestEfficiency": 1.5}}', ":2:3:", "not a ratio"),
    ("unknown.json", '{"rules": {"lowestEfficiency": 0.9,\n    "highestFoo": 1}}', ":2:5:",
     "unknown rule 'highestFoo'"),
    ("size.json", '{"rules": {\n\n "highestWastedBytes": "20 parsecs"}}', ":3:2:", "not a size"),
    ("shape.json", '[1, 2]', ":1:1:", "expected an object"),
    ("dup.json", '{"rules": {"lowestEfficiency": 0.9, "lowestEfficiency": 0.8}}', ":1:",
     "duplicate"),
    ("bad.yaml", "rules:\n  lowestEfficiency: [0.9\n", ":3:1:", "not valid YAML"),
    ("glob.yaml", "rules:\n  forbidPackages:\n    a: b\n", ":2:3:", "or a list of strings"),
    ("glob2.yaml", "rules:\n  forbidPackages:\n    - [x]\n", ":2:3:", "entry 0 is not a string"),
])
def test_bad_rules_files_are_located(sample, tmp_path, name, text, where, msg):
    f = tmp_path / name
    f.write_text(text)
    err = fail("check", sample, "--rules", f)
    assert err.startswith("atmograph: %s%s" % (f, where)), err
    assert msg in err, err


def test_usage_errors(sample):
    assert "missing IMAGE" in fail("check", code=2)
    assert "not a ratio" in fail("check", sample, "--lowest-efficiency", "high", code=2)
    assert "not a size" in fail("check", sample, "--highest-image-size", "-3", code=2)
    fail("check", sample, "--bogus", code=2)
    # a baseline file that does not exist is not a usage error
    fail("check", sample, "--baseline", "/nonexistent/base.json", "--highest-growth", "1")


def test_several_images_and_junit(sample, tmp_path):
    other = g.write_oci_archive(str(tmp_path / "o.tar"), g.sample_image("zstd"), str(tmp_path))
    xml = tmp_path / "out" / "junit.xml"
    os.makedirs(xml.parent)
    p = run("check", sample, other, "--lowest-efficiency", "0.1", "--forbid-package", "curl",
            "--junit", xml, check=1)
    assert len(lines(p)) == 4
    root = ET.parse(str(xml)).getroot()
    assert root.tag == "testsuites" and root.get("tests") == "4" and root.get("failures") == "2"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [sample, other]
    for s in suites:
        cases = s.findall("testcase")
        assert [c.get("name") for c in cases] == ["lowestEfficiency", "forbidPackages"]
        assert cases[0].find("failure") is None
        assert "curl" in cases[1].find("failure").get("message")


def test_unreadable_image_fails(tmp_path):
    err = fail("check", tmp_path / "nope", "--lowest-efficiency", "0.5")
    assert "nope" in err


# ---- the Python face: the same core ----

def test_python_check_matches_the_cli(sample, tmp_path):
    import atmograph
    exp = g.sample_expected()
    doc = atmograph.check(sample, rules={"lowestEfficiency": "50%",
                                         "forbid-package": ["cur*", "gcc-*"],
                                         "highestWastedBytes": None})
    cli = check_json(sample, "--lowest-efficiency", "50%", "--forbid-package", "cur*",
                     "--forbid-package", "gcc-*", code=1)
    assert doc == cli
    assert doc["images"][0]["figures"]["wasted_bytes"] == exp["wasted"]
    xml = atmograph.check_junit(doc)
    assert 'failures="1"' in xml and "curl (cur*)" in xml
    rf = tmp_path / "r.yaml"
    rf.write_text("rules:\n  highestImageSize: %d\n" % (exp["bytes"] - 1))
    doc = atmograph.check([sample], rules_file=rf)
    assert doc["passed"] is False and doc["images"][0]["rules"][0]["rule"] == "highestImageSize"
    with pytest.raises(atmograph.InvalidInputError) as ei:
        atmograph.check(sample, rules={"lowestEfficiency": "lots"})
    assert "not a ratio" in str(ei.value)
    rf.write_text("rules:\n  lowestEfficiency: [\n")
    with pytest.raises(atmograph.InvalidInputError) as ei:
        atmograph.check(sample, rules_file=rf)
    assert "r.yaml" in str(ei.value) and "not valid YAML" in str(ei.value)
    with pytest.raises(atmograph.ImageNotFoundError):
        atmograph.check(str(tmp_path / "missing"))
