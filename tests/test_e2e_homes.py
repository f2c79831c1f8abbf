"""End to end: the right home for what people really type (issue 11): the home folder is no
project, a checkout is one, the project's declaration beats the user's global route, safepip
never rewrites the user's config, pip is an environment's own tool, libraries outside projects
go to the user environment, bundles bring their commands and plugins find their application."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support import PackageIndex, build_wheel, debian_pipx, pipx_env, pypi_pipx
from support.cli import run_safepip, some_pipx, with_pipx


def explain(args: list[str], cwd: Path, env: dict[str, str]) -> dict[str, Any]:
    result = run_safepip(["explain", "--json", *args], cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
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


def test_an_apps_summary_offers_the_venv_that_would_really_be_used(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    """In the home folder ``--venv`` means the user environment, in an ordinary folder a new
    .venv there: the app's summary says which (it said "the project's .venv" everywhere)."""
    env = some_pipx(clean_env, tmp_path)
    result = run_safepip(["install", "fixapp"], cwd=home(env), env=env)
    assert result.returncode == 0, result.stderr
    assert "into your user environment instead: safepip install --venv fixapp" in result.stderr
    folder = home(env) / "somewhere"
    folder.mkdir()
    run_safepip(["uninstall", "-y", "fixapp"], cwd=folder, env=env)
    result = run_safepip(["install", "fixapp"], cwd=folder, env=env)
    assert "into a new .venv here instead: safepip install --venv fixapp" in result.stderr, (
        result.stderr
    )


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
    # as in any project: its libraries go to its .venv, an undeclared application stays out
    found = routes(["fixhelper", "fixapp"], repo / "docs", clean_env)
    assert found == {"fixhelper": "venv", "fixapp": "pipx"}


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


def test_a_default_route_of_pipx_sends_a_library_where_it_can_work(
    project: Path, clean_env: dict[str, str]
) -> None:
    """default-route = "pipx" and a package with no commands: pipx would refuse it ("No apps
    associated"), so it goes to the .venv, and the summary says why (issue 30)."""
    user_config(clean_env, 'default-route = "pipx"\n')
    result = run_safepip(["install", "fixlib"], cwd=project, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert "asks for pipx, but fixlib puts no commands on PATH" in result.stderr
    assert (project / ".venv").is_dir()
    assert routes(["fixapp"], project, clean_env) == {"fixapp": "pipx"}


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


# -- 2. the user environment ---------------------------------------------------------------------


def user_env(env: dict[str, str]) -> Path:
    return Path(env["XDG_DATA_HOME"]) / "safepip" / "user-env"


def test_a_library_in_the_home_folder_goes_to_the_user_environment(
    clean_env: dict[str, str],
) -> None:
    here, env = home(clean_env), dict(clean_env, SHELL="/bin/bash")
    result = run_safepip(["install", "fixlib==1.0"], cwd=here, env=env)
    assert result.returncode == 0, result.stderr
    venv = user_env(env)
    assert "your new user environment" in result.stderr and "home folder" in result.stderr
    told = (f"source {venv}/bin/activate", f"ENV VIRTUAL_ENV={venv}")  # root, no terminal: ENV
    assert any(line in result.stderr for line in told), result.stderr
    assert not (here / ".venv").exists()
    assert "include-system-site-packages = true" in (venv / "pyvenv.cfg").read_text()
    check = "import fixlib, venv; print(fixlib.__version__)"  # venv: a system module
    shown = subprocess.run([venv / "bin" / "python", "-c", check], capture_output=True, text=True)
    assert shown.stdout.strip() == "1.0"
    where = run_safepip(["where", "fixlib"], cwd=here, env=env)
    assert where.stdout == f"fixlib: {venv}\n"
    listed = run_safepip(["list"], cwd=here, env=env)
    assert "fixlib" in listed.stdout and "user environment" in listed.stderr
    frozen = run_safepip(["freeze", "--user"], cwd=here / ".config", env=env)
    assert "fixlib==1.0" in frozen.stdout, frozen.stderr
    gone = run_safepip(["uninstall", "-y", "fixlib"], cwd=here, env=env)
    assert gone.returncode == 0, gone.stderr
    assert "fixlib" not in run_safepip(["list"], cwd=here, env=env).stdout


@pytest.mark.parametrize(
    "folder", ["/", "/usr", "/usr/share", "/etc", "/var", "/opt", "/srv", "/tmp"]
)
def test_system_and_foreign_folders_use_the_user_environment(
    clean_env: dict[str, str], folder: str
) -> None:
    listed = explain(["fixlib", "fixapp"], Path(folder), clean_env)["requirements"]
    assert isinstance(listed, list)
    found = {r["requirement"]: r for r in listed}
    assert found["fixlib"]["route"] == "venv"
    assert found["fixlib"]["environment"] == str(user_env(clean_env))
    assert found["fixapp"]["route"] == "pipx"
    assert explain(["fixlib"], Path(folder), clean_env)["venv"] == str(user_env(clean_env))


def test_doctor_and_explain_name_the_user_environment_where_no_project_starts(
    clean_env: dict[str, str],
) -> None:
    """In /tmp the install goes to the user environment: doctor and explain say so (they named
    /tmp/.venv); explain says once why it redirects at all, and -v names the interpreter."""
    doctor = run_safepip(["doctor", "--json"], cwd=Path("/tmp"), env=clean_env)
    project = json.loads(doctor.stdout)["project"]
    assert project["venv"] == str(user_env(clean_env)), project
    assert "shared by all users" in project["user_env"]
    text = run_safepip(["doctor"], cwd=Path("/tmp"), env=clean_env).stdout
    assert "/tmp/.venv" not in text and f"user env      {user_env(clean_env)}" in text, text
    said = run_safepip(["-v", "explain", "fixlib"], cwd=Path("/tmp"), env=clean_env)
    assert said.returncode == 0, said.stderr
    assert said.stderr.count("is externally managed (PEP 668)") == 1, said.stderr
    assert "target interpreter: " in said.stderr
    inside = run_safepip(["explain", "fixlib"], cwd=home(clean_env), env=clean_env)
    assert "is externally managed (PEP 668)" in inside.stderr


def test_an_ordinary_folder_outside_a_project_gets_its_own_venv(
    clean_env: dict[str, str],
) -> None:
    work = home(clean_env) / "newproj"
    work.mkdir()
    listed = explain(["fixlib"], work, clean_env)["requirements"]
    assert isinstance(listed, list)
    assert listed[0]["environment"] == str(work / ".venv")


def test_user_goes_to_the_user_environment_even_in_a_project(
    project: Path, clean_env: dict[str, str]
) -> None:
    result = run_safepip(["install", "--user", "fixlib"], cwd=project, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert "--user asks for it" in result.stderr
    assert (user_env(clean_env) / "bin" / "python").exists()
    assert not (project / ".venv").exists()


# -- 3. pip, setuptools and wheel are an environment's own tools ---------------------------------


def test_upgrading_pip_in_a_project_upgrades_the_venvs(
    project: Path, clean_env: dict[str, str]
) -> None:
    result = run_safepip(["install", "-U", "pip", "setuptools"], cwd=project, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert "pipx" not in result.stderr
    assert (project / ".venv" / "bin" / "pip").exists()
    assert "own tool" in run_safepip(["explain", "pip"], cwd=project, env=clean_env).stdout


def test_upgrading_pip_outside_a_project_names_the_distributions_command(
    clean_env: dict[str, str],
) -> None:
    work = home(clean_env) / "somewhere"
    work.mkdir()
    result = run_safepip(["install", "-U", "pip"], cwd=work, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert "belongs to the distribution" in result.stderr
    assert "apt install --only-upgrade python3-pip" in result.stderr
    assert "pipx" not in result.stderr.replace("python3-pip", "")
    assert not (work / ".venv").exists()
    data = explain(["pip", "wheel"], work, clean_env)
    found = data["requirements"]
    assert isinstance(found, list)
    assert {r["environment"] for r in found} == {str(user_env(clean_env))}
    # the user environment's pip was upgraded, or the pip a new one gets is already current
    # (then none is made for nothing)
    assert (
        re.search(r"pip [0-9.]+ -> [0-9.]+", result.stderr)
        or "already installed" in result.stderr
        or "nothing to install for pip (already satisfied" in result.stderr
    )


# -- 4. bundles bring their commands; 5. plugins find their application --------------------------


@pytest.fixture
def bundles(make_index: Callable[..., PackageIndex], tmp_path: Path) -> PackageIndex:
    dists = tmp_path / "bundle-dists"
    return make_index(
        # ansible-like: a command of its own, the ones users want in fixbundle-core
        build_wheel(
            dists,
            "fixbundle",
            console_scripts={"fixbundle-community": "fixbundle:main"},
            requires=["fixbundle-core"],
        ),
        build_wheel(
            dists,
            "fixbundle-core",
            console_scripts={
                "fixbundle-play": "fixbundle_core:play",
                "fixbundle": "fixbundle_core:main",
            },
        ),
        # httpie-jwt-auth-like: a library named after the application it requires
        build_wheel(dists, "fixapp-plugin", requires=["fixapp>=1"]),
        # named like a plugin, but of a library: just a library
        build_wheel(dists, "fixlib-extra", requires=["fixlib"]),
    )


PIPXES = {"debian": debian_pipx, "pypi": pypi_pipx}


def pipx_for(name: str, env: dict[str, str], root: Path) -> dict[str, str]:
    pipx = PIPXES[name]()
    if pipx is None:
        pytest.fail(f"no {name} pipx here (tests/run.sh provides both)")
    return with_pipx(pipx_env(env, root / "pipx"), pipx, root / "pipx-on-path")


def test_explain_names_bundles_and_plugins(
    bundles: PackageIndex, clean_env: dict[str, str], project: Path
) -> None:
    env = dict(clean_env, PIP_INDEX_URL=bundles.url)
    listed = explain(["fixbundle", "fixapp-plugin", "fixlib-extra"], home(env), env)
    found = {r["requirement"]: r for r in listed["requirements"]}
    bundle, plugin, lib = found["fixbundle"], found["fixapp-plugin"], found["fixlib-extra"]
    assert bundle["route"] == "pipx" and bundle["commands_from"] == "fixbundle-core"
    assert {"fixbundle-community", "fixbundle-play", "fixbundle"} <= set(bundle["commands"])
    assert plugin["route"] == "pipx" and plugin["inject_into"] == "fixapp"
    assert plugin["environment"].endswith("/venvs/fixapp")
    assert "plugin of fixapp" in plugin["reasons"][0]
    assert lib["route"] == "venv" and "inject_into" not in lib
    inside = explain(["fixapp-plugin"], project, env)["requirements"]
    assert inside[0]["route"] == "venv"
    forced = explain(["--venv", "fixapp-plugin"], home(env) / ".config", env)["requirements"]
    assert forced[0]["route"] == "venv"


@pytest.mark.parametrize("which", ["debian", "pypi"])
def test_a_bundle_puts_its_dependencys_commands_on_path(
    bundles: PackageIndex, clean_env: dict[str, str], tmp_path: Path, which: str
) -> None:
    env = pipx_for(which, dict(clean_env, PIP_INDEX_URL=bundles.url), tmp_path)
    result = run_safepip(["install", "fixbundle"], cwd=home(env), env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    bin_dir = Path(env["PIPX_BIN_DIR"])
    for command in ("fixbundle-community", "fixbundle-play", "fixbundle"):
        assert (bin_dir / command).exists(), (command, result.stderr)
    ran = subprocess.run([bin_dir / "fixbundle-play"], capture_output=True, text=True)
    assert ran.stdout.strip() == "fixbundle-play 1.0"


@pytest.mark.parametrize("which", ["debian", "pypi"])
def test_a_plugin_goes_into_its_applications_pipx_venv(
    bundles: PackageIndex, clean_env: dict[str, str], tmp_path: Path, which: str
) -> None:
    env = pipx_for(which, dict(clean_env, PIP_INDEX_URL=bundles.url), tmp_path)
    venv = Path(env["PIPX_HOME"]) / "venvs" / "fixapp"
    # the application is not installed yet: the two become one pipx app
    first = run_safepip(["install", "fixapp-plugin"], cwd=home(env), env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "pipx install fixapp and pipx inject fixapp fixapp-plugin" in first.stderr
    check = [str(venv / "bin" / "python"), "-c", "import fixapp_plugin, fixapp"]
    assert subprocess.run(check).returncode == 0
    assert (Path(env["PIPX_BIN_DIR"]) / "fixapp").exists()
    where = run_safepip(["where", "fixapp-plugin"], cwd=home(env), env=env)
    assert "pipx" in where.stdout, where.stderr
    gone = run_safepip(["uninstall", "-y", "fixapp-plugin"], cwd=home(env), env=env)
    assert gone.returncode == 0, gone.stderr
    assert subprocess.run(check).returncode != 0
    assert (Path(env["PIPX_BIN_DIR"]) / "fixapp").exists()  # the application stays
    metadata = json.loads((venv / "pipx_metadata.json").read_text())
    assert metadata["injected_packages"] == {}  # pipx's reinstall will not bring it back
    # the application is there: the plugin is injected into it
    again = run_safepip(["install", "fixapp-plugin"], cwd=home(env), env=env, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "(pipx inject fixapp fixapp-plugin)" in again.stderr
    assert subprocess.run(check).returncode == 0


# -- the shared table and the real index --------------------------------------------------------

HOMES = Path(__file__).resolve().parents[2] / "shared" / "cases" / "homes.tsv"


def pypi_env(home_folder: Path) -> dict[str, str]:
    """A fresh user on this machine, with the real index and Debian's pipx on PATH."""
    home_folder.mkdir(parents=True, exist_ok=True)
    path = f"{home_folder / '.local' / 'bin'}:/usr/bin:/bin"
    return {
        "PATH": path,
        "HOME": str(home_folder),
        "PIP_CONFIG_FILE": os.devnull,
        "LANG": "C.UTF-8",
    }


@pytest.mark.network
@pytest.mark.skipif(not HOMES.exists(), reason="shared/ is not beside the checkout")
def test_shared_homes_table_with_real_pypi(tmp_path: Path) -> None:
    with HOMES.open(newline="") as handle:
        rows = {r["package"]: r for r in csv.DictReader(handle, delimiter="\t")}
    env = pypi_env(tmp_path / "home")
    outside, inside = tmp_path / "home" / "somewhere", tmp_path / "home" / "proj"
    outside.mkdir()
    inside.mkdir()
    (inside / "pyproject.toml").write_text("")
    found = {r["requirement"]: r for r in explain(list(rows), outside, env)["requirements"]}
    for name, row in rows.items():
        assert found[name]["route"] == row["outside_route"], (name, found[name])
        if row["outside_must_name"] != "-":
            assert row["outside_must_name"] in json.dumps(found[name]), (name, found[name])
    assert {r["route"] for r in explain(list(rows), inside, env)["requirements"]} == {"venv"}


@pytest.mark.network
def test_ansible_and_mkdocs_material_work_after_one_install(tmp_path: Path) -> None:
    env = pypi_env(tmp_path / "home")
    result = run_safepip(
        ["install", "ansible", "mkdocs-material"], cwd=Path(env["HOME"]), env=env, timeout=900
    )
    assert result.returncode == 0, result.stderr
    bin_dir = Path(env["HOME"]) / ".local" / "bin"
    for command in (["ansible-playbook", "--version"], ["mkdocs", "--version"]):
        ran = subprocess.run(
            [str(bin_dir / command[0]), *command[1:]], capture_output=True, text=True, env=env
        )
        assert ran.returncode == 0, (command, ran.stdout, ran.stderr, result.stderr)
    pipx_python = next((Path(env["HOME"]) / ".local").glob("*pipx*/venvs/mkdocs/bin/python"))
    assert subprocess.run([str(pipx_python), "-c", "import material"]).returncode == 0
