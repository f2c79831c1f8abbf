"""What a local requirement (a folder, a wheel file, ``-e PATH``) would put on PATH, read
without building or running anything of it: a folder's ``pyproject.toml`` (``[project.scripts]``
and ``[project.gui-scripts]``, where they are not dynamic), a wheel's entry points and scripts.

Used where a checkout's code is about to become an application on the user's PATH: a command of
its that is already on PATH (``git``, ``ls``) must be seen before anything is installed. None
means "cannot tell" (``setup.py``, dynamic scripts, a URL): the caller treats that as unsafe.
"""

from __future__ import annotations

import os
from pathlib import Path


def _path_of(text: str, kind: str, cwd: Path) -> Path | None:
    """The file or folder a local requirement names (``-e PATH``, ``PATH[extra]``), or None
    for a VCS or URL editable."""
    value = text[3:].strip() if kind == "editable" else text
    if "://" in value or value.startswith(("git+", "hg+", "svn+", "bzr+")):
        return None
    value = value.split("[", 1)[0].strip()
    return cwd / os.path.expanduser(value)


def _project_commands(folder: Path) -> tuple[str, ...] | None:
    from safepip.exceptions import SettingsError
    from safepip.tomlfile import load_toml

    try:
        project = load_toml(folder / "pyproject.toml").get("project")
    except SettingsError:
        return None
    if not isinstance(project, dict):
        return None
    dynamic = project.get("dynamic", [])
    if not isinstance(dynamic, list) or {"scripts", "gui-scripts"} & set(dynamic):
        return None
    names: list[str] = []
    for table in ("scripts", "gui-scripts"):
        value = project.get(table, {})
        if not isinstance(value, dict):
            return None
        names += [str(name) for name in value]
    return tuple(names)


def local_commands(text: str, kind: str, cwd: Path) -> tuple[str, ...] | None:
    """The commands of the local requirement ``text`` (of ``kind`` "local" or "editable"), or
    None where they cannot be read without building it."""
    path = _path_of(text, kind, cwd)
    if path is None:
        return None
    if path.is_dir():
        return _project_commands(path)
    if path.suffix == ".whl" and path.is_file():
        from safepip.exceptions import SafepipError
        from safepip.inspect.wheel import read_local_wheel

        try:
            return read_local_wheel(path).commands
        except SafepipError:
            return None
    return None
