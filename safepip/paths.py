"""Path comparisons with ``os`` alone (the fast path and shell integration read them)."""

from __future__ import annotations

import os


def same_path(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether ``a`` and ``b`` are the same file or folder (by identity where both exist,
    otherwise by their absolute spelling): an active venv reached through a link is the same
    venv."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)
