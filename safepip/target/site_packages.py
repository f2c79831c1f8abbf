"""What a virtual environment has installed, read from the names of its ``*.dist-info`` folders
(no metadata parsed, nothing imported: the warm path reads it too)."""

from __future__ import annotations

import os

from safepip.inspect.names import canonicalize_name

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
