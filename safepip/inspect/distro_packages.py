"""The distribution's own package of a requirement: the fourth home, named by its real name.

For each named requirement: whether the operating system's package manager has it, under which
name and version, and whether that version satisfies the requirement, from what the machine
already has (no network). Debian/Ubuntu: apt's lists (:mod:`safepip.inspect.apt_lists`), the
name from dh-python's ``cpython3_fallback`` list where it is installed, else Debian's policy
(``python3-<module>``, from the wheel's import names where they were looked up, and the name's
own forms), else the ``python3-*`` package built from a source package of that name; a package
found by a name rule is offered only where its ``Source:`` or ``Homepage:`` says it is the same
project (PyPI's ``serial`` is not Debian's ``python3-serial``). Other distributions: their
manager is asked (:mod:`safepip.inspect.packagers`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from safepip.inspect import packagers
from safepip.inspect.apt_lists import AptIndex, AptPackage, apt_index
from safepip.names import canonicalize_name

FALLBACK = Path("/usr/share/dh-python/dist/cpython3_fallback")
NO_LISTS = "no package lists (apt-get update was never run)"


@dataclass(frozen=True)
class Packaged:
    """A requirement's package in the distribution: ``satisfies`` False where the
    requirement's specifier or markers exclude its version (None: its version is no PEP 440
    version)."""

    manager: str
    distribution: str
    package: str
    version: str
    satisfies: bool | None

    @property
    def command(self) -> str:
        """What the user types to install it."""
        return packagers.shown(self.manager, self.package)

    def as_json(self) -> dict[str, object]:
        return {
            "manager": self.manager,
            "package": self.package,
            "version": self.version,
            "satisfies": self.satisfies,
            "command": self.command,
        }

    def brief(self) -> str:
        """``also packaged by Debian: python3-yaml 6.0-3+b2 (sudo apt install python3-yaml)``."""
        return (
            f"also packaged by {self.distribution}: {self.package} {self.version} ({self.command})"
        )

    def line(self) -> str:
        """``also packaged by Debian: python3-yaml 6.0-3 — sudo apt install python3-yaml``."""
        said = f"also packaged by {self.distribution}: {self.package} {self.version}"
        if self.satisfies is False:
            return f"{said}, which does not satisfy it"
        return f"{said} — {self.command}"


@dataclass(frozen=True)
class Wanted:
    """A requirement as the look-up needs it: as typed, and its import names where known."""

    text: str
    imports: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lookup:
    """What the distribution has for each requirement (by its text; missing: nothing), and a
    ``note`` where it could not be learned (no package lists), for the manager found."""

    manager: str | None
    distribution: str
    found: Mapping[str, Packaged]
    note: str | None = None


def fallback_names(path: Path = FALLBACK) -> dict[str, str]:
    """dh-python's list of PyPI names -> Debian packages (canonical names), where installed."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    found: dict[str, str] = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 2 and not words[0].startswith("#"):
            found.setdefault(canonicalize_name(words[0]), words[1])
    return found


def _segments(url: str) -> set[str]:
    parts = re.split(r"[/.:?#=]+", url.lower())
    return {canonicalize_name(p) for p in parts if p}


def same_project(name: str, package: AptPackage) -> bool:
    """Whether Debian's ``package`` is the PyPI project ``name`` by its source package's name
    or its homepage (``python3-serial`` is pyserial's, not the PyPI project ``serial``)."""
    forms = {*packagers.stripped(name), f"python-{name}"}
    source = canonicalize_name(package.source)
    if source in forms and not source.startswith("python3-"):
        return True
    return name in _segments(package.homepage)


def _requirements(
    wanted: Sequence[Wanted],
) -> Iterator[tuple[Wanted, str, str, bool]]:
    """Each requirement that parses, with its canonical name, specifier and whether its
    markers allow it here."""
    from packaging.requirements import InvalidRequirement, Requirement

    for one in wanted:
        try:
            parsed = Requirement(one.text)
        except InvalidRequirement:
            continue
        allowed = parsed.marker is None or parsed.marker.evaluate({"extra": ""})
        yield one, canonicalize_name(parsed.name), str(parsed.specifier), allowed


def _apt_package(
    name: str, imports: Sequence[str], index: AptIndex, fallback: Mapping[str, str]
) -> AptPackage | None:
    """The ``python3-*`` package of the PyPI project ``name``, if Debian has it."""
    listed = fallback.get(name)
    if listed is not None and listed in index.packages:
        return index.packages[listed]  # dh-python's own list: no check needed
    for candidate in packagers.names("apt", name, imports):
        real = index.provides.get(candidate, candidate)
        package = index.packages.get(real)
        if package is not None and same_project(name, package):
            return package
    built = [
        p
        for p in index.packages.values()
        if canonicalize_name(p.source) in {name, f"python-{name}"}
        and not p.name.endswith(("-dbg", "-doc"))
    ]
    return min(built, key=lambda p: (len(p.name), p.name)) if built else None


def _apt(
    wanted: Sequence[Wanted], environ: Mapping[str, str], cache_dir: Path | None, shown: str
) -> Lookup:
    from safepip.inspect.distro_version import satisfies

    index = apt_index(environ, cache_dir)
    if not index.lists:
        return Lookup("apt", shown, {}, NO_LISTS)
    fallback = fallback_names()
    found: dict[str, Packaged] = {}
    for one, name, specifier, allowed in _requirements(wanted):
        package = _apt_package(name, one.imports, index, fallback)
        if package is not None:
            fits = satisfies(package.version, specifier) if allowed else False
            found[one.text] = Packaged("apt", shown, package.name, package.version, fits)
    return Lookup("apt", shown, found)


def _asked(
    manager: str, shown: str, wanted: Sequence[Wanted], environ: Mapping[str, str]
) -> Lookup:
    """Another distribution's manager asked, one query per requirement."""
    from safepip.child_environ import AS_IS
    from safepip.inspect.distro_version import satisfies
    from safepip.process import run_captured

    found: dict[str, Packaged] = {}
    for one, name, specifier, allowed in _requirements(wanted):
        candidates = packagers.names(manager, name, one.imports)
        try:
            done = run_captured(
                packagers.query(manager, candidates), environ=environ, policy=AS_IS, timeout=10
            )
        except (OSError, ValueError, RuntimeError):
            return Lookup(manager, shown, found, f"{manager} could not be asked")
        except Exception:  # a timeout: subprocess.SubprocessError
            return Lookup(manager, shown, found, f"{manager} did not answer in time")
        answer = answer_for(manager, name, candidates, done.stdout)
        if answer is not None:
            fits = satisfies(answer[1], specifier) if allowed else False
            found[one.text] = Packaged(manager, shown, answer[0], answer[1], fits)
    return Lookup(manager, shown, found)


def answer_for(
    manager: str, name: str, candidates: Sequence[str], output: str
) -> packagers.Answer | None:
    """The package of ``name`` in the manager's ``output``: the first candidate it names (for
    pacman, whose ``python-MODULE`` may be another project, confirmed by its URL or name)."""
    answers = packagers.parse(manager, output)
    if manager == "dnf":
        return answers[0] if answers else None
    by_name = {a[0]: a for a in answers}
    for candidate in candidates:
        answer = by_name.get(candidate)
        if answer is None:
            continue
        exact = candidate == f"python-{name}"
        if manager != "pacman" or exact or name in _segments(answer[2]):
            return answer
    return None


def look_up(
    wanted: Sequence[Wanted],
    environ: Mapping[str, str],
    cache_dir: Path | None,
    *,
    root_dir: str | None = None,
) -> Lookup:
    """What this machine's distribution packages of ``wanted``."""
    from safepip.target.distro import package_manager

    manager = package_manager(root_dir=root_dir)
    if manager is None:
        return Lookup(None, "", {})
    if manager[0] == "apt":
        return _apt(wanted, environ, cache_dir, manager[1])
    return _asked(manager[0], manager[1], wanted, environ)
