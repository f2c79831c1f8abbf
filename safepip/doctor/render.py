"""Showing a :class:`~safepip.doctor.findings.Report` as text: one row per fact, a 14-column label
then its text, one function per section; colour follows the reporter's rule on stdout."""

from __future__ import annotations

from safepip.doctor.findings import (
    BrokenEnv,
    ConfigInfo,
    DistributionInfo,
    InterpreterInfo,
    PipxInfo,
    ProjectInfo,
    Report,
    SafepipInfo,
    ShimInfo,
    VenvSupport,
)
from safepip.environment import Environment

_GREEN, _YELLOW, _RED, _BOLD, _RESET = "\033[32m", "\033[33m", "\033[31;1m", "\033[1m", "\033[0m"


def stdout_colour(env: Environment) -> bool:
    """The reporter's rule (NO_COLOR, FORCE_COLOR, a terminal), applied to stdout."""
    from safepip.report import use_colour

    return use_colour(env.replace(stderr_isatty=env.stdout_isatty))


def _yes(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


class _Screen:
    """The lines being built, painted with ANSI escapes when ``colour``."""

    def __init__(self, colour: bool) -> None:
        self.colour = colour
        self.lines: list[str] = []

    def paint(self, style: str, text: str) -> str:
        return f"{style}{text}{_RESET}" if self.colour else text

    def row(self, label: str, text: str, *more: str, style: str | None = None) -> None:
        """``label`` padded to 14 columns then ``text``; each of ``more`` on its own line below."""
        padded = f"{label:<14}"
        self.lines.append((self.paint(style, padded) if style else padded) + text)
        self.lines.extend(f"{'':<14}{line}" for line in more)


def render(report: Report, colour: bool) -> str:
    """The text screen of ``safepip doctor``."""
    screen = _Screen(colour)
    _safepip(screen, report.safepip)
    _interpreter(screen, report.interpreter)
    _distribution(screen, report.distribution)
    _new_venvs(screen, report.venv_support)
    _pipx(screen, report.pipx)
    _shims(screen, report.shims)
    _project(screen, report.project)
    _config(screen, report.config)
    _environment(screen, report.config)
    _broken(screen, report.broken)
    _verdict(screen, report)
    return "\n".join(screen.lines) + "\n"


def _safepip(screen: _Screen, info: SafepipInfo) -> None:
    screen.row(
        "safepip",
        f"{info.version} on {info.python}"
        + (f" (its own pip: {info.pip})" if info.pip else " (no pip of its own)"),
    )


def _interpreter(screen: _Screen, target: InterpreterInfo) -> None:
    """The target, whether it is externally managed, and what ``pip install`` does with it."""
    paint, row = screen.paint, screen.row
    if target.path is None:
        row("interpreter", paint(_RED, "none found"))
    else:
        version = f"Python {target.version}" if target.version else paint(_RED, "does not run")
        row("interpreter", f"{target.path} ({version}), chosen as {target.chosen_by}")
    if target.version is None:
        return
    if target.externally_managed:
        text = target.marker_message or "(the marker has no message)"
        message = "\n".join(f"| {line}".rstrip() for line in text.splitlines())
        row(
            "managed",
            paint(_YELLOW, "externally managed (PEP 668)") + f": {target.marker}",
            *message.splitlines(),
        )
    else:
        row("managed", "no" + (" (a virtual environment)" if target.is_venv else ""))
    verb = "redirected" if target.mode == "redirect" else "passed to pip"
    row("pip install", f"{verb}: {target.mode_reason}")


def _distribution(screen: _Screen, dist: DistributionInfo) -> None:
    screen.row(
        "distribution",
        dist.pretty_name or " ".join(filter(None, (dist.name, dist.version))) or "unknown",
    )
    screen.row("packages", packages_line(dist))


def packages_line(dist: DistributionInfo) -> str:
    """The package manager safepip found, and the state of apt's package lists."""
    if dist.package_manager is None:
        return "no package manager safepip knows (apt, dnf, pacman, apk)"
    if dist.package_lists is None:
        return dist.package_manager
    if dist.package_lists == 0:
        return "apt, no package lists (apt-get update was never run)"
    age = dist.lists_age_days
    when = (
        "unknown"
        if age is None
        else "less than a day ago"
        if age < 1
        else f"{int(age)} day{'s' if int(age) != 1 else ''} ago"
    )
    count = f"{dist.package_lists} package list{'s' if dist.package_lists != 1 else ''}"
    return f"apt, {count}, last updated {when}"


def _new_venvs(screen: _Screen, support: VenvSupport) -> None:
    if support.can_create is None:
        return
    how = (
        f"linking safepip's pip {support.pip}"
        if support.pip_by_copy
        else "ensurepip: the interpreter's own bundled pip"
    )
    created = (
        screen.paint(_GREEN, "yes") + f", with pip (by {how})"
        if support.can_create
        else screen.paint(_RED, "no")
    )
    screen.row(
        "new venvs",
        created,
        f"venv module: {_yes(support.venv)}; ensurepip (python3 -m venv with pip): "
        f"{_yes(support.ensurepip)}",
    )


def _shims(screen: _Screen, shims: list[ShimInfo]) -> None:
    """safepip's pip/pip3 shims, and whether scripts get them before the system's pip."""
    if not shims:
        screen.row("shims", "none (safepip shims install: pip in scripts and sh -c runs safepip)")
        return
    lines = []
    for shim in shims:
        where = (
            "before /usr/bin on PATH"
            if shim.before_system
            else screen.paint(_YELLOW, "after /usr/bin on PATH" if shim.on_path else "not on PATH")
        )
        lines.append(f"{shim.path} ({where}; runs {shim.runs})")
    screen.row("shims", *lines)


def _pipx(screen: _Screen, pipx: PipxInfo) -> None:
    where = f"apps in {pipx.home}, commands go to {pipx.bin_dir}" + (
        "" if pipx.bin_dir_on_path else " (" + screen.paint(_YELLOW, "not on PATH") + ")"
    )
    if pipx.found:
        owner = ", safepip's own" if pipx.provided_by_safepip else ""
        screen.row("pipx", f"{pipx.path} {pipx.version or '(version unknown)'}{owner}; {where}")
    else:
        screen.row("pipx", screen.paint(_YELLOW, "not found") + f"; {where}")


def _project(screen: _Screen, project: ProjectInfo) -> None:
    """The project root, then the state of its .venv."""
    paint = screen.paint
    if project.root:
        screen.row("project", f"{project.root} (found by {project.marker})")
    elif project.user_env:
        screen.row("project", f"none: {project.user_env}")
    else:
        screen.row("project", "none found; the working directory would get the .venv")
    status = {
        "ready": paint(_GREEN, "ready"),
        "absent": "absent (created on the first install)",
        "broken": paint(_RED, "broken"),
        "not-a-venv": paint(_RED, "not a virtual environment"),
        "untrusted": paint(_RED, "not run (untrusted)"),
    }[project.venv_status]
    detail = []
    if project.venv_status == "ready":
        detail.append(f"Python {project.venv_python or 'unknown'}")
        detail.append("with pip" if project.venv_has_pip else paint(_RED, "no pip"))
        if project.venv_active:
            detail.append("active")
    elif project.venv_problem:
        detail.append(project.venv_problem)
    label = "user env" if project.user_env else ".venv"
    screen.row(label, f"{project.venv}: {status}" + (f", {', '.join(detail)}" if detail else ""))


def _config(screen: _Screen, config: ConfigInfo) -> None:
    """The user's config file, then every override in force, one per line."""
    screen.row(
        "config",
        f"{config.user_file}" + ("" if config.user_file_exists else " (not present)"),
        *(
            f"{o.label}: "
            + "; ".join(
                ([f"default {o.default}"] if o.default else [])
                + [f"{name}={route}" for name, route in o.routes.items()]
            )
            for o in config.overrides
        ),
    )


def _environment(screen: _Screen, config: ConfigInfo) -> None:
    variables = [f"{name}={value}" for name, value in config.environment.items()]
    screen.row("environment", *(variables or ["no SAFEPIP_* or related variables set"]))
    if not config.uv_on:
        screen.row("uv", "off (safepip's uv setting: SAFEPIP_UV=1 or use-uv = true)")
    elif config.uv:
        screen.row("uv", f"on: {config.uv} installs (uv pip into the .venv, uv tool for apps)")
    else:
        screen.row("uv", screen.paint(_YELLOW, "on, but uv is not on PATH") + ": pip and pipx")


def _broken(screen: _Screen, broken: list[BrokenEnv]) -> None:
    """One line per environment a Python upgrade broke."""
    from safepip.doctor.assess import KINDS

    for env in broken:
        kind = KINDS.get(env.kind, env.kind)
        screen.row("broken", f"{env.path} ({kind}): {env.problem}", style=_RED)


def _verdict(screen: _Screen, report: Report) -> None:
    """The notes, then the problems or that all is well."""
    for note in report.notes:
        hint = [f"hint: {note.hint}"] if note.hint else []
        screen.row("note", note.message, *hint, style=_YELLOW)
    if report.problems:
        for problem in report.problems:
            fix = [f"fix: {problem.hint}"] if problem.hint else []
            screen.row("PROBLEM", problem.message, *fix, style=_RED)
    else:
        screen.row("result", screen.paint(_GREEN, "ok") + ": safepip can do its job here")
