"""safepip.decide.warm_cache: what a redirect remembers for the warm path, and every change that
makes it forget. Real: the machine's externally managed python3, a venv made by ``venv``, git."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from support.environ import hermetic_env

from safepip.decide.warm_cache import WarmFacts, recall, stamp_file, store
from safepip.environment import Environment


def ready_venv(project: Path, managed_python: Path, *names: str) -> Path:
    """A real venv (without pip's own install: a stand-in ``pip`` package and ``dist-info``
    folders named ``names``, which is all the facts look at)."""
    venv = project / ".venv"
    subprocess.run([str(managed_python), "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next(venv.glob("lib/python*/site-packages"))
    (site / "pip").mkdir()
    (site / "pip" / "__init__.py").write_text("")
    for name in ("pip-25.0", *names):
        (site / f"{name}.dist-info").mkdir()
    return venv


@pytest.fixture
def world(project: Path, managed_python: Path) -> Callable[[], Environment]:
    """A project with a ready .venv; returns a fresh Environment (as each run builds one)."""
    ready_venv(project, managed_python, "requests-2.0")
    environ = hermetic_env(project.parent, None, path_first=(str(managed_python.parent),))
    environ["PIP_CONFIG_FILE"] = str(project.parent / "pip-test.conf")  # absent until a test

    def make(**changes: str) -> Environment:
        return Environment(
            environ=dict(environ, **changes),
            cwd=project,
            stdin_isatty=False,
            stdout_isatty=False,
            stderr_isatty=False,
        )

    return make


def remembered(env: Environment) -> WarmFacts | None:
    store(env)
    return recall(env.environ, str(env.cwd))


def test_remembered_facts_are_recalled(
    world: Callable[[], Environment], project: Path, managed_python: Path
) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0"\ndependencies = ["Flask>=3"]\n'
    )
    facts = remembered(world())
    assert facts is not None
    assert facts.project == str(project)
    assert facts.venv == str(project / ".venv")
    assert os.path.realpath(facts.target) == os.path.realpath(managed_python)
    assert facts.declared == {"flask": "pyproject.toml [project] dependencies"}
    stamp = Path(stamp_file(world().environ, str(project)))
    assert stamp.is_file() and str(project) in stamp.read_text()


CHANGES: dict[str, Callable[[Path], object]] = {
    "pyproject.toml edited": lambda p: (p / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "1"\n'
    ),
    "a requirements file added": lambda p: (p / "requirements-dev.txt").write_text("black\n"),
    "the .venv replaced": lambda p: (p / ".venv" / "pyvenv.cfg").write_text("home = /nowhere\n"),
    "a python3 earlier on PATH": lambda p: _python_on_path(p),
    "git init above the project": lambda p: subprocess.run(
        ["git", "init", "-q", str(p.parent)], check=True
    ),
    "a user config.toml": lambda p: _write(p.parent / ".config" / "safepip" / "config.toml", ""),
    "a pip.conf": lambda p: _write(p.parent / "pip-test.conf", "[global]\n"),
}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _python_on_path(project: Path) -> None:
    first = project.parent / "first-bin"
    first.mkdir(exist_ok=True)
    (first / "python3").write_text("#!/bin/sh\n")
    (first / "python3").chmod(0o755)


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_any_change_forgets(change: str, world: Callable[..., Environment], project: Path) -> None:
    env = world(PATH=f"{project.parent / 'first-bin'}:{world().environ['PATH']}")
    assert remembered(env) is not None
    CHANGES[change](project)
    assert recall(env.environ, str(project)) is None, change


@pytest.mark.parametrize(
    "variable", ["PIP_INDEX_URL", "SAFEPIP_ROUTE", "PIP_BREAK_SYSTEM_PACKAGES", "PATH"]
)
def test_a_changed_variable_forgets(variable: str, world: Callable[..., Environment]) -> None:
    env = world()
    assert remembered(env) is not None
    other = dict(env.environ, **{variable: "/changed"})
    assert recall(other, str(env.cwd)) is None


def test_an_other_folder_has_no_facts(world: Callable[[], Environment], project: Path) -> None:
    assert remembered(world()) is not None
    (project / "src").mkdir()
    assert recall(world().environ, str(project / "src")) is None


@pytest.mark.parametrize(
    "setting",
    [
        "[tool.safepip] in pyproject.toml",
        "SAFEPIP_UV=1",
        "SAFEPIP_ROUTES",
        "break-system-packages",
        "an untrusted .venv",
        "no pip in the .venv",
    ],
)
def test_nothing_remembered_where_a_warm_install_would_not_go_to_the_venv(
    setting: str, world: Callable[..., Environment], project: Path
) -> None:
    changes: dict[str, str] = {}
    site = next((project / ".venv").glob("lib/python*/site-packages"))
    if setting.startswith("[tool"):
        with (project / "pyproject.toml").open("a") as stream:
            stream.write('[tool.safepip]\npackages = { black = "pipx" }\n')
    elif setting == "SAFEPIP_UV=1":
        changes["SAFEPIP_UV"] = "1"
    elif setting == "SAFEPIP_ROUTES":
        changes["SAFEPIP_ROUTES"] = "black=pipx"
    elif setting == "break-system-packages":
        changes["PIP_BREAK_SYSTEM_PACKAGES"] = "1"
    elif setting == "an untrusted .venv":
        cfg = project / ".venv" / "pyvenv.cfg"
        cfg.write_text(cfg.read_text().replace("home = ", f"home = {project}/fake"))
    else:
        (site / "pip" / "__init__.py").unlink()
    env = world(**changes)
    store(env)
    assert not Path(stamp_file(env.environ, str(project))).exists()
    assert recall(env.environ, str(project)) is None


def test_stale_facts_are_removed(world: Callable[[], Environment], project: Path) -> None:
    env = world()
    assert remembered(env) is not None
    with (project / "pyproject.toml").open("a") as stream:
        stream.write('[tool.safepip]\ndefault = "pipx"\n')
    store(env)
    assert not Path(stamp_file(env.environ, str(project))).exists()


def test_a_broken_or_foreign_file_is_no_facts(
    world: Callable[[], Environment], project: Path
) -> None:
    env = world()
    stamp = Path(stamp_file(env.environ, str(project)))
    stamp.parent.mkdir(parents=True)
    for text in ("", "safepip-warm 1\n", "garbage\n" * 10, "\xff\xfe"):
        stamp.write_text(text, encoding="latin-1")
        assert recall(env.environ, str(project)) is None
    assert remembered(env) is not None
    whole = stamp.read_text()
    header = "".join(whole.splitlines(keepends=True)[:6])
    for cut in (whole[:-4], header + "end\n"):  # not whole; whole but watching nothing
        stamp.write_text(cut)
        assert recall(env.environ, str(project)) is None, cut


def test_a_venv_that_comes_to_be_committed_is_forgotten_and_never_remembered(
    world: Callable[[], Environment], project: Path
) -> None:
    """The trust rule of issue 15: a .venv tracked by git is never run, warm path included."""
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    env = world()
    assert remembered(env) is not None  # an untracked .venv is trusted
    subprocess.run([*git, "add", "-f", ".venv/pyvenv.cfg"], check=True)
    assert recall(env.environ, str(project)) is None
    store(env)
    assert not Path(stamp_file(env.environ, str(project))).exists()
