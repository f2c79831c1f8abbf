"""safepip's own commands and options: one table that ``--help``, the fast path, option parsing
and :func:`safepip.cli.main.main` all read (a command's usage line here is the one ``--help``,
``safepip COMMAND --help`` and its usage errors show). pip has none of these names, and none
begins a pip option, so pip's own command lines never change meaning.

Standard library only, and nothing imported at module level: the fast path reads it on every
``pip`` a user types.
"""

from __future__ import annotations


class Command:
    """One of safepip's own commands: its module (which declares what it takes as
    ``ARGUMENTS``, read by :mod:`safepip.cli.arguments`, and has ``run(parsed, options, env,
    reporter) -> int``), its usage and the lines of ``--help`` beside it. A plain class:
    ``typing`` costs the fast path more than the rest of it."""

    __slots__ = ("module", "summary", "usage")

    def __init__(self, module: str, usage: str, summary: tuple[str, ...]) -> None:
        self.module = module
        self.usage = usage
        self.summary = summary


COMMANDS: dict[str, Command] = {
    "explain": Command(
        "safepip.commands.explain",
        "explain [--json] [--python PATH] REQ... [pip install options]",
        ("where each requirement would go, and why",),
    ),
    "where": Command(
        "safepip.commands.where",
        "where [--json] [NAME...]",
        ("where safepip's packages live (.venv, pipx)",),
    ),
    "doctor": Command(
        "safepip.commands.doctor",
        "doctor [--json] [--repair [--dry-run] [--keep-old]] [--python PATH]",
        (
            "what safepip sees on this machine and project, and the",
            "environments a Python upgrade broke; --repair: rebuild",
            "them, drop old safepip temp folders from pipx apps",
        ),
    ),
    "shims": Command(
        "safepip.commands.shims",
        "shims [install|remove] [--dir DIR] [--with-python]",
        (
            "pip/pip3 executables that run safepip, for scripts,",
            "make and sh -c (~/.local/bin; root: /usr/local/bin)",
        ),
    ),
    "shell-init": Command(
        "safepip.commands.shell_init",
        "shell-init bash|zsh|fish",
        (
            "shell code: pip runs safepip, and the shell",
            "activates the .venv safepip installed into",
        ),
    ),
}

#: safepip's own options (anywhere before ``--``, never abbreviated), with their help.
OPTIONS: dict[str, str] = {
    "--venv": "put the named requirements into the project's .venv",
    "--pipx": "install them as applications with pipx",
    "--distro": "install the distribution's own packages of them (apt install python3-X)",
    "--recreate-venv": "rename an unusable .venv to .venv.old-DATE and create a new one",
}

HELP_WORDS = ("--help", "-h")
VERSION_WORDS = ("--version", "-V")


def verbosity_step(word: str) -> int | None:
    """How much one word of a command line changes pip's verbosity (``-vv`` +2, ``--quiet``
    -1), as safepip reads it before pip's parser (the warm path, the fast path's note, safepip's
    own commands); None for any other word. (pip's parser, :mod:`safepip.pip.parser`, also
    takes abbreviations such as ``--verb``.)"""
    if word in ("--verbose", "--quiet"):
        return 1 if word == "--verbose" else -1
    if len(word) > 1 and word[0] == "-" and set(word[1:]) in ({"q"}, {"v"}):
        return (len(word) - 1) * (1 if word[1] == "v" else -1)
    return None


def own_words() -> frozenset[str]:
    """Every word that needs safepip's full treatment rather than the fast path."""
    return frozenset((*COMMANDS, *OPTIONS, *HELP_WORDS, *VERSION_WORDS))
