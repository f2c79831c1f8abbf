"""The arguments of safepip's own commands: each command module declares what it takes (its
``ARGUMENTS``, an :class:`Arguments`), and :func:`parse` reads every command's the same way.

- After the command's name: its declared flags (``--json``), its options with a value in both
  forms (``--python PATH``, ``--python=PATH``; never empty), its positionals (how many, and which
  words where only some are allowed), ``--`` ending the options, the verbosity flags (``-v``,
  ``-q``, ``--verbose``, ``--quiet``: the reporter's, already read by :mod:`safepip.cli.main`),
  and ``-h``/``--help`` (the command's usage, exit status 0). Anything else is a
  :class:`~safepip.exceptions.UsageError` whose hint is the usage line from the registry.
- Before the command's name: pip's general options, where pip reads them
  (``safepip -v where``). Of those, safepip's own commands read ``-h``, and ``--python`` where
  the command declares it; the verbosity flags are the reporter's; the others mean nothing to
  them and are accepted, as pip accepts them there.
- A command whose rest is pip install's arguments (``explain``) has the whole line read by
  safepip's pip parser (:mod:`safepip.pip.parser`): the declared flags and ``--python`` are taken
  out, and what pip would reject is a usage error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from safepip.cli.registry import verbosity_step
from safepip.exceptions import UsageError
from safepip.records import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from safepip.pip.argv import PipArgs

HELP_WORDS = ("--help", "-h")


class Arguments:
    """What one command takes after its name (its module's ``ARGUMENTS``).

    ``flags``: options without a value; ``values``: options with one, each with the word its
    usage shows (``{"--dir": "DIR"}``); ``words``: the positionals allowed (None: any word);
    ``least``/``most``: how many positionals (none unless declared; ``most`` None: no limit);
    ``pip_install``: the rest is pip install's arguments; ``hint``: said after the usage line in
    a usage error."""

    __slots__ = ("flags", "hint", "least", "most", "pip_install", "values", "words")

    def __init__(
        self,
        *,
        flags: tuple[str, ...] = (),
        values: Mapping[str, str] | None = None,
        words: tuple[str, ...] | None = None,
        least: int = 0,
        most: int | None = 0,
        pip_install: bool = False,
        hint: str | None = None,
    ) -> None:
        self.flags = flags
        self.values: Mapping[str, str] = dict(values or {})
        self.words = words
        self.least = least
        self.most = most
        self.pip_install = pip_install
        self.hint = hint


class Parsed(Frozen):
    """One command's arguments as :func:`parse` read them."""

    __slots__ = ("flags", "help", "pip_args", "positionals", "values")
    flags: frozenset[str]  # the declared flags given
    values: tuple[tuple[str, str], ...]  # (option, value): the last of each option given
    positionals: tuple[str, ...]
    pip_args: PipArgs | None  # pip install's arguments, for a command declared pip_install
    help: bool  # -h/--help: show the command's usage instead of running it

    def __init__(
        self,
        flags: frozenset[str] = frozenset(),
        values: tuple[tuple[str, str], ...] = (),
        positionals: tuple[str, ...] = (),
        pip_args: PipArgs | None = None,
        help: bool = False,
    ) -> None:
        self._set(flags=flags, values=values, positionals=positionals, pip_args=pip_args, help=help)

    def flag(self, name: str) -> bool:
        return name in self.flags

    def value(self, name: str) -> str | None:
        return dict(self.values).get(name)


def usage(name: str) -> str:
    """``usage: safepip NAME ...``, from the registry (the line ``--help`` shows too)."""
    from safepip.cli.registry import COMMANDS

    return f"usage: safepip {COMMANDS[name].usage}"


def _error(name: str, declared: Arguments, message: str) -> UsageError:
    hint = usage(name) + (f"; {declared.hint}" if declared.hint else "")
    return UsageError(f"safepip {name} {message}", hint)


def parse(
    name: str, declared: Arguments, before: Sequence[str], after: Sequence[str] = ()
) -> Parsed:
    """Read command ``name``'s arguments: ``before`` its name (pip's general options, as
    :func:`safepip.cli.main.own_command` found them) and ``after`` it. Raises UsageError."""
    if declared.pip_install:
        return _pip_install(name, declared, [*before, *after])
    flags: set[str] = set()
    values: dict[str, str] = {}
    positionals: list[str] = []
    wants_help = _general(declared, before, values)
    wants_help = _scan(name, declared, after, flags, values, positionals) or wants_help
    if wants_help:
        return Parsed(help=True)
    _check_positionals(name, declared, positionals)
    return Parsed(frozenset(flags), tuple(values.items()), tuple(positionals))


def _general(declared: Arguments, before: Sequence[str], values: dict[str, str]) -> bool:
    """Take ``--python`` (where declared) from pip's general options; whether one is ``-h``."""
    from safepip.pip.parser import parse as pip_parse

    wants_help = False
    for token in pip_parse(before).tokens:
        for option, value in token.options:
            wants_help = wants_help or option == "--help"
            if option == "--python" and option in declared.values and value:
                values[option] = value
    return wants_help


def _scan(
    name: str,
    declared: Arguments,
    args: Sequence[str],
    flags: set[str],
    values: dict[str, str],
    positionals: list[str],
) -> bool:
    """Read the words after the command's name into ``flags``, ``values`` and ``positionals``;
    whether ``-h``/``--help`` is among them."""
    wants_help = False
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            positionals.extend(args[i:])
            break
        option, equals, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if arg in HELP_WORDS:
            wants_help = True
        elif verbosity_step(arg) is not None:
            continue  # the reporter's, already read
        elif option in declared.values:
            if not equals and i < len(args):
                inline, i = args[i], i + 1
            if not inline:
                metavar = declared.values[option]
                raise _error(name, declared, f"{option} needs a value: {option} {metavar}")
            values[option] = inline
        elif option in declared.flags:
            if equals:
                raise _error(name, declared, f"{option} does not take a value")
            flags.add(option)
        elif arg.startswith("-") and arg != "-":
            raise _error(name, declared, f"does not take {arg!r}")
        else:
            positionals.append(arg)
    return wants_help


def _check_positionals(name: str, declared: Arguments, positionals: Sequence[str]) -> None:
    words = declared.words
    for index, word in enumerate(positionals):
        too_many = declared.most is not None and index >= declared.most
        if too_many or (words is not None and word not in words):
            raise _error(name, declared, f"does not take {word!r}")
    if len(positionals) < declared.least:
        if words:
            wanted = "one of " + (", ".join(words[:-1]) + " or " if words[1:] else "") + words[-1]
        else:
            wanted = f"at least {declared.least} argument{'s' if declared.least > 1 else ''}"
        raise _error(name, declared, f"needs {wanted}")


def _pip_install(name: str, declared: Arguments, args: Sequence[str]) -> Parsed:
    """The whole line as pip install's arguments, with the declared flags and ``--python``
    taken out (``--python`` is handed to pip's parser before ``install``, where pip reads it)."""
    from safepip.pip.parser import parse as pip_parse

    flags: set[str] = set()
    python: str | None = None
    rest: list[str] = []
    for token in pip_parse(["install", *args]).tokens:
        if token.kind == "command":
            continue
        word, equals, _ = token.raw[0].partition("=")
        if token.name is None and word in declared.flags:
            if equals:
                raise _error(name, declared, f"{word} does not take a value")
            flags.add(word)
        elif token.name == "--python" and "--python" in declared.values:
            if not token.value:
                raise _error(name, declared, "--python needs a value: --python PATH")
            python = token.value
        else:
            rest.extend(token.raw)
    pip_args = pip_parse([*(("--python", python) if python else ()), "install", *rest])
    if pip_args.help:
        return Parsed(help=True)
    if not pip_args.known:
        problem = pip_args.problem or "cannot be read as pip install's arguments"
        unknown = problem.removeprefix("no such option: ")
        message = f"does not take {unknown!r}" if unknown != problem else f"cannot read: {problem}"
        raise _error(name, declared, message)
    values = (("--python", python),) if python else ()
    return Parsed(frozenset(flags), values, pip_args.positionals, pip_args)
