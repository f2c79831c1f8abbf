"""The facts ``safepip doctor`` shows, as frozen dataclasses gathered into a :class:`Report`.

The field order of :class:`Report` and of every dataclass in it is the ``--json`` layout
(``dataclasses.asdict``), versioned by :data:`FORMAT`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: Version of the ``--json`` layout; raised only when a field changes meaning or goes away.
FORMAT = 1

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
    package_manager: str | None = None  # apt, dnf, pacman, apk; None: none safepip knows
    #: apt's binary package lists read for the distribution's packages (None: not apt's).
    package_lists: int | None = None
    lists_age_days: float | None = None  # since the newest of them was written


@dataclass(frozen=True)
class VenvSupport:
    venv: bool | None  # None: there is no interpreter to ask
    ensurepip: bool | None
    pip_by_copy: bool  # safepip's own pip runs on the target, so ensurepip is not needed
    can_create: bool | None
    fix: str | None  # the command that gives the target venv and ensurepip
    pip: str | None = None  # the version of pip new venvs get (None: ensurepip's)


@dataclass(frozen=True)
class ShimInfo:
    """One of safepip's ``pip``/``pip3`` shims (``safepip shims install``)."""

    path: str
    runs: str | None  # the safepip command it execs
    on_path: bool
    before_system: bool  # its folder comes before /usr/bin on PATH


@dataclass(frozen=True)
class StaleLinks:
    """A pipx app whose saved pip_args offer a temporary folder of an earlier safepip."""

    app: str
    metadata: str  # its pipx_metadata.json
    folders: list[str]


@dataclass(frozen=True)
class BrokenShared:
    """pipx's shared libraries (the pip all its apps use), found broken."""

    folder: str
    problem: str  # why: no bin/python, or its pip does not run


@dataclass(frozen=True)
class PipxInfo:
    found: bool
    path: str | None
    version: str | None
    provided_by_safepip: bool
    bin_dir: str
    bin_dir_on_path: bool
    path_fix: str | None
    home: str = ""  # where its apps' environments are (as root: the machine's, /opt/pipx)
    stale_find_links: list[StaleLinks] = field(default_factory=list)
    broken_shared: list[BrokenShared] = field(default_factory=list)


@dataclass(frozen=True)
class ProjectInfo:
    root: str | None  # None: no project found, the working directory would become one
    marker: str | None
    venv: str
    venv_status: str  # absent, ready, not-a-venv, broken, untrusted
    venv_problem: str
    venv_python: str | None
    venv_has_pip: bool | None
    venv_active: bool
    #: Outside a project, why libraries go to the user environment (``venv``) instead of a new
    #: ``.venv`` here; None in a project or an ordinary folder.
    user_env: str | None = None


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
    #: safepip's uv setting ($SAFEPIP_UV, use-uv): whether it is on, and the uv it then uses
    #: (None: not on PATH, so pip and pipx are used instead).
    uv_on: bool = False
    uv: str | None = None


@dataclass(frozen=True)
class Problem:
    message: str
    hint: str | None = None


@dataclass(frozen=True)
class BrokenEnv:
    """An environment whose base Python is gone or is now another version than the one it was
    built for (after a Python upgrade); ``safepip doctor --repair`` rebuilds it."""

    path: str
    kind: str  # venv, user, pipx, uv-tool, safepip-pipx
    built_for: str | None  # the Python version it was built for ("3.12")
    now: str | None  # the version its interpreter is now; None: it is gone
    problem: str


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
    shims: list[ShimInfo] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    broken: list[BrokenEnv] = field(default_factory=list)
