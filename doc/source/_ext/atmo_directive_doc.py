"""The reference of the ``atmo-imagegraph`` directive, from the extension itself.

``.. atmo-directive-options::``
    A table of every option of the directive with its meaning, read from
    ``atmograph.sphinx.OPTION_DOCS``, each option linking to its example (the label
    ``directive-option-NAME`` that the page must define).

``.. atmo-directive-config::``
    A table of the extension's config values from ``atmograph.sphinx.CONFIG_DOCS``.

``.. atmo-example::``
    Its content is reStructuredText: the page shows it as source and then renders it, so
    the example and its result can never disagree.

When the docs are built, every option the directive accepts must be in OPTION_DOCS and
every option in OPTION_DOCS must have its ``directive-option-NAME`` label somewhere in
the docs; anything missing is a warning (an error under ``-W``).
"""
from docutils import nodes
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from atmo_doctable import table
from sphinx.util.nodes import nested_parse_with_titles

logger = logging.getLogger(__name__)

__version__ = "1.0"


def _extension():
    import atmograph.sphinx as ext
    return ext


def _meaning(text):
    """A meaning as a paragraph: `x` in the text (as the extension's docstrings write
    code) becomes literal text, not backticks shown as they are."""
    para = nodes.paragraph()
    for i, part in enumerate(text.split("`")):
        if part:
            para += nodes.literal(part, part) if i % 2 else nodes.Text(part)
    return para


def _table(headers, rows, widths):
    return table(headers, rows, ["atmo-directive-table"], widths)


def _ref(label, text):
    ref = addnodes.pending_xref("", refdomain="std", reftype="ref", reftarget=label,
                                refexplicit=True, refwarn=True)
    ref += nodes.literal(text, text)
    return nodes.paragraph("", "", ref)


class DirectiveOptions(SphinxDirective):
    has_content = False

    def run(self):
        ext = _extension()
        self.env.note_dependency(ext.__file__)
        rows = []
        for name, meaning in ext.OPTION_DOCS.items():
            rows.append([_ref("directive-option-" + name, ":%s:" % name), _meaning(meaning)])
        return [_table(["option", "meaning"], rows, [1, 4])]


class DirectiveConfig(SphinxDirective):
    has_content = False

    def run(self):
        ext = _extension()
        self.env.note_dependency(ext.__file__)
        rows = []
        for name, (default, _rebuild, meaning) in ext.CONFIG_DOCS.items():
            rows.append([nodes.paragraph("", "", nodes.literal(name, name)),
                         nodes.paragraph("", "", nodes.literal(repr(default), repr(default))),
                         _meaning(meaning)])
        return [_table(["config value", "default", "meaning"], rows, [2, 1, 4])]


class Example(SphinxDirective):
    has_content = True

    def run(self):
        text = "\n".join(self.content)
        source = nodes.literal_block(text, text, classes=["atmo-example-source"])
        source["language"] = "rst"
        self.set_source_info(source)
        result = nodes.container(classes=["atmo-example-result"])
        nested_parse_with_titles(self.state, StringList(list(self.content), items=self.content.items),
                                 result)
        return [source, result]


def check_consistency(app, env):
    ext = _extension()
    documented = set(ext.OPTION_DOCS)
    accepted = set(ext.ImageGraphDirective.option_spec)
    for name in sorted(accepted - documented):
        logger.warning("atmo-imagegraph accepts :%s: but OPTION_DOCS does not describe it", name)
    labels = env.get_domain("std").labels
    for name in sorted(documented):
        if "directive-option-" + name not in labels:
            logger.warning("the directive reference has no example for :%s: "
                           "(no label directive-option-%s)", name, name)


def setup(app):
    app.add_directive("atmo-directive-options", DirectiveOptions)
    app.add_directive("atmo-directive-config", DirectiveConfig)
    app.add_directive("atmo-example", Example)
    app.connect("env-check-consistency", check_consistency)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
