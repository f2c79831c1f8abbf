"""What a wheel would put on PATH, read with a few HTTP range requests.

As pip's ``network/lazy_wheel.py`` does, only the end of the zip is fetched first (one
``Range: bytes=-N`` suffix request: the end-of-central-directory record, often the whole central
directory too), then the rest of the central directory if needed, then the bytes of just
``*.dist-info/entry_points.txt`` and ``METADATA``. Scripts under ``<name>.data/scripts/`` are known
from the central directory's names alone.

A server that ignores ``Range`` answers 200 with the whole file: that body is saved as
``<cache_dir>/wheels/<filename>`` and read with :mod:`zipfile`, so the install can use it without
downloading the wheel a second time. Local paths and ``file:`` URLs are read in place.
"""

from __future__ import annotations

import os
import re
import struct
import tempfile
import urllib.parse
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from email.parser import HeaderParser
from http.client import HTTPException, HTTPResponse
from pathlib import Path
from typing import Callable

from packaging.utils import canonicalize_name

from safepip.exceptions import BadWheel, IndexUnreachable
from safepip.inspect.index import DEFAULT_TIMEOUT, open_url
from safepip.inspect.urls import url_to_path

_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CHUNK = 1 << 20
_MAX_EOCD = 22 + 0xFFFF  # the record plus the longest comment
_MODULE_SUFFIXES = (".py", ".pyc", ".so", ".pyd")


@dataclass(frozen=True)
class Fetcher:
    """How wheels are fetched: the cache a full download goes to, and the timeout."""

    cache_dir: Path
    timeout: float = DEFAULT_TIMEOUT
    #: Size of the first (suffix) range request.
    tail_size: int = 64 * 1024

    @property
    def wheel_dir(self) -> Path:
        return self.cache_dir / "wheels"


@dataclass(frozen=True)
class WheelInfo:
    """What installing a wheel would put on PATH, and what else it declares."""

    commands: tuple[str, ...]
    console_scripts: tuple[str, ...]
    gui_scripts: tuple[str, ...]
    data_scripts: tuple[str, ...]
    #: Whether the wheel has a module or package outside ``*.dist-info``/``*.data`` (or in
    #: ``*.data/purelib|platlib``): False for a meta-package.
    top_level_importable: bool
    requires_dist: tuple[str, ...]
    bytes_fetched: int = 0
    #: The whole wheel, saved in the cache because the server would not serve ranges.
    full_download: Path | None = None


def parse_entry_points(text: str) -> dict[str, dict[str, str]]:
    """``entry_points.txt`` as {section: {name: object reference}}, names kept as written."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1].strip(), {})
        elif current is not None and "=" in line:
            key, _, value = line.partition("=")
            current[key.strip()] = value.strip()
    return sections


def _is_module(filename: str) -> bool:
    return filename.endswith(_MODULE_SUFFIXES)


def _importable(names: Iterable[str]) -> bool:
    for name in names:
        parts = name.split("/")
        if parts[0].endswith(".data") and len(parts) > 2 and parts[1] in ("purelib", "platlib"):
            parts = parts[2:]
        elif parts[0].endswith((".dist-info", ".data")):
            continue
        if len(parts) == 1 and _is_module(parts[0]):
            return True
        if len(parts) > 1 and parts[0].isidentifier() and _is_module(parts[-1]):
            return True
    return False


def _info_dir(names: Sequence[str], filename: str | None) -> str:
    dirs = sorted({n.split("/", 1)[0] for n in names if n.split("/", 1)[0].endswith(".dist-info")})
    if not dirs:
        raise BadWheel(f"{filename or 'wheel'} has no .dist-info folder")
    if len(dirs) > 1 and filename:
        project = canonicalize_name(filename.split("-", 1)[0])
        matching = [d for d in dirs if canonicalize_name(d.split("-", 1)[0]) == project]
        return (matching or dirs)[0]
    return dirs[0]


def _summarise(
    names: Sequence[str],
    read: Callable[[Sequence[str]], Mapping[str, bytes]],
    filename: str | None,
) -> WheelInfo:
    info_dir = _info_dir(names, filename)
    data_dir = info_dir[: -len(".dist-info")] + ".data"
    wanted = [f"{info_dir}/entry_points.txt", f"{info_dir}/METADATA"]
    members = read([name for name in wanted if name in set(names)])
    entry_points = parse_entry_points(members.get(wanted[0], b"").decode("utf-8", "replace"))
    metadata = HeaderParser().parsestr(members.get(wanted[1], b"").decode("utf-8", "replace"))
    console = tuple(entry_points.get("console_scripts", {}))
    gui = tuple(entry_points.get("gui_scripts", {}))
    data = tuple(
        parts[2]
        for parts in (n.split("/") for n in names)
        if len(parts) == 3 and parts[0] == data_dir and parts[1] == "scripts" and parts[2]
    )
    return WheelInfo(
        commands=tuple(dict.fromkeys(console + gui + data)),
        console_scripts=console,
        gui_scripts=gui,
        data_scripts=data,
        top_level_importable=_importable(names),
        requires_dist=tuple(metadata.get_all("Requires-Dist") or ()),
    )


def read_local_wheel(path: Path) -> WheelInfo:
    """:class:`WheelInfo` of a wheel on disk."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            return _summarise(names, lambda wanted: {n: archive.read(n) for n in wanted}, path.name)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise BadWheel(f"{path} is not a valid wheel: {exc}") from exc


# --- remote zip -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    name: str
    method: int
    crc: int
    compressed: int
    size: int
    offset: int
    raw_name_length: int
    extra_length: int


class _NoRanges(Exception):
    """The server answered a range request with the whole file (200)."""

    def __init__(self, response: HTTPResponse) -> None:
        super().__init__("range request answered with the whole file")
        self.response = response


class _RemoteZip:
    """Byte ranges of a remote file, kept in memory and counted."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self.size = 0
        self.bytes_fetched = 0
        self._buffers: list[tuple[int, bytes]] = []
        #: The last suffix request's (start, bytes).
        self.tail: tuple[int, bytes] = (0, b"")

    def _get(self, range_header: str) -> tuple[int, bytes]:
        response = open_url(self.url, headers={"Range": range_header}, timeout=self.timeout)
        if response.status == 200:
            raise _NoRanges(response)
        with response:
            match = re.match(r"bytes (\d+)-(\d+)/(\d+)", response.headers.get("Content-Range", ""))
            if response.status != 206 or match is None:
                raise IndexUnreachable(
                    self.url, f"bad answer to a range request: {response.status}"
                )
            try:
                body = response.read()
            except (OSError, HTTPException) as exc:
                raise IndexUnreachable(self.url, str(exc) or type(exc).__name__) from exc
        self.bytes_fetched += len(body)
        start, self.size = int(match.group(1)), int(match.group(3))
        self._buffers.append((start, body))
        return start, body

    def fetch_tail(self, length: int) -> None:
        self.tail = self._get(f"bytes=-{length}")

    def fetch(self, start: int, end: int) -> None:
        """Make ``[start, end)`` available, fetching it unless it already is."""
        end = min(end, self.size)
        if start >= end or self._slice(start, end - start) is not None:
            return
        # Only the part before a buffer already holding the end (the central directory
        # before the tail) is fetched, then joined to it.
        for index, (origin, data) in enumerate(self._buffers):
            if start < origin < end <= origin + len(data):
                first, prefix = self._get(f"bytes={start}-{origin - 1}")
                if first + len(prefix) == origin:
                    self._buffers[index] = (first, prefix + data)
                    self._buffers.pop()
                return
        self._get(f"bytes={start}-{end - 1}")

    def _slice(self, start: int, length: int) -> bytes | None:
        for origin, data in self._buffers:
            if origin <= start and start + length <= origin + len(data):
                return data[start - origin : start - origin + length]
        return None

    def read(self, start: int, length: int) -> bytes:
        if start < 0 or start + length > self.size:
            raise BadWheel(f"{self.url}: zip record outside the file")
        self.fetch(start, start + length)
        data = self._slice(start, length)
        if data is None:
            raise IndexUnreachable(self.url, "the server sent fewer bytes than asked for")
        return data


def _end_record(remote: _RemoteZip) -> tuple[int, bytes]:
    """(absolute position, bytes from there to the end) of the end-of-central-directory record."""
    tail_start, tail = remote.tail
    position = tail.rfind(b"PK\x05\x06")
    if position < 0 and tail_start > 0 and len(tail) < _MAX_EOCD:
        remote.fetch_tail(_MAX_EOCD)  # a long archive comment
        tail_start, tail = remote.tail
        position = tail.rfind(b"PK\x05\x06")
    if position < 0 or position + _EOCD.size > len(tail):
        raise BadWheel(f"{remote.url} is not a zip file (no end of central directory)")
    return tail_start + position, tail[position:]


def _central_directory_bounds(remote: _RemoteZip) -> tuple[int, int, int]:
    """(offset, size, entry count) of the central directory; handles ZIP64."""
    position, record = _end_record(remote)
    _, _, _, _, count, size, offset, _ = _EOCD.unpack_from(record)
    if count == 0xFFFF or 0xFFFFFFFF in (size, offset):
        locator = remote.read(position - _EOCD64_LOCATOR.size, _EOCD64_LOCATOR.size)
        signature, _, record_offset, _ = _EOCD64_LOCATOR.unpack(locator)
        if signature != b"PK\x06\x07":
            raise BadWheel(f"{remote.url}: ZIP64 locator missing")
        fields = _EOCD64.unpack(remote.read(record_offset, _EOCD64.size))
        if fields[0] != b"PK\x06\x06":
            raise BadWheel(f"{remote.url}: ZIP64 end of central directory missing")
        count, size, offset = fields[7], fields[8], fields[9]
    return offset, size, count


def _zip64_extra(extra: bytes, values: list[int]) -> list[int]:
    """Replace the 0xFFFFFFFF fields in ``values`` (size, compressed, offset) from ZIP64 extra."""
    position = 0
    while position + 4 <= len(extra):
        kind, length = struct.unpack_from("<2H", extra, position)
        if kind == 1:
            field_data = extra[position + 4 : position + 4 + length]
            cursor = 0
            for index, value in enumerate(values):
                if value == 0xFFFFFFFF and cursor + 8 <= len(field_data):
                    values[index] = struct.unpack_from("<Q", field_data, cursor)[0]
                    cursor += 8
            break
        position += 4 + length
    return values


def _parse_central_directory(data: bytes, count: int) -> list[_Entry]:
    entries = []
    position = 0
    for _ in range(count):
        if data[position : position + 4] != b"PK\x01\x02":
            raise BadWheel("corrupt zip central directory")
        (_, _, _, _, _, flags, method, _, _, crc, compressed, size) = _CENTRAL.unpack_from(
            data, position
        )[:12]
        name_length, extra_length, comment_length, _, _, _, offset = _CENTRAL.unpack_from(
            data, position
        )[12:]
        start = position + _CENTRAL.size
        raw_name = data[start : start + name_length]
        extra = data[start + name_length : start + name_length + extra_length]
        size, compressed, offset = _zip64_extra(extra, [size, compressed, offset])
        name = raw_name.decode("utf-8" if flags & 0x800 else "cp437")
        entries.append(
            _Entry(name, method, crc, compressed, size, offset, name_length, extra_length)
        )
        position = start + name_length + extra_length + comment_length
    return entries


def _inflate(entry: _Entry, data: bytes) -> bytes:
    if entry.method == 0:
        content = data
    elif entry.method == 8:
        try:
            inflater = zlib.decompressobj(-15)
            content = inflater.decompress(data) + inflater.flush()
        except zlib.error as exc:
            raise BadWheel(f"cannot inflate {entry.name}: {exc}") from exc
    else:
        raise BadWheel(f"{entry.name}: unsupported zip compression method {entry.method}")
    if zlib.crc32(content) != entry.crc:
        raise BadWheel(f"{entry.name}: CRC mismatch")
    return content


def _read_members(remote: _RemoteZip, entries: Sequence[_Entry], limit: int) -> dict[str, bytes]:
    """Members' contents, fetching neighbouring members in one request."""
    spans = sorted(
        (e.offset, e.offset + _LOCAL.size + e.raw_name_length + e.extra_length + e.compressed + 64)
        for e in entries
    )
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start - merged[-1][1] < 64 * 1024:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in merged:
        remote.fetch(start, min(end, limit))
    contents = {}
    for entry in entries:
        header = _LOCAL.unpack(remote.read(entry.offset, _LOCAL.size))
        if header[0] != b"PK\x03\x04":
            raise BadWheel(f"{remote.url}: bad local header for {entry.name}")
        data_start = entry.offset + _LOCAL.size + header[10] + header[11]
        contents[entry.name] = _inflate(entry, remote.read(data_start, entry.compressed))
    return contents


def _read_remote(remote: _RemoteZip, tail_size: int, filename: str | None) -> WheelInfo:
    remote.fetch_tail(tail_size)
    offset, size, count = _central_directory_bounds(remote)
    entries = _parse_central_directory(remote.read(offset, size), count)
    by_name = {entry.name: entry for entry in entries}
    info = _summarise(
        [entry.name for entry in entries],
        lambda wanted: _read_members(remote, [by_name[n] for n in wanted], offset),
        filename,
    )
    return replace(info, bytes_fetched=remote.bytes_fetched)


def _save(response: HTTPResponse, destination: Path, url: str) -> int:
    """Stream ``response`` into ``destination`` atomically; the number of bytes."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    descriptor, partial = tempfile.mkstemp(dir=destination.parent, suffix=".part")
    total = 0
    try:
        with response, os.fdopen(descriptor, "wb") as out:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                total += len(chunk)
        os.replace(partial, destination)
    except (OSError, HTTPException) as exc:
        Path(partial).unlink(missing_ok=True)
        raise IndexUnreachable(url, f"download failed: {exc}") from exc
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return total


def wheel_filename(url: str) -> str:
    """The file name a URL points at."""
    name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
    return name if name and name not in (".", "..") else "download.whl"


def read_wheel_commands(url: str, *, fetcher: Fetcher, filename: str | None = None) -> WheelInfo:
    """:class:`WheelInfo` of the wheel at ``url`` (http(s), ``file:`` or a local path).

    A wheel already in ``fetcher.wheel_dir`` is read from there (``full_download`` is set).
    Raises :class:`BadWheel`, or :class:`IndexUnreachable` for network failures.
    """
    local = url_to_path(url)
    if local is None and "://" not in url:
        local = Path(url)
    if local is not None:
        return read_local_wheel(local)
    filename = filename or wheel_filename(url)
    cached = fetcher.wheel_dir / filename
    if cached.is_file():
        return replace(read_local_wheel(cached), full_download=cached)
    remote = _RemoteZip(url, fetcher.timeout)
    try:
        return _read_remote(remote, fetcher.tail_size, filename)
    except _NoRanges as exc:
        fetched = remote.bytes_fetched + _save(exc.response, cached, url)
    return replace(read_local_wheel(cached), bytes_fetched=fetched, full_download=cached)
