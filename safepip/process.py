"""The one place safepip starts other programs.

Two concerns live here, after pipx's ``run_subprocess``/``_fix_subprocess_env``:

* the environment pip sees when safepip installs somewhere of its own choosing (a ``.venv``,
  pipx) is cleaned of what would send the install elsewhere, and keeps everything else (index,
  proxy, certificate settings);
* the child runs in the foreground with the user's own terminal (so pip's prompts, progress
  bars and colours behave exactly as without safepip), and signals reach it exactly once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from types import FrameType
from typing import Callable

from safepip.exceptions import Interrupted


def run_foreground(
    cmd: Sequence[str],
    *,
    environ: Mapping[str, str],
    cwd: str | None = None,
    interactive: bool = False,
    terminate_as_interrupt: bool = False,
    quiet: bool = False,
) -> int:
    """Run ``cmd`` sharing our stdin/stdout/stderr and return its exit status.

    ``terminate_as_interrupt`` passes SIGTERM/SIGHUP on as SIGINT, for children that clean up
    only on KeyboardInterrupt (pipx removes a half-made app venv then, not on SIGTERM); the
    exit status still says which signal safepip got.

    A child killed by a signal reports 128 + signal, as a shell does. Signals reach the child
    exactly once:

    * ``interactive`` (stdin is a terminal): the child stays in the terminal's foreground process
      group, so that it can prompt; a Ctrl-C reaches it from the terminal directly, so SIGINT is
      passed on only if the child still runs two seconds later (a ``kill -INT`` of safepip
      alone). SIGTERM and SIGHUP are passed on at once.
    * otherwise (scripts, CI): the child gets a process group of its own and every signal safepip
      receives is passed to that whole group, so that grandchildren (pipx's pip) end too.

    If a signal arrived, :class:`Interrupted` is raised after the child has ended.
    """
    received: list[int] = []
    holder: list[subprocess.Popen[bytes]] = []
    forward = _forwarder(received, holder, interactive, terminate_as_interrupt)
    with _handlers(forward):
        if received:
            raise Interrupted(received[0])
        holder.append(_popen(cmd, environ, cwd, own_group=not interactive, quiet=quiet))
        code = _wait(holder[0])
        if received and not interactive:
            _send(holder[0], signal.SIGKILL, True, only_if_running=False)  # stragglers
    if received:
        raise Interrupted(received[0])
    return 128 - code if code < 0 else code


def _forwarder(
    received: list[int],
    holder: list[subprocess.Popen[bytes]],
    interactive: bool,
    terminate_as_interrupt: bool,
) -> Callable[[int, FrameType | None], None]:
    """The signal handler that records a signal and passes it on to the child (see
    :func:`run_foreground`)."""

    def forward(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        if not holder:
            return  # not started yet: it will not be
        if terminate_as_interrupt:
            signum = signal.SIGINT
        if signum == signal.SIGINT and interactive:
            timer = threading.Timer(2.0, _send, (holder[0], signum, False))
            timer.daemon = True
            timer.start()
        else:
            _send(holder[0], signum, not interactive)

    return forward


def _wait(proc: subprocess.Popen[bytes]) -> int:
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:  # pragma: no cover - handler replaced, kept for safety
            continue


def _popen(
    cmd: Sequence[str],
    environ: Mapping[str, str],
    cwd: str | None,
    *,
    own_group: bool,
    quiet: bool = False,
) -> subprocess.Popen[bytes]:
    """Start ``cmd``; ``quiet`` (pip's ``-q`` for a tool that has none, as pipx 1.1) drops its
    standard output, never its errors."""
    stdout = subprocess.DEVNULL if quiet else None
    if not own_group:
        return subprocess.Popen(list(cmd), env=dict(environ), cwd=cwd, stdout=stdout)
    if sys.version_info >= (3, 11):
        return subprocess.Popen(
            list(cmd), env=dict(environ), cwd=cwd, stdout=stdout, process_group=0
        )
    return subprocess.Popen(  # pragma: no cover - Python < 3.11
        list(cmd), env=dict(environ), cwd=cwd, stdout=stdout, preexec_fn=os.setpgrp
    )


def _send(
    proc: subprocess.Popen[bytes], signum: int, group: bool, *, only_if_running: bool = True
) -> None:
    if only_if_running and proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if group:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)


class _handlers:
    """Install ``handler`` for SIGINT/SIGTERM/SIGHUP while a child runs (main thread only)."""

    _SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self, handler: Callable[[int, FrameType | None], None]) -> None:
        self._handler = handler
        self._saved: dict[int, object] = {}

    def __enter__(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in self._SIGNALS:
            self._saved[signum] = signal.signal(signum, self._handler)

    def __exit__(self, *_exc: object) -> None:
        for signum, previous in self._saved.items():
            signal.signal(signum, previous)  # type: ignore[arg-type]


def run_captured(
    cmd: Sequence[str],
    *,
    environ: Mapping[str, str],
    timeout: float | None = None,
    merge_stderr: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run a short helper command without a terminal and capture its output as text
    (interpreter questions, venv creation, sdist builds); ``merge_stderr`` puts stderr into
    ``stdout``. Raises OSError or :class:`subprocess.SubprocessError` (a timeout)."""
    return subprocess.run(
        list(cmd),
        env=dict(environ),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
        text=True,
        errors="replace",
        timeout=timeout,
        check=False,
    )


def output_of_each(
    commands: Sequence[Sequence[str]], *, environ: Mapping[str, str], timeout: float
) -> list[str | None]:
    """Run short helper commands side by side (no terminal); each one's stdout, or None where it
    could not start, failed or took longer than ``timeout``."""
    started: list[subprocess.Popen[str] | None] = []
    for cmd in commands:
        try:
            started.append(
                subprocess.Popen(
                    list(cmd),
                    env=dict(environ),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    text=True,
                    errors="replace",
                )
            )
        except OSError:
            started.append(None)
    outputs: list[str | None] = []
    for process in started:
        if process is None:
            outputs.append(None)
            continue
        try:
            out, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            outputs.append(None)
            continue
        outputs.append(out if process.returncode == 0 else None)
    return outputs


def interpreter_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment an interpreter is questioned in: none of the variables that would make it
    import something other than its own standard library."""
    return {k: v for k, v in environ.items() if k not in ("PYTHONHOME", "PYTHONPATH")}


def interrupt_guard() -> _handlers:
    """Turn SIGTERM/SIGHUP into :class:`Interrupted` (SIGINT already is KeyboardInterrupt) while
    safepip works by itself, so that cleanup code runs."""

    def raise_interrupted(signum: int, _frame: FrameType | None) -> None:
        raise Interrupted(signum)

    return _handlers(raise_interrupted)
