"""The fast path: inside an active virtual environment pip always works (PEP 668 exempts
venvs), so safepip replaces itself with that venv's pip before importing anything else.

Only the standard library's ``os`` and ``glob`` (and safepip's stdlib-only command registry) are
used here: this runs on every ``pip`` a user
types once safepip is aliased, and must cost no more than starting Python.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from glob import glob

#: Starts pip as its console script does, so that pip calls itself ``pip`` in its messages
#: (``python -m pip`` would name the interpreter), and not importing from the working directory.
LAUNCHER = (
    "import sys\n"
    "if sys.path and sys.path[0] in ('', '.'): del sys.path[0]\n"
    "sys.argv[0] = 'pip'\n"
    "from pip._internal.cli.main import main\n"
    "sys.exit(main())\n"
)


def venv_pip(environ: Mapping[str, str], argv: Sequence[str]) -> str | None:
    """The active venv's python when ``argv`` can go straight to its pip, else None."""
    root = environ.get("VIRTUAL_ENV")
    if not root or environ.get("SAFEPIP_PYTHON") or not argv:
        return None
    from safepip.cli.registry import own_words

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


def venv_has_pip(root: str) -> bool:
    """Whether the venv at ``root`` has pip installed (the one place this is looked at)."""
    escaped = root.replace("[", "[[]").replace("*", "[*]").replace("?", "[?]")
    return bool(
        glob(os.path.join(escaped, "lib*", "python*", "site-packages", "pip", "__init__.py"))
    )


def exec_venv_pip(environ: Mapping[str, str], argv: Sequence[str]) -> None:
    """Become the active venv's pip if that is all there is to do; return otherwise."""
    python = venv_pip(environ, argv)
    if python is not None:
        try:
            os.execv(python, [python, "-c", LAUNCHER, *argv])
        except OSError:
            return  # the slow path will explain what is wrong
