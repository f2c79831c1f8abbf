"""The environments safepip made or installed into, remembered in one small file in its state
folder (``~/.local/state/safepip/environments.json``): each one's path, kind (``venv``,
``user``, ``pipx``, ``uv-tool``), the interpreter it was made from as given (never resolved: a
stable link such as ``/usr/bin/python3`` survives a patch upgrade) and when. ``safepip doctor``
reads it after a Python upgrade to find every environment that broke.

The file is read, merged and replaced whole (``paths.write_whole``) under an exclusive
``flock`` of a lock file beside it, so concurrent safepip runs lose nothing; entries whose
folder is gone are dropped on every write. It is a convenience: where the state folder cannot be
written, nothing is remembered and the install goes on. No secrets are written (paths only).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from safepip.records import Frozen

FILE_NAME = "environments.json"
FORMAT = 1


class Made(Frozen):
    """One remembered environment."""

    __slots__ = ("kind", "path", "python", "when")
    path: str
    kind: str
    python: str
    when: str

    def __init__(self, path: str, kind: str, python: str, when: str = "") -> None:
        self._set(path=path, kind=kind, python=python, when=when)

    def as_json(self) -> dict[str, str]:
        return {"path": self.path, "kind": self.kind, "python": self.python, "when": self.when}


def _read(file: Path) -> list[Made]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        entries = data["environments"] if isinstance(data, dict) else []
    except (OSError, ValueError, KeyError):
        return []
    found = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        values = [entry.get(key) for key in ("path", "kind", "python", "when")]
        if all(isinstance(v, str) for v in values) and os.path.isabs(str(values[0])):
            found.append(Made(*(str(v) for v in values)))
    return found


def remembered(state_dir: Path) -> list[Made]:
    """The environments remembered whose folder is still there (nothing written)."""
    return [m for m in _read(state_dir / FILE_NAME) if os.path.isdir(m.path)]


def remember(state_dir: Path, made: list[Made]) -> str | None:
    """Add (or refresh) ``made`` in the file, dropping entries whose folder is gone. Never
    raises for the file system: returns why nothing was remembered, or None."""
    if not made:
        return None
    import fcntl

    from safepip.paths import write_whole

    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    file = state_dir / FILE_NAME
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(state_dir / f"{FILE_NAME}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as error:
        return f"{state_dir}: {error.strerror or error}"
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        fresh = {m.path: Made(m.path, m.kind, m.python, stamp) for m in made}
        kept = [m for m in _read(file) if m.path not in fresh and os.path.isdir(m.path)]
        entries = [m.as_json() for m in [*kept, *fresh.values()]]
        text = json.dumps({"format": FORMAT, "environments": entries}, indent=1) + "\n"
        write_whole(file, text)
    except OSError as error:
        return f"{file}: {error.strerror or error}"
    finally:
        os.close(fd)  # releases the lock
    return None
