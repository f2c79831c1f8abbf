"""What every way of installing has in common, after pypa/build's ``_EnvBackend`` and pipx's
``backends``: a :class:`Backend` takes the planned steps of its route that it can install as pip
would, installs them and says what happened in summary lines; it also knows what it manages and
removes it again. The install (``safepip.operations.redirect``) hands steps to backends in order of
preference and never asks which one it is talking to.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from safepip.decide.model import Item, Planned, Route
from safepip.environment import Environment
from safepip.pip.argv import PipArgs
from safepip.records import Frozen, Mutable
from safepip.report import Reporter
from safepip.target.project import VenvTarget

if TYPE_CHECKING:
    from safepip.backends.uv import Uv
    from safepip.decide.model import SafepipOptions
    from safepip.pip.index_options import IndexOptions
    from safepip.target.interpreter import Interpreter, Probe


class Context(Frozen):
    """One safepip run, as the backends see it: the user's pip command line, the project's
    ``.venv``, where to talk, and uv where the user opted in and it is on PATH."""

    __slots__ = ("env", "pip_args", "reporter", "uv", "where")
    pip_args: PipArgs
    env: Environment
    reporter: Reporter
    where: VenvTarget
    uv: Uv | None

    def __init__(
        self,
        pip_args: PipArgs,
        env: Environment,
        reporter: Reporter,
        where: VenvTarget,
        uv: Uv | None = None,
    ) -> None:
        self._set(pip_args=pip_args, env=env, reporter=reporter, where=where, uv=uv)


class Request(Frozen):
    """One redirected install: the interpreter it was meant for, safepip's own options, pip's
    index options (read where a backend needs them) and ``links``, a temporary find-links folder
    with the wheels safepip already fetched whole (see ``safepip.inspect.downloads``)."""

    __slots__ = ("index", "links", "options", "probe", "target")
    target: Interpreter
    probe: Probe
    options: SafepipOptions
    index: IndexOptions | None
    links: Path | None

    def __init__(
        self,
        target: Interpreter,
        probe: Probe,
        options: SafepipOptions,
        index: IndexOptions | None = None,
        links: Path | None = None,
    ) -> None:
        self._set(target=target, probe=probe, options=options, index=index, links=links)

    @property
    def reuse(self) -> tuple[str, ...]:
        """pip options that offer the already-fetched wheels, for a pip run that saves nothing
        (the ``.venv``'s); never for pipx or uv, which save their options (``links`` reaches
        pipx's pip through its environment, see ``safepip.backends.pipx.reuse_environ``)."""
        return ("--find-links", str(self.links)) if self.links is not None else ()


class Outcome(Mutable):
    """The summary lines of what a backend did, and of what failed."""

    __slots__ = ("codes", "done", "failed", "lasting")
    done: list[str]
    failed: list[str]
    #: The exit status of each failed install, in order (pip's, pipx's or uv's own).
    codes: list[int]
    #: The lines a later step needs (a Dockerfile's ``ENV``), said under ``-q`` too.
    lasting: list[str]

    def __init__(
        self,
        done: list[str] | None = None,
        failed: list[str] | None = None,
        codes: list[int] | None = None,
    ) -> None:
        self.done = [] if done is None else done
        self.failed = [] if failed is None else failed
        self.codes = [] if codes is None else codes
        self.lasting = []

    def add(self, other: Outcome) -> None:
        self.done += other.done
        self.failed += other.failed
        self.codes += other.codes
        self.lasting += other.lasting

    def record(self, code: int, line: str) -> None:
        """One install's summary ``line``, by its exit status."""
        if code == 0:
            self.done.append(line)
        else:
            self.failed.append(line)
            self.codes.append(code)


class Backend:
    """One way of installing: into the project's ``.venv`` (with pip or uv), the user
    environment, or as an application (with pipx or ``uv tool``). A new home for packages is one
    new subclass, listed in :mod:`safepip.backends.homes`; the methods without a default
    are each backend's own."""

    #: The route whose steps this backend may take.
    route: Route
    #: How the summaries and ``safepip where`` name it.
    label: str

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def prepare(self) -> None:
        """Start, before the plan (and side by side with its look-ups), a slow question
        :meth:`install` is likely to ask; most backends have none."""

    def first(self, step: Planned, request: Request) -> Item | None:
        """Install ``step`` before anything is looked up, where this backend's own install is
        what tells whether it was the right home (``uv tool install`` refuses a package that
        puts no commands on PATH): the requirement as the install found it, for the decision
        to be made again, or None (nothing changed) for it to be looked up as usual. Most
        backends cannot."""
        return None

    def claim(self, steps: Sequence[Planned]) -> tuple[list[Planned], list[Planned]]:
        """Split ``steps`` into those this backend installs and those it leaves to the next."""
        raise NotImplementedError

    def install(self, steps: Sequence[Planned], request: Request) -> Outcome:
        """Install the claimed ``steps``; pip's (pipx's, uv's) own output goes to the user."""
        raise NotImplementedError

    def installed(self) -> frozenset[str]:
        """Canonical names of what this backend manages now."""
        raise NotImplementedError

    def uninstall(self, names: Sequence[str]) -> int:
        """Remove ``names`` (all managed by this backend); the exit status of the removal."""
        raise NotImplementedError


def app_summary(
    step: Planned,
    code: int,
    *,
    was_there: bool,
    upgrade: bool,
    tool: str,
    how: str = "",
    versions: tuple[str | None, str | None] = (None, None),
    instead: str = "the project's .venv",
) -> str:
    """The summary line of one application install by ``tool`` (pipx, or uv tool): what
    happened, judged by the app's ``versions`` before and after where the tool tells them;
    ``how`` says more of the route where that helps."""
    text, quoted = step.item.text, shlex.quote(step.item.text)
    before, after = versions
    if code != 0:
        return f"{text} ({'uv tool install' if tool == 'uv tool' else tool} exited with {code})"
    unchanged = before == after if before is not None else not upgrade
    if was_there and unchanged:
        at = f" ({after})" if after else ""
        return f"{text} was already installed with {tool}{at}; nothing changed" + (
            "" if upgrade else f" (to upgrade it: safepip install -U {quoted})"
        )
    if was_there and before is not None and after is not None:
        done = f"{_direction(before, after)} {step.item.name or text} from {before} to {after}"
    else:
        done = f"{'upgraded' if was_there else 'installed'} {text}" + (f" {after}" if after else "")
    return (
        f"{done} {how}with {tool}"
        + (" (safepip's uv setting)" if tool == "uv tool" else "")
        + ", because "
        + ", ".join(step.decision.reasons)
        + f"; into {instead} instead: safepip install --venv {quoted}"
    )


def venv_instead(ctx: Context) -> str:
    """Where ``--venv`` would have put an application: the project's ``.venv``, the user
    environment where no project starts, or a new ``.venv`` in an ordinary folder."""
    from safepip.target.user_place import why_user_env

    if ctx.where.project is not None:
        return "the project's .venv"
    return (
        "your user environment" if why_user_env(ctx.env.cwd, ctx.env.home) else "a new .venv here"
    )


def _direction(before: str, after: str) -> str:
    from packaging.version import InvalidVersion, Version

    try:
        newer = Version(after) > Version(before)
    except InvalidVersion:
        return "replaced"
    return "upgraded" if newer else "downgraded"


def bin_links(bin_dir: Path) -> dict[str, str]:
    """What each entry of an applications' bin folder resolves to, by name (what pipx and uv
    put on PATH), to tell afterwards what one install added or changed there."""
    import os

    try:
        names = os.listdir(bin_dir)
    except OSError:
        return {}
    return {name: os.path.realpath(bin_dir / name) for name in names}


def shadow_notes(app: str, bin_dir: Path, before: dict[str, str], path: str) -> list[str]:
    """One summary line per command that installing ``app`` added to ``bin_dir`` (``before``:
    :func:`bin_links` before it) while another program of that name is on PATH: pipx's own note,
    kept visible under safepip's summary (a repository's ``git`` would otherwise run in every
    shell without a word)."""
    import os

    from safepip.programs import comes_first, elsewhere

    notes = []
    for command, target in sorted(bin_links(bin_dir).items()):
        others = elsewhere(command, path, str(bin_dir)) if before.get(command) != target else []
        if not others:
            continue
        parts = target.split(os.sep)  # <apps>/<app>/bin/<command>: the app's own name
        owner = parts[-3] if len(parts) > 3 and parts[-2] == "bin" else app
        runs = f"{owner}'s" if comes_first(str(bin_dir), others[0], path) else others[0]
        notes.append(
            f"note: {owner} put {command} in {bin_dir}, but {others[0]} is also on PATH; "
            f"`{command}` now runs {runs}"
        )
    return notes
