"""On a terminal (a real pty), an undeclared app inside a project is asked about once, and the
answer is remembered in the user's config."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import debian_pipx, pipx_env, pypi_pipx
from support.cli import run_safepip, with_pipx


def run_on_pty(args: list[str], cwd: Path, env: dict[str, str], answer: bytes) -> tuple[int, str]:
    """Run safepip with stdin/stdout/stderr on a pty; type ``answer`` at its question."""
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "safepip", *args],
        cwd=cwd,
        env=env,
        stdin=child,
        stdout=child,
        stderr=child,
        close_fds=True,
    )
    os.close(child)
    output = b""
    answered = False
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
            if not answered and b"[V/p]" in output:
                os.write(main, answer)
                answered = True
        elif proc.poll() is not None:
            break
    code = proc.wait(timeout=60)
    os.close(main)
    return code, output.decode(errors="replace")


def test_asks_once_and_remembers(project: Path, clean_env: dict[str, str], tmp_path: Path) -> None:
    pipx = debian_pipx() or pypi_pipx()
    if pipx is None:
        pytest.fail("no pipx installed (tests/run.sh installs Debian's)")
    env = with_pipx(pipx_env(clean_env, tmp_path / "pipx"), pipx, tmp_path / "pipx-bin")
    code, output = run_on_pty(["install", "fixapp"], project, env, b"p\n")
    assert code == 0, output
    assert "puts commands on PATH (fixapp)" in output
    assert "remembered fixapp -> pipx" in output
    config = Path(env["XDG_CONFIG_HOME"]) / "safepip" / "config.toml"
    assert 'fixapp = "pipx"' in config.read_text()
    assert (Path(env["PIPX_BIN_DIR"]) / "fixapp").exists()
    # the next decision uses the remembered answer without asking, even off a terminal
    explained = run_safepip(["explain", "fixapp"], cwd=project, env=env)
    assert "-> pipx" in explained.stdout
    assert str(config) in explained.stdout


def test_default_answer_is_the_venv(project: Path, clean_env: dict[str, str]) -> None:
    code, output = run_on_pty(["install", "fixhelper"], project, clean_env, b"\n")
    assert code == 0, output
    assert (project / ".venv" / "lib").is_dir()
    assert "remembered" not in output  # only an explicit answer is remembered
