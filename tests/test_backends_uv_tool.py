"""safepip.backends.uv_tool: a plugin goes with its application (``uv tool install APP --with
PLUGIN``), an application alone."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

from safepip.backends.base import Context, Request
from safepip.backends.uv import Uv
from safepip.backends.uv_tool import UvTool, tool_args
from safepip.decide.model import Decision, Item, Planned, SafepipOptions
from safepip.environment import Environment
from safepip.pip.index_options import IndexOptions
from safepip.pip.parser import parse
from safepip.report import Reporter
from safepip.target.interpreter import Interpreter, Probe
from safepip.target.project import venv_target


def step(item: Item) -> Planned:
    return Planned(item, Decision("pipx", ("test",)))


def test_a_plugin_is_installed_with_its_application() -> None:
    pip_args = parse(["install", "mkdocs-material"])
    plugin = Item("mkdocs-material", "name", "mkdocs-material", inject_into="mkdocs")
    args = tool_args(step(plugin), pip_args, IndexOptions(), "/py")
    assert args[:4] == ["tool", "install", "--python", "/py"]
    assert args[-3:] == ["mkdocs", "--with", "mkdocs-material"]
    app = Item("black", "name", "black", ("black",), commands_known=True)
    assert tool_args(step(app), parse(["install", "black"]), IndexOptions(), "/py")[-1] == "black"


def fake_uv(folder: Path, log: Path, *, refuse: bool = False) -> Path:
    """A uv that logs each command line and answers ``tool dir`` (``--bin``) with folders;
    ``refuse``: its ``tool install`` fails, as uv's for a package with no commands."""
    folder.mkdir(parents=True)
    uv = folder / "uv"
    refusal = '"tool install"*) exit 2;;' if refuse else ""
    uv.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {log}\n'
        f'case "$*" in "tool dir --bin") echo {folder}/bin;; "tool dir") echo {folder}/tools;;\n'
        f"{refusal}esac\n"
    )
    uv.chmod(0o755)
    return uv


def context(tmp_path: Path, cwd: Path, uv: Path, *, terminal: bool = False) -> Context:
    env = Environment(
        environ={"HOME": str(tmp_path), "PATH": f"{uv.parent}:{os.defpath}"},
        cwd=cwd,
        stdin=io.StringIO(),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        stdin_isatty=terminal,
        stdout_isatty=terminal,
        stderr_isatty=terminal,
    )
    return Context(parse(["install", "black"]), env, Reporter(env), venv_target(cwd, tmp_path))


def request() -> Request:
    probe = Probe("/usr/bin/python3", "3.11.2", "/usr", "/usr", "/usr/lib", "/usr/lib", True)
    return Request(Interpreter("/usr/bin/python3", "test", None), probe, SafepipOptions())


def test_outside_a_project_the_tool_dirs_are_asked_before_the_plan(tmp_path: Path) -> None:
    log = tmp_path / "log"
    uv = fake_uv(tmp_path / "uvbin", log)
    elsewhere = tmp_path / "downloads"
    elsewhere.mkdir()
    backend = UvTool(context(tmp_path, elsewhere, uv), Uv(str(uv)))
    backend.prepare()
    for _ in range(500):  # both answered before any install (they run side by side)
        if log.exists() and len(log.read_text().splitlines()) == 2:
            break
        time.sleep(0.01)
    assert sorted(log.read_text().splitlines()) == ["tool dir", "tool dir --bin"]
    app = Item("black", "name", "black", ("black",), commands_known=True)
    outcome = backend.install([step(app)], request())
    lines = log.read_text().splitlines()
    assert len([line for line in lines if line.startswith("tool dir")]) == 2  # not asked again
    assert lines[-1].startswith("tool install --python /usr/bin/python3") and outcome.done
    assert str(tmp_path / "uvbin" / "bin") in outcome.done[-1]  # the PATH hint: its answer


def test_inside_a_project_nothing_is_asked_before_the_install(tmp_path: Path) -> None:
    log = tmp_path / "log"
    uv = fake_uv(tmp_path / "uvbin", log)
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text("")
    backend = UvTool(context(tmp_path, project, uv), Uv(str(uv)))
    backend.prepare()
    time.sleep(0.2)
    assert not log.exists()
    app = Item("black", "name", "black", ("black",), commands_known=True)
    backend.install([step(app)], request())
    assert sorted(log.read_text().splitlines())[:2] == ["tool dir", "tool dir --bin"]


def test_on_a_terminal_nothing_is_installed_before_the_look_up(tmp_path: Path) -> None:
    """There uv's progress shows live, after the look-up: first() leaves it to install()."""
    log = tmp_path / "log"
    uv = fake_uv(tmp_path / "uvbin", log)
    guess = Item("black", "name", "black", ("?",), commands_known=True)
    backend = UvTool(context(tmp_path, tmp_path, uv, terminal=True), Uv(str(uv)))
    assert backend.first(step(guess), request()) is None
    assert not log.exists()


def test_a_tool_install_uv_refuses_leaves_the_decision_to_the_look_up(tmp_path: Path) -> None:
    """uv refuses the tool (as for a package without commands): first() says None, and if
    the look-up still makes it an application, install() asks uv again, on the terminal."""
    log = tmp_path / "log"
    uv = fake_uv(tmp_path / "uvbin", log, refuse=True)
    elsewhere = tmp_path / "downloads"
    elsewhere.mkdir()
    guess = Item("black", "name", "black", ("?",), commands_known=True)
    backend = UvTool(context(tmp_path, elsewhere, uv), Uv(str(uv)))
    assert backend.first(step(guess), request()) is None
    installs = [line for line in log.read_text().splitlines() if line.startswith("tool install")]
    assert len(installs) == 1 and "uninstall" not in log.read_text()
    outcome = backend.install([step(guess)], request())
    assert outcome.codes == [2]
    installs = [line for line in log.read_text().splitlines() if line.startswith("tool install")]
    assert len(installs) == 2
