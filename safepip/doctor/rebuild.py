"""``safepip doctor --repair``: the environments a Python upgrade broke
(:mod:`safepip.doctor.broken`), rebuilt on the current interpreter with what they had.

What a venv had is read from its ``*.dist-info`` folders, never by running its interpreter:
each distribution at its version, an editable install editable again and a URL or path install
from where it came (``direct_url.json``). The new venv is made beside the old one under a
temporary name, gets them installed and must import them; only then is the old one renamed to
``<name>.old-<date>``, the new one put in its place (its scripts told their new path) and the
old one removed (``--keep-old`` keeps it). Any failure, Ctrl-C included, removes the new one and
leaves the old one exactly as it was. A pin the new Python has no build for is loosened to the
newest version that has one, and the change named (:mod:`safepip.doctor.pins`). pipx apps and
uv tools are reinstalled by their own tool (:mod:`safepip.doctor.rebuild_apps`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from safepip.child_environ import ChosenTarget
from safepip.doctor.findings import BrokenEnv
from safepip.doctor.rebuild_apps import (
    drop_old,
    pipx_command,
    reinstall_app,
    reinstall_uv_tool,
    uv_tool_args,
)
from safepip.environment import Environment
from safepip.exceptions import Interrupted, SafepipError
from safepip.report import Reporter
from safepip.target.interpreter import Probe

#: Distributions every new venv gets anyway.
_SEEDED = frozenset({"pip"})

_IMPORTS = """\
import importlib, sys
failed = []
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except BaseException as error:
        failed.append(f"{name} ({type(error).__name__}: {error})")
print("\\n".join(failed))
"""


def requirements(venv: Path) -> list[str]:
    """pip's install arguments for what ``venv`` has (its dist-info folders)."""
    from safepip.target.site_packages import dist_infos

    found: list[str] = []
    for name, info in sorted(dist_infos(venv).items()):
        if name in _SEEDED:
            continue
        version = os.path.basename(info)[: -len(".dist-info")].rpartition("-")[2]
        found += _requirement(name, version, Path(info))
    return found


def _requirement(name: str, version: str, info: Path) -> list[str]:
    try:
        direct = json.loads((info / "direct_url.json").read_text(encoding="utf-8"))
        url = str(direct["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return [f"{name}=={version}"]
    if (direct.get("dir_info") or {}).get("editable"):
        from safepip.urls import url_to_path

        path = url_to_path(url)
        return ["-e", str(path) if path is not None else url]
    vcs = direct.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs"):
        commit = f"@{vcs['commit_id']}" if vcs.get("commit_id") else ""
        return [f"{name} @ {vcs['vcs']}+{url}{commit}"]
    return [f"{name} @ {url}"]


def top_level_modules(venv: Path) -> list[str]:
    """The importable top-level names the non-editable distributions of ``venv`` installed
    (from their RECORD files), private ones left out."""
    from safepip.target.site_packages import dist_infos

    names: set[str] = set()
    for dist, info in dist_infos(venv).items():
        if dist in _SEEDED:
            continue
        try:
            lines = (Path(info) / "RECORD").read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        for line in lines:
            path = line.split(",", 1)[0]
            first, _, rest = path.partition("/")
            if rest == "__init__.py" or (not rest and first.endswith(".py")):
                name = first.removesuffix(".py")
                if name.isidentifier() and not name.startswith("_"):
                    names.add(name)
    return sorted(names)


def _make_new(venv: Path, probe: Probe, env: Environment) -> Path:
    from safepip.target.venv import read_pyvenv_cfg
    from safepip.target.venv_create import create_venv

    system = read_pyvenv_cfg(venv).get("include-system-site-packages", "").lower() == "true"
    new = venv.with_name(f"{venv.name}.safepip-new-{os.urandom(4).hex()}")
    create_venv(new, probe.executable, probe, env, system_site_packages=system)
    return new


def _fill(
    new: Path, wanted: list[str], modules: list[str], env: Environment
) -> tuple[str | None, dict[str, str]]:
    """Install ``wanted`` into ``new`` (pins it has no build for loosened, see
    :mod:`safepip.doctor.pins`) and import ``modules`` there: what failed (or None), and the
    pins loosened."""
    from safepip.doctor.pins import loosen_pins
    from safepip.pip.run import LAUNCHER, run_pip
    from safepip.process import run_captured

    python = str(new / "bin" / "python")
    policy = ChosenTarget(venv=str(new))
    loosened: dict[str, str] = {}
    if wanted:
        wanted, loosened = loosen_pins(python, wanted, env, policy)
        code = run_pip(
            [python, "-c", LAUNCHER],
            ["install", *wanted],
            environ=env.environ,
            policy=policy,
            interactive=bool(env.stdin_isatty),
        )
        if code != 0:
            return f"pip exited with {code}", loosened
    if modules:
        done = run_captured([python, "-c", _IMPORTS, *modules], environ=env.environ, policy=policy)
        failed = done.stdout.strip()
        if done.returncode != 0 or failed:
            failed = (failed or done.stderr.strip()).replace("\n", "; ")
            return f"these do not import: {failed}", loosened
    return None, loosened


def rebuild_venv(
    broken: BrokenEnv, probe: Probe, env: Environment, reporter: Reporter, keep_old: bool
) -> bool:
    """Rebuild the venv of ``broken`` on ``probe``'s interpreter; whether it worked (the old one
    untouched otherwise)."""
    from safepip.doctor.pins import changes
    from safepip.target.lock import EnvironmentLock
    from safepip.target.venv import move_aside, remove_venv
    from safepip.target.venv_create import relocate

    venv = Path(broken.path)
    wanted, modules = requirements(venv), top_level_modules(venv)
    reporter.info(f"rebuilding {venv} on {probe.executable} (Python {probe.version})")
    with EnvironmentLock(env.cache_dir / "locks", venv, on_wait=lambda: None):
        new: Path | None = None
        try:
            new = _make_new(venv, probe, env)
            failed, loosened = _fill(new, wanted, modules, env)
            if failed is not None:
                remove_venv(new)
                reporter.error(f"repair: {venv} was not rebuilt ({failed}); it is as it was")
                return False
            temporary, old = new, move_aside(venv)
            try:
                os.rename(temporary, venv)
            except OSError:
                os.rename(old, venv)
                raise
            new = None
            relocate(temporary, venv)
        except (Interrupted, KeyboardInterrupt, SafepipError, OSError) as error:
            if new is not None:
                remove_venv(new)
            if not isinstance(error, (SafepipError, OSError)):
                raise
            reporter.error(f"repair: {venv} was not rebuilt ({error}); it is as it was")
            return False
    for change in changes(venv, loosened, probe.version):
        reporter.info(f"repair: {venv}: {change}")
    drop_old(old, keep_old, reporter)
    return True


def repair_broken(
    broken: list[BrokenEnv],
    python: str | None,
    env: Environment,
    reporter: Reporter,
    *,
    dry_run: bool,
    keep_old: bool,
) -> list[BrokenEnv]:
    """Rebuild (or with ``dry_run`` say how) each of ``broken`` on the target interpreter
    (``--python``, else as ``safepip install`` finds it); those still broken after."""
    from safepip.target.interpreter import find_target, probe

    facts = probe(find_target(python, env).path, env)
    left = []
    for each in broken:
        if dry_run:
            what = _would(each, facts)
            reporter.info(f"repair: would rebuild {each.path} on Python {facts.version}: {what}")
            continue
        how = {"pipx": reinstall_app, "uv-tool": reinstall_uv_tool}.get(each.kind, rebuild_venv)
        if not how(each, facts, env, reporter, keep_old):
            left.append(each)
    if left:
        reporter.error("repair: still broken: " + ", ".join(b.path for b in left))
    return left


def _would(broken: BrokenEnv, probe: Probe) -> str:
    """The command ``--repair`` would run for ``broken``, in words."""
    if broken.kind == "pipx":
        return pipx_command(broken, probe)
    if broken.kind == "uv-tool":
        return "uv " + " ".join(uv_tool_args(broken, probe))
    return "pip install " + " ".join(requirements(Path(broken.path)))
