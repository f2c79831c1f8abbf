"""The decision: where one requirement goes, and why, in a sentence a user can check.

A pure function of facts (what the requirement is, what it puts on PATH, where the user is, what
they configured), so it is tested without installing anything. Precedence, first match wins:

1. the Python is not externally managed: pip, as usual;
2. the user chose (``--venv``/``--pipx``, ``$SAFEPIP_ROUTE[S]``, ``[tool.safepip]``, user config);
3. requirement and constraint files, editable installs and local paths: the project's .venv;
4. nothing put on PATH (or unknown): the .venv (a library);
5. outside any project, commands on PATH: pipx (an application);
6. inside a project, declared by it or already in its .venv: the .venv;
7. inside a project, undeclared, with commands: ask on a terminal (default .venv), else the
   .venv, so that a library the project imports never ends up in pipx.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Route = Literal["venv", "pipx", "pip"]
Kind = Literal["name", "requirements-file", "constraints-file", "editable", "local", "url"]

_PROJECT_KINDS: Mapping[str, str] = {
    "requirements-file": "a requirements file",
    "constraints-file": "a constraints file",
    "editable": "an editable install",
    "local": "a local path",
}


@dataclass(frozen=True)
class Item:
    """One requirement as the user gave it, with what was learned about it."""

    text: str
    kind: Kind
    name: str | None = None  # canonical name, where known
    commands: tuple[str, ...] = ()
    commands_via: str | None = None  # the dependency the commands come from (meta-packages)
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


@dataclass(frozen=True)
class Situation:
    externally_managed: bool
    project: str | None  # project root, None outside any project
    declared: Mapping[str, str] = field(default_factory=dict)  # canonical name -> where declared
    in_venv: frozenset[str] = frozenset()
    interactive: bool = False
    pipx_apps: frozenset[str] = frozenset()  # looked up for upgrades only


@dataclass(frozen=True)
class Decision:
    route: Route
    reasons: tuple[str, ...]
    ask: bool = False  # ambiguous on a terminal: ask the user, offering ``route`` as the default


def _commands(item: Item) -> str:
    shown = ", ".join(item.commands[:4]) + (", ..." if len(item.commands) > 4 else "")
    via = f" (through its dependency {item.commands_via})" if item.commands_via else ""
    return f"it puts commands on PATH{via}: {shown}"


def decide(item: Item, situation: Situation, overrides: Sequence[Override] = ()) -> Decision:
    if not situation.externally_managed:
        return Decision("pip", ("the Python is not externally managed, so pip installs there",))
    project_kind = _PROJECT_KINDS.get(item.kind)
    for override in overrides:
        chosen = (override.packages.get(item.name) if item.name else None) or override.default
        if chosen is None or chosen == "pip":
            continue
        if chosen == "pipx" and item.kind in ("requirements-file", "constraints-file"):
            return Decision(
                "venv", (f"{override.label} asks for pipx, but pipx cannot install {project_kind}",)
            )
        return Decision(chosen, (f"chosen by {override.label}",))
    if project_kind is not None:
        return Decision("venv", (f"{project_kind} belongs to the project",))
    if item.name and item.name in situation.pipx_apps and item.name not in situation.in_venv:
        return Decision("pipx", ("it is installed with pipx, so it is upgraded there",))
    if item.inspect_error:
        return Decision(
            "venv",
            (
                f"what it puts on PATH could not be learned ({item.inspect_error})",
                "the .venv is the safe home for an unknown package",
            ),
        )
    if item.commands_known and not item.commands:
        return Decision("venv", ("it puts no commands on PATH: a library",))
    if not item.commands_known and situation.project is None:
        return Decision("venv", ("what it puts on PATH was not looked up",))
    if situation.project is None:
        return Decision(
            "pipx",
            (_commands(item), "and this folder is not inside a Python project: an application"),
        )
    if item.name and item.name in situation.declared:
        return Decision("venv", (f"the project declares it ({situation.declared[item.name]})",))
    if item.name and item.name in situation.in_venv:
        return Decision("venv", ("it is already installed in the project's .venv",))
    if not item.commands_known:
        return Decision(
            "venv",
            (
                "inside a project, a package goes into the project's .venv, "
                "where the project can import it",
            ),
        )
    reasons = (_commands(item), "but inside a project it may be a library the project imports")
    if situation.interactive:
        return Decision("venv", reasons, ask=True)
    return Decision("venv", (*reasons, "so it goes into the .venv (no terminal to ask on)"))
