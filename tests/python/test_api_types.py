"""Wrong argument types (issue 17): every public function of the atmograph module
raises TypeError naming the argument, never AttributeError or ValueError, and
before any work is done (so no file, engine or image is needed here)."""

import inspect
import pathlib

import pytest

import atmograph

REPO = pathlib.Path(__file__).resolve().parents[2]
DF = "FROM alpine AS a\nRUN true\nFROM a\n"
BAKE = str(REPO / "tests" / "data" / "bake" / "good" / "docker-bake.json")
GRAPH = {"schema": "atmograph.graph/1", "images": [], "nodes": [], "edges": []}

# each public function with arguments that are valid (or at least of the right type)
VALID = {
    "parse": dict(source=DF),
    "parse_file": dict(path="/nonexistent/Dockerfile"),
    "dump": dict(source=DF),
    "graph": dict(dockerfile=DF),
    "stages": dict(dockerfile=DF),
    "render_with_warnings": dict(graph_doc=GRAPH, format="dot"),
    "render": dict(graph_doc=GRAPH, format="dot"),
    "check_render_options": dict(),
    "inspect_image": dict(path="/nonexistent"),
    "image_diff": dict(a="/nonexistent", b="/nonexistent"),
    "sizes": dict(dockerfile=DF, images={}),
    "load_bake": dict(paths=BAKE),
    "bake_graph": dict(paths=BAKE),
    "plan": dict(paths=BAKE),
    "annotate": dict(graph_doc=GRAPH, report={}),
    "annotate_sizes": dict(graph_doc=GRAPH, sizes_doc={}),
    "report_find_target": dict(report={}, dockerfile="Dockerfile"),
    "read_dockerfile": dict(dockerfile=DF),
    "describe": dict(graph_doc=GRAPH),
    "check": dict(images="/nonexistent"),
    "check_junit": dict(doc={}),
    "check_report": dict(report={}),
    "registry_auth_file": dict(),
}

# values of a type no argument of the API accepts (bytes, lists, dicts and numbers
# are right for some arguments: those are tried below where they are wrong)
ALWAYS_WRONG = [object(), 1j]

# per argument, a few more values of a wrong type
MORE_WRONG = {
    "images": [b"x", ["a"], "a.tar"],
    "max_label_length": [b"x", "20", 1.5],
    "files": [b"x", "10"],
    "max_files": [b"x", "0"],
    "dpi": [b"x", "96"],
    "format": [b"svg", 1],
    "theme": [b"light"],
    "target": [b"x", 1],
    "filename": [b"x", 1],
    "build_args": [b"A=1", 1, [1]],
    "set_vars": [b"A=1", 1, [1]],
    "targets": [b"x", 1, [1], "app"],
    "bases": [b"x", "dir", 1],
    "report": [b"{}", "{}", []],
    "sizes_doc": [b"{}", []],
    "layers": ["yes", b"x", []],
    "verify": ["yes", []],
}


# where one function takes more than the argument of that name elsewhere
# (check() takes one image path or a list of them)
MORE_WRONG_IN = {
    ("check", "images"): [1, [1]],
}


def cases():
    for name, valid in VALID.items():
        for param in inspect.signature(getattr(atmograph, name)).parameters:
            more = MORE_WRONG_IN.get((name, param), MORE_WRONG.get(param, []))
            for bad in ALWAYS_WRONG + more:
                yield pytest.param(name, param, bad, id="%s-%s-%s" % (name, param, type(bad).__name__))


@pytest.mark.parametrize("func,param,bad", list(cases()))
def test_wrong_type_is_type_error_naming_the_argument(func, param, bad):
    kwargs = dict(VALID[func])
    kwargs[param] = bad
    with pytest.raises(TypeError) as e:
        getattr(atmograph, func)(**kwargs)
    assert param in str(e.value), str(e.value)


def test_every_public_function_is_covered():
    public = {n for n in atmograph.__all__ if callable(getattr(atmograph, n))
              and not isinstance(getattr(atmograph, n), type)}
    assert public - {"graphviz_version"} == set(VALID)


def test_sizes_bytes_images_is_type_error():
    # the reproducer: it raised AttributeError ('bytes' object has no attribute 'items')
    with pytest.raises(TypeError, match="images must be a dict"):
        atmograph.sizes(DF, b"x")
