"""End to end: a folder of scripts is a project in the making. What its scripts import goes to
its .venv, whatever it is (here an application); what their PEP 723 blocks declare too; and
``--requirements-from-script`` installs a script's dependencies into the .venv with any pip,
or says clearly why it cannot (never an exit 0 having installed nothing)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from support.cli import run_safepip, venv_python

BLOCK = '# /// script\n# requires-python = "{python}"\n# dependencies = [{deps}]\n# ///\n'


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder of scripts under the test HOME, outside any project."""
    path = tmp_path / "home" / "work" / "demo"
    path.mkdir(parents=True)
    return path


def explain(names: list[str], cwd: Path, env: dict[str, str]) -> dict[str, dict[str, object]]:
    result = run_safepip(["explain", "--json", *names], cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr
    return {r["requirement"]: r for r in json.loads(result.stdout)["requirements"]}


def test_what_a_script_imports_goes_to_the_folders_venv(
    folder: Path, clean_env: dict[str, str]
) -> None:
    (folder / "analyse.py").write_text("import fixapp\nprint(fixapp.__version__)\n")
    found = explain(["fixapp", "fixgui"], folder, clean_env)
    assert found["fixapp"]["route"] == "venv"
    assert found["fixapp"]["reasons"] == ["analyse.py in this folder imports it (import fixapp)"]
    assert found["fixgui"]["route"] == "pipx"  # not imported: an application, as anywhere
    result = run_safepip(["install", "fixapp"], cwd=folder, env=clean_env)
    assert result.returncode == 0, result.stderr
    ran = subprocess.run(
        [str(venv_python(folder)), "analyse.py"], cwd=folder, capture_output=True, text=True
    )
    assert ran.stdout.strip() == "1.0", ran.stderr


def test_a_script_block_in_the_folder_declares(folder: Path, clean_env: dict[str, str]) -> None:
    (folder / "tool.py").write_text(BLOCK.format(python=">=3.9", deps='"fixapp"'))
    found = explain(["fixapp"], folder, clean_env)
    assert found["fixapp"]["route"] == "venv"
    assert found["fixapp"]["reasons"] == ["this folder declares it (tool.py's script block)"]


def test_requirements_from_script_installs_its_dependencies_into_the_venv(
    folder: Path, clean_env: dict[str, str]
) -> None:
    (folder / "tool.py").write_text(BLOCK.format(python=">=3.9", deps='"fixlib", "fixapp"'))
    result = run_safepip(
        ["install", "--requirements-from-script", "tool.py"], cwd=folder, env=clean_env
    )
    assert result.returncode == 0, result.stderr
    assert "installed --requirements-from-script tool.py into a new virtual environment" in (
        result.stderr
    )
    assert "fixapp 1.0" in result.stderr and "fixlib 2.0" in result.stderr
    assert (folder / ".venv" / "bin" / "fixapp").exists()  # a script's dependency: the .venv


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("print('no block')\n", "has no inline script metadata"),
        (BLOCK.format(python=">=99", deps='"fixlib"'), "requires Python >=99"),
        (BLOCK.format(python=">=3.9", deps='"fixlib'), "is not valid TOML"),
    ],
    ids=["no-block", "python", "not-toml"],
)
def test_a_script_that_cannot_be_installed_from_is_refused_before_anything(
    folder: Path, clean_env: dict[str, str], text: str, said: str
) -> None:
    (folder / "tool.py").write_text(text)
    result = run_safepip(
        ["install", "--requirements-from-script", "tool.py"], cwd=folder, env=clean_env
    )
    assert result.returncode == 1, result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr
    assert not (folder / ".venv").exists()


def test_a_script_that_declares_nothing_says_so(folder: Path, clean_env: dict[str, str]) -> None:
    (folder / "tool.py").write_text(BLOCK.format(python=">=3.9", deps=""))
    result = run_safepip(
        ["install", "--requirements-from-script", "tool.py"], cwd=folder, env=clean_env
    )
    assert result.returncode == 0, result.stderr
    assert "tool.py declares no dependencies: nothing to install" in result.stderr
    assert not (folder / ".venv").exists()
