"""The ``safepip`` command itself (``scripts/safepip``, a POSIX sh launcher): a pass-through into
the active venv's pip starts no Python of safepip's own; everything else reaches
``safepip.cli.main`` on the Python beside the launcher. Run with the real ``/bin/sh`` against
stand-in interpreters that record how they were started."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from safepip.cli.registry import own_words
from safepip.pip.launcher import LAUNCHER

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "safepip"


def recorder(path: Path, log: Path) -> None:
    """An executable that writes its arguments, NUL-separated, to ``log``, and exits 0."""
    path.write_text(f'#!/bin/sh\nprintf "%s\\0" "$0" "$@" > {log}\n')
    path.chmod(0o755)


def fake_venv(root: Path, log: Path) -> Path:
    (root / "bin").mkdir(parents=True)
    (root / "pyvenv.cfg").write_text("home = /usr/bin\n")
    recorder(root / "bin" / "python", log)
    pip = root / "lib" / "python3.11" / "site-packages" / "pip"
    pip.mkdir(parents=True)
    (pip / "__init__.py").write_text("")
    return root


@pytest.fixture
def installed(tmp_path: Path) -> tuple[Path, Path]:
    """The launcher in a bin folder beside a recording ``python`` (as in safepip's venv)."""
    bindir = tmp_path / "safepip-venv" / "bin"
    bindir.mkdir(parents=True)
    launcher = bindir / "safepip"
    launcher.write_bytes(SCRIPT.read_bytes())
    launcher.chmod(0o755)
    log = tmp_path / "own.log"
    recorder(bindir / "python", log)
    return launcher, log


def run(launcher: Path, args: list[str], cwd: Path, **env: str) -> None:
    environ = {"PATH": "/usr/bin:/bin", "HOME": str(cwd.parent), **env}
    subprocess.run(["/bin/sh", "-c", '"$0" "$@"', str(launcher), *args], cwd=cwd, env=environ,
                   check=True)  # fmt: skip


def recorded(log: Path) -> list[str]:
    return log.read_text().split("\0")[:-1]


def test_the_words_are_the_registrys() -> None:
    text = SCRIPT.read_text()
    pattern = re.search(r"--\) break ;;\s*(.*?)\) __fast= ; break ;;", text, re.S)
    assert pattern is not None
    words = {w.strip() for w in pattern.group(1).replace("\\\n", " ").split("|")}
    assert words - {"--py*"} == own_words()


def test_it_starts_pip_as_the_fast_path_does() -> None:
    assert f'-c "{LAUNCHER}" "$@"' in SCRIPT.read_text()


def test_active_venv_goes_straight_to_its_pip(tmp_path: Path, installed: tuple[Path, Path]) -> None:
    launcher, own = installed
    venv_log = tmp_path / "venv.log"
    venv = fake_venv(tmp_path / "active", venv_log)
    work = tmp_path / "home" / "work"
    work.mkdir(parents=True)
    run(launcher, ["install", "six"], work, VIRTUAL_ENV=str(venv))
    argv = recorded(venv_log)
    assert argv[0] == str(venv / "bin" / "python")
    assert argv[1:] == ["-c", LAUNCHER, "install", "six"]
    assert not own.exists()  # safepip's own Python never started


@pytest.mark.parametrize("words", [["explain", "six"], ["--python", "x", "list"], ["--version"]])
def test_own_words_go_to_safepip(
    tmp_path: Path, installed: tuple[Path, Path], words: list[str]
) -> None:
    launcher, own = installed
    venv = fake_venv(tmp_path / "active", tmp_path / "venv.log")
    work = tmp_path / "home" / "work"
    work.mkdir(parents=True)
    run(launcher, words, work, VIRTUAL_ENV=str(venv))
    argv = recorded(own)
    assert argv[1:3] == ["-I", "-c"] and "from safepip.cli.main import start" in argv[3]
    assert argv[4:] == [str(launcher), *words]
    assert not (tmp_path / "venv.log").exists()


def test_a_project_venv_in_the_way_goes_to_safepip(
    tmp_path: Path, installed: tuple[Path, Path]
) -> None:
    launcher, own = installed
    venv = fake_venv(tmp_path / "active", tmp_path / "venv.log")
    project = tmp_path / "home" / "proj"
    fake_venv(project / ".venv", tmp_path / "project.log")
    (project / "src").mkdir()
    run(launcher, ["install", "six"], project / "src", VIRTUAL_ENV=str(venv))
    assert recorded(own)[4:] == [str(launcher), "install", "six"]


def test_no_active_venv_and_a_link_to_the_launcher(
    tmp_path: Path, installed: tuple[Path, Path]
) -> None:
    launcher, own = installed
    link_dir = tmp_path / "home" / ".local" / "bin"
    link_dir.mkdir(parents=True)
    (link_dir / "safepip").symlink_to(os.path.relpath(launcher, link_dir))
    run(link_dir / "safepip", ["install", "six"], tmp_path / "home")
    argv = recorded(own)
    assert Path(argv[0]).resolve() == launcher.parent / "python"  # found through the link
    assert argv[4:] == [str(link_dir / "safepip"), "install", "six"]


@pytest.mark.parametrize(
    "layout",
    [
        "project/.venv",  # the working folder's project has another .venv: safepip says so
        "project/.venv project/.git",
        ".venv",  # in the home folder: another venv in the way, safepip says so
        "outer/.venv project/.git",  # beyond a checkout's root: not this project's
        "",  # no .venv anywhere
    ],
)
def test_the_launchers_walk_is_the_fast_paths(
    tmp_path: Path, installed: tuple[Path, Path], layout: str
) -> None:
    """The sh launcher and :func:`safepip.cli.fast.project_venv_elsewhere` walk up alike
    (:func:`safepip.target.project_root.walk_up`): where Python would say "not the project's
    .venv", sh hands over to Python; elsewhere both go straight to the active venv's pip."""
    from safepip.cli.fast import project_venv_elsewhere

    launcher, own = installed
    venv = fake_venv(tmp_path / "active", tmp_path / "venv.log")
    home = tmp_path / "home"
    for entry in layout.split():
        if entry.endswith(".venv"):
            (home / entry).mkdir(parents=True)
            (home / entry / "pyvenv.cfg").write_text("home = /usr/bin\n")
        else:
            (home / entry).mkdir(parents=True)
    if "outer/.venv" in layout:
        work = home / "outer" / "project" / "src"
    else:
        work = home / "project" / "src"
    work.mkdir(parents=True, exist_ok=True)
    environ = {"HOME": str(home), "VIRTUAL_ENV": str(venv)}
    subprocess.run(
        ["/bin/sh", "-c", '"$0" "$@"', str(launcher), "install", "six"],
        cwd=work,
        env={"PATH": "/usr/bin:/bin", "PWD": str(work), **environ},
        check=True,
    )
    python_says = project_venv_elsewhere(environ, str(work)) is not None
    assert own.exists() == python_says
