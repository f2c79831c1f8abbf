"""End to end: surviving a Python upgrade (issue 26). A marked copy of CPython 3.12 behind a
stable link is the system Python; safepip makes a project .venv and the user environment with a
library; then the link points at a marked 3.13 and the 3.12 copy is gone. doctor names both,
--repair with the index down changes nothing, with the index back rebuilds them on 3.13."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support import PackageIndex
from support.cli import run_safepip

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


def test_doctor_finds_and_rebuilds_what_an_upgrade_broke(
    pythons: tuple[Path, Path],
    clean_env: dict[str, str],
    project: Path,
    index: PackageIndex,
    tmp_path: Path,
) -> None:
    py312, py313 = pythons
    system = tmp_path / "system" / "bin"
    system.mkdir(parents=True)
    (system / "python3").symlink_to(py312 / "bin" / "python3.12")
    env = dict(clean_env, PATH=f"{system}:{clean_env['PATH']}")
    home = Path(env["HOME"])
    for where in (project, home):
        made = run_safepip(["install", "fixlib"], cwd=where, env=env)
        assert made.returncode == 0, made.stderr
    venv, user = project / ".venv", Path(env["XDG_DATA_HOME"]) / "safepip" / "user-env"
    assert _imports(venv, "fixlib") == "3.12" and _imports(user, "fixlib") == "3.12"
    remembered = Path(env["XDG_STATE_HOME"]) / "safepip" / "environments.json"
    paths = {e["path"] for e in json.loads(remembered.read_text())["environments"]}
    assert paths == {str(venv), str(user)}

    # the upgrade: the stable link now leads to 3.13, and 3.12 is gone
    (system / "python3").unlink()
    (system / "python3").symlink_to(py313 / "bin" / "python3.13")
    shutil.rmtree(py312)
    assert _imports(venv, "fixlib").startswith("failed")

    found = run_safepip(["doctor"], cwd=project, env=env)
    assert found.returncode != 0
    for path in (venv, user):
        assert f"broken        {path} " in found.stdout, found.stdout
    assert "safepip doctor --repair" in found.stdout

    dry = run_safepip(["doctor", "--repair", "--dry-run"], cwd=project, env=env)
    assert f"would rebuild {venv} on Python 3.13" in dry.stderr and "fixlib==2.0" in dry.stderr

    before = sorted(str(p.relative_to(project)) for p in venv.rglob("*"))
    index.set_fault("500")
    failed = run_safepip(["doctor", "--repair"], cwd=project, env=env)
    assert failed.returncode != 0
    assert f"{venv} was not rebuilt" in failed.stderr and "it is as it was" in failed.stderr
    assert "still broken" in failed.stderr
    assert sorted(str(p.relative_to(project)) for p in venv.rglob("*")) == before
    assert sorted(p.name for p in project.iterdir()) == [".venv", "pyproject.toml"]

    index.set_fault(None)
    repaired = run_safepip(["doctor", "--repair"], cwd=project, env=env)
    assert f"rebuilding {venv}" in repaired.stderr, repaired.stderr
    assert _imports(venv, "fixlib") == "3.13" and _imports(user, "fixlib") == "3.13"
    assert sorted(p.name for p in project.iterdir()) == [".venv", "pyproject.toml"]
    pip = (venv / "bin" / "pip").read_text().splitlines()[0]
    assert pip == f"#!{venv}/bin/python"  # told its place after the swap
    after = run_safepip(["doctor", "--json"], cwd=project, env=env)
    assert json.loads(after.stdout)["broken"] == [], after.stdout
