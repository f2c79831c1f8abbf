from __future__ import annotations

import io
from pathlib import Path

import pytest

from safepip.environment import Environment
from safepip.report import Reporter, use_colour


def make_env(environ: dict[str, str], tty: bool) -> tuple[Environment, io.StringIO]:
    err = io.StringIO()
    env = Environment(
        environ=environ,
        cwd=Path("/"),
        stderr=err,
        stderr_isatty=tty,
        stdin_isatty=False,
        stdout_isatty=False,
    )
    return env, err


@pytest.mark.parametrize(
    ("environ", "tty", "expected"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"FORCE_COLOR": "1"}, False, True),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
        ({"TERM": "dumb"}, True, False),
        ({"NO_COLOR": ""}, True, True),
    ],
)
def test_colour_rules(environ: dict[str, str], tty: bool, expected: bool) -> None:
    env, _ = make_env(environ, tty)
    assert use_colour(env) is expected


def test_quiet_hides_info_but_not_errors() -> None:
    env, err = make_env({}, False)
    reporter = Reporter(env, verbosity=-1)
    reporter.info("hidden")
    reporter.detail("hidden too")
    reporter.error("shown", "the fix")
    assert err.getvalue() == "ERROR: shown\nhint: the fix\n"


def test_qqq_hides_everything() -> None:
    env, err = make_env({}, False)
    reporter = Reporter(env, verbosity=-3)
    reporter.error("x")
    reporter.warning("y")
    assert err.getvalue() == ""


def test_verbose_shows_details_and_colour_codes_only_on_tty() -> None:
    env, err = make_env({}, True)
    Reporter(env, verbosity=1).detail("how")
    Reporter(env, verbosity=0).info("what")
    text = err.getvalue()
    assert "safepip: how\n" in text
    assert "\033[" in text
