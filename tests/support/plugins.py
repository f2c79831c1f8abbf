"""Fixture wheels that register entry points in groups of their own (``mkdocs.plugins``,
``pytest11``), as plugins do: a wheel from :func:`support.build_wheel`, rewritten with the
groups added to its ``entry_points.txt`` (and its ``RECORD`` line updated to match)."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["with_entry_points"]


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode("ascii")


def with_entry_points(wheel: Path, groups: Mapping[str, Mapping[str, str]]) -> Path:
    """Add ``groups`` ({group: {name: "module:object"}}) to ``wheel``'s entry points, in place;
    returns ``wheel``."""
    with zipfile.ZipFile(wheel) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    info_dir = next(i.filename.split("/")[0] for i, _ in members if ".dist-info/" in i.filename)
    name = f"{info_dir}/entry_points.txt"
    old = next((data.decode() for i, data in members if i.filename == name), "")
    added = "".join(
        f"\n[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in entries.items())
        for group, entries in groups.items()
    )
    text = (old + added).lstrip("\n").encode()
    rewritten: list[tuple[zipfile.ZipInfo, bytes]] = []
    for info, data in members:
        if info.filename == name:
            continue
        if info.filename.endswith(".dist-info/RECORD"):
            lines = [line for line in data.decode().splitlines() if not line.startswith(name)]
            lines.insert(0, f"{name},{_record_hash(text)},{len(text)}")
            data = ("\n".join(lines) + "\n").encode()
            rewritten.append((zipfile.ZipInfo(name, date_time=info.date_time), text))
        rewritten.append((info, data))
    part = wheel.with_name(wheel.name + ".part")
    with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in rewritten:
            archive.writestr(info, data)
    part.replace(wheel)
    return wheel
