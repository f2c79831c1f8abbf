"""The project a command is run in: the folder whose ``.venv`` libraries belong in.

The walk starts at the working directory and goes up. A folder is a project root when it holds
one of :data:`MARKERS` (or a ``requirements*.txt``). The walk stops, without looking further, at
the user's home folder (checked, but nothing above it) and at the root of a version-control
checkout (a folder with ``.git``/``.hg``), so that a stray ``setup.py`` in ``/`` or ``~/..`` never
captures unrelated work.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "Pipfile", ".venv")
_BOUNDARIES = (".git", ".hg")
VENV_NAME = ".venv"


@dataclass(frozen=True)
class Project:
    """A project root and the marker that made it one."""

    root: Path
    marker: str

    @property
    def venv(self) -> Path:
        return self.root / VENV_NAME


def _marker_in(directory: Path) -> str | None:
    for name in MARKERS:
        if (directory / name).exists() or (directory / name).is_symlink():
            return name
    try:
        for entry in directory.glob("requirements*.txt"):
            return entry.name
    except OSError:
        return None
    return None


def find_project(cwd: Path, home: Path) -> Project | None:
    """The nearest project root at or above ``cwd``, or None outside any project."""
    try:
        home = home.resolve()
    except OSError:
        pass
    directory = cwd
    while True:
        marker = _marker_in(directory)
        if marker is not None:
            return Project(directory, marker)
        if directory == home or any((directory / b).exists() for b in _BOUNDARIES):
            return None
        parent = directory.parent
        if parent == directory:
            return None
        directory = parent
