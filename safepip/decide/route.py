"""The decision: where one requirement goes, and why, in a sentence a user can check.

A pure function of facts (what the requirement is, what it puts on PATH, where the user is, what
they configured), so it is tested without installing anything. Precedence, first match wins
(README's numbered rule, after "the Python is not externally managed: pip, as usual"):

1. pip, setuptools and wheel are an environment's own tools: the project's .venv, outside a
   project the user environment;
2. the user chose (``--venv``/``--pipx``/``--distro``, ``$SAFEPIP_ROUTE[S]``, ``[tool.safepip]``,
   the answers for this project, user config); the global ones never take a declared
   dependency out of the .venv; only a named requirement from an index can be the
   distribution's package;
3. requirement and constraint files, a script's dependencies, editable installs and local
   paths: the project's .venv;
4. what the working folder's scripts import, or outside a project what their PEP 723 blocks
   declare: the .venv (a folder of scripts is a project in the making), whatever it is;
5. outside any project, a plugin of an application: pipx, into that application's venv;
6. nothing put on PATH (or unknown): the .venv (a library);
7. commands on PATH, but mainly imported (``safepip.inspect.role``: numpy's f2py, flask's
   flask), or declared by the project: the .venv, where ``import`` finds it;
8. an application (mainly run) outside any project: pipx;
9. inside a project, an application it already has in its .venv, or a bundle whose own
   metadata says nothing (ansible): the .venv;
10. inside a project, an undeclared application by its own metadata: ask on a terminal
    (default pipx), else pipx: an application that manages projects (poetry) stays out of the
    projects it manages.

What goes to "the .venv" goes to the user environment instead with ``--user``, and outside a
project where no project starts (the home folder, a folder of the system, one not the user's).
"""

from __future__ import annotations

from safepip.decide.model import APPLICATION_ROLES, Decision, Item, Override, Situation
from safepip.target.user_place import OWN_TOOLS

TYPE_CHECKING = False
if TYPE_CHECKING:  # the warm path imports this module: no collections, no typing
    from collections.abc import Mapping, Sequence

_PROJECT_KINDS: Mapping[str, str] = {
    "requirements-file": "a requirements file",
    "constraints-file": "a constraints file",
    "dependency-group": "a dependency group",
    "script": "a script's dependency list (its PEP 723 block)",
    "editable": "an editable install",
    "local": "a local path",
}

_NOT_FOR_PIPX = ("requirements-file", "constraints-file", "dependency-group", "script")


def _commands(item: Item) -> str:
    shown = ", ".join(item.commands[:4]) + (", ..." if len(item.commands) > 4 else "")
    via = f" (through its dependency {item.commands_via})" if item.commands_via else ""
    return f"it puts commands on PATH{via}: {shown}"


def decide(item: Item, situation: Situation, overrides: Sequence[Override] = ()) -> Decision:
    decision = _decide(item, situation, overrides)
    if decision.route == "venv" and situation.user_env:
        return Decision("user", (*decision.reasons, f"{situation.user_env}: your user environment"))
    return decision


def _chosen(item: Item, situation: Situation, overrides: Sequence[Override]) -> Decision | None:
    """The first choice the user made ahead of time for ``item``, if any."""
    project_kind = _PROJECT_KINDS.get(item.kind)
    refused: Decision | None = None
    for override in overrides:
        chosen = (override.packages.get(item.name) if item.name else None) or override.default
        if chosen is None or chosen == "pip":
            continue
        if chosen != "venv" and not override.binding and item.name in situation.declared:
            continue  # the user's global choice never takes a declared dependency elsewhere
        if chosen == "distro" and not item.from_index:
            what = _PROJECT_KINDS.get(item.kind, "a URL")
            why = f"{override.label} asks for the distribution's package, but {what} is none"
            return Decision("venv", (why,))
        if chosen != "venv" and override.checkout and not item.from_index:
            refused = refused or Decision("venv", (_not_from_checkout(item, override, chosen),))
            continue  # the user's own settings may still choose
        if chosen == "pipx" and item.kind in _NOT_FOR_PIPX:
            return Decision(
                "venv", (f"{override.label} asks for pipx, but pipx cannot install {project_kind}",)
            )
        if chosen == "pipx" and _no_app(item, override):
            why = f"{override.label} asks for pipx, but {item.name} puts no commands on PATH"
            return Decision("venv", (f"{why}, so pipx cannot install it: a library",))
        return Decision(chosen, (f"chosen by {override.label}",))
    return refused


def _no_app(item: Item, override: Override) -> bool:
    """A setting's pipx for a package known to put no commands on PATH (pipx refuses it: "No
    apps associated with package"); ``--pipx`` on the command line is tried as asked."""
    learned = item.kind == "name" and item.commands_known and not item.commands
    return learned and not item.inject_into and not override.label.startswith("--")


def _not_from_checkout(item: Item, override: Override, chosen: str) -> str:
    """Why a checkout's own route for something that is not from an index is not followed."""
    what = _PROJECT_KINDS.get(item.kind, "a URL")
    return (
        f"{override.label} asks for {chosen}, but a checkout's settings route only packages "
        f"from an index, so {what} goes into its .venv (for pipx, say --pipx yourself)"
    )


def _own_tool(name: str, situation: Situation) -> Decision:
    """pip, setuptools and wheel: never applications, always the environment's own."""
    if situation.project is None:
        why = "outside a project, your user environment's (the system's belongs to the OS)"
        return Decision("user", (f"{name} is an environment's own tool: {why}",))
    return Decision("venv", (f"{name} is an environment's own tool: the project's",))


def _decide(item: Item, situation: Situation, overrides: Sequence[Override]) -> Decision:
    if not situation.externally_managed:
        return Decision("pip", ("the Python is not externally managed, so pip installs there",))
    if item.kind == "name" and item.name in OWN_TOOLS:
        return _own_tool(item.name, situation)
    chosen = _chosen(item, situation, overrides)
    if chosen is not None:
        return chosen
    project_kind = _PROJECT_KINDS.get(item.kind)
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
    folder = _folder_of_scripts(item, situation)
    if folder is not None:
        return folder
    if item.inject_into and situation.project is None:
        app = item.inject_into
        return Decision(
            "pipx",
            (
                f"it is a plugin of {app} ({item.inject_why or 'named after it and requires it'})",
                f"so it goes into {app}'s environment",
            ),
        )
    if item.commands_known and not item.commands:
        return Decision("venv", ("it puts no commands on PATH: a library",))
    if not item.commands_known and situation.project is None:
        return Decision("venv", ("what it puts on PATH was not looked up",))
    if item.commands_known and item.role not in APPLICATION_ROLES:
        return _library(item, situation)
    if situation.project is None:
        return Decision("pipx", (_commands(item), f"{item.role_reason}: an application"))
    return _inside(item, situation)


def _folder_of_scripts(item: Item, situation: Situation) -> Decision | None:
    """A folder of scripts is a project in the making: what its scripts import, or outside a
    project what their script blocks declare, goes to its .venv, whatever it is."""
    if not item.name:
        return None
    if situation.project is None and item.name in situation.declared:
        return Decision("venv", (f"this folder declares it ({situation.declared[item.name]})",))
    for module in item.imports or (item.name.replace("-", "_"),):
        script = situation.imported.get(module)
        if script is not None:
            return Decision("venv", (f"{script} in this folder imports it (import {module})",))
    return None


def _library(item: Item, situation: Situation) -> Decision:
    """A package with commands that is mainly imported (or not known to be an application):
    where ``import`` finds it."""
    why = item.role_reason or "nothing says it is an application"
    if item.name and item.name in situation.declared:
        return Decision("venv", (f"the project declares it ({situation.declared[item.name]})",))
    where = "where the project imports it" if situation.project else "where `import` finds it"
    return Decision("venv", (_commands(item), f"but {why}: a library, so {where}"))


def _inside(item: Item, situation: Situation) -> Decision:
    """Inside a project, a package with commands (or not looked up)."""
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
    if item.role != "application":  # a bundle: its own metadata does not say it is one
        return Decision(
            "venv",
            (_commands(item), f"{item.role_reason}, but inside a project only what says it is "
             "an application of its own stays out of the project's .venv"),
        )  # fmt: skip
    reasons = (_commands(item), f"{item.role_reason}: an application the project does not declare")
    if situation.interactive:
        return Decision("pipx", reasons, ask=True)
    return Decision("pipx", (*reasons, "so it stays out of the project's .venv"))


def needs_commands(item: Item, situation: Situation, overrides: Sequence[Override]) -> bool:
    """Whether the decision for ``item`` depends on what it puts on PATH (so it must be
    inspected, which costs a look at the index)."""
    if item.kind != "name" or item.inspect_error or not situation.externally_managed:
        return False
    with_commands = decide(item.with_commands(("?",), "application"), situation, overrides)
    without = decide(item.with_commands(()), situation, overrides)
    return (with_commands.route, with_commands.ask) != (without.route, without.ask)
