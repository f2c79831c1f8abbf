"""What a package's dependencies make of it, by one-sentence rules. The dependencies are those a
plain install of the requirement brings (its requested extras' included), and only those a rule
may speak of are looked up:

- a package is a plugin of an application it requires (which puts commands on PATH, and whose
  metadata does not say it is a library: not celery, pytest, django) where it registers entry
  points in a group named after that application (``mkdocs.plugins``, ``pytest11``,
  ``poetry.application.plugin``: mkdocstrings, poetry-dynamic-versioning[plugin], even with
  commands of its own), or where it is a library named after it (``APP-...``:
  mkdocs-material, flake8-bugbear): ``plugin_of``, with ``plugin_why``;
- a dependency named after the package (``NAME-...``, as ansible -> ansible-core) is part of
  it, and so is every dependency of a package with neither code nor commands of its own (a
  meta-package, such as ``jupyter``): their commands come along, recorded in ``via``;
- so do the commands of a dependency that puts on PATH a command the description of a package
  with commands of its own tells people to type (``safepip.inspect.typed``: jupyterlab's
  ``jupyter lab`` is jupyter-core's ``jupyter``). Only dependencies named like a typed command
  are looked up, and, where none of them provides it, their own dependencies named like it
  (notebook's ``jupyter notebook``: jupyter-server requires jupyter-core).

A package whose metadata says nothing of what it is (``safepip.inspect.role``'s last rule) is
then what the first dependency whose commands it brings is, and an application where that one
says nothing either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from packaging.requirements import InvalidRequirement, Requirement

from safepip.inspect.found import RequirementInfo
from safepip.inspect.role import NOTHING_SAID, Kind, Role
from safepip.inspect.typed import command_word, may_be_typed, typed_line
from safepip.names import canonicalize_name, named_after


def marker_environment(marker_env: Mapping[str, str] | None, extra: str) -> dict[str, str]:
    """The target's marker environment (None: this interpreter's) with ``extra``."""
    return {**(marker_env or {}), "extra": extra}


def _required(info: RequirementInfo, marker_env: Mapping[str, str] | None) -> list[str]:
    """The dependencies a plain install of ``info`` brings, as requirements without markers."""
    if info.error is not None:
        return []
    extras = sorted(info.requirement.extras) or [""]
    names: dict[str, None] = {}
    for line in info.requires_dist:
        try:
            dependency = Requirement(line)
        except InvalidRequirement:
            continue
        marker, dependency.marker = dependency.marker, None
        environments = (marker_environment(marker_env, e) for e in extras)
        if marker is None or any(marker.evaluate(env) for env in environments):
            names.setdefault(str(dependency), None)
    return list(names)


def _name(line: str) -> str:
    return canonicalize_name(Requirement(line).name)


def worth_a_look(info: RequirementInfo, marker_env: Mapping[str, str] | None) -> list[str]:
    """The dependencies of ``info`` a rule may speak of: each is looked up."""
    lines = _required(info, marker_env)
    if not info.importable and not info.commands:
        return lines
    hosts = _group_hosts(info.entry_point_groups)
    return [
        line
        for line in lines
        if named_after(_name(line), info.name)
        or _name(line) in hosts
        or (not info.commands and named_after(info.name, _name(line)))
        or (bool(info.commands) and may_be_typed(_name(line), info.typed))
    ]


def further(
    info: RequirementInfo,
    dependencies: Sequence[RequirementInfo],
    marker_env: Mapping[str, str] | None,
) -> list[str]:
    """For the commands the description of ``info`` types that neither it nor its looked-up
    ``dependencies`` provide, the dependencies of those named like one, named like one too."""
    if not info.commands:
        return []
    provided = {*info.commands, *(c for d in dependencies for c in d.commands)}
    missing = [line for line in info.typed if command_word(line) not in provided]
    seen = {info.name, *(d.name for d in dependencies)}
    found: dict[str, str] = {}  # one line per name (two dependencies may require it)
    for d in dependencies:
        if may_be_typed(d.name, missing):
            for line in _required(d, marker_env):
                if _name(line) not in seen and may_be_typed(_name(line), missing):
                    found.setdefault(_name(line), line)
    return list(found.values())


def _group_hosts(groups: Sequence[str]) -> dict[str, str]:
    """The names an entry-point group names an application by, with the group: its first
    dotted part, canonical, also without a trailing number (``pytest11`` -> pytest)."""
    hosts: dict[str, str] = {}
    for group in groups:
        first = canonicalize_name(group.split(".", 1)[0])
        for name in (first, first.rstrip("0123456789").rstrip("-")):
            if name:
                hosts.setdefault(name, group)
    return hosts


def _hosts_plugins(dependency: RequirementInfo) -> bool:
    """Whether a plugin goes in with ``dependency``: it puts commands on PATH and its metadata
    does not say it is a library (celery's ``from celery import``, pytest's "framework")."""
    role = dependency.role
    if role is None or role.kind != "library" or role.reason.startswith(NOTHING_SAID):
        return bool(dependency.commands)
    return False


def _host(info: RequirementInfo, dependencies: Sequence[RequirementInfo]) -> tuple[str, str] | None:
    """The application ``info`` is a plugin of, and why (the module's first rule)."""
    groups = _group_hosts(info.entry_point_groups)
    hosts = [d for d in dependencies if _hosts_plugins(d)]
    found = [
        (d.name, f"registers {groups[d.name]} entry points and requires it")
        for d in hosts
        if d.name in groups
    ]
    if not found and info.importable and not info.commands:
        found = [
            (d.name, "named after it and requires it")
            for d in hosts
            if named_after(info.name, d.name)
        ]
    return max(found, key=lambda host: len(host[0])) if found else None


def merge(
    info: RequirementInfo,
    dependencies: Sequence[RequirementInfo],
    further: Sequence[RequirementInfo] = (),
) -> RequirementInfo:
    """``info`` with what its looked-up ``dependencies`` (and the ``further`` ones found for
    a typed command) make of it."""
    fetched = info.bytes_fetched + sum(d.bytes_fetched for d in (*dependencies, *further))
    host = _host(info, dependencies)
    if host is not None:
        return replace(info, plugin_of=host[0], plugin_why=host[1], bytes_fetched=fetched)
    meta = not info.importable and not info.commands
    parts = [d for d in dependencies if meta or named_after(d.name, info.name)]
    typed = {
        d.name: line
        for d in (*dependencies, *further)
        if info.commands
        and d not in parts
        and (line := typed_line(d.commands, info.typed)) is not None
    }
    providing = [d for d in parts if d.commands] + [
        d for d in (*dependencies, *further) if d.name in typed and d.commands
    ]
    if not providing:
        failures = [f"{d.name}: {d.error}" for d in parts if d.error and not info.commands]
        error = f"cannot inspect its dependencies: {'; '.join(failures)}" if failures else None
        return replace(info, bytes_fetched=fetched, error=error)
    commands = tuple(dict.fromkeys((*info.commands, *(c for d in providing for c in d.commands))))
    via = ", ".join(d.name for d in providing)
    own = info.role if info.commands else None
    said = own is not None and not own.reason.startswith(NOTHING_SAID)
    role = own if said else _bundle_role(providing[0], typed.get(providing[0].name))
    return replace(info, commands=commands, via=via, bytes_fetched=fetched, role=role)


def _bundle_role(part: RequirementInfo, typed: str | None) -> Role | None:
    """A package whose commands all come from a part of it (ansible -> ansible-core) is what
    that part is; where nothing said, a bundle of commands is an application ("bundle": an
    application by its part's commands, not by its own metadata). ``typed``: the
    line of the package's description that types a command of ``part``, if that is why."""
    role = part.role
    told = f'its description says to type "{typed}", a command of its dependency {part.name}'
    if role is None or role.reason.startswith(NOTHING_SAID):
        return Role("bundle", told if typed else f"it bundles the commands of {part.name}")
    why = f'{part.name}, whose command its description says to type ("{typed}")' if typed else ""
    kind: Kind = "library" if role.kind == "library" else "bundle"
    return Role(kind, f"{why or f'its part {part.name}'}: {role.reason}")
