"""The machine the tests run on: CI or not, the externally-managed Python, the hermetic
environment of a test's subprocesses, and snapshots of the system site-packages.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from support.environ import hermetic_env


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def skip_or_fail(reason: str) -> NoReturn:
    """``pytest.skip`` locally, ``pytest.fail`` in CI (CI must never skip silently)."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: not skipping)", pytrace=False)
    pytest.skip(reason)


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


def make_clean_env(home: Path, index_url: str | None) -> dict[str, str]:
    """A hermetic environment for pip/pipx/safepip subprocesses; HOME and XDG dirs in ``home``;
    the externally-managed interpreter's folder first on PATH."""
    info, _ = find_managed_python()
    return hermetic_env(home, index_url, path_first=(str(info.path.parent),) if info else ())


def snapshot_dirs(info: PythonInfo) -> list[Path]:
    dirs = [Path(p) for p in info.site_packages]
    dirs.append(Path(info.user_site))  # the real user's, not a test HOME's
    return dirs  # watched even when missing: creating one is a change too


Snapshot = dict[str, tuple[int, int]]


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
