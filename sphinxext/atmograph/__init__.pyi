"""Type stubs of the atmograph package."""
from os import PathLike
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from ._core import (
    _BakeDocument,
    _BuildReport,
    _DiffDocument,
    _GraphDocument,
    _ImageDocument,
    _ParseDocument,
    _PlanDocument,
    _RenderWarning,
    _SizesDocument,
    _StagesDocument,
    CancelledError as CancelledError,
    EngineError as EngineError,
    Error as Error,
    ImageError as ImageError,
    ImageLimitError as ImageLimitError,
    ImageNotFoundError as ImageNotFoundError,
    ImageReadError as ImageReadError,
    InvalidImageError as InvalidImageError,
    InvalidInputError as InvalidInputError,
    LimitError as LimitError,
    NotFoundError as NotFoundError,
    ParseError as ParseError,
    ReadError as ReadError,
    UnsupportedError as UnsupportedError,
    UnsupportedImageError as UnsupportedImageError,
    VerifyError as VerifyError,
)

__version__: str

_StrPath = Union[str, PathLike]
_Dockerfile = Union[str, bytes, PathLike]
_KV = Union[Mapping[str, object], Sequence[str], None]
_Doc = Mapping[str, Any]   # a document passed in (dicts as returned; TypedDicts fit)

def read_dockerfile(dockerfile: _Dockerfile, filename: Optional[str] = ...) -> Tuple[Union[str, bytes], Optional[str]]: ...
def parse(source: Union[str, bytes], *, filename: Optional[str] = ...) -> _ParseDocument: ...
def parse_file(path: _StrPath) -> _ParseDocument: ...
def dump(source: Union[str, bytes], *, filename: Optional[str] = ...) -> str: ...
def graph(dockerfile: _Dockerfile, *, target: Optional[str] = ..., build_args: _KV = ...,
          build_contexts: _KV = ..., image_id: Optional[str] = ...,
          filename: Optional[str] = ...) -> _GraphDocument: ...
def stages(dockerfile: _Dockerfile, *, target: Optional[str] = ..., build_args: _KV = ...,
           build_contexts: _KV = ..., filename: Optional[str] = ...) -> _StagesDocument: ...
def render_with_warnings(graph_doc: Union[_Doc, str, bytes], *, format: str = ..., rankdir: Optional[str] = ..., layers: bool = ...,
                         legend: bool = ..., scratch: bool = ..., max_label_length: int = ...,
                         theme: str = ..., link_base: Optional[str] = ..., dpi: float = ...,
                         fixed_size: bool = ..., id_prefix: Optional[str] = ...,
                         svg_inline: bool = ..., detail: Optional[str] = ..., path: Optional[_StrPath] = ...
                         ) -> Tuple[bytes, List[_RenderWarning]]: ...
def check_render_options(*, format: str = ..., rankdir: Optional[str] = ..., layers: bool = ...,
                         legend: bool = ..., scratch: bool = ..., max_label_length: int = ...,
                         theme: str = ..., link_base: Optional[str] = ..., dpi: float = ...,
                         fixed_size: bool = ..., id_prefix: Optional[str] = ...,
                         svg_inline: bool = ..., detail: Optional[str] = ...) -> None: ...
def describe(graph_doc: Union[_Doc, str, bytes], *, detail: Optional[str] = ...) -> str: ...
def render(graph_doc: Union[_Doc, str, bytes], *, format: str = ..., rankdir: Optional[str] = ..., layers: bool = ...,
           legend: bool = ..., scratch: bool = ..., max_label_length: int = ..., theme: str = ...,
           link_base: Optional[str] = ..., dpi: float = ..., fixed_size: bool = ...,
           id_prefix: Optional[str] = ..., svg_inline: bool = ..., detail: Optional[str] = ...,
           path: Optional[_StrPath] = ...) -> bytes: ...
def registry_auth_file() -> Optional[str]: ...
_Insecure = Union[None, str, Sequence[str]]
def inspect_image(path: _StrPath, *, ref: Optional[str] = ..., verify: bool = ..., files: int = ...,
                  packages: bool = ..., platform: Optional[str] = ...,
                  auth_file: Optional[str] = ..., insecure_registries: _Insecure = ...,
                  ca_file: Optional[str] = ...) -> _ImageDocument: ...
def image_diff(a: _StrPath, b: _StrPath, *, max_files: int = ..., packages: bool = ...,
               auth_file: Optional[str] = ..., insecure_registries: _Insecure = ...,
               ca_file: Optional[str] = ...) -> _DiffDocument: ...
def check(images: Union[_StrPath, Sequence[_StrPath]], *, rules: Optional[Mapping[str, Any]] = ...,
          rules_file: Optional[_StrPath] = ..., platform: Optional[str] = ..., verify: bool = ...,
          auth_file: Optional[str] = ..., insecure_registries: _Insecure = ...,
          ca_file: Optional[str] = ...) -> Dict[str, Any]: ...
def check_junit(doc: Mapping[str, Any]) -> str: ...
def check_report(report: Mapping[str, Any], *, rules: Optional[Mapping[str, Any]] = ...,
                 rules_file: Optional[_StrPath] = ...) -> Dict[str, Any]: ...
def sizes(dockerfile: _Dockerfile, images: Mapping[str, _StrPath], *, target: Optional[str] = ...,
          build_args: _KV = ..., build_contexts: _KV = ..., verify: bool = ..., packages: bool = ...,
          filename: Optional[str] = ..., auth_file: Optional[str] = ...,
          insecure_registries: _Insecure = ..., ca_file: Optional[str] = ...) -> _SizesDocument: ...
_Paths = Union[_StrPath, Sequence[_StrPath]]
def load_bake(paths: _Paths, *, targets: Optional[Sequence[str]] = ..., set_vars: _KV = ...,
              no_env: bool = ..., overrides: Optional[Sequence[str]] = ...) -> _BakeDocument: ...
def bake_graph(paths: _Paths, *, targets: Optional[Sequence[str]] = ..., set_vars: _KV = ...,
               no_env: bool = ..., overrides: Optional[Sequence[str]] = ...) -> _GraphDocument: ...
def plan(paths: _Paths, *, targets: Optional[Sequence[str]] = ..., set_vars: _KV = ...,
         no_env: bool = ..., engine: Optional[str] = ..., stages: bool = ...,
         work_dir: Optional[str] = ..., lower: Optional[bool] = ...,
         overrides: Optional[Sequence[str]] = ..., builder: Optional[str] = ...,
         push: bool = ...) -> _PlanDocument: ...
def annotate(graph_doc: _Doc, report: _Doc) -> _GraphDocument: ...
def annotate_sizes(graph_doc: _Doc, sizes_doc: _Doc) -> _GraphDocument: ...
def report_find_target(report: _Doc, dockerfile: _StrPath,
                       bases: Optional[Sequence[_StrPath]] = ...) -> str: ...
def graphviz_version() -> str: ...
