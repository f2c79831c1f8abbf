"""Real pip/setuptools/wheel wheels for the test index, and the pipx executables to test with.

What each pipx fetches from the index it is given (``PIP_INDEX_URL``), beyond the app itself:

* Debian's pipx 1.1.0 (``/usr/bin/pipx``): creates its shared venv with ``python -m venv --clear``
  (pip + setuptools come offline from Debian's ``/usr/share/python-wheels``), then runs
  ``pip install --force-reinstall --upgrade pip setuptools wheel``: **pip, setuptools and wheel**
  (and wheel's own dependencies: ``packaging`` for wheel >= 0.46).  A failure there is only logged
  ("Failed to upgrade shared libraries") and the install goes on with the Debian pip.
* Current pipx from PyPI (1.18.x): creates the shared venv ``--without-pip``, bootstraps pip with
  ``ensurepip`` (offline, Debian's wheel), then ``pip install --force-reinstall --upgrade
  "pip >= 26.1"``: **a recent pip only** (the floor moves with pipx releases), and a failure is
  fatal.  It then uninstalls setuptools from the shared venv.

Debian ships pip 23.0.1 and setuptools 66.1.1 wheels; ``wheel`` and a recent ``pip`` only come
from PyPI, so ``fetch_seed_wheels.py`` (run once, with the network, before the tests) downloads
them into ``tests/.cache/seed-wheels/`` and installs the PyPI pipx into ``tests/.cache/pipx-pypi/``.
"""

from __future__ import annotations

import os
import re
import shutil
import sysconfig
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = [
    "CACHE_DIR",
    "PIPX_PYPI_DIR",
    "SEED_DIR",
    "debian_pipx",
    "missing_seeds",
    "pipx_env",
    "pipx_pip_floor",
    "pypi_pipx",
    "seed_wheels",
]

TESTS_DIR = Path(__file__).resolve().parents[1]
CACHE_DIR = Path(os.environ.get("SAFEPIP_TEST_CACHE", TESTS_DIR / ".cache"))
SEED_DIR = CACHE_DIR / "seed-wheels"
PIPX_PYPI_DIR = CACHE_DIR / "pipx-pypi"

#: Debian's (and other distributions') folder of wheels for ensurepip/virtualenv.
SYSTEM_WHEEL_DIRS = (Path("/usr/share/python-wheels"),)

#: Projects that some pipx asks the index for (besides the app being installed), and what
#: installing safepip itself or a pipx for safepip needs (pipx, distro and their dependencies).
SEED_PROJECTS = ("pip", "setuptools", "wheel", "pipx", "distro")

_VERSION_PART = re.compile(r"(\d+)")


def _wheel_project(path: Path) -> str:
    return re.sub(r"[-_.]+", "-", path.name.split("-")[0]).lower()


def _wheel_version(path: Path) -> tuple[int, ...]:
    parts = path.name.split("-")
    if len(parts) < 2:
        return ()
    return tuple(int(m) for m in _VERSION_PART.findall(parts[1].split("+")[0])[:4])


def _wheel_dirs() -> list[Path]:
    dirs = [SEED_DIR, *SYSTEM_WHEEL_DIRS]
    pkg_dir = sysconfig.get_config_var("WHEEL_PKG_DIR")
    if pkg_dir:
        dirs.append(Path(pkg_dir))
    dirs.append(Path(sysconfig.get_path("stdlib")) / "ensurepip" / "_bundled")
    return dirs


def seed_wheels() -> list[Path]:
    """Real wheels found on this machine without the network, for the test index.

    From, in order: ``tests/.cache/seed-wheels/`` (filled by ``fetch_seed_wheels.py``: recent
    pip, setuptools, wheel and their dependencies), ``/usr/share/python-wheels`` (Debian: pip
    23.0.1, setuptools 66.1.1, and wheel with ``python3-wheel-whl``), and this interpreter's
    ``WHEEL_PKG_DIR`` / ``ensurepip/_bundled``.  The first of equal file names wins.
    """
    found: dict[str, Path] = {}
    for folder in _wheel_dirs():
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.whl")):
            found.setdefault(path.name, path)
    return sorted(found.values(), key=lambda p: p.name)


def pipx_pip_floor(pipx_exe: Path) -> str | None:
    """The ``pip >= X`` floor a pipx puts on its shared libraries, read from its source."""
    for python_lib in _pipx_package_dirs(pipx_exe):
        shared = python_lib / "shared_libs.py"
        if shared.is_file():
            match = re.search(r"""["']pip\s*>=\s*([0-9][0-9.]*)["']""", shared.read_text("utf-8"))
            return match.group(1) if match else None
    return None


def _pipx_package_dirs(pipx_exe: Path) -> list[Path]:
    exe = Path(pipx_exe)
    candidates = sorted(exe.parent.parent.glob("lib/python3*/site-packages/pipx"))
    if exe == Path("/usr/bin/pipx"):
        candidates.append(Path("/usr/lib/python3/dist-packages/pipx"))
    return candidates


def missing_seeds(pipx_exe: Path, wheels: Iterable[Path] | None = None) -> list[str]:
    """Requirements this pipx sends to the index that the seed wheels cannot satisfy."""
    wheels = list(seed_wheels() if wheels is None else wheels)
    by_project: dict[str, list[tuple[int, ...]]] = {}
    for wheel in wheels:
        by_project.setdefault(_wheel_project(wheel), []).append(_wheel_version(wheel))
    floor = pipx_pip_floor(pipx_exe)
    missing: list[str] = []
    if floor is not None:
        want = tuple(int(x) for x in floor.split(".") if x)
        if not any(v >= want for v in by_project.get("pip", [])):
            missing.append(f"pip>={floor}")
        return missing
    # old pipx (no floor): pip, setuptools and wheel, any version
    missing.extend(project for project in SEED_PROJECTS if project not in by_project)
    return missing


def debian_pipx() -> Path | None:
    """Debian's pipx (1.1.0 on bookworm), from ``apt-get install pipx``."""
    path = Path("/usr/bin/pipx")
    return path if path.is_file() and os.access(path, os.X_OK) else None


def pypi_pipx() -> Path | None:
    """The current PyPI pipx in ``tests/.cache/pipx-pypi`` (made by ``fetch_seed_wheels.py``)."""
    path = PIPX_PYPI_DIR / "bin" / "pipx"
    return path if path.is_file() and os.access(path, os.X_OK) else None


def pipx_env(env: Mapping[str, str], root: Path) -> dict[str, str]:
    """``env`` plus pipx's own folders under ``root`` and the pip backend forced.

    ``PIPX_DEFAULT_BACKEND=pip``: a recent pipx would otherwise switch to uv whenever a ``uv`` is
    on PATH, and uv ignores ``PIP_INDEX_URL`` (it would go to the internet).
    """
    out = {k: v for k, v in env.items() if not k.startswith(("PIPX_", "UV_"))}
    out["PIPX_HOME"] = str(root / "pipx-home")
    out["PIPX_BIN_DIR"] = str(root / "pipx-bin")
    out["PIPX_MAN_DIR"] = str(root / "pipx-man")
    out["PIPX_DEFAULT_BACKEND"] = "pip"
    return out


def which(command: str, env: Mapping[str, str]) -> str | None:
    """``shutil.which`` on the PATH of ``env``."""
    return shutil.which(command, path=env.get("PATH", ""))
