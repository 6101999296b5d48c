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


def read_dockerfile(dockerfile, filename=None):
    """Return ``(text, filename)`` for a Dockerfile given as text or as a path."""
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
    return _core.parse(source, filename=filename)


def parse_file(path):
    """Parse the Dockerfile at ``path`` (errors name the path)."""
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    return _core.parse(_core.read_file(path), filename=path)


def dump(source, *, filename=None):
    """BuildKit's ``result`` dump of Dockerfile text (one line per instruction)."""
    return _core.parse(source, filename=filename, dump=True)


def graph(dockerfile, *, target=None, build_args=None, build_contexts=None, image_id=None,
          filename=None):
    """The stage graph document (``atmograph.graph/1``) of one Dockerfile.

    ``build_args`` and ``build_contexts``: a dict ``{K: V}`` or a list of ``"K=V"``.
    """
    text, name = read_dockerfile(dockerfile, filename)
    return _core.graph(text, filename=name, target=target, build_args=build_args,
                          build_contexts=build_contexts, image_id=image_id)


def stages(dockerfile, *, target=None, build_args=None, build_contexts=None, filename=None):
    """The stage list of a Dockerfile (``atmograph.stages/1``, as ``atmograph stages --json``)."""
    text, name = read_dockerfile(dockerfile, filename)
    return _core.stages(text, filename=name, target=target, build_args=build_args,
                           build_contexts=build_contexts)


def render_with_warnings(graph_doc, *, format="svg", rankdir=None, layers=False, legend=False,
                         scratch=True, max_label_length=0, theme="light", link_base=None,
                         dpi=0.0, fixed_size=False, id_prefix=None, svg_inline=False, detail=None, path=None):
    """Render a graph document; returns ``(bytes, warnings)`` (Graphviz's warnings).

    ``graph_doc`` is the document (a dict) or its JSON text (str or bytes), which is parsed
    without the GIL. ``path``: also write the output there, atomically (a temporary file
    renamed into place, nothing left on failure), without the GIL.
    """
    return _core.render(graph_doc, format=format, rankdir=rankdir, layers=bool(layers),
                        legend=bool(legend), scratch=bool(scratch),
                        max_label_length=int(max_label_length), theme=theme,
                        link_base=link_base, dpi=float(dpi), fixed_size=bool(fixed_size),
                        id_prefix=id_prefix, svg_inline=bool(svg_inline), detail=detail,
                        path=None if path is None else os.fspath(path))


def check_render_options(*, format="svg", rankdir=None, layers=False, legend=False,
                         scratch=True, max_label_length=0, theme="light", link_base=None,
                         dpi=0.0, fixed_size=False, id_prefix=None, svg_inline=False, detail=None):
    """Check render options as :func:`render` does, without a graph document: raises
    :class:`InvalidInputError` naming the option and its value (e.g. ``theme "blue" is not
    light or dark``), ``ValueError`` for an unknown format or a negative length."""
    _core.check_render_options(format=format, rankdir=rankdir, layers=bool(layers),
                               legend=bool(legend), scratch=bool(scratch),
                               max_label_length=int(max_label_length), theme=theme,
                               link_base=link_base, dpi=float(dpi), fixed_size=bool(fixed_size),
                               id_prefix=id_prefix, svg_inline=bool(svg_inline), detail=detail)


def describe(graph_doc, *, detail=None):
    """The accessible name of the drawing :func:`render` makes (its SVG's aria-label, an
    alt text): the image and its stages in order by name (``stage 0`` when unnamed), or
    for a family overview (``detail``) its images."""
    return _core.describe(graph_doc, detail=detail)


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
    if isinstance(insecure_registries, (list, tuple)):
        insecure_registries = ",".join(insecure_registries)
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
    return _core.inspect_image(path, ref=ref, verify=bool(verify), files=int(files),
                                  packages=bool(packages), platform=platform,
                                  **_registry_opts(auth_file, insecure_registries, ca_file))


def image_diff(a, b, *, max_files=0, packages=False, auth_file=None, insecure_registries=None,
               ca_file=None):
    """Compare two images (files or ``docker://`` references): ``atmograph.diff/1``."""
    return _core.image_diff(a, b, max_files=int(max_files), packages=bool(packages),
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
    if isinstance(images, (str, bytes, os.PathLike)):
        images = [images]
    return _core.check(list(images), rules=rules, rules_file=rules_file, platform=platform,
                       verify=bool(verify),
                       **_registry_opts(auth_file, insecure_registries, ca_file))


def check_report(report, *, rules=None, rules_file=None):
    """Measure what a build made (``atmograph build --check``): the image of every target of
    a build report (``atmograph.build-report/1``, a dict) that was built or cached, read from
    the archive the build exported, against the rules of :func:`check`. Each image entry
    of the ``atmograph.check/1`` document also names its ``target``."""
    return _core.check_report(report, rules=rules, rules_file=rules_file)


def check_junit(doc):
    """A check document (:func:`check`) as JUnit XML text."""
    return _core.check_junit(doc)


def sizes(dockerfile, images, *, target=None, build_args=None, build_contexts=None,
          verify=False, packages=True, filename=None, auth_file=None,
          insecure_registries=None, ca_file=None):
    """Stage sizes (``atmograph.sizes/1``): bytes each stage adds, from images built per stage.

    ``images``: ``{stage: image path}`` (each built with ``--target STAGE``).
    """
    text, name = read_dockerfile(dockerfile, filename)
    return _core.sizes(text, {str(k): v for k, v in images.items()}, filename=name,
                          target=target, build_args=build_args, build_contexts=build_contexts,
                          verify=bool(verify), packages=bool(packages),
                          **_registry_opts(auth_file, insecure_registries, ca_file))


def load_bake(paths, *, targets=None, set_vars=None, no_env=False):
    """Load bake files (a path or a list): the resolved ``docker buildx bake --print`` form.

    ``set_vars``: variable overrides, a dict or a list of ``"NAME=VALUE"``.
    """
    return _core.load_bake(paths, targets=targets, set_vars=set_vars, no_env=bool(no_env))


def bake_graph(paths, *, targets=None, set_vars=None, no_env=False):
    """The multi-image graph document of bake targets (one cluster per target)."""
    return _core.bake_graph(paths, targets=targets, set_vars=set_vars, no_env=bool(no_env))


def plan(paths, *, targets=None, set_vars=None, no_env=False, engine=None, stages=False,
         work_dir=None, lower=None, builder=None, push=False):
    """The build plan (``atmograph.plan/1``): waves of independent targets, engine argv.
    ``builder`` names a docker buildx builder (docker engine only); ``push`` pushes each
    target to all its tags (docker: ``--push``; buildah/podman: a push step per tag)."""
    return _core.plan(paths, targets=targets, set_vars=set_vars, no_env=bool(no_env),
                         engine=engine, stages=bool(stages), work_dir=work_dir,
                         lower=-1 if lower is None else int(bool(lower)),
                         builder=builder, push=bool(push))


def annotate(graph_doc, report):
    """A copy of ``graph_doc`` with the measured sizes of a build report added."""
    return _core.annotate(graph_doc, report)


def annotate_sizes(graph_doc, sizes_doc):
    """A copy of ``graph_doc`` with the figures of a sizes document (:func:`sizes` of the
    same Dockerfile, same options) added: the same fields :func:`annotate` adds."""
    return _core.annotate_sizes(graph_doc, sizes_doc)


def report_find_target(report, dockerfile, bases=()):
    """The name of the build report's target whose ``dockerfile`` is the file at
    ``dockerfile`` (compared as files, so any spelling of the path matches). A relative
    path of the report is tried against each directory of ``bases`` (the current
    directory when empty). When several targets build the file, the name that sorts
    first. Raises :class:`NotFoundError` when none does, :class:`InvalidInputError`
    when ``report`` is not a build report."""
    return _core.report_find_target(report, dockerfile, list(bases or ()))


def graphviz_version():
    """The Graphviz version the library renders with."""
    return _core.graphviz_version()
