"""End to end: the right home for what people really type (issue 11): the home folder is no
project, a checkout is one, the project's declaration beats the user's global route, safepip
never rewrites the user's config, pip is an environment's own tool, libraries outside projects
go to the user environment, bundles bring their commands and plugins find their application."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from support.cli import run_safepip


def explain(args: list[str], cwd: Path, env: dict[str, str]) -> dict[str, object]:
    result = run_safepip(["explain", "--json", *args], cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def routes(args: list[str], cwd: Path, env: dict[str, str]) -> dict[str, str]:
    found = explain(args, cwd, env)["requirements"]
    assert isinstance(found, list)
    return {r["requirement"]: r["route"] for r in found}


def home(env: dict[str, str]) -> Path:
    return Path(env["HOME"])


def user_config(env: dict[str, str], text: str) -> Path:
    config = Path(env["XDG_CONFIG_HOME"]) / "safepip" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text)
    return config


# -- 1. the home folder is never a project; a checkout is one -----------------------------------


def test_a_venv_in_home_makes_no_project(clean_env: dict[str, str]) -> None:
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip", home(clean_env) / ".venv"])
    (home(clean_env) / "pyproject.toml").write_text("")
    work = home(clean_env) / "code" / "newproj"
    work.mkdir(parents=True)
    data = explain(["fixlib", "fixapp"], work, clean_env)
    assert data["project"] is None
    assert data["venv"] == str(work / ".venv")
    assert routes(["fixapp"], home(clean_env) / "code", clean_env) == {"fixapp": "pipx"}


@pytest.mark.parametrize("checkout", [".git", ".hg"])
def test_a_checkout_root_is_a_project(clean_env: dict[str, str], checkout: str) -> None:
    repo = home(clean_env) / "repo"
    (repo / checkout).mkdir(parents=True)
    (repo / "docs").mkdir()
    data = explain(["fixapp"], repo / "docs", clean_env)
    assert data["project"] == str(repo)
    assert data["venv"] == str(repo / ".venv")
    assert routes(["fixapp"], repo / "docs", clean_env) == {"fixapp": "venv"}


# -- 6. the project's declaration wins over the user's global route -----------------------------


def test_a_declared_dependency_is_not_sent_to_pipx_by_the_users_config(
    project: Path, clean_env: dict[str, str]
) -> None:
    (project / "requirements.txt").write_text("fixhelper\n")
    user_config(clean_env, 'default-route = "pipx"\n[routes]\nfixhelper = "pipx"\n')
    env = dict(clean_env, SAFEPIP_ROUTES="fixhelper=pipx")
    assert routes(["fixhelper", "fixapp"], project, env) == {"fixhelper": "venv", "fixapp": "pipx"}
    assert routes(["--pipx", "fixhelper"], project, env) == {"fixhelper": "pipx"}
    with (project / "pyproject.toml").open("a") as handle:
        handle.write('[tool.safepip.routes]\nfixhelper = "pipx"\n')
    assert routes(["fixhelper"], project, env) == {"fixhelper": "pipx"}


# -- 7. safepip never rewrites or loses the user's configuration -------------------------------


def test_a_broken_config_is_reported_once_and_kept(
    project: Path, clean_env: dict[str, str]
) -> None:
    text = "# my settings\nuse-uv = true\n[routes\nblack = 'pipx'\n"
    config = user_config(clean_env, text)
    result = run_safepip(["install", "fixlib"], cwd=project, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("is not valid TOML") == 1, result.stderr
    assert config.read_text() == text
    assert (project / ".venv" / "bin" / "python").exists()
