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
    "UnsupportedImageError", "ImageLimitError", "parse", "parse_file", "dump", "stages", "graph", "render",
    "render_with_warnings", "check_render_options", "inspect_image", "image_diff", "sizes", "load_bake", "bake_graph",
    "plan", "annotate", "annotate_sizes", "report_find_target", "graphviz_version", "read_dockerfile", "__version__",
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


def render_with_warnings(graph_doc, *, format="svg", rankdir="LR", layers=False, legend=False,
                         scratch=True, max_label_length=20, theme="light", link_base=None,
                         dpi=0.0, fixed_size=False, id_prefix=None, svg_inline=False, path=None):
    """Render a graph document; returns ``(bytes, warnings)`` (Graphviz's warnings).

    ``graph_doc`` is the document (a dict) or its JSON text (str or bytes), which is parsed
    without the GIL. ``path``: also write the output there, atomically (a temporary file
    renamed into place, nothing left on failure), without the GIL.
    """
    return _core.render(graph_doc, format=format, rankdir=rankdir, layers=bool(layers),
                        legend=bool(legend), scratch=bool(scratch),
                        max_label_length=int(max_label_length), theme=theme,
                        link_base=link_base, dpi=float(dpi), fixed_size=bool(fixed_size),
                        id_prefix=id_prefix, svg_inline=bool(svg_inline),
                        path=None if path is None else os.fspath(path))


def check_render_options(*, format="svg", rankdir="LR", layers=False, legend=False,
                         scratch=True, max_label_length=20, theme="light", link_base=None,
                         dpi=0.0, fixed_size=False, id_prefix=None, svg_inline=False):
    """Check render options as :func:`render` does, without a graph document: raises
    :class:`InvalidInputError` naming the option and its value (e.g. ``theme "blue" is not
    light or dark``), ``ValueError`` for an unknown format or a negative length."""
    _core.check_render_options(format=format, rankdir=rankdir, layers=bool(layers),
                               legend=bool(legend), scratch=bool(scratch),
                               max_label_length=int(max_label_length), theme=theme,
                               link_base=link_base, dpi=float(dpi), fixed_size=bool(fixed_size),
                               id_prefix=id_prefix, svg_inline=bool(svg_inline))


def render(graph_doc, *, format="svg", rankdir="LR", layers=False, legend=False, scratch=True,
           max_label_length=20, theme="light", link_base=None, dpi=0.0, fixed_size=False,
           id_prefix=None, svg_inline=False, path=None):
    """Render a graph document to ``svg``, ``png``, ``pdf``, ``dot``, ``json`` or ``text`` bytes.

    ``graph_doc``: the document or its JSON text. ``link_base``: each stage node links to
    ``LINK_BASE#<anchor>`` (``""`` for links within the page); None: no links.
    ``id_prefix``: SVG only, put before every element id (``[A-Za-z0-9_-]`` kept) so that
    several diagrams can sit inline in one HTML page; ``svg_inline``: SVG without the XML
    declaration, for placing inside HTML. ``path``: also write the bytes there atomically.
    """
    data, _ = render_with_warnings(graph_doc, format=format, rankdir=rankdir, layers=layers,
                                   legend=legend, scratch=scratch,
                                   max_label_length=max_label_length, theme=theme,
                                   link_base=link_base, dpi=dpi, fixed_size=fixed_size,
                                   id_prefix=id_prefix, svg_inline=svg_inline, path=path)
    return data


def inspect_image(path, *, ref=None, verify=False, files=10, packages=False, platform=None):
    """Read an image (docker-archive, OCI layout or oci-archive): ``atmograph.image/1``."""
    return _core.inspect_image(path, ref=ref, verify=bool(verify), files=int(files),
                                  packages=bool(packages), platform=platform)


def image_diff(a, b, *, max_files=0, packages=False):
    """Compare two images: ``atmograph.diff/1``."""
    return _core.image_diff(a, b, max_files=int(max_files), packages=bool(packages))


def sizes(dockerfile, images, *, target=None, build_args=None, build_contexts=None,
          verify=False, packages=True, filename=None):
    """Stage sizes (``atmograph.sizes/1``): bytes each stage adds, from images built per stage.

    ``images``: ``{stage: image path}`` (each built with ``--target STAGE``).
    """
    text, name = read_dockerfile(dockerfile, filename)
    return _core.sizes(text, {str(k): v for k, v in images.items()}, filename=name,
                          target=target, build_args=build_args, build_contexts=build_contexts,
                          verify=bool(verify), packages=bool(packages))


def load_bake(paths, *, targets=None, set_vars=None, no_env=False, overrides=None):
    """Load bake files, HCL or JSON (a path or a list): the resolved
    ``docker buildx bake --print`` form.

    ``set_vars``: variable values (``--var``), a dict or a list of ``"NAME=VALUE"``.
    ``overrides``: buildx's ``--set`` values, a list of ``"PATTERN.KEY=VALUE"``.
    """
    return _core.load_bake(paths, targets=targets, set_vars=set_vars, no_env=bool(no_env),
                           overrides=overrides)


def bake_graph(paths, *, targets=None, set_vars=None, no_env=False, overrides=None):
    """The multi-image graph document of bake targets (one cluster per target)."""
    return _core.bake_graph(paths, targets=targets, set_vars=set_vars, no_env=bool(no_env),
                            overrides=overrides)


def plan(paths, *, targets=None, set_vars=None, no_env=False, engine=None, stages=False,
         work_dir=None, lower=None, overrides=None):
    """The build plan (``atmograph.plan/1``): waves of independent targets, engine argv."""
    return _core.plan(paths, targets=targets, set_vars=set_vars, no_env=bool(no_env),
                         engine=engine, stages=bool(stages), work_dir=work_dir,
                         lower=-1 if lower is None else int(bool(lower)), overrides=overrides)


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
