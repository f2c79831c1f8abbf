"""``uv tool install``, for applications under safepip's uv setting. An application pipx already
manages stays with pipx, and one whose pip options uv cannot do as pip would goes to pipx too."""

from __future__ import annotations

from collections.abc import Sequence

from safepip.backends.base import Context, Outcome, Request, app_summary
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
from safepip.decide.model import Planned, Route
from safepip.exceptions import UvUnsuitable
from safepip.hints import path_hint
from safepip.pip.argv import PipArgs
from safepip.pip.environ import clean_environ
from safepip.pip.index_options import IndexOptions


def tool_args(step: Planned, pip_args: PipArgs, index: IndexOptions, python: str) -> list[str]:
    """``uv tool install``'s arguments for one step: a plugin goes with its application,
    ``uv tool install APP --with PLUGIN``."""
    item = step.item
    if item.inject_into:
        args = tool_install_args(item.inject_into, pip_args, index, python)
        return [*args, "--with", item.text]
    return tool_install_args(item.text, pip_args, index, python)


class UvTool:
    route: Route = "pipx"
    label = "uv tool"

    def __init__(self, ctx: Context, uv: Uv) -> None:
        self.ctx = ctx
        self.uv = uv
        self._dirs: ToolDirs | None = None

    def prepare(self) -> None:
        """Where an application is likely (the look-up hint), ask uv where its tools and their
        commands live while the plan looks the requirements up."""
        from safepip.cli.early import may_look_up

        env = self.ctx.env
        if may_look_up(bool(env.stdin_isatty and env.stderr_isatty), str(env.cwd), str(env.home)):
            self._dirs = ToolDirs(self.uv, self._environ())

    def _environ(self, index: IndexOptions | None = None) -> dict[str, str]:
        return uv_environ(clean_environ(self.ctx.env.environ), index)

    def _suitable(self, step: Planned) -> bool:
        item, env = step.item, self.ctx.env
        app = item.inject_into or item.name
        if item.commands_via or (app and pipx_has(app, env.environ, env.home)):
            return False  # a bundle (pipx --include-deps), or an app pipx has
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
        dirs, self._dirs = self._dirs or ToolDirs(self.uv, self._environ()), None
        tool_folder, where = dirs.result()
        tools = tools_in(tool_folder)
        upgrade = self.ctx.pip_args.upgrade
        outcome = Outcome()
        for step in steps:
            item = step.item
            args = tool_args(step, self.ctx.pip_args, index, request.probe.executable)
            code = run_uv(self.uv, args, environ, self.ctx.env)
            line = app_summary(
                step,
                code,
                was_there=bool(item.name) and item.name in tools,
                upgrade=upgrade,
                tool="uv tool",
                how="as an application ",
            )
            outcome.record(code, line)
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
            result = run_uv(self.uv, ["tool", "uninstall", name], self._environ(), self.ctx.env)
            if result != 0:
                code = result
            else:
                self.ctx.reporter.info(f"uninstalled {name} from uv tool")
        return code
