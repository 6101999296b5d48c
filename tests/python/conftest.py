"""pytest configuration for atmograph's Python tests.

Markers: ``cli`` (tests that run the atmograph program; also run under ASan by
``make asan``), ``slow`` (long tests), ``browser`` (tests that need chromium).
Sphinx tests use ``sphinx.testing``: test roots are ``tests/python/roots/test-*``.
Works with Sphinx 5.3 (``rootdir`` returns ``sphinx.testing.path.path``) and 7.x
(``pathlib.Path``).

The extension module must be built in place first (``make python``); every test
shares that one build (``PYTHONPATH=sphinxext`` or the path added below).
"""

import os
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
SPHINXEXT = REPO / "sphinxext"
if str(SPHINXEXT) not in sys.path:
    sys.path.insert(0, str(SPHINXEXT))

try:
    import sphinx
    SPHINX_VERSION = sphinx.version_info
except ImportError:  # pragma: no cover - Sphinx is a test dependency
    sphinx = None
    SPHINX_VERSION = (0,)

if sphinx is not None:
    pytest_plugins = ["sphinx.testing.fixtures"]


def pytest_configure(config):
    config.addinivalue_line("markers", "cli: runs the atmograph program (ATMOGRAPH_CLI); also under ASan")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")
    config.addinivalue_line("markers", "browser: needs a headless chromium")


@pytest.fixture(scope="session")
def rootdir():
    """The folder of the Sphinx test roots (test-<name>/)."""
    roots = HERE / "roots"
    if SPHINX_VERSION[:2] < (7, 0):
        from sphinx.testing.path import path
        return path(str(roots))
    return roots


@pytest.fixture(scope="session")
def atmograph_module():
    """The atmograph package with its built extension (skips with a hint when missing)."""
    try:
        import atmograph
    except ImportError as exc:
        pytest.fail("atmograph._core is not built (run `make python`): %s" % exc)
    return atmograph


@pytest.fixture(scope="session")
def cli_path():
    """The atmograph program (ATMOGRAPH_CLI), or skip."""
    path = os.environ.get("ATMOGRAPH_CLI")
    if not path or not os.path.exists(path):
        pytest.skip("ATMOGRAPH_CLI is not set to a built atmograph program")
    return path


@pytest.fixture(scope="session")
def shared_dir():
    """/work/shared (ATMOGRAPH_SHARED): conformance data."""
    return pathlib.Path(os.environ.get("ATMOGRAPH_SHARED", str(REPO.parent / "shared")))


@pytest.fixture(scope="session")
def test_data():
    """tests/data."""
    return REPO / "tests" / "data"
