"""Judging a :class:`~safepip.doctor.findings.Report`: the blocking problems and the notes worth
knowing are derived from its facts by :func:`assess` alone."""

from __future__ import annotations

from pathlib import Path

from safepip.doctor.findings import (
    BrokenEnv,
    DistributionInfo,
    PipxInfo,
    Problem,
    ProjectInfo,
    Report,
)

#: How doctor names each kind of environment.
#: Package lists older than this many days get a note (``apt-get update``).
STALE_LISTS_DAYS = 30

KINDS = {
    "venv": "a .venv",
    "user": "your user environment",
    "pipx": "a pipx app",
    "uv-tool": "a uv tool",
    "safepip-pipx": "safepip's own pipx",
}


def assess(report: Report) -> tuple[list[Problem], list[Problem]]:
    """What blocks safepip's job (problems), and what is worth knowing (notes)."""
    problems: list[Problem] = []
    target = report.interpreter
    if target.error is not None:
        problems.append(Problem(target.error, target.error_hint))
    broken = {b.path for b in report.broken}
    if report.project.venv not in broken:
        problems.extend(_project_problems(report.project))
    problems.extend(_upgraded(report.broken))
    blocking, notes = _creation(report)
    problems.extend(blocking)
    notes.extend(_pipx_notes(report.pipx))
    if report.config.uv_on and report.config.uv is None:
        notes.append(
            Problem(
                "safepip's uv setting is on, but uv is not on PATH: pip and pipx install instead "
                "(and uv's tools are not listed)",
                "put uv on PATH, or turn the setting off (SAFEPIP_UV=0, use-uv = false)",
            )
        )
    notes.extend(_other_python(report))
    notes.extend(_package_lists(report.distribution))
    problems.extend(_pipx_problems(report.pipx))
    notes.extend(
        Problem(
            f"safepip's shim {shim.path} is "
            + ("on PATH after /usr/bin" if shim.on_path else "not on PATH")
            + ": scripts that run pip get the system's pip",
            f"put {Path(shim.path).parent} before /usr/bin on PATH (e.g. in ~/.profile)",
        )
        for shim in report.shims
        if not shim.before_system
    )
    return problems, notes


def _pipx_problems(pipx: PipxInfo) -> list[Problem]:
    """A pipx that does not run, broken shared libraries, and stale find-links: each makes
    application installs or upgrades fail."""
    problems = _stale_links(pipx)
    if pipx.found and pipx.version is None:
        problems.append(
            Problem(
                f"pipx ({pipx.path}) does not run (`pipx --version` failed): every "
                "application install and upgrade fails",
                "reinstall it with its package manager (e.g. apt install --reinstall pipx), or "
                "remove it from PATH: safepip then provides a pipx of its own",
            )
        )
    problems.extend(
        Problem(
            f"pipx's shared libraries in {broken.folder} are broken ({broken.problem}): "
            "every pipx install and upgrade fails",
            "safepip doctor --repair (removes that folder, pipx's own cache of pip; pipx makes "
            "it again)",
        )
        for broken in pipx.broken_shared
    )
    return problems


def _other_python(report: Report) -> list[Problem]:
    """The .venv of another Python than the target interpreter's: pip installs into it as it
    is (``--recreate-venv`` makes it again from the target)."""
    target, project = report.interpreter, report.project
    if not (target.version and project.venv_python and project.venv_status == "ready"):
        return []
    if project.venv_python.split(".")[:2] == target.version.split(".")[:2]:
        return []
    return [
        Problem(
            f"{project.venv} is Python {project.venv_python}, but the target interpreter "
            f"{target.path} is Python {target.version}: installs go into the .venv as it is",
            "to make it again from the target: safepip install --recreate-venv ...",
        )
    ]


def _upgraded(broken: list[BrokenEnv]) -> list[Problem]:
    """One problem for all the environments a Python upgrade broke (each is a line above)."""
    if not broken:
        return []
    count = "1 environment" if len(broken) == 1 else f"{len(broken)} environments"
    return [
        Problem(
            f"{count} broke when the Python they were built on changed (listed as broken above)",
            "safepip doctor --repair rebuilds them on the current Python, with the same "
            "distributions and versions (--dry-run: what it would do)",
        )
    ]


def _stale_links(pipx: PipxInfo) -> list[Problem]:
    """pipx apps whose saved pip_args offer a temporary folder of an earlier safepip: whoever
    re-creates that folder chooses what their next ``pipx upgrade``/``reinstall`` installs."""
    return [
        Problem(
            f"pipx app {stale.app} keeps --find-links {', '.join(stale.folders)} in "
            f"{stale.metadata} (left there by an earlier safepip); the folder is gone, and "
            "whoever creates it again decides what `pipx upgrade`/`reinstall` installs",
            "safepip doctor --repair (removes only these entries from its pip_args)",
        )
        for stale in pipx.stale_find_links
    ]


def _project_problems(project: ProjectInfo) -> list[Problem]:
    """The project's .venv, when it exists and cannot be used."""
    from safepip.target.venv import INSTALL, no_pip_hint, unusable_hint

    if project.venv_status == "untrusted":
        from safepip.target.venv import VenvState, refusal

        error = refusal(VenvState(Path(project.venv), "untrusted", project.venv_problem))
        return [Problem(error.message, error.hint)]
    if project.venv_status in ("broken", "not-a-venv"):
        return [
            Problem(
                f"{project.venv} cannot be used: {project.venv_problem}",
                unusable_hint(INSTALL),
            )
        ]
    if project.venv_status == "ready" and project.venv_has_pip is False:
        return [
            Problem(
                f"{project.venv} has no pip in it",
                no_pip_hint(Path(project.venv), "safepip install --recreate-venv ..."),
            )
        ]
    return []


def _creation(report: Report) -> tuple[list[Problem], list[Problem]]:
    """Whether the target can create venvs: (problems, notes)."""
    target, support, project = report.interpreter, report.venv_support, report.project
    if target.mode == "redirect" and support.can_create is False:
        blocked = project.venv_status != "ready"
        message = f"{target.path} is externally managed and cannot create virtual environments" + (
            "" if blocked else "; the existing .venv still works"
        )
        found = [Problem(message, support.fix)]
        return (found, []) if blocked else ([], found)
    if support.can_create and support.ensurepip is False:
        problem = Problem(
            f"`{target.path} -m venv` makes venvs without pip here (no ensurepip): libraries "
            "still go into a .venv (safepip copies its own pip), but applications cannot be "
            "installed until it is there (pipx makes its venvs with ensurepip)",
            support.fix,
        )
        return [problem], []
    return [], []


def _pipx_notes(pipx: PipxInfo) -> list[Problem]:
    """pipx missing, or its commands' directory not on PATH."""
    notes: list[Problem] = []
    if not pipx.found:
        notes.append(
            Problem(
                "pipx is not installed; safepip installs its own the first time an application "
                "goes to pipx",
                "to use your distribution's instead: install pipx with its package manager "
                "(e.g. sudo apt install pipx)",
            )
        )
    if pipx.path_fix is not None:
        notes.append(
            Problem(
                f"pipx puts commands in {pipx.bin_dir}, which is not on PATH",
                pipx.path_fix,
            )
        )
    return notes


def _package_lists(dist: DistributionInfo) -> list[Problem]:
    """apt without package lists, or with old ones: the distribution's packages safepip names
    (explain, --distro) are unknown or may be out of date."""
    if dist.package_manager != "apt" or dist.package_lists is None:
        return []
    if dist.package_lists == 0:
        return [
            Problem(
                "apt has no package lists here (apt-get update was never run): safepip cannot "
                "say which libraries the distribution packages, nor install them with --distro",
                "sudo apt-get update",
            )
        ]
    age = dist.lists_age_days
    if age is None or age <= STALE_LISTS_DAYS:
        return []
    return [
        Problem(
            f"apt's package lists were last updated {int(age)} days ago: the distribution's "
            "packages and versions safepip names may be out of date",
            "sudo apt-get update",
        )
    ]
