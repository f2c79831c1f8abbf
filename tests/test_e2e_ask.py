"""On a terminal (a real pty), an undeclared app inside a project is asked about once (the
default is pipx: an application stays out of the project's .venv), and the answer is remembered
for that project only, in safepip's state folder (never in config.toml). A library that ships a
helper command is not asked about: it goes where the project imports it."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from support.cli import run_safepip, some_pipx


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
            if not answered and (b"[V/p]" in output or b"[P/v]" in output):
                os.write(main, answer)
                answered = True
        elif proc.poll() is not None:
            break
    code = proc.wait(timeout=60)
    os.close(main)
    return code, output.decode(errors="replace")


def test_asks_once_and_remembers(project: Path, clean_env: dict[str, str], tmp_path: Path) -> None:
    env = some_pipx(clean_env, tmp_path)
    code, output = run_on_pty(["install", "fixapp"], project, env, b"v\n")
    assert code == 0, output
    assert "puts commands on PATH (fixapp)" in output and "[P/v]" in output
    assert "remembered fixapp -> venv for this project" in output
    config = Path(env["XDG_CONFIG_HOME"]) / "safepip" / "config.toml"
    assert not config.exists()
    answers = Path(env["XDG_STATE_HOME"]) / "safepip" / "answers.json"
    assert json.loads(answers.read_text()) == {str(project): {"fixapp": "venv"}}
    assert (project / ".venv" / "bin" / "fixapp").exists()
    assert not (Path(env["PIPX_BIN_DIR"]) / "fixapp").exists()
    # the next decision uses the remembered answer without asking, even off a terminal
    explained = run_safepip(["explain", "fixapp"], cwd=project, env=env)
    assert "-> the project's .venv" in explained.stdout
    assert str(answers) in explained.stdout
    # ... in this project only: another project gets the rule's choice (no terminal to ask on)
    other = project.parent / "other"
    other.mkdir()
    (other / "pyproject.toml").write_text('[project]\nname = "other"\nversion = "0"\n')
    elsewhere = run_safepip(["explain", "fixapp"], cwd=other, env=env)
    assert "-> pipx" in elsewhere.stdout, elsewhere.stdout


def test_the_default_answer_for_an_application_is_pipx(
    project: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    env = some_pipx(clean_env, tmp_path)
    code, output = run_on_pty(["install", "fixapp"], project, env, b"\n")
    assert code == 0, output
    assert (Path(env["PIPX_BIN_DIR"]) / "fixapp").exists()
    assert not (project / ".venv").exists()
    assert "remembered" not in output  # only an explicit answer is remembered


def test_an_answer_keeps_the_users_config(project: Path, clean_env: dict[str, str]) -> None:
    config = Path(clean_env["XDG_CONFIG_HOME"]) / "safepip" / "config.toml"
    config.parent.mkdir(parents=True)
    text = "# mine\nuse-uv = false\n[routes]\nfixgui = 'venv'\n"
    config.write_text(text)
    code, output = run_on_pty(["install", "fixapp"], project, clean_env, b"v\n")
    assert code == 0, output
    assert "remembered fixapp -> venv for this project" in output
    assert config.read_text() == text


def test_a_library_with_a_helper_command_is_not_asked_about(
    project: Path, clean_env: dict[str, str]
) -> None:
    code, output = run_on_pty(["install", "fixhelper"], project, clean_env, b"p\n")
    assert code == 0, output
    assert "[V/p]" not in output and "[P/v]" not in output
    assert (project / ".venv" / "bin" / "fixhelper-cli").exists()
    assert "a library" in output


def test_explain_and_a_dry_run_say_what_install_on_this_terminal_would_do(
    project: Path, clean_env: dict[str, str]
) -> None:
    for args in (["explain", "fixapp"], ["install", "--dry-run", "fixapp"]):
        code, output = run_on_pty(args, project, clean_env, b"v\n")
        assert code == 0, output
        assert "[P/v]" not in output  # nothing is asked
        assert "on this terminal install asks first (default: pipx)" in output
    assert not (Path(clean_env["XDG_STATE_HOME"]) / "safepip" / "answers.json").exists()


def test_pips_no_input_asks_nothing_on_a_terminal(
    project: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    """``--no-input``, ``PIP_NO_INPUT`` and pip's config ``no-input`` each answer the question
    with what a run without a terminal gets (a job with a TTY never hangs on it)."""
    env = some_pipx(clean_env, tmp_path)
    config = tmp_path / "pip.conf"
    config.write_text("[global]\nno-input = true\n")
    for args, extra in (
        (["install", "--no-input", "fixapp"], {}),
        (["install", "fixapp"], {"PIP_NO_INPUT": "1"}),
        (["install", "fixapp"], {"PIP_CONFIG_FILE": str(config)}),
    ):
        code, output = run_on_pty(args, project, {**env, **extra}, b"v\n")
        assert code == 0, output
        assert "[P/v]" not in output and "[V/p]" not in output, output
        assert (Path(env["PIPX_BIN_DIR"]) / "fixapp").exists(), output
        assert not (project / ".venv").exists()
        code, output = run_on_pty(
            ["uninstall", "fixapp", *args[1:-1]], project, {**env, **extra}, b"y\n"
        )
        assert code == 1 and "Proceed" not in output and "not uninstalled: fixapp" in output, output
        assert (Path(env["PIPX_BIN_DIR"]) / "fixapp").exists()
        run_safepip(["uninstall", "-y", "fixapp"], cwd=project, env=env)


def test_an_answer_that_cannot_be_remembered_still_holds(
    project: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    """A state folder that cannot be written (here a file stands where it would be): the
    answer holds for this run, one line says it was not remembered, and no traceback."""
    blocked = tmp_path / "state-is-a-file"
    blocked.write_text("")
    env = dict(clean_env, XDG_STATE_HOME=str(blocked))
    code, output = run_on_pty(["install", "fixapp"], project, env, b"v\n")
    assert code == 0, output
    assert "could not remember your answer" in output and "Traceback" not in output
    assert (project / ".venv" / "bin" / "fixapp").exists()
