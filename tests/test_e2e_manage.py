"""End to end: uninstall, upgrade, list and where, across the .venv and pipx, on the
externally-managed Python; and safepip's own --help/--version."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from support import debian_pipx, pipx_env, pypi_pipx
from support.cli import run_safepip, venv_import, with_pipx


@pytest.fixture
def project(tmp_path: Path, clean_env: dict[str, str]) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "0"\n')
    result = run_safepip(["install", "fixlib==1.0", "fixhelper"], cwd=root, env=clean_env)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def pipx_env_(clean_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    pipx = debian_pipx() or pypi_pipx()
    if pipx is None:
        pytest.fail("no pipx installed (tests/run.sh installs Debian's)")
    env = pipx_env(clean_env, tmp_path / "pipx")
    env = with_pipx(env, pipx, tmp_path / "pipx-on-path")
    return env


def test_list_and_freeze_show_the_projects_venv(project: Path, clean_env: dict[str, str]) -> None:
    frozen = run_safepip(["freeze"], cwd=project, env=clean_env)
    assert frozen.returncode == 0
    assert "fixlib==1.0" in frozen.stdout.splitlines()
    assert "showing the project's .venv" in frozen.stderr
    direct = subprocess.run(
        [str(project / ".venv" / "bin" / "pip"), "freeze"],
        capture_output=True,
        text=True,
        env=clean_env,
        check=True,
    )
    assert frozen.stdout == direct.stdout  # pip's format, untouched
    listed = run_safepip(["list", "--format=json"], cwd=project, env=clean_env)
    assert {"name": "fixlib", "version": "1.0"} in json.loads(listed.stdout)


def test_list_outside_a_project_never_shows_the_systems_packages(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    folder = tmp_path / "home" / "elsewhere"
    folder.mkdir(parents=True)
    result = run_safepip(["list"], cwd=folder, env=clean_env)
    assert result.returncode == 0
    assert result.stdout == ""  # the system Python's own packages are not safepip's
    assert "safepip installed nothing here" in result.stderr  # tests/test_e2e_listings.py


def test_upgrade_in_the_venv(project: Path, clean_env: dict[str, str]) -> None:
    result = run_safepip(["install", "-U", "fixlib"], cwd=project, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert venv_import(project, "fixlib", clean_env) == "2.0"


def test_uninstall_from_the_venv(project: Path, clean_env: dict[str, str]) -> None:
    result = run_safepip(["uninstall", "-y", "fixlib"], cwd=project, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert "Successfully uninstalled fixlib-1.0" in result.stdout
    check = subprocess.run(
        [str(project / ".venv" / "bin" / "python"), "-c", "import fixlib"],
        capture_output=True,
        env=clean_env,
        check=False,
    )
    assert check.returncode != 0
    assert venv_import(project, "fixhelper", clean_env) == "1.0"  # the rest stays
    missing = run_safepip(["uninstall", "-y", "nothere"], cwd=project, env=clean_env)
    assert missing.returncode == 0
    assert "Skipping nothere" in missing.stderr
    assert "or with pipx." in missing.stderr and "pipx (plugins)" not in missing.stderr


def test_uninstall_and_upgrade_a_pipx_app(tmp_path: Path, pipx_env_: dict[str, str]) -> None:
    folder = tmp_path / "home" / "elsewhere"
    folder.mkdir(parents=True)
    installed = run_safepip(["install", "fixapp"], cwd=folder, env=pipx_env_, timeout=300)
    assert installed.returncode == 0, installed.stderr
    assert "with pipx" in installed.stderr
    where = run_safepip(["where", "--json", "fixapp"], cwd=folder, env=pipx_env_)
    assert json.loads(where.stdout) == {"fixapp": ["pipx"]}
    upgraded = run_safepip(["install", "-U", "fixapp"], cwd=folder, env=pipx_env_, timeout=300)
    assert upgraded.returncode == 0, upgraded.stderr
    # fixapp 1.0 is the newest the index has: nothing to upgrade, and the summary says so
    assert "nothing changed" in upgraded.stderr and "upgraded" not in upgraded.stderr
    refused = run_safepip(["uninstall", "fixapp"], cwd=folder, env=pipx_env_)
    assert refused.returncode == 1  # no terminal to confirm on, and no -y
    assert (Path(pipx_env_["PIPX_BIN_DIR"]) / "fixapp").exists()
    removed = run_safepip(["uninstall", "-y", "fixapp"], cwd=folder, env=pipx_env_)
    assert removed.returncode == 0, removed.stderr
    assert not (Path(pipx_env_["PIPX_BIN_DIR"]) / "fixapp").exists()


def test_a_name_in_two_homes_is_removed_from_one_and_the_other_named(
    project: Path, pipx_env_: dict[str, str]
) -> None:
    """fixapp in the project's .venv and with pipx: uninstall removes the .venv's and says the
    pipx copy is left; ``--pipx`` chooses that one; the same uninstall again removes the rest."""
    env = pipx_env_
    bin_dir = Path(env["PIPX_BIN_DIR"])
    for route in ("--venv", "--pipx"):
        done = run_safepip(["install", route, "fixapp"], cwd=project, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
    where = run_safepip(["where", "--json", "fixapp"], cwd=project, env=env)
    assert json.loads(where.stdout) == {"fixapp": [str(project / ".venv"), "pipx"]}
    first = run_safepip(["uninstall", "-y", "fixapp"], cwd=project, env=env)
    assert first.returncode == 0, first.stderr
    assert "fixapp is also installed with pipx: left as it is" in first.stderr
    assert not (project / ".venv" / "bin" / "fixapp").exists() and (bin_dir / "fixapp").exists()
    run_safepip(["install", "--venv", "fixapp"], cwd=project, env=env, timeout=300)
    chosen = run_safepip(["uninstall", "-y", "--pipx", "fixapp"], cwd=project, env=env)
    assert chosen.returncode == 0, chosen.stderr
    assert not (bin_dir / "fixapp").exists() and (project / ".venv" / "bin" / "fixapp").exists()
    assert "also installed" not in chosen.stderr


def test_no_deps_for_an_app_is_not_given_to_pipx(tmp_path: Path, pipx_env_: dict[str, str]) -> None:
    """``--no-deps`` with an application: pipx needs its dependencies (pipx 1.1 failed with
    "cannot find package ... metadata"); the app is installed and the line says so."""
    folder = tmp_path / "home" / "elsewhere"
    folder.mkdir(parents=True)
    done = run_safepip(["install", "--no-deps", "fixapp"], cwd=folder, env=pipx_env_, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "--no-deps is not given to pipx" in done.stderr
    assert (Path(pipx_env_["PIPX_BIN_DIR"]) / "fixapp").exists()


def test_help_and_version(tmp_path: Path, clean_env: dict[str, str]) -> None:
    helped = run_safepip(["--help"], cwd=tmp_path, env=clean_env)
    assert helped.returncode == 0
    assert "safepip explain" in helped.stdout and "safepip help" in helped.stdout
    version = run_safepip(["--version"], cwd=tmp_path, env=clean_env)
    assert version.returncode == 0
    first, second = version.stdout.splitlines()[:2]
    assert first.startswith("pip ")  # pip's line first, for scripts that parse it
    assert second.startswith("safepip ")
    pip_help = run_safepip(["help", "install"], cwd=tmp_path, env=clean_env)
    assert pip_help.returncode == 0 and "pip install [options]" in pip_help.stdout
