"""pipx's home: where it is, one safepip run at a time in it, and its shared libraries repaired.

Every pipx keeps a shared venv (``<home>/shared``, or ``$PIPX_SHARED_LIBS``) with the pip that
all its apps use. Debian's pipx 1.1.0 makes it with ``python -m venv --clear`` and then upgrades
pip in it, with no lock: two pipx runs at once on a machine whose pipx never ran clear it under
each other, and what is left (no ``bin/python``, or a pip that no longer imports) passes pipx
1.1.0's own check (``bin/python`` and ``bin/pip`` are files) or is re-made only half. Every later
pipx install then fails. Current pipx takes a file lock (``<home>/.shared.lock``) and re-makes a
shared venv whose pip does not import, but not one left without ``bin/python``.

So every safepip run that reaches pipx holds :func:`pipx_turn`: safepip's lock on each pipx home
that pipx may use (one run at a time per home), and, once per run, pipx's shared libraries
checked and, where broken, removed (under pipx's own ``.shared.lock`` too), so that pipx makes
them again. That folder is pipx's cache of pip, never the user's data.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from safepip.environment import Environment
from safepip.report import Reporter
from safepip.target.lock import EnvironmentLock

#: The shared folders checked in this process already (checked once per run).
_CHECKED: set[str] = set()


#: pipx's folders for the whole machine, as ``pipx --global`` (pipx 1.5 and later) has them:
#: the variable pipx reads, the one that moves its ``--global`` folder, and where that is.
MACHINE_WIDE = (
    ("PIPX_HOME", "PIPX_GLOBAL_HOME", "/opt/pipx"),
    ("PIPX_BIN_DIR", "PIPX_GLOBAL_BIN_DIR", "/usr/local/bin"),
    ("PIPX_MAN_DIR", "PIPX_GLOBAL_MAN_DIR", "/usr/local/share/man"),
)


def machine_wide(environ: Mapping[str, str]) -> Mapping[str, str]:
    """As root (a Dockerfile's ``RUN``, a CI job, ``sudo``) where neither ``PIPX_HOME`` nor
    ``PIPX_BIN_DIR`` is set: ``environ`` with pipx's folders for the whole machine, the ones
    ``pipx --global`` uses (``/opt/pipx``, commands in ``/usr/local/bin``, which every user,
    every ``RUN`` line and sudo have on PATH; ``$PIPX_GLOBAL_HOME``, ``$PIPX_GLOBAL_BIN_DIR``
    and ``$PIPX_GLOBAL_MAN_DIR`` move them, as they move pipx's own). Given as ``PIPX_HOME``
    and ``PIPX_BIN_DIR``, which every pipx reads (Debian 12's 1.1.0 has no ``--global``): the
    apps are where ``pipx --global`` finds them. Elsewhere ``environ`` as it is."""
    if os.geteuid() != 0 or environ.get("PIPX_HOME") or environ.get("PIPX_BIN_DIR"):
        return environ
    wide = dict(environ)
    for variable, moved_by, default in MACHINE_WIDE:
        wide[variable] = environ.get(moved_by) or default
    return wide


def pipx_homes(environ: Mapping[str, str], home: Path) -> list[Path]:
    """``$PIPX_HOME``, else the homes pipx 1.1 (``~/.local/pipx``) and later releases
    (``$XDG_DATA_HOME/pipx``) default to."""
    if environ.get("PIPX_HOME"):
        return [Path(environ["PIPX_HOME"])]
    data = environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    return [home / ".local" / "pipx", Path(data) / "pipx"]


def has_no_apps(environ: Mapping[str, str], home: Path) -> bool:
    """True when pipx certainly manages nothing yet (no app folder in any pipx home), so that
    ``pipx list`` need not be started; False when it may (then ask pipx itself). Only the
    Linux defaults are known, so elsewhere without ``$PIPX_HOME`` pipx is always asked."""
    if not environ.get("PIPX_HOME") and not sys.platform.startswith("linux"):
        return False
    for pipx_home in pipx_homes(environ, home):
        try:
            if any(pipx_home.joinpath("venvs").iterdir()):
                return False
        except FileNotFoundError:
            continue
        except OSError:
            return False
    return True


def shared_folders(environ: Mapping[str, str], home: Path) -> list[Path]:
    """Where pipx's shared libraries are (``$PIPX_SHARED_LIBS``, else in each pipx home)."""
    if environ.get("PIPX_SHARED_LIBS"):
        return [Path(environ["PIPX_SHARED_LIBS"])]
    return [h / "shared" for h in pipx_homes(environ, home)]


def shared_problem(shared: Path, environ: Mapping[str, str]) -> str | None:
    """Why pipx's shared libraries at ``shared`` are broken; None where they work or are not
    there (pipx makes them when it needs them)."""
    if not os.path.lexists(shared):
        return None
    python = shared / "bin" / "python"
    if not python.is_file():
        return "it has no bin/python"
    import subprocess

    from safepip.child_environ import QUESTION
    from safepip.process import run_captured

    # pip's own command line, not an import of it: pip 26 imports its vendored rich (what
    # two pipx runs at once left out) only once it runs
    try:
        done = run_captured(
            [str(python), "-I", "-m", "pip", "--version"],
            environ=environ,
            policy=QUESTION,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return f"its python does not run ({error})"
    if done.returncode == 0:
        return None
    last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
    return f"its pip does not run ({last})"


def repair_shared(shared: Path, environ: Mapping[str, str], reporter: Reporter) -> None:
    """Remove pipx's shared libraries at ``shared`` where they are broken (one line says so);
    under pipx's own lock on them, so that a current pipx running now is not cut off."""
    if not os.path.lexists(shared):
        return
    with _pipx_own_lock(shared):
        why = shared_problem(shared, environ)
        if why is None:
            return
        aside = shared.with_name(f".{shared.name}.safepip-removed-{os.getpid()}")
        try:
            os.rename(shared, aside)
        except OSError as error:
            reporter.warning(
                f"pipx's shared libraries in {shared} are broken ({why}) and could not be "
                f"removed ({error.strerror or error}): remove that folder, pipx makes it again"
            )
            return
        shutil.rmtree(aside, ignore_errors=True)
        reporter.info(
            f"pipx's shared libraries in {shared} were broken ({why}): removed them, "
            "pipx makes them again"
        )


def _pipx_own_lock(shared: Path) -> EnvironmentLock:
    """The file lock current pipx takes while it makes or repairs ``shared``
    (``<parent>/.shared.lock``, a ``filelock.FileLock``, which is ``flock`` on Unix)."""
    name = f".{shared.name}.lock"
    return EnvironmentLock(shared.parent, shared, on_wait=lambda: None, lock_file=name)


def refuse_unwritable(environ: Mapping[str, str], home: Path) -> None:
    """Raise :class:`PipxError` where no pipx home can be written (a read-only HOME): pipx
    would stop with a traceback of its own."""
    from safepip.exceptions import PipxError

    why = ""
    for pipx_home in pipx_homes(environ, home):
        existing = pipx_home
        while not existing.exists() and existing.parent != existing:
            existing = existing.parent
        if os.access(existing, os.W_OK):
            return
        try:
            read_only = bool(os.statvfs(existing).f_flag & os.ST_RDONLY)
        except OSError:
            read_only = False
        why = (
            why or f"{existing} is {'on a read-only file system' if read_only else 'not writable'}"
        )
    raise PipxError(
        f"pipx cannot install here: its home ({' or '.join(map(str, pipx_homes(environ, home)))})"
        f" cannot be made or written, as {why}",
        "set PIPX_HOME and PIPX_BIN_DIR to writable folders, or install into a project's "
        ".venv instead: safepip install --venv ...",
    )


@contextlib.contextmanager
def pipx_turn(env: Environment, reporter: Reporter, installing: bool = False) -> Iterator[None]:
    """This run's turn with pipx: safepip's lock on every pipx home it may use (sorted, so that
    two runs never wait for each other crosswise) and the shared libraries repaired once.
    ``installing``: refused first where pipx could not write its home."""
    if installing:
        refuse_unwritable(env.environ, env.home)
    homes = {os.path.abspath(h) for h in pipx_homes(env.environ, env.home)}
    homes.update(os.path.abspath(s) for s in shared_folders(env.environ, env.home))
    waited: list[bool] = []

    def waiting() -> None:
        if not waited:
            waited.append(True)
            reporter.info("waiting for another safepip run using pipx ...")

    with contextlib.ExitStack() as stack:
        for folder in sorted(homes):
            lock = EnvironmentLock(env.cache_dir / "locks", Path(folder), waiting, reporter.info)
            stack.enter_context(lock)
        for shared in shared_folders(env.environ, env.home):
            if str(shared) not in _CHECKED:
                _CHECKED.add(str(shared))
                repair_shared(shared, env.environ, reporter)
        yield


def app_venv(name: str, env: Environment) -> Path:
    """The folder of pipx's venv for the app ``name`` (where it is, or would be made)."""
    homes = pipx_homes(env.environ, env.home)
    found = next((h for h in homes if (h / "venvs").is_dir()), homes[0])
    return found / "venvs" / name


def installed_app_venv(name: str, environ: Mapping[str, str], home: Path) -> Path | None:
    """The venv pipx made for the app ``name`` (canonical), or None."""
    for pipx_home in pipx_homes(environ, home):
        venv = pipx_home / "venvs" / name
        if (venv / "pipx_metadata.json").is_file() and (venv / "bin" / "python").exists():
            return venv
    return None


def app_version(name: str, environ: Mapping[str, str], home: Path) -> str | None:
    """The version of the app pipx has installed for ``name`` (its metadata), or None."""
    for pipx_home in pipx_homes(environ, home):
        try:
            data = json.loads((pipx_home / "venvs" / name / "pipx_metadata.json").read_text())
        except (OSError, ValueError):
            continue
        main = data.get("main_package") if isinstance(data, dict) else None
        version = main.get("package_version") if isinstance(main, dict) else None
        if isinstance(version, str) and version:
            return version
    return None


def pipx_has(name: str, environ: Mapping[str, str], home: Path) -> bool:
    """Whether pipx already manages ``name`` (canonical), by its venv folder: cheaper than
    starting pipx."""
    homes = pipx_homes(environ, home)
    return any((h / "venvs" / name / "pipx_metadata.json").is_file() for h in homes)


def rewrite_metadata(path: Path, change: Callable[[Any], bool]) -> None:
    """Apply ``change`` to the pipx metadata at ``path`` and, where it says it changed
    something, write it back atomically as pipx writes it (4-space indent, keys in order, the
    file's final newline kept). Raises OSError, ValueError (not JSON) and what ``change``
    raises on metadata of another shape."""
    from safepip.paths import write_whole

    text = path.read_text("utf-8")
    metadata = json.loads(text)
    if change(metadata):
        write_whole(path, json.dumps(metadata, indent=4) + ("\n" if text.endswith("\n") else ""))
