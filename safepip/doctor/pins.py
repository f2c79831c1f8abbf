"""Pins a new Python has no build for, in ``safepip doctor --repair``: a venv is rebuilt with
the versions its ``*.dist-info`` folders name (``name==version``), but a version built only for
the old Python (a ``cp312`` wheel, no sdist) cannot be installed on the new one. pip is asked
first, with ``--dry-run`` and its output kept: each pin it finds no distribution for becomes
``name>=version`` (the newest version with a build is then installed) and pip is asked again;
a pin that stays unfindable when loosened, or an index that cannot be reached, ends the
loosening (the install then fails as it would have, and nothing changes). After the install,
each change is named: "fixpin 1.0 → 1.1 (1.0 has no build for Python 3.13)".
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from safepip.child_environ import Policy
from safepip.environment import Environment

_NOT_FOUND = re.compile(r"No matching distribution found for (\S+)")
#: pip's words for an index it could not reach (not a version it lacks).
_UNREACHABLE = ("Could not fetch URL", "Retrying (", "HTTPError", "ProxyError", "NewConnection")


def loosen_pins(
    python: str, wanted: list[str], env: Environment, policy: Policy
) -> tuple[list[str], dict[str, str]]:
    """``wanted`` with the pins ``python`` has no build for made ``name>=version``, and those
    loosened (name → the version pinned)."""
    from safepip.pip.run import LAUNCHER
    from safepip.process import run_captured

    wanted = list(wanted)
    loosened: dict[str, str] = {}
    for _ in range(len(wanted) + 1):
        done = run_captured(
            [python, "-c", LAUNCHER, "install", "--dry-run", "--quiet", *wanted],
            environ=env.environ,
            policy=policy,
        )
        if done.returncode == 0 or any(word in done.stderr for word in _UNREACHABLE):
            break
        missing = _NOT_FOUND.findall(done.stderr)
        pin = missing[-1] if missing else ""
        name, _, version = pin.partition("==")
        if pin not in wanted or not version or name in loosened:
            break
        wanted[wanted.index(pin)] = f"{name}>={version}"
        loosened[name] = version
    return wanted, loosened


def changes(venv: Path, loosened: dict[str, str], python_version: str) -> list[str]:
    """How each loosened pin moved in ``venv``, in words."""
    from safepip.names import canonicalize_name
    from safepip.target.site_packages import dist_infos

    minor = ".".join(python_version.split(".")[:2])
    found = dist_infos(venv)
    said = []
    for name, old in sorted(loosened.items()):
        info = found.get(canonicalize_name(name))
        new = os.path.basename(info)[: -len(".dist-info")].rpartition("-")[2] if info else "?"
        said.append(f"{name} {old} → {new} ({old} has no build for Python {minor})")
    return said
