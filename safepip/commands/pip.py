"""Any pip command line: passed to pip where pip works, redirected where PEP 668 forbids it
(``install``), or shown for the project's environments (``uninstall`` and the read-only
commands)."""

from __future__ import annotations

from collections.abc import Sequence

from safepip.child_environ import AS_IS
from safepip.decide.model import SafepipOptions
from safepip.environment import Environment
from safepip.pip.argv import PipArgs
from safepip.pip.run import LAUNCHER, pip_says_externally_managed, run_pip, target_has_pip
from safepip.report import Reporter
from safepip.target.interpreter import Interpreter, Probe, find_target
from safepip.target.interpreter import probe as probe_interpreter
from safepip.target.pep668 import GUARDED_COMMANDS, externally_managed, pep668_applies

#: Read-only commands shown for the project's .venv where the target is externally managed.
SHOWING_COMMANDS = ("list", "freeze", "show", "check", "inspect")


def run(
    argv: Sequence[str],
    pip_args: PipArgs,
    options: SafepipOptions,
    env: Environment,
    reporter: Reporter,
) -> int:
    target = find_target(pip_args.python, env)
    reporter.detail(f"target interpreter: {target.path} (chosen as {target.chosen_by})")
    probe = (
        None
        if target.is_venv
        else probe_interpreter(target.path, env, platform_too=_may_look_up(pip_args, env))
    )
    if target.chosen_by.endswith("($VIRTUAL_ENV)") and pip_args.command == "install":
        from safepip.cli.fast import wrong_venv_note

        note = wrong_venv_note(env.environ, str(env.cwd), argv)
        if note is not None:
            reporter.info(note)
    known = pip_args.known and not pip_args.help
    guarded = known and pip_args.command in GUARDED_COMMANDS
    managed = probe is not None and externally_managed(probe.stdlib) is not None
    redirected = guarded and managed and _dry_run_report(pip_args)
    if not (guarded and probe is not None and pep668_applies(pip_args, target, probe, env)):
        if not redirected and pip_args.known and probe is not None and managed:
            code = _show(pip_args, probe, env, reporter) if known else None
            if code is None:
                code = _elsewhere(pip_args, probe, env, reporter)
            if code is not None:
                return code
        if not redirected:
            code, python, has_pip = passthrough(pip_args, target, probe, env)
            if not (
                guarded and probe is not None and has_pip and _refused(code, pip_args, python, env)
            ):
                return code
            reporter.info(
                f"pip refused to install into {target.path} (externally managed); "
                "installing into the project's virtual environment instead"
            )
    assert probe is not None  # a guarded command for a Python that is no venv
    if pip_args.command == "install":
        from safepip.operations.redirect import carry_out  # imported only for a redirect

        return carry_out(pip_args, target, probe, options, env, reporter)
    from safepip.operations.manage import uninstall

    return uninstall(pip_args, probe, env, reporter, options)


def _refused(code: int, pip_args: PipArgs, python: str, env: Environment) -> bool:
    """Whether pip itself refused this install as externally managed (where safepip's own
    reading of the marker did not foresee it): redirected after all."""
    return (
        code == 1
        and pip_args.command == "install"
        and not pip_args.break_system_packages
        and pip_says_externally_managed(python, env.environ)
    )


def _may_look_up(pip_args: PipArgs, env: Environment) -> bool:
    """Whether a redirect of this command is likely to look a requirement up on the index (and
    so to need the target's wheel tags): :func:`safepip.target.project_root.may_look_up`, for an
    install naming packages. Only a hint for a cold cache (one interpreter start instead of two)."""
    if pip_args.command != "install" or not pip_args.requirements:
        return False
    from safepip.target.project_root import may_look_up

    interactive = bool(env.stdin_isatty and env.stderr_isatty)
    return may_look_up(interactive, str(env.cwd), str(env.home))


def _dry_run_report(pip_args: PipArgs) -> bool:
    """``install --dry-run --report``, which pip allows on an externally-managed Python: all the
    same resolved against the environment the install would go to (see ``redirect.dry_run``),
    unless an interpreter or another place is named."""
    return (
        pip_args.dry_run_report
        and not pip_args.python
        and not pip_args.alternative_location
        and not pip_args.break_system_packages
    )


def _show(pip_args: PipArgs, probe: Probe, env: Environment, reporter: Reporter) -> int | None:
    """pip's read-only commands for the project's .venv (outside a project, the user
    environment), where the target is externally managed; None to pass the command on (an
    interpreter named with ``--python`` is shown as asked). A project whose .venv cannot be
    shown is an error; where safepip installed nothing, it says so: never the system's listing."""
    if pip_args.python or pip_args.command not in SHOWING_COMMANDS:
        return None
    from safepip.operations import listing
    from safepip.operations.manage import environments, show_apps, show_in_venv, unshowable

    found = environments(pip_args, env, reporter)
    if found and found[0].route == "venv":
        from safepip.pip.vocabulary import lacks, venv_pip_dir

        if lacks(venv_pip_dir(str(found[0].ctx.where.path)), pip_args.command):
            return listing.elsewhere(pip_args, probe, found[0], env, reporter)
        return show_in_venv(pip_args, found[0], env, reporter)
    if not pip_args.user:
        unshowable(pip_args, env)  # inside a project whose .venv cannot be shown: an error
    code = show_apps(pip_args, env, reporter) if pip_args.command == "show" else None
    if code is not None:
        return code
    if found:
        return listing.in_user_env(pip_args, found[0], env, reporter)
    return listing.nothing_here(pip_args, probe, env, reporter)


def _elsewhere(pip_args: PipArgs, probe: Probe, env: Environment, reporter: Reporter) -> int | None:
    """A command that only asks the index, in the project's ``.venv`` where there is one, and
    a command the target's pip lacks, run by a pip that has it (see
    :func:`safepip.operations.listing.elsewhere`); None: the target's pip runs it."""
    from safepip.operations import listing
    from safepip.pip.vocabulary import lacks

    asks_index = pip_args.command in listing.INDEX_COMMANDS and not pip_args.python
    if not asks_index and not lacks(probe.pip_dir, pip_args.command):
        return None
    from safepip.operations.manage import project_venv

    venv = None if pip_args.python else project_venv(pip_args, env, reporter)
    return listing.elsewhere(pip_args, probe, venv, env, reporter)


def complete(pip_args: PipArgs, env: Environment) -> int:
    """pip's own completion (``PIP_AUTO_COMPLETE``, ``COMP_WORDS``), from the pip that would run."""
    target = find_target(pip_args.python, env)
    probe = None if target.is_venv else probe_interpreter(target.path, env)
    return passthrough(pip_args, target, probe, env)[0]


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
    code = run_pip(
        command,
        pip_args.argv,
        environ=env.environ,
        policy=AS_IS,
        interactive=bool(env.stdin_isatty),
    )
    return code, python, has_pip
