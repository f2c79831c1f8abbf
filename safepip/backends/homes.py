"""Every home for packages, in one order: the backend list that a redirect, ``uninstall`` and
``safepip where`` all read (as pipx's one backend factory). A new home is one new
:class:`~safepip.backends.base.Backend` added here, never a branch in the plan.

Within a route the first backend that claims a step installs it: uv before pip and before pipx
where the user opted into uv and it is on PATH; pipx's applications before its plugins (a plugin
goes into an application this run may install)."""

from __future__ import annotations

from safepip.backends.base import Backend, Context
from safepip.decide.model import Route


def homes(ctx: Context) -> dict[Route, list[Backend]]:
    """The backends of each route, most preferred first."""
    from safepip.backends.pipx import PipxBackend
    from safepip.backends.pipx_plugins import PipxPlugins
    from safepip.backends.system_packages import DistroPackages
    from safepip.backends.user_env import UserEnv
    from safepip.backends.venv_pip import VenvPip

    venv: list[Backend] = [VenvPip(ctx)]
    apps: list[Backend] = [PipxBackend(ctx), PipxPlugins(ctx)]
    if ctx.uv is not None:
        from safepip.backends.uv_tool import UvTool
        from safepip.backends.venv_uv import VenvUv

        venv.insert(0, VenvUv(ctx, ctx.uv))
        apps.insert(0, UvTool(ctx, ctx.uv))
    system: list[Backend] = [DistroPackages(ctx)]  # only where the user asked
    return {"venv": venv, "user": [UserEnv(ctx)], "pipx": apps, "distro": system}


def app_homes(ctx: Context) -> list[Backend]:
    """The backends that hold applications, in the same order."""
    return homes(ctx)["pipx"]
