"""Installing safepip itself, and the pipx safepip provides when there is none: on the
externally-managed Python, from the test index, without --break-system-packages."""

from __future__ import annotations

import subprocess
from pathlib import Path

from support.cli import run_safepip

REPO = Path(__file__).resolve().parents[1]


def test_install_py_on_an_externally_managed_python(
    tmp_path: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    env = dict(clean_env)
    home = Path(env["HOME"])
    done = subprocess.run(
        [str(managed_python), str(REPO / "install.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "externally-managed-environment" not in done.stderr
    safepip = home / ".local" / "bin" / "safepip"
    assert safepip.is_symlink()
    assert str(home / ".local" / "share" / "safepip" / "venv") in str(safepip.resolve())
    version = subprocess.run(
        [str(safepip), "--version"], env=env, capture_output=True, text=True, check=True
    )
    assert version.stdout.splitlines()[1].startswith("safepip ")
    # and the installed command does its job
    project = tmp_path / "proj"
    project.mkdir()
    (project / "requirements.txt").write_text("fixlib\n")
    used = subprocess.run(
        [str(safepip), "install", "-r", "requirements.txt"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert used.returncode == 0, used.stderr
    assert (project / ".venv" / "bin" / "python").exists()
    removed = subprocess.run(
        [str(managed_python), str(REPO / "install.py"), "--uninstall"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "removed" in removed.stdout
    assert not safepip.exists() and not safepip.is_symlink()


def test_safepip_provides_pipx_when_there_is_none(
    tmp_path: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    bin_dir = tmp_path / "onlypython"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(managed_python)
    pipx_home = tmp_path / "pipx"
    env = dict(
        clean_env,
        PATH=str(bin_dir),
        PIPX_HOME=str(pipx_home / "home"),
        PIPX_BIN_DIR=str(pipx_home / "bin"),
    )
    folder = Path(env["HOME"]) / "elsewhere"
    folder.mkdir()
    result = run_safepip(["install", "fixapp"], cwd=folder, env=env, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pipx is not installed; installing it for safepip" in result.stderr
    provided = Path(env["XDG_DATA_HOME"]) / "safepip" / "pipx" / "bin" / "pipx"
    assert provided.exists()
    app = pipx_home / "bin" / "fixapp"
    assert subprocess.run([str(app)], capture_output=True, text=True, check=True).stdout
    again = run_safepip(
        ["install", "--pipx", "fixgui"], cwd=Path(env["HOME"]) / "elsewhere", env=env, timeout=600
    )
    assert again.returncode == 0, again.stderr
    assert "pipx is not installed" not in again.stderr  # said once, then reused
