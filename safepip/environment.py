"""The world safepip runs in, injected so that nothing is read at import time.

Tests build an :class:`Environment` with their own streams, variables and folders and call
``main(argv, env)``; the real entry point builds one from the process with :meth:`from_process`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from safepip import folders


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class Environment:
    """Streams, variables and working directory of one safepip run."""

    environ: Mapping[str, str]
    cwd: Path
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin_isatty: bool | None = None
    stdout_isatty: bool | None = None
    stderr_isatty: bool | None = None
    #: The interpreter safepip itself runs on (never taken as the user's target).
    own_executable: str = field(default_factory=lambda: sys.executable)

    def __post_init__(self) -> None:
        if self.stdin_isatty is None:
            self.stdin_isatty = _isatty(self.stdin)
        if self.stdout_isatty is None:
            self.stdout_isatty = _isatty(self.stdout)
        if self.stderr_isatty is None:
            self.stderr_isatty = _isatty(self.stderr)

    @classmethod
    def from_process(cls) -> Environment:
        return cls(environ=dict(os.environ), cwd=Path(os.getcwd()))

    @property
    def home(self) -> Path:
        return Path(folders.home(self.environ))

    @property
    def config_dir(self) -> Path:
        """``$XDG_CONFIG_HOME/safepip`` (``~/.config/safepip``)."""
        return Path(folders.folder(self.environ, folders.CONFIG))

    @property
    def cache_dir(self) -> Path:
        """``$XDG_CACHE_HOME/safepip`` (``~/.cache/safepip``)."""
        return Path(folders.folder(self.environ, folders.CACHE))

    @property
    def data_dir(self) -> Path:
        """``$XDG_DATA_HOME/safepip`` (``~/.local/share/safepip``)."""
        return Path(folders.folder(self.environ, folders.DATA))

    @property
    def state_dir(self) -> Path:
        """``$XDG_STATE_HOME/safepip`` (``~/.local/state/safepip``): what safepip remembers."""
        return Path(folders.folder(self.environ, folders.STATE))
