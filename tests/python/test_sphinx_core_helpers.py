"""The helpers the Sphinx extension takes from the core (issue 15): the inline SVG root
(atmo_render_svg_inline) and the Graphviz identity for cache keys
(atmo_render_graphviz_identity) give what the extension's own Python code gave."""

import html
import os
import re

import pytest

import atmograph
from atmograph import _core


def _python_inline_svg(data, alt):
    """The extension's former regex rewrite, kept here as the reference."""
    svg = data.decode("utf-8")
    start = svg.find("<svg")
    if start < 0:
        raise ValueError("the renderer returned no <svg> element")
    svg = svg[start:]
    end = svg.find(">")
    root = svg[:end]
    extra = ""
    box = re.search(r'viewBox="[-0-9.]+ [-0-9.]+ ([0-9.]+) [0-9.]+"', root)
    low = re.search(r' data-min-width="([0-9]+)"', root)
    if box and " style=" not in root:
        extra += ' style="width: %.2fpt; max-width: 100%%; %sheight: auto"' % (
            float(box.group(1)), "min-width: %spx; " % low.group(1) if low else "")
    if " role=" not in root:
        extra += ' role="img"'
    if " aria-label=" not in root:
        extra += ' aria-label="%s"' % html.escape(alt, quote=True)
    else:
        root = re.sub(r' aria-label="[^"]*"', ' aria-label="%s"' % html.escape(alt, quote=True), root)
    return "<svg" + extra + root[4:] + svg[end:]


ROOTS = [
    b'<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg width="10pt" viewBox="0.00 0.00 123.456 70.00" '
    b'data-min-width="300" aria-label="old"><g id="a"/></svg>\n',
    b'<svg viewBox="-4 -4 99.995 10"><title>t</title></svg>',
    b'<svg viewBox="0 0 12 10" style="color: red" role="figure"><g/></svg>',
    b'<svg viewBox="0 0 x 10" aria-label="one" aria-label="two"><g/></svg>',
    b'<svg viewBox="0 0 12"><g/></svg>',
    b'<svg data-min-width="" viewBox="1 2 3 4" data-min-width="20"></svg>',
    b'<svg viewBox="0 0 12 10" aria-label="open>rest</svg>',
    "<svg viewBox=\"0 0 5.5 1\"><text>é ✓</text></svg>".encode(),
]
ALTS = ["Stage graph of app: stages base, build (target)", "a<b & \"c\" 'd'", "", "é ✓"]


@pytest.mark.parametrize("data", ROOTS)
@pytest.mark.parametrize("alt", ALTS)
def test_svg_inline_matches_the_former_python(data, alt):
    assert _core.svg_inline(data, alt) == _python_inline_svg(data, alt)


def test_svg_inline_of_a_real_drawing():
    doc = atmograph.graph("FROM debian AS base\nFROM base AS app\nRUN true\n")
    data = atmograph.render(doc, format="svg")
    alt = atmograph.describe(doc)
    assert _core.svg_inline(data, alt) == _python_inline_svg(data, alt)
    assert _core.svg_inline(data, alt).startswith('<svg style="width: ')


def test_svg_inline_without_svg_is_an_error():
    with pytest.raises(atmograph.InvalidInputError, match="no <svg> element"):
        _core.svg_inline(b"<html></html>", "x")
    with pytest.raises(atmograph.InvalidInputError, match="no <svg> element"):
        _core.svg_inline(b"<svg", "x")


def _python_identity():
    """The extension's former /proc/self/maps reading, kept here as the reference."""
    version = _core.GRAPHVIZ_BUILD_VERSION
    ident = None
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split(None, 5)[-1].strip()
                if "/libgvc.so" in path:
                    st = os.stat(path)
                    ident = "%s:%d:%d" % (path, st.st_size, int(st.st_mtime))
                    break
    except OSError:
        pass
    if ident is None:
        ident = atmograph.graphviz_version()
    return "%s %s" % (version, ident)


def test_graphviz_identity_matches_the_former_python():
    assert _core.graphviz_identity() == _python_identity()
    assert _core.graphviz_identity().startswith(_core.GRAPHVIZ_BUILD_VERSION + " ")


def test_graph_schema_constant():
    assert _core.GRAPH_SCHEMA == "atmograph.graph/1"
    assert atmograph.graph("FROM scratch\n")["schema"] == _core.GRAPH_SCHEMA
