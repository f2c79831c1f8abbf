"""Find the distribution file pip would pick for a requirement, without pip.

After pip's ``index/collector.py`` (pages: PEP 691 JSON, else PEP 503 HTML; ``--find-links``
directories and pages) and ``index/package_finder.py`` (which files count, and their order):

* a file counts if its name parses as a wheel or sdist of the project, a wheel has a tag the
  target supports, and its ``requires-python`` admits the target's Python;
* versions are filtered by the specifier; pre-releases only with ``pre`` or when nothing else
  matches; yanked files only when every match is yanked and the specifier pins (``==``/``===``);
* the best is the highest version, then the wheel with the most preferred tag (earliest in
  ``tags``), then the highest build tag; an sdist comes after every wheel of its version.

Failing to reach one source is skipped, as pip does, unless nothing is found at all.
"""

from __future__ import annotations

import base64
import json
import os
import posixpath
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.client import HTTPException, HTTPResponse
from pathlib import Path
from typing import Union

from packaging.requirements import Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from safepip import __version__
from safepip.exceptions import IndexUnreachable, NoMatchingDistribution
from safepip.pip.index_options import IndexOptions
from safepip.urls import url_to_path

DEFAULT_TIMEOUT = 15.0
_ACCEPT = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"
_JSON_TYPE = "application/vnd.pypi.simple.v1+json"
#: Source archives pip still accepts besides the standard ``.tar.gz`` and ``.zip``.
_LEGACY_SDIST = (".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma", ".tgz")


@dataclass(frozen=True)
class Link:
    """One file listed on a page."""

    filename: str
    url: str
    requires_python: str | None = None
    yanked: str | None = None  # the reason ("" when none is given); None: not yanked
    hashes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Candidate:
    """The file chosen for a requirement."""

    name: str  # canonical project name
    version: Version
    url: str
    filename: str
    is_wheel: bool
    requires_python: str | None = None
    hashes: Mapping[str, str] = field(default_factory=dict)
    yanked: str | None = None


# --- fetching -------------------------------------------------------------------------------


def open_url(
    url: str, *, headers: Mapping[str, str] | None = None, timeout: float = DEFAULT_TIMEOUT
) -> HTTPResponse:
    """GET ``url``; credentials in the URL become a Basic ``Authorization`` header.

    Raises :class:`IndexUnreachable` (with ``status`` for an HTTP error) on any failure.
    """
    parts = urllib.parse.urlsplit(url)
    all_headers = {"User-Agent": f"safepip/{__version__}", **(headers or {})}
    if parts.username is not None:
        token = (
            f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
        )
        all_headers["Authorization"] = "Basic " + base64.b64encode(token.encode()).decode()
        netloc = parts.netloc.rpartition("@")[2]
        url = urllib.parse.urlunsplit(parts._replace(netloc=netloc, fragment=""))
    request = urllib.request.Request(url, headers=all_headers)
    try:
        response: HTTPResponse = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise IndexUnreachable(url, f"HTTP {exc.code} {exc.reason}", status=exc.code) from exc
    except urllib.error.URLError as exc:
        raise IndexUnreachable(url, str(exc.reason)) from exc
    except (OSError, HTTPException, ValueError) as exc:
        raise IndexUnreachable(url, str(exc) or type(exc).__name__) from exc
    return response


def _split_hash(url: str) -> tuple[str, dict[str, str]]:
    base, _, fragment = url.partition("#")
    hashes: dict[str, str] = {}
    for part in fragment.split("&"):
        algorithm, sep, value = part.partition("=")
        if sep and algorithm in ("sha256", "sha384", "sha512", "sha1", "sha224", "md5"):
            hashes[algorithm] = value
    return base, hashes


def _filename(url: str) -> str:
    return urllib.parse.unquote(posixpath.basename(urllib.parse.urlsplit(url).path))


class _AnchorParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.anchors: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "base" and self.base is None:
            self.base = dict(attrs).get("href")
        elif tag == "a":
            self.anchors.append(dict(attrs))


def parse_html_page(text: str, page_url: str) -> list[Link]:
    """Links of a PEP 503 page (also a ``--find-links`` page)."""
    parser = _AnchorParser()
    parser.feed(text)
    parser.close()
    base = urllib.parse.urljoin(page_url, parser.base) if parser.base else page_url
    links = []
    for attrs in parser.anchors:
        href = attrs.get("href")
        if not href:
            continue
        url, hashes = _split_hash(urllib.parse.urljoin(base, href))
        links.append(
            Link(
                filename=_filename(url),
                url=url,
                requires_python=attrs.get("data-requires-python") or None,
                yanked=(attrs.get("data-yanked") or "") if "data-yanked" in attrs else None,
                hashes=hashes,
            )
        )
    return links


def parse_json_page(data: bytes, page_url: str) -> list[Link]:
    """Links of a PEP 691 JSON project page."""
    try:
        document = json.loads(data)
        files = document["files"]
        links = []
        for item in files:
            url, fragment_hashes = _split_hash(urllib.parse.urljoin(page_url, item["url"]))
            yanked = item.get("yanked", False)
            links.append(
                Link(
                    filename=item.get("filename") or _filename(url),
                    url=url,
                    requires_python=item.get("requires-python") or None,
                    yanked=(yanked if isinstance(yanked, str) else "") if yanked else None,
                    hashes={**fragment_hashes, **(item.get("hashes") or {})},
                )
            )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexUnreachable(page_url, f"malformed PEP 691 page: {exc}") from exc
    return links


def _local_links(path: Path) -> list[Link]:
    if path.is_dir():
        index = path / "index.html"
        if index.is_file():
            return parse_html_page(index.read_text("utf-8", "replace"), index.as_uri())
        entries = sorted(p for p in path.iterdir() if p.is_file())
        return [Link(filename=p.name, url=p.resolve().as_uri()) for p in entries]
    if path.is_file():
        return [Link(filename=path.name, url=path.resolve().as_uri())]
    return []


def fetch_page(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> list[Link]:
    """Links of an index page, a find-links page or a local folder; [] for 404 and 410."""
    local = url_to_path(url)
    if local is not None:
        return _local_links(local)
    try:
        response = open_url(url, headers={"Accept": _ACCEPT}, timeout=timeout)
    except IndexUnreachable as exc:
        if exc.status in (404, 410):
            return []
        raise
    with response:
        try:
            data = response.read()
        except (OSError, HTTPException) as exc:
            raise IndexUnreachable(url, str(exc) or type(exc).__name__) from exc
        final_url = response.geturl()
        content_type = response.headers.get_content_type()
        charset = response.headers.get_content_charset() or "utf-8"
    if content_type == _JSON_TYPE:
        return parse_json_page(data, final_url)
    return parse_html_page(data.decode(charset, "replace"), final_url)


def project_url(index_url: str, name: str) -> str:
    """The project page under ``index_url``, as pip builds it."""
    return index_url.rstrip("/") + "/" + urllib.parse.quote(canonicalize_name(name)) + "/"


def _location_url(location: str) -> str:
    if "://" in location or location.startswith("file:"):
        return location
    return Path(os.path.expanduser(location)).resolve().as_uri()


def collect_links(
    name: str, options: IndexOptions, *, timeout: float = DEFAULT_TIMEOUT
) -> tuple[list[Link], list[IndexUnreachable]]:
    """Every link of every source, and the sources that failed."""
    pages = [_location_url(location) for location in options.find_links]
    if not options.no_index:
        indexes = (options.index_url, *options.extra_index_urls)
        pages += [project_url(index, name) for index in indexes]
    links: list[Link] = []
    errors: list[IndexUnreachable] = []
    for page in pages:
        try:
            links += fetch_page(page, timeout=timeout)
        except IndexUnreachable as exc:
            errors.append(exc)
    return links, errors


# --- choosing -------------------------------------------------------------------------------


_Build = Union[tuple[()], tuple[int, str]]


def _parse_filename(filename: str) -> tuple[str, Version, bool, frozenset[Tag], _Build] | None:
    try:
        if filename.endswith(".whl"):
            name, version, build, file_tags = parse_wheel_filename(filename)
            return name, version, True, file_tags, build
        legacy = next((ext for ext in _LEGACY_SDIST if filename.endswith(ext)), None)
        if legacy is not None:
            raw_name, _, raw_version = filename[: -len(legacy)].rpartition("-")
            return canonicalize_name(raw_name), Version(raw_version), False, frozenset(), ()
        name, version = parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    return name, version, False, frozenset(), ()


def _python_allowed(requires_python: str | None, python: Version) -> bool:
    if not requires_python:
        return True
    try:
        return SpecifierSet(requires_python).contains(python, prereleases=True)
    except InvalidSpecifier:
        return True  # pip ignores a malformed requires-python too


def _is_pinned(specifier: SpecifierSet) -> bool:
    return any(
        s.operator == "===" or (s.operator == "==" and not s.version.endswith(".*"))
        for s in specifier
    )


def select_candidate(
    requirement: Requirement,
    links: Sequence[Link],
    *,
    tags: Sequence[Tag],
    python_version: str,
    pre: bool = False,
) -> Candidate:
    """The file pip would choose among ``links``; :class:`NoMatchingDistribution` if none."""
    project = canonicalize_name(requirement.name)
    priority = {tag: rank for rank, tag in enumerate(tags)}
    python = Version(python_version)
    usable: list[tuple[Candidate, int, _Build]] = []
    seen: set[Version] = set()
    for link in links:
        parsed = _parse_filename(link.filename)
        if parsed is None or parsed[0] != project:
            continue
        name, version, is_wheel, file_tags, build = parsed
        seen.add(version)
        ranks = [priority[tag] for tag in file_tags if tag in priority]
        if (is_wheel and not ranks) or not _python_allowed(link.requires_python, python):
            continue
        candidate = Candidate(
            name=name,
            version=version,
            url=link.url,
            filename=link.filename,
            is_wheel=is_wheel,
            requires_python=link.requires_python,
            hashes=link.hashes,
            yanked=link.yanked,
        )
        usable.append((candidate, min(ranks) if is_wheel else len(priority), build))
    prereleases = True if pre else None
    allowed = set(requirement.specifier.filter({c.version for c, _, _ in usable}, prereleases))
    applicable = [entry for entry in usable if entry[0].version in allowed]
    all_yanked = all(c.yanked is not None for c, _, _ in applicable)
    if not (all_yanked and _is_pinned(requirement.specifier)):
        applicable = [entry for entry in applicable if entry[0].yanked is None]
    if not applicable:
        versions = ", ".join(str(v) for v in sorted(seen)) or "none"
        raise NoMatchingDistribution(
            f"no matching distribution found for {requirement} (versions seen: {versions})",
            hint="check the name and version, the target's Python version and platform",
        )
    best = max(applicable, key=lambda entry: (entry[0].version, -entry[1], entry[2]))
    return best[0]


def find_candidate(
    requirement: Requirement,
    options: IndexOptions,
    *,
    tags: Sequence[Tag],
    python_version: str,
    timeout: float = DEFAULT_TIMEOUT,
) -> Candidate:
    """Fetch the pages for ``requirement`` and choose its file as pip would.

    Raises :class:`NoMatchingDistribution`, or :class:`IndexUnreachable` when nothing matched
    and a source could not be fetched.
    """
    links, errors = collect_links(requirement.name, options, timeout=timeout)
    try:
        return select_candidate(
            requirement, links, tags=tags, python_version=python_version, pre=options.pre
        )
    except NoMatchingDistribution:
        if errors:
            raise errors[0] from None
        raise
