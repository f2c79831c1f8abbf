#!/usr/bin/env python3
"""Install safepip from this checkout for the current user, without touching the system Python.

    python3 install.py            # installs, then: safepip --version

It makes a private virtual environment in ``$XDG_DATA_HOME/safepip/venv`` (``~/.local/share``)
and links ``~/.local/bin/safepip`` to it. Only the standard library is used, so it runs on a
fresh Debian/Ubuntu/Fedora Python that is externally managed (PEP 668). Where the Python has no
``ensurepip`` (Debian/Ubuntu without python3-venv), the venv is made without pip and the system's
pip installs into it with ``--python`` (a venv is not externally managed). Run it again to
upgrade; ``python3 install.py --uninstall`` removes both.

The private venv gets a current pip (:data:`CURRENT_PIP`) where the index has one for this Python:
safepip links that pip into every ``.venv`` it makes. Where the index cannot provide it, the pip
already there is kept and safepip installs without it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: The pip new .venvs get: 25.1 is the first with dependency groups (--group) and pylock files.
CURRENT_PIP = "pip>=25.1"


def _data_home() -> Path:
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def _fail(message: str) -> int:
    print(f"ERROR: {message}", file=sys.stderr)
    return 1


def _run(command: list[str], env: dict[str, str], quiet: bool = False) -> bool:
    return subprocess.run(command, env=env, capture_output=quiet, check=False).returncode == 0


def _dependencies() -> list[str]:
    """safepip's dependencies from pyproject.toml, without pip (read without tomllib: 3.9)."""
    text = (HERE / "pyproject.toml").read_text(encoding="utf-8")
    block = text.split("\ndependencies = [", 1)[1].split("\n]", 1)[0]
    found = [line.strip().rstrip(",") for line in block.splitlines()]
    return [dep[1:-1] for dep in found if dep.startswith('"') and not dep.startswith('"pip')]


def _install_safepip(pip: list[str], env: dict[str, str]) -> bool:
    """A current pip first, then safepip. Where the index has no current pip for this Python,
    the pip already there stays (silently) and safepip goes in without its pip requirement."""
    install = [*pip, "install", "--quiet", "--upgrade"]
    if _run([*install, CURRENT_PIP], env, quiet=True):
        return _run([*install, str(HERE)], env)
    return _run([*install, *_dependencies()], env) and _run([*install, "--no-deps", str(HERE)], env)


def main(argv: list[str]) -> int:
    venv = _data_home() / "safepip" / "venv"
    bindir = Path.home() / ".local" / "bin"
    link = bindir / "safepip"
    if argv[:1] == ["--uninstall"]:
        if link.is_symlink():
            link.unlink()
        shutil.rmtree(venv, ignore_errors=True)
        print(f"removed {venv} and {link}")
        return 0
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PIP_TARGET", "PIP_PREFIX", "PIP_USER", "PYTHONPATH", "PYTHONHOME")
    }
    python = venv / "bin" / "python"
    if not python.exists():
        with_pip = (
            subprocess.run(
                [sys.executable, "-c", "import ensurepip"], capture_output=True, check=False
            ).returncode
            == 0
        )
        cmd = [sys.executable, "-m", "venv", str(venv)] + ([] if with_pip else ["--without-pip"])
        if subprocess.run(cmd, env=env, check=False).returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            return _fail(f"could not create {venv}")
    has_pip = (
        subprocess.run(
            [str(python), "-c", "import pip"], capture_output=True, check=False
        ).returncode
        == 0
    )
    pip = (
        [str(python), "-m", "pip"]
        if has_pip
        else [sys.executable, "-m", "pip", "--python", str(python)]
    )
    if not _install_safepip(pip, env):
        return _fail(
            "installing safepip into its private environment failed (see above); "
            "this Python has neither ensurepip nor pip: install its venv support first "
            "(Debian/Ubuntu: apt install python3-venv)"
        )
    if any(venv.glob("lib/python*/site-packages/distutils-precedence.pth")):
        # ensurepip before Python 3.12 adds setuptools, which safepip never uses; its
        # distutils hook would run at every start of safepip (~5 ms)
        _run([*pip, "uninstall", "--quiet", "--yes", "setuptools"], env, quiet=True)
    bindir.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or not link.exists():
        if link.is_symlink():
            link.unlink()
        link.symlink_to(venv / "bin" / "safepip")
    else:
        return _fail(f"{link} exists and is not safepip's link; remove it and run again")
    print(f"safepip installed: {link} -> {venv / 'bin' / 'safepip'}")
    if str(bindir) not in os.environ.get("PATH", "").split(os.pathsep):
        hint = "echo 'export PATH=\"$HOME/.local/bin:$PATH\"' >> ~/.bashrc"
        print(f"add {bindir} to PATH, e.g.: {hint}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
