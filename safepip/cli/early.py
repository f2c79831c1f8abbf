"""The full path's first question, asked before the full path is imported.

A redirect begins with the probe of the target interpreter (:func:`safepip.target.interpreter.
probe`), a second interpreter start of 25-60 ms, and the answer is cached; before that, safepip
imports its planning code (~40 ms). Where the cache has no answer yet and the command line is a
plain ``install``, the console script starts the probe here, with ``os`` alone
(:class:`safepip.side_by_side.Spawned`), so that the two run side by side; the probe collects the
answer (:func:`safepip.target.questions.answer_early`) if it is for the interpreter it chose,
in the same environment. This is a guess about what will be asked, never a decision: a wrong guess
costs one unused interpreter start.
"""

from __future__ import annotations

import os

from safepip.cli.warm import NOT_WARM

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


def _names_packages(argv: Sequence[str]) -> bool:
    """``install`` as pip's subcommand (after pip's flags) with anything after it that is not
    an option: a guess, not pip's parser (an option's value counts as a name)."""
    words = iter(argv)
    for word in words:
        if word == "install":
            return any(not rest.startswith("-") for rest in words)
        if not word.startswith("-") or word.startswith("--python"):
            return False
    return False


def ask_early(argv: Sequence[str], environ: Mapping[str, str], own_executable: str) -> None:
    """Start the probe of the interpreter ``safepip`` + ``argv`` would question first, where
    it is not in the cache (see the module's text)."""
    if any(environ.get(name) for name in NOT_WARM) or not _names_packages(argv):
        return
    from safepip import folders
    from safepip.target import questions

    python = questions.first_on_path(environ, own_executable)
    if python is None or questions.venv_root(python) is not None:
        return  # none, or a venv's: pip works there and nothing is probed
    if _answered(python, folders.folder(environ, folders.CACHE)):
        return
    interactive = os.isatty(0) and os.isatty(2)
    cwd = os.getcwd()
    from safepip.target.project_root import may_look_up

    platform_too = may_look_up(interactive, cwd, folders.home(environ))
    questions.ask_early(python, environ, own_executable, platform_too=platform_too)


def _answered(python: str, cache_dir: str) -> bool:
    """Whether safepip's cache holds the probe's answer for ``python``: its file is named after
    the executable's identity, so one that exists is (almost always) the answer; a damaged one
    is asked again by the probe itself. An executable that is not cached is asked each time,
    and so asked here too."""
    from safepip.target import questions

    identity = questions.identity(python)
    return identity is not None and os.path.exists(questions.probe_cache(identity, cache_dir))
