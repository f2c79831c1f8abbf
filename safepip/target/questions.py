"""What safepip asks an interpreter about itself, and where the answers are kept.

:mod:`safepip.target.interpreter` asks and reads the answers. This module holds the questions,
the cache keys and the one early start of a question (:func:`ask_early`), and imports only
``os`` at import time: the console script starts the probe of the interpreter it is about to
need before the rest of safepip is imported (:mod:`safepip.cli.early`), so that the two
interpreters work side by side instead of one after the other.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Mapping

    from safepip.side_by_side import Spawned

#: Bumped when :data:`PROBE`'s answer changes shape (part of every cache key).
FORMAT = 2

PROBE = """\
import importlib.util, json, os, sys, sysconfig
pip = importlib.util.find_spec("pip")
print(json.dumps({
    "executable": sys.executable,
    "version": "%d.%d.%d" % sys.version_info[:3],
    "prefix": sys.prefix,
    "base_prefix": getattr(sys, "base_prefix", sys.prefix),
    "stdlib": sysconfig.get_path("stdlib"),
    "purelib": sysconfig.get_path("purelib"),
    "has_pip": pip is not None,
    "pip_dir": list(pip.submodule_search_locations or [None])[0] if pip is not None else None,
}))
if len(sys.argv) > 1:  # and, in the same start, what TAGS would say (see platform())
    try:
        exec(sys.argv[2])
    except Exception:
        pass
"""

TAGS = """\
import json, sys
sys.path.insert(0, sys.argv[1])
try:
    from packaging import markers, tags
except Exception:  # safepip's packaging is too new for this Python (26 needs 3.10): its pip's
    del sys.path[0]
    for name in [m for m in sys.modules if m.split(".")[0] == "packaging"]:
        del sys.modules[name]
    from pip._vendor.packaging import markers, tags
print(json.dumps({"tags": [str(t) for t in tags.sys_tags()],
                  "markers": markers.default_environment()}))
"""


def first_on_path(environ: Mapping[str, str], own_executable: str) -> str | None:
    """The first ``python3`` (else ``python``) on PATH outside the folder of the interpreter
    safepip runs on: the one a plain ``pip`` would have meant."""
    own_dir = os.path.dirname(os.path.abspath(own_executable))
    for directory in environ.get("PATH", os.defpath).split(os.pathsep):
        if not directory or os.path.abspath(directory) == own_dir:
            continue
        for name in ("python3", "python"):
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
    return None


def venv_root(executable: str) -> str | None:
    """The virtual environment ``executable`` belongs to (see
    :func:`safepip.target.interpreter.venv_root_of`), as a path string."""
    bindir = os.path.dirname(os.path.abspath(executable))
    for candidate in (bindir, os.path.dirname(bindir)):
        if os.path.isfile(os.path.join(candidate, "pyvenv.cfg")):
            return candidate
    return None


def runs_as_own(python: str, own_executable: str) -> bool:
    """Whether ``python`` is the interpreter safepip's own venv was made from (install.py's
    case): its wheel tags and markers are then safepip's own, computed without a start of it."""
    import sys

    base = getattr(sys, "_base_executable", None)
    if own_executable != sys.executable or not base:
        return False
    try:
        return os.path.samefile(python, base)
    except OSError:
        return False


def identity(path: str) -> str | None:
    """A cache key that changes when the executable does, or None where it cannot be trusted
    (scripts such as pyenv shims choose an interpreter each time they run)."""
    try:
        real = os.path.realpath(path)
        with open(real, "rb") as handle:
            if handle.read(4) != b"\x7fELF" and not _is_macho(real):
                return None
        stat = os.stat(real)
    except OSError:
        return None
    parts = (FORMAT, os.path.abspath(path), real, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    return ":".join(map(str, parts))


def _is_macho(path: str) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) in (b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"\xce\xfa\xed\xfe")


def sha256_hex(data: bytes) -> str:
    """sha256 of ``data`` in hex, from CPython's own module where it has one (``hashlib``
    loads OpenSSL: ~2 ms, here before the early probe can start); the same digest either way."""
    from importlib import import_module

    try:
        module = import_module("_sha2" if sys.version_info >= (3, 12) else "_sha256")
    except ImportError:  # pragma: no cover - a Python built without it
        module = import_module("hashlib")
    digest: str = module.sha256(data).hexdigest()
    return digest


def _digest(key: str) -> str:
    return sha256_hex(key.encode())[:32]


def probe_cache(identity_: str, cache_dir: str) -> str:
    """The file holding the probe's answer for the executable with this identity."""
    return os.path.join(cache_dir, "interpreters", f"{_digest(identity_)}.json")


def tags_cache(identity_: str, cache_dir: str) -> str:
    """The file holding the tags question's answer (which depends on safepip's packaging)."""
    import packaging

    key = f"tags:{identity_}:{packaging.__version__}"
    return os.path.join(cache_dir, "interpreters", f"{_digest(key)}.tags.json")


def packaging_location() -> str:
    """The folder safepip's own ``packaging`` is imported from (put first on the target's path)."""
    import packaging

    return os.path.dirname(os.path.dirname(os.path.abspath(packaging.__file__)))


def probe_args(platform_too: bool) -> tuple[str, ...]:
    """The probe's code and arguments (with :data:`TAGS` where the platform is asked too)."""
    return (PROBE, packaging_location(), TAGS) if platform_too else (PROBE,)


def command(python: str, code: str, *args: str) -> list[str]:
    """How safepip runs one question on ``python``: isolated mode, the code, its arguments."""
    return [python, "-I", "-c", code, *args]


_early: dict[str, tuple[dict[str, str], Spawned]] = {}


def ask_early(
    python: str, environ: Mapping[str, str], own_executable: str, *, platform_too: bool
) -> None:
    """Start the probe of ``python`` now, for :func:`answer_early` to collect (only the first
    start for a ``python`` counts). Where it cannot start (or the system has no
    ``posix_spawn``), nothing happens: the asker starts it itself and reports why it could not."""
    if python in _early:
        return
    from safepip.child_environ import QUESTION
    from safepip.side_by_side import Spawned

    try:
        args = probe_args(platform_too and not runs_as_own(python, own_executable))
        started = Spawned(command(python, *args), environ=environ, policy=QUESTION)
    except OSError:
        return
    _early[python] = (QUESTION.apply(environ), started)


def answer_early(
    python: str, environ: Mapping[str, str], timeout: float
) -> subprocess.CompletedProcess[str] | None:
    """The answer of the probe :func:`ask_early` started for ``python`` in this same
    environment (None if none was started, or in another environment); it then belongs to the
    caller. Raises as :func:`safepip.process.run_captured` does (a timeout kills it)."""
    early = _early.pop(python, None)
    if early is None:
        return None
    from safepip.child_environ import QUESTION

    asked_in, started = early
    if asked_in != QUESTION.apply(environ):
        started.abandon()  # asked in another environment: not this asker's answer
        return None
    return started.finish(timeout)
