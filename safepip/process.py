"""The one place safepip starts other programs and waits for them (with
:mod:`safepip.side_by_side` for those started now and read later; only the warm and the fast
path's ``exec`` start one elsewhere).

Two concerns live here, after pipx's ``run_subprocess``/``_fix_subprocess_env``:

* every child's environment is made here from the environment as it is, by the policy its
  caller names (:mod:`safepip.child_environ`): pip installing somewhere of safepip's own
  choosing (a ``.venv``, pipx) sees nothing that would send the install elsewhere, and keeps
  everything else (index, proxy, certificate settings); nobody cleans an environment by hand
  (``policy`` is :data:`~safepip.child_environ.AS_IS` unless named, and every start in safepip
  names one: ``tests/test_layout.py``);
* the child runs in the foreground with the user's own terminal (so pip's prompts, progress
  bars and colours behave exactly as without safepip), and signals reach it exactly once.
"""

from __future__ import annotations

import os
import sys

from safepip.child_environ import AS_IS
from safepip.exceptions import Interrupted

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Mapping, Sequence
    from types import FrameType
    from typing import Callable

    from safepip.child_environ import Policy


def run_foreground(
    cmd: Sequence[str],
    *,
    environ: Mapping[str, str],
    policy: Policy = AS_IS,
    cwd: str | None = None,
    interactive: bool = False,
    terminate_as_interrupt: bool = False,
    quiet: bool = False,
) -> int:
    """Run ``cmd`` sharing our stdin/stdout/stderr and return its exit status. Its environment
    is ``environ`` as ``policy`` has it (as for every start here and in ``side_by_side``).

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
    child = policy.apply(environ)
    code, _, _ = _run(cmd, child, cwd, interactive, terminate_as_interrupt, quiet, held=False)
    return code


def run_held(
    cmd: Sequence[str],
    *,
    environ: Mapping[str, str],
    policy: Policy = AS_IS,
    cwd: str | None = None,
) -> tuple[int, bytes, bytes]:
    """:func:`run_foreground` without a terminal, its standard output and errors held back:
    the exit status and both outputs, for the caller to show or to drop. Signals are passed on
    as in a script (to the child's own process group), and :class:`Interrupted` is raised after
    the child has ended."""
    return _run(cmd, policy.apply(environ), cwd, False, False, False, held=True)


def _run(
    cmd: Sequence[str],
    environ: dict[str, str],
    cwd: str | None,
    interactive: bool,
    terminate_as_interrupt: bool,
    quiet: bool,
    *,
    held: bool,
) -> tuple[int, bytes, bytes]:
    import signal

    received: list[int] = []
    holder: list[subprocess.Popen[bytes]] = []
    forward = _forwarder(received, holder, interactive, terminate_as_interrupt)
    with _handlers(forward):
        if received:
            raise Interrupted(received[0])
        holder.append(_popen(cmd, environ, cwd, own_group=not interactive, quiet=quiet, held=held))
        code, out, err = _wait(holder[0], held)
        if received and not interactive:
            _send(holder[0], signal.SIGKILL, True, only_if_running=False)  # stragglers
    if received:
        raise Interrupted(received[0])
    return (128 - code if code < 0 else code), out, err


def _forwarder(
    received: list[int],
    holder: list[subprocess.Popen[bytes]],
    interactive: bool,
    terminate_as_interrupt: bool,
) -> Callable[[int, FrameType | None], None]:
    """The signal handler that records a signal and passes it on to the child (see
    :func:`run_foreground`)."""

    import signal

    def forward(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        if not holder:
            return  # not started yet: it will not be
        if terminate_as_interrupt:
            signum = signal.SIGINT
        if signum == signal.SIGINT and interactive:
            import threading

            timer = threading.Timer(2.0, _send, (holder[0], signum, False))
            timer.daemon = True
            timer.start()
        else:
            _send(holder[0], signum, not interactive)

    return forward


def _wait(proc: subprocess.Popen[bytes], held: bool) -> tuple[int, bytes, bytes]:
    """The child's exit status, and its two outputs where they are ``held`` (read side by
    side until it ends, so that neither pipe fills)."""
    while True:
        try:
            if held:
                stdout, stderr = proc.communicate()
                return proc.returncode, stdout, stderr
            return proc.wait(), b"", b""
        except KeyboardInterrupt:  # pragma: no cover - handler replaced, kept for safety
            continue


def _popen(
    cmd: Sequence[str],
    environ: dict[str, str],
    cwd: str | None,
    *,
    own_group: bool,
    quiet: bool = False,
    held: bool = False,
) -> subprocess.Popen[bytes]:
    """Start ``cmd``; ``quiet`` (pip's ``-q`` for a tool that has none, as pipx 1.1) drops its
    standard output, never its errors; ``held`` takes both into pipes (and stdin from nothing)."""
    import subprocess

    group: dict[str, object] = {}
    if own_group:  # preexec_fn before Python 3.11
        group = {"process_group": 0} if sys.version_info >= (3, 11) else {"preexec_fn": os.setpgrp}
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        list(cmd),
        env=environ,
        cwd=cwd,
        stdin=subprocess.DEVNULL if held else None,
        stdout=subprocess.PIPE if held else subprocess.DEVNULL if quiet else None,
        stderr=subprocess.PIPE if held else None,
        **group,
    )


def _send(
    proc: subprocess.Popen[bytes], signum: int, group: bool, *, only_if_running: bool = True
) -> None:
    if only_if_running and proc.poll() is not None:
        return
    try:
        if group:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)
    except (ProcessLookupError, PermissionError):
        pass


class _handlers:
    """Install ``handler`` for SIGINT/SIGTERM/SIGHUP while a child runs (main thread only)."""

    def __init__(self, handler: Callable[[int, FrameType | None], None]) -> None:
        self._handler = handler
        self._saved: dict[int, object] = {}

    def __enter__(self) -> None:
        import signal
        import threading

        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            self._saved[signum] = signal.signal(signum, self._handler)

    def __exit__(self, *_exc: object) -> None:
        import signal

        for signum, previous in self._saved.items():
            signal.signal(signum, previous)  # type: ignore[arg-type]


def run_captured(
    cmd: Sequence[str],
    *,
    environ: Mapping[str, str],
    policy: Policy = AS_IS,
    timeout: float | None = None,
    merge_stderr: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run a short helper command without a terminal and capture its output as text
    (interpreter questions, venv creation, sdist builds); ``merge_stderr`` puts stderr into
    ``stdout``. Raises OSError or :class:`subprocess.SubprocessError` (a timeout)."""
    import subprocess

    return subprocess.run(
        list(cmd),
        env=policy.apply(environ),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
        text=True,
        errors="replace",
        timeout=timeout,
        check=False,
    )


def output_bytes(
    cmd: Sequence[str], *, environ: Mapping[str, str], policy: Policy = AS_IS, timeout: float
) -> bytes | None:
    """A helper command's standard output as it wrote it (paths, not text; a decompressed apt
    list of 50 MB), without a terminal; None where it could not start, failed, or took longer
    than ``timeout``. The output goes through a temporary file, not a pipe: read back whole,
    50 MB take 0.08 s instead of 0.25 s."""
    import subprocess
    import tempfile

    try:
        with tempfile.TemporaryFile() as out:
            done = subprocess.run(
                list(cmd),
                env=policy.apply(environ),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.DEVNULL,
                timeout=timeout,
                check=False,
            )
            out.seek(0)
            return out.read() if done.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def interrupt_guard() -> _handlers:
    """Turn SIGTERM/SIGHUP into :class:`Interrupted` (SIGINT already is KeyboardInterrupt) while
    safepip works by itself, so that cleanup code runs."""

    def raise_interrupted(signum: int, _frame: FrameType | None) -> None:
        raise Interrupted(signum)

    return _handlers(raise_interrupted)
