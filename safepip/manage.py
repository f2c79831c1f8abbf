"""Living with what safepip installed, where the target Python is externally managed:
``uninstall`` from whichever backend has it, and ``list``/``freeze``/``show``/``check`` of the
project's ``.venv``."""

from __future__ import annotations

from collections.abc import Sequence

from safepip.backends.base import Backend, Context
from safepip.backends.project_venv import ProjectVenv
from safepip.environment import Environment
from safepip.hints import display_path
from safepip.inspect.names import requirement_name
from safepip.pip.argv import PipArgs
from safepip.report import Reporter
from safepip.target.interpreter import Probe
from safepip.target.project import venv_target


def context(pip_args: PipArgs, env: Environment, reporter: Reporter) -> Context:
    """The backends' view of this run (uv only where the user opted in)."""
    from safepip.backends.uv import accelerator

    where = venv_target(env.cwd, env.home)
    return Context(pip_args, env, reporter, where, accelerator(env, reporter.warning))


def app_backends(ctx: Context) -> list[Backend]:
    """The backends that hold applications, in the order they are asked."""
    from safepip.backends.pipx import PipxBackend

    found: list[Backend] = [PipxBackend(ctx)]
    if ctx.uv is not None:
        from safepip.backends.uv_tool import UvTool

        found.append(UvTool(ctx, ctx.uv))
    return found


def project_venv(pip_args: PipArgs, env: Environment, reporter: Reporter) -> ProjectVenv | None:
    """The project's usable ``.venv``, if the working directory is inside a project with one."""
    from safepip.backends.venv_pip import VenvPip

    venv = VenvPip(Context(pip_args, env, reporter, venv_target(env.cwd, env.home)))
    return venv if venv.usable() else None


def unshowable(pip_args: PipArgs, env: Environment) -> None:
    """Inside a project whose ``.venv`` is missing or cannot be used, a listing of the system
    Python would answer another question than the one asked: raise instead."""
    from safepip.exceptions import VenvError
    from safepip.target.venv import INSTALL, inspect_or_refuse, unusable_hint

    where = venv_target(env.cwd, env.home)
    if where.project is None:
        return
    state = inspect_or_refuse(where.path)
    shown = display_path(where.path, env.cwd)
    if state.status == "absent":
        raise VenvError(
            f"the project has no {shown} yet, so there is nothing of it to show with "
            f"pip {pip_args.command} (the system Python's packages are not the project's)",
            "safepip install ... creates it; or name an interpreter: safepip --python PATH "
            f"{pip_args.command} ...",
        )
    raise VenvError(
        f"{shown} cannot be shown: "
        + (state.problem or "it has no pip in it")
        + " (the system Python's packages are not the project's)",
        unusable_hint(INSTALL),
    )


def show_apps(pip_args: PipArgs, env: Environment, reporter: Reporter) -> int | None:
    """``show NAME...`` outside a project, where every name is an app pipx has: pip's own
    ``show`` in that app's environment; None when not (the command goes to pip)."""
    from safepip.backends.pipx import app_venv
    from safepip.pip.run import LAUNCHER, run_pip
    from safepip.process import clean_environ

    names = [requirement_name(r) for r in pip_args.positionals]
    venvs = [app_venv(n, env.environ, env.home) if n else None for n in names]
    if not venvs or None in venvs or len(set(venvs)) != 1:
        return None
    venv = venvs[0]
    assert venv is not None
    reporter.info(f"showing the pipx app's environment {display_path(venv, env.cwd)}")
    return run_pip(
        [str(venv / "bin" / "python"), "-c", LAUNCHER],
        pip_args.without("--python"),
        environ=clean_environ(env.environ, venv=str(venv)),
        interactive=bool(env.stdin_isatty),
    )


def inspect_in_venv(
    pip_args: PipArgs, venv: ProjectVenv, env: Environment, reporter: Reporter
) -> int:
    """pip's own output, format untouched, for the project's .venv; one line on stderr says so."""
    reporter.info(f"showing the project's {display_path(venv.ctx.where.path, env.cwd)}")
    return venv.run_pip(pip_args.without("--python"))


def _confirm(question: str, env: Environment) -> bool:
    """pip's ``Proceed (Y/n)?``: yes by default; without a terminal pip would fail to read, so
    safepip refuses rather than guess."""
    if not env.stdin_isatty:
        return False
    env.stderr.write(f"{question} Proceed (Y/n)? ")
    env.stderr.flush()
    answer = env.stdin.readline().strip().lower()
    return answer in ("", "y", "yes")


def uninstall(pip_args: PipArgs, probe: Probe, env: Environment, reporter: Reporter) -> int:
    """Remove each named package from where safepip put it: the project's .venv (by its own pip,
    which prompts as pip does), then the application backends (after one confirmation)."""
    from safepip.target.project import requirement_file_names

    names = [n for n in (requirement_name(r) for r in pip_args.requirements) if n]
    for listed in pip_args.requirement_files:
        names += [n for n in requirement_file_names(env.cwd / listed) if n not in names]
    if not pip_args.requirement_files and not any(r.strip() for r in pip_args.requirements):
        from safepip.install import pip_usage_error  # nothing named: pip's own usage error

        return pip_usage_error(pip_args, env)
    ctx = context(pip_args, env, reporter)
    venv = project_venv(pip_args, env, reporter)
    in_venv = venv.installed() if venv else frozenset()
    taken = set(in_venv)
    owners: list[tuple[Backend, list[str]]] = []
    for backend in app_backends(ctx):
        have = backend.installed()
        mine = [n for n in names if n in have and n not in taken]
        taken.update(mine)
        owners.append((backend, mine))
    labels = " or ".join(b.label for b, _ in owners)
    for name in (n for n in names if n not in taken):
        reporter.warning(
            f"Skipping {name} as it is not installed in the project's .venv or with {labels}."
        )
    code = 0
    venv_names = [n for n in names if n in in_venv]
    if venv is not None and (venv_names or pip_args.requirement_files):
        code = venv.uninstall(venv_names) or code
    apps = [n for _, mine in owners for n in mine]
    question = f"Uninstall the applications {', '.join(apps)}?"
    if apps and not pip_args.has("--yes") and not _confirm(question, env):
        reporter.error(
            "not uninstalled: " + ", ".join(apps), "confirm on a terminal, or pass -y as with pip"
        )
        return 1
    for backend, mine in owners:
        if mine:
            code = backend.uninstall(mine) or code
    return code


__all__: Sequence[str] = ["app_backends", "context", "inspect_in_venv", "project_venv", "uninstall"]
