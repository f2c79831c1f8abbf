"""safepip.programs: ``which`` finds what :func:`shutil.which` finds, without importing it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from safepip import programs
from safepip.programs import which


def program(folder: Path, name: str, mode: int = 0o755) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n")
    path.chmod(mode)
    return path


def test_the_first_executable_on_path_wins(tmp_path: Path) -> None:
    program(tmp_path / "a", "tool", 0o644)  # not executable: passed over
    (tmp_path / "b" / "tool").mkdir(parents=True)  # a folder of that name: passed over
    found = program(tmp_path / "c", "tool")
    program(tmp_path / "d", "tool")
    path = os.pathsep.join(str(tmp_path / d) for d in "abcd")
    assert which("tool", path) == str(found) == shutil.which("tool", path=path)
    assert which("missing", path) is None is shutil.which("missing", path=path)


def test_a_command_with_a_folder_is_itself(tmp_path: Path) -> None:
    found = program(tmp_path / "x", "tool")
    assert which(str(found), "/nonexistent") == str(found)
    assert which(str(tmp_path / "x" / "other"), str(tmp_path / "x")) is None


def test_an_empty_path_entry_is_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program(tmp_path, "here")
    monkeypatch.chdir(tmp_path)
    assert which("here", os.pathsep + "/nonexistent") == os.path.join(os.curdir, "here")


def test_this_machines_sh_as_shutil_finds_it() -> None:
    path = os.environ.get("PATH", os.defpath)
    assert which("sh", path) == shutil.which("sh", path=path) is not None


def test_system_programs_come_from_root_owned_system_folders_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safepip.programs import system_folders, system_program

    fake = program(tmp_path / "bin", "git")
    monkeypatch.setenv("PATH", str(fake.parent))
    folders = system_folders()
    assert str(tmp_path / "bin") not in folders
    for folder in folders:
        info = os.stat(folder)
        assert info.st_uid == 0 and not info.st_mode & 0o022, folder
    found = system_program("git")
    if shutil.which("git", path=os.pathsep.join(folders)) is None:
        assert found is None
    else:
        assert found is not None and os.path.dirname(found) in folders
    assert system_program("surely-no-such-program") is None


def test_elsewhere_lists_the_same_command_in_other_folders_and_which_comes_first(
    tmp_path: Path,
) -> None:
    apps, system, other = tmp_path / "apps", tmp_path / "system", tmp_path / "other"
    for folder in (apps, system, other):
        folder.mkdir()
        tool = folder / "tool"
        tool.write_text("#!/bin/sh\n")
        tool.chmod(0o755)
    path = os.pathsep.join([str(system), str(apps), str(other)])
    found = programs.elsewhere("tool", path, str(apps))
    assert found == [str(system / "tool"), str(other / "tool")]
    assert programs.elsewhere("absent", path, str(apps)) == []
    assert not programs.comes_first(str(apps), str(system / "tool"), path)
    assert programs.comes_first(str(apps), str(other / "tool"), path)
    assert not programs.comes_first(str(tmp_path / "not-on-path"), str(other / "tool"), path)
