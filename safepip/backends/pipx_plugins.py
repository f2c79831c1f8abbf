"""Plugins with pipx: a library that is a plugin of an application (``Item.inject_into``) goes
into that application's pipx venv, ``pipx inject APP PLUGIN``; an application pipx does not have
yet is installed first, so that the two become one pipx app. Removing a plugin removes it from
its application again (``pipx uninject``, or ``pipx runpip APP uninstall`` on a pipx without it).
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from safepip.backends.base import Outcome, Request
from safepip.backends.pipx import Pipx, PipxRuns, find_pipx, install, reuse_environ
from safepip.backends.pipx_home import (
    installed_app_venv,
    pipx_has,
    pipx_homes,
    pipx_turn,
    rewrite_metadata,
)
from safepip.child_environ import ChosenTarget
from safepip.decide.model import Planned, Route
from safepip.process import run_captured, run_foreground


def injected(pipx: Pipx, environ: Mapping[str, str], home: Path) -> dict[str, str]:
    """Each package injected into a pipx app, with that app, from ``pipx list --json``; one
    no longer in the app's venv is left out (a pipx without ``uninject`` keeps a plugin that
    ``pipx runpip APP uninstall`` removed in its metadata)."""
    from safepip.names import canonicalize_name
    from safepip.target.site_packages import installed_names

    completed = run_captured(
        [*pipx.command, "list", "--json"], environ=environ, policy=ChosenTarget(), timeout=120
    )
    try:
        venvs = json.loads(completed.stdout).get("venvs", {})
    except ValueError:
        return {}
    found: dict[str, str] = {}
    for app, data in venvs.items():
        folders = [h / "venvs" / str(app) for h in pipx_homes(environ, home)]
        there = next((installed_names(f) for f in folders if f.is_dir()), None)
        for name in (data.get("metadata", {}) or {}).get("injected_packages", {}) or {}:
            canonical = canonicalize_name(str(name))
            if there is None or canonical in there:
                found.setdefault(canonical, str(app))
    return found


def forget_injected(app: str, name: str, environ: Mapping[str, str], home: Path) -> None:
    """Remove ``name`` from the injected packages in ``app``'s ``pipx_metadata.json``, as
    ``pipx uninject`` does (pipx 1.1 has none: after ``runpip uninstall`` its metadata kept the
    plugin, and the next ``pipx reinstall`` brought it back). Left alone if unreadable."""
    from safepip.names import canonicalize_name

    for folder in pipx_homes(environ, home):
        path = folder / "venvs" / app / "pipx_metadata.json"

        def forget(metadata: Any) -> bool:
            packages = metadata["injected_packages"]
            gone = [k for k in packages if canonicalize_name(str(k)) == name]
            for key in gone:
                del packages[key]
            return bool(gone)

        try:
            rewrite_metadata(path, forget)
        except (OSError, ValueError, KeyError, TypeError):
            continue


class PipxPlugins(PipxRuns):
    """Plugins into their application's pipx venv (after the applications of this run)."""

    route: Route = "pipx"
    label = "pipx (plugins)"

    def claim(self, steps: Sequence[Planned]) -> tuple[list[Planned], list[Planned]]:
        mine = [s for s in steps if s.item.inject_into]
        return mine, [s for s in steps if not s.item.inject_into]

    def _install(self, pipx: Pipx, steps: Sequence[Planned], request: Request) -> Outcome:
        env, forwarded = self.ctx.env, self._forwarded()
        outcome = Outcome()
        for step in steps:
            app = step.item.inject_into or ""
            code, how = 0, f"pipx inject {app} {shlex.quote(step.item.text)}"
            if not pipx_has(app, env.environ, env.home):
                how = f"pipx install {app} and {how}"
                code = install(
                    pipx, app, app, pip_args=forwarded, upgrade=False, already=False,
                    python=request.probe.executable, env=env, links=request.links,
                )  # fmt: skip
            if code == 0:
                code = self._inject(pipx, app, step.item.text, forwarded, request)
            outcome.record(code, _summary(step, app, code, how))
            if code == 0:
                venv = installed_app_venv(app, env.environ, env.home)
                outcome.made_in(venv, "pipx", request.probe.executable)
        return outcome

    def _inject(
        self, pipx: Pipx, app: str, requirement: str, forwarded: list[str], request: Request
    ) -> int:
        env = self.ctx.env
        cmd = [*pipx.command, "inject"]
        if self.ctx.pip_args.upgrade or self.ctx.pip_args.has("--force-reinstall"):
            cmd.append("--force")
        cmd += [app, requirement]
        if forwarded:
            cmd.append("--pip-args=" + shlex.join(forwarded))
        return run_foreground(
            cmd,
            environ=reuse_environ(env.environ, request.links, env.home),
            policy=ChosenTarget(),
            interactive=bool(env.stdin_isatty),
            terminate_as_interrupt=True,
        )

    def _injected(self) -> dict[str, str]:
        env, pipx = self.ctx.env, find_pipx(self.ctx.env)
        if pipx is None:
            return {}
        with pipx_turn(env, self.ctx.reporter):
            return injected(pipx, env.environ, env.home)

    def installed(self) -> frozenset[str]:
        return frozenset(self._injected())

    def uninstall(self, names: Sequence[str]) -> int:
        pipx = find_pipx(self.ctx.env)
        if pipx is None:
            return 1 if names else 0
        with pipx_turn(self.ctx.env, self.ctx.reporter):
            return self._uninstall(pipx, self._injected(), names)

    def _uninstall(self, pipx: Pipx, apps: dict[str, str], names: Sequence[str]) -> int:
        environ = self.ctx.env.environ
        code = 0
        for name in names:
            app = apps[name]
            uninject = run_captured(
                [*pipx.command, "uninject", "--help"], environ=environ, policy=ChosenTarget()
            )
            # --leave-deps: without it pipx also removes what only the plugin required, and a
            # plugin requires its application (pipx 1.7 then removes the app itself)
            leave = ["--leave-deps"] if "--leave-deps" in uninject.stdout else []
            cmd = (
                [*pipx.command, "uninject", *leave, app, name]
                if uninject.returncode == 0
                else [*pipx.command, "runpip", app, "uninstall", "-y", name]
            )
            result = run_foreground(
                cmd,
                environ=environ,
                policy=ChosenTarget(),
                interactive=False,
                terminate_as_interrupt=True,
            )
            if result != 0:
                code = result
                continue
            if uninject.returncode != 0:  # pipx < 1.2 remembers it: forget it as uninject would
                forget_injected(app, name, environ, self.ctx.env.home)
            self.ctx.reporter.info(f"uninstalled {name} from the pipx app {app}")
        return code


def _summary(step: Planned, app: str, code: int, how: str) -> str:
    text = step.item.text
    if code != 0:
        return f"{text} (into the pipx app {app}: {how} exited with {code})"
    return (
        f"installed {text} into the pipx app {app} ({how}), because "
        + ", ".join(step.decision.reasons)
        + f"; into a .venv instead: safepip install --venv {shlex.quote(text)}"
    )
