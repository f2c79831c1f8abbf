from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from safepip.target.lock import EnvironmentLock

HOLDER = """
import sys, time
from pathlib import Path
from safepip.target.lock import EnvironmentLock
with EnvironmentLock(Path(sys.argv[1]), Path(sys.argv[2]), on_wait=lambda: None):
    print("held", flush=True)
    time.sleep(60)
"""


def test_second_holder_waits_and_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    locks, venv = tmp_path / "locks", tmp_path / "proj" / ".venv"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(locks), str(venv)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        waited: list[bool] = []

        def kill_soon() -> None:
            waited.append(True)
            os.kill(holder.pid, signal.SIGKILL)

        start = time.monotonic()
        with EnvironmentLock(locks, venv, on_wait=kill_soon):
            pass
        assert waited == [True]
        assert time.monotonic() - start < 10
    finally:
        holder.kill()
        holder.wait()


def test_different_environments_do_not_block(tmp_path: Path) -> None:
    calls: list[int] = []
    with (
        EnvironmentLock(tmp_path, tmp_path / "a", on_wait=lambda: calls.append(1)),
        EnvironmentLock(tmp_path, tmp_path / "b", on_wait=lambda: calls.append(1)),
    ):
        pass
    assert calls == []


def test_a_lock_folder_that_cannot_be_made_falls_back_to_the_environments_folder(
    tmp_path: Path,
) -> None:
    """A read-only or broken cache (here a file where the folder would be): the lock is taken on
    the folder holding the environment, which leaves no file there and still serialises."""
    blocked = tmp_path / "cache"
    blocked.write_text("not a folder")
    locks, venv = blocked / "locks", tmp_path / "proj" / ".venv"
    venv.parent.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(locks), str(venv)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        waited: list[bool] = []
        notes: list[str] = []

        def kill_soon() -> None:
            waited.append(True)
            os.kill(holder.pid, signal.SIGKILL)

        with EnvironmentLock(locks, venv, kill_soon, notes.append):
            pass
        assert waited == [True] and notes == []
        assert sorted(os.listdir(venv.parent)) == []
    finally:
        holder.kill()
        holder.wait()


def test_nowhere_to_lock_runs_unlocked_with_a_note(tmp_path: Path) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("not a folder")
    notes: list[str] = []
    with EnvironmentLock(blocked / "locks", blocked / "sub" / ".venv", lambda: None, notes.append):
        pass
    assert len(notes) == 1 and notes[0].startswith("no lock for this run"), notes


def test_a_lock_this_process_holds_is_shared_not_waited_for(tmp_path: Path) -> None:
    calls: list[int] = []
    with (
        EnvironmentLock(tmp_path, tmp_path / "a", on_wait=lambda: calls.append(1)),
        EnvironmentLock(tmp_path, tmp_path / "a", on_wait=lambda: calls.append(1)),
    ):
        pass
    assert calls == []
