"""Where libraries go to the user environment rather than a new .venv
(safepip.target.user_place)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from safepip.target.user_place import user_env_path, why_user_env


def test_the_user_environment_is_in_safepips_data_folder(tmp_path: Path) -> None:
    assert user_env_path(tmp_path / "share" / "safepip") == tmp_path / "share/safepip/user-env"


def test_home_system_and_shared_folders(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    assert "home folder" in (why_user_env(home, home) or "")
    for folder in ("/", "/usr", "/usr/share", "/etc", "/var/lib", "/opt", "/srv"):
        assert "operating system" in (why_user_env(Path(folder), home) or ""), folder
    assert "shared by all" in (why_user_env(Path("/tmp"), home) or "")
    ordinary = home / "code" / "new"
    ordinary.mkdir(parents=True)
    assert why_user_env(ordinary, home) is None
    assert why_user_env(home / "missing", home) is None


def test_a_folder_the_user_does_not_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "theirs"
    folder.mkdir()
    monkeypatch.setattr(os, "geteuid", lambda: folder.stat().st_uid + 1)
    assert "you do not own" in (why_user_env(folder, tmp_path / "home") or "")
    monkeypatch.setattr(os, "geteuid", lambda: folder.stat().st_uid)
    assert why_user_env(folder, tmp_path / "home") is None
