"""Run the real ``atmograph`` program while the docs build and show what it prints.

Directives:

``.. atmo-command:: ARGS``
    Runs ``atmograph ARGS`` (split like a shell would, no shell involved) in the
    repository root and inserts a literal block with the command line and its output.
    Options: ``:returncode: N`` (expected exit status, default 0), ``:stderr:`` (show
    standard error after standard output), ``:language: NAME`` (highlighting, e.g. json),
    ``:lines: N`` (keep the first N lines, then say how many were left out),
    ``:stdin: PATH`` (a file, relative to the repository root, fed to standard input),
    ``:no-prompt:`` (leave the ``$ atmograph ...`` line out), ``:caption: TEXT``.
    A different exit status, a program that cannot run, or a run longer than
    ``atmo_cli_timeout`` seconds is a warning with the directive's location
    (an error under ``-W``).

``.. atmo-cli-reference::``
    One section per subcommand listed by ``atmograph --help``, each with the command's
    summary and its complete ``--help`` text, so that the reference names every command
    and option the program has at the time of the build.

``.. atmo-python::``
    The directive's content is Python code, run with the interpreter that builds the docs
    (``sys.executable``, in the repository root, with the same ``PYTHONPATH``); the page
    shows the code and then what it printed. A non-zero exit status is a warning.

``.. atmo-json::``
    Documents a JSON document type by running the command that prints one
    (``:command: ARGS``, usually with ``--json``) and checking the output against the
    fields the content describes. The content is a field list: lines ``PATH: meaning``
    (continuation lines indented), where PATH is a dotted path, ``[]`` after an array's
    name, ``*`` for any key of an object whose keys are names (targets, stages) and ``**``
    for everything below. Every field the real output has must be described (a warning
    otherwise), and ``:schema:`` must be its ``"schema"``. The page shows the table of
    fields and the output (``:lines: N`` of it, default 40). Without ``:command:``,
    ``:file: PATH`` (relative to the repository) is read when it exists.

Config: ``atmo_cli_program`` (path of the program), ``atmo_cli_cwd`` (working directory),
``atmo_cli_timeout`` (seconds, default 60).
"""
import json
import os
import re
import shlex
import subprocess

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

__version__ = "1.0"


def _subst(app, text):
    """Replace {NAME} by the values of atmo_cli_substitutions (config) and of the
    extensions (app.atmo_cli_substitutions, e.g. {demo})."""
    values = dict(app.config.atmo_cli_substitutions or {})
    values.update(getattr(app, "atmo_cli_substitutions", {}))
    for key, value in values.items():
        text = text.replace("{%s}" % key, value)
    return text


def _run(app, argv, stdin_path=None):
    """Run the program with argv; returns (returncode, stdout, stderr) or raises OSError."""
    program = app.config.atmo_cli_program
    cwd = app.config.atmo_cli_cwd or None
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    env["COLUMNS"] = "80"
    stdin = subprocess.DEVNULL
    fh = None
    try:
        if stdin_path:
            fh = open(os.path.join(cwd or ".", stdin_path), "rb")
            stdin = fh
        proc = subprocess.run([program] + list(argv), cwd=cwd, env=env, stdin=stdin,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=app.config.atmo_cli_timeout, check=False)
    finally:
        if fh:
            fh.close()
    return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"))


class AtmoCommand(SphinxDirective):
    """``.. atmo-command:: ARGS``: the real output of ``atmograph ARGS``."""

    has_content = False
    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = {
        "returncode": directives.nonnegative_int,
        "stderr": directives.flag,
        "language": directives.unchanged,
        "lines": directives.positive_int,
        "stdin": directives.unchanged,
        "no-prompt": directives.flag,
        "caption": directives.unchanged,
    }

    def run(self):
        text = _subst(self.env.app, self.arguments[0] if self.arguments else "")
        try:
            argv = shlex.split(text)
        except ValueError as exc:
            logger.warning("atmo-command: cannot split %r: %s", text, exc,
                           location=self.get_location())
            return []
        program = self.config.atmo_cli_program
        if os.path.exists(program):
            self.env.note_dependency(os.path.abspath(program))
        stdin_path = self.options.get("stdin")
        if stdin_path:
            self.env.note_dependency(os.path.join(self.config.atmo_cli_cwd, stdin_path))
        for arg in argv:  # rebuild the page when a file the command reads changes
            path = os.path.join(self.config.atmo_cli_cwd, arg)
            if not arg.startswith("-") and os.path.isfile(path):
                self.env.note_dependency(os.path.abspath(path))
        try:
            code, out, err = _run(self.env.app, argv, stdin_path)
        except (OSError, subprocess.SubprocessError) as exc:
            logger.warning("atmo-command: cannot run 'atmograph %s': %s", text, exc,
                           location=self.get_location())
            return []
        expected = self.options.get("returncode", 0)
        if code != expected:
            logger.warning("atmo-command: 'atmograph %s' exited with %d (expected %d): %s",
                           text, code, expected, (err or out).strip()[:400],
                           location=self.get_location())
        body = out
        if "stderr" in self.options and err:
            body = body + ("" if not body or body.endswith("\n") else "\n") + err
        lines = body.rstrip("\n").split("\n") if body.strip() else []
        limit = self.options.get("lines")
        if limit and len(lines) > limit:
            left = len(lines) - limit
            lines = lines[:limit] + ["... (%d more line%s)" % (left, "" if left == 1 else "s")]
        language = self.options.get("language", "text")
        prompt = "$ atmograph " + text + (" < " + stdin_path if stdin_path else "")
        caption = self.options.get("caption")
        if "no-prompt" not in self.options:
            if language == "text":
                lines = [prompt] + lines
            elif not caption:
                caption = prompt  # a highlighted language: the command line as the caption
        block = nodes.literal_block("\n".join(lines), "\n".join(lines))
        block["language"] = language
        block["classes"].append("atmo-command-output")
        self.set_source_info(block)
        if caption:
            from sphinx.directives.code import container_wrapper
            return [container_wrapper(self, block, caption)]
        return [block]


_COMMAND_LINE = re.compile(r"^  ([a-z][a-z0-9-]*)\s{2,}(\S.*)$")


def list_commands(app):
    """The subcommands and summaries printed by ``atmograph --help``, in order."""
    code, out, _ = _run(app, ["--help"])
    if code != 0:
        raise RuntimeError("'atmograph --help' exited with %d" % code)
    commands = []
    in_list = False
    for line in out.splitlines():
        if line.strip().lower().startswith("commands:"):
            in_list = True
            continue
        if in_list:
            m = _COMMAND_LINE.match(line)
            if m:
                commands.append((m.group(1), m.group(2).strip()))
            elif commands and not line.strip():
                break
    return commands


class AtmoCliReference(SphinxDirective):
    """``.. atmo-cli-reference::``: a section per subcommand with its ``--help``."""

    has_content = False
    option_spec = {}

    def run(self):
        program = self.config.atmo_cli_program
        if os.path.exists(program):
            self.env.note_dependency(os.path.abspath(program))
        try:
            commands = list_commands(self.env.app)
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
            logger.warning("atmo-cli-reference: %s", exc, location=self.get_location())
            return []
        if not commands:
            logger.warning("atmo-cli-reference: 'atmograph --help' lists no command",
                           location=self.get_location())
            return []
        result = []
        for name, summary in commands:
            section_id = "cli-" + name
            section = nodes.section(ids=[section_id], names=[section_id])
            self.state.document.note_explicit_target(section)
            title = "atmograph " + name
            section += nodes.title(title, title)
            section += nodes.paragraph(summary[0].upper() + summary[1:] + ".",
                                       summary[0].upper() + summary[1:] + ".")
            try:
                code, out, err = _run(self.env.app, [name, "--help"])
            except (OSError, subprocess.SubprocessError) as exc:
                logger.warning("atmo-cli-reference: 'atmograph %s --help': %s", name, exc,
                               location=self.get_location())
                continue
            if code != 0 or not out.strip():
                logger.warning("atmo-cli-reference: 'atmograph %s --help' exited with %d: %s",
                               name, code, (err or out).strip()[:400],
                               location=self.get_location())
            text = "$ atmograph %s --help\n%s" % (name, out.rstrip("\n"))
            block = nodes.literal_block(text, text)
            block["language"] = "text"
            block["classes"].append("atmo-command-output")
            self.set_source_info(block)
            section += block
            result.append(section)
        return result


class AtmoPython(SphinxDirective):
    """``.. atmo-python::`` + code: the code and its real output."""

    has_content = True
    option_spec = {"caption": directives.unchanged}

    def run(self):
        import sys
        code = "\n".join(self.content)
        env = dict(os.environ)
        env["LC_ALL"] = "C.UTF-8"
        try:  # the atmograph package the docs are built with, whatever PYTHONPATH says
            import atmograph
            pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(atmograph.__file__)))
            env["PYTHONPATH"] = os.pathsep.join(
                [pkg_parent] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
        except ImportError:
            pass
        try:
            proc = subprocess.run([sys.executable, "-c", code], cwd=self.config.atmo_cli_cwd or None,
                                  env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, timeout=self.config.atmo_cli_timeout,
                                  check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            logger.warning("atmo-python: cannot run the example: %s", exc,
                           location=self.get_location())
            return []
        out = proc.stdout.decode("utf-8", "replace")
        if proc.returncode != 0:
            logger.warning("atmo-python: the example exited with %d: %s", proc.returncode,
                           proc.stderr.decode("utf-8", "replace").strip()[-600:],
                           location=self.get_location())
        src = nodes.literal_block(code, code)
        src["language"] = "python"
        self.set_source_info(src)
        result = [src]
        if out.strip():
            shown = out.rstrip("\n")
            block = nodes.literal_block(shown, shown)
            block["language"] = "text"
            block["classes"].append("atmo-command-output")
            self.set_source_info(block)
            result.append(nodes.paragraph("It prints:", "It prints:"))
            result.append(block)
        return result


def _flatten(value, prefix, out):
    """Every path of a JSON value: (components, is_container); arrays as "name[]"."""
    if isinstance(value, dict):
        for k, v in value.items():
            path = prefix + [k + "[]" if isinstance(v, list) else k]
            out.append((path, isinstance(v, (dict, list)) and bool(v)))
            _flatten(v, path, out)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                _flatten(item, prefix, out)


def _match(pattern, path):
    """pattern, path: lists of components; '*' any one key, '**' anything below."""
    import fnmatch
    for i, comp in enumerate(pattern):
        if comp == "**":
            return True
        if i >= len(path):
            return False
        p = path[i]
        if comp.endswith("[]") != p.endswith("[]"):
            if comp == "*[]" and p.endswith("[]"):
                continue
            return False
        if not fnmatch.fnmatchcase(p.rstrip("[]") if comp.endswith("[]") else p,
                                   comp.rstrip("[]") if comp.endswith("[]") else comp):
            return False
    return len(pattern) == len(path)


def _covers(pattern, path, is_container):
    if _match(pattern, path):
        return True
    if "**" in pattern and _match(pattern, path + ["x"]):
        return True
    # a container is described by the description of its fields
    return is_container and len(pattern) > len(path) and _match(pattern[:len(path)], path)


def _split_path(text):
    return [c for c in text.strip().split(".") if c]


class AtmoJson(SphinxDirective):
    """``.. atmo-json::`` -- the fields of a JSON document, checked against real output."""

    has_content = True
    option_spec = {
        "command": directives.unchanged,
        "file": directives.unchanged,
        "schema": directives.unchanged,
        "lines": directives.positive_int,
        "returncode": directives.nonnegative_int,
    }

    def _fields(self):
        fields = []
        for offset, line in enumerate(self.content):
            if not line.strip():
                continue
            if line[:1].isspace() and fields:
                fields[-1][1].append(line.strip())
                continue
            if ":" not in line:
                logger.warning("atmo-json: expected 'PATH: meaning', not %r", line,
                               location=(self.env.docname, self.content_offset + offset + 1))
                continue
            path, meaning = line.split(":", 1)
            fields.append((path.strip(), [meaning.strip()], self.content_offset + offset))
        return fields

    def run(self):
        fields = self._fields()
        doc = None
        shown = None
        label = None
        cmd = self.options.get("command")
        if cmd:
            cmd = _subst(self.env.app, cmd)
            program = self.config.atmo_cli_program
            if os.path.exists(program):
                self.env.note_dependency(os.path.abspath(program))
            try:
                code, out, err = _run(self.env.app, shlex.split(cmd))
            except (OSError, ValueError, subprocess.SubprocessError) as exc:
                logger.warning("atmo-json: cannot run 'atmograph %s': %s", cmd, exc,
                               location=self.get_location())
                return []
            if code != self.options.get("returncode", 0):
                logger.warning("atmo-json: 'atmograph %s' exited with %d: %s", cmd, code,
                               err.strip()[:400], location=self.get_location())
            shown, label = out, "$ atmograph " + cmd
        elif self.options.get("file"):
            rel = _subst(self.env.app, self.options["file"])
            path = os.path.join(self.config.atmo_cli_cwd, rel)
            self.env.note_dependency(os.path.abspath(path))
            if os.path.isfile(path):
                with open(path, encoding="utf-8") as fh:
                    shown = fh.read()
                label = "$ cat " + rel
        if shown is not None:
            try:
                doc = json.loads(shown)
            except ValueError as exc:
                logger.warning("atmo-json: the output is not JSON: %s", exc,
                               location=self.get_location())
                doc = None
        if doc is not None:
            want = self.options.get("schema")
            if want and (not isinstance(doc, dict) or doc.get("schema") != want):
                logger.warning("atmo-json: expected schema %r, the output has %r", want,
                               doc.get("schema") if isinstance(doc, dict) else None,
                               location=self.get_location())
            paths = []
            _flatten(doc, [], paths)
            patterns = [_split_path(f[0]) for f in fields]
            missing = sorted({".".join(p) for p, container in paths
                              if not any(_covers(pat, p, container) for pat in patterns)})
            if missing:
                logger.warning("atmo-json: fields of the real output that the page does not "
                               "describe: %s", ", ".join(missing),
                               location=self.get_location())

        table = nodes.table(classes=["atmo-json-fields"])
        group = nodes.tgroup(cols=2)
        table += group
        group += nodes.colspec(colwidth=2)
        group += nodes.colspec(colwidth=5)
        head = nodes.thead()
        group += head
        row = nodes.row()
        for h in ("field", "meaning"):
            row += nodes.entry("", nodes.paragraph(h, h))
        head += row
        body = nodes.tbody()
        group += body
        for path, meaning, offset in fields:
            row = nodes.row()
            row += nodes.entry("", nodes.paragraph("", "", nodes.literal(path, path)))
            text = " ".join(meaning)
            inodes, messages = self.state.inline_text(text, offset + 1)
            row += nodes.entry("", nodes.paragraph(text, "", *inodes), *messages)
            body += row
        result = [table]
        if shown is not None and doc is not None:
            pretty = json.dumps(doc, indent=2, ensure_ascii=False)
            lines = pretty.split("\n")
            limit = self.options.get("lines", 40)
            if len(lines) > limit:
                lines = lines[:limit] + ["... (%d more lines)" % (len(lines) - limit)]
            text = label + "\n" + "\n".join(lines)
            block = nodes.literal_block(text, text)
            block["language"] = "text"
            block["classes"].append("atmo-command-output")
            self.set_source_info(block)
            result.append(block)
        return result


def setup(app):
    app.add_directive("atmo-python", AtmoPython)
    app.add_directive("atmo-json", AtmoJson)
    app.add_config_value("atmo_cli_program", "atmograph", "env")
    app.add_config_value("atmo_cli_cwd", "", "env")
    app.add_config_value("atmo_cli_timeout", 60, "env")
    app.add_config_value("atmo_cli_substitutions", {}, "env")
    app.add_directive("atmo-command", AtmoCommand)
    app.add_directive("atmo-cli-reference", AtmoCliReference)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
