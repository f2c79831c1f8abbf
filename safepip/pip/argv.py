"""pip's command line as pip reads it: :class:`Token` s and the :class:`PipArgs` built from
them by :func:`safepip.pip.parser.parse`, with the questions safepip asks of it and the
rewrites it makes (an option dropped, requirements kept), byte-faithful to the user's argv."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from safepip.exceptions import PipArgsError
from safepip.pip.options_table import (
    REQUIREMENT_COMMANDS,
)
from safepip.records import Frozen

TokenKind = Literal["general", "command", "option", "positional", "separator"]


class Token(Frozen):
    """A run of one or two argv strings that pip reads as one unit.

    ``name``/``value`` are those of the option (its canonical name: the first long option
    string, or the short one for short-only options). A short cluster such as ``-Uq`` or
    ``-Ur file`` is one token carrying several options: ``options`` lists every
    ``(name, value)`` in order, and ``name``/``value`` are those of its last one. ``name`` is
    None for an option pip would reject (unknown or ambiguous). For a command token ``name`` is
    the command (None if pip has no such command); positionals and ``--`` carry no name.
    """

    __slots__ = ("kind", "name", "options", "raw", "value")
    kind: TokenKind
    raw: tuple[str, ...]
    name: str | None
    value: str | None
    options: tuple[tuple[str, str | None], ...]

    def __init__(
        self,
        kind: TokenKind,
        raw: tuple[str, ...],
        name: str | None = None,
        value: str | None = None,
        options: tuple[tuple[str, str | None], ...] = (),
    ) -> None:
        self._set(kind=kind, raw=raw, name=name, value=value, options=options)


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


class PipArgs(Frozen):
    """pip's argv, tokenized. The properties read the tokens; when ``known`` is false they
    are a best effort only and the argv must reach pip untouched."""

    __slots__ = ("argv", "command", "command_index", "known", "problem", "tokens")
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
    problem: str | None
    #: Where the subcommand is in ``argv`` (None: there is none).
    command_index: int | None

    def __init__(
        self,
        argv: tuple[str, ...],
        tokens: tuple[Token, ...],
        command: str | None,
        known: bool,
        problem: str | None = None,
        command_index: int | None = None,
    ) -> None:
        self._set_from(locals())

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
