"""apt's package lists as safepip reads them: the ``python3-*`` packages of
``/var/lib/apt/lists/*_Packages`` (plain, or compressed as apt keeps them: lz4 in Debian's
container images, gz, xz, zst), each at the newest version any list offers, with its ``Source:``
and ``Homepage:``.

Offline and fast: the lists are read once and what was found is kept in safepip's cache folder
with the size and time of every list it came from; the next run with the same lists reads only
that file (a few milliseconds). Nothing here runs apt: a list is read by the decompressing
program apt itself uses, or by Python's own gzip/lzma. ``$APT_CONFIG`` (a file apt reads too)
may name another lists folder (``Dir::State::Lists``), as tests do.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from safepip.child_environ import AS_IS
from safepip.process import output_bytes

DEFAULT_LISTS = Path("/var/lib/apt/lists")
_CACHE_NAME = "apt-python3.json"
_CACHE_FORMAT = 1
_MARK = b"\nPackage: python3-"
_FIELDS = {b"Version": "version", b"Source": "source", b"Homepage": "homepage"}
_HELPER = "/usr/lib/apt/apt-helper"


@dataclass(frozen=True)
class AptPackage:
    """One binary package as the lists offer it: its newest ``version`` (Debian's, epoch and
    revision included), its ``source`` package (the package's own name where the list names
    none) and ``homepage`` ("" where none)."""

    name: str
    version: str
    source: str
    homepage: str


@dataclass(frozen=True)
class AptIndex:
    """The ``python3-*`` packages of apt's lists, by name, and what other names they provide
    (``python3-pillow`` -> ``python3-pil``); ``lists``: the list files read, ``newest``: the
    time the newest of them was written (seconds since the epoch), None where there are none."""

    packages: Mapping[str, AptPackage]
    provides: Mapping[str, str]
    lists: tuple[str, ...]
    newest: float | None


def lists_folder(environ: Mapping[str, str]) -> Path:
    """Where apt keeps its lists: ``Dir::State::Lists`` of the file ``$APT_CONFIG`` names,
    else Debian's own place."""
    config = environ.get("APT_CONFIG")
    if config:
        try:
            text = Path(config).read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        found = re.search(r'^\s*Dir::State::Lists\s+"([^"]+)"\s*;', text, re.M)
        if found:
            return Path(found.group(1))
    return DEFAULT_LISTS


def list_files(folder: Path) -> list[Path]:
    """The binary package lists in ``folder`` (``*_Packages`` and compressed ones)."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [folder / n for n in names if re.search(r"_Packages(\.(lz4|gz|xz|zst|bz2))?$", n)]


def _fingerprint(files: list[Path]) -> list[list[object]]:
    found: list[list[object]] = []
    for path in files:
        try:
            info = path.stat()
        except OSError:
            continue
        found.append([str(path), info.st_size, info.st_mtime_ns])
    return found


def _contents(path: Path, environ: Mapping[str, str]) -> bytes:
    """A list's text, decompressed ("" where it cannot be read)."""
    suffix = path.suffix
    try:
        if suffix == ".gz":
            import gzip

            return gzip.decompress(path.read_bytes())
        if suffix == ".xz":
            import lzma

            return lzma.decompress(path.read_bytes())
        if suffix not in (".lz4", ".zst", ".bz2"):
            return path.read_bytes()
    except (OSError, EOFError, ValueError):
        return b""
    program = {".lz4": "lz4", ".zst": "zstd", ".bz2": "bzip2"}[suffix]
    for command in ([_HELPER, "cat-file", str(path)], [program, "-dc", str(path)]):
        data = output_bytes(command, environ=environ, policy=AS_IS, timeout=20)
        if data is not None:
            return data
    return b""


def _stanzas(data: bytes) -> Iterator[dict[str, str]]:
    """The fields safepip reads of each ``python3-*`` stanza in a list's text."""
    data = b"\n" + data
    at = data.find(_MARK)
    while at >= 0:
        end = data.find(b"\n\n", at + 1)
        stanza = data[at + 1 : end if end >= 0 else len(data)]
        fields = {"package": "", "version": "", "source": "", "homepage": "", "provides": ""}
        for line in stanza.split(b"\n"):
            key, _, value = line.partition(b": ")
            named = _FIELDS.get(key) or ("package" if key == b"Package" else None)
            if key == b"Provides":
                named = "provides"
            if named:
                fields[named] = value.decode("utf-8", "replace").strip()
        yield fields
        at = data.find(_MARK, end) if end >= 0 else -1


def parse(data: bytes) -> tuple[dict[str, AptPackage], dict[str, str]]:
    """The ``python3-*`` packages of one list's text (each at its newest version there), and
    the ``python3-*`` names they provide."""
    from safepip.inspect.distro_version import newer

    packages: dict[str, AptPackage] = {}
    provides: dict[str, str] = {}
    for fields in _stanzas(data):
        name, version = fields["package"], fields["version"]
        if not (name and version):
            continue
        old = packages.get(name)
        if old is not None and not newer(version, old.version):
            continue
        source = fields["source"].split(" ")[0] or name
        packages[name] = AptPackage(name, version, source, fields["homepage"])
        for provided in fields["provides"].split(","):
            other = provided.strip().split(" ")[0]
            if other.startswith("python3-") and other != name:
                provides.setdefault(other, name)
    return packages, provides


def _merged(files: list[Path], environ: Mapping[str, str]) -> AptIndex:
    from safepip.inspect.distro_version import newer

    packages: dict[str, AptPackage] = {}
    provides: dict[str, str] = {}
    for path in files:
        found, provided = parse(_contents(path, environ))
        for name, package in found.items():
            old = packages.get(name)
            if old is None or newer(package.version, old.version):
                packages[name] = package
        for other, name in provided.items():
            provides.setdefault(other, name)
    return AptIndex(packages, provides, tuple(str(p) for p in files), newest_written(files))


def newest_written(files: list[Path]) -> float | None:
    """When the newest of ``files`` was written (seconds since the epoch), None for none."""
    times = []
    for path in files:
        try:
            times.append(path.stat().st_mtime)
        except OSError:
            continue
    return max(times, default=None)


def _cached(path: Path, key: list[list[object]]) -> AptIndex | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    if data.get("format") != _CACHE_FORMAT:
        return None
    packages = {n: AptPackage(n, *fields) for n, fields in data["packages"].items()}
    lists = tuple(str(entry[0]) for entry in key)
    return AptIndex(packages, data["provides"], lists, data.get("newest"))


def _store(path: Path, key: list[list[object]], index: AptIndex) -> None:
    from safepip.paths import write_whole

    packages = {n: [p.version, p.source, p.homepage] for n, p in index.packages.items()}
    data = {"format": _CACHE_FORMAT, "key": key, "newest": index.newest}
    data.update(packages=packages, provides=dict(index.provides))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_whole(path, json.dumps(data, separators=(",", ":")))
    except OSError:
        pass  # a cache: the next run reads the lists again


def apt_index(environ: Mapping[str, str], cache_dir: Path | None) -> AptIndex:
    """The ``python3-*`` packages of apt's lists (none where there are no lists), from
    safepip's cache where the lists are unchanged since it was written."""
    files = list_files(lists_folder(environ))
    if not files:
        return AptIndex({}, {}, (), None)
    key = _fingerprint(files)
    cache = cache_dir / _CACHE_NAME if cache_dir is not None else None
    index = _cached(cache, key) if cache is not None else None
    if index is None:
        index = _merged(files, environ)
        if cache is not None:
            _store(cache, key, index)
    return index
