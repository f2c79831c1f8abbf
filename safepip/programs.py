"""Programs found on a PATH as :func:`shutil.which` finds them, with ``os`` alone (importing
:mod:`shutil` loads ``bz2`` and ``lzma``, ~1.5 ms of every start that only looks for uv, pipx or
an interpreter); and the system's own programs, found in the system's folders alone, for the
questions a safety decision asks (:func:`system_program`)."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator


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
    return next(_on_path(command, path), None)


def _on_path(command: str, path: str) -> Iterator[str]:
    """Every executable named ``command`` in the folders of ``path``, in order, each folder
    once (an empty entry is the working folder, as for the shell)."""
    for folder in dict.fromkeys(directory or os.curdir for directory in path.split(os.pathsep)):
        candidate = os.path.join(folder, command)
        if _runnable(candidate):
            yield candidate


def elsewhere(command: str, path: str, besides: str) -> list[str]:
    """Every executable named ``command`` in the folders of ``path`` other than ``besides``
    (an application's bin folder), in PATH's order: what that application's ``command`` would
    hide, or be hidden by."""
    own = os.path.realpath(besides)
    return [c for c in _on_path(command, path) if os.path.realpath(os.path.dirname(c)) != own]


def comes_first(folder: str, other: str, path: str) -> bool:
    """Whether ``folder`` comes before the folder of the program ``other`` on ``path`` (a folder
    not on it comes last)."""
    folders = [os.path.realpath(d or os.curdir) for d in path.split(os.pathsep)]
    mine, theirs = os.path.realpath(folder), os.path.realpath(os.path.dirname(other))
    rank = {f: i for i, f in reversed(list(enumerate(folders)))}
    return rank.get(mine, len(folders)) < rank.get(theirs, len(folders))


#: Folders an administrator installs newer versions of system programs into, searched after the
#: system's own path (``confstr("CS_PATH")``: ``/bin:/usr/bin`` on Linux, with ``/usr/sbin`` and
#: ``/sbin`` on macOS).
_ADMIN_FOLDERS = ("/usr/local/bin", "/opt/homebrew/bin")


def _root_only(path: str) -> bool:
    """Owned by root and writable by no one else (the owner of ``/usr/bin`` could replace any
    program in it anyway)."""
    try:
        info = os.stat(path)
    except OSError:
        return False
    return info.st_uid == 0 and not info.st_mode & 0o022


def system_folders() -> list[str]:
    """The system's own program folders, for the programs a safety decision runs: the POSIX
    path (``CS_PATH``), then ``/usr/local/bin`` and ``/opt/homebrew/bin``, each kept only where
    root owns it and no one else can write to it. Never ``$PATH``: the user's folders
    (``~/.local/bin``), a venv's ``bin``, the working folder are where a checkout or what it
    installed could have put a program of the same name (Homebrew's folder belongs to the
    user who installed it, so it counts only where root owns it)."""
    try:
        posix = os.confstr("CS_PATH") or ""
    except (ValueError, OSError):
        posix = ""
    folders = [*(posix or "/usr/bin:/bin").split(os.pathsep), *_ADMIN_FOLDERS]
    return [f for f in dict.fromkeys(folders) if os.path.isabs(f) and _root_only(f)]


def system_program(command: str) -> str | None:
    """The first ``command`` in :func:`system_folders` that is itself root's and writable by
    no one else (what a link there leads to, too), or None: then the question it would have
    answered is one safepip cannot answer."""
    for folder in system_folders():
        candidate = os.path.join(folder, command)
        if not (_runnable(candidate) and _root_only(candidate)):
            continue
        if _root_only(os.path.dirname(os.path.realpath(candidate))):
            return candidate
    return None
