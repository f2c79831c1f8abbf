"""pip's contract, kept where scripts depend on it (issue 17): exit codes, the version asked for,
listings of the right environment, summaries that say what happened. Each test runs the real
``safepip`` command on the real externally-managed Python, as a script would, and reads its exit
status and output."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from support import APP, PackageIndex, build_wheel
from support.cli import run_safepip, with_pipx
from support.machine import make_clean_env
from support.pipx import debian_pipx, pipx_env, pypi_pipx


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "home" / "scratch"
    folder.mkdir(parents=True)
    return folder


@pytest.mark.parametrize(
    "before",
    [["-v"], ["-q"], ["--isolated"], ["--python", "/usr/bin/python3"], ["--no-color", "-v"]],
)
def test_own_commands_after_pips_general_options(
    before: list[str], project: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    explained = run_safepip([*before, "explain", "--json", "fixlib"], cwd=project, env=clean_env)
    assert explained.returncode == 0, explained.stderr
    assert json.loads(explained.stdout)["requirements"][0]["route"] == "venv"
    where = run_safepip([*before, "where", "fixlib"], cwd=project, env=clean_env)
    assert "unknown command" not in where.stderr
    assert where.stdout.strip() == "fixlib: not installed" and where.returncode == 1


def test_version_prints_pips_line_first(outside: Path, clean_env: dict[str, str]) -> None:
    result = run_safepip(["--version"], cwd=outside, env=clean_env)
    assert result.returncode == 0
    first, second = result.stdout.splitlines()
    assert first.split()[0] == "pip" and first.split()[1][0].isdigit()
    assert second.startswith("safepip ")


def test_install_and_uninstall_naming_nothing_are_pips_usage_errors(
    project: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    installed = run_safepip(["install"], cwd=project, env=clean_env)
    assert installed.returncode != 0
    assert "You must give at least one requirement to install" in installed.stderr
    assert not (project / ".venv").exists()
    for args in (["uninstall"], ["uninstall", ""]):
        removed = run_safepip(args, cwd=project, env=clean_env)
        assert removed.returncode != 0, args


def test_dry_run_exits_as_pip_does(
    project: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    missing = run_safepip(["install", "--dry-run", "fixlib==99"], cwd=project, env=clean_env)
    assert missing.returncode == 1, missing.stderr
    assert "fixlib==99" in missing.stderr
    fine = run_safepip(["install", "--dry-run", "fixlib"], cwd=project, env=clean_env)
    assert fine.returncode == 0, fine.stderr
    assert "Would install fixlib-2.0" in fine.stdout
    assert not (project / ".venv").exists()


def test_pips_usage_error_status_comes_back(
    project: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    result = run_safepip(["install", "--timeout", "abc", "fixlib"], cwd=project, env=clean_env)
    assert result.returncode == 2, result.stderr
    assert not (project / ".venv").exists()


def test_summaries_say_what_happened(
    project: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    first = run_safepip(["install", "fixlib==1.0"], cwd=project, env=clean_env)
    assert first.returncode == 0, first.stderr
    assert "fixlib 1.0" in first.stderr
    assert "pipx instead" not in first.stderr  # a library: pipx could not install it
    again = run_safepip(["install", "fixlib==1.0"], cwd=project, env=clean_env)
    assert again.returncode == 0
    assert "already installed" in again.stderr and "nothing changed" in again.stderr
    upgraded = run_safepip(["install", "-U", "fixlib"], cwd=project, env=clean_env)
    assert "fixlib 1.0 -> 2.0" in upgraded.stderr, upgraded.stderr


def test_a_requirement_ignored_by_its_marker_leaves_no_venv(
    project: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    result = run_safepip(["install", 'fixlib; python_version < "3"'], cwd=project, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert "nothing to install" in result.stderr
    assert not (project / ".venv").exists()


def test_listing_an_unusable_venv_fails_instead_of_listing_the_system(
    project: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    subprocess.run(
        [str(managed_python), "-m", "venv", "--without-pip", str(project / ".venv")], check=True
    )
    frozen = run_safepip(["freeze"], cwd=project, env=clean_env)
    assert frozen.returncode != 0 and frozen.stdout == ""
    assert "cannot be shown" in frozen.stderr
    named = run_safepip(["--python", str(managed_python), "freeze"], cwd=project, env=clean_env)
    assert named.returncode == 0 and "showing the project's" not in named.stderr


def test_listing_a_project_without_venv_fails(project: Path, clean_env: dict[str, str]) -> None:
    listed = run_safepip(["list"], cwd=project, env=clean_env)
    assert listed.returncode != 0 and listed.stdout == ""
    assert "has no .venv yet" in listed.stderr


def test_pips_completion_reaches_pip(outside: Path, clean_env: dict[str, str]) -> None:
    env = dict(clean_env, PIP_AUTO_COMPLETE="1", COMP_WORDS="pip unins", COMP_CWORD="1")
    result = run_safepip([], cwd=outside, env=env)
    assert result.stdout.split() == ["uninstall"]


@pytest.fixture
def two_versions(tmp_path: Path, make_index: Callable[..., PackageIndex]) -> PackageIndex:
    dists = tmp_path / "dists"
    dists.mkdir()
    made = [
        build_wheel(
            dists, "fixtool", version, console_scripts={"fixtool": "fixtool:main"}, about=APP
        )
        for version in ("1.0", "2.0")
    ]
    return make_index(*made)


@pytest.mark.parametrize("which", ["debian", "pypi"])
def test_the_version_asked_for_an_app_is_honoured(
    which: str, outside: Path, tmp_path: Path, two_versions: PackageIndex
) -> None:
    pipx = debian_pipx() if which == "debian" else pypi_pipx()
    if pipx is None:
        pytest.fail(f"no {which} pipx (tests/run.sh provides both)")
    env = with_pipx(
        pipx_env(make_clean_env(tmp_path / "home", two_versions.url), tmp_path / "pipx"),
        pipx,
        tmp_path / "pipx-bin",
    )
    first = run_safepip(["install", "fixtool"], cwd=outside, env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    down = run_safepip(["install", "fixtool==1.0"], cwd=outside, env=env, timeout=300)
    assert down.returncode == 0, down.stderr
    assert "downgraded fixtool from 2.0 to 1.0" in down.stderr
    (metadata,) = tmp_path.glob("**/venvs/fixtool/pipx_metadata.json")
    data = json.loads(metadata.read_text())
    assert data["main_package"]["package_version"] == "1.0"
    up = run_safepip(["install", "-U", "fixtool"], cwd=outside, env=env, timeout=300)
    assert "upgraded fixtool from 1.0 to 2.0" in up.stderr, up.stderr
    same = run_safepip(["install", "-U", "fixtool"], cwd=outside, env=env, timeout=300)
    assert "upgraded" not in same.stderr and "nothing changed" in same.stderr


def test_hints_are_quoted_for_the_shell(
    outside: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    pipx = debian_pipx() or pypi_pipx()
    if pipx is None:
        pytest.fail("no pipx installed")
    env = with_pipx(pipx_env(clean_env, tmp_path / "pipx"), pipx, tmp_path / "pipx-bin")
    result = run_safepip(["install", "fixapp>=1"], cwd=outside, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"safepip install --venv {shlex.quote('fixapp>=1')}" in result.stderr
    assert os.path.isdir(tmp_path / "pipx")


def test_quiet_quiets_the_backends_too(
    outside: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    pipx = debian_pipx() or pypi_pipx()
    if pipx is None:
        pytest.fail("no pipx installed")
    env = with_pipx(pipx_env(clean_env, tmp_path / "pipx"), pipx, tmp_path / "pipx-bin")
    loud = run_safepip(["install", "fixgui"], cwd=outside, env=env, timeout=300)
    assert loud.returncode == 0 and "fixgui" in loud.stdout, loud.stderr
    quiet = run_safepip(["-q", "install", "fixapp"], cwd=outside, env=env, timeout=300)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == "" and "safepip:" not in quiet.stderr
    assert "creating virtual environment" not in quiet.stderr  # pipx 1.1's progress, held
    assert (Path(env["PIPX_BIN_DIR"]) / "fixapp").exists()


def test_show_outside_a_project_shows_the_pipx_app(
    outside: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    pipx = debian_pipx() or pypi_pipx()
    if pipx is None:
        pytest.fail("no pipx installed")
    env = with_pipx(pipx_env(clean_env, tmp_path / "pipx"), pipx, tmp_path / "pipx-bin")
    assert run_safepip(["install", "fixapp"], cwd=outside, env=env, timeout=300).returncode == 0
    shown = run_safepip(["show", "fixapp"], cwd=outside, env=env)
    assert shown.returncode == 0, shown.stderr
    assert "Name: fixapp" in shown.stdout and "Version: 1.0" in shown.stdout
    assert "pipx app's environment" in shown.stderr


@pytest.mark.parametrize("opt_out", ["variable", "config"])
def test_explain_and_install_share_pips_opt_outs(
    opt_out: str, project: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    env = dict(clean_env)
    if opt_out == "variable":
        env["PIP_BREAK_SYSTEM_PACKAGES"] = "1"
    else:
        config = tmp_path / "pip.conf"
        config.write_text("[global]\nbreak-system-packages = true\n")
        env["PIP_CONFIG_FILE"] = str(config)
    explained = run_safepip(["explain", "--json", "fixlib"], cwd=project, env=env)
    assert explained.returncode == 0, explained.stderr
    assert json.loads(explained.stdout)["requirements"][0]["route"] == "pip"
    dry = run_safepip(["install", "--dry-run", "fixlib"], cwd=project, env=env)
    assert "would install" not in dry.stderr  # passed through to pip, as explain says
