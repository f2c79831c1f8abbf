"""Wheels safepip downloaded (or built) whole to learn a requirement's commands, handed to the
install so that nothing is fetched twice.

Where an index serves no HTTP ranges, deciding a route needs the whole wheel; pip would then
download it again (its HTTP cache cannot be relied on, and pip prefers an index's copy of a file
over a ``--find-links`` copy of the same file). So the wheel is offered in a temporary
``--find-links`` folder under a build tag (``name-1.0-0safepip-py3-none-any.whl``): for the same
name and version pip ranks a build tag above none and takes the local file. What is installed is
unchanged, byte for byte the file the index serves; ``pip freeze`` still says ``name==1.0``.

The folder is private (mode 0700, see ``safepip.private_tmp``), lives only as long as the run,
and is offered to pip for that one run only: never as an option pipx or uv would save (pipx
gets it through its environment, see ``safepip.backends.pipx.reuse_environ``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from safepip.environment import Environment

BUILD_TAG = "0safepip"
#: How the folder's name starts (``safepip doctor`` recognises older safepips' folders by it).
PREFIX = "safepip-wheels-"


def tagged_name(filename: str) -> str | None:
    """``filename`` with safepip's build tag, or None for a wheel that has a build tag already
    (it could not be ranked above the index's copy) or is not a wheel file name."""
    if not filename.endswith(".whl"):
        return None
    parts = filename[: -len(".whl")].split("-")
    if len(parts) != 5:
        return None
    return "-".join([*parts[:2], BUILD_TAG, *parts[2:]]) + ".whl"


def offer(files: Sequence[Path], env: Environment) -> Path | None:
    """A new folder holding ``files`` (linked, or copied) under tagged names, or None when
    there is nothing to offer. The caller removes it with :func:`withdraw`."""
    named = [(f, tagged_name(f.name)) for f in files if f.is_file()]
    usable = [(f, name) for f, name in named if name is not None]
    if not usable:
        return None
    try:
        from safepip.private_tmp import make_private_dir  # tempfile: only when there is one

        folder = make_private_dir(env, PREFIX)
    except OSError:
        return None
    try:
        for source, name in usable:
            try:
                os.link(source, folder / name)
            except OSError:
                import shutil

                shutil.copyfile(source, folder / name)
    except OSError:
        withdraw(folder)
        return None
    except BaseException:  # an interruption: nothing may stay behind
        withdraw(folder)
        raise
    return folder


def withdraw(folder: Path | None) -> None:
    if folder is not None:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
