"""``safepip shims [install|remove] [--dir DIR]``: ``pip``/``pip3`` executables that run safepip
for scripts, Makefiles and ``sh -c`` (see :mod:`safepip.operations.shim_files`); alone, what is
installed."""

from __future__ import annotations

import shlex
from pathlib import Path

from safepip.cli.arguments import Arguments, Parsed
from safepip.decide.model import SafepipOptions
from safepip.environment import Environment
from safepip.exceptions import EXIT_FAILURE
from safepip.hints import path_hint
from safepip.operations.shim_files import (
    default_dir,
    delete,
    path_position,
    read_shim,
    status,
    write,
)
from safepip.report import Reporter
from safepip.shell import safepip_command

ARGUMENTS = Arguments(
    words=("install", "remove"), most=1, values={"--dir": "DIR"}, flags=("--with-python",)
)


def _directory(parsed: Parsed, env: Environment) -> Path:
    """``--dir`` (from the working directory), or the default folder."""
    directory = parsed.value("--dir")
    chosen = Path(directory).expanduser() if directory else default_dir(env.home)
    return chosen if chosen.is_absolute() else env.cwd / chosen


def _where(directory: Path, env: Environment) -> str:
    on_path, first = path_position(directory, env.environ)
    if first:
        return f"{directory} comes before /usr/bin on PATH, so scripts get safepip"
    if on_path:
        return f"{directory} is on PATH but after /usr/bin: the system's pip still comes first"
    hint = path_hint(directory, env, helper=None)
    return f"{directory} is not on PATH" + (f"; add it first: {hint}" if hint else "")


def _pythons(directory: Path, env: Environment) -> dict[str, str]:
    """``--with-python``: each of python3 and python there is, by its real path."""
    from safepip.operations.shim_files import PYTHON_NAMES, real_python

    found = {name: real_python(name, directory, env.environ) for name in PYTHON_NAMES}
    return {name: real for name, real in found.items() if real}


def _install(directory: Path, env: Environment, reporter: Reporter, with_python: bool) -> int:
    pythons = _pythons(directory, env) if with_python else {}
    names = [directory / name for name in pythons]
    others = [s.path for s in status(directory) if s.state == "other"]
    others += [p for p in names if p.exists() and read_shim(p).state == "other"]
    if others:
        reporter.error(
            f"{', '.join(map(str, others))} exists and is not safepip's shim; left alone, "
            "nothing written",
            "move it aside, or choose another folder: safepip shims install --dir DIR",
        )
        return EXIT_FAILURE
    command = safepip_command(env)
    for path in write(directory, command, pythons):
        runs = shlex.join(command)
        if path.name in pythons:
            runs = f"{runs} for -m pip, else {pythons[path.name]}"
        reporter.info(f"wrote {path} (runs {runs})")
    reporter.info(_where(directory, env) + "; a shell that already ran pip: hash -r")
    return 0


def _remove(directory: Path, env: Environment, reporter: Reporter) -> int:
    removed, kept = delete(directory, env.home)
    for path in removed:
        reporter.info(f"removed {path}")
    for path in kept:
        reporter.info(f"left {path} alone: it is not safepip's shim")
    if not removed:
        reporter.info(f"no safepip shims in {directory}; nothing removed")
    return 0


def _status(directory: Path, env: Environment) -> int:
    lines = []
    for shim in status(directory):
        if shim.state == "safepip":
            lines.append(f"{shim.path}: safepip's shim (runs {shim.runs})")
        elif shim.state == "other":
            lines.append(f"{shim.path}: not safepip's (left alone)")
        else:
            lines.append(f"{shim.path}: not installed")
    if any(shim.state == "safepip" for shim in status(directory)):
        lines.append(_where(directory, env))
    else:
        lines.append(
            f"install them with: safepip shims install --dir {shlex.quote(str(directory))}"
        )
    env.stdout.write("".join(line + "\n" for line in lines))
    env.stdout.flush()
    return 0


def run(parsed: Parsed, options: SafepipOptions, env: Environment, reporter: Reporter) -> int:
    """``safepip shims [install|remove] [--dir DIR]``; alone, what is installed."""
    directory = _directory(parsed, env)
    action = parsed.positionals[0] if parsed.positionals else "status"
    if action == "install":
        return _install(directory, env, reporter, parsed.flag("--with-python"))
    if action == "remove":
        return _remove(directory, env, reporter)
    return _status(directory, env)
