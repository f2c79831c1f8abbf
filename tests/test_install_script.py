"""Installing safepip itself, and the pipx safepip provides when there is none: on the
externally-managed Python, from the test index, without --break-system-packages."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from support import PackageIndex, seed_wheels
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
    # nothing in the private venv that safepip does not use runs at its start
    private = home / ".local" / "share" / "safepip" / "venv"
    assert not list(private.glob("lib/python*/site-packages/*.pth"))
    assert not list(private.glob("lib/python*/site-packages/setuptools*"))
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


def _pip_version(pip: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[int, ...]:
    out = subprocess.run(
        [*pip, "--version"], env=env, cwd=cwd, capture_output=True, text=True, check=True
    ).stdout
    return tuple(int(part) for part in out.split()[1].split(".")[:2])


def _install_py(python: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), str(REPO / "install.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_new_venvs_get_a_current_pip_and_group_works(
    tmp_path: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    """install.py puts pip >= 25.1 (26.x from the seed wheels) into safepip's venv; the .venv
    that safepip makes links it, so ``--group`` works on Debian 12's Python."""
    env = dict(clean_env)
    done = _install_py(managed_python, env)
    assert done.returncode == 0, done.stdout + done.stderr
    home = Path(env["HOME"])
    own = home / ".local" / "share" / "safepip" / "venv" / "bin" / "python"
    assert _pip_version([str(own), "-m", "pip"], env) >= (25, 1)
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "0"\n[dependency-groups]\ntest = ["fixlib"]\n'
    )
    safepip = str(home / ".local" / "bin" / "safepip")
    used = subprocess.run(
        [safepip, "install", "--group", "test"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert used.returncode == 0, used.stdout + used.stderr
    assert "no such option" not in used.stderr
    assert _pip_version([str(project / ".venv" / "bin" / "pip")], env) >= (25, 1)
    fixlib = project / ".venv" / "bin" / "python"
    assert subprocess.run([str(fixlib), "-c", "import fixlib"], check=False).returncode == 0
    doctor = subprocess.run(
        [safepip, "doctor"], cwd=project, env=env, capture_output=True, text=True, check=False
    ).stdout
    version = subprocess.run(
        [str(project / ".venv" / "bin" / "pip"), "--version"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[1]
    assert f"with pip (by linking safepip's pip {version})" in doctor


def test_install_py_keeps_the_pip_there_when_the_index_has_no_current_one(
    tmp_path: Path,
    clean_env: dict[str, str],
    managed_python: Path,
    make_index: Callable[..., PackageIndex],
) -> None:
    old_only = [w for w in seed_wheels() if not w.name.startswith("pip-") or "-23." in w.name]
    index = make_index(*old_only, standard=False)
    env = dict(clean_env, PIP_INDEX_URL=index.url)
    done = _install_py(managed_python, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ERROR" not in done.stderr
    own = Path(env["HOME"]) / ".local" / "share" / "safepip" / "venv" / "bin" / "python"
    # the pip the venv came with (the distribution's ensurepip's), not one the index lacks
    bundled = subprocess.run(
        [str(managed_python), "-c", "import ensurepip; print(ensurepip.version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    expected = tuple(int(p) for p in bundled.split(".")[:2])
    assert _pip_version([str(own), "-m", "pip"], env)[:2] == expected
    version = subprocess.run(
        [str(Path(env["HOME"]) / ".local" / "bin" / "safepip"), "--version"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert version.returncode == 0 and "safepip " in version.stdout
