"""The environments a Python upgrade broke: among those safepip remembers making
(:mod:`safepip.target.made_envs`), the project's ``.venv``, the user environment, safepip's own
pipx, and the apps pipx and ``uv tool`` keep, each one whose interpreter is gone or whose base
Python is now another version than the one it was built for.

Nothing is run: the version it was built for is read from its ``pyvenv.cfg``
(``version_info``/``version``) or its ``lib/pythonX.Y`` folder, the version its interpreter is
now from where ``bin/python`` (or the ``home`` Python of a venv made with copies) really leads:
a ``pythonX.Y`` file, or the one ``lib/pythonX.Y/os.py`` beside it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from safepip.backends.uv import default_tool_dir
from safepip.doctor.findings import BrokenEnv
from safepip.environment import Environment

_VERSIONED = re.compile(r"python(\d+)\.(\d+)")


def built_for(venv: Path) -> str | None:
    """The ``X.Y`` of the Python ``venv`` was built for, or None where it does not say."""
    from safepip.target.venv import read_pyvenv_cfg

    cfg = read_pyvenv_cfg(venv)
    parts = (cfg.get("version_info") or cfg.get("version") or "").split(".")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
        return f"{parts[0]}.{parts[1]}"
    found = sorted(p.name for p in venv.glob("lib/python*.*") if _VERSIONED.fullmatch(p.name))
    return found[0][len("python") :] if len(found) == 1 else None


def _version_of(real: str) -> str | None:
    """The ``X.Y`` of the interpreter file ``real`` (a resolved path), by its name or by the one
    standard library beside it."""
    match = _VERSIONED.fullmatch(os.path.basename(real))
    if match:
        return f"{match[1]}.{match[2]}"
    prefix = Path(real).parent.parent
    found = [p.parent.name for p in prefix.glob("lib/python*.*/os.py")]
    found = [name for name in found if _VERSIONED.fullmatch(name)]
    return found[0][len("python") :] if len(found) == 1 else None


def interpreter_now(venv: Path) -> tuple[bool, str | None]:
    """Whether the venv's interpreter is there, and its ``X.Y`` now (None: cannot tell)."""
    from safepip.target.venv import read_pyvenv_cfg

    python = venv / "bin" / "python"
    if not python.exists():
        return False, None
    real = os.path.realpath(python)
    if real.startswith(os.path.realpath(venv) + os.sep):  # a copy: its home's Python
        home = read_pyvenv_cfg(venv).get("home", "")
        if not home or not os.path.isdir(home):
            return False, None
        candidates = [os.path.join(home, n) for n in ("python3", "python")]
        real = next((os.path.realpath(c) for c in candidates if os.path.exists(c)), real)
    return True, _version_of(real)


def judge(venv: Path, kind: str) -> BrokenEnv | None:
    """``venv`` broken by a Python upgrade, or None (fine, not a venv, or cannot tell)."""
    if not (venv / "pyvenv.cfg").is_file():
        return None
    wanted = built_for(venv)
    there, now = interpreter_now(venv)
    python = venv / "bin" / "python"
    if not there:
        from safepip.target.venv import read_pyvenv_cfg

        home = read_pyvenv_cfg(venv).get("home", "")
        built = f"Python {wanted}" if wanted else "a Python"
        where = f" in {home}" if home else ""
        problem = f"its interpreter is gone (it was built on {built}{where})"
        return BrokenEnv(str(venv), kind, wanted, None, problem)
    if wanted is None or now is None or wanted == now:
        return None
    problem = f"built for Python {wanted}, but {python} is now Python {now}"
    return BrokenEnv(str(venv), kind, wanted, now, problem)


def candidates(env: Environment) -> list[tuple[Path, str]]:
    """Every environment doctor looks at (path, kind), each once."""
    from safepip.backends.pipx_home import pipx_homes
    from safepip.target.made_envs import remembered
    from safepip.target.project import venv_target
    from safepip.target.user_place import user_env_path

    found = [(Path(m.path), m.kind) for m in remembered(env.state_dir)]
    found.append((venv_target(env.cwd, env.home).path, "venv"))
    found.append((user_env_path(env.data_dir), "user"))
    found.append((env.data_dir / "pipx", "safepip-pipx"))
    for pipx_home in pipx_homes(env.environ, env.home):
        found += [(p.parent, "pipx") for p in sorted(pipx_home.glob("venvs/*/pipx_metadata.json"))]
    found += [
        (p.parent, "uv-tool")
        for p in sorted(default_tool_dir(env.environ, env.home).glob("*/uv-receipt.toml"))
    ]
    seen: set[str] = set()
    unique = []
    for path, kind in found:
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            unique.append((path, kind))
    return unique


def find_broken(env: Environment) -> list[BrokenEnv]:
    """The environments a Python upgrade broke, in the order :func:`candidates` gives them."""
    found = (judge(path, kind) for path, kind in candidates(env))
    return [b for b in found if b is not None]
