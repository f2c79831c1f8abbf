"""``safepip doctor --repair`` for the applications a Python upgrade broke, each by the tool
that keeps it: a pipx app by ``pipx reinstall --python NEW APP`` (pipx keeps its injected
packages and pip arguments in its metadata), a uv tool by ``uv tool install --reinstall
--python NEW`` with what its receipt (``uv-receipt.toml``) names: the tool, then each
``--with`` (its venv and commands removed first: uv keeps a venv whose interpreter path it
still finds, Python upgraded or not). Either way the app's venv is copied aside first (links
kept as links) and put back,
with the commands that linked into it, where the tool fails or is interrupted: the old app is
then exactly as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from safepip.child_environ import ChosenTarget
from safepip.doctor.findings import BrokenEnv
from safepip.environment import Environment
from safepip.exceptions import SafepipError
from safepip.report import Reporter
from safepip.target.interpreter import Probe


def drop_old(old: Path, keep_old: bool, reporter: Reporter) -> None:
    """The old environment removed, or with ``keep_old`` kept and named."""
    if keep_old:
        reporter.info(f"repair: the old environment is kept as {old}")
    else:
        shutil.rmtree(old, ignore_errors=True)


def pipx_command(broken: BrokenEnv, probe: Probe) -> str:
    """What :func:`reinstall_app` runs, in words (for ``--dry-run``)."""
    return f"pipx reinstall --python {probe.executable} {Path(broken.path).name}"


def reinstall_app(
    broken: BrokenEnv, probe: Probe, env: Environment, reporter: Reporter, keep_old: bool
) -> bool:
    """``pipx reinstall --python`` of a pipx app whose venv broke; whether it worked."""
    from safepip.backends.pipx import bin_dir, find_pipx

    pipx = find_pipx(env)
    venv = Path(broken.path)
    if pipx is None:
        reporter.error(f"repair: pipx app {venv.name} was not reinstalled: pipx is not found")
        return False
    reporter.info(f"reinstalling pipx app {venv.name} on {probe.executable} with pipx")
    command = [*pipx.command, "reinstall", "--python", probe.executable, venv.name]
    return _guarded(
        command, venv, bin_dir(env.environ, env.home), env, reporter, keep_old, "pipx app"
    )


def uv_tool_args(broken: BrokenEnv, probe: Probe, index: Sequence[str] = ()) -> list[str]:
    """``uv tool install --reinstall``'s arguments for the tool of ``broken``, from its
    receipt, with uv's ``index`` options ([] where there is no receipt to read)."""
    from safepip.backends.uv_tool import receipt

    wanted = receipt(Path(broken.path))
    if not wanted:
        return []
    withs = [a for each in wanted[1:] for a in ("--with", each)]
    reinstall = ["tool", "install", "--reinstall", "--python", probe.executable, *index]
    return [*reinstall, wanted[0], *withs]


def reinstall_uv_tool(
    broken: BrokenEnv, probe: Probe, env: Environment, reporter: Reporter, keep_old: bool
) -> bool:
    """``uv tool install --reinstall --python`` of a uv tool whose venv broke, with its
    receipt's ``--with``s and pip's index options; whether it worked."""
    from safepip.backends.uv import ToolDirs, find_uv, index_args, uv_environ
    from safepip.pip.index_options import index_options
    from safepip.pip.parser import parse

    uv, venv = find_uv(env), Path(broken.path)
    try:
        index = index_options(parse(["install"]), probe, env)[0]
    except SafepipError as error:
        reporter.error(f"repair: uv tool {venv.name} was not reinstalled: {error}")
        return False
    args = uv_tool_args(broken, probe, index_args(index))
    why = "uv is not found" if uv is None else "its uv-receipt.toml cannot be read"
    if uv is None or not args:
        reporter.error(f"repair: uv tool {venv.name} was not reinstalled: {why}")
        return False
    environ = uv_environ(env.environ, index)
    bins = ToolDirs(uv, environ).result()[1]
    reporter.info(f"reinstalling uv tool {venv.name} on {probe.executable} with uv")
    return _guarded([uv.path, *args], venv, bins, env, reporter, keep_old, "uv tool", environ)


def _guarded(
    command: Sequence[str],
    venv: Path,
    bins: Path | None,
    env: Environment,
    reporter: Reporter,
    keep_old: bool,
    what: str,
    environ: dict[str, str] | None = None,
) -> bool:
    """Run ``command`` with ``venv`` copied aside, put back (and the links from ``bins`` into
    it) where it fails or is interrupted; whether it worked. For a uv tool, the venv and those
    links are removed first: uv keeps a tool's venv whose interpreter path it still finds."""
    from safepip.process import run_foreground

    links = _links_into(bins, venv) if bins is not None else {}
    backup = env.state_dir / "repair" / f"{venv.name}-{os.urandom(4).hex()}"
    backup.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(venv, backup, symlinks=True)
    try:
        if what == "uv tool":
            _remove(venv, links)
        code = run_foreground(
            command,
            environ=env.environ if environ is None else environ,
            policy=ChosenTarget(),
            interactive=bool(env.stdin_isatty),
            terminate_as_interrupt=True,
        )
    except BaseException:  # an OSError of the removal included
        _put_back(backup, venv, links)
        raise
    if code != 0:
        _put_back(backup, venv, links)
        reporter.error(
            f"repair: {what} {venv.name} was not reinstalled ({what.split()[0]} exited with "
            f"{code}); it is as it was"
        )
        return False
    drop_old(backup, keep_old, reporter)
    return True


def _links_into(directory: Path, venv: Path) -> dict[Path, str]:
    """The commands in ``directory`` that are links into ``venv``."""
    try:
        entries = list(directory.iterdir())
    except OSError:
        return {}
    inside = str(venv) + os.sep
    return {
        e: os.readlink(e) for e in entries if e.is_symlink() and os.readlink(e).startswith(inside)
    }


def _remove(venv: Path, links: dict[Path, str]) -> None:
    shutil.rmtree(venv)
    for link in links:
        os.unlink(link)


def _put_back(backup: Path, venv: Path, links: dict[Path, str]) -> None:
    shutil.rmtree(venv, ignore_errors=True)
    os.rename(backup, venv)
    for link, target in links.items():
        if os.path.islink(link) and os.readlink(link) != target:
            os.unlink(link)
        if not os.path.lexists(link):
            os.symlink(target, link)
