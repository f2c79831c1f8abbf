"""What a redirect into a project's ``.venv`` found out, remembered for the next install there.

A full run that installed into the project's ``.venv`` :func:`store`\\ s, for its working
folder, the facts the decision rests on that do not depend on the command line: the target
interpreter is externally managed and pip would refuse it, the project root and what it
declares, its ``.venv`` ready and trusted, no route chosen ahead of time, uv not opted in. With
them it writes a fingerprint of every file, folder and variable they were read from (PATH up to
the interpreter, the PEP 668 marker, pip's config files, the folders up to the project root,
pyproject.toml and requirements files, safepip's settings, the venv's files and interpreter, the
version-control index that could make the venv untrusted).

:func:`recall` costs one small file and a ``stat`` call per watched path, and imports nothing:
the warm path (:mod:`safepip.cli.warm`) decides with the facts through the same
:func:`~safepip.decide.route.decide`. Anything changed since, and it returns None: the full path
runs, and remembers anew. The file is only a cache: losing it costs time, never a decision.
"""

from __future__ import annotations

import os
import stat
import zlib

from safepip import folders

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from safepip.environment import Environment
    from safepip.target.interpreter import Interpreter, Probe
    from safepip.target.project import VenvTarget

FORMAT = "safepip-warm 1"
#: The variables a decision (or the pip that runs after it) can depend on. Not pipx's: a warm
#: install is the .venv's pip alone (and as root safepip sets PIPX_HOME itself, for pipx).
_PREFIXES = ("PIP_", "SAFEPIP_", "XDG_", "PYTHON", "VIRTUAL_ENV", "CONDA_", "UV_")
_NAMES = ("PATH", "HOME", "SUDO_USER", "__PYVENV_LAUNCHER__")


class WarmFacts:
    """The remembered facts of one working folder."""

    __slots__ = ("declared", "project", "target", "venv")

    def __init__(self, target: str, project: str, venv: str, declared: dict[str, str]) -> None:
        self.target = target  # the interpreter pip would have used (externally managed)
        self.project = project  # the project root
        self.venv = venv  # its ready, trusted .venv
        self.declared = declared  # canonical name -> where the project declares it


def stamp_file(environ: Mapping[str, str], cwd: str) -> str:
    """Where the facts of ``cwd`` are kept: ``$XDG_STATE_HOME/safepip/warm/<crc of cwd>``."""
    state = folders.folder(environ, folders.STATE)
    return os.path.join(state, "warm", f"{zlib.crc32(os.fsencode(cwd)):08x}")


def environ_digest(environ: Mapping[str, str]) -> str:
    """A checksum of the variables that matter (not the values: they may hold credentials)."""
    relevant = sorted(
        f"{key}={value}"
        for key, value in environ.items()
        if key.startswith(_PREFIXES) or key in _NAMES
    )
    data = "\0".join([str(os.geteuid()), *relevant])
    return f"{zlib.crc32(os.fsencode(data)):08x}.{len(data)}"


def _stat_text(info: os.stat_result) -> str:
    return (
        f"{info.st_mode:o}.{info.st_dev}.{info.st_ino}.{info.st_uid}.{info.st_size}."
        f"{info.st_mtime_ns}.{info.st_ctime_ns}"
    )


def fingerprint(kind: str, path: str) -> str:
    """What a ``stat`` says of ``path`` (kind ``file``: the link and what it points to;
    ``owner``: owner, mode and inode only, for a folder whose contents change), or ``-``."""
    try:
        info = os.lstat(path)
    except (OSError, ValueError):
        return "-"
    if kind == "owner":
        return f"{info.st_mode:o}.{info.st_dev}.{info.st_ino}.{info.st_uid}"
    text = _stat_text(info)
    if stat.S_ISLNK(info.st_mode):
        try:
            text += ">" + _stat_text(os.stat(path))
        except (OSError, ValueError):
            text += ">-"
    return text


def recall(environ: Mapping[str, str], cwd: str) -> WarmFacts | None:
    """The facts remembered for ``cwd``, where nothing they came from has changed; else None."""
    try:
        with open(stamp_file(environ, cwd), encoding="utf-8") as stream:
            lines = stream.read().split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    if lines[0] != FORMAT or len(lines) < 8 or lines[-2:] != ["end", ""]:
        return None  # not ours, or not whole
    header = dict(line.split("\t", 1) for line in lines[1:6] if "\t" in line)
    if header.get("cwd") != cwd or header.get("environ") != environ_digest(environ):
        return None
    declared: dict[str, str] = {}
    watched = 0
    for line in lines[6:-2]:
        kind, _, rest = line.partition("\t")
        if kind == "declared":
            name, _, where = rest.partition("\t")
            declared[name] = where
        elif kind in ("file", "owner"):
            printed, _, path = rest.partition("\t")
            if fingerprint(kind, path) != printed:
                return None
            watched += 1
        else:
            return None
    if watched == 0:
        return None
    try:
        return WarmFacts(header["target"], header["project"], header["venv"], declared)
    except KeyError:
        return None


# -- writing (the full path only: these imports are its own) ---------------------------------


def store(env: Environment) -> None:
    """Write the facts for ``env.cwd`` where a warm install there would go to its ``.venv``;
    remove stale ones otherwise. Never fails: the file is only a cache."""
    cwd = str(env.cwd)
    path = stamp_file(env.environ, cwd)
    try:
        if recall(env.environ, cwd) is not None:
            return
        text = _stamp(env)
        if text is None:
            if os.path.lexists(path):
                os.unlink(path)
            return
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        partial = f"{path}.{os.getpid()}.tmp"
        with open(partial, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(partial, path)
    except (OSError, ValueError):
        pass


def _gather(env: Environment) -> tuple[Interpreter, Probe, VenvTarget, dict[str, str]] | None:
    """The facts, read the full path's way; None where a warm install would not go to the
    project's ready ``.venv`` (or could not be decided without the command line)."""
    from safepip.decide.settings import overrides, use_uv
    from safepip.exceptions import SafepipError
    from safepip.pip.parser import parse
    from safepip.pip.run import venv_has_pip
    from safepip.target.interpreter import find_target, probe
    from safepip.target.pep668 import pep668_applies
    from safepip.target.project import declared_names, venv_target
    from safepip.target.venv import read_venv

    try:
        target = find_target(None, env)
        facts = probe(target.path, env)
        if target.is_venv or pep668_applies(parse(["install"]), target, facts, env) is None:
            return None
    except SafepipError:
        return None
    where = venv_target(env.cwd, env.home)
    root = where.project_root
    if root is None or read_venv(where.path).status != "ready":
        return None
    if not venv_has_pip(str(where.path)) or use_uv(env.environ, env.config_dir):
        return None
    if overrides(env.environ, root, env.config_dir, lambda _: None, env.state_dir):
        return None
    return target, facts, where, declared_names(root)


def _stamp(env: Environment) -> str | None:
    """The file's text: the facts (gathered twice, around the fingerprints, so that a change
    while they were read is never remembered as unchanged)."""
    first = _gather(env)
    if first is None:
        return None
    target, facts, where, declared = first
    watched = _watched(env, target, facts, where)
    if watched is None:
        return None
    printed = [(kind, fingerprint(kind, path), path) for kind, path in watched]
    again = _gather(env)
    if again is None or (again[0].path, again[2], again[3]) != (target.path, where, declared):
        return None
    lines = [
        FORMAT,
        f"cwd\t{env.cwd}",
        f"environ\t{environ_digest(env.environ)}",
        f"target\t{target.path}",
        f"project\t{where.project_root}",
        f"venv\t{where.path}",
        *(f"declared\t{name}\t{place}" for name, place in sorted(declared.items())),
        *(f"{kind}\t{text}\t{path}" for kind, text, path in printed),
        "end",
    ]
    if any("\n" in line or "\r" in line for line in lines):
        return None
    return "\n".join(lines) + "\n"


def _watched(
    env: Environment, target: Interpreter, facts: Probe, where: VenvTarget
) -> list[tuple[str, str]] | None:
    """Every path the facts were read from, with how to fingerprint it; None where one cannot
    be watched by a ``stat`` (a git worktree's index is elsewhere)."""
    from safepip.decide.settings import ANSWERS_FILE
    from safepip.pip.config import config_files

    root = str(where.project_root)
    files = [target.path]
    for directory in env.environ.get("PATH", os.defpath).split(os.pathsep):
        if os.path.abspath(directory) == os.path.dirname(target.path):
            break
        files += [os.path.join(directory, "python3"), os.path.join(directory, "python")]
    files.append(os.path.join(facts.stdlib, "EXTERNALLY-MANAGED"))
    configs = config_files(env.environ, site_prefix=facts.prefix, isolated=False, home=env.home)
    files += [p for _, p in configs]
    files += _up(str(env.cwd), root)
    files += [os.path.join(root, n) for n in sorted(os.listdir(root)) if _declares(n)]
    files += [str(env.config_dir / "config.toml"), str(env.state_dir / ANSWERS_FILE)]
    venv = str(where.path)
    cfg = os.path.join(venv, "pyvenv.cfg")
    python = os.path.join(venv, "bin", "python")
    files += [venv, cfg, os.path.join(venv, "bin"), python, os.path.realpath(python)]
    files += [_home_of(cfg)]
    checkout = _checkout_files(root)
    if checkout is None:
        return None
    from safepip.target.site_packages import site_packages

    watched = [("file", p) for p in [*files, *checkout]]
    return watched + [("owner", s) for s in site_packages(venv)]


def _declares(name: str) -> bool:
    return name == "pyproject.toml" or (name.startswith("requirements") and name.endswith(".txt"))


def _up(start: str, stop: str) -> Iterable[str]:
    """``start`` and each folder above it, up to ``stop`` (or ``/``)."""
    directory = start
    while True:
        yield directory
        parent = os.path.dirname(directory)
        if directory == stop or parent == directory:
            return
        directory = parent


def _home_of(cfg: str) -> str:
    """The ``home`` folder a ``pyvenv.cfg`` names (its Python), or the file itself."""
    from pathlib import Path

    from safepip.target.venv import read_pyvenv_cfg

    return read_pyvenv_cfg(Path(cfg).parent).get("home", "") or cfg


def _checkout_files(root: str) -> list[str] | None:
    """Where git or hg could start a checkout, from the project up, and the index of the one
    that does (what says whether the .venv came with the checkout)."""
    found: list[str] = []
    for directory in _up(root, "/"):
        git, hg = os.path.join(directory, ".git"), os.path.join(directory, ".hg")
        found += [git, hg]
        if os.path.lexists(git):
            if not os.path.isdir(git) or os.path.islink(git):
                return None  # a worktree or submodule: its index is elsewhere
            return [*found, os.path.join(git, "index")]
        if os.path.lexists(hg):
            return [*found, os.path.join(hg, "dirstate")]
    return found
