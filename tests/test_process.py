"""safepip.process, safepip.side_by_side and safepip.child_environ: how children start, and
the environment each policy gives them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from safepip.child_environ import Policy
from safepip.side_by_side import output_of_each


def test_each_commands_output_or_none(tmp_path: Path) -> None:
    """Each waits for the other to have started: run one after the other, both would time out."""
    a, b = tmp_path / "a", tmp_path / "b"
    wait = "touch {0}; n=0; while [ ! -e {1} ] && [ $n -lt 500 ]; do sleep 0.01; n=$((n+1)); done"
    outputs = output_of_each(
        [["sh", "-c", wait.format(a, b) + " && [ -e " + str(b) + " ] && echo one"],
         ["sh", "-c", wait.format(b, a) + " && [ -e " + str(a) + " ] && echo two"],
         ["false"], ["/nonexistent/tool"]],
        environ={"PATH": os.defpath},
        timeout=30,
    )  # fmt: skip
    assert outputs == ["one\n", "two\n", None, None]


def test_a_command_over_its_time_is_none() -> None:
    outputs = output_of_each([["sleep", "5"]], environ={"PATH": os.defpath}, timeout=0.2)
    assert outputs == [None]


def _open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else set()


def test_spawned_gives_what_run_captured_gives(tmp_path: Path) -> None:
    """Spawned (os only) and run_captured answer the same: output, errors, status, no stdin."""
    import sys

    from safepip.process import run_captured
    from safepip.side_by_side import Spawned

    code = "import sys; print('out', sys.stdin.read() == ''); print('err' * 30000, file=sys.stderr)"
    cmd = [sys.executable, "-c", code + "; sys.exit(3)"]
    before = _open_fds()
    spawned = Spawned(cmd, environ={"PATH": os.defpath}).finish(30)
    captured = run_captured(cmd, environ={"PATH": os.defpath}, timeout=30)
    assert (spawned.returncode, spawned.stdout, spawned.stderr) == (
        captured.returncode, captured.stdout, captured.stderr)  # fmt: skip
    assert spawned.returncode == 3 and spawned.stdout == "out True\n"
    assert len(spawned.stderr) == 90001  # more than a pipe holds: both read side by side
    assert _open_fds() == before


def test_spawned_over_its_time_is_killed_and_reaped() -> None:
    import subprocess

    from safepip.side_by_side import Spawned

    before = _open_fds()
    spawned = Spawned(["/bin/sleep", "5"], environ={})
    with pytest.raises(subprocess.TimeoutExpired):
        spawned.finish(0.2)
    with pytest.raises(ChildProcessError):
        os.waitpid(spawned._pid, os.WNOHANG)  # already reaped
    assert _open_fds() == before


def test_spawned_that_cannot_start_is_an_oserror_and_leaks_nothing(tmp_path: Path) -> None:
    from safepip.side_by_side import Spawned

    before = _open_fds()
    with pytest.raises(OSError):
        Spawned([str(tmp_path / "missing")], environ={})
    assert _open_fds() == before


def test_an_abandoned_spawn_ends() -> None:
    from safepip.side_by_side import Spawned

    spawned = Spawned(["/bin/sleep", "30"], environ={})
    spawned.abandon()
    with pytest.raises(ChildProcessError):
        os.waitpid(spawned._pid, os.WNOHANG)


def test_held_output_comes_back_with_the_exit_status_and_nothing_reaches_ours(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """Both pipes read side by side: 200 KB on each would fill either one read after the
    other."""
    from safepip.process import run_held

    script = "yes err | head -c 200000 >&2; yes out | head -c 200000; read x; exit 3"
    code, out, err = run_held(["sh", "-c", script], environ=dict(os.environ))
    assert code == 3
    assert len(out) == 200000 and out.startswith(b"out\n")
    assert len(err) == 200000 and err.startswith(b"err\n")
    assert capfd.readouterr() == ("", "")  # and stdin was nothing: read x did not wait


def test_a_held_child_killed_by_a_signal_reports_128_plus_it() -> None:
    from safepip.process import run_held

    code, _, _ = run_held(["sh", "-c", "kill -TERM $$"], environ=dict(os.environ))
    assert code == 128 + 15


# The child environment policies (safepip.child_environ), applied by every start.

USER_ENVIRON = {
    "PATH": "/home/u/.local/bin:/usr/bin",
    "HOME": "/home/u",
    "PIP_INDEX_URL": "https://mirror.example/simple",
    "HTTPS_PROXY": "http://proxy.example:3128",
    "PIP_TARGET": "/elsewhere",
    "PIP_PREFIX": "/elsewhere",
    "PIP_USER": "1",
    "PIP_BREAK_SYSTEM_PACKAGES": "1",
    "PIP_REQUIRE_VIRTUALENV": "1",
    "PIP_FIND_LINKS": "/srv/wheels",
    "PYTHONPATH": "/planted",
    "PYTHONHOME": "/planted",
    "PYTHONSTARTUP": "/planted/start.py",
    "VIRTUAL_ENV": "/home/u/other-venv",
    "CONDA_PREFIX": "/opt/conda",
    "GIT_DIR": "/elsewhere/.git",
    "HGRCPATH": "/planted/hgrc",
}


def test_as_is_leaves_the_environment_untouched() -> None:
    from safepip.child_environ import AS_IS

    child = AS_IS.apply(USER_ENVIRON)
    assert child == USER_ENVIRON and child is not USER_ENVIRON


def test_a_chosen_target_removes_what_would_install_elsewhere() -> None:
    from safepip.child_environ import REDIRECTING_VARIABLES, ChosenTarget

    before = dict(USER_ENVIRON)
    child = ChosenTarget().apply(USER_ENVIRON)
    assert before == USER_ENVIRON  # a new dict: the caller's is not changed
    assert not set(REDIRECTING_VARIABLES) - {"PIP_USER"} & set(child)
    assert "VIRTUAL_ENV" not in child and "CONDA_PREFIX" not in child
    assert child["PIP_USER"] == "0" and child["_PIP_RUNNING_IN_SUBPROCESS"] == "1"
    kept = ("PATH", "HOME", "PIP_INDEX_URL", "HTTPS_PROXY", "PIP_FIND_LINKS", "GIT_DIR")
    assert {k: child[k] for k in kept} == {k: USER_ENVIRON[k] for k in kept}


def test_a_chosen_venv_is_the_active_one() -> None:
    from safepip.child_environ import ChosenTarget

    child = ChosenTarget(venv="/proj/.venv").apply(USER_ENVIRON)
    assert child["VIRTUAL_ENV"] == "/proj/.venv" and "CONDA_PREFIX" not in child
    assert child == dict(ChosenTarget().apply(USER_ENVIRON), VIRTUAL_ENV="/proj/.venv")
    assert ChosenTarget(venv="/a") == ChosenTarget(venv="/a") != ChosenTarget()


def test_safepips_own_pip_standing_in_may_rerun_itself_under_another_python() -> None:
    """pip's ``--python`` re-runs pip under that interpreter unless ``_PIP_RUNNING_IN_SUBPROCESS``
    is set: safepip's own pip standing in for an older one must be allowed to (issue 28)."""
    from safepip.child_environ import ChosenTarget

    environ = dict(USER_ENVIRON, _PIP_RUNNING_IN_SUBPROCESS="1")
    child = ChosenTarget(venv="/proj/.venv", stand_in=True).apply(environ)
    assert "_PIP_RUNNING_IN_SUBPROCESS" not in child
    assert child == {
        k: v for k, v in ChosenTarget(venv="/proj/.venv").apply(environ).items()
        if k != "_PIP_RUNNING_IN_SUBPROCESS"
    }  # fmt: skip


def test_an_interpreter_question_sees_no_pythonpath_or_pythonhome() -> None:
    from safepip.child_environ import QUESTION

    child = QUESTION.apply(USER_ENVIRON)
    assert set(USER_ENVIRON) - set(child) == {"PYTHONPATH", "PYTHONHOME"}
    assert all(child[k] == USER_ENVIRON[k] for k in child)


def test_an_sdist_build_takes_its_index_from_its_command_line_only() -> None:
    from safepip.child_environ import BUILD_VARIABLES, SDIST_BUILD

    child = SDIST_BUILD.apply(USER_ENVIRON)
    assert set(USER_ENVIRON) - set(child) == set(BUILD_VARIABLES) & set(USER_ENVIRON)
    assert "PIP_INDEX_URL" not in child and "PIP_FIND_LINKS" not in child
    assert child["HTTPS_PROXY"] == USER_ENVIRON["HTTPS_PROXY"] and "VIRTUAL_ENV" in child


def test_a_checkout_tool_sees_the_systems_path_and_no_git_or_hg_variables() -> None:
    from safepip.child_environ import CHECKOUT_TOOL
    from safepip.programs import system_folders

    child = CHECKOUT_TOOL.apply(USER_ENVIRON)
    assert "GIT_DIR" not in child and "HGRCPATH" not in child
    assert child["PATH"] == os.pathsep.join(system_folders())
    assert (child["HGPLAIN"], child["HGRCSKIPREPO"]) == ("1", "1")
    assert child["HOME"] == "/home/u" and child["PIP_TARGET"] == "/elsewhere"


def _child_environ(start: str, policy: Policy, capfd: pytest.CaptureFixture[str]) -> dict[str, str]:
    """The environment a child of ``start`` saw, given USER_ENVIRON and ``policy`` (``env``
    shows it: USER_ENVIRON's PYTHONHOME would stop a Python)."""
    import shutil

    from safepip import process, side_by_side

    cmd, given = [shutil.which("env") or "/usr/bin/env", "-0"], USER_ENVIRON
    if start == "run_foreground":
        process.run_foreground(cmd, environ=given, policy=policy)
        out = capfd.readouterr().out
    elif start == "run_held":
        out = process.run_held(cmd, environ=given, policy=policy)[1].decode()
    elif start == "run_captured":
        out = process.run_captured(cmd, environ=given, policy=policy, timeout=30).stdout
    elif start == "output_bytes":
        out = (process.output_bytes(cmd, environ=given, policy=policy, timeout=30) or b"").decode()
    elif start == "Spawned":
        out = side_by_side.Spawned(cmd, environ=given, policy=policy).finish(30).stdout
    else:
        out = side_by_side.output_of_each([cmd], environ=given, policy=policy, timeout=30)[0] or ""
    return dict(line.split("=", 1) for line in out.split("\0") if line)


STARTS = ["run_foreground", "run_held", "run_captured", "output_bytes", "Spawned", "output_of_each"]


@pytest.mark.parametrize("start", STARTS)
def test_every_start_applies_the_policy_it_is_named(
    start: str, capfd: pytest.CaptureFixture[str]
) -> None:
    from safepip.child_environ import AS_IS, QUESTION, ChosenTarget

    for policy in (AS_IS, QUESTION, ChosenTarget(venv="/proj/.venv")):
        assert _child_environ(start, policy, capfd) == policy.apply(USER_ENVIRON)


def test_output_bytes_is_none_where_the_command_fails(tmp_path: Path) -> None:
    from safepip.process import output_bytes

    path = {"PATH": os.defpath}
    assert output_bytes(["printf", "a\\0b"], environ=path, timeout=30) == b"a\0b"
    assert output_bytes(["false"], environ=path, timeout=30) is None
    assert output_bytes([str(tmp_path / "missing")], environ=path, timeout=30) is None
    assert output_bytes(["sleep", "5"], environ=path, timeout=0.2) is None


@pytest.mark.parametrize("tool", ["git", "hg"])
def test_the_checkout_question_is_asked_through_process(
    tool: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """target/venv.py's git and hg questions start through process.output_bytes, with
    CHECKOUT_TOOL: a GIT_DIR or HGRCPATH of the user's does not change the answer."""
    import shutil
    import subprocess

    from safepip import process
    from safepip.child_environ import CHECKOUT_TOOL
    from safepip.target import venv

    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    root = tmp_path / "proj"
    (root / ".venv").mkdir(parents=True)
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    subprocess.run([tool, "init", "-q"] if tool == "git" else [tool, "init"], cwd=root, check=True)
    add = [tool, "add", "-f" if tool == "git" else "-q", ".venv"]
    subprocess.run(add, cwd=root, check=True)
    (tmp_path / "hgrc").write_text("[ui]\nbroken\n")
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("HGRCPATH", str(tmp_path / "hgrc"))
    asked: list[tuple[list[str], Policy]] = []
    real = process.output_bytes

    def spy(
        cmd: list[str], *, environ: Mapping[str, str], policy: Policy, timeout: float
    ) -> bytes | None:
        asked.append((cmd, policy))
        return real(cmd, environ=environ, policy=policy, timeout=timeout)

    monkeypatch.setattr(process, "output_bytes", spy)
    tracked = venv._git_checked_out if tool == "git" else venv._hg_tracked
    assert tracked(root / ".venv")
    assert [(os.path.basename(cmd[0]), policy) for cmd, policy in asked] == [(tool, CHECKOUT_TOOL)]
