"""A folder of scripts is a project in the making: what the ``*.py`` files of the working folder
import, and what their inline script metadata (PEP 723 ``# /// script`` blocks) declares.

Outside a project, a requirement that one of these scripts imports (``analyse.py`` doing
``import numpy``) belongs in that folder's ``.venv``, where ``python analyse.py`` finds it once
it is activated, whatever else it is. Reading is bounded and runs nothing: the top level of
the folder only, at most :data:`MAX_FILES` files and :data:`MAX_BYTES` of each (imports and
script blocks stand at the top of a file).
"""

from __future__ import annotations

import os
import re

MAX_FILES = 200
MAX_BYTES = 64 * 1024

_IMPORT = re.compile(
    r"^[ \t]*(?:import[ \t]+(?P<names>[\w.]+(?:[ \t]+as[ \t]+\w+)?"
    r"(?:[ \t]*,[ \t]*[\w.]+(?:[ \t]+as[ \t]+\w+)?)*)"
    r"|from[ \t]+(?P<module>\w[\w.]*)[ \t]+import\b)",
    re.M,
)
#: PEP 723's reference expression for a metadata block.
_BLOCK = re.compile(r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$")


class FolderScripts:
    """What the scripts of one folder import (module -> the first file that does) and declare
    (canonical name -> the file whose script block does)."""

    __slots__ = ("declared", "imported")

    def __init__(self, imported: dict[str, str], declared: dict[str, str]) -> None:
        self.imported = imported
        self.declared = declared


def _read(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_BYTES).decode("utf-8", "replace")
    except OSError:
        return ""


def imports_of(text: str) -> list[str]:
    """The top-level modules a Python source imports (absolute imports only)."""
    found: list[str] = []
    for match in _IMPORT.finditer(text):
        if match["module"]:
            found.append(match["module"].split(".", 1)[0])
            continue
        for part in match["names"].split(","):
            found.append(part.split()[0].split(".", 1)[0])
    return found


def script_block(text: str) -> str | None:
    """The TOML of a source's ``# /// script`` block (PEP 723), or None."""
    for match in _BLOCK.finditer(text):
        if match["type"] == "script":
            lines = match["content"].splitlines(keepends=True)
            return "".join(line[2:] if line.startswith("# ") else line[1:] for line in lines)
    return None


def block_dependencies(toml: str) -> list[str]:
    """The ``dependencies`` a script block declares (nothing where it is not valid TOML)."""
    from safepip.exceptions import SettingsError
    from safepip.tomlfile import parse_toml

    try:
        value = parse_toml(toml, "a script block").get("dependencies", [])
    except SettingsError:
        return []
    return [str(item) for item in value] if isinstance(value, list) else []


def read_folder(folder: str) -> FolderScripts:
    """What the ``*.py`` files at the top of ``folder`` import and declare."""
    from safepip.names import requirement_name

    imported: dict[str, str] = {}
    declared: dict[str, str] = {}
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".py"))[:MAX_FILES]
    except OSError:
        return FolderScripts(imported, declared)
    for name in names:
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            continue
        text = _read(path)
        for module in imports_of(text):
            imported.setdefault(module, name)
        block = script_block(text)
        for requirement in block_dependencies(block) if block is not None else ():
            canonical = requirement_name(requirement)
            if canonical:
                declared.setdefault(canonical, f"{name}'s script block")
    return FolderScripts(imported, declared)
