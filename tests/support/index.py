"""A PEP 503 "simple" package index served over HTTP on 127.0.0.1, for tests.

Layout::

    /simple/                      project list
    /simple/<normalized-name>/    links ../../files/<filename>#sha256=... (+ data-requires-python)
    /files/<filename>             the distribution, with HEAD and Range support

``/simple/<Non-Normalized>/`` (and a missing trailing slash) is redirected with 301, like PyPI.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
import socket
import tarfile
import threading
import zipfile
from dataclasses import dataclass, replace
from email.parser import HeaderParser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Literal
from urllib.parse import unquote, urlsplit

__all__ = ["FaultKind", "PackageIndex", "RequestRecord", "parse_dist_filename"]

FaultKind = Literal["404", "500", "stall"]

_CHUNK = 1 << 16
_SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz")


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_dist_filename(filename: str) -> tuple[str, str] | None:
    """``(normalized project name, version)`` of a wheel or sdist file name, else None."""
    if filename.endswith(".whl"):
        parts = filename[: -len(".whl")].split("-")
        if len(parts) in (5, 6):
            return _normalize(parts[0]), parts[1]
        return None
    for suffix in _SDIST_SUFFIXES:
        if filename.endswith(suffix):
            stem = filename[: -len(suffix)]
            name, sep, version = stem.rpartition("-")
            if sep and name and version:
                return _normalize(name), version
    return None


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    range: str | None
    status: int
    bytes: int


@dataclass
class _FileInfo:
    size: int
    mtime_ns: int
    sha256: str
    requires_python: str | None


def _read_requires_python(path: Path) -> str | None:
    """Requires-Python of a wheel (METADATA) or sdist (PKG-INFO); None if absent/unreadable."""
    text: str | None = None
    try:
        if path.name.endswith(".whl"):
            with zipfile.ZipFile(path) as zf:
                for member in zf.namelist():
                    parts = member.split("/")
                    if (
                        len(parts) == 2
                        and parts[0].endswith(".dist-info")
                        and parts[1] == "METADATA"
                    ):
                        text = zf.read(member).decode("utf-8", "replace")
                        break
        elif path.name.endswith((".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")):
            with tarfile.open(path) as tf:
                for tmember in tf.getmembers():
                    parts = tmember.name.split("/")
                    if len(parts) == 2 and parts[1] == "PKG-INFO" and tmember.isfile():
                        fh = tf.extractfile(tmember)
                        if fh is not None:
                            text = fh.read().decode("utf-8", "replace")
                        break
    except (OSError, zipfile.BadZipFile, tarfile.TarError):
        return None
    if text is None:
        return None
    value = HeaderParser().parsestr(text).get("Requires-Python")
    return value.strip() if value else None


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """First range of a ``bytes=`` Range header as inclusive (start, end); None if unsatisfiable.

    Raises ValueError when the header is malformed (then it is ignored, per RFC 9110).
    """
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or not spec.strip():
        raise ValueError(header)
    first = spec.split(",")[0].strip()
    start_s, dash, end_s = first.partition("-")
    if not dash:
        raise ValueError(header)
    start_s, end_s = start_s.strip(), end_s.strip()
    if not start_s:  # suffix range: the last N bytes
        if not end_s.isdigit():
            raise ValueError(header)
        length = int(end_s)
        if length == 0 or size == 0:
            return None
        return max(0, size - length), size - 1
    if not start_s.isdigit() or (end_s and not end_s.isdigit()):
        raise ValueError(header)
    start = int(start_s)
    if end_s and int(end_s) < start:
        raise ValueError(header)
    if start >= size:
        return None
    end = int(end_s) if end_s else size - 1
    return start, min(end, size - 1)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    index: PackageIndex

    def handle_error(self, request: Any, client_address: Any) -> None:
        # clients hang up mid-body (range reads, stalls, timeouts): never print tracebacks
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "safepip-test-index/1.0"
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.index._handle(self, head=False)

    def do_HEAD(self) -> None:
        self.server.index._handle(self, head=True)


class PackageIndex:
    """PEP 503 index on 127.0.0.1 serving the distributions in ``root``.

    Use as a context manager, or call :meth:`close`.  Files put into ``root`` by other means than
    :meth:`add` are served too (the folder is listed at each request).
    """

    def __init__(self, root: Path, *, range_requests: bool = True) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.range_requests = range_requests
        self._lock = threading.Lock()
        self._infos: dict[str, _FileInfo] = {}
        self._bytes_served = 0
        self._bytes_by_file: dict[str, int] = {}
        self._requests: list[RequestRecord] = []
        self._generation = 0
        self._fault: FaultKind | None = None
        self._fault_seconds = 30.0
        self._closing = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.index = self
        self.port: int = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/"
        self.url = f"{self.base_url}simple/"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"PackageIndex:{self.port}",
            daemon=True,
        )
        self._thread.start()

    # -- public API -----------------------------------------------------------------------------

    def __enter__(self) -> PackageIndex:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving (idempotent); releases stalled requests at once."""
        if self._closing.is_set():
            return
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def add(self, *paths: Path) -> None:
        """Put distributions into the index (hard link when possible, else copy)."""
        for src in map(Path, paths):
            if parse_dist_filename(src.name) is None:
                raise ValueError(f"not a wheel or sdist file name: {src.name}")
            dest = self.root / src.name
            if dest.exists():
                if os.path.samefile(src, dest):
                    self._info(src.name)
                    continue
                dest.unlink()
            try:
                os.link(src, dest)
            except OSError:
                shutil.copy2(src, dest)
            self._info(src.name)  # hash now, not during the first request

    def filenames(self) -> list[str]:
        """File names the index serves, sorted."""
        return sorted(p.name for p in self.root.iterdir() if parse_dist_filename(p.name))

    def file_url(self, filename: str) -> str:
        return f"{self.base_url}files/{filename}"

    def sha256(self, filename: str) -> str:
        return self._info(filename).sha256

    @property
    def bytes_served(self) -> int:
        """Total response body bytes sent (all paths), since start or :meth:`reset_counters`."""
        with self._lock:
            return self._bytes_served

    def bytes_for(self, filename: str) -> int:
        """Body bytes sent for ``/files/<filename>``."""
        with self._lock:
            return self._bytes_by_file.get(filename, 0)

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the request log, in completion order."""
        with self._lock:
            return list(self._requests)

    def reset_counters(self) -> None:
        with self._lock:
            self._bytes_served = 0
            self._bytes_by_file.clear()
            self._requests.clear()
            self._generation += 1

    def set_fault(self, kind: FaultKind | None, *, seconds: float = 30.0) -> None:
        """Make every request fail until cleared with ``set_fault(None)``.

        ``"404"``/``"500"``: answer that status.  ``"stall"``: accept, send nothing for ``seconds``
        (or until :meth:`close`), then close the connection without a response.
        """
        if kind not in (None, "404", "500", "stall"):
            raise ValueError(f"unknown fault {kind!r}")
        with self._lock:
            self._fault = kind
            self._fault_seconds = seconds

    # -- internals ------------------------------------------------------------------------------

    def _info(self, filename: str) -> _FileInfo:
        path = self.root / filename
        st = path.stat()
        with self._lock:
            info = self._infos.get(filename)
        if info is not None and info.size == st.st_size and info.mtime_ns == st.st_mtime_ns:
            return info
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        requires_python = _read_requires_python(path)
        info = _FileInfo(st.st_size, st.st_mtime_ns, digest.hexdigest(), requires_python)
        with self._lock:
            self._infos[filename] = info
        return info

    def _projects(self) -> dict[str, list[str]]:
        projects: dict[str, list[str]] = {}
        for filename in self.filenames():
            parsed = parse_dist_filename(filename)
            if parsed is not None:
                projects.setdefault(parsed[0], []).append(filename)
        return projects

    def _record(
        self, handler: _Handler, status: int, nbytes: int, filename: str | None
    ) -> tuple[int, int]:
        """Log a response *before* it is sent (so a client that has its answer always finds it
        counted), with the body bytes about to be sent; :meth:`_correct` fixes a short send."""
        with self._lock:
            self._bytes_served += nbytes
            if filename is not None:
                self._bytes_by_file[filename] = self._bytes_by_file.get(filename, 0) + nbytes
            self._requests.append(
                RequestRecord(
                    method=handler.command,
                    path=handler.path,
                    range=handler.headers.get("Range"),
                    status=int(status),
                    bytes=nbytes,
                )
            )
            return self._generation, len(self._requests) - 1

    def _correct(
        self, token: tuple[int, int], planned: int, sent: int, filename: str | None
    ) -> None:
        if sent == planned:
            return
        with self._lock:
            generation, position = token
            if generation != self._generation:
                return  # counters were reset meanwhile
            self._bytes_served -= planned - sent
            if filename is not None:
                self._bytes_by_file[filename] -= planned - sent
            self._requests[position] = replace(self._requests[position], bytes=sent)

    def _send_body(
        self,
        handler: _Handler,
        status: int,
        body: bytes,
        *,
        head: bool,
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        planned = 0 if head else len(body)
        token = self._record(handler, status, planned, None)
        try:
            handler.end_headers()
            if planned:
                handler.wfile.write(body)
        except OSError:
            self._correct(token, planned, 0, None)
            raise

    def _handle(self, handler: _Handler, *, head: bool) -> None:
        with self._lock:
            fault, fault_seconds = self._fault, self._fault_seconds
        try:
            if fault == "stall":
                self._record(handler, 0, 0, None)  # logged first: a test waits for it
                self._closing.wait(fault_seconds)
                handler.close_connection = True
                return
            if fault in ("404", "500"):
                status = int(fault)
                body = f"<html><body>{status} (injected fault)</body></html>".encode()
                self._send_body(handler, status, body, head=head)
                return
            self._route(handler, head=head)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            handler.close_connection = True

    def _route(self, handler: _Handler, *, head: bool) -> None:
        path = unquote(urlsplit(handler.path).path)
        if path in ("/", "") or path == "/simple":
            self._redirect(handler, "/simple/", head=head)
        elif path == "/simple/":
            self._send_project_list(handler, head=head)
        elif path.startswith("/simple/"):
            name = path[len("/simple/") :].rstrip("/")
            if "/" in name or not name:
                self._not_found(handler, head=head)
                return
            normalized = _normalize(name)
            if name != normalized or not path.endswith("/"):
                self._redirect(handler, f"/simple/{normalized}/", head=head)
                return
            self._send_project_page(handler, normalized, head=head)
        elif path.startswith("/files/"):
            filename = path[len("/files/") :]
            if "/" in filename or filename.startswith(".") or not parse_dist_filename(filename):
                self._not_found(handler, head=head)
                return
            self._send_file(handler, filename, head=head)
        else:
            self._not_found(handler, head=head)

    def _redirect(self, handler: _Handler, location: str, *, head: bool) -> None:
        body = f'<html><body><a href="{html.escape(location)}">moved</a></body></html>'.encode()
        self._send_body(
            handler, HTTPStatus.MOVED_PERMANENTLY, body, head=head, headers={"Location": location}
        )

    def _not_found(self, handler: _Handler, *, head: bool) -> None:
        self._send_body(handler, HTTPStatus.NOT_FOUND, b"<html><body>404</body></html>", head=head)

    def _send_project_list(self, handler: _Handler, *, head: bool) -> None:
        links = "".join(
            f'    <a href="{html.escape(name)}/">{html.escape(name)}</a>\n'
            for name in sorted(self._projects())
        )
        body = (
            "<!DOCTYPE html>\n<html>\n  <head>\n"
            '    <meta name="pypi:repository-version" content="1.0">\n'
            "    <title>Simple index</title>\n  </head>\n  <body>\n"
            f"{links}  </body>\n</html>\n"
        ).encode()
        self._send_body(handler, HTTPStatus.OK, body, head=head)

    def _send_project_page(self, handler: _Handler, project: str, *, head: bool) -> None:
        filenames = self._projects().get(project)
        if not filenames:
            self._not_found(handler, head=head)
            return
        links = []
        for filename in filenames:
            info = self._info(filename)
            attrs = f'href="../../files/{html.escape(filename)}#sha256={info.sha256}"'
            if info.requires_python:
                attrs += f' data-requires-python="{html.escape(info.requires_python)}"'
            links.append(f"    <a {attrs}>{html.escape(filename)}</a><br/>\n")
        body = (
            "<!DOCTYPE html>\n<html>\n  <head>\n"
            '    <meta name="pypi:repository-version" content="1.0">\n'
            f"    <title>Links for {html.escape(project)}</title>\n  </head>\n  <body>\n"
            f"    <h1>Links for {html.escape(project)}</h1>\n"
            f"{''.join(links)}  </body>\n</html>\n"
        ).encode()
        self._send_body(handler, HTTPStatus.OK, body, head=head)

    def _send_file(self, handler: _Handler, filename: str, *, head: bool) -> None:
        path = self.root / filename
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            self._not_found(handler, head=head)
            return
        content_type = "application/octet-stream"
        if filename.endswith((".tar.gz", ".tgz")):
            content_type = "application/x-tar"
        status: int = HTTPStatus.OK
        start, end = 0, size - 1
        extra: dict[str, str] = {}
        range_header = handler.headers.get("Range")
        if self.range_requests:
            extra["Accept-Ranges"] = "bytes"
            if range_header:
                try:
                    parsed = _parse_range(range_header, size)
                except ValueError:
                    parsed = (0, size - 1)  # malformed: ignore the header, send it all
                else:
                    status = HTTPStatus.PARTIAL_CONTENT
                if parsed is None:
                    self._send_body(
                        handler,
                        HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                        b"",
                        head=head,
                        headers={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"},
                    )
                    return
                start, end = parsed
                if status == HTTPStatus.PARTIAL_CONTENT:
                    extra["Content-Range"] = f"bytes {start}-{end}/{size}"
        length = max(0, end - start + 1)
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(length))
        handler.send_header("Last-Modified", handler.date_time_string(int(path.stat().st_mtime)))
        for key, value in extra.items():
            handler.send_header(key, value)
        planned = 0 if head else length
        token = self._record(handler, status, planned, filename)
        sent = 0
        try:
            handler.end_headers()
            if planned:
                with open(path, "rb") as fh:
                    sent = self._copy(fh, handler, start, length)
        finally:
            self._correct(token, planned, sent, filename)

    def _copy(self, fh: BinaryIO, handler: _Handler, start: int, length: int) -> int:
        fh.seek(start)
        sent = 0
        while sent < length:
            if self._closing.is_set():
                break
            chunk = fh.read(min(_CHUNK, length - sent))
            if not chunk:
                break
            try:
                handler.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                handler.close_connection = True
                break
            sent += len(chunk)
        return sent
