"""The project's virtual environment as it is: usable or not (and why), trusted to be run or
not, moved aside or removed (only what this run made), and the advice for one that cannot be
used. Making one is ``venv_create``'s.

Trust is decided without running anything from the project (see :func:`distrust`): a ``.venv``
that came with the checkout, whose interpreter is not the Python its ``pyvenv.cfg`` names, or
(for root) that belongs to another user is reported as ``untrusted`` and never run. A ``.venv``
that is a symbolic link is followed only where the link did not come with the checkout and leads
to a folder of the user's own (:func:`_link_problem`): otherwise it is ``untrusted`` too, even
where it leads to an empty folder (in which a venv would be built).
"""

from __future__ import annotations

import filecmp
import os
import re
import time
from pathlib import Path
from typing import Literal

from safepip.exceptions import VenvError
from safepip.programs import system_program
from safepip.records import Frozen
from safepip.target.project import VENV_NAME

Status = Literal["absent", "ready", "not-a-venv", "broken", "untrusted"]


class VenvState(Frozen):
    __slots__ = ("path", "problem", "status")
    path: Path
    status: Status
    problem: str

    def __init__(self, path: Path, status: Status, problem: str = "") -> None:
        self._set(path=path, status=status, problem=problem)

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"


def other_python(path: Path, version: str) -> str | None:
    """The venv's Python version (``X.Y``, from ``pyvenv.cfg``) where it is not ``version``'s
    (the target interpreter's): pip would install into a Python other than the one named. None
    where they agree or the venv does not say."""
    cfg = read_pyvenv_cfg(path)
    found = (cfg.get("version_info") or cfg.get("version") or "").split(".")[:2]
    wanted = version.split(".")[:2]
    return ".".join(found) if len(found) == 2 and found != wanted else None


def read_pyvenv_cfg(path: Path) -> dict[str, str]:
    """The venv's ``pyvenv.cfg`` read as Python itself reads it at start-up (``getpath`` and
    ``site.venv``: ``key = value`` lines, keys stripped and lower case, other lines ignored), so
    that what is checked is what the interpreter will use. A key given twice makes it nothing
    ({}): ``getpath`` takes the first ``home`` and ``site`` the last, so no one answer is safe."""
    try:
        text = (path / "pyvenv.cfg").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    values: dict[str, str] = {}
    for line in text.splitlines():
        if "=" in line:
            key, _, value = line.partition("=")
            key = key.strip().lower()
            if key in values:
                return {}
            values[key] = value.strip()
    return values


def read_venv(path: Path) -> VenvState:
    """What is at ``path`` now; never changes anything. A link is judged before what it leads
    to, so that no answer (an empty folder: "absent") sends safepip through a link it refuses."""
    if not os.path.lexists(path):
        return VenvState(path, "absent")
    problem = _link_problem(path) if path.is_symlink() else ""
    if problem:
        return VenvState(path, "untrusted", problem)
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
    problem = distrust(path)
    if problem:
        return VenvState(path, "untrusted", problem)
    return VenvState(path, "ready")


def read_or_refuse(path: Path) -> VenvState:
    """:func:`read_venv`, raising the explanation for a venv that must not be run."""
    state = read_venv(path)
    if state.status == "untrusted":
        raise refusal(state)
    return state


def refusal(state: VenvState) -> VenvError:
    """The error for a ``.venv`` safepip will not use as it is (untrusted or unusable)."""
    if state.status == "untrusted":
        return VenvError(
            f"{state.path} is not run: {state.problem}",
            "look at it yourself before running anything from it; to go on, `safepip install "
            f"--recreate-venv ...` renames it to {VENV_NAME}.old-<date> and creates a new one; "
            "if it is committed, also remove it from the repository "
            f"(git rm -r --cached {VENV_NAME}, or hg forget {VENV_NAME})",
        )
    return VenvError(
        f"{state.path} cannot be used: {state.problem}. safepip leaves it as it is",
        unusable_hint(),
    )


def distrust(venv: Path) -> str:
    """Why the venv at ``venv`` must not be run, or "". Reads the filesystem and asks the
    system's git/hg only; nothing from the venv or the project is run. For a link, whether what
    it leads to came with a checkout (the link's own checks are :func:`_link_problem`'s)."""
    real = Path(os.path.realpath(venv)) if venv.is_symlink() else venv
    return _foreign_owner(venv) or _from_checkout(real) or _interpreter_problem(venv)


def _link_problem(link: Path) -> str:
    """Why the symbolic link ``link`` must not be followed, or "": the link came with the
    checkout (the repository chose where safepip would run or build a venv: outside the
    project, even into an empty folder of someone else's), or it leads to a folder that is not
    the user's own. A link the user made to a folder of their own is followed."""
    target = os.path.realpath(link)
    tracked = _from_checkout(link, target)
    try:
        owner = os.stat(link).st_uid
    except OSError:
        return tracked  # else it leads nowhere: "broken"
    if tracked or owner == os.geteuid():
        return tracked
    return (
        f"it is a symbolic link to {target}, which belongs to {_user_name(owner)}, not to "
        f"{_user_name(os.geteuid())}: safepip follows a {VENV_NAME} link only to a folder of "
        "the user it runs as"
    )


def _user_name(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"user {uid}"


def _foreign_owner(venv: Path) -> str:
    """Run as root, another user's venv is that user's programs: not run."""
    if os.geteuid() != 0:
        return ""
    paths = [venv, venv / "pyvenv.cfg", venv / "bin", venv / "bin" / "python"]
    for path in [*paths, *venv.glob("lib*/python*/site-packages")]:
        try:
            owner = (path.stat() if path == venv else path.lstat()).st_uid
        except OSError:
            continue
        if owner != 0:
            name = _user_name(owner)
            return (
                f"{path} belongs to {name} and safepip is running as root, so running it would "
                f"run {name}'s programs as root; run safepip as {name} instead"
            )
    return ""


def _from_checkout(venv: Path, link: str = "") -> str:
    """A venv committed to the repository around it is whatever the repository put there; a
    committed link (to ``link``), wherever the repository points. A missing or failing git/hg
    cannot tell: "" then."""
    for folder in (venv.parent, *venv.parent.parents):
        git, hg = (folder / ".git").exists(), (folder / ".hg").exists()
        if git or hg:
            break
    else:
        return ""
    tool = "git" if git and _git_checked_out(venv) else "hg" if hg and _hg_tracked(venv) else ""
    if not tool:
        return ""
    if link:
        return (
            f"it is a symbolic link to {link} tracked by {tool} in {folder}: it came with the "
            "checkout, so the repository, not you, chose the folder safepip would run a venv "
            "from or build one in"
        )
    return (
        f"its files are tracked by {tool} in {folder}: it came with the checkout, and running "
        "it would run whatever the repository put there"
    )


#: One ``git ls-files -z --debug`` entry: its path and the inode git recorded for it.
_GIT_ENTRY = re.compile(
    rb"([^\0]*)\0  ctime: [^\n]*\n  mtime: [^\n]*\n  dev: \d+\tino: (\d+)\n"
    rb"  uid: [^\n]*\n  size: [^\n]*\n"
)


def _tool_output(command: list[str]) -> bytes | None:
    """stdout of the system's git or hg, or None where it is missing or fails. Found in the
    system's folders only (:func:`system_program`), never on $PATH, where a checkout could have
    put its own first; run as :data:`~safepip.child_environ.CHECKOUT_TOOL` has it (the system's
    folders as PATH, no GIT_*/HG* variables), and without the repository's settings where they
    could run a program (git: ``core.fsmonitor=false``, and ls-files runs no hooks; hg: its
    ``.hg/hgrc`` unread)."""
    found = system_program(command[0])
    if found is None:
        return None
    from safepip.child_environ import CHECKOUT_TOOL
    from safepip.process import output_bytes

    return output_bytes([found, *command[1:]], environ=os.environ, policy=CHECKOUT_TOOL, timeout=30)


def _git_checked_out(venv: Path) -> bool:
    """Whether a file of ``venv`` is in git's index and is the very file git wrote or added (its
    inode is the one recorded): a venv made anew in its place (``--recreate-venv``) is not."""
    where = ["-c", "core.fsmonitor=false", "-C", str(venv.parent)]
    out = _tool_output(["git", *where, "ls-files", "-z", "--debug", "--", venv.name])
    for match in _GIT_ENTRY.finditer(out or b""):
        try:
            inode = os.lstat(os.path.join(os.fsencode(venv.parent), match[1])).st_ino
        except OSError:
            continue
        recorded = int(match[2])
        if recorded in (0, inode & 0xFFFFFFFF):
            return True
    return False


def _hg_tracked(venv: Path) -> bool:
    return bool(_tool_output(["hg", "--cwd", str(venv.parent), "files", "--", venv.name]))


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _interpreter_problem(venv: Path) -> str:
    """The venv's ``bin/python`` must be (a link to, or a copy of) the Python in the ``home``
    folder its ``pyvenv.cfg`` names, and that folder must be outside the project."""
    cfg = read_pyvenv_cfg(venv)
    home = cfg.get("home", "")
    python = venv / "bin" / "python"
    if not os.path.isabs(home) or not os.path.isdir(home):
        return f"its pyvenv.cfg names no Python installation {python} could come from"
    project = os.path.realpath(venv.parent)
    if _inside(os.path.realpath(home), project):
        return f"its pyvenv.cfg says it was made from a Python inside the project ({home})"
    if not _is_home_python(python, Path(home), cfg, project):
        return f"its interpreter {python} is not the Python its pyvenv.cfg names (in {home})"
    return ""


def _is_home_python(python: Path, home: Path, cfg: dict[str, str], project: str) -> bool:
    real = os.path.realpath(python)
    copied = _inside(real, os.path.realpath(python.parent.parent))
    if not copied and _inside(real, project):
        return False
    names = {"python", "python3"}
    version = (cfg.get("version_info") or cfg.get("version") or "").split(".")
    if len(version) >= 2:
        names.add(f"python{version[0]}.{version[1]}")
    hop = python
    for _ in range(40):  # the names along bin/python's chain of links
        names.add(hop.name)
        if not hop.is_symlink():
            break
        hop = hop.parent / os.readlink(hop)
    for candidate in (home / name for name in sorted(names)):
        if not candidate.is_file():
            continue
        if os.path.realpath(candidate) == real:
            return True
        if copied and filecmp.cmp(real, candidate, shallow=False):
            return True
    return False


#: How the hints name the way to have safepip replace a ``.venv``: after a failed command, and
#: where no command was given (``safepip doctor``).
AGAIN = "the same command with --recreate-venv"
INSTALL = "`safepip install --recreate-venv ...`"


def unusable_hint(recreate: str = AGAIN) -> str:
    """What to do about a ``.venv`` that is not a usable venv (safepip never deletes it)."""
    return (
        f"move it away yourself, or run {recreate} to have safepip "
        f"rename it to {VENV_NAME}.old-<date> and create a new one"
    )


def no_pip_hint(venv: Path, recreate: str = "--recreate-venv") -> str:
    """What to do about a ``.venv`` without pip."""
    return f"install it with: {venv}/bin/python -m ensurepip, or use {recreate}"


def move_aside(path: Path) -> Path:
    """Rename an unusable ``.venv`` out of the way (never delete it) and return where it went.
    A symbolic link is itself renamed: what it leads to is not touched."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.old-{stamp}")
    suffix = 1
    while os.path.lexists(target):
        suffix += 1
        target = path.with_name(f"{path.name}.old-{stamp}-{suffix}")
    os.rename(path, target)
    return target


def remove_venv(path: Path) -> None:
    """Remove a venv this very run created (never one that was there before). Where ``path`` is
    a link to a folder, the link and an empty folder stay, as they were."""
    import shutil

    if path.is_symlink():
        target = path.resolve()
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(exist_ok=True)
        return
    shutil.rmtree(path, ignore_errors=True)
