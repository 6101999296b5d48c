"""The Python module atmograph: every function, errors with locations, the GIL."""

import json
import os
import pathlib
import sys
import threading
import time

import pytest

import atmograph

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE / "roots" / "test-imagegraph"
DOCKERFILE = ROOT / "Dockerfile"

MULTI = """\
ARG BASE=debian:stable
FROM ${BASE} AS build
RUN make
FROM scratch AS assets
COPY logo.svg /logo.svg
FROM ${BASE} AS old
RUN echo unused
FROM ${BASE} AS runtime
COPY --from=build /out /out
COPY --from=assets /logo.svg /srv/
"""



def test_version():
    assert atmograph.__version__ == atmograph._core.version()
    assert atmograph.__version__.count(".") == 2


# ---- parse -----------------------------------------------------------------------------------

def test_parse_str_and_bytes_agree():
    a = atmograph.parse(MULTI)
    b = atmograph.parse(MULTI.encode())
    assert a == b
    assert a["schema"] == "atmograph.parse/1"


def test_parse_keeps_lines():
    doc = atmograph.parse(MULTI, filename="Dockerfile")
    text = repr(doc)
    assert "runtime" in text and "logo.svg" in text
    # every instruction of the file is there with its line
    lines = []

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k in ("line", "start_line"):
                    lines.append(v)
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(doc)
    assert 1 in lines and 10 in lines


def test_dump_is_buildkit_form():
    out = atmograph.dump("FROM alpine\nRUN echo hi\n")
    assert isinstance(out, str)
    assert out.splitlines()[0].lower().startswith("(from")


def test_parse_file(tmp_path):
    doc = atmograph.parse_file(DOCKERFILE)
    assert doc["schema"] == "atmograph.parse/1"
    assert doc == atmograph.parse_file(str(DOCKERFILE))


def test_parse_error_has_location():
    with pytest.raises(atmograph.ParseError) as ei:
        atmograph.parse("FROM busybox\n\nENV PATH\n", filename="env.Dockerfile")
    e = ei.value
    assert isinstance(e, atmograph.Error)
    assert isinstance(e, atmograph.InvalidInputError)
    assert e.filename == "env.Dockerfile"
    assert e.line == 3
    assert e.code == -3
    assert str(e).startswith("env.Dockerfile:3")
    assert e.text and e.text in str(e)


def test_parse_empty_is_an_error():
    with pytest.raises(atmograph.InvalidInputError) as ei:
        atmograph.parse("# only a comment\n", filename="empty")
    assert ei.value.filename == "empty"


def test_parse_file_missing(tmp_path):
    missing = tmp_path / "nope" / "Dockerfile"
    with pytest.raises(atmograph.NotFoundError) as ei:
        atmograph.parse_file(missing)
    assert ei.value.filename == str(missing)
    assert ei.value.code == -4


def test_parse_bad_types():
    with pytest.raises(TypeError):
        atmograph.parse(12)
    with pytest.raises(TypeError):
        atmograph.parse("FROM a\n", filename=3)
    with pytest.raises(TypeError):
        atmograph.parse_file(None)


def test_error_defaults_and_hierarchy():
    assert issubclass(atmograph.VerifyError, atmograph.ImageError)
    for cls, other in ((atmograph.InvalidImageError, atmograph.InvalidInputError),
                       (atmograph.ImageNotFoundError, atmograph.NotFoundError),
                       (atmograph.ImageReadError, atmograph.ReadError),
                       (atmograph.UnsupportedImageError, atmograph.UnsupportedError),
                       (atmograph.ImageLimitError, atmograph.LimitError)):
        assert issubclass(cls, atmograph.ImageError) and issubclass(cls, other)
    for cls in (atmograph.NotFoundError, atmograph.ReadError, atmograph.UnsupportedError,
                atmograph.CancelledError, atmograph.EngineError, atmograph.LimitError):
        assert issubclass(cls, atmograph.Error)
    e = atmograph.Error("x")
    assert e.filename is None and e.line == 0 and e.column == 0
    assert atmograph.ParseError is atmograph.InvalidInputError


# ---- graph and stages -------------------------------------------------------------------------

def test_graph_document():
    doc = atmograph.graph(MULTI)
    assert doc["schema"] == "atmograph.graph/1"
    stages = {n["name"]: n for n in doc["nodes"] if n["kind"] == "stage"}
    assert set(stages) == {"build", "assets", "old", "runtime"}
    assert stages["runtime"]["target"] is True
    assert stages["old"]["used"] is False
    assert stages["build"]["build_only"] is True
    assert stages["runtime"]["base"] == "debian:stable"
    assert any(e["kind"] == "copy" for e in doc["edges"])
    assert doc["target"] == stages["runtime"]["id"]


def test_graph_from_path_and_options():
    doc = atmograph.graph(DOCKERFILE, target="build", build_args={"BASE": "ubuntu:24.04"},
                          image_id="app")
    stages = {n["name"]: n for n in doc["nodes"] if n["kind"] == "stage"}
    assert stages["build"]["target"] is True
    assert stages["build"]["base"] == "ubuntu:24.04"
    assert stages["build"]["id"].startswith("app/")
    assert doc["images"][0]["dockerfile"] == str(DOCKERFILE)
    # a list of K=V works the same as a dict
    doc2 = atmograph.graph(DOCKERFILE, target="build", build_args=["BASE=ubuntu:24.04"],
                           image_id="app")
    assert doc2 == doc


def test_graph_build_contexts():
    doc = atmograph.graph("FROM base AS a\nRUN x\n", build_contexts={"base": "docker-image://alpine"})
    kinds = {n["kind"] for n in doc["nodes"]}
    assert "context" in kinds


def test_graph_errors():
    with pytest.raises(atmograph.NotFoundError) as ei:
        atmograph.graph(MULTI, target="nope")
    assert "build" in str(ei.value)  # the message lists the stages
    with pytest.raises(atmograph.InvalidInputError) as ei:
        atmograph.graph("FROM a AS base\nRUN x\n\nFROM base AS 1bad\n", filename="bad/Dockerfile")
    assert ei.value.filename == "bad/Dockerfile"
    assert ei.value.line == 4
    with pytest.raises(ValueError):
        atmograph.graph(MULTI, build_args=["NOEQUALS"])
    with pytest.raises(TypeError):
        atmograph.graph(MULTI, build_args="BASE=x")
    with pytest.raises(atmograph.NotFoundError):
        atmograph.graph("no/such/Dockerfile")


def test_stages():
    doc = atmograph.stages(MULTI)
    assert doc["schema"] == "atmograph.stages/1"
    st = doc["stages"]
    assert [s["name"] for s in st] == ["build", "assets", "old", "runtime"]
    assert [s["line"] for s in st] == [2, 4, 6, 8]
    assert [s["status"] for s in st] == ["build-only", "build-only", "unused", "target"]
    assert [s["base_kind"] for s in st] == ["image", "scratch", "image", "image"]
    ctx = atmograph.stages(MULTI, build_contexts=["debian:stable=docker-image://alpine"])
    assert [s["base_kind"] for s in ctx["stages"]] == ["context", "scratch", "context", "context"]
    doc = atmograph.stages(DOCKERFILE, target="build", build_args=["BASE=x:1"])
    assert doc["stages"][0]["base"] == "x:1" and doc["stages"][0]["status"] == "target"
    with pytest.raises(atmograph.NotFoundError):
        atmograph.stages(MULTI, target="nope")


# ---- render ------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,magic", [("svg", b"<svg"), ("png", b"\x89PNG"), ("pdf", b"%PDF"),
                                       ("dot", b"digraph"), ("json", b"atmograph.graph/1")])
def test_render_formats(fmt, magic):
    data = atmograph.render(atmograph.graph(MULTI), format=fmt)
    assert isinstance(data, bytes)
    assert magic in data[:4096] if fmt != "json" else magic in data


def test_render_text_and_options():
    doc = atmograph.graph(MULTI)
    text = atmograph.render(doc, format="text").decode()
    for name in ("build", "assets", "runtime"):
        assert name in text
    svg = atmograph.render(doc, link_base="", layers=True, legend=True, theme="dark",
                           rankdir="TB", scratch=False, max_label_length=8).decode()
    runtime = [n for n in doc["nodes"] if n.get("name") == "runtime"][0]
    assert '"#%s"' % runtime["anchor"] in svg
    plain = atmograph.render(doc).decode()
    assert "#" + runtime["anchor"] not in plain
    data, warnings = atmograph.render_with_warnings(doc)
    assert data.startswith(b"<?xml") or b"<svg" in data
    assert isinstance(warnings, list)


def test_render_errors():
    doc = atmograph.graph(MULTI)
    with pytest.raises(ValueError):
        atmograph.render(doc, format="gif")
    with pytest.raises(TypeError):
        atmograph.render([1, 2])
    with pytest.raises(TypeError):
        atmograph.render({"schema": "atmograph.graph/1", 1: 2})
    with pytest.raises(TypeError):
        atmograph.render({"schema": "atmograph.graph/1", "nodes": [object()]})
    with pytest.raises(ValueError):
        atmograph.render({"schema": "atmograph.graph/1", "x": float("nan")})
    with pytest.raises(atmograph.InvalidInputError):
        atmograph.render({"schema": "something-else"})
    with pytest.raises(atmograph.InvalidInputError):
        atmograph.render({"schema": "atmograph.graph/1", "nodes": "not a list"})


def test_render_json_text_is_the_document():
    import json
    doc = atmograph.graph(MULTI)
    text = json.dumps(doc, sort_keys=True)
    for fmt in ("svg", "dot", "text"):
        assert atmograph.render(text, format=fmt) == atmograph.render(doc, format=fmt)
        assert atmograph.render(text.encode(), format=fmt) == atmograph.render(doc, format=fmt)


def test_render_json_text_errors_are_located():
    with pytest.raises(atmograph.InvalidInputError) as e:
        atmograph.render('{"schema": "atmograph.graph/1",\n  oops}')
    assert "<graph>:2:" in str(e.value) and "not JSON" in str(e.value), str(e.value)
    with pytest.raises(atmograph.InvalidInputError):
        atmograph.render('{"schema": "atmograph.graph/1", "schema": "x"}')   # duplicate key
    with pytest.raises(atmograph.InvalidInputError):
        atmograph.render('{"schema": "something-else"}')
    with pytest.raises(atmograph.InvalidInputError):
        atmograph.render(b"")


def test_render_to_path_is_atomic(tmp_path):
    doc = atmograph.graph(MULTI)
    out = tmp_path / "g.svg"
    data = atmograph.render(doc, path=out)
    assert out.read_bytes() == data == atmograph.render(doc)
    assert os.stat(out).st_mode & 0o777 == 0o644
    # an existing file is replaced whole
    text = atmograph.render(doc, format="text", path=str(out))
    assert out.read_bytes() == text
    # failures write nothing: a bad document, a bad option, a directory that is not there
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(atmograph.InvalidInputError):
        atmograph.render("{", path=tmp_path / "bad.svg")
    with pytest.raises(atmograph.InvalidInputError):
        atmograph.render(doc, theme="blue", path=tmp_path / "bad.svg")
    with pytest.raises(atmograph.Error) as e:
        atmograph.render(doc, path=tmp_path / "missing" / "g.svg")
    assert "missing" in str(e.value) and "cannot create" in str(e.value), str(e.value)
    assert sorted(os.listdir(tmp_path)) == before
    assert out.read_bytes() == text


def test_render_queue(tmp_path):
    """The core's render queue (what the Sphinx extension uses): the same bytes as render(),
    taken in any order and once, the render's errors from render_take, files written."""
    core = atmograph._core
    doc = atmograph.graph(MULTI)
    out = tmp_path / "q.svg"
    a = core.render_submit(doc, id_prefix="q-")
    b = core.render_submit(json.dumps(doc), format="text")
    c = core.render_submit("{", format="svg")
    d = core.render_submit(doc, path=str(out))
    core.render_wait()
    assert out.read_bytes() == atmograph.render(doc)      # written before it is taken
    assert core.render_take(b) == atmograph.render(doc, format="text")
    assert core.render_take(a) == atmograph.render(doc, id_prefix="q-")
    with pytest.raises(atmograph.NotFoundError):
        core.render_take(a)                                # handed over once
    with pytest.raises(atmograph.InvalidInputError) as e:
        core.render_take(c)
    assert e.value.filename == "<graph>" and e.value.line == 1
    assert core.render_take(d) == out.read_bytes()
    with pytest.raises(atmograph.InvalidInputError):
        core.render_submit(doc, theme="blue")              # bad options: at once, no job
    with pytest.raises(TypeError):
        core.render_submit(42)


def test_render_take_before_any_submit():
    """A fresh process: taking an unknown job is NotFoundError (the core's message)."""
    import subprocess
    code = ("import atmograph, atmograph._core as c\n"
            "try:\n    c.render_take(7)\nexcept atmograph.NotFoundError as e:\n    print(e)\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(
                             atmograph.__file__))))
    assert res.returncode == 0, res.stderr
    assert "no render job 7 in the queue" in res.stdout


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
def test_render_queue_not_used_in_a_fork():
    """A forked child has no render thread: taking from the parent's queue is an error,
    not a wait forever."""
    core = atmograph._core
    t = core.render_submit(atmograph.graph(MULTI))
    core.render_wait()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            core.render_take(t)
            os.write(w, b"took")
        except RuntimeError as exc:
            os.write(w, str(exc).encode()[:200])
        os._exit(0)
    os.close(w)
    msg = os.read(r, 300).decode()
    os.waitpid(pid, 0)
    os.close(r)
    assert "parent process" in msg, msg
    assert core.render_take(t).startswith(b"<?xml")


@pytest.mark.parametrize("option,value,name", [
    ("max_label_length", 3, "max_label_length 3"), ("max_label_length", 1001, "max_label_length 1001"),
    ("rankdir", "RL", 'rankdir "RL"'), ("theme", "blue", 'theme "blue"'),
    ("dpi", 2401.0, "dpi 2401"), ("dpi", 0.5, "dpi 0.5"), ("dpi", float("nan"), "dpi nan"),
])
def test_render_option_ranges_are_the_cores(option, value, name):
    # the same check as the CLI's (atmo_render_options_check): the core's error, mapped
    doc = atmograph.graph(MULTI)
    for fmt in ("svg", "text"):
        with pytest.raises(atmograph.InvalidInputError) as e:
            atmograph.render(doc, format=fmt, **{option: value})
        assert name in str(e.value), str(e.value)
    # the bounds and 0 (the defaults) pass
    for ok in ({"max_label_length": 4}, {"max_label_length": 1000}, {"max_label_length": 0},
               {"dpi": 0.0}, {"dpi": 2400.0}, {"rankdir": "TB"}, {"theme": "dark"}):
        assert atmograph.render(doc, format="text", **ok)
    with pytest.raises(ValueError):
        atmograph.render(doc, max_label_length=-1)
    # check_render_options(): the same check, without a graph (the Sphinx directive's)
    with pytest.raises(atmograph.InvalidInputError) as e:
        atmograph.check_render_options(format="svg", **{option: value})
    assert name in e.value.text and e.value.line == 0
    with pytest.raises(ValueError):
        atmograph.check_render_options(max_label_length=-1)
    with pytest.raises(ValueError):
        atmograph.check_render_options(format="jpg")
    assert atmograph.check_render_options(theme="dark", rankdir="TB", max_label_length=4) is None


def test_graphviz_version():
    v = atmograph.graphviz_version()
    assert v and v[0].isdigit()


# ---- images, bake, reports (as the library provides them) ----------------------------------------

def test_inspect_image_missing(tmp_path):
    with pytest.raises(atmograph.ImageNotFoundError) as ei:
        atmograph.inspect_image(tmp_path / "none.tar")
    assert ei.value.filename
    assert isinstance(ei.value, atmograph.NotFoundError)


def test_inspect_image_not_an_archive(tmp_path):
    p = tmp_path / "junk.tar"
    p.write_bytes(b"this is not an archive" * 10)
    with pytest.raises(atmograph.ImageError) as ei:
        atmograph.inspect_image(p)
    assert str(p) in str(ei.value)


def test_load_bake_missing(tmp_path):
    with pytest.raises(atmograph.NotFoundError):
        atmograph.load_bake(tmp_path / "docker-bake.json")


def test_annotate_rejects_non_report():
    with pytest.raises(atmograph.InvalidInputError):
        atmograph.annotate(atmograph.graph(MULTI), {"schema": "nope"})


# ---- the GIL -------------------------------------------------------------------------------------

def _progress_during(call):
    """Run call() in a thread while the main thread ticks; returns (the number of
    main-thread ticks inside the call, the call's duration, its result).

    The switch interval is raised to 2 s for the measurement, so the interpreter never
    takes the GIL from the worker by itself: the main thread can tick inside the call
    only if the C code released the GIL. A call that holds it gives exactly 0 ticks,
    however busy the machine is."""
    span = {}
    inside = 0

    def worker():
        span["start"] = time.perf_counter()
        span["result"] = call()
        span["end"] = time.perf_counter()

    old = sys.getswitchinterval()
    sys.setswitchinterval(2.0)
    try:
        t = threading.Thread(target=worker)
        t.start()
        while t.is_alive():
            if "start" in span and "end" not in span:
                inside += 1
        t.join()
    finally:
        sys.setswitchinterval(old)
    return inside, span["end"] - span["start"], span["result"]


# Ticks the main thread must make during a call for the GIL to count as released (a call
# that holds the GIL lets through none; one that releases it, thousands).
MIN_TICKS = 100


def _big_dockerfile():
    parts = ["FROM debian:bookworm AS s0\n"]
    for i in range(60000):
        parts.append("RUN echo step %d && \\\n    apt-get install -y pkg%d # more text here\n" % (i, i))
    return "".join(parts)


def test_gil_released_during_parse():
    text = _big_dockerfile()
    assert len(text) > 4 * 1024 * 1024
    ticks, duration, result = _progress_during(lambda: atmograph.dump(text, filename="big"))
    assert result.count("\n") >= 60000
    assert duration > 0.02
    # the main thread kept running through the parse (GIL held: no ticks at all)
    assert ticks >= MIN_TICKS, (ticks, duration)


def test_gil_released_during_graph():
    text = _big_dockerfile()
    ticks, duration, doc = _progress_during(lambda: atmograph.graph(text))
    assert doc["schema"] == "atmograph.graph/1"
    assert ticks >= MIN_TICKS, (ticks, duration)


def test_gil_released_during_render():
    parts = ["FROM debian AS s0\nRUN x\n"]
    for i in range(1, 150):
        parts.append("FROM s%d AS s%d\nCOPY --from=s%d /a /b\nRUN y\n" % (i - 1, i, max(0, i - 3)))
    doc = atmograph.graph("".join(parts))
    ticks, duration, svg = _progress_during(lambda: atmograph.render(doc))
    assert b"<svg" in svg
    assert ticks >= MIN_TICKS, (ticks, duration)


def test_threads_share_the_module():
    errors = []

    def work():
        try:
            for _ in range(20):
                atmograph.parse(MULTI)
                atmograph.render(atmograph.graph(MULTI), format="svg")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_subinterpreter_free_import():
    # multi-phase init: the module can be imported fresh (a new module state)
    import importlib.util
    spec = importlib.util.find_spec("atmograph._core")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.Error is not atmograph._core.Error
    assert mod.version() == atmograph.__version__
    assert os.path.exists(spec.origin)


# ---- images, bake files, plans, reports with real inputs ------------------------------------------

BAKE = HERE / "roots" / "test-imagegraph-bake" / "images" / "docker-bake.json"
REPORT = HERE / "roots" / "test-imagegraph-bake" / "report.json"


@pytest.fixture
def archives(tmp_path):
    from test_sphinx_sizes import BUILD, RUNTIME, docker_archive
    docker_archive(tmp_path / "build.tar", BUILD, "test/app:build")
    docker_archive(tmp_path / "runtime.tar", RUNTIME, "test/app:latest")
    return tmp_path


def test_inspect_image(archives):
    doc = atmograph.inspect_image(archives / "runtime.tar", files=2)
    assert doc["schema"] == "atmograph.image/1"
    assert doc["size"]["layers"] == 2
    assert doc["size"]["bytes"] >= 300000
    assert [h["created_by"] for h in doc["history"]][-1].startswith("CMD")
    assert atmograph.inspect_image(str(archives / "runtime.tar"), verify=True,
                                   ref="test/app:latest")["verified"] is True
    with pytest.raises(atmograph.NotFoundError):
        atmograph.inspect_image(archives / "runtime.tar", ref="no/such:tag")
    with pytest.raises(ValueError):
        atmograph.inspect_image(archives / "runtime.tar", files=-1)


def test_image_diff(archives):
    doc = atmograph.image_diff(archives / "build.tar", archives / "runtime.tar")
    assert doc["schema"] == "atmograph.diff/1"


def test_sizes(archives):
    text = (HERE / "roots" / "test-imagegraph-bake" / "images" / "app" / "Dockerfile").read_text()
    doc = atmograph.sizes(text, {"build": archives / "build.tar", "runtime": archives / "runtime.tar"},
                          build_contexts={"base": "docker-image://debian:bookworm"})
    assert doc["schema"] == "atmograph.sizes/1"
    own = {s["stage"]: s["own_bytes"] for s in doc["stages"]}
    assert own["build"] >= 2000000 and 300000 <= own["runtime"] < 2000000
    with pytest.raises(atmograph.NotFoundError) as ei:
        atmograph.sizes(text, {"nope": archives / "build.tar"})
    assert not isinstance(ei.value, atmograph.ImageError)  # a stage name, not an image
    with pytest.raises(atmograph.ImageNotFoundError):
        atmograph.sizes(text, {"build": archives / "missing.tar"})
    with pytest.raises(TypeError):
        atmograph._core.sizes(text, {1: str(archives / "build.tar")})
    with pytest.raises(TypeError):
        atmograph._core.sizes(text, [("build", "x")])


def test_load_bake_and_graph():
    printed = atmograph.load_bake(BAKE, no_env=True)
    assert set(printed["target"]) == {"base", "app"}
    assert printed["target"]["base"]["args"] == {"DEBIAN": "bookworm"}
    printed = atmograph.load_bake([BAKE], set_vars={"DEBIAN": "trixie"}, no_env=True)
    assert printed["target"]["base"]["args"] == {"DEBIAN": "trixie"}
    doc = atmograph.bake_graph(str(BAKE), targets=["app"], no_env=True)
    assert [i["id"] for i in doc["images"]] == ["base", "app"]
    assert any(e.get("context") == "base" for e in doc["edges"])
    with pytest.raises(atmograph.NotFoundError) as ei:
        atmograph.bake_graph(BAKE, targets=["nope"])
    assert "failed to find target nope" in str(ei.value)
    with pytest.raises(TypeError):
        atmograph.bake_graph(BAKE, targets="app")


def test_plan():
    plan = atmograph.plan(BAKE, targets=["app"], no_env=True, engine="buildah", work_dir="/tmp/x")
    assert plan["schema"] == "atmograph.plan/1"
    assert plan["waves"] == [["base"], ["app"]]
    assert plan["steps"][0]["argv"][0] == "buildah"
    with pytest.raises(ValueError):
        atmograph.plan(BAKE, engine="nope")


def test_plan_engine_from_environment(monkeypatch):
    # the module reads the process environment and passes it on (the library reads none)
    monkeypatch.setenv("ATMOGRAPH_BUILDAH", "/opt/env/buildah")
    monkeypatch.setenv("ATMOGRAPH_STORAGE_DRIVER", "overlay")
    monkeypatch.setenv("ATMOGRAPH_STORAGE_ROOT", "/srv/env-root")
    monkeypatch.setenv("ATMOGRAPH_ISOLATION", "")      # empty: the default
    argv = atmograph.plan(BAKE, targets=["app"], no_env=True, engine="buildah")["steps"][0]["argv"]
    assert argv[0] == "/opt/env/buildah"
    assert argv[argv.index("--storage-driver") + 1] == "overlay"
    assert argv[argv.index("--root") + 1] == "/srv/env-root"
    assert argv[argv.index("--isolation") + 1] == "chroot"


def test_annotate():
    import json
    doc = atmograph.bake_graph(BAKE, targets=["app"], no_env=True)
    report = json.loads(REPORT.read_text())
    out = atmograph.annotate(doc, report)
    assert "size" not in [n for n in doc["nodes"] if n["id"] == "app/stage/build"][0]  # a copy
    build = [n for n in out["nodes"] if n["id"] == "app/stage/build"][0]
    assert build["size"]["own_bytes"] == 190000000
    assert out["kept_out"]["bytes"] == 180000000
    with pytest.raises(TypeError):
        atmograph.annotate(doc, [])


def test_report_find_target(tmp_path):
    # the core's atmo_report_find_target: the file itself is compared
    for d in ("a", "b", "docs"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "Dockerfile").write_text("FROM scratch\n")
    report = {"schema": "atmograph.build-report/1", "targets": {
        "zeta": {"dockerfile": "a/Dockerfile"},
        "abs": {"dockerfile": str(tmp_path / "b" / "Dockerfile")},
        "alpha": {"dockerfile": "a/../a/Dockerfile"},
        "odd": {"dockerfile": None}}}
    a = tmp_path / "a" / "Dockerfile"
    # relative to the second base; two targets build it: the first name in sort order
    assert atmograph.report_find_target(report, a, [tmp_path / "docs", str(tmp_path)]) == "alpha"
    assert atmograph.report_find_target(report, str(tmp_path / "b" / ".." / "a" / "Dockerfile"),
                                        (str(tmp_path),)) == "alpha"
    # absolute: no base needed
    assert atmograph.report_find_target(report, tmp_path / "b" / "Dockerfile") == "abs"
    # no target builds it
    with pytest.raises(atmograph.NotFoundError) as e:
        atmograph.report_find_target(report, tmp_path / "docs" / "Dockerfile", [tmp_path])
    assert e.value.filename == str(tmp_path / "docs" / "Dockerfile")
    assert "no target built from" in e.value.text
    with pytest.raises(atmograph.NotFoundError):
        atmograph.report_find_target(report, a, [tmp_path / "docs"])
    with pytest.raises(atmograph.NotFoundError):
        atmograph.report_find_target(report, tmp_path / "missing", [tmp_path])
    # not a report
    with pytest.raises(atmograph.InvalidInputError):
        atmograph.report_find_target({"schema": "nope"}, a, [tmp_path])
    with pytest.raises(atmograph.InvalidInputError):
        atmograph.report_find_target({"schema": "atmograph.build-report/1", "targets": []}, a)
    with pytest.raises(TypeError):
        atmograph.report_find_target([], a)
    with pytest.raises(TypeError):
        atmograph.report_find_target(report, a, [1])


# ---- the type stubs describe the documents -----------------------------------------------------

def _stub_typeddicts():
    """{name: {field: (annotation node, required)}} of the TypedDicts of _core.pyi."""
    import ast
    tree = ast.parse((pathlib.Path(atmograph.__file__).parent / "_core.pyi").read_text())
    out = {}

    def field(ann, total):
        req = total
        if isinstance(ann, ast.Subscript) and isinstance(ann.value, ast.Name) \
                and ann.value.id in ("NotRequired", "Required"):
            req = ann.value.id == "Required"
            ann = ann.slice
        return ann, req
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and b.id == "TypedDict" for b in node.bases):
            total = not any(k.arg == "total" and isinstance(k.value, ast.Constant)
                            and k.value.value is False for k in node.keywords)
            out[node.name] = {s.target.id: field(s.annotation, total) for s in node.body
                              if isinstance(s, ast.AnnAssign)}
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                and getattr(node.value.func, "id", None) == "TypedDict":
            d = node.value.args[1]
            out[node.targets[0].id] = {k.value: field(v, True) for k, v in zip(d.keys, d.values)}
    return out


def _check_doc(value, ann, types, path, seen):
    """value against a stub annotation: TypedDict fields exactly (no unknown key, every
    required one), recursing through List, Dict, Optional and Union."""
    import ast
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):   # forward reference
        ann = ast.Name(id=ann.value)
    if isinstance(ann, ast.Name) and ann.id in types:
        assert isinstance(value, dict), (path, value)
        fields = types[ann.id]
        extra = set(value) - set(fields)
        assert not extra, "%s: fields missing from the stub %s: %s" % (path, ann.id, sorted(extra))
        missing = {k for k, (_, req) in fields.items() if req} - set(value)
        assert not missing, "%s: required in the stub %s, absent: %s" % (path, ann.id, sorted(missing))
        seen.add(ann.id)
        for k, v in value.items():
            _check_doc(v, fields[k][0], types, "%s.%s" % (path, k), seen)
    elif isinstance(ann, ast.Subscript) and isinstance(ann.value, ast.Name):
        args = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else [ann.slice]
        kind = ann.value.id
        if kind == "List":
            assert isinstance(value, list), (path, value)
            for i, v in enumerate(value):
                _check_doc(v, args[0], types, "%s[%d]" % (path, i), seen)
        elif kind == "Dict":
            assert isinstance(value, dict), (path, value)
            for k, v in value.items():
                _check_doc(v, args[1], types, "%s.%s" % (path, k), seen)
        elif kind == "Optional":
            if value is not None:
                _check_doc(value, args[0], types, path, seen)
        elif kind == "Literal":
            assert value in [a.value for a in args], (path, value)
        elif kind == "Union":
            errors = []
            for a in args:
                try:
                    _check_doc(value, a, types, path, seen)
                    return
                except AssertionError as exc:
                    errors.append(str(exc))
            raise AssertionError("%s: %s" % (path, errors))
    elif isinstance(ann, ast.Name):
        py = {"str": str, "int": int, "float": (int, float), "bool": bool}.get(ann.id)
        if py is not None:
            assert isinstance(value, py) and (ann.id == "bool" or not isinstance(value, bool)), \
                (path, ann.id, value)


def test_stubs_describe_the_documents(archives, tmp_path):
    import ast
    import json
    types = _stub_typeddicts()
    seen = set()

    def check(doc, name):
        _check_doc(doc, ast.Name(id=name), types, name, seen)
    text = ("# syntax=docker/dockerfile:1\n" + MULTI
            + "FROM scratch AS s2\nCOPY --from=ctx /a /b\nCOPY <<-EOF /x\n\thi\nEOF\n"
            + "RUN --mount=type=cache,id=x,target=/c,from=build true\nONBUILD RUN hi\n"
            + "FROM s2 AS s3\nFROM alpine AS s4\n")
    check(atmograph.parse(text), "_ParseDocument")
    ctx = {"ctx": "docker-image://alpine", "build": "docker-image://x", "s4": "../dir"}
    check(atmograph.stages(text, target="s3", build_contexts=ctx), "_StagesDocument")
    doc = atmograph.graph(text, target="s3", build_contexts=ctx)
    assert {n["kind"] for n in doc["nodes"]} == {"stage", "image", "context", "scratch"}
    check(doc, "_GraphDocument")
    _, warnings = atmograph.render_with_warnings(doc, format="text")
    for w in warnings:
        check(w, "_RenderWarning")
    report = json.loads(REPORT.read_text())
    check(report, "_BuildReport")
    check(atmograph.annotate(atmograph.bake_graph(BAKE, no_env=True), report), "_GraphDocument")
    check(atmograph.load_bake(BAKE, no_env=True), "_BakeDocument")
    check(atmograph.plan(BAKE, no_env=True, stages=True), "_PlanDocument")
    check(atmograph.inspect_image(archives / "runtime.tar", files=2, packages=True, verify=True),
          "_ImageDocument")
    check(atmograph.image_diff(archives / "build.tar", archives / "runtime.tar", packages=True),
          "_DiffDocument")
    app = (HERE / "roots" / "test-imagegraph-bake" / "images" / "app" / "Dockerfile").read_text()
    sizes = atmograph.sizes(app, {"build": archives / "build.tar", "runtime": archives / "runtime.tar"},
                            build_contexts={"base": "docker-image://debian:bookworm"})
    check(sizes, "_SizesDocument")
    check(atmograph.annotate_sizes(atmograph.graph(app, build_contexts={
        "base": "docker-image://debian:bookworm"}), sizes), "_GraphDocument")
    # every document type was exercised
    assert {"_ParseDocument", "_StagesDocument", "_GraphDocument", "_BuildReport", "_BakeDocument",
            "_PlanDocument", "_ImageDocument", "_DiffDocument", "_SizesDocument",
            "_Stage", "_GraphEdge", "_Heredoc", "_Instruction", "_NodeSize"} <= seen, seen


def test_stubs_name_every_public_function():
    import ast
    tree = ast.parse((pathlib.Path(atmograph.__file__).parent / "__init__.pyi").read_text())
    stubbed = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    import inspect
    for name in atmograph.__all__:
        obj = getattr(atmograph, name)
        if not inspect.isfunction(obj):
            continue
        assert name in stubbed, name
        params = list(inspect.signature(obj).parameters)
        a = stubbed[name].args
        assert [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs] == params, name
    core = ast.parse((pathlib.Path(atmograph.__file__).parent / "_core.pyi").read_text())
    core_stubbed = {n.name for n in core.body if isinstance(n, ast.FunctionDef)}
    assert core_stubbed == {n for n in dir(atmograph._core)
                            if callable(getattr(atmograph._core, n)) and n[0].islower()}
