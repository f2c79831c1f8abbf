"""Shared fixtures: the externally managed interpreter, a local package index, a clean env.

Tests run real pip/venv/pipx in subprocesses.  Those must get ``clean_env`` (or a copy of it):
this machine has a global pip config and PIP_* variables that would otherwise leak in.  Run them
with ``stdin=subprocess.DEVNULL``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:  # pytest's rootdir/prepend import mode does this already
    sys.path.insert(0, str(TESTS_DIR))

from support import PackageIndex, build_standard_dists, seed_wheels  # noqa: E402
from support.machine import (  # noqa: E402
    PythonInfo,
    Snapshot,
    diff_snapshots,
    find_managed_python,
    make_clean_env,
    skip_or_fail,
    snapshot_dirs,
    take_snapshot,
)

# -- the externally managed interpreter ---------------------------------------------------------


@pytest.fixture(scope="session")
def managed_python_info() -> PythonInfo:
    info, why = find_managed_python()
    if info is None:
        if os.environ.get("SAFEPIP_TEST_MANAGED_PYTHON"):
            pytest.fail(f"SAFEPIP_TEST_MANAGED_PYTHON: {why}", pytrace=False)
        skip_or_fail(f"no externally managed Python: {why}")
    return info


@pytest.fixture(scope="session")
def managed_python(managed_python_info: PythonInfo) -> Path:
    """An externally managed (PEP 668), non-venv interpreter: /usr/bin/python3 on Debian 12."""
    return managed_python_info.path


# -- the package index --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def standard_dists(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The standard fixture distributions (see ``support.build_standard_dists``), built once."""
    return build_standard_dists(tmp_path_factory.mktemp("dists"))


@pytest.fixture(scope="session")
def index(
    tmp_path_factory: pytest.TempPathFactory, standard_dists: list[Path]
) -> Iterator[PackageIndex]:
    """Session-wide index serving the seed wheels (pip, setuptools, wheel...) and the fixtures.

    Shared: tests that count requests call ``reset_counters()`` first; a fault set with
    ``set_fault`` is cleared after each test.  For a private one use ``make_index``.
    """
    with PackageIndex(tmp_path_factory.mktemp("index")) as idx:
        idx.add(*seed_wheels(), *standard_dists)
        yield idx


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project under the test HOME (so the project search stops there)."""
    root = tmp_path / "home" / "proj"
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "proj"\nversion = "0"\n')
    return root


@pytest.fixture(autouse=True)
def _clear_index_fault(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "index" in request.fixturenames:
        request.getfixturevalue("index").set_fault(None)


@pytest.fixture
def make_index(
    tmp_path_factory: pytest.TempPathFactory, standard_dists: list[Path]
) -> Iterator[Callable[..., PackageIndex]]:
    """Factory for a private index (closed after the test): ``make_index(range_requests=False)``.

    It serves the seed wheels and the standard fixtures unless ``standard=False``; pass more
    distributions as positional paths.
    """
    made: list[PackageIndex] = []

    def factory(*paths: Path, range_requests: bool = True, standard: bool = True) -> PackageIndex:
        idx = PackageIndex(tmp_path_factory.mktemp("index"), range_requests=range_requests)
        made.append(idx)
        if standard:
            idx.add(*seed_wheels(), *standard_dists)
        idx.add(*paths)
        return idx

    yield factory
    for idx in made:
        idx.close()


# -- a clean subprocess environment ---------------------------------------------------------------


@pytest.fixture
def clean_env(tmp_path: Path, index: PackageIndex) -> dict[str, str]:
    """Subprocess environment: minimal PATH, HOME/XDG_* under tmp_path, pip on the test index.

    Only ``support.environ.KEPT_VARS`` survive (locale, TZ, USER, LOGNAME, TMPDIR). So no
    PIP_*, PYTHON*, VIRTUAL_ENV, CONDA_*, PIPX_*, UV_*, proxies, NO_COLOR/FORCE_COLOR, SAFEPIP_*.
    Set: ``PIP_CONFIG_FILE=/dev/null``, ``PIP_INDEX_URL=<index>``,
    ``PIP_DISABLE_PIP_VERSION_CHECK=1``, ``PIPX_DEFAULT_BACKEND=pip``.  Not set on purpose:
    ``PIP_NO_INPUT`` (safepip's own handling of --no-input is under test; the index never asks
    for credentials, and subprocesses get stdin=DEVNULL).
    """
    return make_clean_env(tmp_path / "home", index.url)


# -- the system site-packages must stay untouched -------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def system_site_snapshot() -> Iterator[Snapshot | None]:
    """Snapshot of the managed interpreter's system site-packages (and /usr/local/bin, and the
    real user site), compared at the very end of the session.

    A difference raises in this fixture's teardown, which pytest reports as an ERROR (at teardown
    of the last test) and counts in the exit status and the closing "N passed, 1 error" line.
    ``__pycache__`` folders are left out: running a system tool legitimately writes bytecode there.
    Folders are compared by existence, files by mtime and size.
    """
    info, _ = find_managed_python()
    if info is None:
        yield None  # managed_python itself skips/fails the tests that need one
        return
    dirs = snapshot_dirs(info)
    scripts = (Path("/usr/local/bin"),)
    before = take_snapshot(dirs, scripts_dirs=scripts)
    yield before
    changes = diff_snapshots(before, take_snapshot(dirs, scripts_dirs=scripts))
    if changes:
        where = ", ".join(str(d) for d in (*dirs, *scripts))
        raise AssertionError(
            f"the test run changed the system Python's packages ({where}):\n  "
            + "\n  ".join(changes)
        )


# -- markers --------------------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "network: needs the internet (PyPI); off unless SAFEPIP_TEST_NETWORK=1"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("SAFEPIP_TEST_NETWORK") == "1":
        return
    skip = pytest.mark.skip(reason="needs the network: set SAFEPIP_TEST_NETWORK=1")
    for item in items:
        if "network" in item.keywords:
            item.add_marker(skip)
