"""The redirect: an install PEP 668 forbids in the target interpreter goes into the project's
``.venv`` instead, found or created."""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from safepip.cli.options import SafepipOptions
from safepip.environment import Environment
from safepip.exceptions import Interrupted, VenvError
from safepip.pip.run import LAUNCHER, run_pip, venv_has_pip
from safepip.process import clean_environ
from safepip.report import Reporter
from safepip.target.interpreter import Probe
from safepip.target.lock import EnvironmentLock
from safepip.target.project import VENV_NAME, Project, find_project
from safepip.target.venv import (
    create_venv,
    inspect_venv,
    move_aside,
    remove_partial_install,
    remove_venv,
    site_packages_entries,
)

#: Options that make no sense inside a venv and would make pip refuse there.
DROPPED_OPTIONS = ("--python", "--user")


@dataclass(frozen=True)
class VenvTarget:
    """Where the redirect goes: the venv path and the project it belongs to (None: no project
    was found, so the working directory becomes one)."""

    path: Path
    project: Project | None


def venv_target(env: Environment) -> VenvTarget:
    project = find_project(env.cwd, env.home)
    root = project.root if project else env.cwd
    return VenvTarget(root / VENV_NAME, project)


def display_path(path: Path, cwd: Path) -> str:
    """``path`` relative to the working directory when it is near, else absolute."""
    relative = os.path.relpath(path, cwd)
    if relative.startswith(os.path.join(os.pardir, os.pardir, os.pardir)):
        return str(path)
    return relative


def activate_hint(venv: Path, env: Environment) -> str:
    """How to activate ``venv`` in the user's shell (from ``$SHELL``)."""
    shown = shlex.quote(display_path(venv, env.cwd))
    shell = os.path.basename(env.environ.get("SHELL", ""))
    if shell == "fish":
        return f"source {shown}/bin/activate.fish"
    if shell in ("csh", "tcsh"):
        return f"source {shown}/bin/activate.csh"
    if shell in ("sh", "dash", "ash"):
        return f". {shown}/bin/activate"
    if shell in ("pwsh", "powershell"):
        return f"{shown}/bin/Activate.ps1"
    if shell == "nu":
        return f"overlay use {shown}/bin/activate.nu"
    return f"source {shown}/bin/activate"


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


def install_into_venv(
    argv: Sequence[str],
    probe: Probe,
    options: SafepipOptions,
    env: Environment,
    reporter: Reporter,
    where: VenvTarget,
    installer: Callable[[str], int] | None = None,
    uv: str | None = None,
) -> tuple[int, bool]:
    """Run pip with ``argv`` in the project's ``.venv``, creating it first when there is none.
    ``installer``, given the venv's python, installs instead of pip, and ``uv`` creates the venv
    (safepip's uv setting).

    Returns pip's exit status and whether the venv was created by this run. A venv created by
    this run is removed again when pip fails or the run is interrupted.
    """
    venv = where.path
    refuse_sudo_into_users_folder(venv.parent, env)
    reporter.detail(
        f"project root {where.project.root} (found by {where.project.marker})"
        if where.project
        else f"no project found above {env.cwd}; it becomes the project"
    )
    with EnvironmentLock(
        env.cache_dir / "locks",
        venv,
        on_wait=lambda: reporter.info(f"waiting for another safepip run using {venv} ..."),
    ):
        state = inspect_venv(venv)
        if state.status in ("not-a-venv", "broken"):
            if not options.recreate_venv:
                raise VenvError(
                    f"{venv} cannot be used: {state.problem}. safepip leaves it as it is",
                    "move it away yourself, or run the same command with --recreate-venv to "
                    f"have safepip rename it to {VENV_NAME}.old-<date> and create a new one",
                )
            moved = move_aside(venv)
            reporter.info(f"moved the unusable {display_path(venv, env.cwd)} to {moved.name}")
            state = inspect_venv(venv)
        created = state.status == "absent"
        if created:
            reporter.detail(f"creating {venv} from {probe.executable}")
            create_venv(venv, probe.executable, probe, env, uv)
        python = str(venv / "bin" / "python")
        if not venv_has_pip(str(venv)):
            raise VenvError(
                f"{venv} has no pip in it",
                f"install it with: {python} -m ensurepip, or use --recreate-venv",
            )
        before = frozenset() if created else site_packages_entries(venv)
        try:
            code = (
                installer(python)
                if installer is not None
                else run_pip(
                    [python, "-c", LAUNCHER],
                    argv,
                    environ=clean_environ(env.environ, venv=str(venv)),
                    interactive=bool(env.stdin_isatty),
                )
            )
        except Interrupted:
            if created:
                remove_venv(venv)
            else:
                removed = remove_partial_install(venv, before)
                if removed:
                    reporter.info(
                        "removed what the interrupted pip had half-installed: " + ", ".join(removed)
                    )
            raise
        except OSError as error:
            if created:
                remove_venv(venv)
            raise VenvError(
                f"{python} could not be started: {error.strerror}",
                "run the same command with --recreate-venv to replace the .venv",
            ) from error
        if code != 0 and created:
            remove_venv(venv)
            reporter.info(
                f"{'uv' if installer else 'pip'} failed, so the {display_path(venv, env.cwd)} "
                "safepip had just created was removed again"
            )
        return code, created
