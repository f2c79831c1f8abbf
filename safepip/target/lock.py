"""A per-environment lock, so that two safepip runs never run pip into one environment at once.

``fcntl.flock`` is released by the kernel when its holder dies, however it dies, so the lock can
never be left stale. Lock files live in safepip's cache folder, not in the user's project.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType
from typing import Callable

from safepip.target.questions import sha256_hex


class EnvironmentLock:
    """Exclusive lock on one environment path; ``on_wait`` is called once if we must wait."""

    def __init__(self, lock_dir: Path, environment: Path, on_wait: Callable[[], None]) -> None:
        digest = sha256_hex(os.fsencode(os.path.abspath(environment)))[:24]
        self.path = lock_dir / f"{digest}.lock"
        self._on_wait = on_wait
        self._fd: int | None = None

    def __enter__(self) -> EnvironmentLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._on_wait()
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        time.sleep(0.05)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None
