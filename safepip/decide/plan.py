"""An install the target Python refuses (PEP 668), planned and carried out per requirement.

From pip's argv to :class:`~safepip.decide.route.Item` s, facts where a decision needs them (what a
requirement puts on PATH), one :class:`~safepip.decide.route.Decision`
each, then the backends: one pip run into the project's ``.venv`` for everything that goes
there, one pipx install per application, and one summary at the end.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from safepip.backends.uv import accelerator
from safepip.backends.venv_pip import (
    DROPPED_OPTIONS,
    VenvTarget,
    activate_hint,
    display_path,
    install_into_venv,
    venv_target,
)
from safepip.cli.options import SafepipOptions
from safepip.decide.route import Decision, Item, Override, Route, Situation, decide
from safepip.decide.settings import overrides as load_overrides
from safepip.decide.settings import remember
from safepip.environment import Environment
from safepip.inspect.downloads import offer, withdraw
from safepip.pip.argv import PipArgs
from safepip.pip.argv import parse as parse_argv
from safepip.report import Reporter
from safepip.target.interpreter import ExternallyManaged, Interpreter, Probe
from safepip.target.project import declared_names, installed_names

if TYPE_CHECKING:
    from collections.abc import Callable

    from safepip.backends.uv import Uv
    from safepip.pip.index_options import IndexOptions

_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz")


@dataclass(frozen=True)
class Planned:
    item: Item
    decision: Decision


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        return False


def classify(text: str, cwd: Path) -> Item:
    """What kind of requirement a positional argument is, as pip would read it."""
    from safepip.inspect.names import canonicalize_name, simple_requirement_name

    looks_like_path = (
        text.startswith((".", "/", "~"))
        or (os.sep in text.split("[", 1)[0] and "://" not in text and " @ " not in text)
        or text.lower().endswith(_ARCHIVE_SUFFIXES)
        or _exists(cwd / text.split("[", 1)[0])
    )
    if "://" in text and "@" not in text.split("://", 1)[0]:
        return Item(text, "url", inspect_error="a URL is not inspected before installing")
    if looks_like_path:
        return Item(text, "local")
    simple = simple_requirement_name(text)
    if simple is not None:
        return Item(text, "name", simple)
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return Item(text, "name", inspect_error="not a valid requirement")
    name = canonicalize_name(requirement.name)
    if requirement.url:
        return Item(text, "name", name, inspect_error="a direct URL is not inspected")
    return Item(text, "name", name)


def items_of(pip_args: PipArgs, cwd: Path) -> list[Item]:
    items = [Item(f"-r {f}", "requirements-file") for f in pip_args.requirement_files]
    items += [Item(f"-c {f}", "constraints-file") for f in pip_args.constraint_files]
    items += [Item(f"-e {e}", "editable") for e in pip_args.editables]
    items += [classify(text, cwd) for text in pip_args.requirements]
    return items


def needs_commands(item: Item, situation: Situation, overrides: Sequence[Override]) -> bool:
    """Whether the decision for ``item`` depends on what it puts on PATH (so it must be
    inspected, which costs a look at the index)."""
    if item.kind != "name" or item.inspect_error or not situation.externally_managed:
        return False
    with_commands = decide(
        replace(item, commands=("?",), commands_known=True), situation, overrides
    )
    without = decide(replace(item, commands=(), commands_known=True), situation, overrides)
    return (with_commands.route, with_commands.ask) != (without.route, without.ask)


def _timeout(value: str | None) -> float:
    """pip's ``--timeout`` (seconds; pip's default is 15), for safepip's own index requests."""
    try:
        seconds = float(value) if value else 15.0
    except ValueError:
        return 15.0
    return seconds if seconds > 0 else 15.0


def index_options(pip_args: PipArgs, probe: Probe, env: Environment) -> tuple[IndexOptions, float]:
    """Where pip would look for files, and its timeout: the command line over pip's config."""
    from safepip.pip.config import load as load_pip_config
    from safepip.pip.index_options import IndexOptions

    config = load_pip_config(
        "install",
        env.environ,
        site_prefix=probe.prefix,
        isolated=pip_args.config_isolated,
        home=env.home,
    )
    options = IndexOptions(
        index_url=pip_args.index_url or config.index_url or IndexOptions.index_url,
        extra_index_urls=config.extra_index_urls + pip_args.extra_index_urls,
        find_links=config.find_links + pip_args.find_links,
        no_index=pip_args.no_index or config.no_index,
        pre=pip_args.pre or config.pre,
        trusted_hosts=config.split("trusted-host") + pip_args.values("--trusted-host"),
        cert=pip_args.last("--cert") or config.get("cert"),
    )
    timeout = _timeout(
        pip_args.last("--timeout") or config.get("timeout") or config.get("default-timeout")
    )
    return options, timeout


def diagnose_index(
    pip_args: PipArgs, probe: Probe, env: Environment, names: Sequence[str]
) -> tuple[str, str] | None:
    """After pip failed: is the index the cause? One request for the first named requirement's
    page, with pip's timeout; the message and fix, or None when the index answers."""
    from safepip.inspect.index import IndexUnreachable, open_url, project_url, redact

    try:
        options, timeout = index_options(pip_args, probe, env)
    except ValueError:
        return None
    if options.no_index or not names:
        return None
    url = project_url(options.index_url, names[0])
    try:
        with open_url(url, headers={}, timeout=timeout):
            return None
    except IndexUnreachable as error:
        hint = (
            "check the index URL (--index-url, PIP_INDEX_URL or pip's config), the network "
            "and proxy settings"
        )
        if error.status == 404:
            return (
                f"the package index {redact(options.index_url)} has no project {names[0]} "
                "(HTTP 404 not found)",
                "check the name, or the index: " + hint,
            )
        return (
            f"the package index {redact(options.index_url)} could not be used: {error.cause}",
            hint,
        )
    except Exception:  # a diagnosis must never hide pip's own failure
        return None


def learn_commands(
    items: list[Item], pip_args: PipArgs, probe: Probe, env: Environment, reporter: Reporter
) -> list[Item]:
    """Fill in ``commands`` of the items whose route depends on them."""
    from packaging.requirements import Requirement
    from packaging.tags import parse_tag

    from safepip.exceptions import InterpreterError
    from safepip.inspect.requirements import inspect_requirements
    from safepip.target.interpreter import platform

    if not items:
        return items
    options, timeout = index_options(pip_args, probe, env)
    try:
        target = platform(probe, env)
    except InterpreterError as error:  # decide without commands: every item gets the .venv
        return [replace(item, inspect_error=error.message) for item in items]
    tags = [tag for text in target.tags for tag in parse_tag(text)]
    facts = inspect_requirements(
        [Requirement(item.text) for item in items],
        tags=tags,
        python_version=probe.version,
        marker_env=target.markers,
        options=options,
        cache_dir=env.cache_dir,
        pip_python=env.own_executable,
        environ=env.environ,
        timeout=timeout,
    )
    learned = []
    for item, fact in zip(items, facts):
        if fact.error:
            reporter.detail(f"{item.text}: {fact.error}")
            learned.append(replace(item, inspect_error=fact.error))
        else:
            reporter.detail(
                f"{item.text}: {fact.name} {fact.version} from {fact.source}, "
                f"commands: {', '.join(fact.commands) or 'none'}"
            )
            fetched = fact.source in ("wheel-download", "sdist-build")
            learned.append(
                replace(
                    item,
                    commands=fact.commands,
                    commands_via=fact.via,
                    commands_known=True,
                    local_file=fact.local_file if fetched else None,
                )
            )
    return learned


def _ask(item: Item, decision: Decision, env: Environment, reporter: Reporter) -> Decision:
    """On a terminal: ask once where an undeclared package with commands goes; remember it."""
    prompt = (
        f"safepip: {item.name} puts commands on PATH ({', '.join(item.commands[:4])}). "
        "Install it into the project's .venv (importable by the project) or with pipx "
        "(an app of its own)? [V/p] "
    )
    try:
        env.stderr.write(prompt)
        env.stderr.flush()
        answer = env.stdin.readline().strip().lower()
    except (OSError, ValueError):
        answer = ""
    route: Route = "pipx" if answer in ("p", "pipx") else "venv"
    if item.name and answer:
        where = remember(env.config_dir, item.name, route)
        reporter.info(f"remembered {item.name} -> {route} in {where}")
    return Decision(route, (*decision.reasons[:1], f"you chose {route}"))


def _pipx_apps(env: Environment) -> frozenset[str]:
    from safepip.backends.pipx import find_pipx, installed_apps
    from safepip.process import clean_environ

    pipx = find_pipx(env)
    return installed_apps(pipx, clean_environ(env.environ)) if pipx else frozenset()


def plan(
    pip_args: PipArgs,
    options: SafepipOptions,
    env: Environment,
    reporter: Reporter,
    probe: Probe,
    *,
    project_root: Path | None,
    venv: Path,
    externally_managed: bool = True,
    may_ask: bool = True,
    learn_all: bool = False,
) -> list[Planned]:
    """One decision per requirement. ``learn_all`` looks up the commands of every named
    requirement (for ``explain``), not only of those whose route depends on them."""
    situation = Situation(
        externally_managed=externally_managed,
        project=str(project_root) if project_root else None,
        declared=declared_names(project_root) if project_root else {},
        in_venv=installed_names(venv) if venv.is_dir() else frozenset(),
        interactive=may_ask and bool(env.stdin_isatty and env.stderr_isatty),
        pipx_apps=_pipx_apps(env) if pip_args.upgrade else frozenset(),
    )
    overrides: list[Override] = []
    if options.route:
        overrides.append(Override(f"--{options.route}", default=options.route))
    overrides += load_overrides(env.environ, project_root, env.config_dir, reporter.warning)
    items = items_of(pip_args, env.cwd)
    to_learn = [
        i
        for i, item in enumerate(items)
        if needs_commands(item, situation, overrides)
        or (learn_all and item.kind == "name" and not item.inspect_error)
    ]
    if to_learn:
        learned = learn_commands([items[i] for i in to_learn], pip_args, probe, env, reporter)
        for index, item in zip(to_learn, learned):
            items[index] = item
    planned = []
    for item in items:
        decision = decide(item, situation, overrides)
        if decision.ask:
            decision = _ask(item, decision, env, reporter)
        planned.append(Planned(item, decision))
    return planned


def drop_options(argv: Sequence[str], names: Sequence[str]) -> tuple[str, ...]:
    return parse_argv(argv).without(*names)


def other_way(planned: Planned) -> str:
    """The one command that would have chosen the other home."""
    other = "pipx" if planned.decision.route == "venv" else "venv"
    return f"safepip install --{other} {planned.item.text}"


def _uv_installer(
    uv: Uv, argv: Sequence[str], index: IndexOptions, env: Environment, reporter: Reporter
) -> Callable[[str], int] | None:
    """What installs ``argv`` into a venv with uv, or None (said with -v) if uv cannot do it
    as pip would."""
    from safepip.backends.uv import UvUnsuitable, install_into, pip_install_args, uv_environ
    from safepip.process import clean_environ

    try:
        args = pip_install_args(parse_argv(argv), index)
    except UvUnsuitable as why:
        reporter.detail(f"using pip, not uv: {why}")
        return None

    def install(python: str) -> int:
        venv = str(Path(python).parent.parent)
        environ = uv_environ(clean_environ(env.environ, venv=venv), index)
        return install_into(uv, python, args, environ, env)

    return install


def carry_out(
    pip_args: PipArgs,
    target: Interpreter,
    probe: Probe,
    managed: ExternallyManaged,
    options: SafepipOptions,
    env: Environment,
    reporter: Reporter,
) -> int:
    where = venv_target(env)
    project_root = where.project.root if where.project else None
    steps = plan(
        pip_args, options, env, reporter, probe, project_root=project_root, venv=where.path
    )
    for step in steps:
        reporter.detail(
            f"{step.item.text} -> {step.decision.route}: " + "; ".join(step.decision.reasons)
        )
    to_venv = [s for s in steps if s.decision.route == "venv"]
    to_pipx = [s for s in steps if s.decision.route == "pipx"]
    if pip_args.has("--dry-run"):
        for step in steps:
            reporter.info(
                f"would install {step.item.text} into "
                f"{'the .venv' if step.decision.route == 'venv' else 'pipx'}: "
                + "; ".join(step.decision.reasons)
            )
        return 0
    fetched = [s.item.local_file for s in steps if s.item.local_file is not None]
    separator = any(t.kind == "separator" for t in pip_args.tokens)
    links = offer(fetched) if fetched and not separator else None
    try:
        return _install(
            steps, pip_args, target, probe, options, env, reporter, where, to_venv, to_pipx, links
        )
    finally:
        withdraw(links)


def _install(
    steps: Sequence[Planned],
    pip_args: PipArgs,
    target: Interpreter,
    probe: Probe,
    options: SafepipOptions,
    env: Environment,
    reporter: Reporter,
    where: VenvTarget,
    to_venv: Sequence[Planned],
    to_pipx: Sequence[Planned],
    links: Path | None,
) -> int:
    """Run the backends for the planned steps; ``links`` is a find-links folder with the wheels
    safepip already downloaded whole (see ``inspect.downloads``)."""
    reuse = ("--find-links", str(links)) if links is not None else ()
    failures: list[str] = []
    done: list[str] = []
    uv = accelerator(env, reporter.warning) if to_venv or to_pipx or not steps else None
    index = index_options(pip_args, probe, env)[0] if uv is not None else None
    venv_positionals = [s.item.text for s in to_venv if s.item.kind in ("name", "local", "url")]
    venv_needed = bool(to_venv) or not steps
    if venv_needed:
        if pip_args.user:
            reporter.warning("--user is ignored: packages go into the project's .venv")
        argv = drop_options(pip_args.with_positionals(venv_positionals), DROPPED_OPTIONS) + reuse
        installer = _uv_installer(uv, argv, index, env, reporter) if uv and index else None
        code, created = install_into_venv(
            argv,
            probe,
            options,
            env,
            reporter,
            where,
            installer,
            uv.path if installer and uv else None,
        )
        names = ", ".join(s.item.text for s in to_venv) or "the requirements"
        if code != 0:
            failures.append(f"{names} (into the .venv: pip exited with {code})")
            named = [s.item.name for s in to_venv if s.item.kind == "name" and s.item.name]
            diagnosis = diagnose_index(pip_args, probe, env, named)
            if diagnosis is not None:
                reporter.error(*diagnosis)
        else:
            shown = display_path(where.path, env.cwd)
            reason = (
                to_venv[0].decision.reasons[0]
                if len(to_venv) == 1
                else "libraries and project requirements belong in the project"
            )
            state = "a new virtual environment" if created else "the project's virtual environment"
            done.append(
                f"installed {names}{' with uv' if installer else ''} into {state} {shown}, "
                f"because {target.path} is "
                f"externally managed (PEP 668) and {reason}"
            )
            from safepip.commands.shell_init import write_activation

            use = (
                f"activated {shown} in this shell"
                if write_activation(env, where.path)
                else f"use it with: {activate_hint(where.path, env)}  (or run {shown}/bin/python)"
            )
            done.append(
                use
                + (
                    f"; pipx instead: {other_way(to_venv[0])}"
                    if len(to_venv) == 1 and to_venv[0].item.kind == "name"
                    else ""
                )
            )
    if to_pipx and uv is not None and index is not None:
        from safepip.backends.uv import install_tools

        to_pipx, tools_done, tools_failed = install_tools(
            to_pipx, pip_args, index, probe.executable, uv, env
        )
        done += tools_done
        failures += tools_failed
    if to_pipx:
        from safepip.backends.pipx import install_apps

        apps_done, apps_failed = install_apps(to_pipx, pip_args, probe, env, reporter, reuse)
        done += apps_done
        failures += apps_failed
    for line in done:
        reporter.info(line)
    if failures:
        if done:
            reporter.info("the parts above succeeded and stay installed")
        reporter.error("not installed: " + "; ".join(failures))
        return 1
    return 0
