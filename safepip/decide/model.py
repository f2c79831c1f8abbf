"""The nouns of a decision: a requirement as the user gave it (:class:`Item`), where the user is
(:class:`Situation`), what they chose ahead of time (:class:`Override`), where it goes and why
(:class:`Decision`), and the two together (:class:`Planned`), which the backends install.

Plain frozen data with no behaviour, imported by the decision, the plan and every backend, so
that none of them needs another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

#: Where a requirement goes: the project's ``.venv``, the user environment (``user``), pipx, or
#: pip itself (the Python is not externally managed).
Route = Literal["venv", "pipx", "pip", "user"]
#: The routes a user can choose (``--venv``/``--pipx``, settings).
CHOSEN_ROUTES: tuple[Route, ...] = ("venv", "pipx")
Kind = Literal[
    "name", "requirements-file", "constraints-file", "dependency-group", "editable", "local", "url"
]


@dataclass(frozen=True)
class Item:
    """One requirement as the user gave it, with what was learned about it."""

    text: str
    kind: Kind
    name: str | None = None  # canonical name, where known
    commands: tuple[str, ...] = ()
    #: The dependencies whose commands it brings (named after it, or all of a meta-package's):
    #: pipx installs them with ``--include-deps``.
    commands_via: str | None = None
    #: The application it is a plugin of (it is named after it and requires it).
    inject_into: str | None = None
    inspect_error: str | None = None
    commands_known: bool = False  # False: not looked up (the decision did not depend on it)
    #: The wheel safepip downloaded (or built) whole to learn the commands, for the install.
    local_file: Path | None = None


@dataclass(frozen=True)
class Override:
    """Routes the user chose in one place (``label`` says where), per package and by default."""

    label: str
    default: Route | None = None
    packages: Mapping[str, Route] = field(default_factory=dict)
    #: False for the user's global choices (variables, config.toml): they never send a
    #: package the project declares to pipx; only the command line and the project may.
    binding: bool = True


@dataclass(frozen=True)
class Situation:
    externally_managed: bool
    project: str | None  # project root, None outside any project
    declared: Mapping[str, str] = field(default_factory=dict)  # canonical name -> where declared
    in_venv: frozenset[str] = frozenset()
    interactive: bool = False
    pipx_apps: frozenset[str] = frozenset()  # looked up for upgrades only
    #: Why libraries go to the user environment here (``--user``; outside a project: the home
    #: folder, a folder of the system, one the user does not own); None: they do not.
    user_env: str | None = None


@dataclass(frozen=True)
class Decision:
    route: Route
    reasons: tuple[str, ...]
    ask: bool = False  # ambiguous on a terminal: ask the user, offering ``route`` as the default


@dataclass(frozen=True)
class Planned:
    """A requirement and its decision: one step for a backend."""

    item: Item
    decision: Decision
