"""pip's command line, read the way pip reads it, without importing pip.

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
from dataclasses import dataclass
from typing import Literal, NamedTuple

from safepip.exceptions import PipArgsError
from safepip.pip.options_table import (
    COMMANDS,
    REQUIREMENT_COMMANDS,
    OptionSpec,
    Table,
    option_table,
)

TokenKind = Literal["general", "command", "option", "positional", "separator"]


@dataclass(frozen=True)
class Token:
    """A run of one or two argv strings that pip reads as one unit.

    ``name``/``value`` are those of the option (its canonical name: the first long option
    string, or the short one for short-only options). A short cluster such as ``-Uq`` or
    ``-Ur file`` is one token carrying several options: ``options`` lists every
    ``(name, value)`` in order, and ``name``/``value`` are those of its last one. ``name`` is
    None for an option pip would reject (unknown or ambiguous). For a command token ``name`` is
    the command (None if pip has no such command); positionals and ``--`` carry no name.
    """

    kind: TokenKind
    raw: tuple[str, ...]
    name: str | None = None
    value: str | None = None
    options: tuple[tuple[str, str | None], ...] = ()


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


class _Scan(NamedTuple):
    tokens: tuple[Token, ...]
    stop: int  # index of the first argument not consumed
    separator: bool  # the scan ended at "--"
    problem: str | None


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


def _drop_from_cluster(token: Token, drop: frozenset[str]) -> tuple[str, ...]:
    """The strings of a short-option cluster without the options in ``drop``."""
    arg = token.raw[0]
    count = len(token.options)
    kept = "".join(arg[1 + k] for k, (name, _) in enumerate(token.options) if name not in drop)
    last_name, last_value = token.options[-1]
    if last_value is None or last_name in drop:
        return (f"-{kept}",) if kept else ()
    if len(token.raw) == 2:
        return (f"-{kept}", token.raw[1])
    return (f"-{kept}{arg[1 + count :]}",)


@dataclass(frozen=True)
class PipArgs:
    """pip's argv, tokenized. The properties read the tokens; when ``known`` is false they
    are a best effort only and the argv must reach pip untouched."""

    argv: tuple[str, ...]
    tokens: tuple[Token, ...]
    #: The subcommand, or None (``pip``, ``pip --version``, an unknown command).
    command: str | None
    #: False when pip would reject the argv or read it otherwise than these tokens say. True
    #: says the reading is certain, not that pip accepts the values (choices, numbers) or has
    #: every option: the tables span pip 22.0-26.3, so ``--global-option`` or ``list
    #: --version`` are known here and refused by pip 26.
    known: bool
    #: Why ``known`` is false (pip's own message where it has one), else None.
    problem: str | None = None
    #: Where the subcommand is in ``argv`` (None: there is none).
    command_index: int | None = None

    # -- generic access ------------------------------------------------------------------

    def _options(self, *, before_command: bool | None = None) -> list[tuple[str, str | None]]:
        kinds = {None: ("general", "option"), True: ("general",), False: ("option",)}
        wanted = kinds[before_command]
        return [pair for t in self.tokens if t.kind in wanted for pair in t.options]

    def has(self, name: str) -> bool:
        """Whether the option with this canonical name (e.g. ``--user``) is given."""
        return any(option == name for option, _ in self._options())

    def values(self, name: str) -> tuple[str, ...]:
        """Every value given to the option with this canonical name, in order."""
        return tuple(v for option, v in self._options() if option == name and v is not None)

    def last(self, name: str) -> str | None:
        """The last value of this option (what pip keeps for a plain, non-list option)."""
        found = self.values(name)
        return found[-1] if found else None

    @property
    def positionals(self) -> tuple[str, ...]:
        """The arguments after the subcommand that are not options (or option values)."""
        return tuple(t.raw[0] for t in self.tokens if t.kind == "positional")

    # -- what safepip asks -----------------------------------------------------------------

    @property
    def python(self) -> str | None:
        """``--python`` given before the subcommand (or with none): the interpreter pip
        re-runs itself with (pip >= 22.3). The last one counts; empty means none, as in pip."""
        found = [v for o, v in self._options(before_command=True) if o == "--python"]
        return (found[-1] or None) if found else None

    @property
    def python_after_command(self) -> str | None:
        """``--python`` given after the subcommand: pip 22.3 to 23.1 ignore it, pip >= 23.2
        stops with "The --python option must be placed before the pip subcommand name" (exit
        status 1)."""
        found = [v for o, v in self._options(before_command=False) if o == "--python"]
        return (found[-1] or None) if found else None

    @property
    def verbosity(self) -> int:
        """``-v`` count minus ``-q`` count, as pip computes it (config adds to both)."""
        options = [o for o, _ in self._options()]
        return options.count("--verbose") - options.count("--quiet")

    @property
    def isolated(self) -> bool:
        """``--isolated`` (or an abbreviation), anywhere: pip's ``options.isolated_mode``."""
        return self.has("--isolated")

    @property
    def config_isolated(self) -> bool:
        """Whether the command ignores user configuration and PIP_* variables: pip decides this
        with ``"--isolated" in cmd_args``, a plain string test (no abbreviation, and an option
        value counts). The main parser is never isolated."""
        if self.command_index is None:
            return False
        index = self.command_index
        return "--isolated" in self.argv[:index] + self.argv[index + 1 :]

    @property
    def help(self) -> bool:
        """``-h``/``--help``: pip prints help and exits 0 when it reaches it."""
        return self.has("--help")

    @property
    def version(self) -> bool:
        """``-V``/``--version`` before the subcommand: pip prints its version and exits 0."""
        return any(o == "--version" for o, _ in self._options(before_command=True))

    @property
    def requirements(self) -> tuple[str, ...]:
        """Positional requirements of install, uninstall, download, wheel and lock."""
        return self.positionals if self.command in REQUIREMENT_COMMANDS else ()

    @property
    def requirement_files(self) -> tuple[str, ...]:
        return self.values("--requirement")

    @property
    def constraint_files(self) -> tuple[str, ...]:
        return self.values("--constraint")

    @property
    def editables(self) -> tuple[str, ...]:
        return self.values("--editable")

    @property
    def break_system_packages(self) -> bool:
        return self.has("--break-system-packages")

    @property
    def require_virtualenv(self) -> bool:
        return self.has("--require-virtualenv")

    @property
    def alternative_location(self) -> bool:
        """``--target``, ``--prefix`` or ``--root``, even with an empty value: pip tests them
        with ``is not None`` and then skips the PEP 668 check."""
        return any(self.has(name) for name in ("--target", "--prefix", "--root"))

    def _last_of(self, *names: str) -> str | None:
        found = [o for o, _ in self._options() if o in names]
        return found[-1] if found else None

    @property
    def user(self) -> bool:
        """``--user``, not overridden by a later ``--no-user`` (both set one pip option)."""
        return self._last_of("--user", "--no-user") == "--user"

    @property
    def no_user(self) -> bool:
        """``--no-user``, not overridden by a later ``--user``."""
        return self._last_of("--user", "--no-user") == "--no-user"

    @property
    def dry_run_report(self) -> bool:
        """``--dry-run`` with a non-empty ``--report``: pip skips the PEP 668 check."""
        return self.has("--dry-run") and bool(self.last("--report"))

    @property
    def upgrade(self) -> bool:
        return self.has("--upgrade")

    @property
    def index_url(self) -> str | None:
        return self.last("--index-url")

    @property
    def extra_index_urls(self) -> tuple[str, ...]:
        return self.values("--extra-index-url")

    @property
    def find_links(self) -> tuple[str, ...]:
        return self.values("--find-links")

    @property
    def no_index(self) -> bool:
        return self.has("--no-index")

    @property
    def pre(self) -> bool:
        return self.has("--pre")

    # -- rewriting -------------------------------------------------------------------------

    def _require_known(self) -> None:
        if not self.known:
            raise PipArgsError(f"cannot rewrite pip's arguments: {self.problem}")

    def without(self, *option_names: str) -> tuple[str, ...]:
        """``argv`` without every occurrence of these options (canonical names, e.g.
        ``--user``), values included; everything else byte-identical and in order. A short
        cluster loses just those letters (``-Uq`` without ``--upgrade`` is ``-q``).

        Raises :class:`PipArgsError` when ``known`` is false."""
        self._require_known()
        drop = frozenset(option_names)
        out: list[str] = []
        for token in self.tokens:
            dropped = [name in drop for name, _ in token.options]
            if not any(dropped):
                out.extend(token.raw)
            elif not all(dropped):
                out.extend(_drop_from_cluster(token, drop))
        return tuple(out)

    def with_positionals(self, keep: Sequence[str]) -> tuple[str, ...]:
        """``argv`` keeping only the positional arguments (requirements) in ``keep``; options
        (``-r``, ``-e`` and the rest) and ``--`` stay as they are.

        Raises :class:`PipArgsError` when ``known`` is false."""
        self._require_known()
        wanted = set(keep)
        out: list[str] = []
        for token in self.tokens:
            if token.kind != "positional" or token.raw[0] in wanted:
                out.extend(token.raw)
        return tuple(out)
