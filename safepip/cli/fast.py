"""The fast path: inside an active virtual environment pip always works (PEP 668 exempts
venvs), so safepip replaces itself with that venv's pip before importing anything else.

Only the standard library's ``os`` and ``glob`` (and safepip's stdlib-only command registry and
child environment policy) are used here: this runs on every ``pip`` a user
types once safepip is aliased, and must cost no more than starting Python.
"""

from __future__ import annotations

import os

from safepip import variables

TYPE_CHECKING = False  # the warm path: no collections, no typing
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


def venv_pip(environ: Mapping[str, str], argv: Sequence[str]) -> str | None:
    """The active venv's python when ``argv`` can go straight to its pip, else None."""
    root = environ.get("VIRTUAL_ENV")
    if not root or environ.get(variables.PYTHON) or not argv:
        return None
    from safepip.cli.registry import own_words
    from safepip.pip.launcher import venv_has_pip

    slow = own_words()
    for arg in argv:
        if arg == "--":
            break
        if arg in slow or arg.startswith("--py"):
            return None
    python = os.path.join(root, "bin", "python")
    if not (os.path.isfile(os.path.join(root, "pyvenv.cfg")) and os.access(python, os.X_OK)):
        return None
    return python if venv_has_pip(root) else None


def project_venv_elsewhere(environ: Mapping[str, str], cwd: str) -> str | None:
    """The ``.venv`` of the project the working directory is in, when another venv is active:
    a few ``stat`` calls a folder, up from ``cwd`` as the project walk goes
    (:func:`safepip.target.project_root.walk_up`)."""
    active = environ.get("VIRTUAL_ENV")
    if not active:
        return None
    from safepip.paths import same_path
    from safepip.target.project_root import walk_up

    home = environ.get("HOME") or os.path.expanduser("~")
    for directory in walk_up(os.path.abspath(cwd), home, home_too=True):
        venv = os.path.join(directory, ".venv")
        if os.path.isfile(os.path.join(venv, "pyvenv.cfg")):
            return None if same_path(venv, active) else venv
    return None


def wrong_venv_note(environ: Mapping[str, str], cwd: str, argv: Sequence[str]) -> str | None:
    """The one line that says an install goes into the active venv, not the project's."""
    from safepip.cli.registry import verbosity_step

    if "install" not in argv or any((verbosity_step(a) or 0) < 0 for a in argv):
        return None
    venv = project_venv_elsewhere(environ, cwd)
    if venv is None:
        return None
    from safepip.hints import display_path

    shown = display_path(venv, cwd)
    return (
        f"installing into the active virtual environment {environ.get('VIRTUAL_ENV')}, not "
        f"into this project's {venv}; for the project's: deactivate (or safepip --python "
        f"{shown} ...)"
    )


def exec_venv_pip(environ: Mapping[str, str], argv: Sequence[str]) -> None:
    """Become the active venv's pip if that is all there is to do; return otherwise (saying
    first, for an install, when the working directory is in a project with another .venv)."""
    python = venv_pip(environ, argv)
    if python is not None:
        try:
            note = wrong_venv_note(environ, os.getcwd(), argv)
        except OSError:
            note = None
        if note is not None:
            os.write(2, os.fsencode(f"safepip: {note}\n"))
        from safepip.child_environ import AS_IS
        from safepip.pip.launcher import LAUNCHER

        try:  # the user's own environment, as process.py would start it
            os.execve(python, [python, "-c", LAUNCHER, *argv], AS_IS.apply(environ))
        except OSError:
            return  # the slow path will explain what is wrong
