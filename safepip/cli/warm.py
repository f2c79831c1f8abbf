"""The warm path: ``safepip install NAME ...`` where every NAME is already in the project's ready
``.venv`` becomes that venv's pip at once, before the planning and inspection code is imported.

It applies only where the full path would do the same thing for certain: no active venv or
interpreter named, bare names only (no version, no path, no option but ``-q``/``-v``), no
terminal to ask on, and facts remembered for this folder by an earlier redirect
(:mod:`safepip.decide.warm_cache`) that nothing has changed since. The decision is the full path's
own :func:`~safepip.decide.route.decide` (with :func:`~safepip.decide.route.needs_commands`)
on the same :func:`~safepip.decide.classify.classify`; every requirement must go to the
``.venv`` for a reason that needs no lookup. Anything else returns, and the full path runs.
Since every name is installed, pip has nothing to install: safepip says where it went in one
line before pip starts, instead of a summary after it.
"""

from __future__ import annotations

import os

from safepip import variables

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from safepip.decide.warm_cache import WarmFacts

#: Variables under which the full path decides differently (another interpreter, pip's own
#: shell completion).
NOT_WARM = ("VIRTUAL_ENV", "CONDA_PREFIX", variables.PYTHON, "PIP_AUTO_COMPLETE")


def requirements(argv: Sequence[str]) -> tuple[list[str], int] | None:
    """The names and the verbosity of ``install NAME ... [-q|-v ...]``; None for any other
    command line."""
    if len(argv) < 2 or argv[0] != "install":
        return None
    from safepip.cli.registry import verbosity_step
    from safepip.names import bare_name

    names: list[str] = []
    verbosity = 0
    for arg in argv[1:]:
        step = verbosity_step(arg)
        if step is not None:
            verbosity += step
        elif bare_name(arg) is not None:
            names.append(arg)
        else:
            return None
    return (names, verbosity) if names else None


def decisions(names: Sequence[str], facts: WarmFacts, cwd: str) -> list[str] | None:
    """The reason each name goes to the ``.venv``, decided by the full path's rule on the
    remembered facts; None unless every one goes there, already installed, without a lookup."""
    from safepip.decide.classify import classify
    from safepip.decide.model import Situation
    from safepip.decide.route import decide, needs_commands
    from safepip.target.site_packages import installed_names

    installed = installed_names(facts.venv)
    situation = Situation(True, facts.project, facts.declared, installed)
    reasons = []
    for text in names:
        item = classify(text, cwd)
        if item.name not in installed or needs_commands(item, situation, ()):
            return None
        decision = decide(item, situation)
        if decision.route != "venv" or decision.ask:
            return None
        reasons.append(decision.reasons[-1])
    return reasons


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def line(names: Sequence[str], reasons: Sequence[str], facts: WarmFacts, cwd: str) -> str:
    """What safepip says before pip runs: where, why, and the command that chooses otherwise."""
    from safepip.hints import display_path

    venv = display_path(facts.venv, cwd)
    shown = ", ".join(names)
    why = reasons[0] if len(set(reasons)) == 1 else "each is already there"
    return (
        f"safepip: {shown} -> the project's virtual environment {venv}: {why}; "
        f"{facts.target} is externally managed. For pipx instead: safepip install --pipx "
        f"{' '.join(names)}\n"
    )


def exec_warm(environ: Mapping[str, str], argv: Sequence[str]) -> None:
    """Become the project's ``.venv`` pip for a warm install; return where the full path must
    decide."""
    if any(environ.get(v) for v in NOT_WARM) or (_isatty(0) and _isatty(2)):
        return
    found = requirements(argv)
    if found is None:
        return
    names, verbosity = found
    try:
        cwd = os.getcwd()
    except OSError:
        return
    from safepip.decide.warm_cache import recall

    facts = recall(environ, cwd)
    reasons = decisions(names, facts, cwd) if facts is not None else None
    if facts is None or reasons is None:
        return
    from safepip.child_environ import ChosenTarget
    from safepip.pip.launcher import LAUNCHER

    if verbosity >= 0:
        try:  # noqa: SIM105 - contextlib is one more import on the path this keeps short
            os.write(2, os.fsencode(line(names, reasons, facts, cwd)))
        except OSError:
            pass  # no stderr: pip will find out for itself
    python = os.path.join(facts.venv, "bin", "python")
    child = ChosenTarget(venv=facts.venv).apply(environ)  # as process.py would start it
    try:
        os.execve(python, [python, "-c", LAUNCHER, *argv], child)
    except OSError:
        return  # the full path will say what is wrong
