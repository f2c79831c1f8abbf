"""The package managers other than apt, as safepip asks them about a Python package: the names
each distribution gives it, the command that looks them up (run only on that distribution) and
what its answer says. Fedora/RHEL: ``python3dist(NAME)``, the name every Python package there
provides (``dnf repoquery --whatprovides``); Arch: ``python-MODULE`` (``pacman -Si``); Alpine:
``py3-NAME`` (``apk search --exact``). Their outputs are tested as captured from each
manager (``tests/data/packagers``)."""

from __future__ import annotations

import re
from collections.abc import Sequence

#: The name one distribution's package has, and its version as that distribution writes it;
#: ``url`` where the manager says it (pacman), "" otherwise.
Answer = tuple[str, str, str]


def stripped(name: str) -> list[str]:
    """``name`` (canonical) and the forms distributions drop a prefix from: python-dateutil ->
    dateutil, pyyaml -> yaml, py-cpuinfo -> cpuinfo."""
    forms = [name]
    for prefix in ("python-", "py-", "py"):
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            forms.append(name[len(prefix) :])
            break
    return forms


def names(manager: str, name: str, imports: Sequence[str]) -> list[str]:
    """The package names to look for, best first, by the distribution's naming rule."""
    modules = [m.lower().replace("_", "-") for m in imports]
    if manager == "dnf":
        return [f"python3dist({name})"]
    prefix = {"apt": "python3-", "pacman": "python-", "apk": "py3-"}[manager]
    found: list[str] = []
    ordered = [*modules, *stripped(name)] if manager != "apk" else [*stripped(name), *modules]
    for stem in ordered:
        if prefix + stem not in found:
            found.append(prefix + stem)
    return found


def query(manager: str, candidates: Sequence[str]) -> list[str]:
    """The command that asks ``manager`` about ``candidates`` (no root needed, no network)."""
    if manager == "dnf":
        qf = "%{name} %{evr}\\n"
        return ["dnf", "repoquery", "--quiet", "--cacheonly", "--latest-limit", "1", "--qf", qf,
                "--whatprovides", *candidates]  # fmt: skip
    if manager == "pacman":
        return ["pacman", "-Si", *candidates]
    return ["apk", "search", "--exact", *candidates]


def install(manager: str, *packages: str) -> list[str]:
    """The command that installs ``packages`` without asking (run as root)."""
    return {
        "apt": ["apt-get", "install", "-y", "--no-install-recommends"],
        "dnf": ["dnf", "install", "-y"],
        "pacman": ["pacman", "-S", "--noconfirm", "--needed"],
        "apk": ["apk", "add"],
    }[manager] + list(packages)


def shown(manager: str, *packages: str) -> str:
    """The command a user types to install ``packages``."""
    words = {"apt": "apt install", "dnf": "dnf install", "pacman": "pacman -S", "apk": "apk add"}
    return f"sudo {words[manager]} {' '.join(packages)}"


def parse(manager: str, output: str) -> list[Answer]:
    """What the manager's answer to :func:`query` names, in its order."""
    if manager == "dnf":
        return [
            (w[0], w[1], "") for w in (line.split() for line in output.splitlines()) if len(w) == 2
        ]
    if manager == "pacman":
        return _pacman(output)
    found = []
    for line in output.splitlines():
        matched = re.match(r"^(\S+)-(\d[^-\s]*-r\d+)(\s|$)", line.strip())
        if matched:
            found.append((matched.group(1), matched.group(2), ""))
    return found


def _pacman(output: str) -> list[Answer]:
    found: list[Answer] = []
    fields: dict[str, str] = {}
    for line in [*output.splitlines(), ""]:
        key, colon, value = line.partition(":")
        if colon and not line.startswith(" "):
            fields[key.strip()] = value.strip()
        elif not line.strip() and fields:
            if fields.get("Name") and fields.get("Version"):
                found.append((fields["Name"], fields["Version"], fields.get("URL", "")))
            fields = {}
    return found
