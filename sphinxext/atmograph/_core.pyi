"""Type stubs of atmograph._core, the C extension (conversion and GIL handling only).

The documents are the library's JSON documents as dicts and lists, described field by
field in the manual's "JSON documents" page (doc/source/manual/schemas.rst): the
TypedDicts below follow it. ``None`` stands for JSON null (unknown, not applicable);
``NotRequired`` marks the fields the library leaves out (kind-specific fields, and the
measured figures that :func:`annotate` and :func:`annotate_sizes` add). Documents may
gain fields within a schema version. The TypedDicts exist for type checkers only (at run
time the documents are plain dicts), hence their private names.
"""
from os import PathLike
from typing import (Any, Dict, List, Literal, Mapping, NotRequired, Optional, Sequence,
                    Tuple, TypedDict, Union)

_StrPath = Union[str, bytes, PathLike]
_KV = Union[Mapping[str, object], Sequence[str], None]

GRAPHVIZ_BUILD_VERSION: str
GRAPH_SCHEMA: Literal["atmograph.graph/1"]

class Error(Exception):
    filename: Optional[str]
    line: int
    column: int
    code: int
    reason: Optional[str]
    text: Optional[str]

class InvalidInputError(Error): ...
ParseError = InvalidInputError
class NotFoundError(Error): ...
class ReadError(Error): ...
class UnsupportedError(Error): ...
class ImageError(Error): ...
class VerifyError(ImageError): ...
class CancelledError(Error): ...
class EngineError(Error): ...
class LimitError(Error): ...
class InvalidImageError(ImageError, InvalidInputError): ...
class ImageNotFoundError(ImageError, NotFoundError): ...
class ImageReadError(ImageError, ReadError): ...
class UnsupportedImageError(ImageError, UnsupportedError): ...
class ImageLimitError(ImageError, LimitError): ...

# ---- atmograph.parse/1 -------------------------------------------------------------------

class _LintWarning(TypedDict):
    source: str
    line: int
    column: int
    code: str
    text: str

class _Heredoc(TypedDict):
    name: str
    content: str
    expand: bool
    chomp: bool
    fd: Optional[int]

class _Instruction(TypedDict):
    keyword: str
    original: str
    line: int
    end_line: int
    flags: List[str]
    args: List[str]
    json: bool
    heredocs: List[_Heredoc]
    inner: Optional["_Instruction"]
    comment: Optional[str]

class _ParseDocument(TypedDict):
    schema: Literal["atmograph.parse/1"]
    source: str
    directives: NotRequired[Dict[str, str]]
    escape: str
    instructions: List[_Instruction]
    warnings: List[_LintWarning]

# ---- atmograph.stages/1 ------------------------------------------------------------------

class _Stage(TypedDict):
    index: int
    name: Optional[str]
    label: str
    id: str
    base: str
    base_kind: Literal["stage", "image", "context", "scratch"]
    platform: Optional[str]
    line: int
    end_line: int
    description: Optional[str]
    parent: Optional[int]
    used: bool
    in_final: bool
    build_only: bool
    target: bool
    replaced: bool
    status: Literal["target", "final", "build-only", "unused", "replaced"]

class _StagesDocument(TypedDict):
    schema: Literal["atmograph.stages/1"]
    source: str
    image: str
    target: str
    stages: List[_Stage]
    order: List[int]
    warnings: List[_LintWarning]

# ---- atmograph.graph/1 -------------------------------------------------------------------

class _ImageSize(TypedDict):
    bytes: Optional[int]
    compressed: Optional[int]

class _GraphImage(TypedDict):
    id: str
    label: str
    dockerfile: str
    target: str
    size: NotRequired[_ImageSize]

class _NodeSize(TypedDict):
    bytes: Optional[int]
    own_bytes: NotRequired[int]
    packages: NotRequired[int]

class _NodeInstruction(TypedDict):
    keyword: str
    line: int
    end_line: int
    text: str

class _GraphNode(TypedDict):
    id: str
    kind: Literal["stage", "image", "context", "scratch"]
    image: str
    name: str
    line: int
    used: bool
    # stages
    index: NotRequired[int]
    base: NotRequired[str]
    platform: NotRequired[Optional[str]]
    end_line: NotRequired[int]
    description: NotRequired[Optional[str]]
    target: NotRequired[bool]
    in_final: NotRequired[bool]
    build_only: NotRequired[bool]
    anchor: NotRequired[str]
    parent: NotRequired[Optional[str]]
    replaced_by: NotRequired[str]
    instructions: NotRequired[List[_NodeInstruction]]
    onbuild: NotRequired[List[str]]
    onbuild_inherited: NotRequired[List[str]]
    onbuild_from: NotRequired[str]
    size: NotRequired[_NodeSize]
    # images, contexts
    ref: NotRequired[str]
    value: NotRequired[str]

_GraphEdge = TypedDict("_GraphEdge", {
    "from": str,
    "to": str,
    "kind": Literal["base", "copy", "mount", "onbuild"],
    "line": int,
    "context": NotRequired[str],
    "sources": NotRequired[List[str]],
    "dest": NotRequired[str],
    "mount_type": NotRequired[str],
    "mount_id": NotRequired[str],
    "onbuild_from": NotRequired[str],
})

class _KeptOut(TypedDict):
    bytes: Optional[int]
    packages: Optional[List[str]]

class _GraphDocument(TypedDict):
    schema: Literal["atmograph.graph/1"]
    images: List[_GraphImage]
    nodes: List[_GraphNode]
    edges: List[_GraphEdge]
    target: str
    unused: List[str]
    warnings: List[_LintWarning]
    kept_out: NotRequired[_KeptOut]

class _RenderWarning(TypedDict):
    source: Literal["graphviz", "atmograph"]
    code: str
    text: str

# ---- atmograph.image/1 -------------------------------------------------------------------

class _ImagePlatform(TypedDict):
    os: str
    architecture: str
    variant: NotRequired[str]

class _ImageTotals(TypedDict):
    bytes: int
    compressed: int
    tar_bytes: int
    layers: int
    files: int

class _LargestFile(TypedDict):
    path: str
    size: int

class _Layer(TypedDict):
    index: int
    digest: str
    diff_id: str
    media_type: str
    compression: Literal["gzip", "zstd", "none"]
    compressed_size: int
    size: int
    tar_size: int
    files: int
    whiteouts: int
    opaque_dirs: int
    history: Optional[int]
    created_by: Optional[str]
    comment: Optional[str]
    largest: List[_LargestFile]

class _HistoryEntry(TypedDict):
    index: int
    created: Optional[str]
    created_by: Optional[str]
    comment: Optional[str]
    empty_layer: bool
    layer: Optional[int]
    size: int

class _InefficientPath(TypedDict):
    path: str
    count: int
    cumulative: int
    smallest: int

class _Efficiency(TypedDict):
    score: float
    wasted_bytes: int
    wasted_bytes_corrected: int
    inefficient_count: int
    inefficient: List[_InefficientPath]

class _InstalledPackage(TypedDict):
    name: str
    version: str
    architecture: str
    installed_size: int
    layer: Optional[int]

class _RemovedPackage(TypedDict):
    name: str
    version: str
    layer: Optional[int]

class _Packages(TypedDict):
    format: Literal["dpkg"]
    count: int
    installed_size: int
    installed: List[_InstalledPackage]
    removed: List[_RemovedPackage]

class _ImageDocument(TypedDict):
    schema: Literal["atmograph.image/1"]
    source: str
    format: Literal["oci-layout", "oci-archive", "docker-archive"]
    ref: Optional[str]
    digest: Optional[str]
    config_digest: str
    platform: _ImagePlatform
    created: Optional[str]
    size: _ImageTotals
    layers: List[_Layer]
    history: List[_HistoryEntry]
    efficiency: _Efficiency
    packages: Optional[_Packages]
    verified: bool

# ---- atmograph.diff/1 --------------------------------------------------------------------

class _DiffSide(TypedDict):
    source: str
    ref: Optional[str]
    digest: Optional[str]
    size: Dict[str, int]
    packages: Optional[int]

class _DiffFile(TypedDict):
    path: str
    type: str
    size: int

class _ChangedFile(TypedDict):
    path: str
    type_a: str
    type_b: str
    size_a: int
    size_b: int

class _DiffFiles(TypedDict):
    added_count: int
    removed_count: int
    changed_count: int
    added_bytes: int
    removed_bytes: int
    changed_bytes: int
    added: List[_DiffFile]
    removed: List[_DiffFile]
    changed: List[_ChangedFile]

class _DiffLayers(TypedDict):
    shared: int
    only_a: List[str]
    only_b: List[str]

class _DiffDelta(TypedDict):
    bytes: int
    compressed: int
    layers: int

class _DiffPackages(TypedDict):
    added: List[Dict[str, str]]
    removed: List[Dict[str, str]]
    changed: List[Dict[str, str]]

class _DiffDocument(TypedDict):
    schema: Literal["atmograph.diff/1"]
    a: _DiffSide
    b: _DiffSide
    delta: _DiffDelta
    layers: _DiffLayers
    files: _DiffFiles
    packages: Optional[_DiffPackages]

# ---- atmograph.sizes/1 -------------------------------------------------------------------

class _SizesInstruction(TypedDict):
    keyword: str
    line: int
    end_line: int
    text: str
    bytes: int
    layers: int
    history: List[int]

class _SizesHistory(TypedDict):
    index: int
    created_by: Optional[str]
    bytes: int
    part: Literal["base", "instruction", "unattributed"]
    line: Optional[int]   # null for base and unattributed entries

class _SizesStage(TypedDict):
    stage: str
    index: int
    node: str
    base: str
    base_stage: Optional[str]
    image: str
    ref: Optional[str]
    digest: Optional[str]
    in_final: bool
    build_only: bool
    target: bool
    size: Dict[str, int]
    base_history: int
    base_bytes: int
    own_bytes: int
    own_compressed: int
    unattributed_bytes: int
    instructions: List[_SizesInstruction]
    history: List[_SizesHistory]
    packages: Optional[int]
    own_packages: Optional[List[str]]

class _SizesKeptOut(TypedDict):
    bytes: Optional[int]
    layers: Optional[int]
    own_bytes: int
    copied_bytes: int
    packages: Optional[List[str]]
    stages: List[str]
    final_image: bool

class _SizesDocument(TypedDict):
    schema: Literal["atmograph.sizes/1"]
    dockerfile: str
    target: str
    stages: List[_SizesStage]
    kept_out: _SizesKeptOut

# ---- bake files (docker buildx bake --print form) ----------------------------------------

_BakeTarget = TypedDict("_BakeTarget", {
    "description": NotRequired[str],
    "annotations": NotRequired[List[str]],
    "attest": NotRequired[List[Dict[str, Any]]],
    "context": str,
    "contexts": NotRequired[Dict[str, str]],
    "dockerfile": NotRequired[str],
    "dockerfile-inline": NotRequired[str],
    "args": NotRequired[Dict[str, str]],
    "labels": NotRequired[Dict[str, str]],
    "tags": NotRequired[List[str]],
    "cache-from": NotRequired[List[Dict[str, str]]],
    "cache-to": NotRequired[List[Dict[str, str]]],
    "target": NotRequired[str],
    "secret": NotRequired[List[Dict[str, str]]],
    "ssh": NotRequired[List[Dict[str, Any]]],
    "platforms": NotRequired[List[str]],
    "output": NotRequired[List[Dict[str, str]]],
    "pull": NotRequired[bool],
    "no-cache": NotRequired[bool],
    "network": NotRequired[str],
    "no-cache-filter": NotRequired[List[str]],
    "shm-size": NotRequired[str],
    "ulimits": NotRequired[List[str]],
    "resources": NotRequired[Dict[str, Any]],
    "call": NotRequired[str],
    "entitlements": NotRequired[List[str]],
    "extra-hosts": NotRequired[Dict[str, str]],
})

class _BakeGroup(TypedDict):
    description: NotRequired[str]
    targets: List[str]

class _BakeDocument(TypedDict):
    group: Dict[str, _BakeGroup]
    target: Dict[str, _BakeTarget]

# ---- atmograph.plan/1 --------------------------------------------------------------------

class _Engine(TypedDict):
    name: Literal["buildah", "docker", "podman"]
    version: Optional[str]
    builder: NotRequired[str]

class _PlanStep(TypedDict):
    target: str
    stage: Optional[str]
    action: Literal["build", "push"]
    image: str
    wave: int
    dockerfile: str
    lowered: int
    argv: List[str]

class _PlanDocument(TypedDict):
    schema: Literal["atmograph.plan/1"]
    engine: _Engine
    push: bool
    waves: List[List[str]]
    steps: List[_PlanStep]

# ---- atmograph.build-report/1 ------------------------------------------------------------

class _ReportSize(TypedDict):
    bytes: int
    compressed: int
    layers: int

class _ReportLayer(TypedDict):
    diff_id: str
    size: int

class _ReportStage(TypedDict, total=False):
    digest: str
    archive: str
    size: _ReportSize
    own_bytes: int
    in_final: bool
    packages: List[str]

class _ReportKeptOut(TypedDict, total=False):
    bytes: int
    layers: int
    packages: List[str]

class _ReportTarget(TypedDict, total=False):
    status: Literal["built", "cached", "failed", "skipped"]
    reason: str
    dockerfile: str
    target_stage: str
    image: str
    digest: str
    archive: str
    inputs: str
    duration_s: float
    log: str
    lowered: int
    pushed: List[str]
    size: _ReportSize
    layers: List[_ReportLayer]
    packages: List[str]
    stages: Dict[str, _ReportStage]
    kept_out: _ReportKeptOut

class _ReportEngine(TypedDict):
    name: str
    version: Optional[str]

class _BuildReport(TypedDict):
    schema: Literal["atmograph.build-report/1"]
    bake_file: str
    engine: _ReportEngine
    finished: str
    targets: Dict[str, _ReportTarget]

# ---- functions ---------------------------------------------------------------------------

def parse(source: Union[str, bytes], *, filename: Optional[str] = ...,
          dump: bool = ...) -> Union[_ParseDocument, str]: ...
def read_file(path: _StrPath) -> bytes: ...
def graph(source: Union[str, bytes], *, filename: Optional[str] = ..., target: Optional[str] = ...,
          build_args: _KV = ..., build_contexts: _KV = ...,
          image_id: Optional[str] = ...) -> _GraphDocument: ...
def stages(source: Union[str, bytes], *, filename: Optional[str] = ..., target: Optional[str] = ...,
           build_args: _KV = ..., build_contexts: _KV = ...,
           image_id: Optional[str] = ...) -> _StagesDocument: ...
def describe(graph: Union[Mapping[str, Any], str, bytes], *, detail: Optional[str] = ...,
             **options: Any) -> str: ...
def render(graph: Union[Mapping[str, Any], str, bytes], *, format: str = ..., rankdir: Optional[str] = ...,
           layers: bool = ..., legend: bool = ..., scratch: bool = ..., max_label_length: int = ...,
           theme: str = ..., link_base: Optional[str] = ..., dpi: float = ...,
           fixed_size: bool = ..., id_prefix: Optional[str] = ..., svg_inline: bool = ..., detail: Optional[str] = ...,
           path: Optional[str] = ...) -> Tuple[bytes, List[_RenderWarning]]: ...
def render_submit(graph: Union[Mapping[str, Any], str, bytes], *, format: str = ...,
                  rankdir: Optional[str] = ..., layers: bool = ..., legend: bool = ..., scratch: bool = ...,
                  max_label_length: int = ..., theme: str = ..., link_base: Optional[str] = ...,
                  dpi: float = ..., fixed_size: bool = ..., id_prefix: Optional[str] = ...,
                  svg_inline: bool = ..., detail: Optional[str] = ..., path: Optional[str] = ...) -> int: ...
def render_take(ticket: int, /) -> bytes: ...
def render_wait() -> None: ...
def check_render_options(*, format: str = ..., rankdir: Optional[str] = ..., layers: bool = ...,
                         legend: bool = ..., scratch: bool = ..., max_label_length: int = ...,
                         theme: str = ..., link_base: Optional[str] = ..., dpi: float = ...,
                         fixed_size: bool = ..., id_prefix: Optional[str] = ...,
                         svg_inline: bool = ..., detail: Optional[str] = ...) -> None: ...
def inspect_image(path: _StrPath, *, ref: Optional[str] = ..., verify: bool = ..., files: int = ...,
                  packages: bool = ..., platform: Optional[str] = ...,
                  auth_file: Optional[str] = ..., insecure_registries: Optional[str] = ...,
                  ca_file: Optional[str] = ...) -> _ImageDocument: ...
def image_diff(a: _StrPath, b: _StrPath, *, max_files: int = ...,
               packages: bool = ..., auth_file: Optional[str] = ...,
               insecure_registries: Optional[str] = ...,
               ca_file: Optional[str] = ...) -> _DiffDocument: ...
def check(images: Sequence[_StrPath], *, rules: Optional[Mapping[str, Any]] = ...,
          rules_file: Optional[_StrPath] = ..., platform: Optional[str] = ..., verify: bool = ...,
          auth_file: Optional[str] = ..., insecure_registries: Optional[str] = ...,
          ca_file: Optional[str] = ...) -> Dict[str, Any]: ...
def check_junit(doc: Mapping[str, Any]) -> str: ...
def check_report(report: Mapping[str, Any], *, rules: Optional[Mapping[str, Any]] = ...,
                 rules_file: Optional[_StrPath] = ...) -> Dict[str, Any]: ...
def sizes(source: Union[str, bytes], images: Dict[str, _StrPath], *, filename: Optional[str] = ...,
          target: Optional[str] = ..., build_args: _KV = ..., build_contexts: _KV = ...,
          verify: bool = ..., packages: bool = ..., auth_file: Optional[str] = ...,
          insecure_registries: Optional[str] = ...,
          ca_file: Optional[str] = ...) -> _SizesDocument: ...
_Paths = Union[_StrPath, Sequence[_StrPath]]
def load_bake(paths: _Paths, *, targets: Optional[Sequence[str]] = ..., set_vars: _KV = ...,
              no_env: bool = ..., overrides: Optional[Sequence[str]] = ...) -> _BakeDocument: ...
def bake_graph(paths: _Paths, *, targets: Optional[Sequence[str]] = ..., set_vars: _KV = ...,
               no_env: bool = ..., overrides: Optional[Sequence[str]] = ...) -> _GraphDocument: ...
def plan(paths: _Paths, *, targets: Optional[Sequence[str]] = ..., set_vars: _KV = ...,
         no_env: bool = ..., engine: Optional[str] = ..., stages: bool = ...,
         work_dir: Optional[str] = ..., lower: int = ...,
         overrides: Optional[Sequence[str]] = ..., builder: Optional[str] = ...,
         push: bool = ...) -> _PlanDocument: ...
def annotate(graph: Mapping[str, Any], report: Mapping[str, Any]) -> _GraphDocument: ...
def annotate_sizes(graph: Mapping[str, Any], sizes: Mapping[str, Any]) -> _GraphDocument: ...
def report_find_target(report: Mapping[str, Any], dockerfile: _StrPath,
                       bases: Optional[Sequence[_StrPath]] = ...) -> str: ...
def graphviz_version() -> str: ...
def graphviz_identity() -> str: ...
def svg_inline(svg: bytes, label: str) -> str: ...
def version() -> str: ...
