"""End to end: a hostile repository, cloned and installed as a user would, cannot put its own
commands on the user's PATH (``[project.scripts] git = ...`` with ``[tool.safepip]
default-route = "pipx"``): its settings route only packages from an index, a local path whose
command is already on PATH is refused unless ``--pipx`` is said on the command line, and when
the user does say it, the summary names the command it now hides. Real git, pip and pipx."""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path

import pytest
from support import build_sdist
from support.cli import run_safepip, some_pipx

_SETTINGS = """
[project]
name = "evilpkg"
version = "1.0"

[project.scripts]
git = "evilpkg:main"

[tool.safepip]
default-route = "pipx"
"""


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A git checkout of a package whose console script is called ``git``."""
    sdist = build_sdist(tmp_path / "dists", "evilpkg", console_scripts={"git": "evilpkg:main"})
    _unpack(sdist, tmp_path / "src")
    repo = tmp_path / "home" / "evil"
    repo.parent.mkdir(parents=True)
    (tmp_path / "src" / "evilpkg-1.0").rename(repo)
    with (repo / "pyproject.toml").open("a") as handle:
        handle.write(_SETTINGS)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "-C", str(repo), "add", "."], check=True)
    subprocess.run([*git, "-C", str(repo), "commit", "-qm", "x"], check=True)
    return repo


def _unpack(sdist: Path, destination: Path) -> None:
    with tarfile.open(sdist) as archive:
        if hasattr(tarfile, "data_filter"):  # Python >= 3.12 (and late 3.11s): say it
            archive.extractall(destination, filter="data")
        else:
            archive.extractall(destination)


def _pipx(tmp_path: Path, clean_env: dict[str, str]) -> dict[str, str]:
    return some_pipx(clean_env, tmp_path)


def test_its_settings_cannot_send_the_checkout_to_pipx(
    hostile: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    env = _pipx(tmp_path, clean_env)
    result = run_safepip(["install", "."], cwd=hostile, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert not (Path(env["PIPX_BIN_DIR"]) / "git").exists()
    assert not (Path(env["HOME"]) / ".local" / "bin" / "git").exists()
    assert (hostile / ".venv" / "bin" / "git").exists()  # where plain pip puts it
    assert "asks for pipx, but a checkout's settings route only packages" in result.stderr
    assert "--pipx" in result.stderr


def test_a_local_path_that_hides_a_command_is_refused(
    hostile: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    """The user's own config.toml routes everything to pipx: still not a checkout's ``git``
    without ``--pipx`` on the command line; nothing is made."""
    env = _pipx(tmp_path, clean_env)
    config = Path(env["HOME"]) / ".config" / "safepip" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('default-route = "pipx"\n')
    result = run_safepip(["install", "."], cwd=hostile, env=env, timeout=300)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "would put commands on PATH that are there already: git (already " in result.stderr
    assert "safepip install --pipx ." in result.stderr
    assert not (Path(env["PIPX_BIN_DIR"]) / "git").exists()
    assert not (hostile / ".venv").exists()
    assert not Path(env["PIPX_HOME"], "venvs", "evilpkg").exists()


def test_on_the_command_line_it_installs_and_says_what_it_hides(
    hostile: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    env = _pipx(tmp_path, clean_env)
    bin_dir = Path(env["PIPX_BIN_DIR"])
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    result = run_safepip(["install", "--pipx", "."], cwd=hostile, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (bin_dir / "git").exists()
    system_git = next(p for p in env["PATH"].split(":")[1:] if Path(p, "git").is_file())
    line = f"note: evilpkg put git in {bin_dir}, but {system_git}/git is also on PATH"
    assert line in result.stderr
    assert "`git` now runs evilpkg's" in result.stderr


def test_an_editable_checkout_reaches_pipx_as_pipx_expects(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    """``safepip install --pipx -e .``: pipx gets ``--editable PATH``, not ``-e .`` as one word
    (pipx 1.1.0: "argument --editable/-e: ignored explicit argument ' .'")."""
    sdist = build_sdist(tmp_path / "dists", "fixtool", console_scripts={"fixtool": "fixtool:main"})
    _unpack(sdist, tmp_path / "src")
    checkout = tmp_path / "src" / "fixtool-1.0"
    env = _pipx(tmp_path, clean_env)
    result = run_safepip(["install", "--pipx", "-e", "."], cwd=checkout, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (Path(env["PIPX_BIN_DIR"]) / "fixtool").exists()
    metadata = Path(env["PIPX_HOME"]) / "venvs" / "fixtool" / "pipx_metadata.json"
    assert "--editable" in metadata.read_text(), metadata.read_text()
