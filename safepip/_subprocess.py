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
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence
from types import FrameType
from typing import Callable

from ._exceptions import Interrupted

#: Variables that would make pip install somewhere other than the environment safepip chose.
REDIRECTING_VARIABLES = (
    "PIP_TARGET",
    "PIP_PREFIX",
    "PIP_ROOT",
    "PIP_USER",
    "PIP_PYTHON",
    "PIP_BREAK_SYSTEM_PACKAGES",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONUSERBASE",
    "PYTHONSTARTUP",
    "PYTHONEXECUTABLE",
    "__PYVENV_LAUNCHER__",
    "PIP_REQUIRE_VIRTUALENV",
)


def clean_environ(environ: Mapping[str, str], *, venv: str | None = None) -> dict[str, str]:
    """The environment for pip running into an environment safepip chose.

    ``PIP_USER=0`` overrides a ``user = true`` in pip's config files, which would otherwise
    fail inside a venv. With ``venv`` the child also sees it as the active virtual environment.
    """
    cleaned = {k: v for k, v in environ.items() if k not in REDIRECTING_VARIABLES}
    cleaned["PIP_USER"] = "0"
    # pip re-runs itself under a ``python`` named in its config files unless told it already is
    # the re-run; safepip chose the interpreter, so no config file may change it.
    cleaned["_PIP_RUNNING_IN_SUBPROCESS"] = "1"
    if venv is not None:
        cleaned["VIRTUAL_ENV"] = venv
    else:
        cleaned.pop("VIRTUAL_ENV", None)
    cleaned.pop("CONDA_PREFIX", None)
    return cleaned


def run_foreground(
    cmd: Sequence[str],
    *,
    environ: Mapping[str, str],
    cwd: str | None = None,
    interactive: bool = False,
) -> int:
    """Run ``cmd`` sharing our stdin/stdout/stderr and return its exit status.

    A child killed by a signal reports 128 + signal, as a shell does. SIGTERM and SIGHUP sent to
    safepip are passed on to the child. SIGINT from a terminal reaches the whole foreground
    process group by itself, so when ``interactive`` it is passed on only if the child is still
    running a moment later; otherwise (a script's ``kill -INT``) at once. If a signal arrived,
    :class:`Interrupted` is raised after the child has ended.
    """
    received: list[int] = []
    proc = subprocess.Popen(list(cmd), env=dict(environ), cwd=cwd)

    def forward(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        if signum == signal.SIGINT and interactive:
            timer = threading.Timer(2.0, _send, (proc, signum))
            timer.daemon = True
            timer.start()
        else:
            _send(proc, signum)

    with _handlers(forward):
        while True:
            try:
                code = proc.wait()
                break
            except KeyboardInterrupt:  # pragma: no cover - handler replaced, kept for safety
                continue
    if received:
        raise Interrupted(received[0])
    return 128 - code if code < 0 else code


def _send(proc: subprocess.Popen[bytes], signum: int) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
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
    cmd: Sequence[str], *, environ: Mapping[str, str], timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a short helper command and capture its output (probes, venv creation)."""
    return subprocess.run(
        list(cmd),
        env=dict(environ),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def interrupt_guard() -> _handlers:
    """Turn SIGTERM/SIGHUP into :class:`Interrupted` (SIGINT already is KeyboardInterrupt) while
    safepip works by itself, so that cleanup code runs."""

    def raise_interrupted(signum: int, _frame: FrameType | None) -> None:
        raise Interrupted(signum)

    return _handlers(raise_interrupted)
