"""Making a virtual environment that is whole or absent.

A new ``.venv`` is built under a temporary name beside it and renamed into place only when it is
complete, so that ``.venv`` is either absent or a whole venv; the caller removes it again if the
first install into it fails. pip is not installed by ``ensurepip`` (about 3 s): the wheel-installed
pip that safepip itself runs with is linked in (see ``own_pip``), which also works on Debian and
Ubuntu machines without ``python3-venv``.
"""

from __future__ import annotations

import errno
import os
import shlex
import shutil
from collections.abc import Mapping
from pathlib import Path

from safepip.child_environ import ChosenTarget
from safepip.environment import Environment
from safepip.exceptions import VenvError
from safepip.process import run_captured
from safepip.target.distro import venv_package_hint
from safepip.target.interpreter import Probe
from safepip.target.own_pip import copy_pip, own_pip, pip_supports


def _script(python: Path) -> str:
    """pip's console-script launcher, with the shebang pip's installer would write."""
    interpreter = str(python)
    if " " in interpreter or len(interpreter) > 127:
        shebang = f"#!/bin/sh\n'''exec' \"{interpreter}\" \"$0\" \"$@\"\n' '''"
    else:
        shebang = f"#!{interpreter}"
    return (
        f"{shebang}\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n"
        "from pip._internal.cli.main import main\n"
        "if __name__ == '__main__':\n"
        "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
        "    sys.exit(main())\n"
    )


def _site_packages(venv: Path, probe: Probe) -> Path:
    major, minor = probe.version_tuple[:2]
    expected = venv / "lib" / f"python{major}.{minor}" / "site-packages"
    if expected.is_dir():
        return expected
    found = sorted(venv.glob("lib*/python*/site-packages"))
    if not found:
        raise VenvError(f"the new virtual environment at {venv} has no site-packages folder")
    return found[0]


def _seed_pip(tmp: Path, final: Path, probe: Probe, environ: Mapping[str, str]) -> None:
    dist = own_pip()
    major, minor = probe.version_tuple[:2]
    if dist is not None and pip_supports(dist, probe.version):
        copy_pip(dist, _site_packages(tmp, probe))
        for name in ("pip", f"pip{major}", f"pip{major}.{minor}"):
            launcher = tmp / "bin" / name
            launcher.write_text(_script(final / "bin" / "python"), encoding="utf-8")
            launcher.chmod(0o755)
        return
    # safepip's own pip cannot run there: fall back to the interpreter's ensurepip.
    completed = run_captured(
        [str(tmp / "bin" / "python"), "-m", "ensurepip", "--default-pip"],
        environ=environ,
        policy=ChosenTarget(),
    )
    if completed.returncode != 0:
        raise VenvError(
            "pip could not be installed into the new virtual environment: "
            + _last_line(completed.stdout + completed.stderr),
            venv_package_hint(probe.version),
        )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def relocate(old: Path, new: Path) -> None:
    """A whole venv renamed from ``old`` to ``new``: its ``pyvenv.cfg``, activation scripts and
    the scripts whose first lines (pip's shebang, or its ``/bin/sh`` form) run its interpreter
    told the new path (best effort)."""
    _relocate(old, new)
    before, after = os.fsencode(f"{old}/bin/"), os.fsencode(f"{new}/bin/")
    try:
        scripts = sorted((new / "bin").iterdir())
    except OSError:
        return
    for script in scripts:
        if script.is_symlink() or not script.is_file():
            continue
        try:
            data = script.read_bytes()
            if not data.startswith(b"#!"):
                continue
            lines = data.split(b"\n", 2)
            head = [line.replace(before, after) for line in lines[:2]]
            if head != lines[:2]:
                script.write_bytes(b"\n".join([*head, *lines[2:]]))
        except OSError:
            continue


def _relocate(tmp: Path, final: Path) -> None:
    """venv wrote the temporary path (and its name, as the prompt) into a few text files."""
    replacements = ((str(tmp), str(final)), (tmp.name, final.name))
    candidates = [
        tmp / "pyvenv.cfg",
        *sorted((tmp / "bin").glob("activate*")),
        *sorted((tmp / "bin").glob("Activate*")),
    ]
    for file in candidates:
        if not file.is_file() or file.is_symlink():
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        changed = text
        for old, new in replacements:
            changed = changed.replace(old, new)
        if changed != text:
            file.write_text(changed, encoding="utf-8")


def create_venv(
    final: Path,
    base_python: str,
    probe: Probe,
    env: Environment,
    uv: str | None = None,
    *,
    system_site_packages: bool = False,
    seed: bool = True,
) -> None:
    """Build a complete venv with pip at ``final``, which must not exist (or be an empty folder,
    or a symbolic link to one: the venv is then built where the link points). With ``uv``
    (safepip's uv setting), ``uv venv`` makes the venv (Python's venv if that fails); pip is
    put in either way (``seed=False``: not now, the caller starts a :class:`PipSeeding`).
    ``system_site_packages`` makes the system's packages visible in it.

    On any failure or interrupt nothing is left behind.
    """
    if final.is_symlink():
        final = final.resolve()
    tmp = final.with_name(f"{final.name}.safepip-tmp-{os.urandom(4).hex()}")  # secrets.token_hex
    try:
        _make_folder(tmp, final)
        system = ("--system-site-packages",) if system_site_packages else ()
        _make_venv(tmp, final, base_python, probe, env.environ, uv, system)
        if seed:
            _seed_pip(tmp, final, probe, env.environ)
        _relocate(tmp, final)
        _move_into_place(tmp, final)
    except OSError as error:
        raise VenvError(
            f"a virtual environment could not be created at {final}: {error.strerror or error}"
            + (f" ({error.filename})" if error.filename else ""),
            _WRITE_HINT,
        ) from error
    finally:
        if os.path.lexists(tmp):
            shutil.rmtree(tmp, ignore_errors=True)


def _make_folder(tmp: Path, final: Path) -> None:
    try:
        tmp.mkdir()
    except OSError as error:
        raise VenvError(
            f"a virtual environment cannot be created in {final.parent}: {error.strerror or error}",
            "the project folder must be writable (it is read-only, or belongs to another "
            "user); run safepip where you can write, or make the folder writable",
        ) from error


def _make_venv(
    tmp: Path,
    final: Path,
    base_python: str,
    probe: Probe,
    environ: Mapping[str, str],
    uv: str | None,
    options: tuple[str, ...] = (),
) -> None:
    """A venv without pip in the empty folder ``tmp``: by ``uv venv`` where asked and it works,
    else by Python's own ``venv``."""
    if uv is not None:
        made = run_captured(
            [uv, "venv", "--quiet", *options, "--python", base_python, str(tmp)],
            environ=dict(environ, UV_PYTHON_DOWNLOADS="never"),
            policy=ChosenTarget(),
        )
        if made.returncode == 0:
            return
        shutil.rmtree(tmp, ignore_errors=True)  # start again from an empty folder
        tmp.mkdir()
    command = [base_python, "-m", "venv", "--without-pip", *options, str(tmp)]
    completed = run_captured(command, environ=environ, policy=ChosenTarget())
    if completed.returncode != 0:
        output = completed.stdout + completed.stderr
        raise VenvError(
            f"Python could not create a virtual environment at {final}: " + _last_line(output),
            venv_package_hint(probe.version) if "ensurepip" in output else _WRITE_HINT,
        )


def _move_into_place(tmp: Path, final: Path) -> None:
    try:
        if final.is_dir() and not any(final.iterdir()):
            final.rmdir()  # an empty folder (or the target of a link to one) is replaced
        os.rename(tmp, final)
    except OSError as error:
        raise VenvError(
            f"the new virtual environment could not be moved into place at {final}: "
            f"{error.strerror}",
            "something else created it at the same time; run the command again"
            if error.errno in (errno.EEXIST, errno.ENOTEMPTY)
            else _WRITE_HINT,
        ) from error


_WRITE_HINT = "check that the project folder is writable and the disk is not full"


class PipSeeding:
    """pip put into a venv just made without it, on a thread of its own, while the first
    install runs (a uv-made venv: uv needs no pip, so linking pip's ~1000 files need not come
    first). pip's ``.dist-info`` is linked last, so pip shows as installed only when whole."""

    def __init__(self, venv: Path, probe: Probe, env: Environment) -> None:
        import threading

        self.venv = venv
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._seed, args=(probe, dict(env.environ)), name="safepip-pip-seed", daemon=True
        )
        self._thread.start()

    def _seed(self, probe: Probe, environ: Mapping[str, str]) -> None:
        try:
            _seed_pip(self.venv, self.venv, probe, environ)
        except BaseException as error:  # handed to the main thread by wait()
            self._error = error

    def wait(self) -> VenvError | None:
        """Wait until pip is in place; what went wrong, if anything."""
        self._thread.join()
        error = self._error
        if error is None or isinstance(error, VenvError):
            return error
        return VenvError(
            f"pip could not be put into the new virtual environment {self.venv}: {error}",
            _WRITE_HINT,
        )


def refuse_sudo_into_users_folder(folder: Path, env: Environment) -> None:
    """``sudo safepip install X`` in a user's project would leave a root-owned ``.venv`` there
    that the user can no longer change. A venv needs no root: refuse, and say how to run it.
    Plain root (a container, no ``SUDO_USER``) is left alone."""
    sudo_user = env.environ.get("SUDO_USER")
    if os.geteuid() != 0 or not sudo_user or sudo_user == "root":
        return
    try:
        owner = folder.stat().st_uid
    except OSError:
        return
    if owner == 0:
        return
    import pwd

    try:
        owner_name = pwd.getpwuid(owner).pw_name
    except KeyError:
        owner_name = f"user {owner}"
    raise VenvError(
        f"safepip is running as root through sudo, and {folder} belongs to {owner_name}: "
        "a .venv made now would be owned by root",
        "run it without sudo (a virtual environment needs no root), or as that user: "
        f"sudo -u {shlex.quote(sudo_user)} safepip ...",
    )
