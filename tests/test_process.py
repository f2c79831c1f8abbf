"""safepip.process: the helper commands run side by side."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
