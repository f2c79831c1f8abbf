"""URLs as pip shows and opens them: credentials hidden, ``file:`` URLs as paths."""

from __future__ import annotations

import urllib.parse
import urllib.request
from pathlib import Path


def redact(url: str) -> str:
    """``url`` with any password replaced by ``****``."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:****@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def url_to_path(url: str) -> Path | None:
    """The local path of a ``file:`` URL, else None."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "file":
        return None
    return Path(urllib.request.url2pathname(parts.path))
