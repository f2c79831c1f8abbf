"""``safepip doctor [--json]``: what safepip sees on this machine and in this project, on one
screen, for onboarding and bug reports.

Facts are gathered into a :class:`Report` (whose field order is the ``--json`` layout), the
blocking problems are derived from it by :func:`assess` alone, and it is printed as text or JSON.
The exit status is :data:`EXIT_ENVIRONMENT` when something blocks safepip's job.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from safepip.environment import Environment
from safepip.exceptions import EXIT_ENVIRONMENT, SafepipError, UsageError
from safepip.report import Reporter

if TYPE_CHECKING:
    from safepip.target.interpreter import Probe

#: Version of the ``--json`` layout; raised only when a field changes meaning or goes away.
FORMAT = 1

#: Variables that change what safepip or pip does, shown besides every ``SAFEPIP_*`` one.
RELATED_VARIABLES = (
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "PIP_BREAK_SYSTEM_PACKAGES",
    "PIP_CONFIG_FILE",
    "PIP_REQUIRE_VIRTUALENV",
    "PIP_USER",
    "PIP_TARGET",
    "PIP_PREFIX",
    "PIP_ROOT",
    "PIPX_HOME",
    "PIPX_BIN_DIR",
    "NO_COLOR",
    "FORCE_COLOR",
)

_CAPABILITIES = """\
import json
def importable(name):
    try:
        __import__(name)
        return True
    except Exception:
        return False
print(json.dumps({"venv": importable("venv"), "ensurepip": importable("ensurepip")}))
"""

Mode = Literal["redirect", "pass-through"]


@dataclass(frozen=True)
class SafepipInfo:
    version: str
    python: str
    pip: str | None  # the pip safepip copies into new venvs


@dataclass(frozen=True)
class InterpreterInfo:
    path: str | None
    chosen_by: str | None
    version: str | None
    is_venv: bool = False
    externally_managed: bool = False
    marker: str | None = None
    marker_message: str | None = None
    mode: Mode | None = None  # what `safepip install` does with it
    mode_reason: str = ""
    error: str | None = None
    error_hint: str | None = None


@dataclass(frozen=True)
class DistributionInfo:
    id: str
    name: str
    version: str
    pretty_name: str


@dataclass(frozen=True)
class VenvSupport:
    venv: bool | None  # None: there is no interpreter to ask
    ensurepip: bool | None
    pip_by_copy: bool  # safepip's own pip runs on the target, so ensurepip is not needed
    can_create: bool | None
    fix: str | None  # the command that gives the target venv and ensurepip


@dataclass(frozen=True)
class PipxInfo:
    found: bool
    path: str | None
    version: str | None
    provided_by_safepip: bool
    bin_dir: str
    bin_dir_on_path: bool
    path_fix: str | None


@dataclass(frozen=True)
class ProjectInfo:
    root: str | None  # None: no project found, the working directory would become one
    marker: str | None
    venv: str
    venv_status: str  # absent, ready, not-a-venv, broken
    venv_problem: str
    venv_python: str | None
    venv_has_pip: bool | None
    venv_active: bool


@dataclass(frozen=True)
class OverrideInfo:
    label: str
    default: str | None
    routes: dict[str, str]


@dataclass(frozen=True)
class ConfigInfo:
    user_file: str
    user_file_exists: bool
    overrides: list[OverrideInfo]
    environment: dict[str, str]


@dataclass(frozen=True)
class Problem:
    message: str
    hint: str | None = None


@dataclass
class Report:
    format: int
    ok: bool
    safepip: SafepipInfo
    interpreter: InterpreterInfo
    distribution: DistributionInfo
    venv_support: VenvSupport
    pipx: PipxInfo
    project: ProjectInfo
    config: ConfigInfo
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)


# -- gathering ----------------------------------------------------------------------------------


def _parse(args: Sequence[str]) -> tuple[bool, str | None]:
    as_json = False
    python: str | None = None
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--json":
            as_json = True
        elif arg == "--python" and rest:
            python = rest.pop(0)
        elif arg.startswith("--python="):
            python = arg.partition("=")[2]
        elif arg in ("-v", "-vv", "-vvv", "--verbose", "-q", "-qq", "-qqq", "--quiet"):
            continue  # the reporter's verbosity, already taken by main
        else:
            raise UsageError(
                f"safepip doctor does not take {arg!r}",
                "usage: safepip doctor [--json] [--python PATH]",
            )
    return as_json, python


def _safepip_info(env: Environment) -> SafepipInfo:
    from safepip import __version__
    from safepip.target.venv import own_pip

    pip = own_pip()
    return SafepipInfo(__version__, env.own_executable, pip.version if pip else None)


def _interpreter(python: str | None, env: Environment) -> tuple[InterpreterInfo, Probe | None]:
    """The target, and what it says of itself when it runs."""
    from safepip.target.interpreter import externally_managed, find_target, probe

    try:
        target = find_target(python, env)
    except SafepipError as error:
        return InterpreterInfo(None, None, None, error=error.message, error_hint=error.hint), None
    try:
        facts = probe(target.path, env)
    except SafepipError as error:
        info = InterpreterInfo(
            target.path,
            target.chosen_by,
            None,
            is_venv=target.is_venv,
            error=error.message,
            error_hint=error.hint,
        )
        return info, None
    managed = None if target.is_venv else externally_managed(facts.stdlib)
    mode, reason = _mode(target.is_venv, managed is not None, facts.prefix, env)
    info = InterpreterInfo(
        target.path,
        target.chosen_by,
        facts.version,
        is_venv=target.is_venv,
        externally_managed=managed is not None,
        marker=str(managed.marker) if managed else None,
        marker_message=managed.message if managed else None,
        mode=mode,
        mode_reason=reason,
    )
    return info, facts


def _mode(is_venv: bool, managed: bool, prefix: str, env: Environment) -> tuple[Mode, str]:
    if is_venv:
        return "pass-through", "it is a virtual environment, where pip works"
    if not managed:
        return "pass-through", "it is not externally managed, so pip works"
    from safepip.pip.config import load

    try:
        config = load("install", env.environ, site_prefix=prefix, isolated=False, home=env.home)
    except ValueError as error:
        return "pass-through", f"pip's configuration is broken, pip will say so: {error}"
    if config.break_system_packages:
        return "pass-through", "pip's configuration sets break-system-packages"
    if config.alternative_location:
        return "pass-through", "pip's configuration installs elsewhere (target, prefix or root)"
    return "redirect", "libraries go into the project's .venv, applications to pipx"


def _distribution() -> DistributionInfo:
    try:
        import distro

        return DistributionInfo(
            distro.id(), distro.name(), distro.version(), distro.name(pretty=True)
        )
    except Exception:  # advisory only
        return DistributionInfo("", "", "", "")


def _venv_support(facts: Probe | None, env: Environment) -> VenvSupport:
    from safepip.target.distro import venv_package_hint
    from safepip.target.interpreter import ask
    from safepip.target.venv import own_pip, pip_supports

    if facts is None:
        return VenvSupport(None, None, False, None, None)
    try:
        completed = ask(facts.executable, _CAPABILITIES, env)
        found: dict[str, bool] = json.loads(completed.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        found = {"venv": False, "ensurepip": False}
    pip = own_pip()
    by_copy = pip is not None and pip_supports(pip, facts.version)
    has_venv, has_ensurepip = bool(found.get("venv")), bool(found.get("ensurepip"))
    can_create = has_venv and (by_copy or has_ensurepip)
    fix = None if has_venv and has_ensurepip else venv_package_hint(facts.version)
    return VenvSupport(has_venv, has_ensurepip, by_copy, can_create, fix)


def _pipx(env: Environment) -> PipxInfo:
    from safepip.backends.pipx import bin_dir, find_pipx, path_hint
    from safepip.process import clean_environ, run_captured

    pipx = find_pipx(env)
    version = None
    if pipx is not None:
        try:
            completed = run_captured(
                [*pipx.command, "--version"], environ=clean_environ(env.environ), timeout=60
            )
            lines = completed.stdout.strip().splitlines()
            version = lines[-1].strip() if completed.returncode == 0 and lines else None
        except (OSError, subprocess.SubprocessError):
            version = None
    directory = bin_dir(env.environ, env.home)
    fix = path_hint(directory, env)
    return PipxInfo(
        found=pipx is not None,
        path=pipx.command[0] if pipx else None,
        version=version,
        provided_by_safepip=bool(pipx and pipx.provided),
        bin_dir=str(directory),
        bin_dir_on_path=fix is None,
        path_fix=fix,
    )


def _project(env: Environment) -> ProjectInfo:
    from safepip.backends.venv_pip import venv_target
    from safepip.pip.run import venv_has_pip
    from safepip.target.venv import inspect_venv, read_pyvenv_cfg

    where = venv_target(env)
    state = inspect_venv(where.path)
    ready = state.status == "ready"
    cfg = read_pyvenv_cfg(where.path) if ready else {}
    active = env.environ.get("VIRTUAL_ENV", "")
    try:
        is_active = bool(active) and os.path.samefile(active, where.path)
    except OSError:
        is_active = False
    return ProjectInfo(
        root=str(where.project.root) if where.project else None,
        marker=where.project.marker if where.project else None,
        venv=str(where.path),
        venv_status=state.status,
        venv_problem=state.problem,
        venv_python=(cfg.get("version_info") or cfg.get("version")) if ready else None,
        venv_has_pip=venv_has_pip(str(where.path)) if ready else None,
        venv_active=is_active,
    )


def _config(env: Environment, project_root: str | None, notes: list[Problem]) -> ConfigInfo:
    from safepip.decide.settings import overrides

    found = overrides(
        env.environ,
        Path(project_root) if project_root else None,
        env.config_dir,
        lambda message: notes.append(Problem(message)),
    )
    user_file = env.config_dir / "config.toml"
    shown = {
        name: value
        for name, value in sorted(env.environ.items())
        if name.startswith("SAFEPIP_") or name in RELATED_VARIABLES
    }
    return ConfigInfo(
        user_file=str(user_file),
        user_file_exists=user_file.is_file(),
        overrides=[
            OverrideInfo(o.label, o.default, dict(sorted(o.packages.items()))) for o in found
        ],
        environment=shown,
    )


def gather(python: str | None, env: Environment, reporter: Reporter) -> Report:
    """Everything ``doctor`` shows; reads only, never installs or creates anything."""
    notes: list[Problem] = []
    reporter.detail("looking for the target interpreter")
    interpreter, facts = _interpreter(python, env)
    reporter.detail("asking it for venv and ensurepip")
    support = _venv_support(facts, env)
    reporter.detail("looking for pipx")
    pipx = _pipx(env)
    project = _project(env)
    config = _config(env, project.root, notes)
    report = Report(
        format=FORMAT,
        ok=True,
        safepip=_safepip_info(env),
        interpreter=interpreter,
        distribution=_distribution(),
        venv_support=support,
        pipx=pipx,
        project=project,
        config=config,
        notes=notes,
    )
    problems, more_notes = assess(report)
    report.problems = problems
    report.notes = [*more_notes, *notes]
    report.ok = not problems
    return report


# -- judging ------------------------------------------------------------------------------------


def assess(report: Report) -> tuple[list[Problem], list[Problem]]:
    """What blocks safepip's job (problems), and what is worth knowing (notes)."""
    problems: list[Problem] = []
    notes: list[Problem] = []
    target, support, project = report.interpreter, report.venv_support, report.project
    if target.error is not None:
        problems.append(Problem(target.error, target.error_hint))
    if project.venv_status in ("broken", "not-a-venv"):
        problems.append(
            Problem(
                f"{project.venv} cannot be used: {project.venv_problem}",
                "move it away yourself, or run `safepip install --recreate-venv ...` to have "
                "safepip rename it to .venv.old-<date> and create a new one",
            )
        )
    elif project.venv_status == "ready" and project.venv_has_pip is False:
        problems.append(
            Problem(
                f"{project.venv} has no pip in it",
                f"install it with: {project.venv}/bin/python -m ensurepip, "
                "or use safepip install --recreate-venv ...",
            )
        )
    if target.mode == "redirect" and support.can_create is False:
        blocked = project.venv_status != "ready"
        message = f"{target.path} is externally managed and cannot create virtual environments" + (
            "" if blocked else "; the existing .venv still works"
        )
        (problems if blocked else notes).append(Problem(message, support.fix))
    elif support.can_create and support.ensurepip is False:
        notes.append(
            Problem(
                f"`{target.path} -m venv` makes venvs without pip here (no ensurepip); "
                "safepip does not need it, it copies its own pip",
                support.fix,
            )
        )
    if not report.pipx.found:
        notes.append(
            Problem(
                "pipx is not installed; safepip installs its own the first time an application "
                "goes to pipx",
                "to use your distribution's instead: install pipx with its package manager "
                "(e.g. sudo apt install pipx)",
            )
        )
    if report.pipx.path_fix is not None:
        notes.append(
            Problem(
                f"pipx puts commands in {report.pipx.bin_dir}, which is not on PATH",
                report.pipx.path_fix,
            )
        )
    return problems, notes


# -- showing ------------------------------------------------------------------------------------

_GREEN, _YELLOW, _RED, _BOLD, _RESET = "\033[32m", "\033[33m", "\033[31;1m", "\033[1m", "\033[0m"


def _colour(env: Environment) -> bool:
    """The reporter's rule (NO_COLOR, FORCE_COLOR, a terminal), applied to stdout."""
    from safepip.report import use_colour

    return use_colour(dataclasses.replace(env, stderr_isatty=env.stdout_isatty))


def _yes(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def render(report: Report, colour: bool) -> str:
    def paint(style: str, text: str) -> str:
        return f"{style}{text}{_RESET}" if colour else text

    lines: list[str] = []

    def row(label: str, text: str, *more: str, style: str | None = None) -> None:
        padded = f"{label:<14}"
        lines.append((paint(style, padded) if style else padded) + text)
        lines.extend(f"{'':<14}{line}" for line in more)

    info = report.safepip
    row(
        "safepip",
        f"{info.version} on {info.python}"
        + (f" (copies its pip {info.pip} into new venvs)" if info.pip else " (no pip of its own)"),
    )
    target = report.interpreter
    if target.path is None:
        row("interpreter", paint(_RED, "none found"))
    else:
        version = f"Python {target.version}" if target.version else paint(_RED, "does not run")
        row("interpreter", f"{target.path} ({version}), chosen as {target.chosen_by}")
    if target.version is not None:
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
    dist = report.distribution
    row(
        "distribution",
        dist.pretty_name or " ".join(filter(None, (dist.name, dist.version))) or "unknown",
    )
    support = report.venv_support
    if support.can_create is not None:
        how = "copying safepip's pip" if support.pip_by_copy else "ensurepip"
        created = (
            paint(_GREEN, "yes") + f", with pip (by {how})"
            if support.can_create
            else paint(_RED, "no")
        )
        row(
            "new venvs",
            created,
            f"venv module: {_yes(support.venv)}; ensurepip (python3 -m venv with pip): "
            f"{_yes(support.ensurepip)}",
        )
    pipx = report.pipx
    where = f"commands go to {pipx.bin_dir}" + (
        "" if pipx.bin_dir_on_path else " (" + paint(_YELLOW, "not on PATH") + ")"
    )
    if pipx.found:
        owner = ", safepip's own" if pipx.provided_by_safepip else ""
        row("pipx", f"{pipx.path} {pipx.version or '(version unknown)'}{owner}; {where}")
    else:
        row("pipx", paint(_YELLOW, "not found") + f"; {where}")
    project = report.project
    if project.root:
        row("project", f"{project.root} (found by {project.marker})")
    else:
        row("project", "none found; the working directory would get the .venv")
    status = {
        "ready": paint(_GREEN, "ready"),
        "absent": "absent (created on the first install)",
        "broken": paint(_RED, "broken"),
        "not-a-venv": paint(_RED, "not a virtual environment"),
    }[project.venv_status]
    detail = []
    if project.venv_status == "ready":
        detail.append(f"Python {project.venv_python or 'unknown'}")
        detail.append("with pip" if project.venv_has_pip else paint(_RED, "no pip"))
        if project.venv_active:
            detail.append("active")
    elif project.venv_problem:
        detail.append(project.venv_problem)
    row(".venv", f"{project.venv}: {status}" + (f", {', '.join(detail)}" if detail else ""))
    config = report.config
    row(
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
    variables = [f"{name}={value}" for name, value in config.environment.items()]
    row("environment", *(variables or ["no SAFEPIP_* or related variables set"]))
    for note in report.notes:
        hint = [f"hint: {note.hint}"] if note.hint else []
        row("note", note.message, *hint, style=_YELLOW)
    if report.problems:
        for problem in report.problems:
            fix = [f"fix: {problem.hint}"] if problem.hint else []
            row("PROBLEM", problem.message, *fix, style=_RED)
    else:
        row("result", paint(_GREEN, "ok") + ": safepip can do its job here")
    return "\n".join(lines) + "\n"


def doctor(args: Sequence[str], env: Environment, reporter: Reporter) -> int:
    """``safepip doctor [--json] [--python PATH]``; exit status EXIT_ENVIRONMENT on a problem."""
    as_json, python = _parse(args)
    report = gather(python, env, reporter)
    if as_json:
        text = json.dumps(dataclasses.asdict(report), indent=2) + "\n"
    else:
        text = render(report, _colour(env))
    try:
        env.stdout.write(text)
        env.stdout.flush()
    except BrokenPipeError:
        pass
    return 0 if report.ok else EXIT_ENVIRONMENT
