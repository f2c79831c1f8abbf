"""What the requirements whose route depends on it put on PATH, learned before installing:
the target's wheel tags and markers, then one look at the index (or a build) per requirement."""

from __future__ import annotations

from safepip.decide.model import Item
from safepip.environment import Environment
from safepip.exceptions import InterpreterError
from safepip.pip.argv import PipArgs
from safepip.pip.index_options import index_options
from safepip.report import Reporter
from safepip.target.interpreter import Probe

TYPE_CHECKING = False
if TYPE_CHECKING:
    from safepip.inspect.requirements import RequirementInfo


def learn_commands(
    items: list[Item], pip_args: PipArgs, probe: Probe, env: Environment, reporter: Reporter
) -> list[Item]:
    """``items`` with ``commands`` filled in (or ``inspect_error`` where they could not be)."""
    from packaging.requirements import Requirement
    from packaging.tags import parse_tag

    from safepip.inspect.requirements import describe_requirements
    from safepip.private_tmp import usable_cache
    from safepip.target.interpreter import platform

    if not items:
        return items
    options, timeout = index_options(pip_args, probe, env)
    try:
        target = platform(probe, env)
    except InterpreterError as error:  # decide without commands: every item gets the .venv
        return [_failed(item, error.message) for item in items]
    described = describe_requirements(
        [Requirement(item.text) for item in items],
        tags=[tag for text in target.tags for tag in parse_tag(text)],
        python_version=probe.version,
        marker_env=target.markers,
        options=options,
        cache_dir=usable_cache(env, reporter.detail),
        pip_python=env.own_executable,
        environ=env.environ,
        timeout=timeout,
    )
    learned = []
    for item, fact in zip(items, described):
        if fact.error:
            reporter.detail(f"{item.text}: {fact.error}")
            learned.append(_failed(item, fact.error))
            continue
        reporter.detail(
            f"{item.text}: {fact.name} {fact.version} from {fact.source}, "
            f"commands: {', '.join(fact.commands) or 'none'}"
            + (f"; {fact.role.kind}: {fact.role.reason}" if fact.role else "")
        )
        learned.append(_learned(item, fact))
    return learned


def _learned(item: Item, fact: RequirementInfo) -> Item:
    """``item`` with what its look-up found."""
    fetched = fact.source in ("wheel-download", "sdist-build")
    return Item(
        item.text,
        item.kind,
        item.name,
        commands=fact.commands,
        commands_via=fact.via,
        inject_into=fact.plugin_of,
        inject_why=fact.plugin_why,
        commands_known=True,
        local_file=fact.local_file if fetched else None,
        role=fact.role.kind if fact.role else None,
        role_reason=fact.role.reason if fact.role else None,
        imports=fact.imports,
    )


def _failed(item: Item, error: str) -> Item:
    """``item`` with why its commands could not be learned."""
    return Item(item.text, item.kind, item.name, inspect_error=error)
