"""The world safepip runs in, injected so that nothing is read at import time.

Tests build an :class:`Environment` with their own streams, variables and folders and call
``main(argv, env)``; the real entry point builds one from the process with :meth:`from_process`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from safepip import folders
from safepip.records import Mutable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import TextIO


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Environment(Mutable):
    """Streams, variables and working directory of one safepip run."""

    __slots__ = (
        "cwd",
        "environ",
        "own_executable",
        "stderr",
        "stderr_isatty",
        "stdin",
        "stdin_isatty",
        "stdout",
        "stdout_isatty",
    )  # fmt: skip
    environ: Mapping[str, str]
    cwd: Path
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    stdin_isatty: bool | None
    stdout_isatty: bool | None
    stderr_isatty: bool | None
    #: The interpreter safepip itself runs on (never taken as the user's target).
    own_executable: str

    def __init__(
        self,
        environ: Mapping[str, str],
        cwd: Path,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        stdin_isatty: bool | None = None,
        stdout_isatty: bool | None = None,
        stderr_isatty: bool | None = None,
        own_executable: str | None = None,
    ) -> None:
        """The streams default to this process's own (and whether each is a terminal, to what
        they say of themselves), ``own_executable`` to ``sys.executable``."""
        self.environ = environ
        self.cwd = cwd
        self.stdin = sys.stdin if stdin is None else stdin
        self.stdout = sys.stdout if stdout is None else stdout
        self.stderr = sys.stderr if stderr is None else stderr
        self.stdin_isatty = _isatty(self.stdin) if stdin_isatty is None else stdin_isatty
        self.stdout_isatty = _isatty(self.stdout) if stdout_isatty is None else stdout_isatty
        self.stderr_isatty = _isatty(self.stderr) if stderr_isatty is None else stderr_isatty
        self.own_executable = sys.executable if own_executable is None else own_executable

    def replace(self, **changes: object) -> Environment:
        """A copy with ``changes`` (fields by name), as :func:`dataclasses.replace` made one."""
        fields: dict[str, object] = {name: getattr(self, name) for name in self.__slots__}
        fields.update(changes)
        return Environment(**fields)  # type: ignore[arg-type]

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
