"""As root (a Dockerfile's ``RUN`` line, a CI job, ``sudo``), applications are the machine's:
pipx's environments in ``/opt/pipx`` and their commands in ``/usr/local/bin``, as ``pipx install
--global`` has them, so the next ``RUN`` line (and every user, and sudo) finds them on the
default PATH (issue 25). Each line runs as a Dockerfile runs it, in a fresh ``sh -c`` with only
the variables given; pipx's machine-wide folders are moved into the test's folder with
``PIPX_GLOBAL_HOME``/``PIPX_GLOBAL_BIN_DIR``, as they move pipx's own ``--global``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from support.cli import run_sh
from support.pipx import debian_pipx, pypi_pipx

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def machine(clean_env: dict[str, str], tmp_path: Path, pipx: Path) -> dict[str, str]:
    """A container's environment: ``/usr/local/bin`` (here the test's stand-in for it) on the
    default PATH, with ``safepip`` and ``pipx`` there, and pipx's global folders moved."""
    local_bin, opt = tmp_path / "usr-local-bin", tmp_path / "opt-pipx"
    local_bin.mkdir()
    (local_bin / "safepip").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m safepip "$@"\n')
    (local_bin / "safepip").chmod(0o755)
    (local_bin / "pipx").symlink_to(pipx)
    env = {k: v for k, v in clean_env.items() if not k.startswith("PIPX_")}
    env["PATH"] = DEFAULT_PATH.replace("/usr/local/bin", str(local_bin))
    env["PIPX_DEFAULT_BACKEND"] = "pip"
    env["PIPX_GLOBAL_HOME"] = str(opt)
    env["PIPX_GLOBAL_BIN_DIR"] = str(local_bin)
    env["PIPX_GLOBAL_MAN_DIR"] = str(tmp_path / "man")
    return env


def _pipxes() -> list[Path]:
    return [p for p in (debian_pipx(), pypi_pipx()) if p is not None]


@pytest.mark.parametrize("pipx", _pipxes(), ids=lambda p: "debian" if "usr" in str(p) else "pypi")
@pytest.mark.parametrize("sudo", [False, True], ids=["run-line", "sudo"])
def test_an_application_as_root_is_the_machines(
    clean_env: dict[str, str], tmp_path: Path, pipx: Path, sudo: bool, managed_python: Path
) -> None:
    if os.geteuid() != 0:
        pytest.skip("as root only")
    env = machine(clean_env, tmp_path, pipx)
    if sudo:
        env["SUDO_USER"] = "nobody"
    work = tmp_path / "app"
    work.mkdir()
    run = run_sh("safepip install fixapp", work, env)
    assert run.returncode == 0, run.stderr
    opt, local_bin = Path(env["PIPX_GLOBAL_HOME"]), Path(env["PIPX_GLOBAL_BIN_DIR"])
    assert (opt / "venvs" / "fixapp" / "pipx_metadata.json").is_file()
    assert not (Path(env["HOME"]) / ".local" / "bin" / "fixapp").exists()
    assert "not on PATH" not in run.stderr
    # the next RUN line: a fresh shell with the default PATH
    after = run_sh("command -v fixapp && fixapp", work, env)
    assert after.returncode == 0, after.stderr
    assert after.stdout.splitlines() == [str(local_bin / "fixapp"), "fixapp 1.0 (fixlib 2.0)"]
    where = run_sh("safepip where --json fixapp", work, env)
    assert where.returncode == 0, where.stderr
    assert json.loads(where.stdout)["fixapp"] == ["pipx"]
    doctor = json.loads(run_sh("safepip doctor --json", work, env).stdout)["pipx"]
    assert (doctor["home"], doctor["bin_dir"]) == (str(opt), str(local_bin))
    assert doctor["bin_dir_on_path"]
    listed = run_sh("safepip list", work, env)  # outside a project: nothing of pipx's, no error
    assert listed.returncode == 0, listed.stderr
    gone = run_sh("safepip uninstall -y fixapp", work, env)
    assert gone.returncode == 0, gone.stderr
    assert not (opt / "venvs" / "fixapp").exists() and not (local_bin / "fixapp").exists()


def test_root_with_its_own_pipx_home_keeps_it(
    clean_env: dict[str, str], tmp_path: Path, managed_python: Path
) -> None:
    """``PIPX_HOME``/``PIPX_BIN_DIR`` set by root: pipx's folders are the ones it chose."""
    if os.geteuid() != 0 or not _pipxes():
        pytest.skip("as root, with a pipx")
    env = machine(clean_env, tmp_path, _pipxes()[0])
    env["PIPX_HOME"], env["PIPX_BIN_DIR"] = str(tmp_path / "mine"), str(tmp_path / "mine-bin")
    work = tmp_path / "app"
    work.mkdir()
    run = run_sh("safepip install fixapp", work, env)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "mine" / "venvs" / "fixapp").is_dir()
    assert not Path(env["PIPX_GLOBAL_HOME"]).exists()
