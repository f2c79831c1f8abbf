"""Living with what safepip installed, where the target Python is externally managed:
``uninstall`` from whichever backend has it, and ``list``/``freeze``/``show``/``check`` of the
project's ``.venv`` (of the user environment with ``--user`` and where no project starts)."""

from __future__ import annotations

from collections.abc import Sequence

from safepip.backends.base import Backend, Context
from safepip.backends.homes import app_homes
from safepip.backends.venv_home import VenvHome
from safepip.decide.model import SafepipOptions
from safepip.environment import Environment
from safepip.hints import display_path
from safepip.names import requirement_name
from safepip.pip.argv import PipArgs
from safepip.pip.config import no_input
from safepip.report import Reporter
from safepip.target.interpreter import Probe
from safepip.target.project import venv_target


def context(
    pip_args: PipArgs, env: Environment, reporter: Reporter, probe: Probe | None = None
) -> Context:
    """The backends' view of this run (uv only where the user opted in)."""
    from safepip.backends.uv import accelerator

    where = venv_target(env.cwd, env.home)
    return Context(pip_args, env, reporter, where, accelerator(env, reporter.warning), probe)


def project_venv(pip_args: PipArgs, env: Environment, reporter: Reporter) -> VenvHome | None:
    """The project's usable ``.venv``, if the working directory is inside a project with one."""
    from safepip.backends.venv_pip import VenvPip

    venv = VenvPip(Context(pip_args, env, reporter, venv_target(env.cwd, env.home)))
    return venv if venv.usable() else None


def user_env(pip_args: PipArgs, env: Environment, reporter: Reporter) -> VenvHome | None:
    """The user environment, where it exists and is usable."""
    from safepip.backends.user_env import UserEnv

    found = UserEnv(Context(pip_args, env, reporter, venv_target(env.cwd, env.home)))
    return found if found.usable() else None


def environments(pip_args: PipArgs, env: Environment, reporter: Reporter) -> list[VenvHome]:
    """The usable environments the working directory's libraries live in: the project's
    ``.venv`` (none with ``--user``); outside a project or with ``--user``, the user environment
    (as pip's listings showed ``--user`` installs in any folder)."""
    project = None if pip_args.user else project_venv(pip_args, env, reporter)
    if project is not None:
        return [project]
    outside = venv_target(env.cwd, env.home).project is None
    mine = user_env(pip_args, env, reporter) if pip_args.user or outside else None
    return [mine] if mine is not None else []


def unshowable(pip_args: PipArgs, env: Environment) -> None:
    """Inside a project whose ``.venv`` is missing or cannot be used, a listing of the system
    Python would answer another question than the one asked: raise instead."""
    from safepip.exceptions import VenvError
    from safepip.target.venv import INSTALL, read_or_refuse, unusable_hint

    where = venv_target(env.cwd, env.home)
    if where.project is None:
        return
    state = read_or_refuse(where.path)
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
    from safepip.backends.pipx_home import installed_app_venv
    from safepip.child_environ import ChosenTarget
    from safepip.pip.run import LAUNCHER, run_pip

    names = [requirement_name(r) for r in pip_args.positionals]
    venvs = [installed_app_venv(n, env.environ, env.home) if n else None for n in names]
    if not venvs or None in venvs or len(set(venvs)) != 1:
        return None
    venv = venvs[0]
    assert venv is not None
    reporter.info(f"showing the pipx app's environment {display_path(venv, env.cwd)}")
    return run_pip(
        [str(venv / "bin" / "python"), "-c", LAUNCHER],
        pip_args.without("--python"),
        environ=env.environ,
        policy=ChosenTarget(venv=str(venv)),
        interactive=bool(env.stdin_isatty),
    )


def show_in_venv(pip_args: PipArgs, venv: VenvHome, env: Environment, reporter: Reporter) -> int:
    """pip's own output, format untouched, for the project's .venv (or the user environment);
    one line on stderr says so."""
    whose = "the project's" if venv.route == "venv" else "your user environment"
    reporter.info(f"showing {whose} {display_path(venv.ctx.where.path, env.cwd)}")
    return venv.run_pip(pip_args.without("--python", "--user"))


def _confirm(question: str, env: Environment, *, asks: bool) -> bool:
    """pip's ``Proceed (Y/n)?``: yes by default; without a terminal (or with pip's no-input)
    pip would fail to read, so safepip refuses rather than guess."""
    if not env.stdin_isatty or not asks:
        return False
    env.stderr.write(f"{question} Proceed (Y/n)? ")
    env.stderr.flush()
    answer = env.stdin.readline().strip().lower()
    return answer in ("", "y", "yes")


def uninstall(
    pip_args: PipArgs,
    probe: Probe,
    env: Environment,
    reporter: Reporter,
    options: SafepipOptions | None = None,
) -> int:
    """Remove each named package from where safepip put it: the project's .venv (by its own pip,
    which prompts as pip does), then the application backends (after one confirmation). A name
    in two homes is removed from the first (``--venv``/``--pipx`` choose the kind), and the
    other copies are named."""
    if not pip_args.requirement_files and not any(r.strip() for r in pip_args.requirements):
        from safepip.operations.redirect import pip_usage_error

        return pip_usage_error(pip_args, env)  # nothing named: pip's own usage error
    names = _named(pip_args, env)
    ctx = context(pip_args, env, reporter, probe)
    homes = [*environments(pip_args, env, reporter), *app_homes(ctx)]
    chosen = options.route if options is not None else None
    homes = [h for h in homes if chosen is None or (h.route == "pipx") == (chosen == "pipx")]
    holders, also = _holders(names, homes)
    venvs = [(b, mine) for b, mine in holders if b.route != "pipx"]
    owners = [(b, mine) for b, mine in holders if b.route == "pipx"]
    _skipped(names, venvs, owners, reporter)
    code = 0
    for index, (backend, mine) in enumerate(venvs):
        if mine or (index == 0 and pip_args.requirement_files):
            code = backend.uninstall(mine) or code
    apps = [n for _, mine in owners for n in mine]
    question = f"Uninstall the applications {', '.join(apps)}?"
    if (
        apps
        and not pip_args.has("--yes")
        and not _confirm(question, env, asks=not no_input(pip_args, probe, env))
    ):
        reporter.error(
            "not uninstalled: " + ", ".join(apps), "confirm on a terminal, or pass -y as with pip"
        )
        return 1
    for backend, mine in owners:
        if mine:
            code = backend.uninstall(mine) or code
    for name, places in also.items():
        reporter.info(
            f"{name} is also installed {' and '.join(places)}: left as it is (the same "
            "uninstall again removes that copy too)"
        )
    return code


def _named(pip_args: PipArgs, env: Environment) -> list[str]:
    """The names to remove: those given, then those of the requirements files (``-r``)."""
    from safepip.target.project import requirement_file_names

    names = [n for n in (requirement_name(r) for r in pip_args.requirements) if n]
    for listed in pip_args.requirement_files:
        names += [n for n in requirement_file_names(env.cwd / listed) if n not in names]
    return names


def _where(backend: Backend) -> str:
    """A home as a sentence says it: "in the project's .venv", "with pipx"."""
    if backend.route == "pipx":
        return "with " + backend.label.split(" (")[0]  # pipx (plugins): pipx
    return "in " + backend.label


def _holders(
    names: Sequence[str], homes: Sequence[Backend]
) -> tuple[list[tuple[Backend, list[str]]], dict[str, list[str]]]:
    """Each home with the names it is the first to have (this uninstall removes them there),
    and for each name the other homes that have a copy too."""
    holders: list[tuple[Backend, list[str]]] = []
    first: set[str] = set()
    also: dict[str, list[str]] = {}
    for backend in homes:
        have = backend.installed()
        for name in (n for n in names if n in have and n in first):
            also.setdefault(name, []).append(_where(backend))
        mine = [n for n in names if n in have and n not in first]
        first.update(mine)
        holders.append((backend, mine))
    return holders, also


def _skipped(
    names: Sequence[str],
    venvs: Sequence[tuple[Backend, list[str]]],
    owners: Sequence[tuple[Backend, list[str]]],
    reporter: Reporter,
) -> None:
    """pip's "Skipping NAME as it is not installed" for each name no home has."""
    found = {n for _, mine in (*venvs, *owners) for n in mine}
    labels = " or ".join(b.label for b, _ in venvs) or "the project's .venv"
    tools = dict.fromkeys(b.label.split(" (")[0] for b, _ in owners)  # pipx (plugins): pipx
    labels += (" or with " + " or ".join(tools)) if tools else ""
    for name in (n for n in names if n not in found):
        reporter.warning(f"Skipping {name} as it is not installed in {labels}.")


__all__: Sequence[str] = [
    "context",
    "environments",
    "project_venv",
    "show_in_venv",
    "uninstall",
    "user_env",
]
