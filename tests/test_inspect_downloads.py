"""safepip.inspect.downloads: a wheel downloaded whole to decide is what the install uses
(unit parts here; end to end against an index without range support below, with real pip
and pipx)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from support import PackageIndex, debian_pipx, pipx_env
from support.cli import run_safepip, venv_import, venv_python, with_pipx
from support.machine import make_clean_env

from safepip.environment import Environment
from safepip.inspect.downloads import offer, tagged_name, withdraw


def test_tagged_name() -> None:
    assert tagged_name("black-24.1.0-py3-none-any.whl") == "black-24.1.0-0safepip-py3-none-any.whl"
    assert tagged_name("x-1-2-py3-none-any.whl") is None  # a build tag of its own already
    assert tagged_name("x-1.0.tar.gz") is None


def environment(tmp_path: Path, **more: str) -> Environment:
    return Environment(
        environ={"HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"), **more},
        cwd=tmp_path,
    )


def test_offer_links_and_withdraw_removes(tmp_path: Path) -> None:
    wheel = tmp_path / "x-1.0-py3-none-any.whl"
    wheel.write_bytes(b"zip")
    folder = offer([wheel, tmp_path / "gone-1.0-py3-none-any.whl"], environment(tmp_path))
    assert folder is not None
    # private, in safepip's cache (no runtime folder here), never in shared /tmp
    assert folder.parent == tmp_path / "cache" / "safepip" / "tmp"
    assert folder.stat().st_mode & 0o777 == 0o700
    assert folder.parent.stat().st_mode & 0o777 == 0o700
    assert [p.name for p in folder.iterdir()] == ["x-1.0-0safepip-py3-none-any.whl"]
    assert (folder / "x-1.0-0safepip-py3-none-any.whl").read_bytes() == b"zip"
    withdraw(folder)
    assert not folder.exists()
    assert wheel.exists()  # the cached download itself stays
    assert offer([], environment(tmp_path)) is None


def test_offer_uses_a_private_runtime_folder_only(tmp_path: Path) -> None:
    wheel = tmp_path / "x-1.0-py3-none-any.whl"
    wheel.write_bytes(b"zip")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    folder = offer([wheel], environment(tmp_path, XDG_RUNTIME_DIR=str(runtime)))
    assert folder is not None and folder.parent == runtime / "safepip"
    withdraw(folder)
    runtime.chmod(0o755)  # not a private runtime folder: safepip's cache instead
    folder = offer([wheel], environment(tmp_path, XDG_RUNTIME_DIR=str(runtime)))
    assert folder is not None and folder.parent == tmp_path / "cache" / "safepip" / "tmp"
    withdraw(folder)


@pytest.fixture
def no_ranges(make_index: Callable[..., PackageIndex]) -> PackageIndex:
    return make_index(range_requests=False)


def wheel_of(index: PackageIndex, name: str) -> str:
    (filename,) = [f for f in index.filenames() if f.startswith(f"{name}-") and f.endswith(".whl")]
    return filename


def test_a_library_is_downloaded_once_for_deciding_and_installing(
    tmp_path: Path, no_ranges: PackageIndex
) -> None:
    env = make_clean_env(tmp_path / "home", no_ranges.url)
    env["TMPDIR"] = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    folder = tmp_path / "home" / "somewhere"
    folder.mkdir(parents=True)
    filename = wheel_of(no_ranges, "fixlib-2.0")
    result = run_safepip(["install", "-v", "fixlib"], cwd=folder, env=env)
    assert result.returncode == 0, result.stderr
    assert "from wheel-download" in result.stderr  # safepip had to fetch it whole to decide
    assert venv_import(folder, "fixlib", env) == "2.0"
    wheel_gets = [r for r in no_ranges.requests if r.path.endswith(filename)]
    assert len(wheel_gets) == 1, wheel_gets
    freeze = subprocess.run(
        [str(venv_python(folder)), "-m", "pip", "freeze"], env=env, capture_output=True, text=True
    )
    assert "fixlib==2.0" in freeze.stdout.splitlines()
    assert os.listdir(tmp_path / "tmp") == []  # nothing in $TMPDIR at all
    assert os.listdir(tmp_path / "home" / ".cache" / "safepip" / "tmp") == []  # folder gone
    # the .venv keeps nothing of it for later pip runs: no pip.conf, no path in any file
    assert not (folder / ".venv" / "pip.conf").exists()
    kept = [
        p
        for p in (folder / ".venv").rglob("*")
        if p.is_file() and b"safepip-wheels-" in p.read_bytes()
    ]
    assert kept == []


def outside_with_pipx(tmp_path: Path, index: PackageIndex) -> tuple[dict[str, str], Path]:
    """An environment with Debian's pipx (its folders under tmp_path), and a folder that is not
    inside a project."""
    pipx = debian_pipx()
    if pipx is None:
        pytest.fail("Debian's pipx is not installed (tests/run.sh installs it)")
    env = pipx_env(make_clean_env(tmp_path / "home", index.url), tmp_path / "pipx")
    folder = tmp_path / "home" / "somewhere"
    folder.mkdir(parents=True)
    return with_pipx(env, pipx, tmp_path / "pipx-on-path"), folder


def test_an_application_is_downloaded_once_with_pipx(
    tmp_path: Path, no_ranges: PackageIndex
) -> None:
    env, folder = outside_with_pipx(tmp_path, no_ranges)
    filename = wheel_of(no_ranges, "fixapp-1.0")
    result = run_safepip(["install", "fixapp"], cwd=folder, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (Path(env["PIPX_BIN_DIR"]) / "fixapp").exists()
    wheel_gets = [r for r in no_ranges.requests if r.path.endswith(filename)]
    assert len(wheel_gets) == 1, wheel_gets


def test_an_sdist_is_built_once(tmp_path: Path, index: PackageIndex) -> None:
    """safepip builds fixsdist to learn its commands; pipx's pip installs that wheel instead of
    fetching and building the sdist again."""
    env, folder = outside_with_pipx(tmp_path, index)
    index.reset_counters()
    result = run_safepip(["install", "-v", "fixsdist"], cwd=folder, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "from sdist-build" in result.stderr
    assert (Path(env["PIPX_BIN_DIR"]) / "fixsdist").exists()
    sdist_gets = [r for r in index.requests if r.path.endswith(".tar.gz")]
    assert len(sdist_gets) == 1, sdist_gets
