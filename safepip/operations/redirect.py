"""A redirected install carried out: plan → backends → one summary.

Each route's steps go to its backends in order of preference (with safepip's uv setting, uv's
first; pip's and pipx's always last, taking what is left): one install into the project's
``.venv`` for everything that goes there, one application install per application. If a part
fails the rest stays installed, the failed part is named and the exit status is 1.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from safepip.backends.base import Backend, Context, Outcome, Request
from safepip.decide.model import Item, Planned, Route, SafepipOptions
from safepip.decide.plan import plan
from safepip.environment import Environment
from safepip.pip.argv import PipArgs
from safepip.pip.index_options import IndexOptions
from safepip.report import Reporter
from safepip.target.interpreter import Interpreter, Probe
from safepip.target.project import VenvTarget, venv_target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from safepip.backends.venv_home import VenvHome


def carry_out(
    pip_args: PipArgs,
    target: Interpreter,
    probe: Probe,
    options: SafepipOptions,
    env: Environment,
    reporter: Reporter,
) -> int:
    from safepip.backends.pipx import app_names
    from safepip.backends.uv import accelerator

    where = venv_target(env.cwd, env.home)
    uv_warnings: list[str] = []  # said where they were said before: after the plan, if it installs
    uv = accelerator(env, uv_warnings.append)
    ctx = Context(pip_args, env, reporter, where, uv)
    routes = _prepared(ctx)
    index = _index(ctx, probe)
    early = Request(target, probe, options, index)
    dry = pip_args.has("--dry-run")
    first = None if dry else lambda step: _first(step, routes, early)
    steps = plan(
        pip_args, options, env, reporter, probe, where, first=first, may_ask=not dry, apps=app_names
    )
    for step in steps:
        why = "; ".join(step.decision.reasons)
        reporter.detail(f"{step.item.text} -> {step.decision.route}: {why}")
    if not steps:
        return pip_usage_error(pip_args, env)
    refuse_clashes(steps, options, env)
    _python_excluded(steps, where, probe, reporter)
    if not check_scripts(steps, probe, env, reporter):
        return 0
    if dry:
        return dry_run(pip_args, probe, env, reporter, where, steps)
    from safepip.inspect.downloads import withdraw

    for warning in uv_warnings:
        reporter.warning(warning)
    links = _offered(steps, pip_args, env)
    try:
        if links is not None:
            reporter.detail(f"offering the wheels safepip fetched to this install from {links}")
        request = Request(target, probe, options, index, links)
        code = _summarise(_install(steps, routes, request), env, reporter)
    finally:
        withdraw(links)
    if code == 0 and uv is None and any(s.decision.route == "venv" for s in steps):
        from safepip.decide.warm_cache import store

        store(env)  # for the warm path's next install here
    return code


def _offered(steps: Sequence[Planned], pip_args: PipArgs, env: Environment) -> Path | None:
    """A folder of the wheels the look-up fetched whole, offered to this install (none after
    pip's ``--``, where pip's own options end)."""
    from safepip.inspect.downloads import offer

    fetched = [s.item.local_file for s in steps if s.item.local_file is not None]
    separator = any(t.kind == "separator" for t in pip_args.tokens)
    return offer(fetched, env) if fetched and not separator else None


def _remember(outcome: Outcome, env: Environment, reporter: Reporter) -> None:
    """The environments the backends made or installed into, remembered for ``safepip doctor``
    after a Python upgrade; a state folder that cannot be written costs only that."""
    from safepip.target.made_envs import remember

    problem = remember(env.state_dir, outcome.made)
    if problem is not None:
        reporter.detail(f"could not remember the environments this install used: {problem}")


def _python_excluded(
    steps: Sequence[Planned], where: VenvTarget, probe: Probe, reporter: Reporter
) -> None:
    """One warning where the project's ``requires-python`` excludes the interpreter its
    ``.venv`` is made from (pip would only say "No matching distribution")."""
    root = where.project_root
    if root is None or not any(s.decision.route == "venv" for s in steps):
        return
    from safepip.target.project import python_excluded

    wanted = python_excluded(root, probe.version)
    if wanted is not None:
        reporter.warning(
            f"the project asks for Python {wanted} (requires-python in pyproject.toml), but its "
            f".venv is made from {probe.executable}, Python {probe.version}: pip may find nothing "
            "that fits; name another interpreter: safepip --python PATH install ..."
        )


def refuse_clashes(steps: Sequence[Planned], options: SafepipOptions, env: Environment) -> None:
    """Refuse, before anything is installed, to make a local path or ``-e`` an application whose
    command is already on PATH (a checkout's ``git``), or whose commands cannot be read without
    building it, unless the user said ``--pipx`` on this command line."""
    if options.route == "pipx":
        return
    from safepip.backends.pipx import bin_dir
    from safepip.exceptions import CommandClash
    from safepip.inspect.local import local_commands
    from safepip.programs import elsewhere

    path, own = env.environ.get("PATH", os.defpath), str(bin_dir(env.environ, env.home))
    for step in steps:
        item = step.item
        if step.decision.route != "pipx" or item.kind not in ("local", "editable"):
            continue
        commands = local_commands(item.text, item.kind, env.cwd)
        found = {c: elsewhere(c, path, own) for c in commands or ()}
        clashes = [f"{c} (already {where[0]})" for c, where in found.items() if where]
        if commands is not None and not clashes:
            continue
        why = (
            f"it would put commands on PATH that are there already: {', '.join(clashes)}"
            if clashes
            else "what it would put on PATH cannot be read without building it"
        )
        raise CommandClash(
            f"{item.text} is not installed with pipx: {why}",
            f"if you trust it, say so on the command line: safepip install --pipx {item.text}; "
            f"or install it into the .venv: safepip install --venv {item.text}",
        )


def check_scripts(
    steps: Sequence[Planned], probe: Probe, env: Environment, reporter: Reporter
) -> bool:
    """Read every ``--requirements-from-script`` script before anything is made (its errors
    are one paragraph each); False where they are all there is and declare nothing."""
    scripts = [s.item.text.split(" ", 1)[1] for s in steps if s.item.kind == "script"]
    if not scripts:
        return True
    from safepip.pip.script import dependencies

    needed = [d for script in scripts for d in dependencies(script, env.cwd, probe.version)]
    if needed or len(scripts) < len(steps):
        return True
    reporter.info(f"{', '.join(scripts)} declares no dependencies: nothing to install")
    return False


def _prepared(ctx: Context) -> dict[Route, list[Backend]]:
    """The homes (:func:`safepip.backends.homes.homes`), each started on what it will ask,
    side by side with the plan's look-ups (:meth:`~safepip.backends.base.Backend.prepare`)."""
    from safepip.backends.homes import homes

    routes = homes(ctx)
    for chain in routes.values():
        for backend in chain:
            backend.prepare()
    return routes


def _first(step: Planned, routes: dict[Route, list[Backend]], request: Request) -> Item | None:
    """``step`` installed before the look-up by the backend that would take it, where that
    backend can (:meth:`~safepip.backends.base.Backend.first`)."""
    for backend in routes[step.decision.route]:
        mine, _ = backend.claim([step])
        if mine:
            return backend.first(step, request)
    return None


def pip_usage_error(pip_args: PipArgs, env: Environment) -> int:
    """A command pip refuses before doing anything (an install or uninstall naming nothing):
    pip's own message and status, from safepip's own pip, which cannot change anything."""
    from safepip.child_environ import AS_IS
    from safepip.pip.run import LAUNCHER, run_pip

    argv = [*pip_args.argv, "--dry-run"] if pip_args.command == "install" else pip_args.argv
    return run_pip(
        [env.own_executable, "-c", LAUNCHER],
        argv,
        environ=env.environ,
        policy=AS_IS,
        interactive=bool(env.stdin_isatty),
    )


def dry_run(
    pip_args: PipArgs,
    probe: Probe,
    env: Environment,
    reporter: Reporter,
    where: VenvTarget,
    steps: Sequence[Planned],
) -> int:
    """``pip install --dry-run``: where each of ``steps`` would go, then resolved as pip would,
    without installing, against the environment the install would go to: the project's
    ``.venv`` (or the user environment) by its own pip where it is there; where it is not yet, or
    for pipx's new venvs, the pip a new venv gets, run for the target interpreter (its version,
    markers and tags) with ``--report`` (which PEP 668 allows, as nothing is installed) and,
    for a new ``.venv`` or app, ``--ignore-installed`` (nothing is in it yet; a new user
    environment sees the system's packages, as it will). pip's output and exit status."""
    _say_dry(steps, reporter)
    from safepip.backends.venv_home import DROPPED_OPTIONS

    routes = {s.decision.route for s in steps} - {"distro"}
    if not routes:
        return 0  # the distribution's packages are not resolved by pip
    route: Route = "venv" if "venv" in routes else "user" if "user" in routes else "pipx"
    home = _dry_home(route, Context(pip_args, env, reporter, where))
    if home is not None:
        return home.run_pip(pip_args.without(*DROPPED_OPTIONS))
    from safepip.child_environ import ChosenTarget
    from safepip.pip.run import LAUNCHER, run_pip
    from safepip.pip.vocabulary import own_pip_for

    argv = pip_args.without(*DROPPED_OPTIONS)
    if not pip_args.dry_run_report:
        argv = (*argv, "--report", os.devnull)
    if route != "user":
        reporter.detail("resolved as for a new environment: nothing installed in it yet")
        argv = (*argv, "--ignore-installed")
    command = own_pip_for(probe.executable, probe.version, env.own_executable)
    if command is None:
        command = (
            [probe.executable, "-c", LAUNCHER]
            if probe.has_pip
            else [env.own_executable, "-c", LAUNCHER, "--python", probe.executable]
        )
    return run_pip(
        command,
        argv,
        environ=env.environ,
        policy=ChosenTarget(stand_in="--python" in command),
        interactive=bool(env.stdin_isatty),
    )


def _say_dry(steps: Sequence[Planned], reporter: Reporter) -> None:
    named = {"venv": "the .venv", "user": "your user environment"}
    named["distro"] = "the system Python, as the distribution's package"
    for step in steps:
        reporter.info(
            f"would install {step.item.text} into "
            f"{named.get(step.decision.route, 'pipx')}: " + "; ".join(step.decision.reasons)
        )


def _dry_home(route: Route, ctx: Context) -> VenvHome | None:
    """The existing environment a dry run of ``route`` resolves in (its own pip), if any."""
    if route == "pipx":
        return None
    from safepip.backends.user_env import UserEnv
    from safepip.backends.venv_pip import VenvPip

    home = VenvPip(ctx) if route == "venv" else UserEnv(ctx)
    return home if home.usable() else None


def _index(ctx: Context, probe: Probe) -> IndexOptions | None:
    """pip's index options, read once, where a uv backend needs them in uv's words."""
    if ctx.uv is None:
        return None
    from safepip.pip.index_options import index_options

    return index_options(ctx.pip_args, probe, ctx.env)[0]


def _install(
    steps: Sequence[Planned], routes: dict[Route, list[Backend]], request: Request
) -> Outcome:
    """Each route's steps to its backends, each taking what it can (``carry_out`` has already
    handed an install naming nothing to pip's own usage error)."""
    outcome = Outcome()
    for route, chain in routes.items():
        left = [s for s in steps if s.decision.route == route]
        for backend in chain:
            if not left:
                break
            mine, left = backend.claim(left)
            if mine:
                outcome.add(backend.install(mine, request))
    return outcome


def _summarise(outcome: Outcome, env: Environment, reporter: Reporter) -> int:
    """The summary lines, and the environments the backends used remembered."""
    _remember(outcome, env, reporter)
    for line in outcome.done:
        reporter.info(line)
    from safepip.hints import quiet_hints

    if reporter.verbosity < 0 and not quiet_hints(env):
        for line in outcome.lasting:  # -q hides the summary, not what the next step needs
            reporter.always(line)
    if outcome.failed:
        if outcome.done:
            reporter.info("the parts above succeeded and stay installed")
        reporter.error("not installed: " + "; ".join(outcome.failed))
        return outcome.codes[0] if outcome.codes else 1  # the installer's own status
    return 0
