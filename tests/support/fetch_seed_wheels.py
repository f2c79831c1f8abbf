"""Setup step, WITH network, to run once before the tests (CI runs it before pytest).

    python3 tests/support/fetch_seed_wheels.py

1. Creates (or reuses) the tool venv ``tests/.cache/pipx-pypi/`` with the externally managed
   interpreter (``/usr/bin/python3``, or ``--python``) and installs the newest pipx from PyPI in it.
2. Downloads the newest ``pip``, ``setuptools`` and ``wheel`` wheels, with their dependencies,
   into ``tests/.cache/seed-wheels/``: what pipx asks its index for and Debian does not ship;
   and the newest of those (plus ``packaging``, ``tomli``, ``distro``) for Python 3.9, for the
   tests on older Pythons (``test_platforms.py``).

Idempotent.  When the network fails but a usable cache is already there, it warns and exits 0.
The tests themselves never touch the network: they serve these files from a local index.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
# run as a script: drop tests/support/ itself (its pipx.py would shadow a "pipx"), add tests/
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from support.pipx import (  # noqa: E402 - needs the path above
    PIPX_PYPI_DIR,
    SEED_DIR,
    SEED_PROJECTS,
    pypi_pipx,
)

#: The oldest Python safepip supports (pyproject's requires-python), and what installing safepip
#: with it (install.py) and upgrading its pip fetches from the test index.
OLDEST_PYTHON = "3.9"
OLDEST_PYTHON_PROJECTS = ("pip", "setuptools", "wheel", "packaging", "tomli", "distro")


def _default_python() -> str:
    env_python = os.environ.get("SAFEPIP_TEST_MANAGED_PYTHON")
    if env_python:
        return env_python
    if Path("/usr/bin/python3").is_file():
        return "/usr/bin/python3"
    return sys.executable


def _run(cmd: list[str]) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL)


def setup_pypi_pipx(python: str) -> Path:
    """Create ``tests/.cache/pipx-pypi`` and install/upgrade pipx from PyPI in it."""
    venv_python = PIPX_PYPI_DIR / "bin" / "python"
    if not venv_python.is_file():
        if PIPX_PYPI_DIR.exists():
            shutil.rmtree(PIPX_PYPI_DIR)
        _run([python, "-m", "venv", str(PIPX_PYPI_DIR)])
    _run([str(venv_python), "-m", "pip", "install", "--quiet", "--upgrade", "pipx"])
    exe = pypi_pipx()
    if exe is None:
        raise SystemExit(f"pipx did not install into {PIPX_PYPI_DIR}")
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    print(f"PyPI pipx {out.stdout.strip()} at {exe}", flush=True)
    return exe


def fetch_seed_wheels(pip_python: Path) -> None:
    """Replace ``tests/.cache/seed-wheels`` with the newest pip, setuptools, wheel (+ deps)."""
    SEED_DIR.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=SEED_DIR.parent, prefix=".seed-") as tmp:
        _run(
            [
                str(pip_python),
                "-m",
                "pip",
                "download",
                "--quiet",
                "--only-binary=:all:",
                "--dest",
                tmp,
                *SEED_PROJECTS,
            ]
        )
        # and the newest of what installing safepip needs that still runs on the oldest Python
        # it supports (pip 26 and packaging 26 need 3.10; tomli only below 3.11)
        _run(
            [
                str(pip_python),
                "-m",
                "pip",
                "download",
                "--quiet",
                "--only-binary=:all:",
                f"--python-version={OLDEST_PYTHON}",
                "--dest",
                tmp,
                *OLDEST_PYTHON_PROJECTS,
            ]
        )
        old = SEED_DIR.with_name(SEED_DIR.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        if SEED_DIR.exists():
            SEED_DIR.rename(old)
        Path(tmp).rename(SEED_DIR)
        Path(tmp).mkdir()  # for TemporaryDirectory's cleanup
        if old.exists():
            shutil.rmtree(old)
    print("seed wheels:", ", ".join(sorted(p.name for p in SEED_DIR.glob("*.whl"))), flush=True)


def _cache_usable() -> bool:
    names = {p.name.split("-")[0].lower() for p in SEED_DIR.glob("*.whl")}
    return pypi_pipx() is not None and all(project in names for project in SEED_PROJECTS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=_default_python(), help="interpreter for the pipx venv")
    args = parser.parse_args(argv)
    try:
        setup_pypi_pipx(args.python)
        fetch_seed_wheels(PIPX_PYPI_DIR / "bin" / "python")
    except (subprocess.CalledProcessError, OSError, SystemExit) as exc:
        if _cache_usable():
            print(f"warning: refresh failed ({exc}); keeping the existing cache", file=sys.stderr)
            return 0
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
