"""``uv tool install``, for applications under safepip's uv setting. An application pipx already
manages stays with pipx, and one whose pip options uv cannot do as pip would goes to pipx too.

Outside a terminal, a single requirement that is an application if it puts commands on PATH is
installed before it is looked up (:meth:`UvTool.first`): uv refuses a package with no commands
of its own (and removes what it made), so its install answers the look-up's question, and what
it put on PATH is read from the environment uv made.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from safepip.backends.base import (
    Backend,
    Context,
    Outcome,
    Request,
    app_summary,
    bin_links,
    shadow_notes,
    venv_instead,
)
from safepip.backends.pipx import pipx_has
from safepip.backends.uv import (
    ToolDirs,
    Uv,
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
from safepip.pip.argv import PipArgs
from safepip.pip.index_options import IndexOptions
from safepip.process import run_held
from safepip.target.site_packages import dist_infos


def tool_args(step: Planned, pip_args: PipArgs, index: IndexOptions, python: str) -> list[str]:
    """``uv tool install``'s arguments for one step: a plugin goes with its application,
    ``uv tool install APP --with PLUGIN``."""
    item = step.item
    if item.inject_into:
        args = tool_install_args(item.inject_into, pip_args, index, python)
        return [*args, "--with", item.text]
    return tool_install_args(item.text, pip_args, index, python)


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
        args = tool_args(step, self.ctx.pip_args, index, request.probe.executable)
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

    def _suitable(self, step: Planned) -> bool:
        item, env = step.item, self.ctx.env
        app = item.inject_into or item.name
        if item.commands_via or (app and pipx_has(app, env.environ, env.home)):
            return False  # a bundle (pipx, which exposes its part), or an app pipx has
        try:
            tool_install_args(item.text, self.ctx.pip_args, IndexOptions(), "python")
        except UvUnsuitable:
            return False
        return True

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
            if held is not None:  # installed by first(): its output now, in its place
                code = held[0]
                _show(held[1], self.ctx.env.stdout)
                _show(held[2], self.ctx.env.stderr)
            else:
                args = tool_args(step, self.ctx.pip_args, index, request.probe.executable)
                code = run_uv(self.uv, args, environ, self.ctx.env, policy=ChosenTarget())
            was_there = held is None and bool(item.name) and item.name in tools
            line = app_summary(
                step,
                code,
                was_there=was_there,
                upgrade=upgrade,
                tool="uv tool",
                how="as an application ",
                instead=venv_instead(self.ctx),
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
        return installed_tools(self.uv, self._environ())

    def uninstall(self, names: Sequence[str]) -> int:
        code = 0
        for name in names:
            result = run_uv(
                self.uv,
                ["tool", "uninstall", name],
                self._environ(),
                self.ctx.env,
                policy=ChosenTarget(),
            )
            if result != 0:
                code = result
            else:
                self.ctx.reporter.info(f"uninstalled {name} from uv tool")
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
