"""Sphinx extension: the ``.. atmo-imagegraph::`` directive.

Add ``"atmograph.sphinx"`` to ``extensions``. The directive draws the stage graph of a
Dockerfile (or of a bake target's images with ``:bake:``), optionally with measured sizes
and the Dockerfiles themselves below it, each stage's source block carrying the HTML id
the diagram's nodes link to.

How it works:

* read time (the directive): the graph document is computed (``atmograph.graph``,
  sizes added), every file it used becomes a dependency of the page, and a cache key is
  the SHA-256 of the document, the render options, the extension's and Graphviz's
  versions. The page's doctree holds the document and the key.
* write time (per builder): ``atmograph-<key>.<ext>`` is rendered once into the
  builder's image directory (HTML, LaTeX, EPUB) or ``<doctreedir>/atmograph`` (text, man,
  texinfo) and reused while the key is unchanged; HTML inlines the SVG (its stage links
  are ``#<anchor>`` within the page: the node becomes a token at doctree-resolved, the
  markup takes its place in the page body at html-page-context), LaTeX includes a PDF,
  text and man get the renderer's text form. Anchors and SVG ids carry a prefix per
  directive (docname and the directive's number in the page), so that singlehtml and
  repeated Dockerfiles keep every id unique.
* build-finished: ``atmograph-*`` outputs whose key no page uses any more are removed.

Inline SVG (not ``<object>`` as sphinx.ext.graphviz uses) keeps the stage links working
on every HTML builder and Sphinx version (on 5.3 graphviz's relative links break). Every
problem (broken Dockerfile, missing file, bad option or value) is a Sphinx warning at the
directive's line, naming the underlying FILE:LINE:COL; the directive then produces
nothing and the rest of the page builds (``-W`` makes the build fail). ``app.atmograph_stats``
counts directive runs, renders, cache hits and removed outputs (per process).
"""

import hashlib
import html
import json
import os
import re
import shlex

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.directives.code import container_wrapper
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import set_source_info
from sphinx.util.osutil import relative_uri

import atmograph

logger = logging.getLogger(__name__)

#: Bumped when the output of the same inputs changes.
EXTENSION_VERSION = "3"

#: Options of ``.. atmo-imagegraph:: PATH`` (PATH: a Dockerfile relative to the document,
#: or a bake target name when ``:bake:`` is given), with their meaning. The docs read this.
OPTION_DOCS = {
    "bake": "a bake file, docker-bake.hcl or .json (relative to the document; default: the "
            "atmograph_bake_file config value); PATH is then a bake target name",
    "target": "the stage to build (default: the last stage, or the bake target's own target)",
    "build-arg": "build arguments, K=V separated by spaces or newlines (added to "
                 "atmograph_build_args, overriding them); with :bake:, bake variables",
    "build-context": "named contexts, NAME=VALUE separated by spaces or newlines (not "
                     "with :bake:, whose file names the contexts)",
    "image": "image archives for sizes: STAGE=ARCHIVE or STAGE=docker://HOST/REPO:TAG "
             "(with :bake:, TARGET=ARCHIVE), "
             "separated by spaces or newlines; paths relative to the document",
    "sizes": "flag: show measured sizes, from the :image: archives or else from the build "
             "report (:report:, else atmograph_build_report); while the archives or the "
             "report do not exist yet, the diagram is drawn without sizes, followed by a note "
             "(\"Sizes not measured yet\", with atmograph_sizes_hint) and an INFO line in the "
             "log, not a warning",
    "report": "the build report of this diagram's :sizes: (turns :sizes: on): a NAME of "
              "atmograph_build_reports, or a file relative to the document; overrides "
              "atmograph_build_report",
    "layers": "flag: one node per instruction inside each stage",
    "legend": "flag: draw a one-row legend of the node and edge styles",
    "detail": "overview (one node per image, with FROM and named-context edges), stages "
              "(every stage of every image) or auto (default: overview when the graph has "
              "several images, as with :bake: and a family)",
    "include-source": "flag: after the diagram, every Dockerfile of the graph as a code "
                      "block with a caption, line numbers and an anchor per stage (the ids "
                      "the diagram's stage nodes link to)",
    "emphasize-stages": "with :include-source:, stage names whose lines are emphasised "
                        "(no value: the FROM line of every stage)",
    "caption": "the figure caption",
    "name": "a reference name for the figure (for :ref:)",
    "alt": "alternative text of the diagram",
    "align": "left, center or right",
    "class": "extra CSS classes of the figure",
    "format": "svg (inline, stage nodes link to their source) or png (an image, no "
              "links) for HTML builders (default: atmograph_output_format)",
    "theme": "light (follows the reader's colour scheme and the page theme's dark mode) or "
             "dark (always dark) (default: atmograph_theme)",
    "rankdir": "LR, TB or auto (default: the direction whose drawing reads larger in the "
               "page's column)",
    "hide-scratch": "flag: do not draw FROM scratch as a node",
    "max-label-length": "longer names are shortened in the middle, keeping their head and "
                        "tail; the tooltip has the full name (default 64)",
}

#: Config values: name -> (default, rebuild, meaning).
CONFIG_DOCS = {
    "atmograph_bake_file": (None, "env", "default bake file for :bake: (relative to the conf dir)"),
    "atmograph_build_report": (None, "env", "build report of `atmograph build` for :sizes: "
                                            "(relative to the conf dir)"),
    "atmograph_build_reports": ({}, "env", "named build reports for :report: NAME: a dict "
                                           "NAME -> path (relative to the conf dir)"),
    "atmograph_sizes_hint": (None, "env", "what the \"Sizes not measured yet\" note tells the "
                                          "reader to do (e.g. \"run make images\"): a string, "
                                          "or a dict report NAME or path -> string"),
    "atmograph_project_root": (None, "env", "paths shown in captions, cluster titles and "
                                            "messages are relative to this directory (relative "
                                            "to the conf dir; default: the nearest directory "
                                            "above the conf dir holding .git, .hg or .svn, "
                                            "else the source dir)"),
    "atmograph_build_args": ({}, "env", "build arguments for every diagram: a dict or a list of K=V"),
    "atmograph_output_format": ("svg", "env", "svg or png for HTML builders"),
    "atmograph_theme": ("light", "env", "light or dark"),
}

FORMATS = ("svg", "png")
ALIGNS = ("left", "center", "right")
OUTPUT_RE = re.compile(r"^atmograph-([0-9a-f]{64})\.(svg|png|pdf|txt)$")


class atmograph_node(nodes.General, nodes.Element):
    """The diagram: attributes ``doc`` (graph document), ``key``, ``render`` (options),
    ``format``, ``alt``, ``docname``."""


class AtmographWarning(Exception):
    """A problem reported as a located Sphinx warning."""


def _flag_or_value(argument):
    return (argument or "").strip()


def _split_kv(value, what):
    """'A=1 B=2' (spaces or newlines, shell quoting allowed) -> ['A=1', 'B=2']."""
    if not value:
        return []
    try:
        items = shlex.split(value)
    except ValueError as exc:
        raise AtmographWarning("bad :%s: value: %s" % (what, exc))
    for it in items:
        if "=" not in it or it.startswith("="):
            raise AtmographWarning("bad :%s: value %r: expected K=V" % (what, it))
    return items


def _kv_list(value, what):
    if value is None:
        return []
    if isinstance(value, dict):
        return ["%s=%s" % (k, v) for k, v in value.items()]
    if isinstance(value, str):
        return _split_kv(value, what)
    out = list(value)
    for it in out:
        if not isinstance(it, str) or "=" not in it:
            raise AtmographWarning("bad %s entry %r: expected K=V" % (what, it))
    return out


def _merge_kv(*lists):
    merged = {}
    for lst in lists:
        for it in lst:
            k, v = it.split("=", 1)
            merged[k] = v
    return ["%s=%s" % kv for kv in merged.items()]


class _BadFlag(str):
    """A flag option given a value (reported by run())."""


def _flag(argument):
    if argument and argument.strip():
        return _BadFlag(argument.strip())
    return None


def _unknown_option(argument):
    return argument


class _OptionSpec(dict):
    """Accepts unknown option names too, so that run() reports them as located
    Sphinx warnings (docutils would make them errors that -W cannot tell apart)."""

    def __missing__(self, key):
        return _unknown_option


class ImageGraphDirective(SphinxDirective):
    """``.. atmo-imagegraph:: PATH`` -- see OPTION_DOCS."""

    # checked in run(): a missing PATH or stray content is a warning, not a docutils error
    has_content = True
    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = _OptionSpec({
        "bake": directives.unchanged,
        "target": directives.unchanged_required,
        "build-arg": directives.unchanged,
        "build-context": directives.unchanged,
        "image": directives.unchanged,
        "sizes": _flag,
        "report": directives.unchanged,
        "layers": _flag,
        "legend": _flag,
        "include-source": _flag,
        "emphasize-stages": _flag_or_value,
        "caption": directives.unchanged,
        "name": directives.unchanged,
        "alt": directives.unchanged,
        # validated in run() so that a bad value is a located warning, not a docutils error
        "align": directives.unchanged,
        "class": directives.class_option,
        "format": directives.unchanged,
        "theme": directives.unchanged,
        "rankdir": directives.unchanged,
        "detail": directives.unchanged,
        "hide-scratch": _flag,
        "max-label-length": directives.unchanged,
    })

    def run(self):
        stats = _stats(self.env.app)
        stats["runs"] += 1
        try:
            return self._run()
        except AtmographWarning as exc:
            return self._warn(str(exc))
        except atmograph.Error as exc:
            return self._warn(str(exc))

    def _warn(self, text):
        logger.warning("atmo-imagegraph: %s", text, location=(self.env.docname, self.lineno),
                       type="atmograph", subtype="directive")
        return []

    def _choice(self, name, allowed, default):
        value = self.options.get(name)
        if value is None or value == "":
            value = default
        value = value.strip()
        if value not in allowed:
            raise AtmographWarning("bad :%s: value %r (expected %s)"
                                   % (name, value, ", ".join(allowed)))
        return value

    def _text(self, name, default):
        """An option's text, stripped; the default when absent or empty."""
        value = self.options.get(name)
        if value is None or not str(value).strip():
            value = default
        return str(value).strip()

    def _dep(self, relpath):
        """Resolve a path relative to the document; note it as a dependency."""
        rel, abspath = self.env.relfn2path(relpath, self.env.docname)
        self.env.note_dependency(rel)
        return rel, abspath

    def _confpath(self, path):
        """A config path relative to the conf dir, noted as a dependency."""
        abspath = os.path.normpath(os.path.join(self.env.app.confdir, path))
        self.env.note_dependency(abspath)
        return abspath

    def _run(self):
        """The directive in steps: check its use, read the options, make the graph document
        (sizes included), then the node the writers render and the figure around it."""
        self._check_usage()
        fmt, align, render = self._render_options()
        sources = []  # (display name, absolute path, text) of every Dockerfile in the graph
        doc, unmeasured = self._graph_document(sources)
        prefix = self._unique_anchors(doc)
        render["id_prefix"] = "atmo-" + prefix
        node = self._diagram_node(doc, render, fmt)
        result = [self._figure(node, align, unmeasured)]
        if unmeasured:
            result.append(self._unmeasured(*unmeasured))
        if "include-source" in self.options:
            result.extend(self._sources(doc, sources, prefix))
        return result

    def _check_usage(self):
        """Options, argument and content as the directive takes them."""
        opts = self.options
        unknown = sorted(set(opts) - set(OPTION_DOCS))
        if unknown:
            raise AtmographWarning("unknown option%s :%s: (known: %s)" % (
                "s" if len(unknown) > 1 else "", ":, :".join(unknown), ", ".join(sorted(OPTION_DOCS))))
        if len(self.arguments) != 1 or " " in self.arguments[0].strip():
            raise AtmographWarning("expected one argument: a Dockerfile path (or a bake target "
                                   "with :bake:)")
        bad = sorted(k for k, v in opts.items() if isinstance(v, _BadFlag))
        if bad:
            raise AtmographWarning(":%s: takes no value (got %r)" % (bad[0], str(opts[bad[0]])))
        if self.content and "".join(self.content).strip():
            raise AtmographWarning("the directive takes no content (did you indent an option?)")

    def _render_options(self):
        """(format, align, render() keywords but id_prefix) from the options and the config;
        their ranges are the core's (atmo_render_options_check), its InvalidInputError a
        located warning."""
        cfg = self.config
        opts = self.options
        fmt = self._choice("format", FORMATS, cfg.atmograph_output_format)
        align = self._choice("align", ALIGNS, "center") if "align" in opts else None
        theme = self._text("theme", cfg.atmograph_theme)
        rankdir = self._text("rankdir", "auto")
        detail = self._text("detail", "auto")
        max_label = self._text("max-label-length", "0")
        try:
            max_label = int(max_label)
        except ValueError:
            raise AtmographWarning("bad :max-label-length: value %r (expected a number)" % max_label)
        try:
            atmograph.check_render_options(format=fmt, rankdir=rankdir, theme=theme,
                                           max_label_length=max_label, detail=detail)
        except (atmograph.InvalidInputError, ValueError) as exc:
            raise AtmographWarning("bad render option: %s" % (getattr(exc, "text", None) or exc))
        render = {
            "rankdir": rankdir, "detail": detail,
            "layers": "layers" in opts, "legend": "legend" in opts,
            "scratch": "hide-scratch" not in opts, "max_label_length": max_label,
            "theme": theme, "link_base": "" if "include-source" in opts else None,
        }
        return fmt, align, render

    def _graph_document(self, sources):
        """(graph document with the sizes known, (what is missing, hint) or None) of the
        bake target or the Dockerfile; sources gets every Dockerfile read."""
        cfg = self.config
        opts = self.options
        build_args = _merge_kv(_kv_list(cfg.atmograph_build_args, "atmograph_build_args"),
                               _split_kv(opts.get("build-arg"), "build-arg"))
        contexts = _split_kv(opts.get("build-context"), "build-context")
        images = _split_kv(opts.get("image"), "image")
        bake = opts.get("bake")  # "" (no value): the atmograph_bake_file config value
        report = None
        unmeasured = None  # (what is missing, hint) when :sizes: has nothing to read yet
        if ("sizes" in opts or "report" in opts) and not images:
            report, unmeasured = self._report()
        if bake is not None:
            if images:
                raise AtmographWarning(":image: works with one Dockerfile; with :bake: the "
                                       "sizes come from the build report (:report:)")
            # only the directive's :build-arg: values, as bake variables
            doc = self._bake_graph(bake, _split_kv(opts.get("build-arg"), "build-arg"), sources)
        else:
            doc, missing = self._dockerfile_graph(build_args, contexts, images, report, sources)
            unmeasured = missing or unmeasured
        if report is not None:
            report.pop("_path", None)
            doc = atmograph.annotate(doc, report)
            # a target built with an incomplete entry (its export failed: no sizes)
            # is a warning here too, so that `sphinx-build -W` does not pass it silently
            targets = report.get("targets") or {}
            for img in doc.get("images", []):
                entry = targets.get(img.get("id")) or {}
                for w in entry.get("warnings") or []:
                    self._warn("the build report's target %s: %s" % (img.get("id"), w))
        return doc, unmeasured

    def _dockerfile_graph(self, build_args, contexts, images, report, sources):
        """(graph document of the directive's Dockerfile, sized from :image: archives or
        named after the report's target; (what is missing, hint) when an archive is not
        there yet, else None)."""
        opts = self.options
        rel, path = self._dep(self.arguments[0])
        shown = self._shown(path)
        try:
            text = atmograph._core.read_file(path)
        except atmograph.Error as exc:
            raise AtmographWarning("%s: %s" % (shown, exc.text))
        kwargs = dict(filename=shown, target=opts.get("target"), build_args=build_args,
                      build_contexts=contexts)
        if report is not None:
            # the report's target that builds this file names the image
            kwargs["image_id"] = self._report_target(report, path)
        doc = atmograph.graph(text, **kwargs)
        sources.append((shown, path, text))
        if not images:
            return doc, None
        mapping, missing = {}, []
        for it in images:
            stage, archive = it.split("=", 1)
            if archive.startswith("docker://"):
                mapping[stage] = archive  # read in its registry: no file to depend on
                continue
            mapping[stage] = self._dep(archive)[1]
            if not os.path.exists(mapping[stage]):
                missing.append(self._shown(mapping[stage]))
        if missing:
            return doc, ("no image at " + ", ".join(missing), self._hint(None, mapping[stage]))
        return atmograph.annotate_sizes(doc, atmograph.sizes(text, mapping, **kwargs)), None

    def _unique_anchors(self, doc):
        """Prefix the anchors (and, through the returned prefix, the SVG ids) so that the
        same Dockerfile shown twice (two pages in singlehtml, or twice on a page) gives
        distinct ids."""
        prefix = "%s-%d-" % (nodes.make_id(self.env.docname) or "doc",
                             self.env.new_serialno("atmograph"))
        for n in doc.get("nodes", []):
            if n.get("anchor"):
                n["anchor"] = prefix + n["anchor"]
        return prefix

    def _diagram_node(self, doc, render, fmt):
        """The node the writers render, its output queued for rendering already."""
        # the node keeps the document as JSON text: the cache key hashes it, doctrees pickle
        # it as one string, and the renderer parses it without the GIL
        doc_json = json.dumps(doc, sort_keys=True)
        key = _cache_key(doc_json, render, fmt)
        _env_keys(self.env).setdefault(self.env.docname, set()).add(key)
        node = atmograph_node()
        node["doc"] = doc_json
        node["key"] = key
        node["render"] = render
        node["format"] = fmt
        # the core's accessible name: the image and its stages in order, by name
        node["alt"] = self.options.get("alt") or atmograph.describe(doc_json, detail=render["detail"])
        node["docname"] = self.env.docname
        set_source_info(self, node)
        _prefetch(self.env.app, node)
        return node

    def _figure(self, node, align, unmeasured):
        """The figure around the diagram node, with its caption and name."""
        opts = self.options
        classes = ["atmograph"] + (["atmograph-unmeasured"] if unmeasured else [])
        figure = nodes.figure("", node, classes=classes + opts.get("class", []))
        if align:
            figure["align"] = align
        caption = opts.get("caption")
        if caption:
            inodes, messages = self.state.inline_text(caption, self.lineno)
            cap = nodes.caption(caption, "", *inodes)
            _keep_quotes(cap)
            cap.extend(messages)
            set_source_info(self, cap)
            figure += cap
        self.add_name(figure)
        return figure

    def _bake_graph(self, bake, build_args, sources):
        if self.options.get("build-context"):
            raise AtmographWarning(":build-context: does not apply to :bake: (the bake file "
                                   "names the contexts)")
        if bake:
            rel, bakepath = self._dep(bake)
        elif self.config.atmograph_bake_file:
            bakepath = self._confpath(self.config.atmograph_bake_file)
        else:
            raise AtmographWarning(":bake: names no file and atmograph_bake_file is not set")
        doc = atmograph.bake_graph(bakepath, targets=[self.arguments[0]],
                                   set_vars=build_args or None, no_env=True)
        base = os.path.dirname(bakepath)
        for img in doc.get("images", []):
            df = img.get("dockerfile")
            if not df:
                continue
            path = df if os.path.isabs(df) else os.path.normpath(os.path.join(base, df))
            if not os.path.exists(path):
                path2 = os.path.normpath(os.path.join(self.env.srcdir, df))
                path = path2 if os.path.exists(path2) else path
            self.env.note_dependency(path)
            # the cluster titles name the file as the reader knows it, not this machine's path
            img["dockerfile"] = self._shown(path)
            try:
                text = atmograph._core.read_file(path)
            except atmograph.Error:
                continue
            sources.append((img["dockerfile"], path, text))
        return doc

    def _report_path(self):
        """(name or None, absolute path) of the diagram's build report, noted as a dependency
        (also when it does not exist: the page is then read again on every build)."""
        value = (self.options.get("report") or "").strip()
        if "report" in self.options and not value:
            raise AtmographWarning(":report: needs a value: a NAME of atmograph_build_reports "
                                   "(known: %s) or a file" % (", ".join(
                                       sorted(self.config.atmograph_build_reports or {})) or "none"))
        if value:
            named = self.config.atmograph_build_reports or {}
            if value in named:
                return value, self._confpath(named[value])
            return None, self._dep(value)[1]
        report = self.config.atmograph_build_report
        if not report:
            raise AtmographWarning(":sizes: needs :image: archives, :report: or the "
                                   "atmograph_build_report config value")
        return None, self._confpath(report)

    def _report(self):
        """(the build report or None, None or (what is missing, hint))."""
        name, path = self._report_path()
        if not os.path.exists(path):
            return None, ("no build report at %s" % self._shown(path), self._hint(name, path))
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except OSError as exc:
            raise AtmographWarning("build report %s: %s" % (self._shown(path), exc.strerror))
        except ValueError as exc:
            raise AtmographWarning("build report %s: not JSON: %s" % (self._shown(path), exc))
        if not isinstance(data, dict) or data.get("schema") != "atmograph.build-report/1":
            raise AtmographWarning("%s: not a build report (schema atmograph.build-report/1)"
                                   % self._shown(path))
        data["_path"] = path
        return data, None

    def _hint(self, name, path):
        """atmograph_sizes_hint for this report (by NAME or path) or these archives."""
        hint = self.config.atmograph_sizes_hint
        if isinstance(hint, dict):
            for key, text in hint.items():
                if key == name or os.path.normpath(
                        os.path.join(self.env.app.confdir, key)) == os.path.normpath(path):
                    return text
            return hint.get("*")
        return hint

    def _unmeasured(self, what, hint):
        """The note (and INFO log line) of a :sizes: diagram whose measurements do not exist
        yet: not a warning, so that `-W` builds pass before the images are built."""
        text = "Sizes not measured yet: %s." % what
        if hint:
            text += " To measure them: %s." % str(hint).rstrip(".")
        logger.info("atmo-imagegraph: %s", text, location=(self.env.docname, self.lineno))
        note = nodes.note(classes=["atmograph-sizes-missing"])
        note += nodes.paragraph(text, text)
        set_source_info(self, note)
        return note

    def _project_root(self):
        root = self.config.atmograph_project_root
        if root:
            return os.path.normpath(os.path.join(self.env.app.confdir, root))
        return _default_project_root(self.env.app.confdir) or self.env.srcdir

    def _shown(self, path):
        """A path as shown to readers: relative to atmograph_project_root (or the source
        dir), never this machine's absolute path."""
        path = os.path.abspath(path)
        for base in (self._project_root(), self.env.srcdir):
            rel = os.path.relpath(path, base)
            if not rel.startswith(os.pardir + os.sep) and rel != os.pardir:
                return rel
        return os.path.relpath(path, self.env.srcdir)

    def _report_target(self, report, dockerfile):
        """The name of the report's target whose Dockerfile is this file (the core's
        atmo_report_find_target); the report's relative paths may be relative to its own
        directory or up to four above it, the conf dir, the source dir or the current directory."""
        path = report.pop("_path")
        bases = [os.path.dirname(path), self.env.app.confdir, self.env.srcdir, os.getcwd()]
        d = os.path.dirname(path)
        for _ in range(4):
            d = os.path.dirname(d)
            bases.append(d)
        try:
            return atmograph.report_find_target(report, dockerfile, bases)
        except atmograph.NotFoundError:
            raise AtmographWarning("the build report %s has no target built from %s"
                                   % (self._shown(path), self._shown(dockerfile)))

    def _sources(self, doc, sources, prefix):
        """One container per Dockerfile: a code block per stage, each with its anchor."""
        emph = self.options.get("emphasize-stages")
        emph_names = set(emph.lower().split()) if emph else set()
        emph_all = "emphasize-stages" in self.options and not emph_names
        known_ids = self.state.document.ids
        result = []
        images = {img.get("id"): img for img in doc.get("images", [])}
        for shown, path, text in sources:
            if isinstance(text, bytes):
                text = text.decode("utf-8", "replace")
            lines = text.splitlines()
            image_ids = [iid for iid, img in images.items()
                         if img.get("dockerfile") in (shown, path)
                         or os.path.normpath(str(img.get("dockerfile"))) == os.path.normpath(path)]
            if not image_ids and len(sources) == 1:
                image_ids = list(images) or [None]
            stage_nodes = sorted(
                (n for n in doc.get("nodes", []) if n.get("kind") == "stage"
                 and (n.get("image") in image_ids or image_ids == [None]) and n.get("line")),
                key=lambda n: n["line"])
            # cut the file at each stage's FROM line
            starts = [(n["line"], n) for n in stage_nodes]
            pieces = []
            first = starts[0][0] if starts else len(lines) + 1
            if first > 1:
                pieces.append((1, first - 1, None))
            for i, (line, n) in enumerate(starts):
                end = starts[i + 1][0] - 1 if i + 1 < len(starts) else len(lines)
                pieces.append((line, end, n))
            blocks = []
            for start, end, n in pieces:
                body = "\n".join(lines[start - 1:end])
                if not body.strip() and n is None:
                    continue
                block = nodes.literal_block(body, body, language="docker", linenos=True,
                                            classes=["atmograph-source"])
                block["highlight_args"] = {"linenostart": start}
                block["source"], block["line"] = self.state_machine.get_source_and_line(self.lineno)
                if n is not None:
                    anchor = n.get("anchor")
                    if anchor and anchor not in known_ids:
                        block["ids"].append(anchor)
                        known_ids[anchor] = block
                    name = str(n.get("name", "")).lower()
                    if emph_all:
                        block["highlight_args"]["hl_lines"] = [1]
                    elif name in emph_names:
                        block["highlight_args"]["hl_lines"] = list(range(1, end - start + 2))
                blocks.append(block)
            if not blocks:
                continue
            wrapper = container_wrapper(self, blocks[0], shown)
            for cap in wrapper.findall(nodes.caption):
                _keep_quotes(cap)
            wrapper["classes"].append("atmograph-dockerfile")
            # an id of our own (else Sphinx numbers it "id1", the same on every page)
            wrapper["ids"].append("%ssource-%d" % (prefix, len(result)))
            for b in blocks[1:]:
                wrapper += b
            result.append(wrapper)
        return result


def _keep_quotes(node):
    """Leave the node's text as written: Sphinx's smartquotes would turn "--target" in a
    caption into an en dash, and a command shown there must copy-paste."""
    node["support_smartquotes"] = False


#: What marks a project's root directory (a version-control checkout).
_ROOT_MARKERS = (".git", ".hg", ".svn")


def _default_project_root(confdir):
    """The nearest directory at or above confdir that holds a version-control checkout
    (.git, .hg, .svn), or None."""
    d = os.path.abspath(confdir)
    while True:
        if any(os.path.exists(os.path.join(d, m)) for m in _ROOT_MARKERS):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


# ---- state shared between read and write ------------------------------------------

def _stats(app):
    """Counters for tests and benchmarks (per process): directive runs, renders, cache hits."""
    st = getattr(app, "atmograph_stats", None)
    if st is None:
        st = {"runs": 0, "renders": 0, "cached": 0, "removed": 0}
        app.atmograph_stats = st
    return st


def _env_keys(env):
    """docname -> set of cache keys its diagrams use (kept in the pickled environment)."""
    if not hasattr(env, "atmograph_keys"):
        env.atmograph_keys = {}
    return env.atmograph_keys


_GRAPHVIZ_VERSION = []


def _graphviz_version():
    """The Graphviz that renders, for cache keys (the core's atmo_render_graphviz_identity:
    the compiled-against version and the loaded libgvc's identity, so that a Graphviz
    upgrade changes every key even without a rebuild)."""
    if not _GRAPHVIZ_VERSION:
        _GRAPHVIZ_VERSION.append(atmograph._core.graphviz_identity())
    return _GRAPHVIZ_VERSION[0]


def _cache_key(doc_json, render, fmt):
    h = hashlib.sha256()
    for part in (doc_json, json.dumps(render, sort_keys=True), fmt,
                 EXTENSION_VERSION, atmograph.__version__, _graphviz_version()):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _image_dir(builder):
    """Where the builder keeps images: <outdir>/_images (HTML, EPUB), <outdir> (LaTeX)."""
    return os.path.join(builder.outdir, getattr(builder, "imagedir", "") or "")


def _text_dir(app):
    return os.path.join(app.doctreedir, "atmograph")


def _render_args(render, fmt, path):
    """render()'s keyword arguments for a node's render options in fmt (links only in SVG);
    makes the output's directory."""
    opts = dict(render, format=fmt, path=path)
    if fmt != "svg":
        opts["link_base"] = None
    if path is not None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    return opts


def _render(app, doc_json, render, fmt, path=None):
    """Render now; with path, also write it there atomically. Returns the bytes."""
    data = atmograph.render(doc_json, **_render_args(render, fmt, path))
    _stats(app)["renders"] += 1
    return data


def _svg_cache(env):
    """key -> SVG bytes of the diagrams HTML pages inline, pickled with the environment.
    Inline SVG needs no file: creating one file per diagram was most of a diagram's cost
    in a cold build (a new inode each), so serial HTML builds keep them here instead."""
    if not hasattr(env, "atmograph_svg"):
        env.atmograph_svg = {}
    return env.atmograph_svg


def _in_env(app, fmt):
    """Whether this output lives in the environment: inline SVG of a serial HTML build
    (parallel writers are forked processes whose additions to the environment are lost,
    so they keep files as before)."""
    return fmt == "svg" and getattr(app.builder, "format", "") == "html" and app.parallel <= 1


def _builder_output(app, node_fmt):
    """(format, directory) of the diagrams this builder writes, None if it writes none."""
    builder = app.builder
    kind = getattr(builder, "format", "")
    if kind == "html":
        return node_fmt, _image_dir(builder)
    if kind == "latex":
        return "pdf", _image_dir(builder)
    if kind in ("text", "man", "texinfo"):
        return "text", _text_dir(app)
    return None


def _output_path(node, fmt, outdir):
    fname = "atmograph-%s.%s" % (node["key"], "txt" if fmt == "text" else fmt)
    return fname, os.path.join(outdir, fname)


class _RenderQueue:
    """Renders queued in the core's render thread (atmograph._core.render_submit), by slot:
    ("env", key) for inline SVG, ("file", path) for an output file, ("warm-up",). The
    thread is C's own and never takes the GIL, so the renders started while Sphinx reads
    the other documents cost the reading thread only the copy of the job; a Python thread
    had to take the GIL for every job, and the reading thread waited for it each time."""

    def __init__(self):
        self._tickets = {}

    def submit(self, slot, doc_json, render, fmt, path=None):
        self._tickets[slot] = atmograph._core.render_submit(
            doc_json, **_render_args(render, fmt, path))

    def knows(self, slot):
        return slot in self._tickets

    def take(self, slot):
        """The slot's bytes (waiting for the render; raising its error); None when the
        slot was never queued or was taken."""
        ticket = self._tickets.pop(slot, None)
        return None if ticket is None else atmograph._core.render_take(ticket)

    def wait(self):
        """Wait for every queued render."""
        if self._tickets:
            atmograph._core.render_wait()

    def take_all(self, kind):
        """(slot, bytes or None after an error) of every render queued under kind."""
        found = []
        for slot in [s for s in self._tickets if s[0] == kind]:
            try:
                found.append((slot, self.take(slot)))
            except atmograph.Error:
                found.append((slot, None))
        return found

    def clear(self):
        """Forget every render not taken (their outputs are freed)."""
        for slot in list(self._tickets):
            try:
                self.take(slot)
            except atmograph.Error:
                pass


_QUEUE = []


def _queue():
    """The one render queue of the process (made on first use)."""
    if not _QUEUE:
        _QUEUE.append(_RenderQueue())
    return _QUEUE[0]


def _prefetch(app, node):
    """Queue the node's output for the current builder in the render thread."""
    if app.parallel > 1:  # forked readers and writers: render where the output is needed
        return
    out = _builder_output(app, node["format"])
    if out is None:
        return
    fmt, outdir = out
    if _in_env(app, fmt):
        slot, path = ("env", node["key"]), None
        if node["key"] in _svg_cache(app.env) or _queue().knows(slot):
            return
    else:
        path = _output_path(node, fmt, outdir)[1]
        slot = ("file", path)
        if _queue().knows(slot) or os.path.exists(path):
            return
    _queue().submit(slot, node["doc"], node["render"], fmt, path)
    _stats(app)["renders"] += 1


_WARMUP_DOC = {"schema": atmograph._core.GRAPH_SCHEMA, "images": [], "edges": [], "target": None,
               "unused": [], "warnings": [],
               "nodes": [{"id": "w/stage/0", "kind": "stage", "image": "w", "name": "w",
                          "index": 0, "line": 1, "end_line": 1, "used": True, "target": True,
                          "in_final": True, "build_only": False, "anchor": "w-0",
                          "instructions": [], "onbuild": []}]}


def _warm_up(app, env, docnames):
    """Serial builds: start the render thread, which loads Graphviz (plugins, fonts) while
    Sphinx reads the first documents, instead of at the first diagram. Only when there are
    documents to read (env-before-read-docs): in a no-op rebuild the warm-up render was
    the whole of the extension's cost (its wait in env-updated), for nothing drawn."""
    if not docnames or app.parallel > 1 or _QUEUE or getattr(app.builder, "format", "") not in (
            "html", "latex", "text", "man", "texinfo"):
        return
    try:
        _queue().submit(("warm-up",), json.dumps(_WARMUP_DOC), {}, "svg")
    except atmograph.Error:
        pass  # a real render reports the problem


def _env_updated(app, env):
    """After reading: wait for the renders started meanwhile, keep the inline SVG ones in
    the environment (pickled next), and drop the entries no page uses any more."""
    cache = _svg_cache(env)
    if _QUEUE:
        _QUEUE[0].wait()
        _QUEUE[0].take_all("warm-up")
        for slot, data in _QUEUE[0].take_all("env"):
            if data is not None:  # a failed one is rendered again, and reported, where used
                cache[slot[1]] = data
    used = set()
    for keys in _env_keys(env).values():
        used.update(keys)
    stale = [k for k in cache if k not in used]
    for k in stale:
        del cache[k]
    if stale:
        _stats(app)["removed"] += len(stale)
    return []


def _output(app, node, fmt, outdir):
    """The bytes of the node's diagram in fmt, rendered once per key; (data, file name).
    Inline SVG of serial HTML builds lives in the environment (a file, from a parallel
    build or an older version of the extension, is still read); the rest in files."""
    fname, path = _output_path(node, fmt, outdir)
    key = node["key"]
    cache = _svg_cache(app.env) if _in_env(app, fmt) else None
    if cache is not None and key in cache:
        _stats(app)["cached"] += 1
        return cache[key], fname
    data = _QUEUE[0].take(("file", path) if cache is None else ("env", key)) if _QUEUE else None
    if data is None:
        try:
            with open(path, "rb") as f:
                data = f.read()
            _stats(app)["cached"] += 1
        except OSError:
            data = _render(app, node["doc"], node["render"], fmt, path if cache is None else None)
    if cache is not None:
        cache[key] = data
    return data, fname


def _render_failed(node, exc):
    logger.warning("atmo-imagegraph: rendering failed: %s", exc, location=node,
                   type="atmograph", subtype="render")


def _inline_svg(data, key, alt):
    """The SVG element alone, labelled for screen readers and sized for its column (the
    core's atmo_render_svg_inline; its ids are already unique per directive: the
    renderer's id_prefix)."""
    return atmograph._core.svg_inline(data, alt)


# ---- writers ---------------------------------------------------------------------------

def _html_markup(app, node, docname):
    """The diagram's HTML in page docname: the inline SVG or an <img> of the PNG (raises
    on failure)."""
    fmt = node["format"]
    data, fname = _output(app, node, fmt, _image_dir(app.builder))
    if fmt == "svg":
        markup = _inline_svg(data, node["key"], node["alt"])
    else:
        # the builder's imgpath is the previous page's until it writes this one
        imgpath = relative_uri(app.builder.get_target_uri(docname), app.builder.imagedir)
        src = "%s/%s" % (imgpath, fname)
        markup = '<img src="%s" alt="%s" class="atmograph-png"/>' % (
            html.escape(src, quote=True), html.escape(node["alt"], quote=True))
    return '<div class="atmograph-diagram">%s</div>\n' % markup


#: Where a diagram's HTML goes in the page body until html-page-context puts it there.
_HTML_TOKEN = "<!--atmograph-diagram-%d-->"


def html_resolve(app, doctree, docname):
    """HTML builders: each diagram node becomes a raw HTML comment standing for its markup,
    kept with the doctree and put into the page body by html_page_context.

    Not a visitor (add_node(html=...)): Sphinx binds a custom node's visitors to every
    translator it makes, a reference cycle that keeps the translator, and with it the
    page's doctree, alive until the garbage collector runs; in the 50-page benchmark that
    was one more full collection, half of what a diagram cost. Not the markup in the raw
    node either: Sphinx's search indexer reads raw HTML (tags stripped, then every word
    stemmed), which would put each label and tooltip of the SVG into the search index."""
    if getattr(app.builder, "format", "") != "html":
        return
    # only documents with diagrams (singlehtml resolves one tree of every document)
    if docname not in _env_keys(app.env) and getattr(app.builder, "name", "") != "singlehtml":
        return
    markup = doctree.get("atmograph_html") or {}
    for node in list(doctree.findall(atmograph_node)):
        try:
            text = _html_markup(app, node, docname)
        except (atmograph.Error, ValueError, OSError) as exc:
            _render_failed(node, exc)
            node.parent.remove(node)
            continue
        token = _HTML_TOKEN % len(markup)
        markup[token] = text
        node.replace_self(nodes.raw("", token, format="html"))
    if markup:
        doctree["atmograph_html"] = markup


def html_page_context(app, pagename, templatename, context, doctree):
    """Put the diagrams' markup into the page body, in place of their tokens."""
    markup = doctree.get("atmograph_html") if isinstance(doctree, nodes.Element) else None
    if markup and isinstance(context.get("body"), str):
        body = context["body"]
        for token, text in markup.items():
            body = body.replace(token, text, 1)
        context["body"] = body


def latex_visit(self, node):
    app = self.builder.app
    try:
        data, fname = _output(app, node, "pdf", _image_dir(self.builder))
    except (atmograph.Error, OSError) as exc:
        _render_failed(node, exc)
        raise nodes.SkipNode
    rel = fname if not getattr(self.builder, "imagedir", "") else \
        "%s/%s" % (self.builder.imagedir, fname)
    self.body.append("\n\\noindent\\sphinxincludegraphics{%s}\n" % rel)
    raise nodes.SkipNode


def _text_form(self, node):
    try:
        data, _ = _output(self.builder.app, node, "text", _text_dir(self.builder.app))
    except (atmograph.Error, OSError) as exc:
        _render_failed(node, exc)
        return None
    return data.decode("utf-8", "replace").rstrip("\n")


def text_visit(self, node):
    text = _text_form(self, node)
    if text is not None:
        self.new_state(0)
        for line in text.split("\n"):
            self.add_text(line + self.nl)
        self.end_state(wrap=False)
    raise nodes.SkipNode


def _roff_escape(line):
    line = line.replace("\\", "\\e")
    if line.startswith((".", "'")):
        line = "\\&" + line
    return line


def man_visit(self, node):
    text = _text_form(self, node)
    if text is not None:
        self.body.append("\n.sp\n.nf\n.ft C\n%s\n.ft P\n.fi\n"
                         % "\n".join(_roff_escape(ln) for ln in text.split("\n")))
    raise nodes.SkipNode


def texinfo_visit(self, node):
    text = _text_form(self, node)
    if text is not None:
        esc = text.replace("@", "@@").replace("{", "@{").replace("}", "@}")
        self.body.append("\n@example\n%s\n@end example\n" % esc)
    raise nodes.SkipNode


def _depart(self, node):
    pass


# ---- environment events ------------------------------------------------------------------

def env_purge_doc(app, env, docname):
    _env_keys(env).pop(docname, None)


def env_merge_info(app, env, docnames, other):
    mine = _env_keys(env)
    theirs = getattr(other, "atmograph_keys", {})
    for docname in docnames:
        if docname in theirs:
            mine[docname] = set(theirs[docname])


def build_finished(app, exception):
    """Remove atmograph outputs that no page uses any more."""
    if _QUEUE:
        _QUEUE[0].clear()
    if exception is not None:
        return
    used = set()
    for keys in _env_keys(app.env).values():
        used.update(keys)
    stats = _stats(app)
    for d in {_image_dir(app.builder), _text_dir(app)}:
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for name in names:
            m = OUTPUT_RE.match(name)
            if m and m.group(1) not in used:
                try:
                    os.unlink(os.path.join(d, name))
                    stats["removed"] += 1
                except OSError:
                    pass


STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")


def copy_static(app, exception):
    """Put atmograph.css and atmograph.js into the HTML output's _static folder."""
    if exception is not None or getattr(app.builder, "format", "") != "html":
        return
    from sphinx.util.fileutil import copy_asset_file
    for name in ("atmograph.css", "atmograph.js"):
        copy_asset_file(os.path.join(STATIC_DIR, name), os.path.join(app.builder.outdir, "_static"))


def setup(app):
    for name, (default, rebuild, _) in CONFIG_DOCS.items():
        app.add_config_value(name, default, rebuild)
    app.add_node(atmograph_node,
                 latex=(latex_visit, _depart),
                 text=(text_visit, _depart),
                 man=(man_visit, _depart),
                 texinfo=(texinfo_visit, _depart))
    app.add_directive("atmo-imagegraph", ImageGraphDirective)
    app.connect("env-purge-doc", env_purge_doc)
    app.connect("env-merge-info", env_merge_info)
    app.connect("env-before-read-docs", _warm_up)
    app.connect("env-updated", _env_updated)
    app.connect("doctree-resolved", html_resolve)
    app.connect("html-page-context", html_page_context, priority=100)
    app.connect("build-finished", build_finished)
    app.connect("build-finished", copy_static)
    app.add_css_file("atmograph.css")
    app.add_js_file("atmograph.js")
    return {
        "version": atmograph.__version__,
        "env_version": 2,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
