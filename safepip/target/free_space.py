"""Whether a full disk made pip fail, asked after it failed: safepip does not read pip's output
(pip runs on the user's terminal), so the file systems pip wrote to are looked at instead.

pip writes a distribution into the environment's site-packages and downloads and unpacks into
its temporary folder (``$TMPDIR``, else ``/tmp``); where either is full, pip says "No space left
on device" (Errno 28), or for a download cut short by a full ``$TMPDIR`` "Connection interrupted
... incomplete-download", which names no disk at all. Asked before what pip half-installed is
removed, a file system pip filled still is full. One that had room for nothing much when pip
started counts as full too (less than 1 MiB, or less than 1 % of its size, free).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

#: Below this many free bytes (or 1 % of the size) a file system counts as full.
FULL_BELOW = 1024 * 1024


def is_full(folder: str) -> str | None:
    """How little room the file system of ``folder`` has (``12 KiB free of 25 MiB``) where it
    counts as full; None where it has room or cannot be asked."""
    try:
        info = os.statvfs(folder)
    except OSError:
        return None
    free, size = info.f_bavail * info.f_frsize, info.f_blocks * info.f_frsize
    inodes_out = info.f_files > 0 and info.f_favail == 0
    if free >= FULL_BELOW and free * 100 >= size and not inodes_out:
        return None
    if inodes_out:
        return "no free inodes"
    return f"{_size(free)} free of {_size(size)}"


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    value = float(count)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            break
    return f"{value:.0f} {unit}"


def temp_folder(environ: Mapping[str, str]) -> str:
    """The temporary folder pip uses in ``environ``, as :func:`tempfile.gettempdir` finds it
    (the first of ``$TMPDIR``, ``$TEMP``, ``$TMP`` that is a folder, else ``/tmp``)."""
    for name in ("TMPDIR", "TEMP", "TMP"):
        value = environ.get(name, "")
        if value and os.path.isdir(value):
            return os.path.abspath(value)
    return "/tmp"


def no_space_cause(environment: str, environ: Mapping[str, str]) -> str | None:
    """ "No space left on device in <folder> (...)" where a full disk explains why pip failed
    installing into ``environment``; None where neither it nor pip's temporary folder is full.
    """
    found = is_full(environment)
    if found is not None:
        return f"No space left on device in {environment} ({found})"
    temp = temp_folder(environ)
    found = is_full(temp)
    if found is not None:
        return (
            f"No space left on device in TMPDIR {temp} ({found}), where pip downloads and "
            "unpacks (pip may call it a connection interrupted, incomplete-download)"
        )
    return None
