"""Routes the user chose ahead of time: environment variables, the project's ``[tool.safepip]``,
and the user's ``$XDG_CONFIG_HOME/safepip/config.toml``.

Keys, the same in both TOML files (in pyproject.toml under ``[tool.safepip]``)::

    default-route = "venv"          # or "pipx", or "distro" (user file only)
    [routes]                        # [tool.safepip.routes] in pyproject.toml
    black = "pipx"

    use-uv = true                   # user file only: safepip's uv accelerator

Environment: ``SAFEPIP_ROUTE=venv|pipx|distro`` (default for every package),
``SAFEPIP_ROUTES="black=pipx,pytest=venv"`` and ``SAFEPIP_UV=1|0``. A project's file is not
trusted with anything but route names (any other value is ignored with a warning), and those
route only packages from an index, never the checkout itself, a local path, ``-e`` or a URL,
and never to the distribution's package manager (``distro``: that runs apt as root, which a
checkout's word must never make safepip do).
The user's global choices (variables, config.toml) never send a package the project declares to
pipx.

safepip never writes config.toml (a broken one is reported once per run and left alone). The
answers given at its question are remembered per project in
``$XDG_STATE_HOME/safepip/answers.json``, which safepip owns.

This module is the one owner of these files and variables: nothing else reads them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Callable

from safepip.decide.model import CHOSEN_ROUTES, Override, Route
from safepip.exceptions import SettingsError
from safepip.names import canonicalize_name
from safepip.paths import write_whole
from safepip.tomlfile import load_toml

ROUTE_VARIABLE = "SAFEPIP_ROUTE"
ROUTES_VARIABLE = "SAFEPIP_ROUTES"
UV_VARIABLE = "SAFEPIP_UV"
UV_KEY = "use-uv"
_ROUTES = CHOSEN_ROUTES
_CHECKOUT_ROUTES = ("venv", "pipx")
_ANSWERED = ("venv", "pipx")  # what safepip's question offers, and answers.json keeps
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})
ANSWERS_FILE = "answers.json"
_reported: set[str] = set()  # broken files already reported in this run


def _route(
    value: object, where: str, warn: Callable[[str], None], *, checkout: bool = False
) -> Route | None:
    if value in (_CHECKOUT_ROUTES if checkout else _ROUTES):
        return value  # type: ignore[return-value,unused-ignore]
    if value == "distro":
        warn(
            f'ignoring route "distro" in {where}: a checkout may not make safepip run the '
            "system's package manager; say --distro yourself, or set it in your own config.toml"
        )
        return None
    warn(f'ignoring route {value!r} in {where}: use "venv", "pipx" or "distro"')
    return None


#: The keys each file may hold (a project's file routes only: it is not trusted with uv).
_USER_KEYS = ("default-route", "routes", UV_KEY)
_PROJECT_KEYS = ("default-route", "routes")


def _checked(table: Mapping[str, Any], label: str, warn: Callable[[str], None]) -> None:
    """One line for each key safepip does not read, and each value of the wrong kind, naming
    the file and what is expected (the value is then ignored, as before)."""
    known = _PROJECT_KEYS if label.startswith("[tool.safepip]") else _USER_KEYS
    for key in table:
        if key not in known:
            warn(f"ignoring {key!r} in {label}: safepip reads only {', '.join(known)}")
    routes = table.get("routes")
    if routes is not None and not isinstance(routes, Mapping):
        warn(f'ignoring routes = {routes!r} in {label}: expected a table, as routes.black = "pipx"')
    uv = table.get(UV_KEY)
    if UV_KEY in known and uv is not None and not isinstance(uv, bool):
        warn(f"ignoring {UV_KEY} = {uv!r} in {label}: expected true or false")


def _from_table(
    table: Mapping[str, Any],
    label: str,
    warn: Callable[[str], None],
    *,
    binding: bool = True,
    checkout: bool = False,
) -> Override:
    _checked(table, label, warn)
    default = table.get("default-route")
    packages: dict[str, Route] = {}
    routes = table.get("routes", {})
    if isinstance(routes, Mapping):
        for name, value in routes.items():
            route = _route(value, f"{label} routes.{name}", warn, checkout=checkout)
            if route is not None:
                packages[canonicalize_name(str(name))] = route
    chosen = _route(default, label, warn, checkout=checkout) if default is not None else None
    return Override(label, chosen, packages, binding=binding, checkout=checkout)


def _warn_once(error: SettingsError, warn: Callable[[str], None]) -> None:
    if error.message not in _reported:
        _reported.add(error.message)
        warn(f"{error.message} (safepip leaves it as it is and ignores it)")


def _variables(environ: Mapping[str, str], warn: Callable[[str], None]) -> list[Override]:
    default = environ.get(ROUTE_VARIABLE, "")
    packages: dict[str, Route] = {}
    for entry in filter(None, (e.strip() for e in environ.get(ROUTES_VARIABLE, "").split(","))):
        name, equals, value = entry.partition("=")
        if not (equals and name.strip()):
            warn(f"ignoring {entry!r} in ${ROUTES_VARIABLE}: expected NAME=venv, pipx or distro")
            continue
        route = _route(value.strip(), f"${ROUTES_VARIABLE}", warn)
        if route is not None:
            packages[canonicalize_name(name.strip())] = route
    if not (default or packages):
        return []
    label = f"${ROUTE_VARIABLE}" if default and not packages else f"${ROUTES_VARIABLE}"
    chosen = _route(default, f"${ROUTE_VARIABLE}", warn) if default else None
    return [Override(label, chosen, packages, binding=False)]


def _project(project_root: Path, warn: Callable[[str], None]) -> list[Override]:
    pyproject = project_root / "pyproject.toml"
    try:
        tool = load_toml(pyproject).get("tool", {})
    except SettingsError as error:
        _warn_once(error, warn)
        tool = {}
    table = tool.get("safepip") if isinstance(tool, Mapping) else None
    if isinstance(table, Mapping):
        return [_from_table(table, f"[tool.safepip] in {pyproject}", warn, checkout=True)]
    return []


def overrides(
    environ: Mapping[str, str],
    project_root: Path | None,
    config_dir: Path,
    warn: Callable[[str], None],
    state_dir: Path | None = None,
) -> list[Override]:
    """The user's choices in order of precedence (the command line's flag comes before these):
    the variables, the project's ``[tool.safepip]``, the answers remembered for this project
    (in ``state_dir``), the user's config.toml."""
    result = _variables(environ, warn)
    if project_root is not None:
        result += _project(project_root, warn)
        answers = remembered(state_dir, project_root) if state_dir is not None else {}
        if answers and state_dir is not None:
            label = f"your answer for this project (remembered in {state_dir / ANSWERS_FILE})"
            result.append(Override(label, None, answers))
    user_file = config_dir / "config.toml"
    try:
        user = load_toml(user_file)
    except SettingsError as error:
        _warn_once(error, warn)
        user = {}
    if user:
        result.append(_from_table(user, str(user_file), warn, binding=False))
    return result


def _answers(state_dir: Path) -> dict[str, dict[str, Route]]:
    try:
        data = json.loads((state_dir / ANSWERS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(root): {str(n): r for n, r in routes.items() if r in _ANSWERED}
        for root, routes in data.items()
        if isinstance(routes, dict)
    }


def remembered(state_dir: Path, project_root: Path) -> dict[str, Route]:
    """The answers given at safepip's question in the project at ``project_root``."""
    return _answers(state_dir).get(str(project_root), {})


def remember(state_dir: Path, project_root: Path, name: str, route: Route) -> Path:
    """Record the answer ``name -> route`` for this project in safepip's state folder (never in
    the user's config.toml) and return the file."""
    answers = _answers(state_dir)
    answers.setdefault(str(project_root), {})[canonicalize_name(name)] = route
    path = state_dir / ANSWERS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    write_whole(path, json.dumps(answers, indent=2, sort_keys=True) + "\n")
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
