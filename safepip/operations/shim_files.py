"""Shims: small ``pip`` and ``pip3`` executables (POSIX sh) that run safepip, for everything
that is not an interactive shell (``sh -c``, scripts, ``make``, ``env -i``).

Each shim carries :data:`MARKER`, so that ``safepip shims remove`` deletes only files it wrote; a
``pip`` in the folder that is not safepip's is left alone. A shim runs the absolute safepip
command found when it was written (:func:`safepip.shell.safepip_command`); safepip itself never
runs ``pip`` by name from PATH (pip is always ``PYTHON -c LAUNCHER``), so a shim first on PATH can
never be taken for the system's pip.
"""

from __future__ import annotations

import contextlib
import os
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from safepip.records import Frozen

#: The line that makes a file one of safepip's shims.
MARKER = "# safepip-shim: written by `safepip shims install`; `safepip shims remove` deletes it"
NAMES = ("pip", "pip3")
#: Where the distribution's pip lives; a shim works when its folder comes first.
SYSTEM_DIRS = ("/usr/bin", "/bin")

State = Literal["absent", "safepip", "other"]


class Shim(Frozen):
    """One name in a shim folder, as it is now."""

    __slots__ = ("path", "runs", "state")
    path: Path
    state: State
    runs: str | None  # the command a safepip shim execs

    def __init__(self, path: Path, state: State, runs: str | None = None) -> None:
        self._set(path=path, state=state, runs=runs)


def default_dir(home: Path) -> Path:
    """``/usr/local/bin`` for root, ``~/.local/bin`` for everyone else."""
    return Path("/usr/local/bin") if os.geteuid() == 0 else home / ".local" / "bin"


def text(command: Sequence[str]) -> str:
    """The shim for ``command`` (safepip's argv prefix, absolute)."""
    program = shlex.quote(command[0])
    return (
        "#!/bin/sh\n"
        f"{MARKER}\n"
        f"if [ ! -x {program} ]; then\n"
        "    printf '%s: safepip is gone (%s); reinstall it, or delete this file\\n' "
        f'"$0" {program} >&2\n'
        "    exit 127\n"
        "fi\n"
        f'exec {" ".join(shlex.quote(part) for part in command)} "$@"\n'
    )


def _runs(head: str) -> str | None:
    for line in head.splitlines():
        if line.startswith("exec "):
            return line.removeprefix("exec ").removesuffix(' "$@"')
    return None


def read_shim(path: Path) -> Shim:
    """What ``path`` is: absent, one of safepip's shims, or something else (a symbolic link
    is never safepip's: shims are regular files)."""
    try:
        if path.is_symlink() or not path.is_file():
            return Shim(path, "other" if path.is_symlink() or path.exists() else "absent")
        with open(path, "rb") as handle:
            head = handle.read(2048).decode("utf-8", "replace")
    except OSError:
        return Shim(path, "other" if os.path.lexists(path) else "absent")
    if MARKER in head.splitlines():
        return Shim(path, "safepip", _runs(head))
    return Shim(path, "other")


def status(directory: Path) -> list[Shim]:
    return [read_shim(directory / name) for name in NAMES]


def write(directory: Path, command: Sequence[str]) -> list[Path]:
    """Write both shims into ``directory`` (made if missing), each replaced whole; return them.
    The caller has checked that no name there belongs to another program."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in NAMES:
        final = directory / name
        tmp = directory / f".{name}.safepip-tmp-{os.getpid()}"
        try:
            tmp.write_text(text(command), encoding="utf-8")
            tmp.chmod(0o755)
            os.replace(tmp, final)
        finally:
            if tmp.exists():
                tmp.unlink()
        written.append(final)
    return written


def delete(directory: Path, home: Path) -> tuple[list[Path], list[Path]]:
    """Remove safepip's shims from ``directory``; return (removed, left alone). The folder
    goes too when that leaves it empty and it lies inside the home folder (install made it)."""
    removed, kept = [], []
    for shim in status(directory):
        if shim.state == "safepip":
            shim.path.unlink()
            removed.append(shim.path)
        elif shim.state == "other":
            kept.append(shim.path)
    inside_home = os.path.abspath(directory).startswith(os.path.abspath(home) + os.sep)
    if removed and inside_home:
        with contextlib.suppress(OSError):
            directory.rmdir()  # only if empty
    return removed, kept


def path_position(directory: Path, environ: Mapping[str, str]) -> tuple[bool, bool]:
    """(whether ``directory`` is on PATH, whether it comes before the system's pip folders)."""
    entries = [os.path.abspath(p) for p in environ.get("PATH", "").split(os.pathsep) if p]
    here = os.path.abspath(directory)
    if here not in entries:
        return False, False
    system = [entries.index(d) for d in SYSTEM_DIRS if d in entries]
    return True, entries.index(here) < min(system, default=len(entries))


def installed_on_path(environ: Mapping[str, str], extra: Sequence[Path] = ()) -> list[Shim]:
    """safepip's shims in the folders on PATH (and ``extra``), for ``safepip doctor``."""
    seen: list[str] = []
    found: list[Shim] = []
    folders = [*environ.get("PATH", "").split(os.pathsep), *map(str, extra)]
    for folder in folders:
        if not folder or os.path.abspath(folder) in seen:
            continue
        seen.append(os.path.abspath(folder))
        found.extend(s for s in status(Path(os.path.abspath(folder))) if s.state == "safepip")
    return found
