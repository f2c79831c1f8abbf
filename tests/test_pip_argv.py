from __future__ import annotations

import optparse
from collections.abc import Sequence
from functools import cache
from typing import NoReturn

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safepip.exceptions import PipArgsError
from safepip.pip import options_table
from safepip.pip.argv import Token
from safepip.pip.parser import parse


def options_of(argv: Sequence[str]) -> list[tuple[str, str | None]]:
    return [pair for t in parse(argv).tokens for pair in t.options]


# -- reading -------------------------------------------------------------------------------


def test_plain_install() -> None:
    args = parse(["install", "-U", "requests", "--index-url", "https://x/simple", "flask"])
    assert args.known and args.problem is None
    assert args.command == "install" and args.command_index == 0
    assert args.requirements == ("requests", "flask")
    assert args.upgrade
    assert args.index_url == "https://x/simple"
    assert [t.kind for t in args.tokens] == [
        "command",
        "option",
        "positional",
        "option",
        "positional",
    ]


def test_tokens_cover_argv() -> None:
    argv = ["-v", "--python", "/usr/bin/python3", "install", "-rreq.txt", "-c", "c.txt", "x"]
    args = parse(argv)
    assert [s for t in args.tokens for s in t.raw] == argv
    assert args.tokens[1] == Token(
        "general",
        ("--python", "/usr/bin/python3"),
        "--python",
        "/usr/bin/python3",
        (("--python", "/usr/bin/python3"),),
    )


def test_bare_pip_and_version() -> None:
    assert parse([]).known and parse([]).command is None
    args = parse(["--version"])
    assert args.known and args.command is None and args.version
    assert not parse(["list", "--version"]).version  # only the main parser acts on it


@pytest.mark.parametrize(
    ("argv", "value"),
    [
        (["install", "--index-url=https://a/simple", "x"], "https://a/simple"),
        (["install", "--index-url", "https://a/simple", "x"], "https://a/simple"),
        (["install", "-ihttps://a/simple", "x"], "https://a/simple"),
        (["install", "-i", "https://a/simple", "x"], "https://a/simple"),
        (["install", "--pypi-url", "https://a/simple", "x"], "https://a/simple"),  # alias
        (["install", "--index-u", "https://a/simple", "x"], "https://a/simple"),  # prefix
        (["install", "--index-url=", "x"], ""),  # empty explicit value
    ],
)
def test_value_spellings(argv: list[str], value: str) -> None:
    args = parse(argv)
    assert args.known
    assert args.index_url == value
    assert args.requirements == ("x",)


def test_value_is_taken_whatever_it_looks_like() -> None:
    args = parse(["install", "-r", "--user", "x"])
    assert args.requirement_files == ("--user",)
    assert not args.user


def test_abbreviations() -> None:
    assert parse(["install", "--brea", "x"]).break_system_packages
    assert parse(["install", "--break-system-packages", "x"]).break_system_packages
    # --b: --break-system-packages in pip 23.0-25.x, ambiguous once --build-constraint exists
    ambiguous = parse(["install", "--b", "x"])
    assert not ambiguous.known
    assert ambiguous.problem is not None and ambiguous.problem.startswith("ambiguous option: --b")
    # aliases count separately, as in optparse
    assert not parse(["install", "--sour", "d", "x"]).known
    assert not parse(["install", "--no-dep", "x"]).known
    assert parse(["install", "--no-deps", "x"]).known  # exact match wins over longer names


def test_abbreviation_depends_on_the_parser() -> None:
    # the main parser only knows general options; the command parser re-reads them with more
    assert parse(["--pro", "http://p", "list"]).known
    assert not parse(["--pr", "http://p", "install", "x"]).known  # --proxy, --prefix, --pre...


def test_short_clusters() -> None:
    assert parse(["install", "-qqq", "x"]).verbosity == -3
    args = parse(["-vv", "install", "-Uq", "x", "-v"])
    assert args.verbosity == 2 and args.upgrade
    assert options_of(["install", "-Ur", "req.txt"]) == [
        ("--upgrade", None),
        ("--requirement", "req.txt"),
    ]
    assert options_of(["install", "-Urreq.txt"]) == [
        ("--upgrade", None),
        ("--requirement", "req.txt"),
    ]
    assert parse(["install", "-r=req.txt"]).requirement_files == ("=req.txt",)
    assert not parse(["install", "-Uz", "x"]).known  # -z is completion's, not install's


def test_double_dash() -> None:
    args = parse(["install", "--", "--user", "-e"])
    assert args.known and args.requirements == ("--user", "-e") and not args.user
    assert [t.kind for t in args.tokens] == ["command", "separator", "positional", "positional"]
    # before the command, "--" ends the general options; pip then reads the rest as positional
    args = parse(["--", "install", "--user", "x"])
    assert args.known and args.command == "install"
    assert args.requirements == ("--user", "x")


def test_lone_dash_is_positional() -> None:
    assert parse(["install", "-"]).requirements == ("-",)


def test_rejected_argv() -> None:
    for argv, problem in [
        (["install", "--bogus", "x"], "no such option: --bogus"),
        (["--bogus", "install", "x"], "no such option: --bogus"),
        (["install", "-r"], "-r option requires 1 argument"),
        (["install", "--requirement"], "--requirement option requires 1 argument"),
        (["install", "--constr"], "--constraint option requires 1 argument"),
        (["install", "-Ur"], "-r option requires 1 argument"),
        (["install", "--user=1", "x"], "--user option does not take a value"),
        (["instal", "x"], 'unknown command "instal"'),
        (["-r", "x", "install"], "no such option: -r"),  # not a general option
    ]:
        args = parse(argv)
        assert not args.known, argv
        assert args.problem == problem, argv
        with pytest.raises(PipArgsError):
            args.without("--user")


def test_unknown_options_tokens() -> None:
    args = parse(["install", "--bogus=1", "-Uz", "x"])
    assert args.tokens[1] == Token("option", ("--bogus=1",), None, "1")
    assert args.tokens[2].name is None and args.tokens[2].options == (("--upgrade", None),)


def test_commands_are_not_abbreviated_and_are_case_sensitive() -> None:
    assert parse(["inst", "x"]).command is None
    assert parse(["Install", "x"]).command is None


def test_first_occurrence_of_the_command_name_is_removed() -> None:
    # pip removes the first "install" (the --log value) and reads "--log -v install foo":
    # a log file named "-v" and a package named "install".
    args = parse(["--log", "install", "-v", "install", "foo"])
    assert args.command == "install"
    assert not args.known
    assert args.problem is not None and "first" in args.problem
    # harmless when the two occurrences are adjacent
    assert parse(["--log", "install", "install", "foo"]).known


def test_python_before_and_after_the_command() -> None:
    args = parse(["--python", "/opt/py", "install", "x"])
    assert args.python == "/opt/py" and args.python_after_command is None
    args = parse(["install", "--python", "/opt/py", "x"])
    assert args.python is None and args.python_after_command == "/opt/py"
    assert parse(["--python=/opt/py"]).python == "/opt/py"  # no command: pip still re-runs
    assert parse(["--pyt", "/a", "--python", "/b", "list"]).python == "/b"
    assert parse(["--python", "/a", "--python=", "list"]).python is None  # pip: falsy, no re-run


def test_isolated_and_config_isolated() -> None:
    args = parse(["install", "--isol", "x"])
    assert args.isolated and not args.config_isolated  # pip tests the literal string
    args = parse(["install", "-r", "--isolated", "x"])
    assert not args.isolated and args.config_isolated  # ... even as an option value
    assert parse(["--isolated", "install", "x"]).config_isolated
    assert not parse(["--isolated"]).config_isolated  # no command: main parser, never isolated


def test_help() -> None:
    assert parse(["install", "-h"]).help
    assert parse(["-h"]).help
    assert parse(["install", "--he"]).help


def test_user_and_no_user() -> None:
    assert parse(["install", "--user", "x"]).user
    args = parse(["install", "--user", "--no-user", "x"])
    assert not args.user and args.no_user
    assert parse(["install", "--no-user", "--user", "x"]).user
    assert parse(["list", "--user"]).user


def test_pep668_exemptions() -> None:
    assert parse(["install", "--target", "d", "x"]).alternative_location
    assert parse(["install", "-t", "", "x"]).alternative_location  # "" is not None
    assert parse(["install", "--prefix=/p", "x"]).alternative_location
    assert parse(["install", "--root", "/r", "x"]).alternative_location
    assert not parse(["install", "--report", "r.json", "x"]).dry_run_report
    assert parse(["install", "--dry-run", "--report", "-", "x"]).dry_run_report
    assert not parse(["install", "--dry-run", "--report=", "x"]).dry_run_report  # "" is falsy


def test_requirement_inputs() -> None:
    args = parse(
        ["install", "-r", "a.txt", "--requirement=b.txt", "-c", "c.txt", "-e", ".", "-e.[dev]"]
    )
    assert args.requirement_files == ("a.txt", "b.txt")
    assert args.constraint_files == ("c.txt",)
    assert args.editables == (".", ".[dev]")
    assert args.requirements == ()
    assert parse(["show", "requests"]).requirements == ()
    assert parse(["show", "requests"]).positionals == ("requests",)


def test_index_options() -> None:
    args = parse(
        [
            "install",
            "--extra-index-url",
            "https://a",
            "--extra-index-url=https://b",
            "-f",
            "dir",
            "--no-index",
            "--pre",
            "x",
        ]
    )
    assert args.extra_index_urls == ("https://a", "https://b")
    assert args.find_links == ("dir",)
    assert args.no_index and args.pre


# -- rewriting -----------------------------------------------------------------------------


def test_without() -> None:
    args = parse(["--python", "/p", "-v", "install", "--user", "x", "--python=/q", "-r", "r"])
    assert args.without("--python", "--user") == ("-v", "install", "x", "-r", "r")
    assert args.without() == args.argv


def test_without_in_clusters() -> None:
    args = parse(["install", "-Uq", "-qU", "-Urreq.txt", "-Ur", "r2", "x"])
    assert args.without("--upgrade") == ("install", "-q", "-q", "-rreq.txt", "-r", "r2", "x")
    assert args.without("--requirement") == ("install", "-Uq", "-qU", "-U", "-U", "x")
    assert args.without("--upgrade", "--quiet", "--requirement") == ("install", "x")


def test_with_positionals() -> None:
    args = parse(["install", "a", "-r", "req.txt", "b", "-e", ".", "--", "c"])
    assert args.with_positionals(["b"]) == ("install", "-r", "req.txt", "b", "-e", ".", "--")
    assert args.with_positionals(["a", "b", "c"]) == args.argv
    assert args.with_positionals([]) == ("install", "-r", "req.txt", "-e", ".", "--")


# -- properties ----------------------------------------------------------------------------

_VOCABULARY = sorted(
    {
        string
        for command in (None, *options_table.COMMANDS)
        for string in (
            *options_table.option_table(command).long,
            *options_table.option_table(command).short,
        )
    }
)

_words = st.one_of(
    st.sampled_from(_VOCABULARY),
    st.sampled_from(_VOCABULARY).flatmap(
        lambda s: st.integers(min_value=2, max_value=max(2, len(s))).map(lambda n: s[:n])
    ),
    st.tuples(st.sampled_from(_VOCABULARY), st.text(max_size=5)).map(lambda p: f"{p[0]}={p[1]}"),
    st.text(alphabet="-UqvrcehiItfV=x", min_size=1, max_size=5),
    st.sampled_from([*options_table.COMMANDS, "--", "-", "bogus", "x", "req.txt"]),
    st.text(max_size=8),
)
_argvs = st.lists(_words, max_size=10)


@settings(max_examples=600, deadline=None)
@given(_argvs)
def test_parse_is_total_and_tokens_cover_argv(argv: list[str]) -> None:
    args = parse(argv)
    assert args.argv == tuple(argv)
    assert tuple(s for t in args.tokens for s in t.raw) == tuple(argv)
    assert all(1 <= len(t.raw) <= 2 for t in args.tokens)
    assert [t.kind for t in args.tokens].count("command") == (args.command_index is not None)
    # every property answers, even for argv pip rejects
    _ = (args.python, args.verbosity, args.requirements, args.user, args.dry_run_report)
    _ = (args.alternative_location, args.config_isolated, args.python_after_command)
    if args.known:
        assert args.without() == args.argv
        assert args.with_positionals(args.positionals) == args.argv
        reparsed = parse(args.without("--user", "--upgrade", "--quiet", "--python"))
        assert reparsed.known
        assert not (reparsed.user or reparsed.upgrade or reparsed.python)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), max_size=12))
def test_parse_is_total_on_any_text(argv: list[str]) -> None:
    args = parse(argv)
    assert tuple(s for t in args.tokens for s in t.raw) == tuple(argv)


# -- against optparse itself ---------------------------------------------------------------


class _Rejected(Exception):
    pass


class _Parser(optparse.OptionParser):
    def error(self, msg: str) -> NoReturn:
        raise _Rejected(msg)


@cache
def _optparse_parser(command: str | None) -> tuple[_Parser, list[tuple[str, str | None]]]:
    """A stdlib optparse parser with the same option strings, recording what it reads."""
    seen: list[tuple[str, str | None]] = []
    parser = _Parser(add_help_option=False)
    if command is None:
        parser.disable_interspersed_args()
    table = options_table.option_table(command)
    specs = {id(spec): spec for spec in (*table.long.values(), *table.short.values())}

    def record(option: optparse.Option, opt: str, value: str | None, p: object) -> None:
        seen.append((option.get_opt_string(), value))

    for spec in specs.values():
        shorts = [s for s in spec.strings if not s.startswith("--")]
        longs = [s for s in spec.strings if s.startswith("--")]
        kind = "string" if spec.takes_value else None
        parser.add_option(*shorts, *longs, action="callback", callback=record, type=kind)
    return parser, seen


def _optparse_reading(argv: list[str]) -> tuple[object, ...] | None:
    """How pip's two passes read argv, done with optparse; None when optparse rejects it."""
    main, seen = _optparse_parser(None)
    seen.clear()
    try:
        _, rest = main.parse_args(list(argv))
    except _Rejected:
        return None
    main_options = list(seen)
    if not rest:
        return (None, main_options)
    name = rest[0]
    if name not in options_table.COMMANDS:
        return None
    cmd_args = list(argv)
    cmd_args.remove(name)
    parser, seen = _optparse_parser(name)
    seen.clear()
    try:
        _, positionals = parser.parse_args(cmd_args)
    except _Rejected:
        return None
    return (name, main_options, list(seen), positionals)


@settings(max_examples=1500, deadline=None)
@given(_argvs)
def test_same_reading_as_optparse(argv: list[str]) -> None:
    args = parse(argv)
    oracle = _optparse_reading(argv)
    if oracle is None:
        assert not args.known
        return
    if not args.known:
        # the one case optparse accepts that safepip refuses to guess at
        assert args.problem is not None and args.problem.startswith("pip removes the first")
        return
    before = [pair for t in args.tokens if t.kind == "general" for pair in t.options]
    every = [pair for t in args.tokens for pair in t.options]
    if oracle[0] is None:
        assert (args.command, before) == oracle
    else:
        assert (args.command, before, every, list(args.positionals)) == oracle
