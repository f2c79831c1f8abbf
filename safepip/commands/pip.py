"""What to do with one command line: pass it to pip, or redirect it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from safepip.cli.options import SafepipOptions
from safepip.environment import Environment
from safepip.pip.argv import PipArgs
from safepip.pip.config import load as load_pip_config
from safepip.pip.run import LAUNCHER, pip_says_externally_managed, run_pip, target_has_pip
from safepip.report import Reporter
from safepip.target.interpreter import (
    ExternallyManaged,
    Interpreter,
    Probe,
    externally_managed,
    find_target,
)
from safepip.target.interpreter import probe as probe_interpreter

#: Commands PEP 668 applies to (pip checks only these).
GUARDED_COMMANDS = ("install", "uninstall")
#: Read-only commands shown for the project's .venv where the target is externally managed.
INSPECTING_COMMANDS = ("list", "freeze", "show", "check")


def pep668_applies(
    pip_args: PipArgs, target: Interpreter, probe: Probe, env: Environment
) -> ExternallyManaged | None:
    """Whether pip would refuse this command with externally-managed-environment, decided as pip
    decides it (see ``pip._internal.utils.misc.check_externally_managed`` and the install
    command's exemptions), without starting pip."""
    if target.is_venv or pip_args.command not in GUARDED_COMMANDS:
        return None
    managed = externally_managed(probe.stdlib)
    if managed is None or pip_args.break_system_packages:
        return None
    try:
        config = load_pip_config(
            pip_args.command,
            env.environ,
            site_prefix=probe.prefix,
            isolated=pip_args.config_isolated,
            home=env.home,
        )
        if config.break_system_packages:
            return None
        if pip_args.command == "install" and (
            pip_args.alternative_location
            or pip_args.dry_run_report
            or config.alternative_location
            or config.dry_run_report
        ):
            return None
    except ValueError:  # pip's config is broken: let pip itself say how, unchanged
        return None
    return managed


def _carry_out(*args: Any) -> int:
    from safepip.decide.plan import carry_out  # imported only for a redirect

    return carry_out(*args)


def dispatch(
    options: SafepipOptions, pip_args: PipArgs, env: Environment, reporter: Reporter
) -> int:
    target = find_target(pip_args.python, env)
    reporter.detail(f"target interpreter: {target.path} (chosen as {target.chosen_by})")
    probe = None if target.is_venv else probe_interpreter(target.path, env)
    guarded = pip_args.known and not pip_args.help and pip_args.command in GUARDED_COMMANDS
    if guarded and probe is not None:
        managed = pep668_applies(pip_args, target, probe, env)
        if managed is not None and pip_args.command == "install":
            return _carry_out(pip_args, target, probe, managed, options, env, reporter)
        if managed is not None:
            from safepip.manage import uninstall

            return uninstall(pip_args, probe, env, reporter)
    if (
        probe is not None
        and pip_args.known
        and not pip_args.help
        and pip_args.command in INSPECTING_COMMANDS
        and externally_managed(probe.stdlib) is not None
    ):
        from safepip.manage import inspect_in_venv, project_venv

        where = project_venv(env)
        if where is not None:
            return inspect_in_venv(pip_args, where, env, reporter)
    code, python, has_pip = passthrough(pip_args, target, probe, env)
    if (
        code == 1
        and guarded
        and probe is not None
        and has_pip
        and pip_args.command == "install"
        and not pip_args.break_system_packages
        and pip_says_externally_managed(python, env.environ)
    ):
        reporter.info(
            f"pip refused to install into {target.path} (externally managed); "
            "installing into the project's virtual environment instead"
        )
        managed = ExternallyManaged(Path(probe.stdlib) / "EXTERNALLY-MANAGED", "")
        return _carry_out(pip_args, target, probe, managed, options, env, reporter)
    return code


def passthrough(
    pip_args: PipArgs, target: Interpreter, probe: Probe | None, env: Environment
) -> tuple[int, str, bool]:
    """Run pip exactly as the user asked, for the interpreter pip would have used.

    Returns pip's exit status, the interpreter it ran for and whether that has its own pip.
    """
    has_pip = target_has_pip(target, probe.has_pip if probe else None)
    python = probe.executable if probe is not None else target.path
    if has_pip:
        command = [python, "-c", LAUNCHER]
    elif pip_args.python:  # pip's own --python serves an interpreter without pip
        command = [env.own_executable, "-c", LAUNCHER]
    else:
        command = [env.own_executable, "-c", LAUNCHER, "--python", python]
    code = run_pip(command, pip_args.argv, environ=env.environ, interactive=bool(env.stdin_isatty))
    return code, python, has_pip
