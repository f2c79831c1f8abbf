"""The project's virtual environment: is it usable, and how to make one that is.

A new ``.venv`` is built under a temporary name beside it and renamed into place only when it is
complete, so that ``.venv`` is either absent or a whole venv; the caller removes it again if the
first install into it fails. pip is not installed by ``ensurepip`` (about 3 s): the wheel-installed
pip that safepip itself runs with is copied in (about 0.1 s), which also works on Debian and
Ubuntu machines without ``python3-venv``.
"""

from __future__ import annotations

import configparser
import contextlib
import errno
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ._distribution import venv_package_hint
from ._environment import Environment
from ._exceptions import VenvError
from ._interpreter import Probe
from ._subprocess import clean_environ, run_captured

Status = Literal["absent", "ready", "not-a-venv", "broken"]


@dataclass(frozen=True)
class VenvState:
    path: Path
    status: Status
    problem: str = ""

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"


def read_pyvenv_cfg(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        text = (path / "pyvenv.cfg").read_text(encoding="utf-8")
        parser.read_string("[pyvenv]\n" + text)
    except (OSError, UnicodeDecodeError, configparser.Error):
        return {}
    return dict(parser["pyvenv"])


def inspect_venv(path: Path) -> VenvState:
    """What is at ``path`` now; never changes anything."""
    if not os.path.lexists(path):
        return VenvState(path, "absent")
    if path.is_symlink() and not path.exists():
        return VenvState(
            path, "broken", f"it is a symbolic link to {os.readlink(path)}, which is missing"
        )
    if not path.is_dir():
        return VenvState(path, "not-a-venv", "it is a file, not a folder")
    if not (path / "pyvenv.cfg").is_file():
        try:
            empty = not any(path.iterdir())
        except OSError:
            empty = False
        if empty:
            return VenvState(path, "absent", "it is an empty folder")
        return VenvState(
            path, "not-a-venv", "it has no pyvenv.cfg, so it is not a virtual environment"
        )
    python = path / "bin" / "python"
    if not python.exists():
        home = read_pyvenv_cfg(path).get("home", "")
        cause = f" (it was built on {home})" if home else ""
        return VenvState(
            path,
            "broken",
            f"its interpreter {python} no longer exists{cause}; the Python it was "
            "made from was probably upgraded or removed",
        )
    if not os.access(python, os.X_OK):
        return VenvState(path, "broken", f"its interpreter {python} is not executable")
    return VenvState(path, "ready")


def move_aside(path: Path) -> Path:
    """Rename an unusable ``.venv`` out of the way (never delete it) and return where it went."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.old-{stamp}")
    suffix = 1
    while os.path.lexists(target):
        suffix += 1
        target = path.with_name(f"{path.name}.old-{stamp}-{suffix}")
    os.rename(path, target)
    return target


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


@dataclass(frozen=True)
class OwnPip:
    """The pip installed beside safepip, read from its ``.dist-info`` (importlib.metadata and
    its e-mail parser cost more than the copy itself)."""

    dist_info: Path
    version: str
    requires_python: str | None
    #: The newest Python its classifiers name: a pip older than a Python may not run on it
    #: (pip 23.0 declares ">=3.7" and fails on 3.12), so a newer one gets its own ensurepip's.
    newest_python: tuple[int, int] | None = None

    def files(self) -> list[tuple[str, ...]]:
        """The path parts (relative to site-packages) of every file in pip's RECORD."""
        import csv

        with open(self.dist_info / "RECORD", encoding="utf-8", newline="") as handle:
            return [tuple(row[0].split("/")) for row in csv.reader(handle) if row and row[0]]


def own_pip() -> OwnPip | None:
    from importlib.util import find_spec

    spec = find_spec("pip")
    if spec is None or not spec.origin:
        return None
    site = Path(spec.origin).parent.parent
    for dist_info in sorted(site.glob("pip-*.dist-info")):
        headers: dict[str, str] = {}
        newest: tuple[int, int] | None = None
        try:
            with open(dist_info / "METADATA", encoding="utf-8") as handle:
                for line in handle:
                    if not line.strip():
                        break
                    key, _, value = line.partition(":")
                    headers.setdefault(key.strip().lower(), value.strip())
                    named = value.strip().rpartition("Programming Language :: Python :: ")[2]
                    major, dot, minor = named.partition(".")
                    if key.strip().lower() == "classifier" and dot and (major + minor).isdigit():
                        newest = max(newest or (0, 0), (int(major), int(minor)))
        except OSError:
            continue
        if "version" in headers and (dist_info / "RECORD").is_file():
            return OwnPip(dist_info, headers["version"], headers.get("requires-python"), newest)
    return None


def pip_supports(pip: OwnPip, version: str) -> bool:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    if pip.newest_python is not None:
        wanted = tuple(int(part) for part in version.split(".")[:2] if part.isdigit())
        if wanted > pip.newest_python:
            return False
    if not pip.requires_python:
        return True
    try:
        return SpecifierSet(pip.requires_python).contains(version, prereleases=True)
    except InvalidSpecifier:
        return False


def _site_packages(venv: Path, probe: Probe) -> Path:
    major, minor = probe.version_tuple[:2]
    expected = venv / "lib" / f"python{major}.{minor}" / "site-packages"
    if expected.is_dir():
        return expected
    found = sorted(venv.glob("lib*/python*/site-packages"))
    if not found:
        raise VenvError(f"the new virtual environment at {venv} has no site-packages folder")
    return found[0]


def _copy_pip(pip: OwnPip, site_packages: Path) -> None:
    """Put the files of safepip's own pip installation into ``site_packages``: hard links where
    the file system allows them (four times faster than copying pip's ~1000 files; pip and
    Python replace files rather than write into them, so the two installations stay
    independent), copies otherwise."""
    link = True
    root = pip.dist_info.parent
    for parts in pip.files():
        if parts[0] == ".." or parts[-1] == "direct_url.json":
            continue
        source = root.joinpath(*parts)
        if not source.is_file():
            continue
        destination = site_packages.joinpath(*parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        if link:
            try:
                os.link(source, destination)
                continue
            except OSError:
                link = False  # another file system, or not ours to link (protected_hardlinks)
        shutil.copyfile(source, destination)


def _seed_pip(tmp: Path, final: Path, probe: Probe, environ: dict[str, str]) -> None:
    dist = own_pip()
    major, minor = probe.version_tuple[:2]
    if dist is not None and pip_supports(dist, probe.version):
        _copy_pip(dist, _site_packages(tmp, probe))
        for name in ("pip", f"pip{major}", f"pip{major}.{minor}"):
            launcher = tmp / "bin" / name
            launcher.write_text(_script(final / "bin" / "python"), encoding="utf-8")
            launcher.chmod(0o755)
        return
    # safepip's own pip cannot run there: fall back to the interpreter's ensurepip.
    completed = run_captured(
        [str(tmp / "bin" / "python"), "-m", "ensurepip", "--default-pip"], environ=environ
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
    final: Path, base_python: str, probe: Probe, env: Environment, uv: str | None = None
) -> None:
    """Build a complete venv with pip at ``final``, which must not exist (or be an empty folder,
    or a symbolic link to one: the venv is then built where the link points). With ``uv``
    (safepip's uv setting), ``uv venv`` makes the venv (Python's venv if that fails); pip is
    put in either way.

    On any failure or interrupt nothing is left behind.
    """
    if final.is_symlink():
        final = final.resolve()
    tmp = final.with_name(f"{final.name}.safepip-tmp-{secrets.token_hex(4)}")
    environ = clean_environ(env.environ)
    try:
        try:
            tmp.mkdir()
        except OSError as error:
            raise VenvError(
                f"a virtual environment cannot be created in {final.parent}: "
                f"{error.strerror or error}",
                "the project folder must be writable (it is read-only, or belongs to another "
                "user); run safepip where you can write, or make the folder writable",
            ) from error
        made = uv is not None and (
            run_captured(
                [uv, "venv", "--quiet", "--python", base_python, str(tmp)],
                environ=dict(environ, UV_PYTHON_DOWNLOADS="never"),
            ).returncode
            == 0
        )
        if not made:
            if uv is not None:  # start again from an empty folder
                shutil.rmtree(tmp, ignore_errors=True)
                tmp.mkdir()
            completed = run_captured(
                [base_python, "-m", "venv", "--without-pip", str(tmp)], environ=environ
            )
        if not made and completed.returncode != 0:
            output = completed.stdout + completed.stderr
            raise VenvError(
                f"Python could not create a virtual environment at {final}: " + _last_line(output),
                venv_package_hint(probe.version) if "ensurepip" in output else _WRITE_HINT,
            )
        _seed_pip(tmp, final, probe, environ)
        _relocate(tmp, final)
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
    except OSError as error:
        raise VenvError(
            f"a virtual environment could not be created at {final}: {error.strerror or error}"
            + (f" ({error.filename})" if error.filename else ""),
            _WRITE_HINT,
        ) from error
    finally:
        if os.path.lexists(tmp):
            shutil.rmtree(tmp, ignore_errors=True)


_WRITE_HINT = "check that the project folder is writable and the disk is not full"


def remove_venv(path: Path) -> None:
    """Remove a venv this very run created (never one that was there before). Where ``path`` is
    a link to a folder, the link and an empty folder stay, as they were."""
    if path.is_symlink():
        target = path.resolve()
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(exist_ok=True)
        return
    shutil.rmtree(path, ignore_errors=True)


def site_packages_entries(venv: Path) -> frozenset[Path]:
    """The top-level entries of the venv's site-packages folder(s), before an install."""
    return frozenset(p for sp in venv.glob("lib*/python*/site-packages") for p in sp.iterdir())


def remove_partial_install(venv: Path, before: frozenset[Path]) -> list[str]:
    """After an interrupted pip run in an existing venv: remove the new top-level entries that no
    new ``*.dist-info/RECORD`` claims. pip writes a distribution's files first and its dist-info
    last, so such entries are a package pip had not finished (importable but unknown to pip).
    Completed distributions stay. Returns the names removed."""
    new = site_packages_entries(venv) - before
    claimed: set[Path] = set()
    for info in (p for p in new if p.name.endswith(".dist-info")):
        claimed.add(info)
        try:
            lines = (info / "RECORD").read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        for line in lines:
            first = line.split(",", 1)[0].split("/", 1)[0]
            if first and first != "..":
                claimed.add(info.parent / first)
    removed = []
    for entry in sorted(new - claimed):
        if entry.name == "__pycache__":
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()
        removed.append(entry.name)
    return removed
