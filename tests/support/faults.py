"""Real tools for the fault suite (``test_faults.py``): nothing here is a mock.

* :class:`GatedProxy`, an HTTP server on 127.0.0.1 in front of the test index that can hold
  ("stall") chosen requests and says at once when one arrived; it also serves as a forward
  proxy (``http_proxy=...``) and logs every request it sees.
* :func:`make_logging_python`, a real interpreter wrapper: a bash script that logs the argv of
  every invocation and ``exec``s /usr/bin/python3 under its own name, in a folder laid out as a
  Python prefix, so that a venv made from it runs through it too (every pip run is logged).
  It can be made to take its time creating a venv.
* Process-tree helpers read from ``/proc``; mount helpers for tmpfs and read-only binds.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# -- a proxy that stalls on request --------------------------------------------------------------

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "proxy-authenticate",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}


@dataclass(frozen=True)
class Seen:
    method: str
    target: str  # as sent: a path, or an absolute URL when used as a forward proxy
    path: str
    user_agent: str
    stalled: bool


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    proxy: GatedProxy

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that give up (the point of the stalls) are no errors


class _ProxyHandler(BaseHTTPRequestHandler):
    server: _ProxyServer
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.proxy._handle(self)

    def do_HEAD(self) -> None:
        self.server.proxy._handle(self)


class GatedProxy:
    """Forwards to ``upstream`` (``http://127.0.0.1:PORT/``); requests whose path starts with the
    prefix given to :meth:`stall` are accepted and then held without an answer."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._lock = threading.Lock()
        self._stall_prefix: str | None = None
        self._arrived = threading.Event()
        self._release = threading.Event()
        self.seen: list[Seen] = []
        self._server = _ProxyServer(("127.0.0.1", 0), _ProxyHandler)
        self._server.proxy = self
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/"
        self.url = f"{self.base_url}simple/"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stall(self, prefix: str | None) -> None:
        """Hold every request whose path starts with ``prefix`` ("/" for all); None: stop."""
        with self._lock:
            self._stall_prefix = prefix
            self._arrived.clear()
            if prefix is None:
                self._release.set()
            else:
                self._release.clear()

    def wait_for_stall(self, timeout: float) -> bool:
        """True as soon as a request is being held."""
        return self._arrived.wait(timeout)

    def close(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> GatedProxy:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _handle(self, handler: _ProxyHandler) -> None:
        target = handler.path
        host, port = self._upstream
        if target.startswith("http://"):
            parts = urlsplit(target)
            host, port = parts.hostname or host, parts.port or 80
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        else:
            path = target
        with self._lock:
            prefix = self._stall_prefix
            stalled = prefix is not None and path.startswith(prefix)
            self.seen.append(
                Seen(
                    handler.command,
                    target,
                    path,
                    handler.headers.get("User-Agent", ""),
                    stalled,
                )
            )
        handler.close_connection = True
        if stalled:
            self._arrived.set()
            self._release.wait(120)
            return
        if host not in ("127.0.0.1", "localhost"):
            handler.send_error(403, "the test proxy only forwards to 127.0.0.1")
            return
        headers = {
            k: v
            for k, v in handler.headers.items()
            if k.lower() not in _HOP_BY_HOP and k.lower() != "host"
        }
        connection = http.client.HTTPConnection(host, port, timeout=60)
        try:
            connection.request(handler.command, path, headers=headers)
            response = connection.getresponse()
            handler.send_response(response.status, response.reason)
            for key, value in response.getheaders():
                if key.lower() not in _HOP_BY_HOP:
                    handler.send_header(key, value)
            handler.end_headers()
            while True:
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                handler.wfile.write(chunk)
        except OSError:
            return
        finally:
            connection.close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then closed)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- an interpreter wrapper that logs its argv ---------------------------------------------------

_SEP_ARG = "\x1f"
_SEP_CALL = "\x1e"

_WRAPPER = """#!/bin/bash
# Test wrapper: log this invocation, optionally take DELAY seconds to create a venv, then run
# the real interpreter under this script's name (so that sys.executable is this file).
printf -v record '%s\\x1f' "${{PIP_BREAK_SYSTEM_PACKAGES-<unset>}}" "$@"
printf '%s\\x1e\\n' "$record" >> {log}
if [ "$1" = "-m" ] && [ "$2" = "venv" ] && [ -s {delay} ]; then
    read -r delay < {delay}
    read -r -t "$delay" <> {fifo}
fi
exec -a "$0" {real} "$@"
"""


@dataclass(frozen=True)
class Invocation:
    """One run of the wrapper: its argv (without the program) and PIP_BREAK_SYSTEM_PACKAGES."""

    argv: tuple[str, ...]
    break_system_packages_env: str | None


@dataclass(frozen=True)
class LoggingPython:
    root: Path  # the fake prefix: bin/python3 (the wrapper), lib -> the real lib folder
    python: Path
    log: Path
    delay_file: Path

    def invocations(self) -> list[Invocation]:
        if not self.log.exists():
            return []
        text = self.log.read_text(encoding="utf-8", errors="surrogateescape")
        calls = []
        for record in text.split(_SEP_CALL + "\n"):
            if not record:
                continue
            fields = record.split(_SEP_ARG)[:-1]
            env_value = None if fields[0] == "<unset>" else fields[0]
            calls.append(Invocation(tuple(fields[1:]), env_value))
        return calls

    def set_venv_delay(self, seconds: float) -> None:
        self.delay_file.write_text(f"{seconds:g}\n" if seconds else "")

    def venv_started(self) -> bool:
        return any(call.argv[:2] == ("-m", "venv") for call in self.invocations())


def make_logging_python(root: Path, real: str = "/usr/bin/python3") -> LoggingPython:
    """A Python "installation" at ``root`` whose ``bin/python3`` logs and runs ``real``.

    ``lib`` is a symbolic link to the real interpreter's lib folder, so the wrapper finds its
    standard library (and the EXTERNALLY-MANAGED marker in it) under its own prefix.
    """
    real_path = Path(os.path.realpath(real))
    (root / "bin").mkdir(parents=True)
    (root / "lib").symlink_to(real_path.parent.parent / "lib")
    log = root / "invocations.log"
    delay = root / "venv-delay"
    delay.write_text("")
    fifo = root / "sleep.fifo"
    os.mkfifo(fifo)
    python = root / "bin" / "python3"
    python.write_text(_WRAPPER.format(log=log, delay=delay, fifo=fifo, real=real_path))
    python.chmod(0o755)
    return LoggingPython(root, python, log, delay)


# -- processes -------------------------------------------------------------------------------------


def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
    return parents


def descendants(pid: int) -> dict[int, str]:
    """pid -> command line of every live descendant of ``pid``."""
    parents = _parents()
    found: dict[int, str] = {}
    frontier = [pid]
    while frontier:
        current = frontier.pop()
        for child, parent in parents.items():
            if parent == current and child not in found:
                found[child] = cmdline(child)
                frontier.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def is_running(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("State:"):
            return "Z" not in line.split()[1]
    return True


def survivors(pids: dict[int, str], grace: float = 3.0) -> dict[int, str]:
    """Those of ``pids`` still running after at most ``grace`` seconds."""
    deadline = time.monotonic() + grace
    while True:
        alive = {pid: cmd for pid, cmd in pids.items() if is_running(pid)}
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def kill_all(pids: dict[int, str] | list[int]) -> None:
    """Clean up after a failed test: the processes this test started (by their ids)."""
    import signal

    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


# -- mounts ----------------------------------------------------------------------------------------


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


def umount(path: Path) -> None:
    done = subprocess.run(["umount", str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[str | None]:
    """Mount a tmpfs of ``size`` at ``path``; yields None, or why it could not be mounted."""
    path.mkdir(parents=True, exist_ok=True)
    done = _mount("-t", "tmpfs", "-o", f"size={size},mode=755", "tmpfs", str(path))
    if done.returncode != 0:
        yield (done.stderr or done.stdout).strip() or f"mount exited with {done.returncode}"
        return
    try:
        yield None
    finally:
        umount(path)


@contextlib.contextmanager
def readonly_bind(path: Path) -> Iterator[str | None]:
    """Make ``path`` read-only for everyone, root included: a read-only bind mount onto itself."""
    done = _mount("--bind", str(path), str(path))
    if done.returncode != 0:
        yield (done.stderr or done.stdout).strip() or "mount --bind failed"
        return
    try:
        again = _mount("-o", "remount,bind,ro", str(path))
        if again.returncode != 0:
            yield (again.stderr or again.stdout).strip() or "remount ro failed"
            return
        yield None
    finally:
        umount(path)


def files_not_owned_by(root: Path, uid: int) -> list[str]:
    """Everything under ``root`` (itself included) whose owner is not ``uid``."""
    bad = []
    for folder, dirs, files in os.walk(root):
        for name in [folder, *(os.path.join(folder, n) for n in (*dirs, *files))]:
            try:
                if os.lstat(name).st_uid != uid:
                    bad.append(name)
            except FileNotFoundError:
                continue
    return sorted(set(bad))


def copy_venv(template: Path, dest: Path) -> None:
    """A copy of a venv made by the test session (pyvenv.cfg and bin/python symlinks hold no
    path of their own; safepip runs pip as ``<venv>/bin/python -c ...``)."""
    shutil.copytree(template, dest, symlinks=True)
