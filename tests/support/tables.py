"""The packages of shared/cases rebuilt as fixture wheels from what their real wheels say of
themselves (``tests/data/tables.json``, written by ``record_tables.py``): the same name,
version, summary, classifiers, description, base requirements, commands, entry-point groups,
top-level packages, and programs of the same size class. Their code is generated (each command
prints its name), so the offline tests judge exactly the metadata the real index serves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .wheels import About, build_wheel

DATA = Path(__file__).resolve().parents[1] / "data" / "tables.json"
#: A stand-in for a compiled program: as large as a binary, as the role rule measures it.
PROGRAM = b"\x7fELF" + bytes(70 * 1024)


def recorded() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


def _modules(entry: dict[str, Any]) -> dict[str, str]:
    files = {
        f"{name}/__init__.py": f'__version__ = "{entry["version"]}"\n' for name in entry["imports"]
    }
    for path in entry["programs"]:
        if ".data/" not in path:
            files[path] = PROGRAM.decode("latin-1")
    return files


def build(entry: dict[str, Any], dest: Path) -> Path:
    """The fixture wheel of one recorded package."""
    data = {
        name: PROGRAM if any(p.endswith(f"/scripts/{name}") for p in entry["programs"]) else
        f"#!/bin/sh\necho {name}\n"
        for name in entry["data_scripts"]
    }  # fmt: skip
    wheel = build_wheel(
        dest,
        entry["name"],
        entry["version"],
        modules=_modules(entry),
        console_scripts=entry["console_scripts"],
        gui_scripts=entry["gui_scripts"],
        data_scripts=data,
        requires=entry["requires"],
        about=About(entry["summary"], entry["description"], tuple(entry["classifiers"])),
    )
    groups = {g: e for g, e in entry["groups"].items() if g != "gui_scripts"}
    if groups:
        from .plugins import with_entry_points

        with_entry_points(
            wheel, {g: {name: "x:y" for name in names} for g, names in groups.items()}
        )
    return wheel


def build_all(dest: Path) -> list[Path]:
    return [build(entry, dest) for entry in recorded().values()]
