"""End to end: the second ``safepip install NAME`` in a project whose .venv has NAME takes the
warm path (one line from safepip, then the .venv's pip in safepip's place), and anything that
could change the decision sends it back to the full path. Real python3, venv, pip and index."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from support import PackageIndex
from support.cli import run_safepip

WARM = "safepip: fixlib -> the project's virtual environment .venv: "
FULL = "fixlib: already installed in the project's virtual environment .venv; nothing changed"


def test_the_second_install_is_warm(project: Path, clean_env: dict[str, str]) -> None:
    first = run_safepip(["install", "fixlib"], cwd=project, env=clean_env)
    assert first.returncode == 0, first.stderr
    assert WARM not in first.stderr
    again = run_safepip(["install", "fixlib"], cwd=project, env=clean_env)
    assert again.returncode == 0, again.stderr
    assert again.stderr.startswith(WARM), again.stderr
    assert "it is already installed in the project's .venv" in again.stderr
    assert "For pipx instead: safepip install --pipx fixlib" in again.stderr
    assert "Requirement already satisfied: fixlib" in again.stdout
    assert FULL not in again.stderr  # no summary after pip: safepip is no longer there
    quiet = run_safepip(["install", "-q", "fixlib"], cwd=project, env=clean_env)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


def test_a_change_goes_the_full_path_again(project: Path, clean_env: dict[str, str]) -> None:
    assert run_safepip(["install", "fixlib"], cwd=project, env=clean_env).returncode == 0
    with (project / "pyproject.toml").open("a") as stream:
        stream.write('[tool.safepip]\npackages = { fixlib = "venv" }\n')
    again = run_safepip(["install", "fixlib"], cwd=project, env=clean_env)
    assert again.returncode == 0, again.stderr
    assert WARM not in again.stderr and FULL in again.stderr
    # a route chosen in [tool.safepip] is never remembered: still the full path
    third = run_safepip(["install", "fixlib"], cwd=project, env=clean_env)
    assert WARM not in third.stderr and FULL in third.stderr


def test_what_pip_would_change_goes_the_full_path(project: Path, clean_env: dict[str, str]) -> None:
    assert run_safepip(["install", "fixlib==1.0"], cwd=project, env=clean_env).returncode == 0
    upgrade = run_safepip(["install", "-U", "fixlib"], cwd=project, env=clean_env)
    assert upgrade.returncode == 0, upgrade.stderr
    assert WARM not in upgrade.stderr
    assert "Successfully installed fixlib-2.0" in upgrade.stdout
    other = run_safepip(["install", "fixlib", "otherlib"], cwd=project, env=clean_env)
    assert WARM.replace("fixlib", "fixlib, otherlib") not in other.stderr


def test_pips_exit_status_on_the_warm_path(
    project: Path, clean_env: dict[str, str], index: PackageIndex
) -> None:
    """The .venv's pip is in safepip's place: its exit status is the command's. Here fixapp is
    installed but its fixlib went missing, and the index answers 404."""
    (project / "pyproject.toml").write_text(  # declared, so the .venv is its home
        '[project]\nname = "proj"\nversion = "0"\ndependencies = ["fixapp"]\n'
    )
    assert run_safepip(["install", "fixapp"], cwd=project, env=clean_env).returncode == 0
    site = next((project / ".venv").glob("lib/python*/site-packages"))
    for dist_info in site.glob("fixlib-*.dist-info"):
        shutil.rmtree(dist_info)
    index.set_fault("404")
    again = run_safepip(["install", "fixapp"], cwd=project, env=clean_env)
    assert again.stderr.startswith(WARM.replace("fixlib", "fixapp")), again.stderr
    assert again.returncode == 1, again.stderr
    assert "fixlib" in again.stderr  # pip's own error about the missing dependency


def test_a_venv_committed_after_the_facts_is_refused_not_run(
    project: Path, clean_env: dict[str, str]
) -> None:
    """Issue 15's rule holds on the warm path: a .venv that git tracks is never run."""
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    assert run_safepip(["install", "fixlib"], cwd=project, env=clean_env).returncode == 0
    assert run_safepip(["install", "fixlib"], cwd=project, env=clean_env).stderr.startswith(WARM)
    subprocess.run([*git, "add", "-f", ".venv"], check=True)
    refused = run_safepip(["install", "fixlib"], cwd=project, env=clean_env)
    assert refused.returncode != 0
    assert WARM not in refused.stderr
    assert "is not run: its files are tracked by git" in refused.stderr
