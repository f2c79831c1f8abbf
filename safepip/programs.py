"""Programs found on a PATH as :func:`shutil.which` finds them, with ``os`` alone (importing
:mod:`shutil` loads ``bz2`` and ``lzma``, ~1.5 ms of every start that only looks for uv, pipx or
an interpreter)."""

from __future__ import annotations

import os


def _runnable(candidate: str) -> bool:
    return os.path.isfile(candidate) and os.access(candidate, os.X_OK)


def which(command: str, path: str | None = None) -> str | None:
    """``command`` itself where it names a folder (``./x``, ``/usr/bin/x``), else the first
    executable of that name in the folders of ``path`` (``$PATH``'s form; by default this
    process's PATH), or None."""
    if os.path.dirname(command):
        return command if _runnable(command) else None
    if path is None:
        path = os.environ.get("PATH", os.defpath)
    seen: set[str] = set()
    for directory in path.split(os.pathsep):
        folder = directory or os.curdir
        if folder in seen:
            continue
        seen.add(folder)
        candidate = os.path.join(folder, command)
        if _runnable(candidate):
            return candidate
    return None
