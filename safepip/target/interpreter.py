"""The target interpreter: the Python that ``pip`` would have meant, and what it says of itself.

Finding it reads only the environment and the file system. What it cannot read from files (its
stdlib directory, ``sys.prefix``, its version) is asked of the interpreter once and remembered in
safepip's cache, keyed by the executable's identity, so that a pass-through costs no extra
process start.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from safepip import variables
from safepip.environment import Environment
from safepip.exceptions import InterpreterError
from safepip.programs import which
from safepip.records import Frozen
from safepip.target import questions

#: Variable naming the interpreter safepip should treat as "the pip's Python".
OVERRIDE_VARIABLE = variables.PYTHON

#: How long an interpreter may take to answer a question.
_TIMEOUT = 60


class Probe(Frozen):
    """Facts the interpreter tells about itself."""

    __slots__ = (
        "base_prefix", "executable", "has_pip", "pip_dir", "prefix", "purelib", "stdlib", "version",
    )  # fmt: skip
    executable: str
    version: str
    prefix: str
    base_prefix: str
    stdlib: str
    purelib: str
    has_pip: bool
    #: The folder of the pip package it imports (what commands that pip has is read there).
    pip_dir: str | None

    def __init__(
        self,
        executable: str,
        version: str,
        prefix: str,
        base_prefix: str,
        stdlib: str,
        purelib: str,
        has_pip: bool,
        pip_dir: str | None = None,
    ) -> None:
        self._set_from(locals())

    @property
    def version_tuple(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.version.split("."))


class Interpreter(Frozen):
    """The interpreter pip would run on, and why safepip chose it."""

    __slots__ = ("chosen_by", "path", "venv_root")
    path: str
    chosen_by: str
    venv_root: Path | None

    def __init__(self, path: str, chosen_by: str, venv_root: Path | None) -> None:
        self._set(path=path, chosen_by=chosen_by, venv_root=venv_root)

    @property
    def is_venv(self) -> bool:
        return self.venv_root is not None


def venv_root_of(executable: str) -> Path | None:
    """The virtual environment ``executable`` belongs to, found as the interpreter itself finds it
    (``pyvenv.cfg`` beside the executable or one level up), without resolving symlinks."""
    found = questions.venv_root(executable)
    return Path(found) if found is not None else None


def _executable_in(directory: Path) -> str | None:
    for name in ("bin/python", "bin/python3", "python", "python3"):
        candidate = directory / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def _resolve_python_option(value: str, env: Environment) -> str:
    try:
        return _locate_python(value, env)
    except (OSError, RuntimeError, ValueError) as error:  # ~nouser, too long, NUL byte
        raise InterpreterError(
            f"Could not locate Python interpreter {value!r}: {error}",
            "give --python an interpreter path, a virtual environment folder, or a command",
        ) from error


def _locate_python(value: str, env: Environment) -> str:
    """pip's ``identify_python_interpreter``: an executable file, a venv directory, or a command
    looked up on PATH."""
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = env.cwd / path
    if path.is_file() and os.access(path, os.X_OK):
        return str(path)
    if path.is_dir():
        found = _executable_in(path)
        if found:
            return found
    found_on_path = which(value, env.environ.get("PATH", os.defpath))
    if found_on_path:
        return found_on_path
    raise InterpreterError(
        f"Could not locate Python interpreter {value}",
        "give --python an interpreter path, a virtual environment folder, or a command on PATH",
    )


def find_target(python_option: str | None, env: Environment) -> Interpreter:
    """Decide which interpreter pip would have installed into.

    Precedence: pip's own ``--python``; ``$SAFEPIP_PYTHON``; the active virtual environment
    (``$VIRTUAL_ENV``) or conda environment (``$CONDA_PREFIX``); then the first ``python3`` on
    PATH that is not the interpreter safepip itself runs on.
    """
    if python_option:
        path = _resolve_python_option(python_option, env)
        return Interpreter(path, "--python", venv_root_of(path))
    override = env.environ.get(OVERRIDE_VARIABLE)
    if override:
        path = _resolve_python_option(override, env)
        return Interpreter(path, f"${OVERRIDE_VARIABLE}", venv_root_of(path))
    for variable, label in (
        ("VIRTUAL_ENV", "the active virtual environment"),
        ("CONDA_PREFIX", "the active conda environment"),
    ):
        root = env.environ.get(variable)
        if root:
            found = _executable_in(Path(root))
            if found:
                return Interpreter(found, f"{label} (${variable})", venv_root_of(found))
    found = questions.first_on_path(env.environ, env.own_executable)
    if found is not None:
        return Interpreter(found, "the first python3 on PATH", venv_root_of(found))
    raise InterpreterError(
        "no python3 found on PATH",
        f"install Python 3, or name one with --python PATH or ${OVERRIDE_VARIABLE}",
    )


def probe(path: str, env: Environment, *, platform_too: bool = False) -> Probe:
    """Ask ``path`` about itself, through safepip's cache where the executable is a binary.
    ``platform_too``: the caller will likely need :func:`platform` as well; on a cold cache the
    same interpreter start then answers both (it costs that start ~35 ms more otherwise)."""
    identity = questions.identity(path)
    cache_file = None
    if identity is not None:
        cache_file = Path(questions.probe_cache(identity, str(env.cache_dir)))
        try:
            data = json.loads(cache_file.read_text(encoding="utf-8"))
            if data.get("identity") == identity:
                return _as_found(Probe(**data["probe"]), path)
        except (OSError, ValueError, TypeError, KeyError):
            pass
    platform_too = platform_too and not questions.runs_as_own(path, env.own_executable)
    result, tags = _run_probe(path, env, platform_too)
    if cache_file is not None:
        _write_cache(cache_file, {"identity": identity, "probe": result.as_dict()})
        if tags is not None and identity is not None:  # one start for both questions
            _write_cache(_tags_cache(identity, env), _platform_cache(tags))
    return _as_found(result, path)


def _as_found(found: Probe, path: str) -> Probe:
    """``found`` naming ``path`` (made absolute, links kept) as its executable where both are
    the same file: an interpreter reached through a stable link (Homebrew's
    ``/opt/homebrew/bin/python3.12``) is then named by the link, not by the versioned file a
    framework build reports, and the venvs made from it survive a patch upgrade (issue 26)."""
    given = os.path.abspath(path)
    if given == found.executable:
        return found
    try:
        same = os.path.samefile(given, found.executable)
    except OSError:
        return found
    if not same:  # a pyenv shim, a wrapper script: the interpreter it runs is the one
        return found
    return Probe(**dict(found.as_dict(), executable=given))


def ask(python: str, code: str, *args: str, env: Environment) -> subprocess.CompletedProcess[str]:
    """Run ``code`` on ``python`` in isolated mode and capture what it prints (the one way
    safepip questions an interpreter). Raises OSError/SubprocessError when it cannot run."""
    from safepip.child_environ import QUESTION
    from safepip.process import run_captured

    return run_captured(
        questions.command(python, code, *args),
        environ=env.environ,
        policy=QUESTION,
        timeout=_TIMEOUT,
    )


def _run_probe(path: str, env: Environment, platform_too: bool) -> tuple[Probe, Platform | None]:
    """The probe's answer, and the platform's (``questions.TAGS``) where asked and given."""
    try:
        completed = questions.answer_early(path, env.environ, _TIMEOUT)
        if completed is None:  # not started early (by safepip.cli.early): asked now
            completed = ask(path, *questions.probe_args(platform_too), env=env)
    except (OSError, subprocess.SubprocessError) as error:
        raise InterpreterError(
            f"the Python interpreter {path} could not be started: {error}",
            "check that it is installed and runs, or choose another with --python",
        ) from error
    lines = completed.stdout.strip().splitlines()
    try:
        data: dict[str, Any] = json.loads(lines[0])
        found = Probe(**data)
    except (ValueError, TypeError, IndexError) as error:
        detail = (completed.stderr or completed.stdout).strip().splitlines()
        raise InterpreterError(
            f"the Python interpreter {path} did not answer as Python 3 does "
            f"(exit status {completed.returncode}{': ' + detail[-1] if detail else ''})",
            "choose another interpreter with --python",
        ) from error
    try:
        tags = _platform_of(lines[1]) if len(lines) > 1 else None
    except ValueError:
        tags = None
    return found, tags


def _write_cache(cache_file: Path, data: dict[str, Any]) -> None:
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache_file.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, cache_file)
    except OSError:
        pass  # a cache that cannot be written only costs time


class Platform(Frozen):
    """What the interpreter installs: its wheel tags, most preferred first, and its PEP 508
    marker environment. Computed by safepip's own ``packaging`` running on that interpreter."""

    __slots__ = ("markers", "tags")
    tags: tuple[str, ...]
    markers: dict[str, str]

    def __init__(self, tags: tuple[str, ...], markers: dict[str, str]) -> None:
        self._set(tags=tags, markers=markers)


def _tags_cache(identity: str, env: Environment) -> Path:
    return Path(questions.tags_cache(identity, str(env.cache_dir)))


def _own_platform() -> Platform:
    """:data:`~safepip.target.questions.TAGS`'s answer for the interpreter safepip runs on
    (the same binary as the target, see :func:`~safepip.target.questions.runs_as_own`)."""
    from packaging import markers, tags

    environment = markers.default_environment().items()
    return Platform(tuple(str(tag) for tag in tags.sys_tags()), {k: str(v) for k, v in environment})


def _platform_of(text: str) -> Platform:
    """A :class:`Platform` from ``TAGS``'s JSON (or the cache's); ValueError if it is not one."""
    try:
        data = json.loads(text)
        return Platform(tuple(data["tags"]), dict(data["markers"]))
    except (TypeError, KeyError) as error:
        raise ValueError(f"not an answer to the tags question: {error}") from error


def _platform_cache(result: Platform) -> dict[str, Any]:
    return {"tags": list(result.tags), "markers": result.markers}


def platform(probe_: Probe, env: Environment) -> Platform:
    """The target's tags and markers: from the cache (filled by :func:`probe`'s own run on a
    cold cache), else asked."""
    identity = questions.identity(probe_.executable)
    cache_file = None
    if identity is not None:
        cache_file = _tags_cache(identity, env)
        try:
            return _platform_of(cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    if questions.runs_as_own(probe_.executable, env.own_executable):
        result = _own_platform()
        if cache_file is not None:
            _write_cache(cache_file, _platform_cache(result))
        return result
    try:
        completed = ask(probe_.executable, questions.TAGS, questions.packaging_location(), env=env)
    except (OSError, subprocess.SubprocessError) as error:
        raise InterpreterError(f"could not run {probe_.executable}: {error}") from error
    try:
        result = _platform_of(completed.stdout)
    except ValueError as error:
        raise InterpreterError(
            f"could not learn which wheels {probe_.executable} installs: "
            + (completed.stderr.strip().splitlines() or ["no answer"])[-1]
        ) from error
    if cache_file is not None:
        _write_cache(cache_file, _platform_cache(result))
    return result
