"""``uv tool install``, for applications under safepip's uv setting. An application pipx already
manages stays with pipx, and one whose pip options uv cannot do as pip would goes to pipx too.

Outside a terminal, a single requirement that is an application if it puts commands on PATH is
installed before it is looked up (:meth:`UvTool.first`): uv refuses a package with no commands
of its own (and removes what it made), so its install answers the look-up's question, and what
it put on PATH is read from the environment uv made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from safepip.backends.app_lines import app_summary, bin_links, shadow_notes, venv_instead
from safepip.backends.base import Backend, Context, Outcome, Request
from safepip.backends.pipx_home import pipx_has
from safepip.backends.uv import (
    ToolDirs,
    Uv,
    index_args,
    installed_tools,
    run_uv,
    tool_install_args,
    tools_in,
    uv_environ,
)
from safepip.child_environ import ChosenTarget
from safepip.decide.model import Item, Planned, Route
from safepip.exceptions import UvUnsuitable
from safepip.hints import path_hint
from safepip.inspect.installed import commands, parts_with_commands, role
from safepip.names import requirement_name
from safepip.pip.argv import PipArgs
from safepip.pip.index_options import IndexOptions
from safepip.process import run_held
from safepip.target.site_packages import dist_infos


def tool_args(
    step: Planned,
    pip_args: PipArgs,
    index: IndexOptions,
    python: str,
    tools: Path | None = None,
) -> list[str]:
    r"""``uv tool install``'s arguments for one step: a plugin goes with its application,
    ``uv tool install APP --with PLUGIN``, keeping the ``--with``\ s the app has (in ``tools``,
    uv's tool folder: uv installs exactly what one command line names)."""
    item = step.item
    if item.inject_into:
        held = receipt(tools / item.inject_into) if tools is not None else []
        args = tool_install_args(held[0] if held else item.inject_into, pip_args, index, python)
        kept = [w for w in held[1:] if requirement_name(w) != item.name]
        return [*args, *(a for w in kept for a in ("--with", w)), "--with", item.text]
    return tool_install_args(item.text, pip_args, index, python)


def _receipt(tool_env: Path) -> Mapping[str, Any]:
    """The ``[tool]`` table of uv's receipt of a tool (``uv-receipt.toml``); {} where there is
    none to read."""
    from safepip.exceptions import SettingsError
    from safepip.tomlfile import load_toml

    try:
        table = load_toml(tool_env / "uv-receipt.toml").get("tool", {})
    except SettingsError:
        return {}
    return table if isinstance(table, Mapping) else {}


def receipt(tool_env: Path) -> list[str]:
    """What uv's receipt says a tool was installed from, as requirement strings: the tool
    first, then its ``--with`` packages; [] where there is none to read."""
    entries = _receipt(tool_env).get("requirements", [])
    found = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        extras = entry.get("extras") or []
        text = entry["name"] + (f"[{','.join(map(str, extras))}]" if extras else "")
        local = entry.get("directory") or entry.get("path")
        where = entry.get("url") or entry.get("git") or (Path(local).as_uri() if local else None)
        if where:
            text += f" @ {'git+' if entry.get('git') else ''}{where}"
        found.append(text + str(entry.get("specifier", "")) if not where else text)
    return found


def withs(tools: Path | None) -> dict[str, str]:
    """Each package installed ``--with`` a tool of uv's, with that tool (both canonical)."""
    from safepip.names import canonicalize_name

    found: dict[str, str] = {}
    for tool in sorted(tools_in(tools)):
        for text in receipt(tools / tool)[1:] if tools is not None else []:
            name = requirement_name(text)
            if name:
                found.setdefault(canonicalize_name(name), tool)
    return found


class UvTool(Backend):
    """Applications with ``uv tool`` (safepip's uv setting): before pipx where uv is on PATH."""

    route: Route = "pipx"
    label = "uv tool"

    def __init__(self, ctx: Context, uv: Uv) -> None:
        super().__init__(ctx)
        self.uv = uv
        self._dirs: ToolDirs | None = None
        self._answered: tuple[Path | None, Path | None] | None = None
        #: What :meth:`first` installed: item text -> uv's exit status and held output.
        self._held: dict[str, tuple[int, bytes, bytes]] = {}

    def prepare(self) -> None:
        """Where an application is likely (the look-up hint), ask uv where its tools and their
        commands live while the plan looks the requirements up."""
        from safepip.target.project_root import may_look_up

        env = self.ctx.env
        if may_look_up(bool(env.stdin_isatty and env.stderr_isatty), str(env.cwd), str(env.home)):
            self._dirs = ToolDirs(self.uv, self._environ())

    def _tool_dirs(self) -> tuple[Path | None, Path | None]:
        """uv's tool folder and the folder of their commands (asked once)."""
        if self._answered is None:
            dirs, self._dirs = self._dirs or ToolDirs(self.uv, self._environ()), None
            self._answered = dirs.result()
        return self._answered

    def app_folder(self, item: Item) -> Path | None:
        """Where uv keeps the application of ``item`` (its folder in ``uv tool dir``; the app
        a plugin goes ``--with``), None where uv cannot say."""
        tools, _ = self._tool_dirs()
        app = item.inject_into or item.name
        return tools / app if tools is not None and app else None

    def first(self, step: Planned, request: Request) -> Item | None:
        """``uv tool install`` before the look-up, outside a terminal (on one, uv's progress
        shows live, after the look-up): uv refuses a package with no commands of its own, so
        its exit status tells an application, and its environment what it put on PATH. A
        bundle (a part named after it with commands, as ansible-core of ansible) is for
        ``pipx inject --include-apps``: what uv made is removed again and the look-up decides."""
        env, item, reporter = self.ctx.env, step.item, self.ctx.reporter
        if env.stdout_isatty or env.stderr_isatty or not item.name or item.inject_into:
            return None
        tools, _ = self._tool_dirs()
        if tools is None or item.name in tools_in(tools):
            return None  # uv cannot say where, or it is there already: looked up as usual
        index = request.index or IndexOptions()
        args = tool_args(step, self.ctx.pip_args, index, request.probe.executable, tools)
        code, out, err = run_held(
            [self.uv.path, *args], environ=self._environ(index), policy=ChosenTarget()
        )
        if code != 0:
            reporter.detail(f"{item.text}: uv tool install exited with {code}; looking it up")
            return None
        home = _tool_env(tools, item.name)
        infos = dist_infos(home) if home is not None else {}
        own = commands(infos[item.name]) if item.name in infos else ()
        parts = parts_with_commands(infos, item.name)
        if not own or parts:
            why = f"its part {', '.join(parts)} has commands" if parts else "no commands found"
            reporter.detail(f"{item.text}: installed by uv tool, but {why}; removing it")
            self._remove(item.name)
            return None  # looked up as usual
        judged = role(infos[item.name], own)
        if judged.kind != "application":
            reporter.detail(f"{item.text}: installed by uv tool, but {judged.reason}; removing it")
            self._remove(item.name)
            return item.with_commands(own, judged.kind, judged.reason)
        reporter.detail(f"{item.text}: installed by uv tool first, commands: {', '.join(own)}")
        self._held[item.text] = (code, out, err)
        return item.with_commands(own, judged.kind, judged.reason)

    def _remove(self, name: str) -> None:
        """Take back what :meth:`first` installed that is not uv's to keep."""
        gone = run_held(
            [self.uv.path, "tool", "uninstall", name],
            environ=self._environ(),
            policy=ChosenTarget(),
        )
        if gone[0] != 0:
            self.ctx.reporter.warning(
                f"uv tool could not remove {name} again (exited with {gone[0]}); "
                f"to remove it: uv tool uninstall {name}"
            )

    def _environ(self, index: IndexOptions | None = None) -> dict[str, str]:
        """uv's variables added to the environment (its runs name :class:`ChosenTarget`)."""
        return uv_environ(self.ctx.env.environ, index)

    def _index(self) -> IndexOptions | None:
        """pip's index options, for a tool installed again (from the run's probe)."""
        from safepip.pip.index_options import index_options

        probe = self.ctx.probe
        return index_options(self.ctx.pip_args, probe, self.ctx.env)[0] if probe else None

    def _suitable(self, step: Planned) -> bool:
        item, env = step.item, self.ctx.env
        app = item.inject_into or item.name
        why = None
        if item.commands_via:  # pipx exposes a bundle's part (pipx inject --include-apps)
            why = f"its commands come from {item.commands_via}, which pipx can expose"
        elif app and pipx_has(app, env.environ, env.home):
            why = f"pipx has {app} already"
        else:
            try:
                tool_install_args(item.text, self.ctx.pip_args, IndexOptions(), "python")
            except UvUnsuitable as error:
                why = error.message
        if why is not None:
            self.ctx.reporter.detail(f"{item.text}: pipx, not uv tool: {why}")
        return why is None

    def claim(self, steps: Sequence[Planned]) -> tuple[list[Planned], list[Planned]]:
        mine = [s for s in steps if self._suitable(s)]
        return mine, [s for s in steps if s not in mine]

    def install(self, steps: Sequence[Planned], request: Request) -> Outcome:
        index = request.index or IndexOptions()
        environ = self._environ(index)
        tool_folder, where = self._tool_dirs()
        tools = tools_in(tool_folder)
        upgrade = self.ctx.pip_args.upgrade
        outcome = Outcome()
        for step in steps:
            item = step.item
            held = self._held.pop(item.text, None)
            links = bin_links(where) if where and held is None else {}
            before = _tool_version(tool_folder, item.name) if held is None else None
            if held is not None:  # installed by first(): its output now, in its place
                code = held[0]
                _show(held[1], self.ctx.env.stdout)
                _show(held[2], self.ctx.env.stderr)
            else:
                args = tool_args(
                    step, self.ctx.pip_args, index, request.probe.executable, tool_folder
                )
                code = run_uv(self.uv, args, environ, self.ctx.env, policy=ChosenTarget())
            was_there = held is None and bool(item.name) and item.name in tools
            line = app_summary(
                step,
                code,
                was_there=was_there,
                upgrade=upgrade,
                tool="uv tool",
                how=_how(item),
                instead=venv_instead(self.ctx),
                versions=(before, _tool_version(tool_folder, item.name)),
                force=self.ctx.pip_args.has("--force-reinstall"),
            )
            outcome.record(code, line)
            if code == 0 and tool_folder is not None and item.name:
                venv = _tool_env(tool_folder, item.name)
                outcome.made_in(venv, "uv-tool", request.probe.executable)
            if code == 0 and where:
                path = self.ctx.env.environ.get("PATH", "")
                outcome.done += shadow_notes(item.name or item.text, where, links, path)
        if outcome.done:
            hint = path_hint(where, self.ctx.env, "uv tool update-shell") if where else None
            if where and hint:
                outcome.done.append(
                    f"uv puts commands in {where}, which is not on PATH; to fix: {hint}"
                )
        return outcome

    def installed(self) -> frozenset[str]:
        """uv's tools, and what was installed ``--with`` them (plugins)."""
        tools, _ = self._tool_dirs()
        return installed_tools(self.uv, self._environ()) | frozenset(withs(tools))

    def uninstall(self, names: Sequence[str]) -> int:
        """``uv tool uninstall`` for a tool; for a package installed ``--with`` one, the tool
        installed again from its receipt without it (uv has no ``uninject``: what uv remembers
        then no longer names it, so no reinstall brings it back)."""
        tools, _ = self._tool_dirs()
        plugins = withs(tools)
        index = self._index() if plugins.keys() & set(names) else None
        environ, where = self._environ(index), index_args(index) if index else []
        code = 0
        for name in names:
            app = plugins.get(name)
            if app is not None and tools is not None:
                kept = [r for r in receipt(tools / app) if requirement_name(r) != name]
                args = ["tool", "install", *_receipt_python(tools / app), *where, kept[0]]
                args += [a for r in kept[1:] for a in ("--with", r)]
                said = f"uninstalled {name} from the uv tool {app}"
            else:
                args, said = ["tool", "uninstall", name], f"uninstalled {name} from uv tool"
            result = run_uv(self.uv, args, environ, self.ctx.env, policy=ChosenTarget())
            if result != 0:
                code = result
            else:
                self.ctx.reporter.info(said)
        return code


def _tool_env(tools: Path, name: str) -> Path | None:
    """The environment of uv's tool ``name`` (canonical) in its tool folder ``tools``."""
    from safepip.names import canonicalize_name

    try:
        entries = sorted(tools.iterdir())
    except OSError:
        return None
    return next((e for e in entries if canonicalize_name(e.name) == name), None)


def _show(output: bytes, stream: TextIO) -> None:
    if output:
        stream.write(output.decode("utf-8", "replace"))
        stream.flush()


def _tool_version(tool_folder: Path | None, name: str | None) -> str | None:
    """The version of the application ``name`` in uv's tool folder, or None (not there)."""
    if tool_folder is None or not name:
        return None
    from safepip.target.site_packages import installed_versions

    return installed_versions(tool_folder / name).get(name)


def _receipt_python(tool_env: Path) -> list[str]:
    """``--python X`` as uv's receipt of the tool records it (safepip always names one)."""
    python = _receipt(tool_env).get("python")
    return ["--python", python] if isinstance(python, str) and python else []


def _how(item: Item) -> str:
    """What the summary says of the route: an application, or a plugin ``--with`` its app."""
    if item.inject_into:
        return f"into the uv tool {item.inject_into} (--with) "
    return "as an application "
