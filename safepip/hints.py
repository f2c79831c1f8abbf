"""What safepip tells users to type: commands for their own shell (activate a venv, put a folder
on PATH), and paths shown as they would write them (relative when near)."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # display_path serves the warm path too: os only at import
if TYPE_CHECKING:
    from pathlib import Path

    from safepip.environment import Environment


def display_path(path: str | Path, cwd: str | Path) -> str:
    """``path`` relative to the working directory when it is near, else absolute."""
    relative = os.path.relpath(path, cwd)
    if relative.startswith(os.path.join(os.pardir, os.pardir, os.pardir)):
        return os.fspath(path)
    return relative


def activate_hint(venv: Path, env: Environment, *, absolute: bool = False) -> str:
    """How to activate ``venv`` in the user's shell (from ``$SHELL``), from anywhere when
    ``absolute``."""
    import shlex

    shown = shlex.quote(str(venv) if absolute else display_path(venv, env.cwd))
    shell = os.path.basename(env.environ.get("SHELL", ""))
    if shell == "fish":
        return f"source {shown}/bin/activate.fish"
    if shell in ("csh", "tcsh"):
        return f"source {shown}/bin/activate.csh"
    if shell in ("sh", "dash", "ash"):
        return f". {shown}/bin/activate"
    if shell in ("pwsh", "powershell"):
        return f"{shown}/bin/Activate.ps1"
    if shell == "nu":
        return f"overlay use {shown}/bin/activate.nu"
    return f"source {shown}/bin/activate"


def _dockerfile_word(text: str) -> str:
    return f'"{text}"' if any(c in text for c in " \t\"'\\") else text


def _ci(env: Environment) -> bool:
    return env.environ.get("CI", "").lower() in ("true", "1", "yes")


def lasting_hint(venv: Path, env: Environment) -> str | None:
    """What makes ``venv`` the Python of the steps that follow, where activating it would not
    outlive the command: GitHub Actions (``$GITHUB_PATH``, and ``$GITHUB_ENV``), another CI
    job (``CI=true``: GitLab's script lines share one shell: ``export``), or a Dockerfile
    ``RUN`` line (root without ``SUDO_USER`` and without a terminal). None elsewhere."""
    import shlex
    from pathlib import Path

    venv = Path(os.path.abspath(venv))
    if env.environ.get("GITHUB_PATH"):
        line = f'for the next steps: echo {shlex.quote(str(venv / "bin"))} >> "$GITHUB_PATH"'
        if env.environ.get("GITHUB_ENV"):
            line += f' && echo {shlex.quote(f"VIRTUAL_ENV={venv}")} >> "$GITHUB_ENV"'
        return line
    if _ci(env):
        quoted = shlex.quote(str(venv))
        return (
            f"for the next lines of this job: export VIRTUAL_ENV={quoted} "
            f'PATH={shlex.quote(str(venv / "bin"))}:"$PATH"'
        )
    terminal = env.stdin_isatty or env.stdout_isatty or env.stderr_isatty
    if os.geteuid() != 0 or env.environ.get("SUDO_USER") or terminal:
        return None
    root, path = _dockerfile_word(str(venv)), _dockerfile_word(f"{venv}/bin:$PATH")
    return f"in a Dockerfile, after this RUN line: ENV VIRTUAL_ENV={root} PATH={path}"


def quiet_hints(env: Environment) -> bool:
    """``SAFEPIP_QUIET_HINTS=1``: under ``-q``, not even the line that makes the next step
    work (:func:`lasting_hint`, which ``-q`` alone does not hide)."""
    return env.environ.get("SAFEPIP_QUIET_HINTS", "") not in ("", "0")


def path_hint(
    directory: Path, env: Environment, helper: str | None = "pipx ensurepath"
) -> str | None:
    """How to put pipx's (or uv's) bin directory on PATH in the user's shell, or None if it is
    there; ``helper`` is the tool's own command for it, if it has one."""
    import shlex

    entries = [os.path.abspath(p) for p in env.environ.get("PATH", "").split(os.pathsep) if p]
    if os.path.abspath(directory) in entries:
        return None
    shell = os.path.basename(env.environ.get("SHELL", ""))
    quoted = shlex.quote(str(directory))
    if shell == "fish":
        return f"fish_add_path {quoted}"
    profile = {"zsh": "~/.zshrc", "bash": "~/.bashrc"}.get(shell, "~/.profile")
    line = f"echo 'export PATH={quoted}:\"$PATH\"' >> {profile}"
    return f"{line} (or run: {helper})" if helper else line
