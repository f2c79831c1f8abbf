"""The pipx backend: applications get their own venv, their commands go on PATH.

Uses the ``pipx`` on PATH (Debian's 1.1.0 and current PyPI releases both work). Where there is
none, safepip provides one without touching the system Python: a private venv in
``$XDG_DATA_HOME/safepip/pipx`` with pipx installed from the user's index.
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path

from safepip.backends.app_lines import app_summary, bin_links, shadow_notes, venv_instead
from safepip.backends.base import Backend, Outcome, Request
from safepip.backends.pipx_home import app_version, has_no_apps, installed_app_venv, pipx_turn
from safepip.child_environ import ChosenTarget
from safepip.decide.model import Planned, Route
from safepip.environment import Environment
from safepip.exceptions import PipxError
from safepip.hints import path_hint
from safepip.process import run_captured, run_foreground, run_held
from safepip.programs import which
from safepip.records import Frozen
from safepip.report import Reporter
from safepip.target.interpreter import Probe

#: pip install options that mean something to pipx's pip (``--pip-args``); requirement-shaped
#: options (-r, -c, -e), location options and --upgrade (mapped to ``pipx upgrade``) are not.
NOT_FOR_PIPX = frozenset({
    "--requirement", "--constraint", "--editable", "--user", "--target", "--prefix", "--root",
    "--upgrade", "--upgrade-strategy", "--force-reinstall", "--python", "--dry-run", "--report",
    "--quiet", "--verbose", "--break-system-packages", "--no-user", "--src", "--ignore-installed",
    "--no-warn-script-location", "--no-warn-conflicts", "--require-virtualenv", "--isolated",
    "--log", "--no-input", "--exists-action", "--progress-bar", "--root-user-action",
    "--no-color", "--disable-pip-version-check", "--no-python-version-warning", "--no-deps",
})  # fmt: skip


class Pipx(Frozen):
    __slots__ = ("command", "provided")
    command: tuple[str, ...]
    provided: bool  # True when safepip made it (its private venv)

    def __init__(self, command: tuple[str, ...], provided: bool) -> None:
        self._set(command=command, provided=provided)


def find_pipx(env: Environment) -> Pipx | None:
    found = which("pipx", env.environ.get("PATH", os.defpath))
    if found:
        return Pipx((found,), provided=False)
    private = env.data_dir / "pipx" / "bin" / "pipx"
    if private.is_file():
        return Pipx((str(private),), provided=True)
    return None


def provide_pipx(env: Environment, probe: Probe, reporter: Reporter) -> Pipx:
    """Install pipx into safepip's own data folder (never into the system Python)."""
    from safepip.target.venv_create import create_venv

    venv = env.data_dir / "pipx"
    reporter.info(f"pipx is not installed; installing it for safepip into {venv} (once)")
    if not (venv / "bin" / "python").exists():
        try:
            venv.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise PipxError(
                f"pipx is not installed, and safepip cannot install its own in {venv.parent}, "
                f"its data folder: {error.strerror}",
                "install pipx with your package manager (e.g. sudo apt install pipx), set "
                "XDG_DATA_HOME to a writable folder, or use --venv",
            ) from error
        create_venv(venv, probe.executable, probe, env)
    completed = run_captured(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "pipx"],
        environ=env.environ,
        policy=ChosenTarget(venv=str(venv)),
    )
    if completed.returncode != 0 or not (venv / "bin" / "pipx").exists():
        raise PipxError(
            "pipx is not installed and safepip could not install it: "
            + (completed.stderr.strip().splitlines() or ["pip failed"])[-1],
            "install pipx with your package manager (e.g. sudo apt install pipx), or use --venv",
        )
    return Pipx((str(venv / "bin" / "pipx"),), provided=True)


def pip_args_for_pipx(tokens: Sequence[tuple[str | None, tuple[str, ...]]]) -> list[str]:
    """The user's pip options (canonical name, raw argv strings) that pipx should pass to pip."""
    return [a for name, raw in tokens if name is not None and name not in NOT_FOR_PIPX for a in raw]


def bin_dir(environ: Mapping[str, str], home: Path) -> Path:
    value = environ.get("PIPX_BIN_DIR")
    return Path(value) if value else home / ".local" / "bin"


def installed_apps(pipx: Pipx, environ: Mapping[str, str]) -> frozenset[str]:
    """Names of the packages pipx manages, from ``pipx list --json``."""
    from safepip.names import canonicalize_name

    completed = run_captured(
        [*pipx.command, "list", "--json"], environ=environ, policy=ChosenTarget(), timeout=120
    )
    try:
        venvs = json.loads(completed.stdout).get("venvs", {})
    except ValueError:
        return frozenset()
    names = set()
    for name, data in venvs.items():
        package = (data.get("metadata", {}).get("main_package", {}) or {}).get("package", name)
        names.add(canonicalize_name(str(package)))
    return frozenset(names)


def reuse_environ(environ: Mapping[str, str], links: Path | None, home: Path) -> dict[str, str]:
    """``environ`` offering the wheels in ``links`` to pipx's pip for one run (pipx's runs
    name :class:`~safepip.child_environ.ChosenTarget`).

    pipx saves ``--pip-args`` in the app's ``pipx_metadata.json`` and uses them again on every
    ``pipx upgrade``/``reinstall``, long after ``links`` is gone (and anyone could have put
    something else there). So the folder goes to pipx's pip in ``PIP_FIND_LINKS``, which no pipx
    saves. That variable replaces pip's config value, so the find-links the user's pip config
    (files or ``PIP_FIND_LINKS``) sets come first, as pip would have used them.
    """
    offered = dict(environ)
    if links is None:
        return offered
    from safepip.exceptions import SafepipError
    from safepip.pip.config import load

    try:
        config = load("install", environ, site_prefix=None, isolated=False, home=home)
    except SafepipError:
        return offered  # pip stops on its broken config anyway; offer nothing
    # pip splits the value on whitespace: a file: URL has none
    offered["PIP_FIND_LINKS"] = " ".join([*config.find_links, links.as_uri()])
    return offered


def app_names(env: Environment) -> frozenset[str]:
    """The apps pipx has installed, for the plan's ``-U`` (none where pipx is not found)."""
    pipx = find_pipx(env)
    if pipx is None:
        return frozenset()
    with pipx_turn(env, Reporter(env)):
        return installed_apps(pipx, env.environ)


def install(
    pipx: Pipx,
    requirement: str,
    name: str | None,
    *,
    pip_args: Sequence[str],
    upgrade: bool,
    already: bool,
    python: str,
    env: Environment,
    links: Path | None = None,
    force: bool = False,
    quiet: bool = False,
    parts: Sequence[str] = (),
) -> int:
    """``pipx install`` (or ``pipx upgrade`` for ``-U`` of an installed app named without a
    version); pipx's own output goes to the user's terminal. A version or range asked for an
    app pipx has, or ``force`` (pip's ``--force-reinstall``/``-I``), is ``pipx install --force``
    with that requirement, so it is honoured. ``pip_args`` are the user's own (pipx saves them);
    ``links`` reaches pipx's pip for this run only. ``parts``: the dependencies whose commands
    come along (ansible-core of ansible, jupyter-core of notebook), each exposed with ``pipx
    inject --include-apps`` (``--include-deps`` would put every dependency's commands on PATH:
    notebook's brought pygmentize, pybabel, httpx...)."""
    environ = reuse_environ(env.environ, links, env.home)
    pinned = name is not None and requirement.strip() != name
    more = ["--pip-args=" + shlex.join(pip_args)] if pip_args else []
    if upgrade and already and name and not pinned and not force:
        return _pipx(pipx, [*pipx.command, "upgrade", name, *more], environ, env, quiet)
    cmd = [*pipx.command, "install", "--python", python]
    if force or (already and pinned):
        cmd.append("--force")
    editable = requirement.startswith("-e ")  # as pip's ``-e PATH``: pipx's --editable PATH
    spec = ["--editable", requirement[3:]] if editable else [requirement]
    code = _pipx(pipx, [*cmd, *spec, *more], environ, env, quiet)
    for part in parts if name else ():
        if code != 0:
            break
        # --force: current pipx refuses to "inject" what the app already has, and does nothing
        # more with it than link its commands (pip finds it satisfied)
        inject = [*pipx.command, "inject", "--force", "--include-apps", str(name), part, *more]
        code = _pipx(pipx, inject, environ, env, quiet)
    return code


def _pipx(
    pipx: Pipx, cmd: list[str], environ: Mapping[str, str], env: Environment, quiet: bool
) -> int:
    """One pipx command on the user's terminal; under pip's ``-q`` its output is held and
    shown only where it fails (pipx 1.1 has no ``-q``: its "creating virtual environment...
    done!" lines would stay)."""
    if quiet:
        code, out, err = run_held(cmd, environ=environ, policy=ChosenTarget())
        if code != 0:
            env.stderr.write((out + err).decode("utf-8", "replace"))
            env.stderr.flush()
        return code
    return run_foreground(
        cmd,
        environ=environ,
        policy=ChosenTarget(),
        interactive=bool(env.stdin_isatty),
        terminate_as_interrupt=True,
    )


class PipxRuns(Backend):
    """What the two pipx backends share: pipx found (or provided) and run one safepip at a time
    per pipx home (:func:`safepip.backends.pipx_home.pipx_turn`), with the user's pip options
    as pipx takes them."""

    def install(self, steps: Sequence[Planned], request: Request) -> Outcome:
        env, probe = self.ctx.env, request.probe
        if not (Path(probe.stdlib) / "ensurepip").is_dir():  # Debian without python3-venv
            from safepip.target.distro import venv_package_hint

            why = f"pipx makes its venvs with ensurepip, which {probe.executable} lacks"
            fix = venv_package_hint(probe.version)
            failed = [f"{s.item.text} ({why}; {fix})" for s in steps]
            return Outcome(failed=failed, codes=[1] * len(failed))
        with pipx_turn(env, self.ctx.reporter, installing=True):
            pipx = find_pipx(env) or provide_pipx(env, request.probe, self.ctx.reporter)
            return self._install(pipx, steps, request)

    def _install(self, pipx: Pipx, steps: Sequence[Planned], request: Request) -> Outcome:
        raise NotImplementedError

    def _forwarded(self) -> list[str]:
        """The user's pip options that pipx's pip should get (``--no-deps`` is not: an app
        needs its dependencies, and pipx 1.1 fails on it: "cannot find package ... metadata")."""
        if self.ctx.pip_args.has("--no-deps"):
            self.ctx.reporter.info(
                "pipx installs an application with its dependencies: --no-deps is not given to pipx"
            )
        found = [t for t in self.ctx.pip_args.tokens if t.kind in ("general", "option")]
        return pip_args_for_pipx([(t.name, t.raw) for t in found])


def _path_note(env: Environment) -> list[str]:
    """The line that says pipx's commands folder is not on PATH, if it is not."""
    directory = bin_dir(env.environ, env.home)
    hint = path_hint(directory, env)
    return (
        [f"pipx puts commands in {directory}, which is not on PATH; to fix: {hint}"] if hint else []
    )


class PipxBackend(PipxRuns):
    """Applications with pipx: one ``pipx install`` per application (``pipx upgrade`` for
    ``-U`` of one pipx has); pipx's own output goes to the user's terminal."""

    route: Route = "pipx"
    label = "pipx"

    def claim(self, steps: Sequence[Planned]) -> tuple[list[Planned], list[Planned]]:
        """Applications; plugins are left to ``PipxPlugins``."""
        return [s for s in steps if not s.item.inject_into], [
            s for s in steps if s.item.inject_into
        ]

    def _install(self, pipx: Pipx, steps: Sequence[Planned], request: Request) -> Outcome:
        env, pip_args = self.ctx.env, self.ctx.pip_args
        forwarded = self._forwarded()
        quick = not pip_args.upgrade and has_no_apps(env.environ, env.home)
        already = frozenset() if quick else installed_apps(pipx, env.environ)
        force = pip_args.has("--force-reinstall") or pip_args.has("--ignore-installed")
        outcome = Outcome()
        for step in steps:
            item = step.item
            was_there = bool(item.name) and item.name in already
            before = app_version(item.name, env.environ, env.home) if item.name else None
            links = bin_links(bin_dir(env.environ, env.home))
            code = install(
                pipx,
                item.text,
                item.name,
                pip_args=forwarded,
                upgrade=pip_args.upgrade,
                already=was_there,
                python=request.probe.executable,
                env=env,
                links=request.links,
                force=force,
                quiet=pip_args.verbosity < 0,
                parts=[p.strip() for p in (item.commands_via or "").split(",") if p.strip()],
            )
            after = app_version(item.name, env.environ, env.home) if item.name else None
            line = app_summary(
                step,
                code,
                was_there=was_there,
                upgrade=pip_args.upgrade,
                tool="pipx",
                versions=(before, after) if was_there else (None, after),
                force=force,
                instead=venv_instead(self.ctx),
            )
            outcome.record(code, line)
            if code == 0:
                venv = installed_app_venv(item.name, env.environ, env.home) if item.name else None
                outcome.made_in(venv, "pipx", request.probe.executable)
                path = env.environ.get("PATH", os.defpath)
                directory = bin_dir(env.environ, env.home)
                outcome.done += shadow_notes(item.name or item.text, directory, links, path)
        if len(outcome.failed) < len(steps):
            outcome.done += _path_note(env)
        return outcome

    def installed(self) -> frozenset[str]:
        pipx = find_pipx(self.ctx.env)
        if pipx is None:
            return frozenset()
        with pipx_turn(self.ctx.env, self.ctx.reporter):
            return installed_apps(pipx, self.ctx.env.environ)

    def uninstall(self, names: Sequence[str]) -> int:
        pipx = find_pipx(self.ctx.env)
        if pipx is None:
            return 0 if not names else 1
        with pipx_turn(self.ctx.env, self.ctx.reporter):
            return self._uninstall(pipx, names)

    def _uninstall(self, pipx: Pipx, names: Sequence[str]) -> int:
        code = 0
        for name in names:
            result = run_foreground(
                [*pipx.command, "uninstall", name],
                environ=self.ctx.env.environ,
                policy=ChosenTarget(),
                interactive=bool(self.ctx.env.stdin_isatty),
                terminate_as_interrupt=True,
            )
            if result != 0:
                code = result
            else:
                self.ctx.reporter.info(f"uninstalled {name} from pipx")
        return code
