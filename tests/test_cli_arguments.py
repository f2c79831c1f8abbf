"""One parser for safepip's own commands (:mod:`safepip.cli.arguments`): each command's
declaration read the same way, and usage errors and ``--help`` from the registry's usage line."""

from __future__ import annotations

import importlib
import io
from pathlib import Path

import pytest

from safepip.cli.arguments import Arguments, Parsed, parse, usage
from safepip.cli.main import main
from safepip.cli.registry import COMMANDS
from safepip.commands import doctor, explain, shell_init, shims, where
from safepip.environment import Environment
from safepip.exceptions import EXIT_USAGE, UsageError

DOCTOR = doctor.ARGUMENTS
SHIMS = shims.ARGUMENTS


def failure(name: str, declared: Arguments, *args: str) -> UsageError:
    with pytest.raises(UsageError) as caught:
        parse(name, declared, (), args)
    return caught.value


def test_flags_values_and_positionals() -> None:
    parsed = parse("doctor", DOCTOR, (), ["--json", "--python", "/usr/bin/python3", "-vv"])
    assert parsed.flag("--json") and not parsed.flag("--repair")
    assert parsed.value("--python") == "/usr/bin/python3"
    assert parse("shims", SHIMS, (), ["install", "--dir", "d"]).positionals == ("install",)
    assert parse("shims", SHIMS, (), []) == Parsed()


def test_option_equals_value() -> None:
    assert parse("doctor", DOCTOR, (), ["--python=/x"]).value("--python") == "/x"
    assert parse("shims", SHIMS, (), ["--dir=a=b"]).value("--dir") == "a=b"
    assert parse("shims", SHIMS, (), ["--dir=a", "--dir", "b"]).value("--dir") == "b"


def test_unknown_option() -> None:
    error = failure("doctor", DOCTOR, "--bogus")
    assert error.message == "safepip doctor does not take '--bogus'"
    assert (
        error.hint
        == "usage: safepip doctor [--json] [--repair [--dry-run] [--keep-old]] [--python PATH]"
    )
    assert error.exit_code == EXIT_USAGE
    assert failure("where", where.ARGUMENTS, "six", "--bogus").message.endswith("'--bogus'")


@pytest.mark.parametrize("args", [["--dir"], ["--dir="], ["--dir", ""]])
def test_missing_value(args: list[str]) -> None:
    assert failure("shims", SHIMS, *args).message == "safepip shims --dir needs a value: --dir DIR"


def test_a_value_is_taken_whatever_it_looks_like() -> None:
    assert parse("shims", SHIMS, (), ["--dir", "-x"]).value("--dir") == "-x"


def test_flag_with_a_value() -> None:
    assert failure("doctor", DOCTOR, "--json=yes").message == (
        "safepip doctor --json does not take a value"
    )


def test_json_where_not_declared() -> None:
    assert failure("shims", SHIMS, "--json").message == "safepip shims does not take '--json'"
    assert failure("shell-init", shell_init.ARGUMENTS, "bash", "--json").message.endswith(
        "'--json'"
    )


def test_wrong_positional() -> None:
    assert failure("shims", SHIMS, "instal").message == "safepip shims does not take 'instal'"
    assert failure("shims", SHIMS, "install", "remove").message.endswith("'remove'")
    assert failure("doctor", DOCTOR, "six").message == "safepip doctor does not take 'six'"
    shells = shell_init.ARGUMENTS
    assert (
        failure("shell-init", shells).message == "safepip shell-init needs one of bash, zsh or fish"
    )
    error = failure("shell-init", shells, "tcsh")
    assert (error.hint or "").startswith("usage: safepip shell-init bash|zsh|fish; add to")


def test_double_dash_ends_the_options() -> None:
    assert parse("where", where.ARGUMENTS, (), ["--", "--json"]).positionals == ("--json",)


def test_help_after_a_command() -> None:
    assert parse("doctor", DOCTOR, (), ["--json", "--help"]).help
    assert parse("shell-init", shell_init.ARGUMENTS, (), ["-h"]).help  # no shell needed
    assert parse("explain", explain.ARGUMENTS, (), ["six", "-h"]).help
    assert parse("where", where.ARGUMENTS, ["-h"], []).help  # pip's -h before the command


def test_pips_general_options_before_the_command() -> None:
    before = ["--isolated", "--python", "/x", "-v", "--no-color"]
    assert parse("where", where.ARGUMENTS, before, ["six"]).values == ()
    assert parse("doctor", DOCTOR, before, []).value("--python") == "/x"
    assert parse("doctor", DOCTOR, before, ["--python=/y"]).value("--python") == "/y"


def test_the_rest_is_pip_installs() -> None:
    declared = explain.ARGUMENTS
    parsed = parse("explain", declared, ["-v"], ["--json", "-r", "--json", "six", "--pre"])
    assert parsed.flag("--json") and parsed.value("--python") is None
    assert parsed.pip_args is not None
    assert parsed.pip_args.argv == ("install", "-v", "-r", "--json", "six", "--pre")
    with_python = parse("explain", declared, ["--python", "/x"], ["six"])
    assert with_python.pip_args is not None and with_python.pip_args.python == "/x"
    after = parse("explain", declared, [], ["six", "--python=/y"])
    assert after.pip_args is not None and after.pip_args.python == "/y"
    assert after.pip_args.positionals == ("six",)
    assert failure("explain", declared, "--bogus", "six").message == (
        "safepip explain does not take '--bogus'"
    )
    assert failure("explain", declared, "six", "--python").message.endswith("--python PATH")
    assert failure("explain", declared, "--json=1").message.endswith("--json does not take a value")


def test_every_declared_word_is_in_the_usage_line() -> None:
    """The registry's usage line is the one ``--help`` and usage errors show; it names all
    that the command's module declares."""
    for name, command in COMMANDS.items():
        declared: Arguments = importlib.import_module(command.module).ARGUMENTS
        for word in (*declared.flags, *declared.values, *(declared.words or ())):
            assert word in command.usage, (name, word)
        for option, metavar in declared.values.items():
            assert f"{option} {metavar}" in command.usage, (name, option)
        assert usage(name) == f"usage: safepip {command.usage}"


def test_a_commands_function_with_its_typed_arguments_shows_help_too() -> None:
    out = io.StringIO()
    assert shell_init.shell_init(["-h"], Environment(environ={}, cwd=Path("/"), stdout=out)) == 0
    assert out.getvalue().startswith("usage: safepip shell-init bash|zsh|fish\n")


def run_main(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Environment(environ={"HOME": "/nonexistent"}, cwd=Path("/"), stdout=out, stderr=err)
    return main(args, env), out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_prints_the_usage_and_exits_0(name: str) -> None:
    code, out, err = run_main([name, "--help"])
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == usage(name)
    assert out.splitlines()[2] == COMMANDS[name].summary[0]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_usage_errors_are_one_paragraph(name: str) -> None:
    code, out, err = run_main(["-q", name, "--no-such-option"])
    assert (code, out) == (EXIT_USAGE, "")
    hint = importlib.import_module(COMMANDS[name].module).ARGUMENTS.hint
    assert err.splitlines() == [
        f"ERROR: safepip {name} does not take '--no-such-option'",
        f"hint: {usage(name)}" + (f"; {hint}" if hint else ""),
    ]
