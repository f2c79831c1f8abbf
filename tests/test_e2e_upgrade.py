"""End to end: surviving a Python upgrade (issue 26). A marked copy of CPython 3.12 behind a
stable link is the system Python; safepip makes a project .venv with a library, a pin that has a
build for 3.12 only and an editable local project, the user environment with a library, and a
pipx app; then the link points at a marked 3.13 and the 3.12 copy is gone. doctor names them
all, --repair with the index down changes nothing, with the index back rebuilds them on 3.13:
the libraries import, the pin moved to the newest version with a build (and says so), the
editable project is still editable, the app's command runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support import PackageIndex, build_wheel, debian_pipx, pipx_env, pypi_pipx
from support.cli import run_safepip, with_pipx
from test_e2e_install import EDITABLE_BACKEND

PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"


def _pyenv(minor: str) -> Path | None:
    found = sorted(PYENV.glob(f"{minor}.*")) if PYENV.is_dir() else []
    return found[-1] if found else None


def _marked_copy(source: Path, dest: Path, minor: str) -> Path:
    """A copy of a pyenv CPython without its tests and packages, externally managed."""

    def skip(folder: str, names: list[str]) -> set[str]:
        base = Path(folder)
        left = {n for n in names if n in ("test", "idlelib", "tkinter", "__pycache__")}
        left |= {n for n in names if n.startswith("config-") or base.name == "site-packages"}
        return left | {n for n in names if base.name == "bin" and n.startswith("pip")}

    shutil.copytree(source, dest, symlinks=True, ignore=skip)
    (dest / "lib" / f"python{minor}" / "EXTERNALLY-MANAGED").write_text(
        "[externally-managed]\nError=this Python is the system's\n"
    )
    return dest


@pytest.fixture(scope="module")
def pythons(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    old, new = _pyenv("3.12"), _pyenv("3.13")
    if old is None or new is None:
        pytest.skip("needs pyenv's CPython 3.12 and 3.13")
    root = tmp_path_factory.mktemp("pythons")
    return _marked_copy(old, root / "py312", "3.12"), _marked_copy(new, root / "py313", "3.13")


def _imports(venv: Path, module: str) -> str:
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", f"import sys, {module}; print(sys.version[:4])"],
        capture_output=True,
        text=True,
    )
    return done.stdout.strip() if done.returncode == 0 else f"failed: {done.stderr[-300:]}"


def _editable_project(where: Path) -> Path:
    """A local project whose editable install is a ``.pth`` file naming its folder."""
    (where / "localpkg").mkdir(parents=True)
    (where / "localpkg" / "__init__.py").write_text("__version__ = 'editable'\n")
    (where / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
    )
    (where / "backend.py").write_text(EDITABLE_BACKEND)
    return where


def _pipx_app(env: dict[str, str], root: Path) -> tuple[dict[str, str], Path]:
    """``env`` with a pipx on PATH (PyPI's, else Debian's), and where its apps' commands go."""
    pipx = pypi_pipx() or debian_pipx()
    if pipx is None:
        pytest.skip("no pipx here")
    with_it = with_pipx(pipx_env(env, root / "pipx"), pipx, root / "pipx-on-path")
    return with_it, Path(with_it["PIPX_BIN_DIR"])


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _make_all(env: dict[str, str], project: Path, local: Path) -> None:
    """What the user made on 3.12: the .venv (a library, a pin, an editable project), the
    user environment (a library) and a pipx app."""
    home = Path(env["HOME"])
    for args, where in (
        (["install", "fixlib", "fixpin==1.0"], project),
        (["install", "--no-build-isolation", "-e", str(local)], project),
        (["install", "fixlib"], home),
        (["install", "--pipx", "fixapp"], home),
    ):
        made = run_safepip(args, cwd=where, env=env)
        assert made.returncode == 0, made.stderr


def _pinned_dists(tmp_path: Path) -> list[Path]:
    """fixpin 1.0 built for CPython 3.12 only, and 1.1 for any Python 3."""
    dest = tmp_path / "pinned"
    dest.mkdir()
    return [
        build_wheel(dest, "fixpin", "1.0", tag="cp312-none-any"),
        build_wheel(dest, "fixpin", "1.1"),
    ]


def test_doctor_finds_and_rebuilds_what_an_upgrade_broke(
    pythons: tuple[Path, Path],
    clean_env: dict[str, str],
    project: Path,
    make_index: Callable[..., PackageIndex],
    tmp_path: Path,
) -> None:
    py312, py313 = pythons
    index = make_index(*_pinned_dists(tmp_path))
    system = tmp_path / "system" / "bin"
    system.mkdir(parents=True)
    (system / "python3").symlink_to(py312 / "bin" / "python3.12")
    env = dict(clean_env, PATH=f"{system}:{clean_env['PATH']}", PIP_INDEX_URL=index.url)
    env, app_bin = _pipx_app(env, tmp_path)
    local = _editable_project(tmp_path / "localpkg")
    _make_all(env, project, local)
    venv, user = project / ".venv", Path(env["XDG_DATA_HOME"]) / "safepip" / "user-env"
    app = Path(env["PIPX_HOME"]) / "venvs" / "fixapp"
    assert _imports(venv, "fixlib") == "3.12" and _imports(user, "fixlib") == "3.12"
    assert _imports(venv, "localpkg") == "3.12"
    remembered = Path(env["XDG_STATE_HOME"]) / "safepip" / "environments.json"
    paths = {e["path"] for e in json.loads(remembered.read_text())["environments"]}
    assert paths == {str(venv), str(user), str(app)}

    # the upgrade: the stable link now leads to 3.13, and 3.12 is gone
    (system / "python3").unlink()
    (system / "python3").symlink_to(py313 / "bin" / "python3.13")
    shutil.rmtree(py312)
    assert _imports(venv, "fixlib").startswith("failed")
    assert subprocess.run([app_bin / "fixapp"], capture_output=True).returncode != 0

    found = run_safepip(["doctor"], cwd=project, env=env)
    assert found.returncode != 0
    for path in (venv, user, app):
        assert f"broken        {path} " in found.stdout, found.stdout
    assert "safepip doctor --repair" in found.stdout
    assert "ready, Python 3.12" not in found.stdout, found.stdout

    dry = run_safepip(["doctor", "--repair", "--dry-run"], cwd=project, env=env)
    assert f"would rebuild {venv} on Python 3.13" in dry.stderr and "fixlib==2.0" in dry.stderr
    assert f"-e {local}" in dry.stderr and "pipx reinstall" in dry.stderr

    _repair_offline(env, project, index, app)

    repaired = run_safepip(["doctor", "--repair"], cwd=project, env=env)
    assert f"rebuilding {venv}" in repaired.stderr, repaired.stderr
    assert "fixpin 1.0 → 1.1 (1.0 has no build for Python 3.13)" in repaired.stderr
    _check_rebuilt(env, project, local, app_bin)


def _repair_offline(env: dict[str, str], project: Path, index: PackageIndex, app: Path) -> None:
    """With the index down, --repair fails and leaves everything as it was."""
    venv = project / ".venv"
    before, app_before = _tree(venv), _tree(app)
    index.set_fault("500")
    failed = run_safepip(["doctor", "--repair"], cwd=project, env=env)
    index.set_fault(None)
    assert failed.returncode != 0
    assert f"{venv} was not rebuilt" in failed.stderr and "it is as it was" in failed.stderr
    assert "pipx app fixapp was not reinstalled" in failed.stderr, failed.stderr
    assert "still broken" in failed.stderr
    assert _tree(venv) == before and _tree(app) == app_before
    assert sorted(p.name for p in project.iterdir()) == [".venv", "pyproject.toml"]


def _check_rebuilt(env: dict[str, str], project: Path, local: Path, app_bin: Path) -> None:
    venv, user = project / ".venv", Path(env["XDG_DATA_HOME"]) / "safepip" / "user-env"
    assert _imports(venv, "fixlib") == "3.13" and _imports(user, "fixlib") == "3.13"
    assert sorted(p.name for p in project.iterdir()) == [".venv", "pyproject.toml"]
    pip = (venv / "bin" / "pip").read_text().splitlines()[0]
    assert pip == f"#!{venv}/bin/python"  # told its place after the swap
    # the editable project is still editable: its source changed is seen, nothing reinstalled
    (info,) = venv.glob("lib/python3.13/site-packages/localpkg-*.dist-info")
    assert json.loads((info / "direct_url.json").read_text())["dir_info"] == {"editable": True}
    (local / "localpkg" / "__init__.py").write_text("__version__ = 'changed'\n")
    changed = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import localpkg; print(localpkg.__version__)"],
        capture_output=True,
        text=True,
    )
    assert changed.stdout.strip() == "changed", changed.stderr
    assert list(venv.glob("lib/python3.13/site-packages/fixpin-1.1.dist-info"))
    ran = subprocess.run([app_bin / "fixapp"], capture_output=True, text=True)
    assert ran.returncode == 0 and ran.stdout.startswith("fixapp 1.0"), ran.stderr
    after = run_safepip(["doctor", "--json"], cwd=project, env=env)
    assert json.loads(after.stdout)["broken"] == [], after.stdout


def test_repair_reinstalls_a_uv_tool_with_its_withs(
    pythons: tuple[Path, Path], clean_env: dict[str, str], index: PackageIndex, tmp_path: Path
) -> None:
    from test_e2e_uv import uv_env

    uv = Path(sys.executable).parent / "uv"
    if not uv.exists():
        pytest.skip("uv is not installed in the test venv")
    source, py313 = _pyenv("3.12"), pythons[1]
    assert source is not None
    moved = _marked_copy(source, tmp_path / "py312", "3.12")  # its own: the other removes its
    system = tmp_path / "system" / "bin"
    system.mkdir(parents=True)
    (system / "python3").symlink_to(moved / "bin" / "python3.12")
    env = uv_env(dict(clean_env, PATH=f"{system}:{clean_env['PATH']}"), uv, tmp_path)
    install = ["tool", "install", "--python", str(system / "python3")]
    made = subprocess.run(
        [uv, *install, "--default-index", index.url, "fixapp", "--with", "fixhelper"],
        env=dict(env, UV_PYTHON_DOWNLOADS="never"),
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    tool, command = Path(env["UV_TOOL_DIR"]) / "fixapp", Path(env["UV_TOOL_BIN_DIR"]) / "fixapp"
    (system / "python3").unlink()
    (system / "python3").symlink_to(py313 / "bin" / "python3.13")
    shutil.rmtree(moved)
    home = Path(env["HOME"])
    found = run_safepip(["doctor"], cwd=home, env=env)
    assert found.returncode != 0 and f"broken        {tool} " in found.stdout, found.stdout

    dry = run_safepip(["doctor", "--repair", "--dry-run"], cwd=home, env=env)
    assert "uv tool install --reinstall --python" in dry.stderr, dry.stderr
    assert "fixapp --with fixhelper" in dry.stderr

    repaired = run_safepip(["doctor", "--repair"], cwd=home, env=env)
    assert repaired.returncode == 0, repaired.stdout
    assert "reinstalling uv tool fixapp" in repaired.stderr
    ran = subprocess.run([command], capture_output=True, text=True)
    assert ran.returncode == 0 and ran.stdout.startswith("fixapp 1.0"), ran.stderr
    assert _imports(tool, "fixhelper") == "3.13"
