"""Which commands a pip has, read from its files, and safepip's own pip standing in for one
that lacks a command (``lock`` before pip 25.1): run for the other interpreter with pip's own
``--python``, which re-executes that pip's code under that interpreter, in its environment.

A pip's commands are the keys of ``commands_dict`` in ``pip/_internal/commands/__init__.py``,
the table pip's own dispatcher reads (pip 19.3 and later); for a pip whose table cannot be read
safepip assumes it has every command (the command goes to it, as before).
"""

from __future__ import annotations

import os
import re

from safepip.pip.launcher import LAUNCHER
from safepip.target.site_packages import site_packages

_ENTRY = re.compile(r'^\s*"([a-z][a-z0-9-]*)":\s*CommandInfo\(', re.MULTILINE)
_VERSION = re.compile(r'^__version__\s*=\s*["\']([^"\']+)["\']', re.MULTILINE)


def venv_pip_dir(venv: str) -> str | None:
    """The folder of the pip package installed in the venv at ``venv``, or None."""
    for folder in site_packages(venv):
        candidate = os.path.join(folder, "pip")
        if os.path.isfile(os.path.join(candidate, "__init__.py")):
            return candidate
    return None


def known_commands(pip_dir: str) -> frozenset[str] | None:
    """The commands of the pip in ``pip_dir``, or None where its table cannot be read."""
    try:
        with open(os.path.join(pip_dir, "_internal", "commands", "__init__.py"), "rb") as handle:
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return None
    return frozenset(_ENTRY.findall(text)) or None


def lacks(pip_dir: str | None, command: str | None) -> bool:
    """Whether the pip in ``pip_dir`` certainly has no ``command`` (False where unknown)."""
    if pip_dir is None or command is None:
        return False
    known = known_commands(pip_dir)
    return known is not None and command not in known


def pip_version(pip_dir: str) -> str:
    """The pip's ``__version__`` (``?`` where it cannot be read), for messages."""
    try:
        with open(os.path.join(pip_dir, "__init__.py"), encoding="utf-8") as handle:
            found = _VERSION.search(handle.read())
    except (OSError, UnicodeDecodeError):
        return "?"
    return found.group(1) if found else "?"


def own_pip_for(python: str, python_version: str, own_executable: str) -> list[str] | None:
    """The command that runs safepip's own pip for ``python`` (pip's ``--python``, since pip
    22.3), or None where that pip cannot run on a Python of ``python_version``."""
    from safepip.target.own_pip import own_pip, pip_supports

    pip = own_pip()
    if pip is None or not pip_supports(pip, python_version):
        return None
    return [own_executable, "-c", LAUNCHER, "--python", python]


def own_pip_version() -> str:
    from safepip.target.own_pip import own_pip

    pip = own_pip()
    return pip.version if pip is not None else "?"
