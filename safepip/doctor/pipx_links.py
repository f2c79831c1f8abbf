"""pipx apps that earlier safepips left with a ``--find-links`` to a temporary folder.

Development builds of safepip 0.1 gave pipx ``--pip-args=--find-links /tmp/safepip-wheels-X``
to reuse a wheel it had fetched; pipx saved that in the app's ``pipx_metadata.json`` and passes
it to pip on every ``pipx upgrade``/``reinstall``. The folder is long gone and, in shared
``/tmp``, anyone can create it again with a wheel of their own. ``safepip doctor`` lists such
apps; ``safepip doctor --repair`` (and nothing else in safepip) removes those entries, leaving
every other part of the metadata as it was.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from safepip.backends.pipx_home import rewrite_metadata
from safepip.doctor.findings import StaleLinks
from safepip.inspect.downloads import PREFIX

_LONG = "--find-links"
_SHORT = "-f"


def is_safepip_folder(value: str) -> bool:
    """Whether a find-links value names one of safepip's temporary wheel folders."""
    path = urllib.parse.urlsplit(value).path if value.startswith("file:") else value
    return os.path.basename(os.path.normpath(path)).startswith(PREFIX)


def strip_links(pip_args: list[Any]) -> tuple[list[Any], list[str]]:
    """``pip_args`` without find-links to safepip's folders, and the folders removed."""
    kept: list[Any] = []
    removed: list[str] = []
    i = 0
    while i < len(pip_args):
        arg = pip_args[i]
        value: str | None = None
        width = 1
        if arg in (_LONG, _SHORT) and i + 1 < len(pip_args):
            value, width = str(pip_args[i + 1]), 2
        elif isinstance(arg, str) and arg.startswith(_LONG + "="):
            value = arg[len(_LONG) + 1 :]
        elif isinstance(arg, str) and arg.startswith(_SHORT) and not arg.startswith("--"):
            value = arg[len(_SHORT) :]
        if value is not None and is_safepip_folder(value):
            removed.append(value)
        else:
            kept.extend(pip_args[i : i + width])
        i += width
    return kept, removed


def _packages(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """The main package's and every injected package's metadata (each has its pip_args)."""
    found = [metadata.get("main_package")]
    injected = metadata.get("injected_packages")
    if isinstance(injected, dict):
        found.extend(injected.values())
    return [p for p in found if isinstance(p, dict) and isinstance(p.get("pip_args"), list)]


def _stale_of(path: Path) -> StaleLinks | None:
    try:
        metadata = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(metadata, dict):
        return None
    folders = [f for p in _packages(metadata) for f in strip_links(p["pip_args"])[1]]
    if not folders:
        return None
    return StaleLinks(app=path.parent.name, metadata=str(path), folders=folders)


def find_stale(environ: Mapping[str, str], home: Path) -> list[StaleLinks]:
    """Apps in every pipx home whose metadata offers a safepip temporary folder to pip."""
    from safepip.backends.pipx_home import pipx_homes

    found: list[StaleLinks] = []
    for pipx_home in pipx_homes(environ, home):
        try:
            candidates = sorted((pipx_home / "venvs").glob("*/pipx_metadata.json"))
        except OSError:
            continue
        found.extend(s for s in map(_stale_of, candidates) if s is not None)
    return found


def repair(stale: StaleLinks) -> None:
    """Rewrite ``stale.metadata`` without those find-links, atomically and as pipx writes it
    (4-space indent; keys, their order and every other value unchanged). Raises OSError."""

    def strip(metadata: Any) -> bool:
        for package in _packages(metadata):
            package["pip_args"] = strip_links(package["pip_args"])[0]
        return True

    rewrite_metadata(Path(stale.metadata), strip)
