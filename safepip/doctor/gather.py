"""Gathering the facts of a :class:`~safepip.doctor.findings.Report` about this machine and this
project; reads only, never installs or creates anything.

Most helpers import what they ask lazily, so that loading the command stays cheap.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from safepip.doctor.assess import assess
from safepip.doctor.broken import find_broken
from safepip.doctor.findings import (
    FORMAT,
    BrokenEnv,
    BrokenShared,
    ConfigInfo,
    DistributionInfo,
    InterpreterInfo,
    Mode,
    OverrideInfo,
    PipxInfo,
    Problem,
    ProjectInfo,
    Report,
    SafepipInfo,
    ShimInfo,
    VenvSupport,
)
from safepip.environment import Environment
from safepip.exceptions import SafepipError
from safepip.report import Reporter

if TYPE_CHECKING:
    from safepip.target.interpreter import Probe

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


def _safepip_info(env: Environment) -> SafepipInfo:
    from safepip import __version__
    from safepip.target.own_pip import own_pip

    pip = own_pip()
    return SafepipInfo(__version__, env.own_executable, pip.version if pip else None)


def _interpreter(python: str | None, env: Environment) -> tuple[InterpreterInfo, Probe | None]:
    """The target, and what it says of itself when it runs."""
    from safepip.target.interpreter import find_target, probe
    from safepip.target.pep668 import externally_managed

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
    mode, reason = _mode(target.is_venv, managed is not None, facts, env)
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


def _mode(is_venv: bool, managed: bool, facts: Probe, env: Environment) -> tuple[Mode, str]:
    if is_venv:
        return "pass-through", "it is a virtual environment, where pip works"
    if not managed:
        return "pass-through", "it is not externally managed, so pip works"
    from safepip.pip.parser import parse
    from safepip.target.pep668 import exemption

    why = exemption(parse(["install"]), facts, env)
    if why is not None:
        return "pass-through", why
    return "redirect", "libraries go into the project's .venv, applications to pipx"


def _distribution(env: Environment) -> DistributionInfo:
    try:
        import distro

        names = (distro.id(), distro.name(), distro.version(), distro.name(pretty=True))
    except Exception:  # advisory only
        names = ("", "", "", "")
    return DistributionInfo(*names, *_package_lists(env))


def _package_lists(env: Environment) -> tuple[str | None, int | None, float | None]:
    """The package manager safepip found, and for apt how many package lists it has and how
    many days ago the newest was written (only the files' times: nothing is parsed)."""
    import time

    from safepip.inspect.apt_lists import list_files, lists_folder, newest_written
    from safepip.target.distro import package_manager

    manager = package_manager()
    if manager is None or manager[0] != "apt":
        return (manager[0] if manager else None), None, None
    files = list_files(lists_folder(env.environ))
    newest = newest_written(files)
    age = None if newest is None else round(max(0.0, time.time() - newest) / 86400, 1)
    return "apt", len(files), age


def _venv_support(facts: Probe | None, env: Environment) -> VenvSupport:
    from safepip.target.distro import venv_package_hint
    from safepip.target.interpreter import ask
    from safepip.target.own_pip import own_pip, pip_supports

    if facts is None:
        return VenvSupport(None, None, False, None, None)
    try:
        completed = ask(facts.executable, _CAPABILITIES, env=env)
        found: dict[str, bool] = json.loads(completed.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        found = {"venv": False, "ensurepip": False}
    pip = own_pip()
    by_copy = pip is not None and pip_supports(pip, facts.version)
    has_venv, has_ensurepip = bool(found.get("venv")), bool(found.get("ensurepip"))
    can_create = has_venv and (by_copy or has_ensurepip)
    fix = None if has_venv and has_ensurepip else venv_package_hint(facts.version)
    version = pip.version if pip is not None and by_copy else None
    return VenvSupport(has_venv, has_ensurepip, by_copy, can_create, fix, version)


def _shims(env: Environment) -> list[ShimInfo]:
    from safepip.operations.shim_files import default_dir, installed_on_path, path_position

    found = []
    for shim in installed_on_path(env.environ, [default_dir(env.home)]):
        on_path, first = path_position(shim.path.parent, env.environ)
        found.append(ShimInfo(str(shim.path), shim.runs, on_path, first))
    return found


def _pipx(env: Environment) -> PipxInfo:
    from safepip.backends.pipx import bin_dir, find_pipx
    from safepip.child_environ import ChosenTarget
    from safepip.hints import path_hint
    from safepip.process import run_captured

    pipx = find_pipx(env)
    version = None
    if pipx is not None:
        try:
            completed = run_captured(
                [*pipx.command, "--version"],
                environ=env.environ,
                policy=ChosenTarget(),
                timeout=60,
            )
            lines = completed.stdout.strip().splitlines()
            version = lines[-1].strip() if completed.returncode == 0 and lines else None
        except (OSError, subprocess.SubprocessError):
            version = None
    from safepip.backends.pipx_home import app_venv
    from safepip.doctor.pipx_links import find_stale

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
        home=str(app_venv("x", env).parent.parent),
        stale_find_links=find_stale(env.environ, env.home),
        broken_shared=_broken_shared(env) if pipx is not None else [],
    )


def _broken_shared(env: Environment) -> list[BrokenShared]:
    from safepip.backends.pipx_home import shared_folders, shared_problem

    found = []
    for shared in shared_folders(env.environ, env.home):
        problem = shared_problem(shared, env.environ)
        if problem is not None:
            found.append(BrokenShared(str(shared), problem))
    return found


def _project(env: Environment, broken: list[BrokenEnv]) -> ProjectInfo:
    """The project and the venv its libraries go to (the user environment where no project
    starts, as the install decides); one a Python upgrade broke is ``broken``, not ready."""
    from safepip.paths import same_path
    from safepip.pip.run import venv_has_pip
    from safepip.target.project import venv_target
    from safepip.target.user_place import libraries_home, why_user_env
    from safepip.target.venv import VenvState, read_pyvenv_cfg, read_venv

    where = venv_target(env.cwd, env.home)
    project = where.project
    path = libraries_home(where.path, project is not None, env.cwd, env.home, env.data_dir)
    state = read_venv(path)
    upgraded = next((b for b in broken if same_path(b.path, path)), None)
    if state.status == "ready" and upgraded is not None:
        state = VenvState(path, "broken", upgraded.problem)
    ready = state.status == "ready"
    cfg = read_pyvenv_cfg(path) if ready else {}
    active = env.environ.get("VIRTUAL_ENV", "")
    return ProjectInfo(
        root=str(project.root) if project else None,
        marker=project.marker if project else None,
        venv=str(path),
        venv_status=state.status,
        venv_problem=state.problem,
        venv_python=(cfg.get("version_info") or cfg.get("version")) if ready else None,
        venv_has_pip=venv_has_pip(str(path)) if ready else None,
        venv_active=bool(active) and same_path(active, path),
        user_env=None if project or path == where.path else why_user_env(env.cwd, env.home),
    )


def _config(env: Environment, project_root: str | None, notes: list[Problem]) -> ConfigInfo:
    from safepip.decide.settings import overrides

    found = overrides(
        env.environ,
        Path(project_root) if project_root else None,
        env.config_dir,
        lambda message: notes.append(Problem(message)),
        env.state_dir,
    )
    user_file = env.config_dir / "config.toml"
    shown = {
        name: value
        for name, value in sorted(env.environ.items())
        if name.startswith("SAFEPIP_") or name in RELATED_VARIABLES
    }
    from safepip.backends.uv import find_uv
    from safepip.decide.settings import use_uv

    uv_on = use_uv(env.environ, env.config_dir)
    uv = find_uv(env) if uv_on else None
    return ConfigInfo(
        user_file=str(user_file),
        user_file_exists=user_file.is_file(),
        overrides=[
            OverrideInfo(o.label, o.default, dict(sorted(o.packages.items()))) for o in found
        ],
        environment=shown,
        uv_on=uv_on,
        uv=uv.path if uv is not None else None,
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
    broken = find_broken(env)
    project = _project(env, broken)
    config = _config(env, project.root, notes)
    report = Report(
        format=FORMAT,
        ok=True,
        safepip=_safepip_info(env),
        interpreter=interpreter,
        distribution=_distribution(env),
        venv_support=support,
        pipx=pipx,
        project=project,
        config=config,
        shims=_shims(env),
        notes=notes,
        broken=broken,
    )
    problems, more_notes = assess(report)
    report.problems = problems
    report.notes = [*more_notes, *notes]
    report.ok = not problems
    return report
