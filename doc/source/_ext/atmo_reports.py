"""Tables of measured sizes from an ``atmograph build`` report (atmograph.build-report/1).

``.. atmo-report:: NAME``
    NAME is a key of the ``atmo_reports`` config dict (NAME -> path of a report). When
    the report exists: one table of the built targets (status, size, compressed size,
    layers), then for each target with stages the size of every stage and whether it
    reaches the final image, and the bytes and packages the multi-stage build kept out of
    it (targets of more than one stage). When it does not exist: a note that names the report and the make target that
    writes it. Options: ``:targets: a b`` (only these targets), ``:make: TARGET`` (the
    make target named in the note, default ``images``).

The page is rebuilt whenever the report appears, changes or disappears. Every figure is
copied from the report; nothing is computed here except the human-readable units.

The ``atmo-imagegraph`` diagrams name the same reports with their ``:report: NAME`` option
(conf.py passes ``atmo_reports`` as ``atmograph_build_reports``); while a report does not
exist, the directive draws the diagram without sizes and adds its own note; an
``atmo-report`` later on the same page replaces that note with its own, so the page says
once how to produce the report.
"""
import json
import os

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from atmo_doctable import table

logger = logging.getLogger(__name__)

__version__ = "1.0"


def human_bytes(n):
    """Binary units, as `atmograph inspect` prints them: 74.1 MiB."""
    if n is None:
        return ""
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return ("%d %s" % (n, unit)) if unit == "B" else ("%.1f %s" % (n, unit))
        n /= 1024.0
    return ""


def exact_bytes(n):
    return "{:,}".format(int(n)) if isinstance(n, (int, float)) else ""


def _size_text(n):
    if not isinstance(n, (int, float)):
        return "–"
    return "%s (%s bytes)" % (human_bytes(n), exact_bytes(n))


def _table(headers, rows, classes=()):
    return table(headers, rows, ["atmo-report-table"] + list(classes))


def _literal_list(items):
    para = nodes.paragraph()
    for i, item in enumerate(items):
        if i:
            para += nodes.Text(", ")
        para += nodes.literal(item, item)
    return para


def load_report(path):
    """The report at path as a dict, or None when there is none; raises ValueError."""
    if not path or not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    if not isinstance(doc, dict) or doc.get("schema") != "atmograph.build-report/1":
        raise ValueError("%s is not an atmograph.build-report/1 document" % path)
    if not isinstance(doc.get("targets"), dict):
        raise ValueError("%s has no \"targets\" object" % path)
    return doc


class AtmoReport(SphinxDirective):
    has_content = False
    required_arguments = 1
    option_spec = {
        "targets": directives.unchanged,
        "make": directives.unchanged,
    }

    def run(self):
        name = self.arguments[0]
        reports = self.config.atmo_reports or {}
        if name not in reports:
            logger.warning("atmo-report: no report named %r in atmo_reports (known: %s)",
                           name, ", ".join(sorted(reports)) or "none",
                           location=self.get_location())
            return []
        path = os.path.abspath(reports[name])
        # Always a dependency, also when missing: Sphinx then rereads the page on every
        # build, so the sizes appear as soon as a build writes the report.
        self.env.note_dependency(path)
        shown = os.path.relpath(path, self.config.atmo_cli_cwd or os.getcwd())
        make_target = self.options.get("make", "images")
        try:
            report = load_report(path)
        except (OSError, ValueError) as exc:
            logger.warning("atmo-report: %s", exc, location=self.get_location())
            return []
        container = nodes.container(classes=["atmo-report"])
        container["ids"].append("atmo-report-" + nodes.make_id(name))
        if report is None:
            container += self._missing_note(shown, "make " + make_target)
            return [container]

        wanted = (self.options.get("targets") or "").split()
        targets = report["targets"]
        names = [t for t in (wanted or sorted(targets)) if t in targets]
        for t in wanted:
            if t not in targets:
                logger.warning("atmo-report: target %r is not in %s", t, shown,
                               location=self.get_location())
        engine = report.get("engine") or {}
        intro = nodes.paragraph()
        intro += nodes.Text("Measured by ")
        intro += nodes.literal("atmograph build", "atmograph build")
        if engine.get("name"):
            intro += nodes.Text(" with %s %s" % (engine.get("name"), engine.get("version", "")))
        if report.get("finished"):
            intro += nodes.Text(", finished %s" % report["finished"])
        intro += nodes.Text("; report ")
        intro += nodes.literal(shown, shown)
        intro += nodes.Text(".")
        container += intro

        rows = []
        for t in names:
            info = targets[t] or {}
            size = info.get("size") or {}
            rows.append([nodes.literal(t, t), info.get("status", ""),
                         _size_text(size.get("bytes")), _size_text(size.get("compressed")),
                         str(size.get("layers", "–")), str(len(info.get("packages") or []))])
        container += _table(["target", "status", "size", "compressed", "layers", "packages"],
                            rows, ["atmo-report-targets"])

        for t in names:
            info = targets[t] or {}
            stages = info.get("stages") or {}
            kept = info.get("kept_out") or {}
            if not stages and not kept:
                continue  # nothing measured per stage
            # (a single stage too: its own layers, on top of its base image, are news)
            rubric = "%s: stages" % t
            container += nodes.rubric(rubric, rubric)
            srows = []
            for sname, st in stages.items():
                ssize = (st or {}).get("size") or {}
                in_final = (st or {}).get("in_final")
                srows.append([nodes.literal(sname, sname),
                              "yes" if in_final else ("no (build only)" if in_final is False else "–"),
                              _size_text(ssize.get("bytes")),
                              _size_text((st or {}).get("own_bytes")),
                              str(len((st or {}).get("packages") or []))])
            if srows:
                container += _table(["stage", "in the final image", "stage image",
                                     "own layers", "packages"], srows,
                                    ["atmo-report-stages"])
            if kept:
                para = nodes.paragraph(classes=["atmo-report-kept-out"])
                para += nodes.Text("Kept out of the final image of ")
                para += nodes.literal(t, t)
                para += nodes.Text(": %s" % _size_text(kept.get("bytes")))
                nlayers = kept.get("layers")
                if isinstance(nlayers, int) and not isinstance(nlayers, bool):
                    para += nodes.Text(" in %d layer%s" % (nlayers, "" if nlayers == 1 else "s"))
                pkgs = kept.get("packages") or []
                if pkgs:
                    para += nodes.Text(" and %d package%s:" % (len(pkgs), "" if len(pkgs) == 1 else "s"))
                    container += para
                    container += _literal_list(pkgs)
                else:
                    para += nodes.Text(".")
                    container += para
        return [container]


    def _missing_note(self, shown, cmd):
        """One note saying how to get real sizes. A diagram of this page that reads the
        same report already added its own "Sizes not measured yet" note: it is removed,
        so the reader gets one note, here, and not two saying the same thing."""
        for earlier in list(self.state.document.findall(nodes.note)):
            if "atmograph-sizes-missing" in earlier.get("classes", []):
                earlier.parent.remove(earlier)
        note = nodes.note(classes=["atmo-report-missing"])
        para = nodes.paragraph()
        para += nodes.Text("No sizes yet: these pages were built before the images were. "
                           "To see real sizes here and on the diagrams, run ")
        para += nodes.literal(cmd, cmd)
        para += nodes.Text(" (it builds the images and writes ")
        para += nodes.literal(shown, shown)
        para += nodes.Text("), then ")
        para += nodes.literal("make html", "make html")
        para += nodes.Text(" again.")
        note += para
        return note


def setup(app):
    app.add_config_value("atmo_reports", {}, "env")
    app.add_directive("atmo-report", AtmoReport)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
