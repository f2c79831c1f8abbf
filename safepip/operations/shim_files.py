"""Shims: small ``pip`` and ``pip3`` executables (POSIX sh) that run safepip, for everything
that is not an interactive shell (``sh -c``, scripts, ``make``, ``env -i``), and, where asked,
``python3``/``python`` ones that run safepip for ``-m pip`` and the real interpreter otherwise.

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
#: The interpreters whose ``-m pip`` a shim also covers (``safepip shims install --with-python``).
PYTHON_NAMES = ("python3", "python")
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


def python_text(command: Sequence[str], python: str) -> str:
    """The shim for the interpreter ``python`` (absolute, the real one): ``-m pip ...`` runs
    safepip for that interpreter (pip's ``--python``), everything else execs it with its exact
    arguments. A ``case`` in sh: nothing more is started (about a millisecond)."""
    real = shlex.quote(python)
    safepip = " ".join(shlex.quote(part) for part in command)
    return (
        "#!/bin/sh\n"
        f"{MARKER}\n"
        'case "$1 $2" in\n'
        f'"-m pip" | "-m pip3") shift 2; exec {safepip} --python {real} "$@" ;;\n'
        f'"-mpip "*) shift; exec {safepip} --python {real} "$@" ;;\n'
        "esac\n"
        f'exec {real} "$@"\n'
    )


def real_python(name: str, directory: Path, environ: Mapping[str, str]) -> str | None:
    """The interpreter ``name`` on PATH after leaving out ``directory`` (the shims' own
    folder) and every folder holding one of safepip's shims, so a shim never runs itself."""
    from safepip.programs import which

    here = os.path.abspath(directory)
    folders = [
        folder
        for folder in environ.get("PATH", os.defpath).split(os.pathsep)
        if folder
        and os.path.abspath(folder) != here
        and read_shim(Path(folder) / name).state != "safepip"
    ]
    found = which(name, os.pathsep.join(folders))
    return os.path.abspath(found) if found else None


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
    """The pip shims, and safepip's interpreter shims where there are any (a ``python3`` of
    its own there, as in Python's Docker images, is none of safepip's business)."""
    pythons = [read_shim(directory / name) for name in PYTHON_NAMES]
    return [read_shim(directory / name) for name in NAMES] + [
        shim for shim in pythons if shim.state == "safepip"
    ]


def write(
    directory: Path, command: Sequence[str], pythons: Mapping[str, str] | None = None
) -> list[Path]:
    """Write both shims into ``directory`` (made if missing), and one for each interpreter in
    ``pythons`` (name -> the real one), each replaced whole; return them. The caller has
    checked that no name there belongs to another program."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    texts = {name: text(command) for name in NAMES}
    texts.update({name: python_text(command, real) for name, real in (pythons or {}).items()})
    for name, content in texts.items():
        final = directory / name
        tmp = directory / f".{name}.safepip-tmp-{os.getpid()}"
        try:
            tmp.write_text(content, encoding="utf-8")
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
