"""pip's commands that show or ask rather than install, where the target Python is externally
managed: ``list``/``freeze``/``show``/``check``/``inspect`` where no environment of safepip's is
here (never the system's packages), the user environment shown without the system's packages it
sees, the commands that only ask the index (``index``, ``download``, ``hash``, ``cache``: no
``.venv`` needed), and a command the target's pip lacks (``lock`` before pip 25.1), run with
safepip's own pip for the environment it is about."""

from __future__ import annotations

from collections.abc import Sequence

from safepip.backends.venv_home import VenvHome
from safepip.child_environ import ChosenTarget
from safepip.environment import Environment
from safepip.hints import display_path
from safepip.pip.argv import PipArgs
from safepip.pip.run import LAUNCHER, run_pip
from safepip.pip.vocabulary import lacks, own_pip_for, own_pip_version, pip_version, venv_pip_dir
from safepip.report import Reporter
from safepip.target.interpreter import Probe

#: Commands that ask the package index or pip's cache, not an environment: they need no .venv.
INDEX_COMMANDS = ("index", "download", "hash", "cache")
#: Listings that can be restricted to the environment's own packages (``--local``).
LOCAL_LISTINGS = ("list", "freeze", "inspect")


def in_user_env(pip_args: PipArgs, venv: VenvHome, env: Environment, reporter: Reporter) -> int:
    """pip's own listing of the user environment, without the system packages it sees (it is
    made with ``--system-site-packages``): ``--local`` for the listings, ``show`` of only the
    names installed in it (pip's own warning for the others)."""
    argv = pip_args.without("--python", "--user")
    shown = display_path(venv.ctx.where.path, env.cwd)
    if pip_args.command in LOCAL_LISTINGS and not pip_args.has("--path"):
        argv = (*argv, "--local")
    if pip_args.command == "show" and pip_args.positionals:
        from safepip.names import requirement_name
        from safepip.pip.parser import parse

        have = venv.installed()
        mine = [n for n in pip_args.positionals if requirement_name(n) in have]
        missing = [n for n in pip_args.positionals if n not in mine]
        if not mine:
            return not_found(missing, reporter)
        argv = parse(pip_args.with_positionals(mine)).without("--python", "--user")
        reporter.info(f"showing your user environment {shown}")
        code = venv.run_pip(argv)
        if missing:
            reporter.warning("Package(s) not found: " + ", ".join(missing))
        return code
    reporter.info(f"showing your user environment {shown}")
    return venv.run_pip(argv)


def not_found(names: Sequence[str], reporter: Reporter) -> int:
    """pip's ``show`` for names it cannot find: its warning, exit status 1."""
    reporter.warning("Package(s) not found: " + ", ".join(names))
    return 1


def nothing_here(pip_args: PipArgs, probe: Probe, env: Environment, reporter: Reporter) -> int:
    """Outside a project, with no ``.venv`` here and no user environment: one line says that
    safepip installed nothing here (and where an install would go), then pip's answer for an
    empty environment: ``list``/``freeze``/``inspect`` of nothing (pip's own format, from
    safepip's own pip restricted to an empty folder), ``show`` pip's not-found warning and
    status 1, ``check`` "No broken requirements found.", status 0."""
    from safepip.target.project import venv_target
    from safepip.target.user_place import user_env_path, why_user_env

    where = venv_target(env.cwd, env.home).path
    if why_user_env(env.cwd, env.home):
        goes = f"installs here go to your user environment {user_env_path(env.data_dir)}"
    else:
        goes = f"an install here would create {where}"
    reporter.info(
        f"safepip installed nothing here ({where.parent} has no .venv, there is no user "
        f"environment; {goes}): the system Python's packages are not shown"
    )
    if pip_args.command == "check":
        if pip_args.verbosity >= 0:
            env.stdout.write("No broken requirements found.\n")
            env.stdout.flush()
        return 0
    if pip_args.command == "show" and pip_args.positionals:
        return not_found(pip_args.positionals, reporter)
    import tempfile

    command = own_pip_for(probe.executable, probe.version, env.own_executable)
    with tempfile.TemporaryDirectory(prefix="safepip-empty-") as empty:
        argv = pip_args.without("--python", "--user", "--local", "--path")
        if pip_args.command in LOCAL_LISTINGS:
            argv = (*argv, "--path", empty)
        return run_pip(
            command or [env.own_executable, "-c", LAUNCHER],
            argv,
            environ=env.environ,
            policy=ChosenTarget(stand_in=command is not None),
            interactive=bool(env.stdin_isatty),
        )


def elsewhere(
    pip_args: PipArgs,
    probe: Probe,
    venv: VenvHome | None,
    env: Environment,
    reporter: Reporter,
) -> int | None:
    """A command that asks the index (in the project's ``.venv`` where there is one, else as
    pip would run it), or one the target's pip lacks, run by a pip that has it for the right
    environment: the ``.venv``'s pip, or safepip's own for the ``.venv`` (where one is) or the
    target. None: the target's own pip runs it, as the user asked."""
    command = pip_args.command
    if venv is not None:
        python = str(venv.ctx.where.path / "bin" / "python")
        pip_dir = venv_pip_dir(str(venv.ctx.where.path))
        if not lacks(pip_dir, command):
            shown = display_path(venv.ctx.where.path, env.cwd)
            reporter.detail(f"pip {command} runs with the pip of the project's {shown}")
            return venv.run_pip(pip_args.without("--python", "--user"))
        return _own(pip_args, python, probe.version, pip_dir, env, reporter, venv)
    if lacks(probe.pip_dir, command):
        return _own(pip_args, probe.executable, probe.version, probe.pip_dir, env, reporter, None)
    return None


def _own(
    pip_args: PipArgs,
    python: str,
    version: str,
    pip_dir: str | None,
    env: Environment,
    reporter: Reporter,
    venv: VenvHome | None,
) -> int | None:
    """safepip's own pip for ``python`` (None where it cannot run there: the old pip answers)."""
    launch = own_pip_for(python, version, env.own_executable)
    if launch is None or pip_dir is None:
        return None
    shown = display_path(venv.ctx.where.path, env.cwd) if venv is not None else python
    reporter.info(
        f"the pip of {shown} ({pip_version(pip_dir)}) has no {pip_args.command} command: "
        f"running safepip's own pip {own_pip_version()} for it"
    )
    where = str(venv.ctx.where.path) if venv is not None else None
    return run_pip(
        launch,
        pip_args.argv,
        environ=env.environ,
        policy=ChosenTarget(venv=where, stand_in=True),
        interactive=bool(env.stdin_isatty),
    )
