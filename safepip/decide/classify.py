"""What each positional argument, ``-r``, ``-c`` and ``-e`` of a pip install is, as pip would
read it: a name, a requirements or constraints file, an editable, a local path or a URL."""

from __future__ import annotations

import os

from safepip.decide.model import DIRECT_URL, Item

TYPE_CHECKING = False  # the warm path classifies names: no pathlib, no typing
if TYPE_CHECKING:
    from pathlib import Path

    from safepip.pip.argv import PipArgs

_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz")


def _exists(path: str) -> bool:
    try:
        return os.path.exists(path)
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        return False


def classify(text: str, cwd: str | Path) -> Item:
    """What kind of requirement a positional argument is, as pip would read it."""
    from safepip.names import canonicalize_name, simple_requirement_name

    looks_like_path = (
        text.startswith((".", "/", "~"))
        or (os.sep in text.split("[", 1)[0] and "://" not in text and " @ " not in text)
        or text.lower().endswith(_ARCHIVE_SUFFIXES)
        or _exists(os.path.join(cwd, text.split("[", 1)[0]))
    )
    if "://" in text and "@" not in text.split("://", 1)[0]:
        return Item(text, "url", inspect_error="a URL is not inspected before installing")
    if looks_like_path:
        return Item(text, "local")
    simple = simple_requirement_name(text)
    if simple is not None:
        return Item(text, "name", simple)
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return Item(text, "name", inspect_error="not a valid requirement")
    name = canonicalize_name(requirement.name)
    if requirement.url:
        return Item(text, "name", name, inspect_error=DIRECT_URL)
    return Item(text, "name", name)


def items_of(pip_args: PipArgs, cwd: Path) -> list[Item]:
    items = [Item(f"-r {f}", "requirements-file") for f in pip_args.requirement_files]
    items += [Item(f"-c {f}", "constraints-file") for f in pip_args.constraint_files]
    items += [Item(f"--group {g}", "dependency-group") for g in pip_args.values("--group")]
    scripts = pip_args.values("--requirements-from-script")
    items += [Item(f"--requirements-from-script {s}", "script") for s in scripts]
    items += [Item(f"-e {e}", "editable") for e in pip_args.editables]
    items += [classify(text, cwd) for text in pip_args.requirements]
    return items
