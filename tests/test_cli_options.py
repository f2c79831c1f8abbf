from __future__ import annotations

from safepip.cli.options import extract
from safepip.decide.model import SafepipOptions


def test_no_own_options_leaves_argv_alone() -> None:
    argv = ["install", "-r", "req.txt", "--venv-dir-is-not-ours"]
    assert extract(argv) == (SafepipOptions(), tuple(argv))


def test_own_options_are_taken_out() -> None:
    options, rest = extract(["install", "--recreate-venv", "x", "--pipx"])
    assert options == SafepipOptions(route="pipx", recreate_venv=True)
    assert rest == ("install", "x")


def test_after_double_dash_nothing_is_ours() -> None:
    options, rest = extract(["install", "--", "--venv"])
    assert options == SafepipOptions()
    assert rest == ("install", "--", "--venv")


def test_exact_match_only() -> None:
    # "--ven" is an abbreviation pip might expand; safepip never claims it
    assert extract(["install", "--ven"])[1] == ("install", "--ven")


def test_an_options_value_is_not_ours() -> None:
    assert extract(["install", "-r", "--venv"]) == (SafepipOptions(), ("install", "-r", "--venv"))


def test_before_the_command_too() -> None:
    options, rest = extract(["--venv", "install", "x"])
    assert options.route == "venv" and rest == ("install", "x")


def test_distro_is_ours() -> None:
    options, rest = extract(["install", "--distro", "pyyaml"])
    assert options.route == "distro" and rest == ("install", "pyyaml")
