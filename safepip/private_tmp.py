"""Where safepip makes its temporary folders: somewhere only the user can write, never shared
``/tmp`` where that can be helped.

A folder in ``/tmp`` can be re-created by any local user once safepip has removed it, so a path
there must never be handed to anything that might use it again later. safepip's own temporary
folders go to ``$XDG_RUNTIME_DIR/safepip`` when the runtime folder is a private folder of the
user's (as systemd makes it), else to ``<safepip's cache>/tmp``; each is made with mode 0700.
Only when neither can be used does ``tempfile``'s default (``$TMPDIR``, ``/tmp``) remain.

:func:`usable_cache` is safepip's cache folder, or where it cannot be written (a read-only or
full HOME), such a temporary folder for the run: the cache only saves time.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from safepip.environment import Environment


def _private(path: Path, others: int = 0o022) -> bool:
    """``path`` is a real folder (no symlink) of this user's without the ``others`` mode bits
    (by default: nobody else can write to it)."""
    try:
        info = path.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & others


def _own_folder(path: Path) -> bool:
    """Make ``path`` (mode 0700) if it is not there; whether it is now private to the user."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=0o700, exist_ok=True)
        if _private(path):
            os.chmod(path, 0o700)
            return True
    except OSError:
        pass
    return False


def private_root(env: Environment) -> Path | None:
    """The folder safepip's temporary folders go into, or None for ``tempfile``'s default."""
    runtime = env.environ.get("XDG_RUNTIME_DIR", "")
    mine = Path(runtime) / "safepip"
    if runtime and os.path.isabs(runtime) and _private(Path(runtime), 0o077) and _own_folder(mine):
        return mine
    cache = env.cache_dir / "tmp"
    return cache if _own_folder(cache) else None


def make_private_dir(env: Environment, prefix: str) -> Path:
    """A new, empty folder (mode 0700) named ``<prefix>...``; the caller removes it."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir=private_root(env)))


def usable_cache(env: Environment, reporter_detail: Callable[[str], None]) -> Path:
    """safepip's cache folder where it can be written; else a private temporary folder for this
    run (removed when safepip ends), said in one ``-v`` line: the cache only saves time."""
    cache = env.cache_dir
    try:
        (cache / "wheels").mkdir(parents=True, exist_ok=True)
        if os.access(cache / "wheels", os.W_OK):
            return cache
        why = "not writable"
    except OSError as error:
        why = error.strerror or str(error)
    import atexit
    import shutil

    folder = Path(tempfile.mkdtemp(prefix="safepip-cache-", dir=private_root(env)))
    atexit.register(shutil.rmtree, folder, True)
    reporter_detail(
        f"safepip's cache {cache} cannot be written ({why}): using {folder} for this run"
    )
    return folder
