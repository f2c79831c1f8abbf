from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from safepip.environment import Environment
from safepip.exceptions import InterpreterError
from safepip.target.interpreter import find_target, probe, venv_root_of
from safepip.target.pep668 import externally_managed

DEBIAN_MARKER = """[externally-managed]
Error=To install Python packages system-wide, try apt install
 python3-xyz, where xyz is the package you are trying to
 install.
"""


def make_env(
    tmp_path: Path, environ: dict[str, str], own: str = "/nonexistent/python"
) -> Environment:
    return Environment(
        environ=environ,
        cwd=tmp_path,
        stdin=io.StringIO(),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        own_executable=own,
    )


def fake_python(directory: Path, name: str = "python3") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


# --- the PEP 668 marker, against fake stdlib folders -------------------------------------------


def test_marker_with_message(tmp_path: Path) -> None:
    (tmp_path / "EXTERNALLY-MANAGED").write_text(DEBIAN_MARKER)
    managed = externally_managed(str(tmp_path))
    assert managed is not None
    assert managed.marker == tmp_path / "EXTERNALLY-MANAGED"
    assert managed.message.startswith("To install Python packages system-wide")
    assert "python3-xyz" in managed.message


def test_no_marker(tmp_path: Path) -> None:
    assert externally_managed(str(tmp_path)) is None


@pytest.mark.parametrize("content", ["", "garbage without section", "[externally-managed]\n"])
def test_marker_without_usable_message_still_counts(tmp_path: Path, content: str) -> None:
    (tmp_path / "EXTERNALLY-MANAGED").write_text(content)
    managed = externally_managed(str(tmp_path))
    assert managed is not None and managed.message == ""


def test_marker_that_is_a_directory_does_not_count(tmp_path: Path) -> None:
    (tmp_path / "EXTERNALLY-MANAGED").mkdir()
    assert externally_managed(str(tmp_path)) is None


# --- which interpreter ------------------------------------------------------------------------


def test_venv_root_from_pyvenv_cfg(tmp_path: Path) -> None:
    python = fake_python(tmp_path / "v" / "bin", "python")
    (tmp_path / "v" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert venv_root_of(str(python)) == tmp_path / "v"
    assert venv_root_of(str(fake_python(tmp_path / "plain" / "bin"))) is None


def test_precedence(tmp_path: Path) -> None:
    on_path = fake_python(tmp_path / "pathbin")
    venv_python = fake_python(tmp_path / "venv" / "bin", "python")
    (tmp_path / "venv" / "pyvenv.cfg").write_text("")
    conda_python = fake_python(tmp_path / "conda" / "bin", "python")
    override = fake_python(tmp_path / "override")
    explicit = fake_python(tmp_path / "explicit")
    environ = {
        "PATH": str(tmp_path / "pathbin"),
        "VIRTUAL_ENV": str(tmp_path / "venv"),
        "CONDA_PREFIX": str(tmp_path / "conda"),
        "SAFEPIP_PYTHON": str(override),
    }
    env = make_env(tmp_path, environ)
    assert find_target(str(explicit), env).path == str(explicit)
    assert find_target(None, env).path == str(override)
    del environ["SAFEPIP_PYTHON"]
    target = find_target(None, make_env(tmp_path, environ))
    assert target.path == str(venv_python) and target.is_venv
    del environ["VIRTUAL_ENV"]
    assert find_target(None, make_env(tmp_path, environ)).path == str(conda_python)
    del environ["CONDA_PREFIX"]
    target = find_target(None, make_env(tmp_path, environ))
    assert target.path == str(on_path) and not target.is_venv
    assert "PATH" in target.chosen_by


def test_python_option_accepts_a_venv_folder(tmp_path: Path) -> None:
    python = fake_python(tmp_path / "v" / "bin", "python")
    assert find_target(str(tmp_path / "v"), make_env(tmp_path, {})).path == str(python)


def test_own_interpreter_is_skipped_on_path(tmp_path: Path) -> None:
    own = fake_python(tmp_path / "own")
    other = fake_python(tmp_path / "other")
    environ = {"PATH": os.pathsep.join([str(own.parent), str(other.parent)])}
    assert find_target(None, make_env(tmp_path, environ, own=str(own))).path == str(other)


def test_unknown_python_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InterpreterError, match="Could not locate Python interpreter nope"):
        find_target("nope", make_env(tmp_path, {"PATH": str(tmp_path)}))
    with pytest.raises(InterpreterError, match="no python3 found"):
        find_target(None, make_env(tmp_path, {"PATH": str(tmp_path / "empty")}))


# --- probing a real interpreter ----------------------------------------------------------------


def test_probe_real_interpreter_and_cache(tmp_path: Path) -> None:
    env = make_env(tmp_path, {"HOME": str(tmp_path), "PATH": os.defpath})
    first = probe(sys.executable, env)
    assert first.version == ".".join(map(str, sys.version_info[:3]))
    folder = tmp_path / ".cache" / "safepip" / "interpreters"
    assert [p.name.endswith(".tags.json") for p in folder.glob("*.json")] == [False]
    assert probe(sys.executable, env) == first


def test_a_cold_probe_also_answers_the_platform_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One interpreter start on a cold cache: the tags and markers come with the probe."""
    from safepip.target import interpreter

    env = make_env(tmp_path, {"HOME": str(tmp_path), "PATH": os.defpath})
    found = probe(sys.executable, env, platform_too=True)
    assert len(list((tmp_path / ".cache" / "safepip" / "interpreters").glob("*.tags.json"))) == 1

    def no_second_start(*args: object, **kwargs: object) -> None:
        raise AssertionError("the interpreter was asked a second time")

    monkeypatch.setattr(interpreter, "ask", no_second_start)
    target = interpreter.platform(found, env)
    assert target.tags and target.markers["python_version"] == "{}.{}".format(*sys.version_info[:2])


def test_probe_of_a_non_python_is_a_clear_error(tmp_path: Path) -> None:
    fake = fake_python(tmp_path / "bin")
    fake.write_text("#!/bin/sh\necho hello\nexit 3\n")
    with pytest.raises(InterpreterError, match="did not answer as Python 3 does"):
        probe(str(fake), make_env(tmp_path, {"HOME": str(tmp_path)}))
