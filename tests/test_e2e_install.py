"""End to end, for real: safepip against this machine's externally-managed Python, real venv,
real pip and the test index on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import PackageIndex
from support.cli import leftovers, run_safepip, venv_import, venv_python


def test_redirects_into_a_new_venv(
    project: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    result = run_safepip(["install", "fixlib"], cwd=project, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert "Successfully installed fixlib-2.0" in result.stdout
    assert venv_import(project, "fixlib", clean_env) == "2.0"
    # pip works in it afterwards
    pip = subprocess.run(
        [str(project / ".venv" / "bin" / "pip"), "--version"],
        capture_output=True,
        text=True,
        env=clean_env,
        check=True,
    )
    assert str(project / ".venv") in pip.stdout
    assert "externally managed" in result.stderr
    if os.geteuid() == 0:  # root without SUDO_USER and a terminal: a Dockerfile's RUN line
        assert f"ENV VIRTUAL_ENV={project / '.venv'} " in result.stderr
    else:
        assert "source .venv/bin/activate" in result.stderr
    assert "Traceback" not in result.stderr
    assert leftovers(project) == []


def test_reuses_existing_venv_and_keeps_its_contents(
    project: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    subprocess.run(
        [str(managed_python), "-m", "venv", str(project / ".venv")], check=True, env=clean_env
    )
    keep = project / ".venv" / "mine.txt"
    keep.write_text("user data")
    cfg_inode = (project / ".venv" / "pyvenv.cfg").stat().st_ino
    result = run_safepip(["install", "fixlib==1.0"], cwd=project, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert keep.read_text() == "user data"
    assert (project / ".venv" / "pyvenv.cfg").stat().st_ino == cfg_inode
    assert venv_import(project, "fixlib", clean_env) == "1.0"
    assert "the project's virtual environment" in result.stderr


def test_project_found_from_a_subfolder(project: Path, clean_env: dict[str, str]) -> None:
    sub = project / "src" / "deep"
    sub.mkdir(parents=True)
    result = run_safepip(["install", "fixlib"], cwd=sub, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert venv_python(project).exists()
    assert not (sub / ".venv").exists()
    assert "../../.venv" in result.stderr


def test_requirements_file_and_editable(
    project: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    (project / "requirements.txt").write_text("fixlib==1.0\nfixhelper\n")
    result = run_safepip(["install", "-r", "requirements.txt"], cwd=project, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert venv_import(project, "fixlib", clean_env) == "1.0"
    assert venv_import(project, "fixhelper", clean_env) == "1.0"
    # an editable install of a local project (PEP 660, in-tree backend, no network)
    local = tmp_path / "localpkg"
    (local / "localpkg").mkdir(parents=True)
    (local / "localpkg" / "__init__.py").write_text("__version__ = 'editable'\n")
    (local / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
    )
    (local / "backend.py").write_text(EDITABLE_BACKEND)
    result = run_safepip(
        ["install", "--no-build-isolation", "-e", str(local)], cwd=project, env=clean_env
    )
    assert result.returncode == 0, result.stderr
    assert venv_import(project, "localpkg", clean_env) == "editable"


EDITABLE_BACKEND = """
import base64, hashlib, os, zipfile
NAME, VERSION = "localpkg", "1.0"
DI = f"{NAME}-{VERSION}.dist-info"
def _rec(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
def get_requires_for_build_editable(config_settings=None): return []
def prepare_metadata_for_build_editable(d, config_settings=None):
    os.makedirs(os.path.join(d, DI)); open(os.path.join(d, DI, "METADATA"), "w").write(
        f"Metadata-Version: 2.1\\nName: {NAME}\\nVersion: {VERSION}\\n"); return DI
def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    name = f"{NAME}-{VERSION}-py3-none-any.whl"
    files = {f"{NAME}.pth": os.path.dirname(os.path.abspath(__file__)) + "\\n",
             f"{DI}/METADATA": f"Metadata-Version: 2.1\\nName: {NAME}\\nVersion: {VERSION}\\n",
             f"{DI}/WHEEL": "Wheel-Version: 1.0\\nGenerator: t\\n"
             "Root-Is-Purelib: true\\nTag: py3-none-any\\n"}
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        rec = []
        for path, text in files.items():
            z.writestr(path, text); rec.append(f"{path},{_rec(text.encode())},{len(text.encode())}")
        rec.append(f"{DI}/RECORD,,"); z.writestr(f"{DI}/RECORD", "\\n".join(rec) + "\\n")
    return name
"""


def test_passthrough_in_an_active_venv(
    tmp_path: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    venv = tmp_path / "active"
    subprocess.run([str(managed_python), "-m", "venv", str(venv)], check=True, env=clean_env)
    work = tmp_path / "work"
    work.mkdir()
    (work / "pyproject.toml").write_text("")
    env = dict(clean_env, VIRTUAL_ENV=str(venv), PATH=f"{venv}/bin:{clean_env['PATH']}")
    result = run_safepip(["install", "fixlib"], cwd=work, env=env)
    assert result.returncode == 0, result.stderr
    assert "Successfully installed fixlib-2.0" in result.stdout
    assert result.stderr == ""  # invisible: nothing of safepip's own
    assert not (work / ".venv").exists()
    assert list((venv / "lib").glob("python*/site-packages/fixlib"))
    # and the same exit status as pip for a failure
    failed = run_safepip(["install", "does-not-exist"], cwd=work, env=env)
    direct = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "does-not-exist"],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        check=False,
    )
    assert failed.returncode == direct.returncode == 1
    assert failed.stdout == direct.stdout


def test_failed_first_install_leaves_no_venv(project: Path, clean_env: dict[str, str]) -> None:
    result = run_safepip(["install", "fixbroken"], cwd=project, env=clean_env)
    assert result.returncode != 0
    assert not os.path.lexists(project / ".venv")
    assert leftovers(project) == []
    assert "removed again" in result.stderr


def wait_for_request(index: PackageIndex) -> None:
    deadline = time.monotonic() + 30
    while not index.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert index.requests, "pip never asked the index"


def test_ctrl_c_during_install_leaves_no_venv(
    project: Path, clean_env: dict[str, str], index: PackageIndex
) -> None:
    # declared: no look-up first, so the stalled request is pip's own
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0"\ndependencies = ["fixlib"]\n'
    )
    index.set_fault("stall", seconds=30)
    index.reset_counters()
    proc = subprocess.Popen(
        [sys.executable, "-m", "safepip", "install", "fixlib"],
        cwd=project,
        env=clean_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not venv_python(project).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert venv_python(project).exists(), "the .venv was never moved into place"
        wait_for_request(index)  # pip is now waiting for the stalled index
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
        index.set_fault(None)
    assert proc.returncode == 130, err
    assert not os.path.lexists(project / ".venv")
    assert leftovers(project) == []
    assert "Traceback" not in err


def test_sigterm_ends_pip_too(
    project: Path, clean_env: dict[str, str], index: PackageIndex
) -> None:
    # declared: no look-up first, so the stalled request is pip's own
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0"\ndependencies = ["fixlib"]\n'
    )
    index.set_fault("stall", seconds=30)
    index.reset_counters()
    proc = subprocess.Popen(
        [sys.executable, "-m", "safepip", "install", "fixlib"],
        cwd=project,
        env=clean_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not venv_python(project).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        wait_for_request(index)
        children = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    finally:
        proc.kill()
        index.set_fault(None)
    assert proc.returncode == 143
    assert children, "pip was not running"
    for child in children:
        assert (
            not Path(f"/proc/{child}").exists()
            or "zombie" in Path(f"/proc/{child}/status").read_text().lower()
        )
    assert not os.path.lexists(project / ".venv")


def test_folder_named_venv_is_never_deleted(project: Path, clean_env: dict[str, str]) -> None:
    folder = project / ".venv"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = run_safepip(["install", "fixlib"], cwd=project, env=clean_env)
    assert result.returncode == 3
    assert "not a virtual environment" in result.stderr
    assert "--recreate-venv" in result.stderr
    assert (folder / "notes.txt").read_text() == "mine"
    assert "Traceback" not in result.stderr
    again = run_safepip(["install", "--recreate-venv", "fixlib"], cwd=project, env=clean_env)
    assert again.returncode == 0, again.stderr
    moved = [p for p in project.iterdir() if p.name.startswith(".venv.old-")]
    assert len(moved) == 1 and (moved[0] / "notes.txt").read_text() == "mine"
    assert venv_import(project, "fixlib", clean_env) == "2.0"


def test_broken_venv_is_explained_not_deleted(project: Path, clean_env: dict[str, str]) -> None:
    venv = project / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin/python3.8-gone\n")
    (venv / "bin" / "python").symlink_to("/usr/bin/python3.8-gone")
    result = run_safepip(["install", "fixlib"], cwd=project, env=clean_env)
    assert result.returncode == 3
    assert "no longer exists" in result.stderr
    assert (venv / "pyvenv.cfg").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["install", "--no-such-option", "fixlib"],
        ["install", "fixlib!!"],
        ["install", "-r", "missing.txt"],
        ["install"],
    ],
    ids=["unknown-option", "invalid-requirement", "missing-file", "nothing"],
)
def test_bad_input_gets_pips_error_and_no_venv(
    project: Path, clean_env: dict[str, str], args: list[str]
) -> None:
    result = run_safepip(args, cwd=project, env=clean_env)
    assert result.returncode in (1, 2)
    assert "Traceback" not in result.stderr
    assert "ERROR" in result.stderr or "no such option" in result.stderr
    assert not os.path.lexists(project / ".venv")
    assert leftovers(project) == []


def test_unknown_option_is_pips_usage_error(
    project: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    result = run_safepip(["install", "--no-such-option", "fixlib"], cwd=project, env=clean_env)
    pip = subprocess.run(
        [str(managed_python), "-m", "pip", "install", "--no-such-option", "x"],
        capture_output=True,
        text=True,
        env=clean_env,
        check=False,
    )
    assert result.returncode == pip.returncode == 2
    assert "no such option: --no-such-option" in result.stderr


@pytest.mark.parametrize(
    ("args", "extra_env"),
    [
        (["install", "--break-system-packages", "--dry-run", "fixlib"], {}),
        (["install", "--dry-run", "fixlib"], {"PIP_BREAK_SYSTEM_PACKAGES": "1"}),
    ],
    ids=["flag", "env"],
)
def test_opt_out_passes_through(
    project: Path, clean_env: dict[str, str], args: list[str], extra_env: dict[str, str]
) -> None:
    """With the user's own opt-out pip runs on the system Python (a dry run: nothing changes)."""
    result = run_safepip(args, cwd=project, env=dict(clean_env, **extra_env))
    assert result.returncode == 0, result.stderr
    assert "Would install fixlib-2.0" in result.stdout
    assert not os.path.lexists(project / ".venv")


def test_target_passes_through(project: Path, clean_env: dict[str, str]) -> None:
    result = run_safepip(["install", "--target", "vendored", "fixlib"], cwd=project, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert (project / "vendored" / "fixlib" / "__init__.py").exists()
    assert not os.path.lexists(project / ".venv")


def test_quiet_redirect_says_nothing(project: Path, clean_env: dict[str, str]) -> None:
    """``-qqq`` says nothing but, as root without a terminal (a container's RUN line: these
    tests), the one line the next step needs, which ``SAFEPIP_QUIET_HINTS=1`` hides too."""
    result = run_safepip(["install", "-qqq", "fixlib"], cwd=project, env=clean_env)
    assert result.returncode == 0
    lines = result.stderr.splitlines()
    next_line = os.geteuid() == 0
    assert result.stdout == "" and len(lines) == (1 if next_line else 0), result.stderr
    assert not next_line or f"ENV VIRTUAL_ENV={project / '.venv'}" in lines[0]
    assert venv_python(project).exists()
    hushed = dict(clean_env, SAFEPIP_QUIET_HINTS="1")
    again = run_safepip(["install", "-qqq", "fixhelper"], cwd=project, env=hushed)
    assert again.returncode == 0 and again.stdout == "" and again.stderr == ""


def test_two_runs_at_once_make_one_venv(project: Path, clean_env: dict[str, str]) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "safepip", "install", name],
            cwd=project,
            env=clean_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("fixlib", "fixhelper")
    ]
    outputs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert venv_import(project, "fixlib", clean_env) == "2.0"
    assert venv_import(project, "fixhelper", clean_env) == "1.0"
    assert leftovers(project) == []


def test_a_requires_python_that_excludes_the_interpreter_is_said(
    project: Path, clean_env: dict[str, str]
) -> None:
    """pip only says "No matching distribution" (or refuses the project) where the project's
    requires-python excludes the .venv's Python: safepip names the mismatch first."""
    probe = subprocess.run(
        ["/usr/bin/python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    )
    major, minor = probe.stdout.strip().split(".")
    with (project / "pyproject.toml").open("a") as handle:
        handle.write(f'requires-python = ">={major}.{int(minor) + 1}"\n')
    result = run_safepip(["install", "fixlib"], cwd=project, env=clean_env)
    assert f"the project asks for Python >={major}.{int(minor) + 1}" in result.stderr
    assert "safepip --python PATH install" in result.stderr


def test_an_install_that_changes_nothing_still_activates_the_venv(
    project: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    """With shell-init's function (``$SAFEPIP_ACTIVATE_FILE``), a new shell's ``pip install -r
    requirements.txt`` whose requirements are all there still activates the .venv."""
    (project / "requirements.txt").write_text("fixlib\n")
    assert (
        run_safepip(["install", "-r", "requirements.txt"], cwd=project, env=clean_env).returncode
        == 0
    )
    told = tmp_path / "activate-file"
    told.write_text("")
    env = dict(clean_env, SAFEPIP_ACTIVATE_FILE=str(told))
    again = run_safepip(["install", "-r", "requirements.txt"], cwd=project, env=env)
    assert again.returncode == 0, again.stderr
    assert "nothing changed" in again.stderr and "in this shell" in again.stderr
    assert told.read_text().strip() == str(project / ".venv")
