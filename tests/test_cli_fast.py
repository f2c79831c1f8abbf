"""The fast path's one check: an install into the active venv while the working directory is in
another project with its own ``.venv`` says so, once, naming both (issue 12)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from safepip.cli.fast import project_venv_elsewhere, wrong_venv_note


def fake_venv(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "pyvenv.cfg").write_text("home = /usr/bin\n")
    return path


def test_the_project_venv_found_upwards_unless_it_is_the_active_one(tmp_path: Path) -> None:
    home = tmp_path / "home"
    active = fake_venv(home / "a" / ".venv")
    other = fake_venv(home / "b" / ".venv")
    deep = home / "b" / "src" / "pkg"
    deep.mkdir(parents=True)
    environ = {"HOME": str(home), "VIRTUAL_ENV": str(active)}
    assert project_venv_elsewhere(environ, str(deep)) == str(other)
    assert project_venv_elsewhere({**environ, "VIRTUAL_ENV": str(other)}, str(deep)) is None
    (home / "link").symlink_to(other)
    assert project_venv_elsewhere({**environ, "VIRTUAL_ENV": str(home / "link")}, str(deep)) is None
    assert project_venv_elsewhere({"HOME": str(home)}, str(deep)) is None  # nothing active
    assert project_venv_elsewhere(environ, str(home / "a")) is None


def test_the_search_stops_at_a_checkout_root_and_at_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    fake_venv(tmp_path / ".venv")  # above home: never looked at
    active = fake_venv(tmp_path / "elsewhere" / ".venv")
    repo = home / "repo"
    (repo / ".git").mkdir(parents=True)
    fake_venv(home / ".venv")  # above the checkout: not this project's
    environ = {"HOME": str(home), "VIRTUAL_ENV": str(active)}
    assert project_venv_elsewhere(environ, str(repo)) is None
    plain = home / "plain"
    plain.mkdir()
    assert project_venv_elsewhere(environ, str(plain)) == str(home / ".venv")
    environ_no_home_venv = {"HOME": str(home / "plain"), "VIRTUAL_ENV": str(active)}
    assert project_venv_elsewhere(environ_no_home_venv, str(plain)) is None


def test_the_note_only_for_an_install(tmp_path: Path) -> None:
    active = fake_venv(tmp_path / "a" / ".venv")
    project = tmp_path / "b"
    fake_venv(project / ".venv")
    environ = {"HOME": str(tmp_path), "VIRTUAL_ENV": str(active)}
    note = wrong_venv_note(environ, str(project), ["install", "six"])
    assert note is not None
    assert str(active) in note and str(project / ".venv") in note
    assert "deactivate (or safepip --python .venv ...)" in note
    assert wrong_venv_note(environ, str(project), ["list"]) is None
    assert wrong_venv_note(environ, str(project), ["install", "-q", "six"]) is None


@pytest.mark.parametrize("how", ["fast path", "slow path"])
def test_install_goes_to_the_active_venv_and_says_so_once(
    how: str, clean_env: dict[str, str], managed_python: Path, tmp_path: Path
) -> None:
    """Through a real ``sh``: ``safepip install fixlib`` with project a's venv active, in
    project b, which has its own .venv. The fast path execs the venv's pip; a venv without pip
    takes the slow path (safepip's own pip with ``--python``)."""
    home = Path(clean_env["HOME"])
    active = home / "a" / ".venv"
    without = [] if how == "fast path" else ["--without-pip"]
    subprocess.run(
        [str(managed_python), "-m", "venv", *without, str(active)],
        check=True,
        env=clean_env,
    )
    project = home / "b"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "b"\nversion = "0"\n')
    subprocess.run(
        [str(managed_python), "-m", "venv", "--without-pip", str(project / ".venv")],
        check=True,
        env=clean_env,
    )
    env = dict(clean_env, VIRTUAL_ENV=str(active), PATH=f"{active}/bin:{clean_env['PATH']}")
    result = subprocess.run(
        ["sh", "-c", f'exec "{sys.executable}" -m safepip install fixlib'],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    expected = (
        f"safepip: installing into the active virtual environment {active}, not into this "
        f"project's {project / '.venv'}; for the project's: deactivate (or safepip --python "
        ".venv ...)"
    )
    assert result.stderr.count(expected) == 1, result.stderr
    assert list(active.glob("lib/python*/site-packages/fixlib"))
    assert not list((project / ".venv").glob("lib/python*/site-packages/fixlib"))
