"""The pip installed beside safepip, which new venvs get (linked, not downloaded).

Read from its ``.dist-info`` directly: importlib.metadata and its e-mail parser cost more than
linking pip's files into a venv.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from safepip.records import Frozen


class OwnPip(Frozen):
    """The pip installed beside safepip, read from its ``.dist-info`` (importlib.metadata and
    its e-mail parser cost more than the copy itself)."""

    __slots__ = ("dist_info", "newest_python", "requires_python", "version")
    dist_info: Path
    version: str
    requires_python: str | None
    #: The newest Python its classifiers name: a pip older than a Python may not run on it
    #: (pip 23.0 declares ">=3.7" and fails on 3.12), so a newer one gets its own ensurepip's.
    newest_python: tuple[int, int] | None

    def __init__(
        self,
        dist_info: Path,
        version: str,
        requires_python: str | None,
        newest_python: tuple[int, int] | None = None,
    ) -> None:
        self._set(
            dist_info=dist_info,
            version=version,
            requires_python=requires_python,
            newest_python=newest_python,
        )

    def files(self) -> list[tuple[str, ...]]:
        """The path parts (relative to site-packages) of every file in pip's RECORD."""
        import csv

        with open(self.dist_info / "RECORD", encoding="utf-8", newline="") as handle:
            return [tuple(row[0].split("/")) for row in csv.reader(handle) if row and row[0]]


def own_pip() -> OwnPip | None:
    from importlib.util import find_spec

    spec = find_spec("pip")
    if spec is None or not spec.origin:
        return None
    site = Path(spec.origin).parent.parent
    for dist_info in sorted(site.glob("pip-*.dist-info")):
        headers: dict[str, str] = {}
        newest: tuple[int, int] | None = None
        try:
            with open(dist_info / "METADATA", encoding="utf-8") as handle:
                for line in handle:
                    if not line.strip():
                        break
                    key, _, value = line.partition(":")
                    headers.setdefault(key.strip().lower(), value.strip())
                    named = value.strip().rpartition("Programming Language :: Python :: ")[2]
                    major, dot, minor = named.partition(".")
                    if key.strip().lower() == "classifier" and dot and (major + minor).isdigit():
                        newest = max(newest or (0, 0), (int(major), int(minor)))
        except OSError:
            continue
        if "version" in headers and (dist_info / "RECORD").is_file():
            return OwnPip(dist_info, headers["version"], headers.get("requires-python"), newest)
    return None


def _at_least(specifier: str) -> tuple[int, ...] | None:
    """``(3, 9)`` for ``>=3.9``, pip's usual Requires-Python; None for any other specifier."""
    text = specifier.strip()
    if not text.startswith(">="):
        return None
    parts = text[2:].strip().split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else None


def pip_supports(pip: OwnPip, version: str) -> bool:
    wanted = tuple(int(part) for part in version.split(".")[:3] if part.isdigit())
    if pip.newest_python is not None and wanted[:2] > pip.newest_python:
        return False
    if not pip.requires_python:
        return True
    floor = _at_least(pip.requires_python)
    if floor is not None:  # without packaging, whose import costs a new venv ~5 ms
        width = max(len(wanted), len(floor))
        return wanted + (0,) * (width - len(wanted)) >= floor + (0,) * (width - len(floor))
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return SpecifierSet(pip.requires_python).contains(version, prereleases=True)
    except InvalidSpecifier:
        return False


def copy_pip(pip: OwnPip, site_packages: Path) -> None:
    """Put the files of safepip's own pip installation into ``site_packages``: hard links where
    the file system allows them (four times faster than copying pip's ~1000 files; pip and
    Python replace files rather than write into them, so the two installations stay
    independent), copies otherwise."""
    link = True
    root = pip.dist_info.parent
    made: set[Path] = set()
    # the .dist-info last: pip counts as installed only once its files are all there
    for parts in sorted(pip.files(), key=lambda p: p[0].endswith(".dist-info")):
        if parts[0] == ".." or parts[-1] == "direct_url.json":
            continue
        source = root.joinpath(*parts)
        if not source.is_file():
            continue
        destination = site_packages.joinpath(*parts)
        if destination.parent not in made:
            destination.parent.mkdir(parents=True, exist_ok=True)
            made.add(destination.parent)
        if link:
            try:
                os.link(source, destination)
                continue
            except OSError:
                link = False  # another file system, or not ours to link (protected_hardlinks)
        shutil.copyfile(source, destination)
