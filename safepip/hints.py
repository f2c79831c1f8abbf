"""What safepip tells users to type: commands for their own shell (activate a venv, put a folder
on PATH), and paths shown as they would write them (relative when near)."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from safepip.environment import Environment


def display_path(path: Path, cwd: Path) -> str:
    """``path`` relative to the working directory when it is near, else absolute."""
    relative = os.path.relpath(path, cwd)
    if relative.startswith(os.path.join(os.pardir, os.pardir, os.pardir)):
        return str(path)
    return relative


def activate_hint(venv: Path, env: Environment, *, absolute: bool = False) -> str:
    """How to activate ``venv`` in the user's shell (from ``$SHELL``), from anywhere when
    ``absolute``."""
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


def path_hint(directory: Path, env: Environment, helper: str = "pipx ensurepath") -> str | None:
    """How to put pipx's (or uv's) bin directory on PATH in the user's shell, or None if it is
    there; ``helper`` is the tool's own command for it."""
    entries = [os.path.abspath(p) for p in env.environ.get("PATH", "").split(os.pathsep) if p]
    if os.path.abspath(directory) in entries:
        return None
    shell = os.path.basename(env.environ.get("SHELL", ""))
    quoted = shlex.quote(str(directory))
    if shell == "fish":
        return f"fish_add_path {quoted}"
    profile = {"zsh": "~/.zshrc", "bash": "~/.bashrc"}.get(shell, "~/.profile")
    return f"echo 'export PATH={quoted}:\"$PATH\"' >> {profile} (or run: {helper})"
