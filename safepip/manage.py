"""Living with what safepip installed, where the target Python is externally managed:
``uninstall`` from wherever it went, ``list``/``freeze``/``show``/``check`` of the project's
``.venv``, and ``safepip where``."""

from __future__ import annotations

import json
from collections.abc import Sequence

from safepip.backends.pipx import Pipx, find_pipx, installed_apps
from safepip.backends.uv import accelerator, installed_tools, uv_environ
from safepip.backends.venv_pip import VenvTarget, display_path, venv_target
from safepip.environment import Environment
from safepip.pip.argv import PipArgs
from safepip.pip.run import LAUNCHER, run_pip, venv_has_pip
from safepip.process import clean_environ, run_foreground
from safepip.report import Reporter
from safepip.target.interpreter import Probe
from safepip.target.project import installed_names
from safepip.target.venv import inspect_venv

#: Read-only pip commands shown for the project's .venv when the target is externally managed.
INSPECTING_COMMANDS = ("list", "freeze", "show", "check")


def project_venv(env: Environment) -> VenvTarget | None:
    """The project's usable ``.venv``, if the working directory is inside a project with one."""
    where = venv_target(env)
    if where.project is None or inspect_venv(where.path).status != "ready":
        return None
    if not venv_has_pip(str(where.path)):
        return None
    return where


def _run_in_venv(argv: Sequence[str], where: VenvTarget, env: Environment) -> int:
    python = str(where.path / "bin" / "python")
    return run_pip(
        [python, "-c", LAUNCHER],
        argv,
        environ=clean_environ(env.environ, venv=str(where.path)),
        interactive=bool(env.stdin_isatty),
    )


def inspect_in_venv(
    pip_args: PipArgs, where: VenvTarget, env: Environment, reporter: Reporter
) -> int:
    """pip's own output, format untouched, for the project's .venv; one line on stderr says so."""
    reporter.info(f"showing the project's {display_path(where.path, env.cwd)}")
    return _run_in_venv(pip_args.without("--python"), where, env)


def _canonical(text: str) -> str | None:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    try:
        return canonicalize_name(Requirement(text).name)
    except InvalidRequirement:
        return None


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
    which prompts as pip does) and/or pipx."""
    names = [n for n in (_canonical(r) for r in pip_args.requirements) if n]
    where = project_venv(env)
    in_venv = installed_names(where.path) if where else frozenset()
    pipx = find_pipx(env)
    apps = installed_apps(pipx, clean_environ(env.environ)) if pipx else frozenset()
    uv = accelerator(env, reporter.warning)
    tools = installed_tools(uv, uv_environ(clean_environ(env.environ))) if uv else frozenset()
    venv_names = [n for n in names if n in in_venv]
    app_names = [n for n in names if n in apps and n not in in_venv]
    tool_names = [n for n in names if n in tools and n not in in_venv and n not in apps]
    missing = [n for n in names if n not in in_venv and n not in apps and n not in tools]
    for name in missing:
        reporter.warning(
            f"Skipping {name} as it is not installed in the project's .venv or with "
            + ("pipx or uv tool." if uv else "pipx.")
        )
    code = 0
    if where is not None and (venv_names or pip_args.requirement_files):
        keep = [r for r in pip_args.requirements if _canonical(r) in venv_names]
        code = _run_in_venv(pip_args.with_positionals(keep), where, env) or code
        if code == 0:
            reporter.info(
                f"uninstalled {', '.join(venv_names) or 'the requirements'} from "
                f"{display_path(where.path, env.cwd)}"
            )
    if (app_names and pipx is not None) or tool_names:
        yes = pip_args.has("--yes")
        question = f"Uninstall the applications {', '.join(app_names + tool_names)}?"
        if not yes and not _confirm(question, env):
            reporter.error(
                "not uninstalled: " + ", ".join(app_names + tool_names),
                "confirm on a terminal, or pass -y as with pip",
            )
            return 1
    for name in app_names:
        assert pipx is not None  # app_names come from pipx's list
        result = _pipx_uninstall(pipx, name, env)
        if result != 0:
            code = result
        else:
            reporter.info(f"uninstalled {name} from pipx")
    for name in tool_names:
        assert uv is not None  # tool_names come from uv's tool folder
        result = run_foreground(
            [uv.path, "tool", "uninstall", name],
            environ=uv_environ(clean_environ(env.environ)),
            interactive=bool(env.stdin_isatty),
        )
        if result != 0:
            code = result
        else:
            reporter.info(f"uninstalled {name} from uv tool")
    return code


def _pipx_uninstall(pipx: Pipx, name: str, env: Environment) -> int:
    return run_foreground(
        [*pipx.command, "uninstall", name],
        environ=clean_environ(env.environ),
        interactive=bool(env.stdin_isatty),
        terminate_as_interrupt=True,
    )


def where(args: Sequence[str], env: Environment) -> int:
    """``safepip where [--json] [NAME...]``: the homes of the packages safepip knows of."""
    as_json = "--json" in args
    wanted = [n for n in (_canonical(a) for a in args if a != "--json") if n]
    target = project_venv(env)
    homes: dict[str, list[str]] = {}
    if target is not None:
        for name in installed_names(target.path):
            homes.setdefault(name, []).append(str(target.path))
    pipx = find_pipx(env)
    if pipx is not None:
        for name in installed_apps(pipx, clean_environ(env.environ)):
            homes.setdefault(name, []).append("pipx")
    uv = accelerator(env, lambda _: None)
    if uv is not None:
        for name in installed_tools(uv, uv_environ(clean_environ(env.environ))):
            homes.setdefault(name, []).append("uv tool")
    shown = {n: homes.get(n, []) for n in wanted} if wanted else dict(sorted(homes.items()))
    if as_json:
        env.stdout.write(json.dumps(shown, indent=2) + "\n")
    else:
        for name, places in shown.items():
            env.stdout.write(f"{name}: {', '.join(places) if places else 'not installed'}\n")
    return 0 if all(shown.values()) else 1
