"""``safepip shims``: real ``pip``/``pip3`` executables that run safepip, driven through real
``sh -c``, a ``#!/bin/sh`` script, ``make`` and ``env -i``, against the externally-managed Python.

The shims run ``sys.executable -m safepip`` (no ``safepip`` is on the clean PATH), and the shim
folder comes first on PATH, before /usr/bin, as ``~/.local/bin`` does on Debian."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support.cli import run_safepip, venv_import
from support.machine import skip_or_fail

from safepip.operations.shim_files import MARKER


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def run(
    argv: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


@pytest.fixture
def shimmed(clean_env: dict[str, str], managed_python: Path) -> tuple[dict[str, str], Path]:
    """(an environment with safepip's shims first on PATH, the shim folder)."""
    folder = Path(clean_env["HOME"]) / ".local" / "bin"
    done = run_safepip(["shims", "install", "--dir", str(folder)], cwd=folder.parent, env=clean_env)
    assert done.returncode == 0, done.stderr
    return dict(clean_env, PATH=f"{folder}:{clean_env['PATH']}"), folder


def make_project(env: dict[str, str]) -> Path:
    project = Path(env["HOME"]) / "proj"
    project.mkdir()
    (project / "requirements.txt").write_text("fixlib\n")
    return project


def test_install_status_remove_in_a_fresh_home_leave_nothing(clean_env: dict[str, str]) -> None:
    home = Path(clean_env["HOME"])
    folder = home / ".local" / "bin"
    before = tree(home)
    done = run_safepip(["shims", "install", "--dir", str(folder)], cwd=home, env=clean_env)
    assert done.returncode == 0, done.stderr
    for name in ("pip", "pip3"):
        shim = folder / name
        assert os.access(shim, os.X_OK) and MARKER in shim.read_text().splitlines()
        assert shim.read_text().startswith("#!/bin/sh\n")
    assert "not on PATH" in done.stderr
    shown = run_safepip(["shims", "--dir", str(folder)], cwd=home, env=clean_env)
    assert shown.returncode == 0
    assert f"{folder}/pip: safepip's shim (runs " in shown.stdout
    assert f"{folder}/pip3: safepip's shim" in shown.stdout
    on_path = dict(clean_env, PATH=f"{folder}:{clean_env['PATH']}")
    first = run_safepip(["shims", "--dir", str(folder)], cwd=home, env=on_path)
    assert "comes before /usr/bin on PATH" in first.stdout
    removed = run_safepip(["shims", "remove", "--dir", str(folder)], cwd=home, env=clean_env)
    assert removed.returncode == 0, removed.stderr
    assert f"removed {folder}/pip3" in removed.stderr
    assert tree(home) == before  # the folder install made is gone too
    again = run_safepip(["shims", "remove", "--dir", str(folder)], cwd=home, env=clean_env)
    assert "nothing removed" in again.stderr


def test_a_pip_that_is_not_safepips_is_left_alone(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    theirs = folder / "pip"
    theirs.write_text("#!/bin/sh\necho theirs\n")
    theirs.chmod(0o755)
    done = run_safepip(["shims", "install", "--dir", str(folder)], cwd=tmp_path, env=clean_env)
    assert done.returncode == 1
    assert f"{theirs} exists and is not safepip's shim; left alone" in done.stderr
    assert theirs.read_text() == "#!/bin/sh\necho theirs\n"
    assert not (folder / "pip3").exists()  # nothing written
    shown = run_safepip(["shims", "--dir", str(folder)], cwd=tmp_path, env=clean_env)
    assert f"{theirs}: not safepip's" in shown.stdout
    (folder / "pip3").symlink_to(theirs)  # a link is never taken for a shim either
    removed = run_safepip(["shims", "remove", "--dir", str(folder)], cwd=tmp_path, env=clean_env)
    assert removed.returncode == 0
    assert f"left {theirs} alone" in removed.stderr
    assert theirs.read_text() == "#!/bin/sh\necho theirs\n" and (folder / "pip3").is_symlink()


def _through(how: str, env: dict[str, str], project: Path) -> subprocess.CompletedProcess[str]:
    if how == "sh -c":
        return run(["sh", "-c", "pip install -r requirements.txt"], cwd=project, env=env)
    if how == "script":
        script = project / "setup.sh"
        script.write_text("#!/bin/sh\nset -e\npip3 install -r requirements.txt\necho done\n")
        script.chmod(0o755)
        return run([str(script)], cwd=project, env=env)
    if how == "make":
        if shutil.which("make") is None:
            skip_or_fail("make is not installed (tests/run.sh installs it)")
        (project / "Makefile").write_text("install:\n\tpip install -r requirements.txt\n")
        return run(["make", "install"], cwd=project, env=env)
    kept = ("HOME", "PIP_CONFIG_FILE", "PIP_INDEX_URL", "PIP_DISABLE_PIP_VERSION_CHECK")
    argv = ["env", "-i", f"PATH={env['PATH']}", *(f"{k}={env[k]}" for k in kept)]
    return run([*argv, "pip", "install", "-r", "requirements.txt"], cwd=project, env=env)


@pytest.mark.parametrize("how", ["sh -c", "script", "make", "env -i"])
def test_pip_outside_an_interactive_shell_runs_safepip(
    how: str, shimmed: tuple[dict[str, str], Path]
) -> None:
    env, _ = shimmed
    project = make_project(env)
    result = _through(how, env, project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "externally-managed-environment" not in result.stderr
    assert "safepip: installed -r requirements.txt into a new virtual environment" in result.stderr
    assert venv_import(project, "fixlib", env) == "2.0"


def test_the_shim_is_never_taken_for_the_system_pip(
    shimmed: tuple[dict[str, str], Path], managed_python: Path, tmp_path: Path
) -> None:
    """Passing through with the shims first on PATH reaches the real pip of the real target
    (a recursion would never end: the timeout would fail the test)."""
    env, folder = shimmed
    version = run(["sh", "-c", "pip --version"], cwd=tmp_path, env=env, timeout=60)
    assert version.returncode == 0, version.stderr
    first, second = version.stdout.splitlines()[:2]
    assert first.startswith("pip ") and str(folder) not in first
    assert second.startswith("safepip ")
    target = tmp_path / "target"
    passed = run(
        ["sh", "-c", f"pip -v install --target {target} fixlib"], cwd=tmp_path, env=env, timeout=120
    )
    assert passed.returncode == 0, passed.stderr
    assert f"target interpreter: {managed_python} (chosen as the first python3 on PATH)" in (
        passed.stderr
    )
    assert (target / "fixlib").is_dir()


def test_doctor_reports_the_shims(shimmed: tuple[dict[str, str], Path], tmp_path: Path) -> None:
    env, folder = shimmed
    result = run_safepip(["doctor", "--json"], cwd=tmp_path, env=env)
    shims = json.loads(result.stdout)["shims"]
    assert [s["path"] for s in shims] == [str(folder / "pip"), str(folder / "pip3")]
    assert all(s["before_system"] and s["on_path"] for s in shims)
    behind = dict(env, PATH=f"{env['PATH'].split(':', 1)[1]}:{folder}")
    text = run_safepip(["doctor"], cwd=tmp_path, env=behind).stdout
    assert f"{folder}/pip (after /usr/bin on PATH" in text
    assert "scripts that run pip get the system's pip" in text


def _extra_cost(shim: Path, real: Path, env: dict[str, str], runs: int = 25) -> float:
    """The shim's extra seconds for ``-c pass``: each one's fastest run, taken in turns."""
    import time

    best = {shim: float("inf"), real: float("inf")}
    for _ in range(runs):
        for program in best:
            start = time.perf_counter()
            subprocess.run([str(program), "-c", "pass"], env=env, check=True)
            best[program] = min(best[program], time.perf_counter() - start)
    return best[shim] - best[real]


def test_python3_m_pip_in_a_script_with_the_python_shim(
    clean_env: dict[str, str], managed_python: Path, tmp_path: Path
) -> None:
    """``shims install --with-python``: ``python3 -m pip install`` in a fresh ``env -i sh -c``
    runs safepip for that python3 (the folder gets its .venv); every other use of python3 is
    the real interpreter with its exact arguments, for about a millisecond more; ``shims
    remove`` takes the python3 shim too."""
    folder = tmp_path / "shims"
    env = dict(clean_env, PATH=f"{folder}:{managed_python.parent}:/bin")
    done = run_safepip(
        ["shims", "install", "--with-python", "--dir", str(folder)], cwd=tmp_path, env=env
    )
    assert done.returncode == 0, done.stderr
    shim = folder / "python3"
    assert MARKER in shim.read_text() and f"exec {managed_python} " in shim.read_text()
    work = Path(env["HOME"]) / "work"
    work.mkdir()
    installed = run(["sh", "-c", "python3 -m pip install fixlib"], cwd=work, env=env)
    assert installed.returncode == 0, installed.stderr
    assert venv_import(work, "fixlib", env) == "2.0"
    argv = run(
        [
            "sh",
            "-c",
            """python3 -c 'import sys; print(sys.argv[1:], sys.executable)' -m "a b" ''""",
        ],
        cwd=work,
        env=env,
    )
    assert argv.stdout == f"['-m', 'a b', ''] {managed_python}\n", argv.stderr
    again = run_safepip(  # written again over its own shims, never over itself
        ["shims", "install", "--with-python", "--dir", str(folder)], cwd=tmp_path, env=env
    )
    assert again.returncode == 0 and f"exec {managed_python} " in shim.read_text()
    extra = _extra_cost(shim, managed_python, env)
    assert extra < 0.002, f"the python3 shim costs {extra * 1000:.1f} ms more"
    removed = run_safepip(["shims", "remove", "--dir", str(folder)], cwd=tmp_path, env=env)
    assert removed.returncode == 0 and not shim.exists(), removed.stderr
