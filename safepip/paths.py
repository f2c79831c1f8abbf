"""Paths with ``os`` alone: one comparison (the fast path and shell integration read it), and
one way to replace a file whole (a reader never sees half of it, and a failure leaves the old
one)."""

from __future__ import annotations

import contextlib
import os


def same_path(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether ``a`` and ``b`` are the same file or folder (by identity where both exist,
    otherwise by their absolute spelling): an active venv reached through a link is the same
    venv."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def write_whole(path: str | os.PathLike[str], text: str) -> None:
    """Replace the file at ``path`` with ``text`` atomically, keeping its permissions (a new
    file gets the umask's): a temporary file beside it, flushed to disk, then renamed over it.
    Raises OSError (nothing is left behind)."""
    import tempfile

    folder, name = os.path.split(os.fspath(path))
    descriptor, partial = tempfile.mkstemp(dir=folder or ".", prefix=f".{name}.", text=True)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.chmod(partial, os.stat(path).st_mode & 0o7777)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(partial, 0o666 & ~umask)
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise
