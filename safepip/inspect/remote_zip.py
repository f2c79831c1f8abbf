"""A zip's central directory and a few members, read with HTTP range requests (as pip's
network/lazy_wheel.py does): the end of the file first, then only the bytes needed.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from http.client import HTTPException, HTTPResponse

from safepip.exceptions import BadWheel, IndexUnreachable
from safepip.inspect.index import open_url

_EOCD = struct.Struct("<4s4H2LH")


_EOCD64_LOCATOR = struct.Struct("<4sLQL")


_EOCD64 = struct.Struct("<4sQ2H2L4Q")


_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")


_LOCAL = struct.Struct("<4s2B4HL2L2H")


CHUNK = 1 << 20


_MAX_EOCD = 22 + 0xFFFF  # the record plus the longest comment


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


class NoRanges(Exception):
    """The server answered a range request with the whole file (200)."""

    def __init__(self, response: HTTPResponse) -> None:
        super().__init__("range request answered with the whole file")
        self.response = response


class RemoteZip:
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
            raise NoRanges(response)
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


def _end_record(remote: RemoteZip) -> tuple[int, bytes]:
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


def central_directory_bounds(remote: RemoteZip) -> tuple[int, int, int]:
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


def parse_central_directory(data: bytes, count: int) -> list[_Entry]:
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


def read_members(remote: RemoteZip, entries: Sequence[_Entry], limit: int) -> dict[str, bytes]:
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
