"""The rule that finds a project's root, on plain path strings (``os`` only), for
:func:`safepip.target.project.find_project` and for the console script's early start
(:mod:`safepip.cli.early`), which runs before pathlib is imported.

The walk starts at the working directory and goes up. A folder is a project root when it holds
one of :data:`MARKERS` (or a ``requirements*.txt``), or when it is the root of a version-control
checkout (:data:`BOUNDARIES`). The user's home folder is never a project: the walk stops below it.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # the fast path reads this module: no typing
if TYPE_CHECKING:
    from collections.abc import Iterator

MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "Pipfile", ".venv")
BOUNDARIES = (".git", ".hg")
_REQUIREMENTS = ("requirements", ".txt")  # requirements*.txt


def _marker_in(directory: str) -> str | None:
    for name in MARKERS:
        if os.path.lexists(os.path.join(directory, name)):  # a dangling link counts too
            return name
    start, end = _REQUIREMENTS
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith(start) and name.endswith(end) and len(name) >= 16:
                    return name
    except OSError:
        return None
    return None


def walk_up(start: str, home: str, *, home_too: bool = False) -> Iterator[str]:
    """``start`` (an absolute path) and the folders above it, as every project walk sees them
    (this one, the fast path's and, in sh, ``scripts/safepip``'s): it ends after the root of a
    checkout, at ``/``, or below ``home`` (the home folder is never a project); with
    ``home_too``, at ``home`` itself (the fast path's question is any other ``.venv`` in the way,
    and a ``~/.venv`` is one)."""
    home = os.path.realpath(home)
    directory = start
    while directory != home or home_too:
        yield directory
        if directory == home or any(os.path.exists(os.path.join(directory, b)) for b in BOUNDARIES):
            return
        parent = os.path.dirname(directory)
        if parent == directory:
            return
        directory = parent


def find_root(cwd: str, home: str) -> tuple[str, str] | None:
    """The nearest project root at or above ``cwd`` (an absolute path) below ``home``, and the
    marker that made it one; None outside any project."""
    for directory in walk_up(cwd, home):
        marker = _marker_in(directory)
        if marker is None:
            found = (b for b in BOUNDARIES if os.path.exists(os.path.join(directory, b)))
            marker = next(found, None)
        if marker is not None:
            return directory, marker
    return None


def may_look_up(interactive: bool, cwd: str, home: str) -> bool:
    """Whether an install naming packages is likely to look one up on the index (and so to need
    the target's wheel tags): on a terminal, or outside any project. The hint the early start
    (:mod:`safepip.cli.early`), :mod:`safepip.commands.pip` and uv's first install give the
    probe (:func:`safepip.target.interpreter.probe`'s ``platform_too``); the decision itself is
    :mod:`safepip.decide.route`'s."""
    if interactive:
        return True
    return find_root(cwd, home) is None
