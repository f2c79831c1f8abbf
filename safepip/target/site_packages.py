"""What a virtual environment has installed, read from the names of its ``*.dist-info`` folders
(no metadata parsed, nothing imported: the warm path reads it too); and what an interrupted or
failed pip had only half-installed there, removed."""

from __future__ import annotations

import os

from safepip.names import canonicalize_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


def site_packages(venv: str | Path) -> list[str]:
    """The venv's ``lib*/python*/site-packages`` folders."""
    found = []
    try:
        libs = sorted(n for n in os.listdir(venv) if n.startswith("lib"))
    except OSError:
        return []
    for lib in libs:
        try:
            pythons = sorted(
                n for n in os.listdir(os.path.join(venv, lib)) if n.startswith("python")
            )
        except OSError:
            continue
        for python in pythons:
            folder = os.path.join(venv, lib, python, "site-packages")
            if os.path.isdir(folder):
                found.append(folder)
    return found


def dist_infos(venv: str | Path) -> dict[str, str]:
    """Canonical name -> ``*.dist-info`` folder of each distribution installed in ``venv``."""
    found: dict[str, str] = {}
    for folder in site_packages(venv):
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        for entry in sorted(entries):
            if entry.endswith(".dist-info"):
                name = entry[: -len(".dist-info")].rpartition("-")[0]
                found[canonicalize_name(name)] = os.path.join(folder, entry)
    return found


def installed_versions(venv: str | Path) -> dict[str, str]:
    """Canonical name -> version of each distribution installed in ``venv``."""
    return {
        name: os.path.basename(info)[: -len(".dist-info")].rpartition("-")[2]
        for name, info in dist_infos(venv).items()
    }


def installed_names(venv: str | Path) -> frozenset[str]:
    """Canonical names of the distributions installed in ``venv``."""
    return frozenset(dist_infos(venv))


def site_packages_entries(venv: Path) -> frozenset[Path]:
    """The top-level entries of the venv's site-packages folder(s), before an install; each
    folder once (``lib64`` is often a link to ``lib``)."""
    folders: dict[str, Path] = {}
    for folder in sorted(venv.glob("lib*/python*/site-packages")):
        folders.setdefault(os.path.realpath(folder), folder)
    return frozenset(p for sp in folders.values() for p in sp.iterdir())


def remove_partial_install(venv: Path, before: frozenset[Path]) -> list[str]:
    """After an interrupted or failed pip run in an existing venv (a full disk): remove the new
    top-level entries that no new ``*.dist-info/RECORD`` claims (a new dist-info without RECORD
    included). pip writes a distribution's files first and its dist-info
    last, so such entries are a package pip had not finished (importable but unknown to pip).
    Completed distributions stay. Returns the names removed."""
    new = site_packages_entries(venv) - before
    claimed: set[Path] = set()
    for info in (p for p in new if p.name.endswith(".dist-info")):
        try:  # a dist-info without its RECORD is itself unfinished (pip writes RECORD last)
            lines = (info / "RECORD").read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        claimed.add(info)
        for line in lines:
            first = line.split(",", 1)[0].split("/", 1)[0]
            if first and first != "..":
                claimed.add(info.parent / first)
    import contextlib
    import shutil

    removed = []
    for entry in sorted(new - claimed):
        if entry.name == "__pycache__":
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()
        removed.append(entry.name)
    return removed


def changes_between(before: dict[str, str], after: dict[str, str]) -> str:
    """What an install changed, for the summary: ``six 1.17.0, idna 3.4 -> 3.10``."""
    parts = [
        f"{name} {version}" if name not in before else f"{name} {before[name]} -> {version}"
        for name, version in sorted(after.items())
        if before.get(name) != version
    ]
    return ", ".join(parts[:6]) + (f" and {len(parts) - 6} more" if len(parts) > 6 else "")
