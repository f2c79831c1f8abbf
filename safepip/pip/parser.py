"""pip's command line parsed the way pip parses it, without importing pip.

pip parses its arguments with :mod:`optparse` in two passes (``pip._internal.cli.main_parser``):

1. the *main parser* knows only the general options and stops at the first positional
   argument, the subcommand (it does not take abbreviations of commands, only of options);
2. the *command parser* parses the whole argv again, minus the **first occurrence** of the
   command's name, with the general options and the command's own, interspersed with
   positional arguments.

optparse rules followed here: ``--opt=value`` and ``--opt value``; a long option may be any
unique prefix of the option strings that parser has (aliases count separately, so ``--sour`` is
ambiguous between ``--source`` and ``--source-dir``); short options cluster (``-qqq``, ``-Uq``)
and a value-taking short option takes the rest of its cluster or the next argument
(``-rfile``, ``-r file``); a value is taken whatever it looks like (``-r --foo`` reads file
``--foo``); ``--`` ends the options; ``-`` alone is positional.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from safepip.pip.argv import PipArgs, Token, TokenKind
from safepip.pip.options_table import (
    COMMANDS,
    OptionSpec,
    Table,
    option_table,
)
from safepip.records import Frozen


def _match_abbrev(opt: str, words: Mapping[str, OptionSpec]) -> tuple[str | None, str | None]:
    """optparse's ``_match_abbrev``: (matched string, None) or (None, pip's error message)."""
    if opt in words:
        return opt, None
    possibilities = sorted(word for word in words if word.startswith(opt))
    if len(possibilities) == 1:
        return possibilities[0], None
    if not possibilities:
        return None, f"no such option: {opt}"
    return None, f"ambiguous option: {opt} ({', '.join(possibilities)}?)"


def _long_option(
    args: Sequence[str], i: int, table: Table, kind: TokenKind
) -> tuple[Token, str | None]:
    arg = args[i]
    opt, equals, inline = arg.partition("=")
    explicit = inline if equals else None
    matched, problem = _match_abbrev(opt, table.long)
    if matched is None:
        return Token(kind, (arg,), None, explicit), problem
    spec = table.long[matched]
    if not spec.takes_value:
        token = _single(kind, (arg,), spec, None)
        return token, (f"{matched} option does not take a value" if equals else None)
    if explicit is not None:
        return _single(kind, (arg,), spec, explicit), None
    if i + 1 < len(args):
        return _single(kind, (arg, args[i + 1]), spec, args[i + 1]), None
    return _single(kind, (arg,), spec, None), f"{matched} option requires 1 argument"


def _single(kind: TokenKind, raw: tuple[str, ...], spec: OptionSpec, value: str | None) -> Token:
    return Token(kind, raw, spec.canonical, value, ((spec.canonical, value),))


def _short_options(
    args: Sequence[str], i: int, table: Table, kind: TokenKind
) -> tuple[Token, str | None]:
    arg = args[i]
    found: list[tuple[str, str | None]] = []
    for position in range(1, len(arg)):
        opt = "-" + arg[position]
        spec = table.short.get(opt)
        if spec is None:
            return Token(kind, (arg,), None, None, tuple(found)), f"no such option: {opt}"
        if not spec.takes_value:
            found.append((spec.canonical, None))
            continue
        rest = arg[position + 1 :]
        if rest:
            found.append((spec.canonical, rest))
            return Token(kind, (arg,), spec.canonical, rest, tuple(found)), None
        if i + 1 < len(args):
            value = args[i + 1]
            found.append((spec.canonical, value))
            return Token(kind, (arg, value), spec.canonical, value, tuple(found)), None
        found.append((spec.canonical, None))
        return Token(kind, (arg,), spec.canonical, None, tuple(found)), (
            f"{opt} option requires 1 argument"
        )
    last_name, last_value = found[-1]
    return Token(kind, (arg,), last_name, last_value, tuple(found)), None


class _Scan(Frozen):
    __slots__ = ("problem", "separator", "stop", "tokens")
    tokens: tuple[Token, ...]
    stop: int  # index of the first argument not consumed
    separator: bool  # the scan ended at "--"
    problem: str | None

    def __init__(
        self, tokens: tuple[Token, ...], stop: int, separator: bool, problem: str | None
    ) -> None:
        self._set(tokens=tokens, stop=stop, separator=separator, problem=problem)


def _scan(args: Sequence[str], table: Table, kind: TokenKind, *, interspersed: bool) -> _Scan:
    """optparse's ``_process_args``, never raising: a rejected argument becomes a token with no
    name, the first problem is kept, and scanning goes on as best it can."""
    tokens: list[Token] = []
    problem: str | None = None
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            tokens.append(Token("separator", (arg,)))
            i += 1
            if not interspersed:
                return _Scan(tuple(tokens), i, True, problem)
            tokens.extend(Token("positional", (rest,)) for rest in args[i:])
            return _Scan(tuple(tokens), len(args), True, problem)
        if arg.startswith("--"):
            token, error = _long_option(args, i, table, kind)
        elif arg.startswith("-") and arg != "-":
            token, error = _short_options(args, i, table, kind)
        elif not interspersed:
            break
        else:
            token, error = Token("positional", (arg,)), None
        tokens.append(token)
        i += len(token.raw)
        if problem is None:
            problem = error
    return _Scan(tuple(tokens), i, False, problem)


def _same_reading(a: Sequence[Token], b: Sequence[Token]) -> bool:
    return [(t.raw, t.options, t.name) for t in a] == [(t.raw, t.options, t.name) for t in b]


def parse(argv: Sequence[str]) -> PipArgs:
    """Read ``argv`` (pip's arguments, without the program name) as pip would. Never raises:
    whatever pip would reject or read unlike the plain reading leaves ``known`` false and says
    why in ``problem``."""
    args = tuple(argv)
    main = _scan(args, option_table(None), "general", interspersed=False)
    if main.stop >= len(args):
        return PipArgs(args, main.tokens, None, main.problem is None, main.problem, None)
    index = main.stop
    name = args[index]
    command = name if name in COMMANDS else None
    table = option_table(command)
    problem = main.problem
    if command is None and problem is None:
        problem = f'unknown command "{name}"'
    if main.separator:
        rest = tuple(Token("positional", (arg,)) for arg in args[index + 1 :])
    else:
        after = _scan(args[index + 1 :], table, "option", interspersed=True)
        rest = after.tokens
    tokens = (*main.tokens, Token("command", (name,), command), *rest)
    # What pip's command parser really reads: argv minus the first occurrence of the name.
    first = args.index(name)
    pip_view = _scan(args[:first] + args[first + 1 :], table, "option", interspersed=True)
    ours = [token for token in tokens if token.kind != "command"]
    if problem is None:
        problem = pip_view.problem
    if problem is None and not _same_reading(pip_view.tokens, ours):
        problem = (
            f'pip removes the first "{name}" from the arguments, an option\'s value, '
            "and would read the rest differently"
        )
    return PipArgs(args, tokens, command, problem is None, problem, index)
