"""TOML read as safepip reads every TOML file and text (pyproject.toml, config.toml, a
script's PEP 723 block): ``tomllib``, or ``tomli`` before Python 3.11, imported only when there
is something to read (it costs ~10 ms). Every failure is a :class:`SettingsError` that says
where."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from safepip.exceptions import SettingsError


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """``text`` as TOML (:class:`SettingsError` naming ``where`` when it is not)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    try:
        data: dict[str, Any] = tomllib.loads(text)
        return data
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{where} is not valid TOML: {error}") from error
    except RecursionError as error:
        raise SettingsError(f"{where} is nested too deeply to read") from error


def load_toml(path: Path) -> dict[str, Any]:
    """A TOML file, or an empty table when it is missing or unreadable (:class:`SettingsError`
    when it is not valid TOML)."""
    try:
        with open(path, "rb") as handle:
            content = handle.read()
    except OSError:  # missing or unreadable
        return {}
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SettingsError(f"{path} is not UTF-8 text: {error}") from error
    return parse_toml(text, str(path))
