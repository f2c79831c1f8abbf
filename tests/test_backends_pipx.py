"""safepip.pip.runx: the pure parts (pipx itself runs in the end-to-end tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from safepip.backends.pipx import pip_args_for_pipx
from safepip.backends.pipx_home import has_no_apps, pipx_has


@pytest.mark.parametrize(
    ("environ", "folder"),
    [
        ({}, ".local/pipx"),  # pipx 1.1 (Debian 12)
        ({}, ".local/share/pipx"),  # pipx 1.3 and later
        ({"XDG_DATA_HOME": "{home}/data"}, "data/pipx"),
        ({"PIPX_HOME": "{home}/elsewhere"}, "elsewhere"),
    ],
)
def test_pipx_has_finds_an_app_in_each_pipx_home(
    tmp_path: Path, environ: dict[str, str], folder: str
) -> None:
    environ = {k: v.format(home=tmp_path) for k, v in environ.items()}
    venv = tmp_path / folder / "venvs" / "black"
    venv.mkdir(parents=True)
    assert not pipx_has("black", environ, tmp_path)  # a folder without pipx's metadata
    (venv / "pipx_metadata.json").write_text("{}")
    assert pipx_has("black", environ, tmp_path)
    assert not pipx_has("ruff", environ, tmp_path)


def test_pipx_home_overrides_the_defaults(tmp_path: Path) -> None:
    venv = tmp_path / ".local" / "pipx" / "venvs" / "black"
    venv.mkdir(parents=True)
    (venv / "pipx_metadata.json").write_text("{}")
    assert not pipx_has("black", {"PIPX_HOME": str(tmp_path / "other")}, tmp_path)


def test_pip_args_for_pipx_keeps_index_options_only() -> None:
    tokens = [("--index-url", ("-i", "U")), ("--upgrade", ("-U",)), (None, ("x",))]
    assert pip_args_for_pipx(tokens) == ["-i", "U"]


def test_has_no_apps_only_when_no_pipx_home_has_an_app(tmp_path: Path) -> None:
    assert has_no_apps({}, tmp_path)
    venvs = tmp_path / ".local" / "share" / "pipx" / "venvs"
    venvs.mkdir(parents=True)
    assert has_no_apps({}, tmp_path)  # pipx ran once, but nothing is installed
    (venvs / "black").mkdir()
    assert not has_no_apps({}, tmp_path)
    assert has_no_apps({"PIPX_HOME": str(tmp_path / "other")}, tmp_path)
