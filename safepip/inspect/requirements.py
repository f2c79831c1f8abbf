"""What each requirement would put on PATH, learnt before anything is installed.

For each requirement: choose its file as pip would (:mod:`safepip.inspect.index`), then read
the wheel's commands with range requests (:mod:`safepip.inspect.wheel`), or build an sdist into a
wheel with pip, as pip itself would have to. Then the dependencies a rule may speak of are looked
up the same way, and what they make of it (a plugin of an application, a bundle of their
commands) is decided by the rules of :mod:`safepip.inspect.related`.

Requirements are described concurrently. A requirement that cannot be inspected gets ``error``;
nothing but programming errors is raised.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

from packaging.requirements import Requirement
from packaging.tags import Tag
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from safepip.exceptions import SafepipError
from safepip.inspect.found import RequirementInfo as RequirementInfo
from safepip.inspect.found import Source
from safepip.inspect.index import DEFAULT_TIMEOUT, find_candidate
from safepip.inspect.related import further, marker_environment, merge, worth_a_look
from safepip.inspect.sdist import DEFAULT_BUILD_TIMEOUT, build_sdist_metadata
from safepip.inspect.wheel import (
    Fetcher,
    WheelInfo,
    read_wheel_commands,
    wheel_filename,
)
from safepip.names import canonicalize_name
from safepip.pip.index_options import IndexOptions
from safepip.urls import url_to_path

_MAX_WORKERS = 8


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


def _info(
    requirement: Requirement, info: WheelInfo, version: str, source: Source, local: Path | None
) -> RequirementInfo:
    return RequirementInfo(
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
        entry_point_groups=info.entry_point_groups,
        typed=info.typed_commands,
    )


def _from_wheel(requirement: Requirement, url: str, version: str, ctx: _Context) -> RequirementInfo:
    info = read_wheel_commands(url, fetcher=ctx.fetcher, filename=wheel_filename(url))
    local = url_to_path(url) or (None if "://" in url else Path(url))
    if local is not None:
        return _info(requirement, info, version, "local", local)
    if info.full_download is None:
        return _info(requirement, info, version, "wheel-range", None)
    source: Source = "wheel-download" if info.bytes_fetched else "local"
    return _info(requirement, info, version, source, info.full_download)


def _from_build(
    requirement: Requirement, target: str, version: str | None, ctx: _Context
) -> RequirementInfo:
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
    return _info(requirement, info, built_version, "sdist-build", info.full_download)


def _inspect_one(requirement: Requirement, ctx: _Context) -> RequirementInfo:
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


def _failed(requirement: Requirement, error: str) -> RequirementInfo:
    return RequirementInfo(
        requirement=requirement,
        name=canonicalize_name(requirement.name),
        version="",
        commands=(),
        importable=False,
        source=None,
        error=error,
    )


def _safely(requirement: Requirement, ctx: _Context) -> RequirementInfo:
    if requirement.marker is not None and not requirement.marker.evaluate(
        marker_environment(ctx.marker_env, "")
    ):
        return _failed(requirement, f"ignored: markers '{requirement.marker}' do not match")
    try:
        return _inspect_one(requirement, ctx)
    except (SafepipError, OSError, InvalidWheelFilename) as exc:
        return _failed(requirement, str(exc))


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


def describe_requirements(
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
) -> list[RequirementInfo]:
    """:class:`RequirementInfo` for each of ``reqs``, in order.

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
    wanted = [worth_a_look(facts, marker_env) for facts in results]
    found = _look_up([line for group in wanted for line in group], {}, ctx)
    direct = [[found[line] for line in group] for group in wanted]
    deeper = [further(f, d, marker_env) for f, d in zip(results, direct)]
    found = _look_up([line for group in deeper for line in group], found, ctx)
    return [
        merge(facts, dependencies, [found[line] for line in more]) if group else facts
        for facts, group, dependencies, more in zip(results, wanted, direct, deeper)
    ]


def _look_up(
    lines: Sequence[str], found: dict[str, RequirementInfo], ctx: _Context
) -> dict[str, RequirementInfo]:
    """``found`` with the facts of those of ``lines`` not in it yet, looked up concurrently."""
    new = [line for line in dict.fromkeys(lines) if line not in found]
    return {**found, **dict(zip(new, _map(lambda line: _safely(Requirement(line), ctx), new)))}
