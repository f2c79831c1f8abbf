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
import tempfile
import urllib.parse
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from email.parser import HeaderParser
from http.client import HTTPException, HTTPResponse
from pathlib import Path
from typing import Callable

from safepip.exceptions import BadWheel, IndexUnreachable
from safepip.inspect.index import DEFAULT_TIMEOUT
from safepip.inspect.installed import parse_entry_points
from safepip.inspect.remote_zip import (
    CHUNK,
    NoRanges,
    RemoteZip,
    central_directory_bounds,
    parse_central_directory,
    read_members,
)
from safepip.inspect.role import Role, describe, import_names, judge
from safepip.inspect.typed import typed_commands
from safepip.names import canonicalize_name
from safepip.urls import url_to_path

_SCRIPT_GROUPS = ("console_scripts", "gui_scripts")


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
    #: What the package mainly is, where it puts commands on PATH (``safepip.inspect.role``).
    role: Role | None = None
    #: Its top-level import names (``fontTools``, ``serial``).
    imports: tuple[str, ...] = ()
    #: The entry-point groups it registers besides console and GUI scripts (``mkdocs.plugins``).
    entry_point_groups: tuple[str, ...] = ()
    #: Where it puts commands on PATH: the lines its description tells people to type
    #: (``safepip.inspect.typed``).
    typed_commands: tuple[str, ...] = ()
    bytes_fetched: int = 0
    #: The whole wheel, saved in the cache because the server would not serve ranges.
    full_download: Path | None = None


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
    sizes: Mapping[str, int],
    read: Callable[[Sequence[str]], Mapping[str, bytes]],
    filename: str | None,
) -> WheelInfo:
    names = list(sizes)
    info_dir = _info_dir(names, filename)
    data_dir = info_dir[: -len(".dist-info")] + ".data"
    wanted = [f"{info_dir}/entry_points.txt", f"{info_dir}/METADATA"]
    members = read([name for name in wanted if name in sizes])
    entry_points = parse_entry_points(members.get(wanted[0], b"").decode("utf-8", "replace"))
    metadata = HeaderParser().parsestr(members.get(wanted[1], b"").decode("utf-8", "replace"))
    console = tuple(entry_points.get("console_scripts", {}))
    gui = tuple(entry_points.get("gui_scripts", {}))
    data = tuple(
        parts[2]
        for parts in (n.split("/") for n in names)
        if len(parts) == 3 and parts[0] == data_dir and parts[1] == "scripts" and parts[2]
    )
    commands = tuple(dict.fromkeys(console + gui + data))
    requires = tuple(metadata.get_all("Requires-Dist") or ())
    imports = import_names(names)
    described = describe(metadata, sizes, commands, filename, imports) if commands else None
    return WheelInfo(
        commands=commands,
        console_scripts=console,
        gui_scripts=gui,
        data_scripts=data,
        top_level_importable=bool(imports),
        requires_dist=requires,
        role=judge(described) if described else None,
        imports=imports,
        entry_point_groups=tuple(
            g for g, e in entry_points.items() if e and g not in _SCRIPT_GROUPS
        ),
        typed_commands=typed_commands(described.description) if described else (),
    )


def read_local_wheel(path: Path) -> WheelInfo:
    """:class:`WheelInfo` of a wheel on disk."""
    try:
        with zipfile.ZipFile(path) as archive:
            sizes = {i.filename: i.file_size for i in archive.infolist()}
            return _summarise(sizes, lambda wanted: {n: archive.read(n) for n in wanted}, path.name)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise BadWheel(f"{path} is not a valid wheel: {exc}") from exc


# --- remote zip -----------------------------------------------------------------------------


def _read_remote(remote: RemoteZip, tail_size: int, filename: str | None) -> WheelInfo:
    remote.fetch_tail(tail_size)
    offset, size, count = central_directory_bounds(remote)
    entries = parse_central_directory(remote.read(offset, size), count)
    by_name = {entry.name: entry for entry in entries}
    info = _summarise(
        {entry.name: entry.size for entry in entries},
        lambda wanted: read_members(remote, [by_name[n] for n in wanted], offset),
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
            while chunk := response.read(CHUNK):
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
    remote = RemoteZip(url, fetcher.timeout)
    try:
        info = _read_remote(remote, fetcher.tail_size, filename)
    except NoRanges as exc:
        fetched = remote.bytes_fetched + _save(exc.response, cached, url)
        return replace(read_local_wheel(cached), bytes_fetched=fetched, full_download=cached)
    if remote.size > 2 * fetcher.tail_size:
        return info
    # A small wheel is mostly fetched already: the rest too, kept for the install, so that
    # pip (offered it) does not download it a second time.
    whole = remote.read(0, remote.size)
    _keep(whole, cached)
    return replace(info, bytes_fetched=remote.bytes_fetched, full_download=cached)


def _keep(data: bytes, destination: Path) -> None:
    """Write a fetched wheel into the cache atomically."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    descriptor, partial = tempfile.mkstemp(dir=destination.parent, suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        os.replace(partial, destination)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
