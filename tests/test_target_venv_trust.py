"""A ``.venv`` that came with a checkout, or whose interpreter is not what its ``pyvenv.cfg``
says, is never run (issue 15): every safepip command, through a real shell, against a hostile
checkout whose ``bin/python`` and ``bin/activate`` write a marker file when run."""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pip
import pytest
from support import PackageIndex, build_wheel
from support.machine import skip_or_fail

from safepip.target.venv import read_venv

pytestmark = pytest.mark.usefixtures("managed_python")

MAJOR_MINOR = f"{sys.version_info[0]}.{sys.version_info[1]}"
SAFEPIP = f"{shlex.quote(sys.executable)} -m safepip"
#: Every command that would run the project's .venv, as a user types it.
COMMANDS = [
    "install six",
    "uninstall -y six",
    "list",
    "freeze",
    "show six",
    "check",
    "explain six",
    "where",
    "doctor",
]


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def hostile_venv(venv: Path, marker: Path, home: str = "/usr/bin") -> None:
    """A .venv whose pyvenv.cfg says it was made from ``home``'s Python, but whose
    ``bin/python`` is a script that leaves ``marker`` and then runs the real Python."""
    bin_dir = venv / "bin"
    bin_dir.mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text(
        f"home = {home}\ninclude-system-site-packages = false\nversion = {MAJOR_MINOR}.0\n"
    )
    python = bin_dir / "python"
    python.write_text(f'#!/bin/sh\necho "$@" >> {marker}\nexec /usr/bin/python3 "$@"\n')
    python.chmod(0o755)
    for name in ("python3", f"python{MAJOR_MINOR}"):
        (bin_dir / name).symlink_to("python")
    (bin_dir / "activate").write_text(f"echo activated >> {marker}\n")
    site = venv / "lib" / f"python{MAJOR_MINOR}" / "site-packages"
    site.mkdir(parents=True)
    shutil.copytree(Path(pip.__file__).parent, site / "pip")


def checkout(root: Path, marker: Path, *, committed: bool) -> Path:
    root.mkdir(parents=True)
    (root / "requirements.txt").write_text("six\n")
    hostile_venv(root / ".venv", marker)
    if committed:
        git(root, "init", "-q")
        git(root, "add", ".")
        git(root, "commit", "-q", "-m", "the project, with its .venv")
    return root


@pytest.fixture
def six_env(clean_env: dict[str, str], make_index: object, tmp_path: Path) -> dict[str, str]:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    index: PackageIndex = make_index(build_wheel(wheels, "six", "1.16.0"))  # type: ignore[operator]
    return dict(clean_env, PIP_INDEX_URL=index.url)


def in_bash(code: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def assert_refused(result: subprocess.CompletedProcess[str], why: str, marker: Path) -> None:
    output = result.stdout + result.stderr
    assert not marker.exists(), f"the .venv was run: {marker.read_text()}\n{output}"
    assert result.returncode != 0, output
    assert "is not run" in output and why in output, output
    assert "--recreate-venv" in output, output
    assert "Traceback" not in output, output


def test_a_committed_venv_is_never_run(tmp_path: Path, six_env: dict[str, str]) -> None:
    marker = tmp_path / "ran"
    root = checkout(tmp_path / "home" / "proj", marker, committed=True)
    for command in COMMANDS:
        assert_refused(in_bash(f"{SAFEPIP} {command}", root, six_env), "tracked by git", marker)
    shell = f'eval "$({SAFEPIP} shell-init bash)"; pip install six; st=$?; echo "$VIRTUAL_ENV"'
    shell += "; exit $st"
    result = in_bash(shell, root, six_env)
    assert_refused(result, "tracked by git", marker)
    assert ".venv" not in result.stdout

    again = in_bash(f"{SAFEPIP} install --recreate-venv six", root, six_env)
    assert again.returncode == 0, again.stderr
    assert "moved the untrusted .venv to .venv.old-" in again.stderr
    assert not marker.exists()
    moved = [p for p in root.iterdir() if p.name.startswith(".venv.old-")]
    assert len(moved) == 1 and (moved[0] / "bin" / "activate").is_file()  # kept, not deleted
    assert read_venv(root / ".venv").status == "ready"
    # the new .venv is not the committed one, though git's index still lists those paths
    listed = in_bash(f"{SAFEPIP} list", root, six_env)
    assert listed.returncode == 0, listed.stderr
    assert "six" in listed.stdout and not marker.exists()


def test_a_venv_lying_about_its_python_is_never_run(
    tmp_path: Path, six_env: dict[str, str]
) -> None:
    marker = tmp_path / "ran"
    root = checkout(tmp_path / "home" / "proj", marker, committed=False)
    why = "is not the Python its pyvenv.cfg names"
    for command in ("install six", "uninstall -y six", "list", "explain six", "doctor"):
        assert_refused(in_bash(f"{SAFEPIP} {command}", root, six_env), why, marker)
    again = in_bash(f"{SAFEPIP} install --recreate-venv six", root, six_env)
    assert again.returncode == 0, again.stderr
    assert not marker.exists()


# -- the checks on their own (filesystem only) ------------------------------------------------


def make_venv(path: Path, *options: str) -> Path:
    subprocess.run(
        ["/usr/bin/python3", "-m", "venv", "--without-pip", *options, str(path)],
        check=True,
        capture_output=True,
    )
    return path


@pytest.mark.parametrize("options", [(), ("--copies",)], ids=["symlinks", "copies"])
def test_real_venvs_are_trusted(tmp_path: Path, options: tuple[str, ...]) -> None:
    venv = make_venv(tmp_path / "proj" / ".venv", *options)
    assert read_venv(venv).status == "ready", read_venv(venv)


@pytest.mark.parametrize("tool", ["uv", "virtualenv"])
def test_venvs_made_by_other_tools_are_trusted(tmp_path: Path, tool: str) -> None:
    beside = Path(sys.executable).parent  # the test extra installs both into the dev venv
    found = shutil.which(tool, path=f"{beside}{os.pathsep}{os.environ.get('PATH', '')}")
    if found is None:
        skip_or_fail(f"{tool} is not installed (pip install -e '.[test]' brings it)")
    command = [found, "venv", "-q"] if tool == "uv" else [found, "-q"]
    venv = tmp_path / "proj" / ".venv"
    subprocess.run([*command, "--python", "/usr/bin/python3", str(venv)], check=True)
    assert read_venv(venv).status == "ready", read_venv(venv)


def test_a_copied_interpreter_must_be_the_pythons_bytes(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "proj" / ".venv", "--copies")
    with (venv / "bin" / "python").open("ab") as python:
        python.write(b"\0")
    state = read_venv(venv)
    assert state.status == "untrusted" and "is not the Python" in state.problem


def test_a_python_inside_the_project_is_not_trusted(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "py" / "bin").mkdir(parents=True)
    (root / "py" / "bin" / "python3").symlink_to("/usr/bin/python3")
    venv = make_venv(root / ".venv")
    cfg = (venv / "pyvenv.cfg").read_text().replace("home = /usr/bin", f"home = {root}/py/bin")
    (venv / "pyvenv.cfg").write_text(cfg)
    (venv / "bin" / "python3").unlink()
    (venv / "bin" / "python3").symlink_to(root / "py" / "bin" / "python3")
    state = read_venv(venv)
    assert state.status == "untrusted" and "inside the project" in state.problem


def test_a_second_home_line_is_not_trusted(tmp_path: Path) -> None:
    """Python's getpath takes the first ``home`` and site the last: a pyvenv.cfg with two
    (the first naming a Python inside the project) must not pass on the second."""
    root = tmp_path / "proj"
    venv = make_venv(root / ".venv")
    cfg = venv / "pyvenv.cfg"
    cfg.write_text(f"home = {root}/py/bin\n" + cfg.read_text())
    state = read_venv(venv)
    assert state.status == "untrusted" and "names no Python installation" in state.problem


def test_pyvenv_cfg_is_read_as_python_reads_it(tmp_path: Path) -> None:
    from safepip.target.venv import read_pyvenv_cfg

    (tmp_path / "pyvenv.cfg").write_text(
        "  Home = /usr/bin\n# a comment\nno equals sign here\nversion=3.11.2\n"
    )
    assert read_pyvenv_cfg(tmp_path) == {"home": "/usr/bin", "version": "3.11.2"}


def test_an_untracked_venv_in_a_repository_is_trusted(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    git(root, "init", "-q")
    (root / ".gitignore").write_text(".venv/\n")
    git(root, "add", ".gitignore")
    venv = make_venv(root / ".venv")
    assert read_venv(venv).status == "ready"


def test_a_committed_symlink_as_venv_is_not_trusted(tmp_path: Path) -> None:
    real = make_venv(tmp_path / "elsewhere")
    root = tmp_path / "proj"
    root.mkdir()
    (root / ".venv").symlink_to(real)
    git(root, "init", "-q")
    git(root, "add", ".venv")
    state = read_venv(root / ".venv")
    assert state.status == "untrusted" and "tracked by git" in state.problem


def test_a_committed_venv_in_mercurial_is_not_trusted(tmp_path: Path) -> None:
    if shutil.which("hg") is None:
        skip_or_fail("hg is not installed (tests/run.sh installs mercurial)")
    root = tmp_path / "proj"
    root.mkdir()
    subprocess.run(["hg", "init"], cwd=root, check=True)
    venv = make_venv(root / ".venv")
    subprocess.run(["hg", "add", "-q", ".venv"], cwd=root, check=True)
    state = read_venv(venv)
    assert state.status == "untrusted" and "tracked by hg" in state.problem


def test_another_users_venv_is_not_run_by_root(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root")
    venv = make_venv(tmp_path / "proj" / ".venv")
    nobody = pwd.getpwnam("nobody")
    os.chown(venv / "pyvenv.cfg", nobody.pw_uid, nobody.pw_gid)
    state = read_venv(venv)
    assert state.status == "untrusted" and "belongs to nobody" in state.problem


# -- a .venv that is a symbolic link (issue: a checkout cannot reach outside itself) ----------


def linked_project(root: Path, target: Path, *, committed: bool) -> Path:
    """A git checkout whose ``.venv`` is a symbolic link to ``target``: committed with it, or
    the user's own (ignored by git)."""
    root.mkdir(parents=True)
    (root / "requirements.txt").write_text("six\n")
    (root / ".venv").symlink_to(target)
    git(root, "init", "-q")
    if not committed:
        (root / ".gitignore").write_text(".venv\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "the project")
    return root


def assert_one_paragraph_refusal(result: subprocess.CompletedProcess[str], why: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert output.count("ERROR:") == 1 and "\n\n" not in output.strip(), output
    assert "is not run" in output and why in output and "--recreate-venv" in output, output
    assert "Traceback" not in output, output


def test_a_committed_link_to_an_empty_folder_is_refused(
    tmp_path: Path, six_env: dict[str, str]
) -> None:
    """It used to read as "absent", and ``safepip install`` built a venv where it pointed."""
    outside = tmp_path / "outside"
    outside.mkdir()
    root = linked_project(tmp_path / "home" / "proj", outside, committed=True)
    state = read_venv(root / ".venv")
    assert state.status == "untrusted", state
    assert "symbolic link" in state.problem and "tracked by git" in state.problem
    for command in ("install six", "list", "explain six"):
        result = in_bash(f"{SAFEPIP} {command}", root, six_env)
        assert_one_paragraph_refusal(result, "symbolic link to")
    assert list(outside.iterdir()) == []

    again = in_bash(f"{SAFEPIP} install --recreate-venv six", root, six_env)
    assert again.returncode == 0, again.stderr
    moved = [p for p in root.iterdir() if p.name.startswith(".venv.old-")]
    assert len(moved) == 1 and moved[0].is_symlink()  # the link itself, renamed
    assert moved[0].resolve() == outside and list(outside.iterdir()) == []
    assert not (root / ".venv").is_symlink()
    assert read_venv(root / ".venv").status == "ready"


def test_an_untracked_link_to_an_empty_folder_of_ones_own_gets_the_venv(
    tmp_path: Path, six_env: dict[str, str]
) -> None:
    outside = tmp_path / "venvs" / "proj"
    outside.mkdir(parents=True)
    root = linked_project(tmp_path / "home" / "proj", outside, committed=False)
    assert read_venv(root / ".venv").status == "absent"
    result = in_bash(f"{SAFEPIP} install six", root, six_env)
    assert result.returncode == 0, result.stderr
    assert (root / ".venv").is_symlink() and (outside / "pyvenv.cfg").is_file()
    assert list(outside.glob("lib/python*/site-packages/six-1.16.0.dist-info"))
    assert read_venv(root / ".venv").status == "ready"


def test_a_link_to_another_users_folder_is_refused(tmp_path: Path, six_env: dict[str, str]) -> None:
    """Run as root: an empty folder given to nobody; as anyone else: ``/``, root's."""
    if os.geteuid() == 0:
        target, owner = tmp_path / "theirs", "nobody"
        target.mkdir()
        os.chown(target, pwd.getpwnam(owner).pw_uid, pwd.getpwnam(owner).pw_gid)
    else:
        target, owner = Path("/"), "root"
    before = sorted(os.listdir(target))
    root = linked_project(tmp_path / "home" / "proj", target, committed=False)
    state = read_venv(root / ".venv")
    assert state.status == "untrusted" and f"belongs to {owner}" in state.problem, state
    result = in_bash(f"{SAFEPIP} install six", root, six_env)
    assert_one_paragraph_refusal(result, f"belongs to {owner}")
    assert sorted(os.listdir(target)) == before


def planted_venv(path: Path, marker: Path) -> Path:
    """A real venv (with pip) whose site-packages holds a ``.pth`` that leaves ``marker``
    whenever its Python starts."""
    venv = make_venv(path)
    site = next(venv.glob("lib/python*/site-packages"))
    shutil.copytree(Path(pip.__file__).parent, site / "pip")
    (site / "planted.pth").write_text(f"import os; open({str(marker)!r}, 'a').write('ran\\n')\n")
    return venv


def test_a_committed_link_to_a_planted_venv_is_never_run(
    tmp_path: Path, six_env: dict[str, str]
) -> None:
    marker = tmp_path / "ran"
    venv = planted_venv(tmp_path / "elsewhere" / "venv", marker)
    root = linked_project(tmp_path / "home" / "proj", venv, committed=True)
    for command in COMMANDS:
        assert_refused(in_bash(f"{SAFEPIP} {command}", root, six_env), "symbolic link", marker)

    # the same venv, linked by the user: it is run, and the .pth with it (the marker works)
    mine = linked_project(tmp_path / "home" / "mine", venv, committed=False)
    listed = in_bash(f"{SAFEPIP} list", mine, six_env)
    assert listed.returncode == 0, listed.stderr
    assert marker.exists()


# -- the programs that decide: the system's own, never the checkout's --------------------------


def fake_programs(folder: Path, marker: Path) -> Path:
    """``git`` and ``hg`` that leave ``marker`` and say nothing is tracked."""
    folder.mkdir(parents=True)
    for name in ("git", "hg"):
        fake = folder / name
        fake.write_text(f'#!/bin/sh\necho "{name} $*" >> {marker}\nexit 0\n')
        fake.chmod(0o755)
    return folder


def test_a_git_first_on_path_is_never_run(tmp_path: Path, six_env: dict[str, str]) -> None:
    marker, ran = tmp_path / "fake-ran", tmp_path / "venv-ran"
    fakes = fake_programs(tmp_path / "home" / ".local" / "bin", marker)
    env = dict(six_env, PATH=f"{fakes}{os.pathsep}{six_env['PATH']}")
    root = checkout(tmp_path / "home" / "proj", ran, committed=True)
    result = in_bash(f"{SAFEPIP} list", root, env)
    assert not marker.exists(), marker.read_text()
    assert_refused(result, "tracked by git", ran)  # told by the system's git

    mine = tmp_path / "home" / "mine"
    mine.mkdir()
    (mine / "requirements.txt").write_text("six\n")
    git(mine, "init", "-q")
    for command in ("install six", "list"):  # made, then asked about: is it tracked?
        done = in_bash(f"{SAFEPIP} {command}", mine, env)
        assert done.returncode == 0, done.stderr
    assert "six" in done.stdout
    assert not marker.exists(), marker.read_text()


def test_mercurial_reads_not_the_repositorys_own_settings(
    tmp_path: Path, six_env: dict[str, str]
) -> None:
    """``.hg/hgrc`` (which an unpacked archive brings) could load an extension: Python code."""
    if shutil.which("hg") is None:
        skip_or_fail("hg is not installed (tests/run.sh installs mercurial)")
    marker, ran = tmp_path / "extension-ran", tmp_path / "venv-ran"
    extension = tmp_path / "evil.py"
    extension.write_text(f"open({str(marker)!r}, 'a').write('loaded\\n')\n")
    root = checkout(tmp_path / "home" / "proj", ran, committed=False)
    subprocess.run(["hg", "init"], cwd=root, check=True)
    subprocess.run(["hg", "add", "-q", ".venv"], cwd=root, check=True)
    with (root / ".hg" / "hgrc").open("a") as hgrc:
        hgrc.write(f"[extensions]\nevil = {extension}\n")
    result = in_bash(f"{SAFEPIP} list", root, six_env)
    assert not marker.exists()
    assert_refused(result, "tracked by hg", ran)
