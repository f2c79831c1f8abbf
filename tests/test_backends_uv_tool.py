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
from safepip.cli.options import SafepipOptions
from safepip.decide.model import Decision, Item, Planned
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


def fake_uv(folder: Path, log: Path) -> Path:
    """A uv that logs each command line and answers ``tool dir`` (``--bin``) with folders."""
    folder.mkdir(parents=True)
    uv = folder / "uv"
    uv.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {log}\n'
        f'case "$*" in "tool dir --bin") echo {folder}/bin;; "tool dir") echo {folder}/tools;;\n'
        "esac\n"
    )
    uv.chmod(0o755)
    return uv


def context(tmp_path: Path, cwd: Path, uv: Path) -> Context:
    env = Environment(
        environ={"HOME": str(tmp_path), "PATH": f"{uv.parent}:{os.defpath}"},
        cwd=cwd,
        stdin=io.StringIO(),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
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
