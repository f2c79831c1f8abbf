"""The user environment: one virtual environment per user in safepip's data folder, with the
system's site-packages visible (as ``pip install --user`` saw the distribution's packages). It
replaces ``--user`` safely, and it is the home of libraries installed where no ``.venv`` should
be made: in the home folder itself, in ``/`` or a folder of the operating system, or in a folder
the user does not own (or one shared by all, as ``/tmp``). It is never a project marker (it is
in no project folder)."""

from __future__ import annotations

import os
import stat

TYPE_CHECKING = False  # the warm path imports OWN_TOOLS: no pathlib, no typing
if TYPE_CHECKING:
    from pathlib import Path

#: The user environment's folder name in ``$XDG_DATA_HOME/safepip``.
USER_ENV = "user-env"
#: Folders of the operating system (with what is below them): no project starts there.
SYSTEM_FOLDERS = (
    "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/proc",
    "/root", "/run", "/sbin", "/srv", "/sys", "/usr", "/var",
)  # fmt: skip
#: The environment's own tools: never applications, always upgraded where they are.
OWN_TOOLS = frozenset({"pip", "setuptools", "wheel"})


def user_env_path(data_dir: Path) -> Path:
    """``$XDG_DATA_HOME/safepip/user-env``."""
    return data_dir / USER_ENV


def why_user_env(cwd: Path, home: Path) -> str | None:
    """Why a library installed in ``cwd`` (outside any project) goes to the user environment
    rather than a new ``.venv`` there; None for an ordinary folder, which starts a project."""
    from safepip.paths import same_path

    if same_path(cwd, home):
        return "this is your home folder, which is no project"
    text = str(cwd)
    if text == "/" or any(text == f or text.startswith(f + "/") for f in SYSTEM_FOLDERS):
        return f"{cwd} is a folder of the operating system, where no project starts"
    try:
        info = cwd.stat()
    except OSError:
        return None
    if info.st_mode & stat.S_ISVTX and info.st_mode & stat.S_IWOTH:
        return f"{cwd} is a folder shared by all users, where no project starts"
    if info.st_uid != os.geteuid() and os.geteuid() != 0:
        return f"you do not own {cwd}, so no project of yours starts there"
    return None


def libraries_home(venv: Path, in_project: bool, cwd: Path, home: Path, data_dir: Path) -> Path:
    """Where a library installed in ``cwd`` goes: the project's ``venv`` (a new one in an
    ordinary folder), or the user environment where no project starts (:func:`why_user_env`).
    What ``explain --json`` and ``doctor`` name, as the install does."""
    if in_project or why_user_env(cwd, home) is None:
        return venv
    return user_env_path(data_dir)
