"""safepip.cli.warm: which command lines the warm path takes, and that its decision is the full
path's: one table, decided by both (the real externally managed python3, a real venv)."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path

import pytest
from support import PackageIndex
from support.environ import hermetic_env
from test_decide_warm_cache import ready_venv

from safepip.cli.warm import decisions, line, requirements
from safepip.decide.model import SafepipOptions
from safepip.decide.plan import plan
from safepip.decide.warm_cache import recall, store
from safepip.environment import Environment
from safepip.pip.parser import parse
from safepip.report import Reporter
from safepip.target.interpreter import find_target, probe
from safepip.target.project import venv_target


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["install", "requests"], (["requests"], 0)),
        (["install", "-q", "Flask_Login", "six"], (["Flask_Login", "six"], -1)),
        (["install", "--verbose", "six", "-vv", "--quiet"], (["six"], 2)),
        (["install"], None),
        (["install", "-U", "six"], None),  # an upgrade may change the .venv
        (["install", "six==1.16"], None),  # a version may change it
        (["install", "six[extra]"], None),
        (["install", "./six"], None),
        (["install", "-r", "requirements.txt"], None),
        (["install", "--user", "six"], None),
        (["install", "--", "six"], None),
        (["-v", "install", "six"], None),
        (["uninstall", "six"], None),
        (["install", "--pipx", "six"], None),
        (["install", "-qv", "six"], None),
    ],
)
def test_which_command_lines_are_warm(
    argv: list[str], expected: tuple[list[str], int] | None
) -> None:
    assert requirements(argv) == expected


#: names, what pyproject.toml declares, what the .venv holds (besides pip), and the reason the
#: warm path gives (None: it leaves the install to the full path).
TABLE: list[tuple[list[str], list[str], list[str], str | None]] = [
    (["requests"], [], ["requests-2.0"], "it is already installed in the project's .venv"),
    (
        ["Flask"],
        ["flask>=3"],
        ["flask-3.0"],
        "the project declares it (pyproject.toml [project] dependencies)",
    ),
    (["pip"], [], [], "pip is an environment's own tool: the project's"),
    (["fixapp"], [], [], None),  # not installed: the full path decides (pipx: an application)
    (["requests", "fixapp"], [], ["requests-2.0"], None),
    (["flask"], ["flask"], [], None),
]


@pytest.mark.parametrize(("names", "declared", "installed", "reason"), TABLE)
def test_the_warm_decision_is_the_full_paths(
    names: Sequence[str],
    declared: Sequence[str],
    installed: Sequence[str],
    reason: str | None,
    project: Path,
    managed_python: Path,
    index: PackageIndex,
) -> None:
    deps = ", ".join(f'"{d}"' for d in declared)
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "proj"\nversion = "0"\ndependencies = [{deps}]\n'
    )
    ready_venv(project, managed_python, *installed)
    environ = hermetic_env(project.parent, index.url, path_first=(str(managed_python.parent),))
    env = Environment(environ, project, io.StringIO(), io.StringIO(), io.StringIO(), False, False)
    store(env)
    facts = recall(environ, str(project))
    assert facts is not None
    warm = decisions(names, facts, str(project))
    pip_args = parse(["install", *names])
    target = find_target(None, env)
    steps = plan(
        pip_args, SafepipOptions(), env, Reporter(env), probe(target.path, env),
        venv_target(project, env.home), may_ask=False,
    )  # fmt: skip
    if reason is None:
        assert warm is None
        full = {"fixapp": "pipx", "requests": "venv", "flask": "venv"}  # the full path's call
        assert [s.decision.route for s in steps] == [full[n] for n in names]
    else:
        assert [s.decision.route for s in steps] == ["venv"] * len(names)
        assert warm == [reason] * len(names)
        assert [s.decision.reasons[-1] for s in steps] == warm


def test_the_line_says_where_why_and_the_other_command(tmp_path: Path) -> None:
    from safepip.decide.warm_cache import WarmFacts

    facts = WarmFacts("/usr/bin/python3", str(tmp_path), str(tmp_path / ".venv"), {})
    reason = "it is already installed in the project's .venv"
    said = line(["requests"], [reason], facts, str(tmp_path))
    assert said.startswith("safepip: requests -> the project's virtual environment .venv: ")
    assert "/usr/bin/python3 is externally managed" in said
    assert said.rstrip().endswith("safepip install --pipx requests")


@pytest.fixture
def remembered_project(project: Path, managed_python: Path) -> dict[str, str]:
    """A project whose .venv has requests, its facts remembered; the environment of that run."""
    ready_venv(project, managed_python, "requests-2.0")
    environ = hermetic_env(project.parent, None, path_first=(str(managed_python.parent),))
    env = Environment(environ, project, io.StringIO(), io.StringIO(), io.StringIO(), False, False)
    store(env)
    assert recall(environ, str(project)) is not None
    return environ


def _exec_calls(
    monkeypatch: pytest.MonkeyPatch, project: Path, environ: dict[str, str], argv: list[str]
) -> list[tuple[str, list[str], dict[str, str]]]:
    from safepip.cli import warm

    calls: list[tuple[str, list[str], dict[str, str]]] = []
    monkeypatch.setattr(os, "execve", lambda *a: calls.append(a))
    monkeypatch.setattr(warm, "_isatty", lambda fd: False)
    monkeypatch.chdir(project)
    warm.exec_warm(environ, argv)
    return calls


def test_a_warm_install_becomes_the_venvs_pip(
    remembered_project: dict[str, str], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safepip.pip.launcher import LAUNCHER

    calls = _exec_calls(monkeypatch, project, remembered_project, ["install", "requests"])
    python = str(project / ".venv" / "bin" / "python")
    assert [(c[0], c[1]) for c in calls] == [
        (python, [python, "-c", LAUNCHER, "install", "requests"])
    ]
    environ = calls[0][2]
    assert environ["VIRTUAL_ENV"] == str(project / ".venv") and environ["PIP_USER"] == "0"


@pytest.mark.parametrize(
    ("variable", "argv"),
    [
        ("VIRTUAL_ENV", ["install", "requests"]),
        ("SAFEPIP_PYTHON", ["install", "requests"]),
        ("PIP_AUTO_COMPLETE", ["install", "requests"]),
        ("", ["install", "requests", "black"]),  # black is not in the .venv
        ("", ["install", "-U", "requests"]),
        ("", ["uninstall", "requests"]),
    ],
)
def test_what_is_not_warm_returns_to_the_full_path(
    variable: str,
    argv: list[str],
    remembered_project: dict[str, str],
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    environ = dict(remembered_project, **({variable: "1"} if variable else {}))
    assert _exec_calls(monkeypatch, project, environ, argv) == []


def test_a_terminal_is_not_warm(
    remembered_project: dict[str, str], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safepip.cli import warm

    calls: list[object] = []
    monkeypatch.setattr(os, "execve", lambda *a: calls.append(a))
    monkeypatch.setattr(warm, "_isatty", lambda fd: True)  # the full path may ask there
    monkeypatch.chdir(project)
    warm.exec_warm(remembered_project, ["install", "requests"])
    assert calls == []
