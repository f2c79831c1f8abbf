"""What each requirement would put on PATH, learnt before anything is installed.

For each requirement: choose its file as pip would (:mod:`._index`), then read the wheel's
commands with range requests (:mod:`._wheel`), or build an sdist into a wheel with pip, as pip
itself would have to. One level of dependencies is looked at, by two one-sentence rules:

- a dependency named after the package (``NAME-...``, as ansible -> ansible-core) is part of
  it, and so is every dependency of a package with neither code nor commands of its own (a
  meta-package, such as ``jupyter``): their commands come along, recorded in ``via``;
- a library named after an application it requires (``APP-...`` requiring ``APP``, which puts
  commands on PATH: mkdocs-material, flake8-bugbear) is a plugin of it, recorded in
  ``plugin_of``.

Requirements are inspected concurrently. A requirement that cannot be inspected gets ``error``;
nothing but programming errors is raised.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Literal, TypeVar

from packaging.requirements import InvalidRequirement, Requirement
from packaging.tags import Tag
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from safepip.exceptions import SafepipError
from safepip.inspect.index import DEFAULT_TIMEOUT, find_candidate
from safepip.inspect.names import canonicalize_name, named_after
from safepip.inspect.role import NOTHING_SAID, Role
from safepip.inspect.sdist import DEFAULT_BUILD_TIMEOUT, build_sdist_metadata
from safepip.inspect.urls import url_to_path
from safepip.inspect.wheel import (
    Fetcher,
    WheelInfo,
    read_wheel_commands,
    wheel_filename,
)
from safepip.pip.index_options import IndexOptions

Source = Literal["wheel-range", "wheel-download", "sdist-build", "local"]

_MAX_WORKERS = 8


@dataclass(frozen=True)
class RequirementFacts:
    """What installing one requirement would bring."""

    requirement: Requirement
    name: str  # canonical
    version: str  # "" when unknown
    commands: tuple[str, ...]
    #: The wheel has a module or package of its own (False for a meta-package).
    importable: bool
    source: Source | None  # None only with ``error``
    #: For a meta-package: the dependencies (", "-separated) whose commands it exposes.
    via: str | None = None
    bytes_fetched: int = 0
    #: The whole wheel on disk (a local file, a full download or a built sdist), for the install.
    local_file: Path | None = None
    error: str | None = None
    requires_dist: tuple[str, ...] = ()
    #: The application this library is a plugin of (see the module's rules).
    plugin_of: str | None = None
    #: What it mainly is where it puts commands on PATH (``safepip.inspect.role``).
    role: Role | None = None
    #: Its top-level import names (``serial`` for pyserial).
    imports: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Context:
    fetcher: Fetcher
    tags: Sequence[Tag]
    python_version: str
    marker_env: Mapping[str, str] | None
    options: IndexOptions
    pip_python: str
    environ: Mapping[str, str]
    build_timeout: float


# --- sdists ---------------------------------------------------------------------------------


# --- one requirement ------------------------------------------------------------------------


def _facts(
    requirement: Requirement, info: WheelInfo, version: str, source: Source, local: Path | None
) -> RequirementFacts:
    return RequirementFacts(
        requirement=requirement,
        name=canonicalize_name(requirement.name),
        version=version,
        commands=info.commands,
        importable=info.top_level_importable,
        source=source,
        bytes_fetched=info.bytes_fetched,
        local_file=local,
        requires_dist=info.requires_dist,
        role=info.role,
        imports=info.imports,
    )


def _from_wheel(
    requirement: Requirement, url: str, version: str, ctx: _Context
) -> RequirementFacts:
    info = read_wheel_commands(url, fetcher=ctx.fetcher, filename=wheel_filename(url))
    local = url_to_path(url) or (None if "://" in url else Path(url))
    if local is not None:
        return _facts(requirement, info, version, "local", local)
    if info.full_download is None:
        return _facts(requirement, info, version, "wheel-range", None)
    source: Source = "wheel-download" if info.bytes_fetched else "local"
    return _facts(requirement, info, version, source, info.full_download)


def _from_build(
    requirement: Requirement, target: str, version: str | None, ctx: _Context
) -> RequirementFacts:
    info = build_sdist_metadata(
        target,
        pip_python=ctx.pip_python,
        options=ctx.options,
        cache_dir=ctx.fetcher.cache_dir,
        name=requirement.name,
        version=version,
        tags=ctx.tags,
        timeout=ctx.fetcher.timeout,
        build_timeout=ctx.build_timeout,
        environ=ctx.environ,
    )
    assert info.full_download is not None
    built_version = str(parse_wheel_filename(info.full_download.name)[1])
    return _facts(requirement, info, built_version, "sdist-build", info.full_download)


def _inspect_one(requirement: Requirement, ctx: _Context) -> RequirementFacts:
    url = requirement.url
    if url is not None:
        if wheel_filename(url).endswith(".whl"):
            version = str(parse_wheel_filename(wheel_filename(url))[1])
            return _from_wheel(requirement, url, version, ctx)
        return _from_build(requirement, str(requirement), None, ctx)
    candidate = find_candidate(
        requirement,
        ctx.options,
        tags=ctx.tags,
        python_version=ctx.python_version,
        timeout=ctx.fetcher.timeout,
    )
    if candidate.is_wheel:
        return _from_wheel(requirement, candidate.url, str(candidate.version), ctx)
    return _from_build(requirement, candidate.url, str(candidate.version), ctx)


def _failed(requirement: Requirement, error: str) -> RequirementFacts:
    return RequirementFacts(
        requirement=requirement,
        name=canonicalize_name(requirement.name),
        version="",
        commands=(),
        importable=False,
        source=None,
        error=error,
    )


def _safely(requirement: Requirement, ctx: _Context) -> RequirementFacts:
    if requirement.marker is not None and not requirement.marker.evaluate(
        _environment(ctx.marker_env, "")
    ):
        return _failed(requirement, f"ignored: markers '{requirement.marker}' do not match")
    try:
        return _inspect_one(requirement, ctx)
    except (SafepipError, OSError, InvalidWheelFilename) as exc:
        return _failed(requirement, str(exc))


# --- meta-packages --------------------------------------------------------------------------


def _environment(marker_env: Mapping[str, str] | None, extra: str) -> dict[str, str]:
    return {**(marker_env or {}), "extra": extra}


def _dependencies(facts: RequirementFacts, marker_env: Mapping[str, str] | None) -> list[str]:
    """The dependencies whose commands the package may bring or whose plugin it may be."""
    if facts.error is not None:
        return []
    extras = sorted(facts.requirement.extras) or [""]
    names: dict[str, None] = {}
    for line in facts.requires_dist:
        try:
            dependency = Requirement(line)
        except InvalidRequirement:
            continue
        marker, dependency.marker = dependency.marker, None
        if marker is None or any(marker.evaluate(_environment(marker_env, e)) for e in extras):
            names.setdefault(str(dependency), None)
    if not facts.importable and not facts.commands:
        return list(names)
    return [
        line
        for line in names
        if named_after(canonicalize_name(Requirement(line).name), facts.name)
        or (
            not facts.commands
            and named_after(facts.name, canonicalize_name(Requirement(line).name))
        )
    ]


def _merge(facts: RequirementFacts, dependencies: Sequence[RequirementFacts]) -> RequirementFacts:
    fetched = facts.bytes_fetched + sum(d.bytes_fetched for d in dependencies)
    hosts = [d for d in dependencies if d.commands and named_after(facts.name, d.name)]
    if facts.importable and not facts.commands and hosts:
        host = max(hosts, key=lambda d: len(d.name)).name
        return replace(facts, plugin_of=host, bytes_fetched=fetched)
    meta = not facts.importable and not facts.commands
    parts = [d for d in dependencies if meta or named_after(d.name, facts.name)]
    providing = [d for d in parts if d.commands]
    if not providing:
        failures = [f"{d.name}: {d.error}" for d in parts if d.error and not facts.commands]
        error = f"cannot inspect its dependencies: {'; '.join(failures)}" if failures else None
        return replace(facts, bytes_fetched=fetched, error=error)
    commands = tuple(dict.fromkeys((*facts.commands, *(c for d in providing for c in d.commands))))
    via = ", ".join(d.name for d in providing)
    own = facts.role if facts.commands else None
    said = own is not None and not own.reason.startswith(NOTHING_SAID)
    role = own if said else _bundle_role(providing[0])
    return replace(facts, commands=commands, via=via, bytes_fetched=fetched, role=role)


def _bundle_role(part: RequirementFacts) -> Role | None:
    """A package whose commands all come from a part of it (ansible -> ansible-core) is what
    that part is; where nothing said, a bundle of commands is an application."""
    role = part.role
    if role is None or role.reason.startswith(NOTHING_SAID):
        return Role("application", f"it bundles the commands of {part.name}")
    return Role(role.kind, f"its part {part.name}: {role.reason}")


_T = TypeVar("_T")
_R = TypeVar("_R")


def _map(function: Callable[[_T], _R], items: Sequence[_T]) -> list[_R]:
    """``function`` over ``items`` in daemon threads, results in order.

    Daemon threads, not a ThreadPoolExecutor: when a signal interrupts the main thread while a
    worker waits on a stalled index, safepip must be able to exit at once (an executor's
    workers are joined at interpreter exit)."""
    if len(items) <= 1:
        return [function(item) for item in items]
    results: dict[int, _R] = {}
    errors: list[BaseException] = []
    pending = list(enumerate(items))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not pending or errors:
                    return
                index, item = pending.pop(0)
            try:
                result = function(item)
            except BaseException as error:  # re-raised in the main thread
                with lock:
                    errors.append(error)
                return
            with lock:
                results[index] = result

    threads = [
        threading.Thread(target=work, daemon=True) for _ in range(min(_MAX_WORKERS, len(items)))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(0.1)  # short joins keep the main thread responsive to signals
    if errors:
        raise errors[0]
    return [results[i] for i in range(len(items))]


def inspect_requirements(
    reqs: Sequence[Requirement],
    *,
    tags: Sequence[Tag],
    python_version: str,
    marker_env: Mapping[str, str] | None,
    options: IndexOptions,
    cache_dir: Path,
    pip_python: str,
    timeout: float = DEFAULT_TIMEOUT,
    build_timeout: float = DEFAULT_BUILD_TIMEOUT,
    environ: Mapping[str, str] | None = None,
) -> list[RequirementFacts]:
    """:class:`RequirementFacts` for each of ``reqs``, in order.

    ``tags`` are the target's supported tags, most preferred first; ``python_version`` and
    ``marker_env`` describe the target interpreter (``marker_env`` None: this interpreter).
    ``pip_python`` runs ``pip wheel`` for sdists, in ``environ`` (default: this process's).
    """
    ctx = _Context(
        fetcher=Fetcher(cache_dir=cache_dir, timeout=timeout),
        tags=tags,
        python_version=python_version,
        marker_env=marker_env,
        options=options,
        pip_python=pip_python,
        environ=dict(os.environ if environ is None else environ),
        build_timeout=build_timeout,
    )
    results = _map(lambda requirement: _safely(requirement, ctx), list(reqs))
    wanted = [_dependencies(facts, marker_env) for facts in results]
    lines = list(dict.fromkeys(line for group in wanted for line in group))
    found = dict(zip(lines, _map(lambda line: _safely(Requirement(line), ctx), lines)))
    return [
        _merge(facts, [found[line] for line in group]) if group else facts
        for facts, group in zip(results, wanted)
    ]
