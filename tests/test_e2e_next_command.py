"""End to end in bash with ``eval "$(safepip shell-init bash)"``, in a fresh folder outside any
project: after ``pip install``, the next command works. A library that ships a helper command
is imported (it went to the folder's .venv, which shell-init activated); an application runs
(it went to pipx, whose folder is on PATH). Fixture wheels offline; the real packages the issue
names under SAFEPIP_TEST_NETWORK=1."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from support.cli import some_pipx
from test_shell import run_shell, shell_path


def bash_env(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """``env`` with a ``safepip`` command on PATH (this checkout's) and bash as the shell."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    wrapper = bin_dir / "safepip"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m safepip "$@"\n')
    wrapper.chmod(0o755)
    return dict(env, PATH=f"{bin_dir}:{env['PATH']}", SHELL=shell_path("bash"))


def fresh_folder(env: dict[str, str]) -> Path:
    folder = Path(env["HOME"]) / "work" / "demo"
    folder.mkdir(parents=True)
    return folder


LOAD = 'eval "$(safepip shell-init bash)"; '


def test_a_library_with_a_helper_command_is_imported_next(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    env = bash_env(clean_env, tmp_path)
    folder = fresh_folder(env)
    code = LOAD + 'pip install fixhelper fixlib && python3 -c "import fixhelper, fixlib; print(1)"'
    result = run_shell("bash", code, env, folder, timeout=240)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "1"
    assert (folder / ".venv" / "bin" / "fixhelper-cli").exists()


def test_an_application_is_run_next(clean_env: dict[str, str], tmp_path: Path) -> None:
    env = bash_env(some_pipx(clean_env, tmp_path), tmp_path)
    env["PATH"] = f"{env['PIPX_BIN_DIR']}:{env['PATH']}"
    folder = fresh_folder(env)
    result = run_shell("bash", LOAD + "pip install fixapp && fixapp", env, folder, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "fixapp 1.0 (fixlib 2.0)"
    assert not (folder / ".venv").exists()


@pytest.mark.network
@pytest.mark.parametrize(
    "code",
    [
        'pip install gpiozero tabulate && python3 -c "import gpiozero, tabulate"',
        'pip install sympy && python3 -c "import sympy"',
        "pip install pyflakes && pyflakes --version",
    ],
    ids=["gpiozero-tabulate", "sympy", "pyflakes"],
)
def test_the_next_command_works_with_real_packages(code: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "PIP_CONFIG_FILE": os.environ.get("PIP_CONFIG_FILE", ""),
        **{k: v for k, v in os.environ.items() if k.lower().endswith("_proxy")},
    }
    env = {k: v for k, v in env.items() if v}
    env = bash_env(env, tmp_path)
    folder = fresh_folder(env)
    result = run_shell("bash", LOAD + code, env, folder, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
