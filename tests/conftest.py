"""Shared fixtures: the externally managed interpreter, a local package index, a clean env.

Tests run real pip/venv/pipx in subprocesses.  Those must get ``clean_env`` (or a copy of it):
this machine has a global pip config and PIP_* variables that would otherwise leak in.  Run them
with ``stdin=subprocess.DEVNULL``.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:  # pytest's rootdir/prepend import mode does this already
    sys.path.insert(0, str(TESTS_DIR))

from support import PackageIndex, build_standard_dists, seed_wheels  # noqa: E402
from support.environ import hermetic_env  # noqa: E402


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def skip_or_fail(reason: str) -> NoReturn:
    """``pytest.skip`` locally, ``pytest.fail`` in CI (CI must never skip silently)."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: not skipping)", pytrace=False)
    pytest.skip(reason)


# -- the externally managed interpreter ---------------------------------------------------------

_PROBE = r"""
import json, os, site, sys, sysconfig
stdlib = sysconfig.get_path("stdlib")
print(json.dumps({
    "executable": sys.executable,
    "version": "%d.%d.%d" % sys.version_info[:3],
    "stdlib": stdlib,
    "externally_managed": os.path.isfile(os.path.join(stdlib, "EXTERNALLY-MANAGED")),
    "is_venv": sys.prefix != getattr(sys, "base_prefix", sys.prefix),
    "site_packages": site.getsitepackages() if hasattr(site, "getsitepackages") else [],
    "user_site": site.getusersitepackages(),
    "scripts": sysconfig.get_path("scripts"),
}))
"""


@dataclass(frozen=True)
class PythonInfo:
    path: Path
    executable: str
    version: str
    stdlib: str
    externally_managed: bool
    is_venv: bool
    site_packages: tuple[str, ...]
    user_site: str
    scripts: str


@functools.cache
def probe_python(python: str) -> PythonInfo | None:
    """What that interpreter says of itself (isolated mode: no PYTHON* vars, no user site)."""
    try:
        out = subprocess.run(
            [python, "-I", "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
            env={"PATH": os.defpath, "HOME": os.environ.get("HOME", "/")},
        )
    except OSError:
        return None
    if out.returncode != 0:
        return None
    data = json.loads(out.stdout)
    return PythonInfo(
        path=Path(python),
        executable=data["executable"],
        version=data["version"],
        stdlib=data["stdlib"],
        externally_managed=data["externally_managed"],
        is_venv=data["is_venv"],
        site_packages=tuple(data["site_packages"]),
        user_site=data["user_site"],
        scripts=data["scripts"],
    )


def find_managed_python() -> tuple[PythonInfo | None, str]:
    """The externally managed interpreter to test against, or (None, why not)."""
    explicit = os.environ.get("SAFEPIP_TEST_MANAGED_PYTHON")
    candidate = explicit or "/usr/bin/python3"
    info = probe_python(candidate)
    if info is None:
        return None, f"{candidate} does not run"
    if info.is_venv:
        return None, f"{candidate} is a virtual environment"
    if not info.externally_managed:
        return None, f"{candidate} has no EXTERNALLY-MANAGED in {info.stdlib}"
    return info, ""


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


def make_clean_env(home: Path, index_url: str | None) -> dict[str, str]:
    """A hermetic environment for pip/pipx/safepip subprocesses; HOME and XDG dirs in ``home``;
    the externally-managed interpreter's folder first on PATH."""
    info, _ = find_managed_python()
    return hermetic_env(home, index_url, path_first=(str(info.path.parent),) if info else ())


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

Snapshot = dict[str, tuple[int, int]]


def _snapshot_dirs(info: PythonInfo) -> list[Path]:
    dirs = [Path(p) for p in info.site_packages]
    dirs.append(Path(info.user_site))  # the real user's, not a test HOME's
    return dirs  # watched even when missing: creating one is a change too


def take_snapshot(dirs: list[Path], *, scripts_dirs: tuple[Path, ...] = ()) -> Snapshot:
    """path -> (mtime_ns, size) of everything under ``dirs`` except ``__pycache__``;
    plus the top level of ``scripts_dirs`` (where a system-wide pip puts commands)."""
    snap: Snapshot = {}
    for top in dirs:
        for root, subdirs, files in os.walk(top):
            subdirs[:] = [d for d in subdirs if d != "__pycache__"]
            for name in files:
                path = os.path.join(root, name)
                try:
                    st = os.lstat(path)
                except FileNotFoundError:
                    continue
                snap[path] = (st.st_mtime_ns, st.st_size)
            snap[root] = (0, 0)  # a folder's existence counts, not its mtime
    for folder in scripts_dirs:
        if folder.is_dir():
            for entry in os.scandir(folder):
                st = entry.stat(follow_symlinks=False)
                snap[entry.path] = (st.st_mtime_ns, st.st_size)
    return snap


def diff_snapshots(before: Snapshot, after: Snapshot, limit: int = 30) -> list[str]:
    lines = [f"added    {p}" for p in sorted(after.keys() - before.keys())]
    lines += [f"removed  {p}" for p in sorted(before.keys() - after.keys())]
    lines += [
        f"changed  {p}" for p in sorted(before.keys() & after.keys()) if before[p] != after[p]
    ]
    return lines[:limit] + ([f"... and {len(lines) - limit} more"] if len(lines) > limit else [])


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
    dirs = _snapshot_dirs(info)
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
