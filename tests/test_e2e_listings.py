"""End to end, on the externally-managed Python (issue 28, points 6 to 9): pip's commands that
show or ask rather than install. Outside a project with no ``.venv`` the listings never show
the system's packages; a dry run resolves against the environment the install would go to;
commands that only ask the index need no ``.venv``; a command the target's pip lacks runs with
safepip's own pip for the right environment."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from support import PackageIndex, parse_dist_filename
from support.cli import run_safepip, venv_python

NOTHING_HERE = "safepip installed nothing here"


def outside(clean_env: dict[str, str]) -> Path:
    """An ordinary folder of the user's, in no project (an install there would make a .venv)."""
    folder = Path(clean_env["HOME"]) / "elsewhere"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "0"\n')
    return root


def system_dist(managed_python: Path, index: PackageIndex) -> str:
    """A distribution the system Python has installed that the test index also serves (the
    suite's pipx brings argcomplete, packaging, platformdirs... with it on Debian 12 and 13)."""
    served = sorted(
        {found[0] for f in index.filenames() if (found := parse_dist_filename(f)) is not None}
    )
    code = (
        "import sys, importlib.metadata as m\n"
        "for name in sys.argv[1:]:\n"
        "    try: m.version(name); print(name)\n"
        "    except m.PackageNotFoundError: pass\n"
    )
    done = subprocess.run(
        [str(managed_python), "-I", "-c", code, *served], capture_output=True, text=True, check=True
    )
    names = [n for n in done.stdout.split() if n not in ("pip", "setuptools", "wheel")]
    if not names:
        pytest.fail(f"the system Python has none of the index's distributions: {served}")
    return names[0]


def _pip_has(python: Path, command: str, env: dict[str, str]) -> bool:
    done = subprocess.run(
        [str(python), "-m", "pip", command, "--help"], capture_output=True, text=True, env=env
    )
    return done.returncode == 0


def take_away(venv: Path, command: str) -> None:
    """Make the .venv's pip one that lacks ``command``, as an older pip does: its commands
    table without that entry (a new file in its place: the old one is hard-linked to safepip's
    own pip, which must not change)."""
    (table,) = venv.glob("lib/python3*/site-packages/pip/_internal/commands/__init__.py")
    text = table.read_text()
    entry = re.compile(rf'\n    "{command}": CommandInfo\(.*?\n    \),', re.DOTALL)
    assert entry.search(text), f"no {command} entry in {table}"
    replacement = table.with_suffix(".new")
    replacement.write_text(entry.sub("", text, count=1))
    os.replace(replacement, table)
    for cached in table.parent.glob("__pycache__/__init__.*.pyc"):
        cached.unlink()


# -- 7. listings outside a project ---------------------------------------------------------------


def test_listings_where_safepip_installed_nothing_show_nothing_of_the_system(
    clean_env: dict[str, str], managed_python: Path, index: PackageIndex
) -> None:
    folder, system = outside(clean_env), system_dist(managed_python, index)
    listed = run_safepip(["list"], cwd=folder, env=clean_env)
    assert (listed.returncode, listed.stdout) == (0, ""), listed.stderr
    assert NOTHING_HERE in listed.stderr and f"would create {folder}/.venv" in listed.stderr
    as_json = run_safepip(["list", "--format=json"], cwd=folder, env=clean_env)
    assert (as_json.returncode, json.loads(as_json.stdout)) == (0, [])
    frozen = run_safepip(["freeze"], cwd=folder, env=clean_env)
    assert (frozen.returncode, frozen.stdout) == (0, "")
    shown = run_safepip(["show", system], cwd=folder, env=clean_env)
    assert (shown.returncode, shown.stdout) == (1, "")  # pip's status for a name it cannot find
    assert f"WARNING: Package(s) not found: {system}" in shown.stderr
    checked = run_safepip(["check"], cwd=folder, env=clean_env)
    assert (checked.returncode, checked.stdout) == (0, "No broken requirements found.\n")
    at_home = run_safepip(["list"], cwd=Path(clean_env["HOME"]), env=clean_env)
    assert at_home.stdout == "" and "go to your user environment" in at_home.stderr
    assert not (folder / ".venv").exists()


def test_listings_outside_a_project_show_the_user_environment_only(
    clean_env: dict[str, str], managed_python: Path, index: PackageIndex
) -> None:
    folder, system = outside(clean_env), system_dist(managed_python, index)
    made = run_safepip(["install", "--user", "fixlib==1.0"], cwd=folder, env=clean_env)
    assert made.returncode == 0, made.stderr
    listed = run_safepip(["list", "--format=json"], cwd=folder, env=clean_env)
    names = {d["name"] for d in json.loads(listed.stdout)}
    assert "fixlib" in names and system not in names, names
    assert "showing your user environment" in listed.stderr
    frozen = run_safepip(["freeze"], cwd=folder, env=clean_env)
    assert "fixlib==1.0" in frozen.stdout.splitlines() and system not in frozen.stdout
    shown = run_safepip(["show", "fixlib", system], cwd=folder, env=clean_env)
    assert "Name: fixlib" in shown.stdout and f"Name: {system}" not in shown.stdout
    assert f"Package(s) not found: {system}" in shown.stderr
    assert run_safepip(["show", system], cwd=folder, env=clean_env).returncode == 1


# -- 8. dry runs ---------------------------------------------------------------------------------


def test_a_dry_run_resolves_as_the_new_venv_would(
    tmp_path: Path, clean_env: dict[str, str], managed_python: Path, index: PackageIndex
) -> None:
    project, system = new_project(tmp_path), system_dist(managed_python, index)
    dry = run_safepip(["install", "--dry-run", system, "fixlib"], cwd=project, env=clean_env)
    assert dry.returncode == 0, dry.stderr
    would = [line for line in dry.stdout.splitlines() if line.startswith("Would install")]
    assert would and system.replace("-", "_") in would[0].replace("-", "_"), dry.stdout
    assert "already satisfied" not in dry.stdout
    assert not (project / ".venv").exists()
    report = tmp_path / "report.json"
    reported = run_safepip(
        ["install", "--dry-run", "--report", str(report), system], cwd=project, env=clean_env
    )
    assert reported.returncode == 0, reported.stderr
    assert [i["metadata"]["name"] for i in json.loads(report.read_text())["install"]]
    # where the .venv is there, its own pip resolves: what it has is satisfied
    assert run_safepip(["install", "fixlib==1.0"], cwd=project, env=clean_env).returncode == 0
    again = run_safepip(["install", "--dry-run", "fixlib==1.0"], cwd=project, env=clean_env)
    assert "Requirement already satisfied: fixlib==1.0" in again.stdout, again.stdout


def test_a_dry_run_for_a_new_user_environment_sees_the_system_packages(
    clean_env: dict[str, str], managed_python: Path, index: PackageIndex
) -> None:
    system = system_dist(managed_python, index)
    home = Path(clean_env["HOME"])
    dry = run_safepip(["install", "--dry-run", "--user", system], cwd=home, env=clean_env)
    assert dry.returncode == 0, dry.stderr
    assert "Requirement already satisfied" in dry.stdout  # the user environment will see it


# -- 9. commands that only ask the index ---------------------------------------------------------


def test_index_commands_need_no_venv(tmp_path: Path, clean_env: dict[str, str]) -> None:
    project = new_project(tmp_path)
    versions = run_safepip(["index", "versions", "fixlib"], cwd=project, env=clean_env)
    assert versions.returncode == 0, versions.stderr
    assert "fixlib (2.0)" in versions.stdout
    fetched = tmp_path / "fetched"
    download = ["download", "--no-deps", "-d", str(fetched), "fixlib==1.0"]
    assert run_safepip(download, cwd=project, env=clean_env).returncode == 0
    assert [p.name for p in fetched.iterdir()] == ["fixlib-1.0-py3-none-any.whl"]
    hashed = run_safepip(["hash", str(next(fetched.iterdir()))], cwd=project, env=clean_env)
    assert hashed.returncode == 0 and "--hash=sha256:" in hashed.stdout
    assert run_safepip(["cache", "dir"], cwd=project, env=clean_env).returncode == 0
    assert not (project / ".venv").exists()
    # with a .venv, its pip answers: what it has installed is the project's
    assert run_safepip(["install", "fixlib==1.0"], cwd=project, env=clean_env).returncode == 0
    versions = run_safepip(["index", "versions", "fixlib"], cwd=project, env=clean_env)
    assert "INSTALLED: 1.0" in versions.stdout, versions.stdout


# -- 6. commands the target's pip lacks ----------------------------------------------------------


def test_lock_runs_for_the_system_python_whatever_its_pip(
    clean_env: dict[str, str], managed_python: Path
) -> None:
    folder = outside(clean_env)
    locked = run_safepip(["lock", "fixlib==1.0"], cwd=folder, env=clean_env)
    assert locked.returncode == 0, locked.stderr
    assert 'name = "fixlib"' in (folder / "pylock.toml").read_text()
    if not _pip_has(managed_python, "lock", clean_env):  # Debian 12's pip 23.0.1
        assert "has no lock command: running safepip's own pip" in locked.stderr


def test_a_command_the_venvs_pip_lacks_runs_with_safepips_pip_for_the_venv(
    tmp_path: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    """The .venv's pip without ``lock`` and ``list``: ``list`` runs with safepip's own pip for
    the .venv; ``lock`` does too where the system's pip lacks it (Debian 12's 23.0.1), and
    where the system's pip has it (Debian 13's 25.1) it is that pip's, as pip would run it."""
    project = new_project(tmp_path)
    assert run_safepip(["install", "fixlib==1.0"], cwd=project, env=clean_env).returncode == 0
    venv = project / ".venv"
    take_away(venv, "lock")
    take_away(venv, "list")
    assert not _pip_has(venv_python(project), "lock", clean_env)
    locked = run_safepip(["lock", "fixlib==1.0"], cwd=project, env=clean_env)
    assert locked.returncode == 0, locked.stderr
    if not _pip_has(managed_python, "lock", clean_env):
        assert "has no lock command: running safepip's own pip" in locked.stderr
    assert 'name = "fixlib"' in (project / "pylock.toml").read_text()
    listed = run_safepip(["list", "--format=json"], cwd=project, env=clean_env)
    assert listed.returncode == 0, listed.stderr
    assert {"name": "fixlib", "version": "1.0"} in json.loads(listed.stdout)  # the .venv's
