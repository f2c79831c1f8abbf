"""safepip.cli.early: which command lines start the probe before the full path is imported."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from safepip.cli import early
from safepip.target import project_root, questions


@pytest.fixture(autouse=True)
def no_early_left() -> object:
    questions._early.clear()
    yield
    for _, started in questions._early.values():
        started.abandon()
    questions._early.clear()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["install", "black"], True),
        (["-v", "install", "-r", "requirements.txt"], True),
        (["install", "--upgrade", "black"], True),
        (["install"], False),
        (["install", "--help"], False),
        (["--python", "/usr/bin/python3", "install", "black"], False),
        (["--python=/usr/bin/python3", "install", "black"], False),
        (["list"], False),
        (["explain", "black"], False),
        ([], False),
    ],
)
def test_which_command_lines_name_packages(argv: list[str], expected: bool) -> None:
    assert early._names_packages(argv) is expected


def python_on_path(tmp_path: Path) -> dict[str, str]:
    """A PATH whose python3 is this one (a link), in a HOME of its own."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "python3").symlink_to(sys.executable)
    return {"PATH": str(folder), "HOME": str(tmp_path / "home")}


def test_a_cold_cache_starts_the_probe_once(tmp_path: Path) -> None:
    environ = python_on_path(tmp_path)
    early.ask_early(["install", "six"], environ, "/nonexistent/python")
    assert list(questions._early) == [str(tmp_path / "bin" / "python3")]
    early.ask_early(["install", "six"], environ, "/nonexistent/python")
    assert len(questions._early) == 1


@pytest.mark.parametrize(
    "variable", ["VIRTUAL_ENV", "CONDA_PREFIX", "SAFEPIP_PYTHON", "PIP_AUTO_COMPLETE"]
)
def test_another_target_starts_nothing(tmp_path: Path, variable: str) -> None:
    environ = dict(python_on_path(tmp_path), **{variable: str(tmp_path)})
    early.ask_early(["install", "six"], environ, "/nonexistent/python")
    assert questions._early == {}


def test_a_cached_answer_starts_nothing(tmp_path: Path) -> None:
    from safepip.environment import Environment
    from safepip.target.interpreter import probe

    environ = python_on_path(tmp_path)
    python = str(tmp_path / "bin" / "python3")
    probe(python, Environment(environ=environ, cwd=tmp_path))  # fills the cache
    early.ask_early(["install", "six"], environ, "/nonexistent/python")
    assert questions._early == {}


def test_the_tags_hint_is_the_project_rule(tmp_path: Path) -> None:
    home = tmp_path / "home"
    project = home / "proj" / "src"
    project.mkdir(parents=True)
    (home / "proj" / "pyproject.toml").write_text("")
    elsewhere = home / "downloads"
    elsewhere.mkdir()
    assert project_root.may_look_up(False, str(project), str(home)) is False
    assert project_root.may_look_up(False, str(elsewhere), str(home)) is True
    assert project_root.may_look_up(True, str(project), str(home)) is True


def test_a_venvs_python_first_on_path_starts_nothing(tmp_path: Path) -> None:
    """A venv's python is never probed (pip works there): nothing to start early."""
    environ = python_on_path(tmp_path)
    (tmp_path / "pyvenv.cfg").write_text("home = /usr/bin\n")  # bin/'s parent is a venv
    early.ask_early(["install", "six"], environ, "/nonexistent/python")
    assert questions._early == {}
