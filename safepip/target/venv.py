"""The project's virtual environment as it is: usable or not (and why), moved aside or removed
(only what this run made), and the advice for one that cannot be used. Making one is
``venv_create``'s.
"""

from __future__ import annotations

import configparser
import contextlib
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from safepip.target.project import VENV_NAME

Status = Literal["absent", "ready", "not-a-venv", "broken"]


@dataclass(frozen=True)
class VenvState:
    path: Path
    status: Status
    problem: str = ""

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"


def read_pyvenv_cfg(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        text = (path / "pyvenv.cfg").read_text(encoding="utf-8")
        parser.read_string("[pyvenv]\n" + text)
    except (OSError, UnicodeDecodeError, configparser.Error):
        return {}
    return dict(parser["pyvenv"])


def inspect_venv(path: Path) -> VenvState:
    """What is at ``path`` now; never changes anything."""
    if not os.path.lexists(path):
        return VenvState(path, "absent")
    if path.is_symlink() and not path.exists():
        return VenvState(
            path, "broken", f"it is a symbolic link to {os.readlink(path)}, which is missing"
        )
    if not path.is_dir():
        return VenvState(path, "not-a-venv", "it is a file, not a folder")
    if not (path / "pyvenv.cfg").is_file():
        try:
            empty = not any(path.iterdir())
        except OSError:
            empty = False
        if empty:
            return VenvState(path, "absent", "it is an empty folder")
        return VenvState(
            path, "not-a-venv", "it has no pyvenv.cfg, so it is not a virtual environment"
        )
    python = path / "bin" / "python"
    if not python.exists():
        home = read_pyvenv_cfg(path).get("home", "")
        cause = f" (it was built on {home})" if home else ""
        return VenvState(
            path,
            "broken",
            f"its interpreter {python} no longer exists{cause}; the Python it was "
            "made from was probably upgraded or removed",
        )
    if not os.access(python, os.X_OK):
        return VenvState(path, "broken", f"its interpreter {python} is not executable")
    return VenvState(path, "ready")


def unusable_hint() -> str:
    """What to do about a ``.venv`` that is not a usable venv (safepip never deletes it)."""
    return (
        "move it away yourself, or run the same command with --recreate-venv to have safepip "
        f"rename it to {VENV_NAME}.old-<date> and create a new one"
    )


def no_pip_hint(venv: Path) -> str:
    """What to do about a ``.venv`` without pip."""
    return f"install it with: {venv}/bin/python -m ensurepip, or use --recreate-venv"


def move_aside(path: Path) -> Path:
    """Rename an unusable ``.venv`` out of the way (never delete it) and return where it went."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.old-{stamp}")
    suffix = 1
    while os.path.lexists(target):
        suffix += 1
        target = path.with_name(f"{path.name}.old-{stamp}-{suffix}")
    os.rename(path, target)
    return target


def remove_venv(path: Path) -> None:
    """Remove a venv this very run created (never one that was there before). Where ``path`` is
    a link to a folder, the link and an empty folder stay, as they were."""
    if path.is_symlink():
        target = path.resolve()
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(exist_ok=True)
        return
    shutil.rmtree(path, ignore_errors=True)


def site_packages_entries(venv: Path) -> frozenset[Path]:
    """The top-level entries of the venv's site-packages folder(s), before an install."""
    return frozenset(p for sp in venv.glob("lib*/python*/site-packages") for p in sp.iterdir())


def remove_partial_install(venv: Path, before: frozenset[Path]) -> list[str]:
    """After an interrupted pip run in an existing venv: remove the new top-level entries that no
    new ``*.dist-info/RECORD`` claims. pip writes a distribution's files first and its dist-info
    last, so such entries are a package pip had not finished (importable but unknown to pip).
    Completed distributions stay. Returns the names removed."""
    new = site_packages_entries(venv) - before
    claimed: set[Path] = set()
    for info in (p for p in new if p.name.endswith(".dist-info")):
        claimed.add(info)
        try:
            lines = (info / "RECORD").read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        for line in lines:
            first = line.split(",", 1)[0].split("/", 1)[0]
            if first and first != "..":
                claimed.add(info.parent / first)
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
