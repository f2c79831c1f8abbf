"""One decision per requirement of a pip install: where the user is (:class:`Situation`), what
they chose ahead of time, what each requirement puts on PATH where the decision depends on it,
and the question on a terminal where it is the user's to answer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from safepip.decide.classify import items_of
from safepip.decide.model import (
    Decision,
    Item,
    Override,
    Planned,
    Route,
    SafepipOptions,
    Situation,
)
from safepip.decide.route import decide, needs_commands
from safepip.decide.settings import overrides as load_overrides
from safepip.decide.settings import remember
from safepip.environment import Environment
from safepip.pip.argv import PipArgs
from safepip.pip.config import no_input
from safepip.report import Reporter
from safepip.target.interpreter import Probe
from safepip.target.project import VenvTarget, declared_names
from safepip.target.site_packages import installed_names

#: The names of the applications installed already (for ``-U``), asked by the operation that
#: plans (:func:`safepip.backends.pipx.app_names`): the decision never runs a backend itself.
Apps = Callable[[Environment], frozenset[str]]


def situation(
    pip_args: PipArgs,
    env: Environment,
    where: VenvTarget,
    *,
    externally_managed: bool = True,
    named: bool = True,
    apps: Apps | None = None,
    asks: bool = True,
) -> Situation:
    """Where the user is, for :func:`~safepip.decide.route.decide`; the working folder's
    scripts are read only where a requirement is ``named`` (only names are routed by them), and
    the applications already installed (``apps``, the operation's look at pipx) only for ``-U``;
    ``asks`` False (pip's no-input) is a terminal that is never asked."""
    from safepip.target.scripts import read_folder
    from safepip.target.user_place import why_user_env

    root = where.project_root
    user_env = "--user asks for it" if pip_args.user else None
    if root is None and user_env is None:
        user_env = why_user_env(env.cwd, env.home)
    scripts = read_folder(str(env.cwd)) if named else None
    declared = {**(scripts.declared if scripts else {}), **(declared_names(root) if root else {})}
    return Situation(
        externally_managed=externally_managed,
        project=str(root) if root else None,
        declared=declared,
        imported=scripts.imported if scripts else {},
        in_venv=installed_names(where.path) if where.path.is_dir() else frozenset(),
        interactive=bool(env.stdin_isatty and env.stderr_isatty) and asks,
        pipx_apps=apps(env) if apps is not None and pip_args.upgrade else frozenset(),
        user_env=user_env,
    )


def user_overrides(
    options: SafepipOptions, env: Environment, project_root: Path | None, reporter: Reporter
) -> list[Override]:
    """The user's choices in order of precedence: the command line's, then their settings."""
    chosen = [Override(f"--{options.route}", default=options.route)] if options.route else []
    return chosen + load_overrides(
        env.environ, project_root, env.config_dir, reporter.warning, env.state_dir
    )


def plan(
    pip_args: PipArgs,
    options: SafepipOptions,
    env: Environment,
    reporter: Reporter,
    probe: Probe,
    where: VenvTarget,
    *,
    externally_managed: bool = True,
    may_ask: bool = True,
    learn_all: bool = False,
    first: Callable[[Planned], Item | None] | None = None,
    apps: Apps | None = None,
) -> list[Planned]:
    """One decision per requirement; ``may_ask`` False (explain, a dry run) says where install
    on this terminal would ask instead of asking. ``learn_all`` looks up the commands of every named
    requirement (for ``explain``), not only of those whose route depends on them. ``first``
    installs a step where its install answers what the look-up would (see
    :meth:`safepip.backends.base.Backend.first`): asked for a lone requirement that is an
    application if it puts commands on PATH, before it is looked up."""
    items = items_of(pip_args, env.cwd)
    named = any(item.kind == "name" for item in items)
    asks = bool(env.stdin_isatty and env.stderr_isatty) and not no_input(pip_args, probe, env)
    here = situation(
        pip_args,
        env,
        where,
        externally_managed=externally_managed,
        named=named,
        apps=apps,
        asks=asks,
    )
    overrides = user_overrides(options, env, where.project_root, reporter)
    to_learn = [
        i
        for i, item in enumerate(items)
        if needs_commands(item, here, overrides)
        or (learn_all and item.kind == "name" and not item.inspect_error)
    ]
    if first is not None and len(items) == 1 and to_learn == [0]:
        found = _installed_first(items[0], here, overrides, first)
        if found is not None:
            items[0], to_learn = found, []
    if to_learn:
        from safepip.decide.learn import learn_commands

        learned = learn_commands([items[i] for i in to_learn], pip_args, probe, env, reporter)
        for index, item in zip(to_learn, learned):
            items[index] = item
    return [_decided(item, here, overrides, may_ask, env, reporter) for item in items]


def _decided(
    item: Item,
    here: Situation,
    overrides: list[Override],
    may_ask: bool,
    env: Environment,
    reporter: Reporter,
) -> Planned:
    """``item``'s decision, asked on a terminal where the rule leaves it to the user (or, for
    explain and a dry run, what install on this terminal would ask)."""
    decision = decide(item, here, overrides)
    if decision.ask and here.project is not None and may_ask:
        decision = _ask(item, decision, Path(here.project), env, reporter)
    elif decision.ask:
        asked = f"on this terminal install asks first (default: {decision.route})"
        decision = Decision(decision.route, (*decision.reasons, asked))
    return Planned(item, decision)


def _installed_first(
    item: Item,
    here: Situation,
    overrides: list[Override],
    first: Callable[[Planned], Item | None],
) -> Item | None:
    """``item`` as its installer found it, where it goes to an application's installer if it
    puts commands on PATH and that installer could tell by installing it; else None."""
    guess = item.with_commands(("?",), "application")
    decision = decide(guess, here, overrides)
    if decision.route != "pipx" or decision.ask:
        return None
    return first(Planned(guess, decision))


def _ask(
    item: Item, decision: Decision, root: Path, env: Environment, reporter: Reporter
) -> Decision:
    """On a terminal: ask once where an undeclared package with commands goes; remember the
    answer for this project only."""
    default: Route = decision.route
    choices = "[P/v]" if default == "pipx" else "[V/p]"
    prompt = (
        f"safepip: {item.name} puts commands on PATH ({', '.join(item.commands[:4])}). "
        "Install it into the project's .venv (importable by the project) or with pipx "
        f"(an app of its own)? {choices} "
    )
    try:
        env.stderr.write(prompt)
        env.stderr.flush()
        answer = env.stdin.readline().strip().lower()
    except (OSError, ValueError):
        answer = ""
    answers: dict[str, Route] = {"p": "pipx", "pipx": "pipx", "v": "venv", "venv": "venv"}
    route = answers.get(answer, default)
    if item.name and answer:
        try:
            where = remember(env.state_dir, root, item.name, route)
        except OSError as error:  # a read-only state folder: the answer holds for this run
            reporter.warning(f"could not remember your answer in {env.state_dir}: {error}")
        else:
            reporter.info(f"remembered {item.name} -> {route} for this project in {where}")
    return Decision(route, (*decision.reasons[:1], f"you chose {route}"))
