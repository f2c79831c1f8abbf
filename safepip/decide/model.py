"""The nouns of a decision: a requirement as the user gave it (:class:`Item`), where the user is
(:class:`Situation`), what they chose ahead of time (:class:`Override`), where it goes and why
(:class:`Decision`), and the two together (:class:`Planned`), which the backends install.

Plain frozen records with no behaviour (:class:`safepip.records.Frozen`), imported by the
decision, the plan and every backend, so that none of them needs another; the warm path
(:mod:`safepip.cli.warm`) decides with them before importing anything else.
"""

from __future__ import annotations

from safepip.records import Frozen

TYPE_CHECKING = False  # typing itself costs the warm path ~10 ms; mypy reads this as True

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path
    from typing import Literal

    #: Where a requirement goes: the project's ``.venv``, the user environment (``user``),
    #: pipx, the distribution's own package (``distro``, only where the user asked), or pip
    #: itself (the Python is not externally managed).
    Route = Literal["venv", "pipx", "pip", "user", "distro"]
    Kind = Literal[
        "name",
        "requirements-file",
        "constraints-file",
        "dependency-group",
        "script",
        "editable",
        "local",
        "url",
    ]
else:
    Route = Kind = str

#: The routes a user can choose (``--venv``/``--pipx``/``--distro``, settings; a checkout's
#: own ``[tool.safepip]`` may not choose ``distro``: it would make safepip run the system's
#: package manager as root on a checkout's word).
CHOSEN_ROUTES: tuple[Route, ...] = ("venv", "pipx", "distro")
#: The roles of a package that goes to pipx outside a project: its own metadata says it is an
#: application, or it is a bundle of a part's commands (``safepip.inspect.role``).
APPLICATION_ROLES = ("application", "bundle")
#: ``inspect_error`` of a named requirement with a direct URL (``NAME @ URL``): not from an index.
DIRECT_URL = "a direct URL is not inspected"
_EMPTY: Mapping[str, str] = {}


class Item(Frozen):
    """One requirement as the user gave it, with what was learned about it.

    ``name`` is the canonical name, where known. ``commands_via``: the dependencies whose
    commands it brings (named after it, typed in its description, or all of a meta-package's):
    pipx exposes them (``pipx inject --include-apps``). ``inject_into``: the application it is a
    plugin of, ``inject_why`` how that is known (named after it, or its entry points, and it
    requires it). ``commands_known`` False: not looked up (the decision did not depend on it).
    ``local_file``: the wheel safepip downloaded (or built) whole to learn the commands, for the
    install. ``role``: what a package with commands mainly is, "application" (run), "bundle"
    (an application by its part's commands) or "library" (imported), with ``role_reason``, the
    sentence that says why (``safepip.inspect.role``); None where it was not judged.
    ``imports``: its top-level import names, where it was looked up.
    """

    __slots__ = (
        "commands",
        "commands_known",
        "commands_via",
        "imports",
        "inject_into",
        "inject_why",
        "inspect_error",
        "kind",
        "local_file",
        "name",
        "role",
        "role_reason",
        "text",
    )  # fmt: skip
    text: str
    kind: Kind
    name: str | None
    commands: tuple[str, ...]
    commands_via: str | None
    inject_into: str | None
    inspect_error: str | None
    commands_known: bool
    local_file: Path | None
    role: str | None
    role_reason: str | None
    imports: tuple[str, ...]
    inject_why: str | None

    def __init__(
        self,
        text: str,
        kind: Kind,
        name: str | None = None,
        commands: tuple[str, ...] = (),
        commands_via: str | None = None,
        inject_into: str | None = None,
        inspect_error: str | None = None,
        commands_known: bool = False,
        local_file: Path | None = None,
        role: str | None = None,
        role_reason: str | None = None,
        imports: tuple[str, ...] = (),
        inject_why: str | None = None,
    ) -> None:
        self._set(
            text=text, kind=kind, name=name, commands=commands, commands_via=commands_via,
            inject_into=inject_into, inspect_error=inspect_error, commands_known=commands_known,
            local_file=local_file, role=role, role_reason=role_reason, imports=imports,
            inject_why=inject_why,
        )  # fmt: skip

    @property
    def from_index(self) -> bool:
        """Whether pip would take it from a package index (not a path, ``-e``, a URL or a
        file of the project's)."""
        return self.kind == "name" and self.inspect_error != DIRECT_URL

    def with_commands(
        self, commands: tuple[str, ...], role: str | None = None, reason: str | None = None
    ) -> Item:
        """This item as if its commands had been looked up and were ``commands``, of a package
        whose ``role`` is that, for that ``reason``."""
        return Item(
            self.text, self.kind, self.name, commands, self.commands_via, self.inject_into,
            self.inspect_error, True, self.local_file, role, reason, self.imports, self.inject_why,
        )  # fmt: skip


class Override(Frozen):
    """Routes the user chose in one place (``label`` says where), per package and by default.

    ``binding`` is False for the user's global choices (variables, config.toml): they never
    send a package the project declares to pipx; only the command line and the project may.
    ``checkout`` is True for what a checkout says of itself (``[tool.safepip]``): it routes
    only packages from an index, never the checkout's own code, a local path, ``-e`` or a URL.
    """

    __slots__ = ("binding", "checkout", "default", "label", "packages")
    label: str
    default: Route | None
    packages: Mapping[str, Route]
    binding: bool
    checkout: bool

    def __init__(
        self,
        label: str,
        default: Route | None = None,
        packages: Mapping[str, Route] | None = None,
        binding: bool = True,
        checkout: bool = False,
    ) -> None:
        self._set(
            label=label, default=default, packages=packages or {}, binding=binding,
            checkout=checkout,
        )  # fmt: skip


class Situation(Frozen):
    """Where the user is. ``project``: the project root, None outside any; ``declared``:
    canonical name -> where the project declares it; ``pipx_apps``: looked up for upgrades only;
    ``user_env``: why libraries go to the user environment here (``--user``; outside a project:
    the home folder, a folder of the system, one the user does not own), None: they do not.
    ``imported``: the modules the working folder's scripts import (module -> the first file
    that does, ``safepip.target.scripts``)."""

    __slots__ = (
        "declared",
        "externally_managed",
        "imported",
        "in_venv",
        "interactive",
        "pipx_apps",
        "project",
        "user_env",
    )  # fmt: skip
    externally_managed: bool
    project: str | None
    declared: Mapping[str, str]
    in_venv: frozenset[str]
    interactive: bool
    pipx_apps: frozenset[str]
    user_env: str | None
    imported: Mapping[str, str]

    def __init__(
        self,
        externally_managed: bool,
        project: str | None,
        declared: Mapping[str, str] = _EMPTY,
        in_venv: frozenset[str] = frozenset(),
        interactive: bool = False,
        pipx_apps: frozenset[str] = frozenset(),
        user_env: str | None = None,
        imported: Mapping[str, str] = _EMPTY,
    ) -> None:
        self._set(
            externally_managed=externally_managed, project=project, declared=declared,
            in_venv=in_venv, interactive=interactive, pipx_apps=pipx_apps, user_env=user_env,
            imported=imported,
        )  # fmt: skip


class Decision(Frozen):
    """Where a requirement goes and why; ``ask``: ambiguous on a terminal, so ask the user,
    offering ``route`` as the default."""

    __slots__ = ("ask", "reasons", "route")
    route: Route
    reasons: tuple[str, ...]
    ask: bool

    def __init__(self, route: Route, reasons: tuple[str, ...], ask: bool = False) -> None:
        self._set(route=route, reasons=reasons, ask=ask)


class Planned(Frozen):
    """A requirement and its decision: one step for a backend."""

    __slots__ = ("decision", "item")
    item: Item
    decision: Decision

    def __init__(self, item: Item, decision: Decision) -> None:
        self._set(item=item, decision=decision)


class SafepipOptions(Frozen):
    """safepip's own options from the command line (read by :mod:`safepip.cli.options`)."""

    __slots__ = ("recreate_venv", "route")
    route: Route | None  # --venv / --pipx / --distro: the user forced a home
    recreate_venv: bool  # --recreate-venv: move an unusable .venv aside and make a new one

    def __init__(self, route: Route | None = None, recreate_venv: bool = False) -> None:
        self._set(route=route, recreate_venv=recreate_venv)
