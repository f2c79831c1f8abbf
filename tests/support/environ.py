"""A hermetic environment for pip/pipx/safepip subprocesses, shared by the tests and bench/."""

from __future__ import annotations

import os
from pathlib import Path

SYSTEM_PATH_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
#: Variables kept from the outer environment (everything else is dropped).
KEPT_VARS = ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "USER", "LOGNAME", "TMPDIR")


def clean_path(extra_dirs: tuple[str, ...] = ()) -> str:
    """System dirs only (no pyenv shims, no venv, no ~/.local/bin), ``extra_dirs`` first."""
    dirs: list[str] = []
    for d in (*extra_dirs, *SYSTEM_PATH_DIRS):
        if d and d not in dirs and os.path.isdir(d):
            dirs.append(d)
    return os.pathsep.join(dirs)


def hermetic_env(
    home: Path, index_url: str | None, *, path_first: tuple[str, ...] = ()
) -> dict[str, str]:
    """HOME and XDG dirs in ``home``, no pip config, pip on ``index_url``."""
    env = {k: os.environ[k] for k in KEPT_VARS if k in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    env["PATH"] = clean_path(path_first)
    xdg = {
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_STATE_HOME": home / ".local" / "state",
    }
    for folder in (home, *xdg.values()):
        folder.mkdir(parents=True, exist_ok=True)
    env["HOME"] = str(home)
    env.update({k: str(v) for k, v in xdg.items()})
    # pip: no config files at all (this machine has /etc/pip.conf and ~/.config/pip/pip.conf)
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    if index_url is not None:
        env["PIP_INDEX_URL"] = index_url
    # a recent pipx picks uv when one is on PATH, and uv ignores PIP_INDEX_URL
    env["PIPX_DEFAULT_BACKEND"] = "pip"
    # as root safepip gives pipx the machine's folders (/opt/pipx, /usr/local/bin): never in a
    # test; these are where Debian's pipx 1.1.0 puts a user's apps, as the tests expect
    env["PIPX_GLOBAL_HOME"] = str(home / ".local" / "pipx")
    env["PIPX_GLOBAL_BIN_DIR"] = str(home / ".local" / "bin")
    env["PIPX_GLOBAL_MAN_DIR"] = str(home / ".local" / "share" / "man")
    return env
