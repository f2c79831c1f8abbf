"""safepip's folders (XDG), as plain strings: :class:`~safepip.environment.Environment` gives
them as paths, and the warm path (:mod:`safepip.cli.warm`), which imports nothing, reads them
here."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

#: Each folder's variable and its default below the home folder.
STATE = ("XDG_STATE_HOME", ".local/state")
CONFIG = ("XDG_CONFIG_HOME", ".config")
CACHE = ("XDG_CACHE_HOME", ".cache")
DATA = ("XDG_DATA_HOME", ".local/share")


def home(environ: Mapping[str, str]) -> str:
    return environ.get("HOME") or os.path.expanduser("~")


def folder(environ: Mapping[str, str], which: tuple[str, str]) -> str:
    """``$<variable>/safepip``, where the variable holds an absolute path, else
    ``~/<default>/safepip``."""
    variable, default = which
    value = environ.get(variable, "")
    base = value if value and os.path.isabs(value) else os.path.join(home(environ), default)
    return os.path.join(base, "safepip")
