"""The project a command is run in: the folder whose ``.venv`` libraries belong in, found by
:func:`safepip.target.project_root.find_root` (the markers, checkouts and the home folder's
boundary are described there).
"""

from __future__ import annotations

from pathlib import Path

from safepip.exceptions import SettingsError
from safepip.records import Frozen
from safepip.target.project_root import MARKERS, find_root

__all__ = [
    "MARKERS",
    "VENV_NAME",
    "Project",
    "VenvTarget",
    "declared_names",
    "find_project",
    "requirement_file_names",
    "venv_target",
]

VENV_NAME = ".venv"


class Project(Frozen):
    """A project root and the marker that made it one."""

    __slots__ = ("marker", "root")
    root: Path
    marker: str

    def __init__(self, root: Path, marker: str) -> None:
        self._set(root=root, marker=marker)

    @property
    def venv(self) -> Path:
        return self.root / VENV_NAME


class VenvTarget(Frozen):
    """Where a redirect goes: the venv path and the project it belongs to (None: no project
    was found, so the working directory becomes one)."""

    __slots__ = ("path", "project")
    path: Path
    project: Project | None

    def __init__(self, path: Path, project: Project | None) -> None:
        self._set(path=path, project=project)

    @property
    def project_root(self) -> Path | None:
        return self.project.root if self.project else None


def find_project(cwd: Path, home: Path) -> Project | None:
    """The nearest project root at or above ``cwd`` (below the home folder), or None."""
    found = find_root(str(cwd), str(home))
    return Project(Path(found[0]), found[1]) if found else None


def venv_target(cwd: Path, home: Path) -> VenvTarget:
    """The ``.venv`` of the project at or above ``cwd`` (of ``cwd`` itself outside any)."""
    project = find_project(cwd, home)
    root = project.root if project else cwd
    return VenvTarget(root / VENV_NAME, project)


def _requirement_name(text: str) -> str | None:
    from safepip.names import leading_name

    return leading_name(text)


def requirement_file_names(path: Path) -> list[str]:
    """The canonical names a requirements file lists (options and comments skipped)."""
    names: list[str] = []
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return names
    for raw in lines:
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        name = _requirement_name(line)
        if name:
            names.append(name)
    return names


def declared_names(root: Path) -> dict[str, str]:
    """Canonical names of the packages the project declares, each with where it is declared:
    ``[project] dependencies`` and ``optional-dependencies``, ``[dependency-groups]`` (PEP 735),
    and ``requirements*.txt`` in the project root."""
    from safepip.tomlfile import load_toml

    declared: dict[str, str] = {}

    def add(texts: object, where: str) -> None:
        if isinstance(texts, list):
            for text in texts:
                name = _requirement_name(text) if isinstance(text, str) else None
                if name:
                    declared.setdefault(name, where)

    try:
        data = load_toml(root / "pyproject.toml")
    except SettingsError:
        data = {}
    project = data.get("project", {})
    if isinstance(project, dict):
        add(project.get("dependencies"), "pyproject.toml [project] dependencies")
        optional = project.get("optional-dependencies", {})
        if isinstance(optional, dict):
            for extra, texts in optional.items():
                add(texts, f"pyproject.toml optional-dependencies.{extra}")
    groups = data.get("dependency-groups", {})
    if isinstance(groups, dict):
        for group, texts in groups.items():
            add(texts, f"pyproject.toml dependency-groups.{group}")
    for path in sorted(root.glob("requirements*.txt")):
        for name in requirement_file_names(path):
            declared.setdefault(name, path.name)
    return declared


def python_excluded(root: Path, version: str) -> str | None:
    """The project's ``requires-python`` where it excludes Python ``version`` (the target
    interpreter's, which its ``.venv`` is made from), else None: pip then finds no release that
    fits, or refuses the project itself, and says nothing of why."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    from safepip.tomlfile import load_toml

    try:
        wanted = load_toml(root / "pyproject.toml").get("project", {}).get("requires-python")
        excluded = isinstance(wanted, str) and version not in SpecifierSet(wanted)
    except (SettingsError, AttributeError, InvalidSpecifier):
        return None
    return str(wanted) if excluded else None
