"""Routes the user chose ahead of time: environment variables, the project's ``[tool.safepip]``,
and the user's ``$XDG_CONFIG_HOME/safepip/config.toml``.

Keys, the same in both TOML files (in pyproject.toml under ``[tool.safepip]``)::

    default-route = "venv"          # or "pipx"
    [routes]                        # [tool.safepip.routes] in pyproject.toml
    black = "pipx"

    use-uv = true                   # user file only: safepip's uv accelerator

Environment: ``SAFEPIP_ROUTE=venv|pipx`` (default for every package),
``SAFEPIP_ROUTES="black=pipx,pytest=venv"`` and ``SAFEPIP_UV=1|0``. A project's file is not
trusted with anything but route names: any other value is ignored with a warning.

This module is the one owner of these files and variables: nothing else reads them.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Callable

from safepip.decide.model import CHOSEN_ROUTES, Override, Route
from safepip.exceptions import SettingsError
from safepip.inspect.names import canonicalize_name

ROUTE_VARIABLE = "SAFEPIP_ROUTE"
ROUTES_VARIABLE = "SAFEPIP_ROUTES"
UV_VARIABLE = "SAFEPIP_UV"
UV_KEY = "use-uv"
_ROUTES = CHOSEN_ROUTES
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def load_toml(path: Path) -> dict[str, Any]:
    """A TOML file, or an empty table when it is missing or unreadable (:class:`SettingsError`
    when it is not valid TOML)."""
    try:
        with open(path, "rb") as handle:
            content = handle.read()
    except OSError:  # missing or unreadable
        return {}
    if sys.version_info >= (3, 11):  # imported only for a file that exists: it costs ~10 ms
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    try:
        data: dict[str, Any] = tomllib.loads(content.decode("utf-8"))
        return data
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path} is not valid TOML: {error}") from error
    except UnicodeDecodeError as error:
        raise SettingsError(f"{path} is not UTF-8 text: {error}") from error
    except RecursionError as error:
        raise SettingsError(f"{path} is nested too deeply to read") from error


def _route(value: object, where: str, warn: Callable[[str], None]) -> Route | None:
    if value in _ROUTES:
        return value  # type: ignore[return-value,unused-ignore]
    warn(f'ignoring route {value!r} in {where}: use "venv" or "pipx"')
    return None


def _from_table(table: Mapping[str, Any], label: str, warn: Callable[[str], None]) -> Override:
    default = table.get("default-route")
    packages: dict[str, Route] = {}
    routes = table.get("routes", {})
    if isinstance(routes, Mapping):
        for name, value in routes.items():
            route = _route(value, f"{label} routes.{name}", warn)
            if route is not None:
                packages[canonicalize_name(str(name))] = route
    return Override(label, _route(default, label, warn) if default is not None else None, packages)


def overrides(
    environ: Mapping[str, str],
    project_root: Path | None,
    config_dir: Path,
    warn: Callable[[str], None],
) -> list[Override]:
    """The user's choices in order of precedence (the command line's flag comes before these)."""
    result: list[Override] = []
    default = environ.get(ROUTE_VARIABLE, "")
    packages: dict[str, Route] = {}
    for entry in filter(None, (e.strip() for e in environ.get(ROUTES_VARIABLE, "").split(","))):
        name, _, value = entry.partition("=")
        route = _route(value.strip(), f"${ROUTES_VARIABLE}", warn)
        if route is not None:
            packages[canonicalize_name(name.strip())] = route
    if default or packages:
        result.append(
            Override(
                f"${ROUTE_VARIABLE}" if default and not packages else f"${ROUTES_VARIABLE}",
                _route(default, f"${ROUTE_VARIABLE}", warn) if default else None,
                packages,
            )
        )
    if project_root is not None:
        pyproject = project_root / "pyproject.toml"
        try:
            tool = load_toml(pyproject).get("tool", {})
        except SettingsError as error:
            warn(str(error))
            tool = {}
        table = tool.get("safepip") if isinstance(tool, Mapping) else None
        if isinstance(table, Mapping):
            result.append(_from_table(table, f"[tool.safepip] in {pyproject}", warn))
    user_file = config_dir / "config.toml"
    try:
        user = load_toml(user_file)
    except SettingsError as error:
        warn(str(error))
        user = {}
    if user:
        result.append(_from_table(user, str(user_file), warn))
    return result


def remember(config_dir: Path, name: str, route: Route) -> Path:
    """Record ``name = route`` in the user's config file (which safepip owns) and return it."""
    path = config_dir / "config.toml"
    try:
        data = load_toml(path)
    except SettingsError:
        data = {}
    routes = dict(data.get("routes", {})) if isinstance(data.get("routes"), Mapping) else {}
    routes[canonicalize_name(name)] = route
    lines = ["# safepip's user configuration (see safepip's README)"]
    if data.get("default-route") in _ROUTES:
        lines.append(f'default-route = "{data["default-route"]}"')
    lines.append("")
    lines.append("[routes]")
    lines.extend(f'{key} = "{value}"' for key, value in sorted(routes.items()) if value in _ROUTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def uv_opted_in(environ: Mapping[str, str], user_config: Mapping[str, object]) -> bool:
    """Whether the user asked for uv: ``$SAFEPIP_UV`` first, then ``use-uv`` in their config."""
    value = environ.get(UV_VARIABLE)
    if value is not None and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return user_config.get(UV_KEY) is True


def use_uv(environ: Mapping[str, str], config_dir: Path) -> bool:
    """safepip's uv setting; the user's config file is read only where the variable does not
    decide (and an unreadable one leaves the setting off)."""
    user: Mapping[str, object] = {}
    if (environ.get(UV_VARIABLE) or "x").strip().lower() not in _TRUE | _FALSE:
        try:
            user = load_toml(config_dir / "config.toml")
        except SettingsError:
            user = {}
    return uv_opted_in(environ, user)
