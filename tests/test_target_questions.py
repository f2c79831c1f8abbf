"""safepip.target.questions: the early probe, whose answer the probe collects, and the tags
safepip answers itself for the interpreter its own venv was made from."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest

from safepip.environment import Environment
from safepip.target import interpreter, questions

BASE = getattr(sys, "_base_executable", sys.executable)


def make_env(tmp_path: Path, own: str = "/nonexistent/python") -> Environment:
    return Environment(
        environ={"HOME": str(tmp_path), "PATH": os.defpath},
        cwd=tmp_path,
        stdin=io.StringIO(),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        own_executable=own,
    )


def no_second_start(*args: object, **kwargs: object) -> None:
    raise AssertionError("the interpreter was asked a second time")


@pytest.fixture(autouse=True)
def no_early_left() -> object:
    yield
    for _, started in questions._early.values():
        started.abandon()
    questions._early.clear()


def test_the_probe_collects_the_early_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = make_env(tmp_path)
    questions.ask_early(sys.executable, env.environ, env.own_executable, platform_too=True)
    monkeypatch.setattr(interpreter, "ask", no_second_start)
    found = interpreter.probe(sys.executable, env)
    assert found.executable and found.version == ".".join(map(str, sys.version_info[:3]))
    assert questions._early == {}  # taken
    tags = interpreter.platform(found, env)  # came with the early start, cached by the probe
    assert tags.markers["python_version"] == "{}.{}".format(*sys.version_info[:2])


def test_an_early_answer_from_another_environment_is_not_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = make_env(tmp_path)
    other = dict(env.environ, LC_ALL="C")
    questions.ask_early(sys.executable, other, env.own_executable, platform_too=False)
    asked: list[str] = []
    real_ask = interpreter.ask

    def counting_ask(*args: str, env: Environment) -> object:
        asked.append(args[0])
        return real_ask(*args, env=env)

    monkeypatch.setattr(interpreter, "ask", counting_ask)
    interpreter.probe(sys.executable, env)
    assert asked == [sys.executable] and questions._early == {}


def test_an_early_start_that_fails_leaves_the_probes_own_error(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    missing = str(tmp_path / "python3")
    questions.ask_early(missing, env.environ, env.own_executable, platform_too=False)
    assert questions._early == {}
    from safepip.exceptions import InterpreterError

    with pytest.raises(InterpreterError, match="could not be started"):
        interpreter.probe(missing, env)


def test_only_safepips_own_base_is_answered_in_process(tmp_path: Path) -> None:
    assert not questions.runs_as_own(BASE, "/some/other/python")  # safepip runs elsewhere
    assert not questions.runs_as_own(str(tmp_path / "missing"), sys.executable)


@pytest.mark.skipif(
    not questions.runs_as_own(BASE, sys.executable), reason="the tests' python has no base"
)
def test_own_tags_are_the_ones_the_interpreter_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """For the interpreter safepip's venv was made from, safepip answers the tags question
    itself; the answer is the one that interpreter gives when asked (here, for real)."""
    env = make_env(tmp_path, own=sys.executable)
    assert questions.runs_as_own(os.path.realpath(BASE), sys.executable)
    asked = interpreter.ask(BASE, questions.TAGS, questions.packaging_location(), env=env)
    data = json.loads(asked.stdout)
    found = interpreter.probe(BASE, env, platform_too=True)  # no tags asked with it
    assert list((tmp_path / ".cache" / "safepip" / "interpreters").glob("*.tags.json")) == []
    monkeypatch.setattr(interpreter, "ask", no_second_start)
    own = interpreter.platform(found, env)
    assert list(own.tags) == data["tags"] and own.markers == data["markers"]


def test_first_on_path_skips_safepips_own_folder(tmp_path: Path) -> None:
    own, other = tmp_path / "own", tmp_path / "other"
    for folder in (own, other):
        folder.mkdir()
        for name in ("python3", "python"):
            (folder / name).write_text("#!/bin/sh\n")
            (folder / name).chmod(0o755)
    (other / "python3").chmod(0o644)  # not executable: the next name is taken
    environ = {"PATH": f"{own}:{other}"}
    assert questions.first_on_path(environ, str(own / "python")) == str(other / "python")
    assert questions.first_on_path({"PATH": str(own)}, str(own / "python")) is None


def test_sha256_is_hashlibs_without_importing_it() -> None:
    import hashlib

    for data in (b"", b"cache key", os.fsencode("/tmp/\udcff-not-utf8")):
        assert questions.sha256_hex(data) == hashlib.sha256(data).hexdigest()
