"""atmograph: Dockerfile stage graphs, image sizes and diagrams, over a C core.

Every function returns the same structure as the matching CLI command's ``--json``
(dicts and lists converted directly from the library's JSON documents, each with
a ``"schema"``). Errors raise :class:`Error` or one of its subclasses, which carry
``filename``, ``line``, ``column`` (0 when unknown), ``code`` (the library's
negative ``ATMO_E*`` value), ``reason`` and ``text`` (the message without the
location). The C calls release the GIL while they parse, read images and render.

A Dockerfile argument is *text* when it is ``bytes`` or a ``str`` holding a newline,
and a *path* otherwise (``str`` without a newline or ``os.PathLike``).
"""

import os

from . import _core
from ._core import (  # noqa: F401  (re-exported)
    CancelledError,
    EngineError,
    Error,
    ImageError,
    ImageLimitError,
    ImageNotFoundError,
    ImageReadError,
    InvalidImageError,
    InvalidInputError,
    LimitError,
    NotFoundError,
    ParseError,
    ReadError,
    UnsupportedError,
    UnsupportedImageError,
    VerifyError,
)

__version__ = _core.version()

__all__ = [
    "Error", "InvalidInputError", "ParseError", "NotFoundError", "ReadError",
    "UnsupportedError", "ImageError", "VerifyError", "CancelledError", "EngineError",
    "LimitError", "InvalidImageError", "ImageNotFoundError", "ImageReadError",
    "UnsupportedImageError", "ImageLimitError", "parse", "parse_file", "dump", "stages", "graph", "render", "describe",
    "render_with_warnings", "check_render_options", "inspect_image", "image_diff", "sizes", "load_bake", "bake_graph",
    "plan", "annotate", "annotate_sizes", "report_find_target", "graphviz_version", "read_dockerfile", "__version__",
    "registry_auth_file", "check", "check_junit", "check_report",
]


# ---- argument checks: a wrong type is a TypeError naming the argument ----------

def _wrong(name, what, value):
    return TypeError("%s must be %s, not %s" % (name, what, type(value).__name__))


def _opt_str(name, value):
    if value is not None and not isinstance(value, str):
        raise _wrong(name, "str or None", value)
    return value


def _str(name, value):
    if not isinstance(value, str):
        raise _wrong(name, "str", value)
    return value


def _flag(name, value):
    if not isinstance(value, (bool, int)):
        raise _wrong(name, "bool", value)
    return bool(value)


def _int(name, value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong(name, "int", value)
    return value


def _num(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _wrong(name, "a number", value)
    return float(value)


def _path(name, value):
    if not isinstance(value, (str, bytes, os.PathLike)):
        raise _wrong(name, "a path (str or os.PathLike)", value)
    path = os.fspath(value)
    return os.fsdecode(path) if isinstance(path, bytes) else path


def _opt_path(name, value):
    return None if value is None else _path(name, value)


def _text(name, value):
    if not isinstance(value, (str, bytes, bytearray)):
        raise _wrong(name, "Dockerfile text (str or bytes)", value)
    return bytes(value) if isinstance(value, bytearray) else value


def _kv(name, value):
    """None, a dict {K: V} or a list/tuple of "K=V" strings."""
    if value is None or isinstance(value, dict):
        if value and not all(isinstance(k, str) for k in value):
            raise TypeError("%s: keys must be str" % name)
        return value
    if isinstance(value, (list, tuple)):
        for item in value:
            if not isinstance(item, str):
                raise TypeError("%s: items must be 'K=V' strings, not %s"
                                % (name, type(item).__name__))
        return value
    raise _wrong(name, "a dict or a list of 'K=V' strings", value)


def _names(name, value):
    """None or a list/tuple of str."""
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        raise _wrong(name, "a list of names", value)
    for item in value:
        if not isinstance(item, str):
            raise TypeError("%s: items must be str, not %s" % (name, type(item).__name__))
    return value


def _paths(name, value):
    """A path or a list/tuple of paths."""
    if isinstance(value, (str, bytes, os.PathLike)):
        return _path(name, value)
    if not isinstance(value, (list, tuple)):
        raise _wrong(name, "a path or a list of paths", value)
    return [_path(name, v) for v in value]


def _doc(name, value, text=False):
    """A JSON document: a dict (or, where text is allowed, its JSON text)."""
    if isinstance(value, dict) or (text and isinstance(value, (str, bytes))):
        return value
    raise _wrong(name, "a dict or its JSON text" if text else "a dict", value)


def read_dockerfile(dockerfile, filename=None):
    """Return ``(text, filename)`` for a Dockerfile given as text or as a path."""
    _opt_str("filename", filename)
    if isinstance(dockerfile, (bytes, bytearray)):
        return bytes(dockerfile), filename
    if isinstance(dockerfile, str) and "\n" in dockerfile:
        return dockerfile, filename
    if isinstance(dockerfile, (str, os.PathLike)):
        path = os.fspath(dockerfile)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        return _core.read_file(path), filename if filename is not None else path
    raise TypeError("dockerfile must be text (str with a newline, bytes) or a path, not %s"
                    % type(dockerfile).__name__)


def parse(source, *, filename=None):
    """Parse Dockerfile text (str or bytes): the ``atmograph.parse/1`` document."""
    return _core.parse(_text("source", source), filename=_opt_str("filename", filename))


def parse_file(path):
    """Parse the Dockerfile at ``path`` (errors name the path)."""
    path = _path("path", path)
    return _core.parse(_core.read_file(path), filename=path)


def dump(source, *, filename=None):
    """BuildKit's ``result`` dump of Dockerfile text (one line per instruction)."""
    return _core.parse(_text("source", source), filename=_opt_str("filename", filename),
                       dump=True)


def graph(dockerfile, *, target=None, build_args=None, build_contexts=None, image_id=None,
          filename=None):
    """The stage graph document (``atmograph.graph/1``) of one Dockerfile.

    ``build_args`` and ``build_contexts``: a dict ``{K: V}`` or a list of ``"K=V"``.
    """
    text, name = read_dockerfile(dockerfile, filename)
    return _core.graph(text, filename=name, target=_opt_str("target", target),
                       build_args=_kv("build_args", build_args),
                       build_contexts=_kv("build_contexts", build_contexts),
                       image_id=_opt_str("image_id", image_id))


def stages(dockerfile, *, target=None, build_args=None, build_contexts=None, filename=None):
    """The stage list of a Dockerfile (``atmograph.stages/1``, as ``atmograph stages --json``)."""
    text, name = read_dockerfile(dockerfile, filename)
    return _core.stages(text, filename=name, target=_opt_str("target", target),
                        build_args=_kv("build_args", build_args),
                        build_contexts=_kv("build_contexts", build_contexts))


def render_with_warnings(graph_doc, *, format="svg", rankdir=None, layers=False, legend=False,
                         scratch=True, max_label_length=0, theme="light", link_base=None,
                         dpi=0.0, fixed_size=False, id_prefix=None, svg_inline=False, detail=None, path=None):
    """Render a graph document; returns ``(bytes, warnings)`` (Graphviz's warnings).

    ``graph_doc`` is the document (a dict) or its JSON text (str or bytes), which is parsed
    without the GIL. ``path``: also write the output there, atomically (a temporary file
    renamed into place, nothing left on failure), without the GIL.
    """
    return _core.render(_doc("graph_doc", graph_doc, text=True), format=_str("format", format),
                        rankdir=_opt_str("rankdir", rankdir), layers=_flag("layers", layers),
                        legend=_flag("legend", legend), scratch=_flag("scratch", scratch),
                        max_label_length=_int("max_label_length", max_label_length),
                        theme=_str("theme", theme), link_base=_opt_str("link_base", link_base),
                        dpi=_num("dpi", dpi), fixed_size=_flag("fixed_size", fixed_size),
                        id_prefix=_opt_str("id_prefix", id_prefix),
                        svg_inline=_flag("svg_inline", svg_inline),
                        detail=_opt_str("detail", detail), path=_opt_path("path", path))


def check_render_options(*, format="svg", rankdir=None, layers=False, legend=False,
                         scratch=True, max_label_length=0, theme="light", link_base=None,
                         dpi=0.0, fixed_size=False, id_prefix=None, svg_inline=False, detail=None):
    """Check render options as :func:`render` does, without a graph document: raises
    :class:`InvalidInputError` naming the option and its value (e.g. ``theme "blue" is not
    light or dark``), ``ValueError`` for an unknown format or a negative length."""
    _core.check_render_options(format=_str("format", format), rankdir=_opt_str("rankdir", rankdir),
                               layers=_flag("layers", layers), legend=_flag("legend", legend),
                               scratch=_flag("scratch", scratch),
                               max_label_length=_int("max_label_length", max_label_length),
                               theme=_str("theme", theme),
                               link_base=_opt_str("link_base", link_base), dpi=_num("dpi", dpi),
                               fixed_size=_flag("fixed_size", fixed_size),
                               id_prefix=_opt_str("id_prefix", id_prefix),
                               svg_inline=_flag("svg_inline", svg_inline),
                               detail=_opt_str("detail", detail))


def describe(graph_doc, *, detail=None):
    """The accessible name of the drawing :func:`render` makes (its SVG's aria-label, an
    alt text): the image and its stages in order by name (``stage 0`` when unnamed), or
    for a family overview (``detail``) its images."""
    return _core.describe(_doc("graph_doc", graph_doc, text=True), detail=_opt_str("detail", detail))


def render(graph_doc, *, format="svg", rankdir=None, layers=False, legend=False, scratch=True,
           max_label_length=0, theme="light", link_base=None, dpi=0.0, fixed_size=False,
           id_prefix=None, svg_inline=False, detail=None, path=None):
    """Render a graph document to ``svg``, ``png``, ``pdf``, ``dot``, ``json`` or ``text`` bytes.

    ``graph_doc``: the document or its JSON text. ``link_base``: each stage node links to
    ``LINK_BASE#<anchor>`` (``""`` for links within the page); None: no links.
    ``id_prefix``: SVG only, put before every element id (``[A-Za-z0-9_-]`` kept) so that
    several diagrams can sit inline in one HTML page; ``svg_inline``: SVG without the XML
    declaration, for placing inside HTML. ``path``: also write the bytes there atomically.
    ``rankdir``: ``"LR"``, ``"TB"`` or None (``"auto"``: the direction that reads larger in
    a 700 px column). ``detail``: ``"overview"`` (one node per image), ``"stages"``, or None
    (``"auto"``: the overview for a document of several images). ``max_label_length``: 0 for
    the default 64; longer names are shortened in the middle, the tooltip has them whole.
    """
    data, _ = render_with_warnings(graph_doc, format=format, rankdir=rankdir, layers=layers,
                                   legend=legend, scratch=scratch,
                                   max_label_length=max_label_length, theme=theme,
                                   link_base=link_base, dpi=dpi, fixed_size=fixed_size,
                                   id_prefix=id_prefix, svg_inline=svg_inline, detail=detail,
                                   path=path)
    return data


def registry_auth_file():
    """The registry credentials file the CLI would use, or None.

    The first of ``$REGISTRY_AUTH_FILE``, ``$XDG_RUNTIME_DIR/containers/auth.json``,
    ``$DOCKER_CONFIG/config.json`` and ``~/.docker/config.json`` (the last three when
    they exist). The C library reads no environment variable; this face does.
    """
    env = os.environ.get("REGISTRY_AUTH_FILE")
    if env:
        return env
    candidates = []
    if os.environ.get("XDG_RUNTIME_DIR"):
        candidates.append(os.path.join(os.environ["XDG_RUNTIME_DIR"], "containers", "auth.json"))
    if os.environ.get("DOCKER_CONFIG"):
        candidates.append(os.path.join(os.environ["DOCKER_CONFIG"], "config.json"))
    if os.environ.get("HOME"):
        candidates.append(os.path.join(os.environ["HOME"], ".docker", "config.json"))
    for c in candidates:
        if os.access(c, os.R_OK):
            return c
    return None


def _registry_opts(auth_file, insecure_registries, ca_file):
    auth_file, ca_file = _opt_path("auth_file", auth_file), _opt_path("ca_file", ca_file)
    if isinstance(insecure_registries, (list, tuple)):
        insecure_registries = ",".join(_names("insecure_registries", insecure_registries))
    else:
        _opt_str("insecure_registries", insecure_registries)
    return {"auth_file": auth_file if auth_file is not None else registry_auth_file(),
            "insecure_registries": insecure_registries or None, "ca_file": ca_file}


def inspect_image(path, *, ref=None, verify=False, files=10, packages=False, platform=None,
                  auth_file=None, insecure_registries=None, ca_file=None):
    """Read an image: ``atmograph.image/1``.

    ``path``: a docker-archive, an OCI layout or oci-archive, or a registry image
    ``docker://HOST[:PORT]/REPO[:TAG|@DIGEST]`` (``auth_file``: credentials, by default
    :func:`registry_auth_file`; ``insecure_registries``: ``HOST[:PORT]`` names spoken
    to over plain HTTP or unverified TLS; ``ca_file``: CAs to trust).
    """
    return _core.inspect_image(_path("path", path), ref=_opt_str("ref", ref),
                               verify=_flag("verify", verify), files=_int("files", files),
                               packages=_flag("packages", packages),
                               platform=_opt_str("platform", platform),
                               **_registry_opts(auth_file, insecure_registries, ca_file))


def image_diff(a, b, *, max_files=0, packages=False, auth_file=None, insecure_registries=None,
               ca_file=None):
    """Compare two images (files or ``docker://`` references): ``atmograph.diff/1``."""
    return _core.image_diff(_path("a", a), _path("b", b), max_files=_int("max_files", max_files),
                            packages=_flag("packages", packages),
                            **_registry_opts(auth_file, insecure_registries, ca_file))


def check(images, *, rules=None, rules_file=None, platform=None, verify=False, auth_file=None,
          insecure_registries=None, ca_file=None):
    """Measure images against CI rules: the ``atmograph.check/1`` document.

    ``images``: one path or ``docker://`` reference, or a sequence of them. ``rules``:
    ``{rule: value}`` with dive's names (``lowestEfficiency``, ``highestWastedBytes``,
    ``highestUserWastedPercent``, ...) or the options' (``lowest-efficiency``, ...); values
    as the command line takes them (``0.9``, ``"90%"``, ``"20MB"``, ``None`` for off; a list
    for ``forbidPackages``). ``rules_file``: a JSON or YAML rules file read first. With no
    rule at all, dive's defaults. ``doc["passed"]`` says whether every rule passed.
    """
    images = _paths("images", images)
    if not isinstance(images, list):
        images = [images]
    if rules is not None and not isinstance(rules, dict):
        raise _wrong("rules", "a dict {rule: value} or None", rules)
    return _core.check(images, rules=rules, rules_file=_opt_path("rules_file", rules_file),
                       platform=_opt_str("platform", platform), verify=_flag("verify", verify),
                       **_registry_opts(auth_file, insecure_registries, ca_file))


def check_report(report, *, rules=None, rules_file=None):
    """Measure what a build made (``atmograph build --check``): the image of every target of
    a build report (``atmograph.build-report/1``, a dict) that was built or cached, read from
    the archive the build exported, against the rules of :func:`check`. Each image entry
    of the ``atmograph.check/1`` document also names its ``target``."""
    if rules is not None and not isinstance(rules, dict):
        raise _wrong("rules", "a dict {rule: value} or None", rules)
    return _core.check_report(_doc("report", report), rules=rules,
                              rules_file=_opt_path("rules_file", rules_file))


def check_junit(doc):
    """A check document (:func:`check`) as JUnit XML text."""
    return _core.check_junit(_doc("doc", doc))


def sizes(dockerfile, images, *, target=None, build_args=None, build_contexts=None,
          verify=False, packages=True, filename=None, auth_file=None,
          insecure_registries=None, ca_file=None):
    """Stage sizes (``atmograph.sizes/1``): bytes each stage adds, from images built per stage.

    ``images``: ``{stage: image path}`` (each built with ``--target STAGE``).
    """
    text, name = read_dockerfile(dockerfile, filename)
    if not isinstance(images, dict):
        raise _wrong("images", "a dict {stage: image path}", images)
    images = {str(k): _path("images[%r]" % (k,), v) for k, v in images.items()}
    return _core.sizes(text, images, filename=name, target=_opt_str("target", target),
                       build_args=_kv("build_args", build_args),
                       build_contexts=_kv("build_contexts", build_contexts),
                       verify=_flag("verify", verify), packages=_flag("packages", packages),
                       **_registry_opts(auth_file, insecure_registries, ca_file))


def load_bake(paths, *, targets=None, set_vars=None, no_env=False, overrides=None):
    """Load bake files, HCL or JSON (a path or a list): the resolved
    ``docker buildx bake --print`` form.

    ``set_vars``: variable values (``--var``), a dict or a list of ``"NAME=VALUE"``.
    ``overrides``: buildx's ``--set`` values, a list of ``"PATTERN.KEY=VALUE"``.
    """
    return _core.load_bake(_paths("paths", paths), targets=_names("targets", targets),
                           set_vars=_kv("set_vars", set_vars), no_env=_flag("no_env", no_env),
                           overrides=_names("overrides", overrides))


def bake_graph(paths, *, targets=None, set_vars=None, no_env=False, overrides=None):
    """The multi-image graph document of bake targets (one cluster per target)."""
    return _core.bake_graph(_paths("paths", paths), targets=_names("targets", targets),
                            set_vars=_kv("set_vars", set_vars), no_env=_flag("no_env", no_env),
                            overrides=_names("overrides", overrides))


def plan(paths, *, targets=None, set_vars=None, no_env=False, engine=None, stages=False,
         work_dir=None, lower=None, overrides=None, builder=None, push=False):
    """The build plan (``atmograph.plan/1``): waves of independent targets, engine argv.
    ``builder`` names a docker buildx builder (docker engine only); ``push`` pushes each
    target to all its tags (docker: ``--push``; buildah/podman: a push step per tag)."""
    return _core.plan(_paths("paths", paths), targets=_names("targets", targets),
                      set_vars=_kv("set_vars", set_vars), no_env=_flag("no_env", no_env),
                      engine=_opt_str("engine", engine), stages=_flag("stages", stages),
                      work_dir=_opt_path("work_dir", work_dir),
                      lower=-1 if lower is None else int(_flag("lower", lower)),
                      overrides=_names("overrides", overrides),
                      builder=_opt_str("builder", builder), push=_flag("push", push))


def annotate(graph_doc, report):
    """A copy of ``graph_doc`` with the measured sizes of a build report added."""
    return _core.annotate(_doc("graph_doc", graph_doc), _doc("report", report))


def annotate_sizes(graph_doc, sizes_doc):
    """A copy of ``graph_doc`` with the figures of a sizes document (:func:`sizes` of the
    same Dockerfile, same options) added: the same fields :func:`annotate` adds."""
    return _core.annotate_sizes(_doc("graph_doc", graph_doc), _doc("sizes_doc", sizes_doc))


def report_find_target(report, dockerfile, bases=()):
    """The name of the build report's target whose ``dockerfile`` is the file at
    ``dockerfile`` (compared as files, so any spelling of the path matches). A relative
    path of the report is tried against each directory of ``bases`` (the current
    directory when empty). When several targets build the file, the name that sorts
    first. Raises :class:`NotFoundError` when none does, :class:`InvalidInputError`
    when ``report`` is not a build report."""
    if bases is None:
        bases = ()
    if not isinstance(bases, (list, tuple)):
        raise _wrong("bases", "a list of paths", bases)
    return _core.report_find_target(_doc("report", report), _path("dockerfile", dockerfile),
                                    [_path("bases", b) for b in bases])


def graphviz_version():
    """The Graphviz version the library renders with."""
    return _core.graphviz_version()
