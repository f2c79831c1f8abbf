"""Running the real safepip command in a subprocess, for the end-to-end tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path


def run_safepip(
    args: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float = 180,
    stdin: int | None = subprocess.DEVNULL,
) -> subprocess.CompletedProcess[str]:
    """``safepip ARGS`` as a user runs it: its own interpreter (this test venv's) is not on PATH,
    so the target is the first python3 on the clean PATH: the externally-managed one."""
    return subprocess.run(
        [sys.executable, "-m", "safepip", *args],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=stdin,
        check=False,
    )


def run_sh(
    code: str, cwd: Path, env: Mapping[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``sh -c CODE`` as a Dockerfile's ``RUN`` line or a script runs it: no terminal, output
    captured, its exit status returned (not raised)."""
    return subprocess.run(
        ["sh", "-c", code],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def stand_ins(bin_dir: Path, record: Path, *names: str) -> None:
    """Executables ``names`` in ``bin_dir`` that only append their name and arguments to
    ``record`` (an ``apt-get`` or ``sudo`` a test must not really run)."""
    for name in names:
        stand_in = bin_dir / name
        stand_in.write_text(f'#!/bin/sh\necho "{name} $*" >> "{record}"\n')
        stand_in.chmod(0o755)


def venv_python(project: Path) -> Path:
    return project / ".venv" / "bin" / "python"


def venv_import(project: Path, module: str, env: Mapping[str, str]) -> str:
    """``module.__version__`` as the project's .venv sees it."""
    completed = subprocess.run(
        [str(venv_python(project)), "-c", f"import {module}; print({module}.__version__)"],
        capture_output=True,
        text=True,
        env=dict(env),
        check=True,
    )
    return completed.stdout.strip()


def leftovers(project: Path) -> list[str]:
    """Anything safepip may have left half-made in the project folder."""
    return sorted(p.name for p in project.iterdir() if "safepip-tmp" in p.name)


def with_pipx(env: Mapping[str, str], pipx: Path, bin_dir: Path) -> dict[str, str]:
    """``env`` with only ``pipx`` added to PATH (a venv's bin folder would also put its python3
    first on PATH, and that is what safepip would then install into)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    link = bin_dir / "pipx"
    if not link.exists():
        link.symlink_to(pipx)
    return dict(env, PATH=f"{bin_dir}:{env['PATH']}")


def some_pipx(env: Mapping[str, str], root: Path) -> dict[str, str]:
    """``env`` with a pipx of this machine (Debian's, else PyPI's) on PATH and its folders under
    ``root``; the test fails where there is none and CI is set (tests/run.sh installs both),
    else it is skipped."""
    import os

    import pytest

    from .pipx import debian_pipx, pipx_env, pypi_pipx

    pipx = debian_pipx() or pypi_pipx()
    if pipx is None:
        if os.environ.get("CI", "").lower() in ("1", "true"):
            pytest.fail("no pipx here (tests/run.sh installs it)")
        pytest.skip("no pipx here")
    return with_pipx(pipx_env(env, root / "pipx"), pipx, root / "pipx-on-path")
