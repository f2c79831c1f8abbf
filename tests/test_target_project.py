from __future__ import annotations

from pathlib import Path

import pytest

from safepip.target.project import MARKERS, find_project


@pytest.mark.parametrize("marker", [*MARKERS, "requirements-dev.txt"])
def test_each_marker_makes_a_project(tmp_path: Path, marker: str) -> None:
    home = tmp_path / "home"
    root = home / "proj"
    deep = root / "src" / "pkg"
    deep.mkdir(parents=True)
    (root / marker).mkdir() if marker == ".venv" else (root / marker).write_text("")
    project = find_project(deep, home)
    assert project is not None
    assert project.root == root
    assert project.marker == marker
    assert project.venv == root / ".venv"


def test_nearest_marker_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "setup.py").write_text("")
    project = find_project(inner, tmp_path / "elsewhere")
    assert project is not None and project.root == inner


def test_walk_stops_at_home(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")  # above home: must not be found
    home = tmp_path / "home"
    work = home / "downloads"
    work.mkdir(parents=True)
    assert find_project(work, home) is None


@pytest.mark.parametrize("marker", [".venv", "pyproject.toml", "requirements.txt", ".git"])
def test_the_home_folder_is_never_a_project(tmp_path: Path, marker: str) -> None:
    home = tmp_path / "home"
    (home / "a").mkdir(parents=True)
    (home / marker).mkdir() if marker.startswith(".") else (home / marker).write_text("")
    assert find_project(home / "a", home) is None
    assert find_project(home, home) is None


@pytest.mark.parametrize("checkout", [".git", ".hg"])
def test_a_checkout_root_is_a_project(tmp_path: Path, checkout: str) -> None:
    (tmp_path / "setup.py").write_text("")  # above the checkout: never reached
    repo = tmp_path / "repo"
    (repo / checkout).mkdir(parents=True)
    (repo / "docs").mkdir()
    project = find_project(repo / "docs", tmp_path / "home")
    assert project is not None and project.root == repo and project.marker == checkout


def test_outside_home_stops_at_root(tmp_path: Path) -> None:
    assert find_project(tmp_path, tmp_path / "nothome") is None


@pytest.mark.parametrize(
    ("name", "is_marker"),
    [
        ("requirements.txt", True),
        ("requirements-dev.txt", True),
        ("requirements_test.txt", True),
        ("requirements.txt.orig", False),
        ("requirements.in", False),
        ("dev-requirements.txt", False),
        ("Requirements.txt", False),
    ],
)
def test_which_requirements_files_make_a_project(
    tmp_path: Path, name: str, is_marker: bool
) -> None:
    """The glob ``requirements*.txt``, matched as pathlib's glob matches it (case-sensitive)."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / name).write_text("")
    found = find_project(root, tmp_path / "home")
    assert (found is not None and found.marker == name) is is_marker
    assert sorted(p.name for p in root.glob("requirements*.txt")) == ([name] if is_marker else [])


def test_a_dangling_marker_link_still_marks_a_project(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / ".venv").symlink_to(tmp_path / "gone")
    found = find_project(tmp_path / "proj", tmp_path / "home")
    assert found is not None and found.marker == ".venv"
