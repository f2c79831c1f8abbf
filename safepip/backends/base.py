"""What every way of installing has in common, after pypa/build's ``_EnvBackend`` and pipx's
``backends``: a :class:`Backend` takes the planned steps of its route that it can install as pip
would, installs them and says what happened in summary lines; it also knows what it manages and
removes it again. The install (``safepip.operations.redirect``) hands steps to backends in order of
preference and never asks which one it is talking to.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from safepip.decide.model import Item, Planned, Route
from safepip.environment import Environment
from safepip.pip.argv import PipArgs
from safepip.records import Frozen, Mutable
from safepip.report import Reporter
from safepip.target.made_envs import Made
from safepip.target.project import VenvTarget

if TYPE_CHECKING:
    from safepip.backends.uv import Uv
    from safepip.decide.model import SafepipOptions
    from safepip.pip.index_options import IndexOptions
    from safepip.target.interpreter import Interpreter, Probe


class Context(Frozen):
    """One safepip run, as the backends see it: the user's pip command line, the project's
    ``.venv``, where to talk, uv where the user opted in and it is on PATH, and the target's
    probe where the run has one outside an install (an uninstall that installs again needs
    pip's index options)."""

    __slots__ = ("env", "pip_args", "probe", "reporter", "uv", "where")
    pip_args: PipArgs
    env: Environment
    reporter: Reporter
    where: VenvTarget
    uv: Uv | None
    probe: Probe | None

    def __init__(
        self,
        pip_args: PipArgs,
        env: Environment,
        reporter: Reporter,
        where: VenvTarget,
        uv: Uv | None = None,
        probe: Probe | None = None,
    ) -> None:
        self._set_from(locals())


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
    """The summary lines of what a backend did, and of what failed; the environments it made
    or installed into (remembered for ``safepip doctor`` after a Python upgrade)."""

    __slots__ = ("codes", "done", "failed", "lasting", "made")
    done: list[str]
    failed: list[str]
    #: The exit status of each failed install, in order (pip's, pipx's or uv's own).
    codes: list[int]
    made: list[Made]
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
        self.made = []
        self.lasting = []

    def add(self, other: Outcome) -> None:
        self.done += other.done
        self.failed += other.failed
        self.codes += other.codes
        self.lasting += other.lasting
        self.made += other.made

    def made_in(self, path: Path | None, kind: str, python: str) -> None:
        """Remember that the install went into the environment at ``path`` (if known)."""
        if path is not None:
            self.made.append(Made(str(path), kind, python))

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
