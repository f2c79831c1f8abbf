"""A per-environment lock, so that two safepip runs never run pip (or pipx) into one environment
at once.

``fcntl.flock`` is released by the kernel when its holder dies, however it dies, so the lock can
never be left stale. Lock files live in safepip's cache folder, not in the user's project.

Where that folder cannot be written (a read-only or full HOME or ``$XDG_CACHE_HOME``), the lock
is taken on the folder that holds the environment instead (``flock`` on a folder needs no write
access and leaves no file behind): every safepip run that cannot write its cache agrees on it.
Where even that folder cannot be opened, the run goes on unlocked and says so in one line: the
cache is only a cache, and refusing to install over it would be worse than the rare race.

A lock already held by this process is not taken again (``flock`` on a second descriptor of the
same file would wait for ourselves): nested holders share it.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType
from typing import Callable

from safepip.target.questions import sha256_hex

#: What this process holds: the lock's path (file or folder) -> how many holders share it.
_HELD: dict[str, int] = {}


def _note_nothing(_: str) -> None:
    pass


class EnvironmentLock:
    """Exclusive lock on one environment path; ``on_wait`` is called once if we must wait,
    ``on_note`` with one line where the lock could not be taken where it belongs. The lock file
    is ``lock_dir/<digest of the path>.lock``, or ``lock_dir/lock_file`` where another program
    names it (pipx's own lock)."""

    def __init__(
        self,
        lock_dir: Path,
        environment: Path,
        on_wait: Callable[[], None],
        on_note: Callable[[str], None] = _note_nothing,
        lock_file: str | None = None,
    ) -> None:
        absolute = os.path.abspath(environment)
        digest = sha256_hex(os.fsencode(absolute))[:24]
        self.path = lock_dir / (lock_file or f"{digest}.lock")
        #: Where the lock is taken if ``lock_dir`` cannot be written: the folder holding it.
        self.beside = Path(absolute).parent
        self._on_wait = on_wait
        self._on_note = on_note
        self._fd: int | None = None
        self._key: str | None = None

    def __enter__(self) -> EnvironmentLock:
        key, fd = self._open()
        if fd is None:
            return self
        if key in _HELD:
            os.close(fd)
            _HELD[key] += 1
            self._key = key
            return self
        try:
            self._wait(fd)
        except BaseException:
            os.close(fd)
            raise
        self._fd, self._key = fd, key
        _HELD[key] = 1
        return self

    def _open(self) -> tuple[str, int | None]:
        """The lock's file (or, failing that, folder) opened; None where neither could be."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return str(self.path), os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as error:
            why = error.strerror or str(error)
        try:  # one made earlier, when the folder could still be written
            return str(self.path), os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            pass
        try:
            self.beside.mkdir(parents=True, exist_ok=True)
            flags = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
            return str(self.beside), os.open(self.beside, flags)
        except OSError as error:
            self._on_note(
                f"no lock for this run: safepip's lock folder {self.path.parent} cannot be made "
                f"({why}), nor {self.beside} opened ({error.strerror or error}); another safepip "
                "run into the same environment at this moment could interfere"
            )
            return "", None

    def _wait(self, fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._on_wait()
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    time.sleep(0.05)

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        key, self._key = self._key, None
        if key is None:
            return
        _HELD[key] -= 1
        if _HELD[key] == 0:
            del _HELD[key]
        if self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None
