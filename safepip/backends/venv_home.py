"""The base of both ``.venv`` backends (pip's and uv's): the project's ``.venv`` found or
created, locked for the run, and removed again if this run created it and its first install
failed or was interrupted. Subclasses say only how to run the install and how to make the venv.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path

from safepip.backends.base import Backend, Context, Outcome, Request
from safepip.child_environ import ChosenTarget
from safepip.decide.model import Planned, Route
from safepip.exceptions import Interrupted, VenvError
from safepip.hints import activate_hint, display_path, lasting_hint
from safepip.names import requirement_name
from safepip.pip.parser import parse
from safepip.pip.run import LAUNCHER, run_pip, venv_has_pip
from safepip.target.lock import EnvironmentLock
from safepip.target.site_packages import (
    changes_between,
    installed_names,
    installed_versions,
    remove_partial_install,
    site_packages_entries,
)
from safepip.target.venv import (
    VenvState,
    move_aside,
    no_pip_hint,
    read_or_refuse,
    read_venv,
    refusal,
    remove_venv,
)

#: Options that make no sense inside a venv and would make pip refuse there.
DROPPED_OPTIONS = ("--python", "--user")


class VenvHome(Backend):
    """Installs into the project's ``.venv``; one run of the installer for all its steps."""

    route: Route = "venv"
    label = "the project's .venv"
    #: The installer's name in summaries.
    tool = "pip"
    #: What the summaries call the environment (new, existing, short).
    nouns = ("a new virtual environment", "the project's virtual environment", ".venv")

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._before: dict[str, str] = {}  # what the venv held before this run's install
        self._cause: str | None = None  # why the installer failed, where safepip can tell
        self._usable: bool | None = None

    # -- what subclasses provide --------------------------------------------------------------

    def claim(self, steps: Sequence[Planned]) -> tuple[list[Planned], list[Planned]]:
        return list(steps), []

    def _run(self, python: str, argv: Sequence[str], request: Request) -> int:
        """Install ``argv`` (pip's install arguments) into the venv of ``python``."""
        raise NotImplementedError

    def _pip_pending(self) -> bool:
        """Whether pip is still being put into the venv this run made (it is there when the
        install has run)."""
        return False

    def _create(self, venv: Path, request: Request) -> None:
        """Make a complete venv with pip at ``venv``."""
        from safepip.target.venv_create import create_venv

        create_venv(venv, request.probe.executable, request.probe, self.ctx.env)

    # -- the shared part ----------------------------------------------------------------------

    def argv(
        self, steps: Sequence[Planned], reuse: Sequence[str] = (), python_version: str = ""
    ) -> tuple[str, ...]:
        """pip's install arguments for these steps: the user's, less what a venv refuses, plus
        ``reuse`` (the options offering the already-fetched wheels); a script's dependencies
        (``--requirements-from-script``) as plain requirements, for a Python of
        ``python_version``, so that any pip installs them."""
        positionals = [s.item.text for s in steps if s.item.kind in ("name", "local", "url")]
        pip_args = self.ctx.pip_args
        kept = parse(pip_args.with_positionals(positionals))
        scripts = [s.item.text.split(" ", 1)[1] for s in steps if s.item.kind == "script"]
        if not scripts:
            return kept.without(*DROPPED_OPTIONS) + tuple(reuse)
        from safepip.pip.script import OPTION, dependencies

        cwd = self.ctx.env.cwd
        needed = [d for script in scripts for d in dependencies(script, cwd, python_version)]
        return kept.without(*DROPPED_OPTIONS, OPTION) + tuple(reuse) + tuple(needed)

    def install(self, steps: Sequence[Planned], request: Request) -> Outcome:
        if self.ctx.pip_args.user:
            self.ctx.reporter.warning("--user is ignored: packages go into the project's .venv")
        argv = self.argv(steps, request.reuse, request.probe.version)
        code, created = self.install_argv(argv, request)
        return self._outcome(steps, request, code, created)

    def install_argv(self, argv: Sequence[str], request: Request) -> tuple[int, bool]:
        """Run the installer with ``argv`` in the project's ``.venv``, creating it first when
        there is none. Returns its exit status and whether the venv was created by this run;
        a venv created by this run is removed again when the install fails or is interrupted.
        """
        env, where = self.ctx.env, self.ctx.where
        venv = where.path
        from safepip.target.venv_create import refuse_sudo_into_users_folder

        refuse_sudo_into_users_folder(venv.parent, env)
        self.ctx.reporter.detail(
            f"project root {where.project.root} (found by {where.project.marker})"
            if where.project
            else f"no project found above {env.cwd}; it becomes the project"
        )
        locks = env.cache_dir / "locks"
        with EnvironmentLock(locks, venv, self._waiting, self.ctx.reporter.info):
            created = self._prepare(venv, request)
            python = str(venv / "bin" / "python")
            if not self._pip_pending() and not venv_has_pip(str(venv)):
                raise VenvError(f"{venv} has no pip in it", no_pip_hint(venv))
            before = frozenset() if created else site_packages_entries(venv)
            self._before = installed_versions(venv)
            try:
                code = self._run_guarded(python, argv, request, created, before)
            except VenvError:
                if created:  # pip could not be put in while the install ran
                    remove_venv(venv)
                raise
            if code != 0:
                self._failed(venv, created, before)
            return code, created

    def _failed(self, venv: Path, created: bool, before: frozenset[Path]) -> None:
        """After the installer failed: its cause where a full disk is one (asked first: what
        it half-installed still fills the disk), then the venv this run created removed, or
        in an existing venv what the installer half-installed."""
        from safepip.target.free_space import no_space_cause

        env = self.ctx.env
        self._cause = no_space_cause(str(venv), env.environ)
        if created:
            remove_venv(venv)
            self.ctx.reporter.info(
                f"{self.tool} failed, so the {display_path(venv, env.cwd)} "
                "safepip had just created was removed again"
            )
            return
        removed = remove_partial_install(venv, before)
        if removed:
            self.ctx.reporter.info(
                f"{self.tool} failed: removed what it had half-installed: " + ", ".join(removed)
            )

    def _waiting(self) -> None:
        self.ctx.reporter.info(f"waiting for another safepip run using {self.ctx.where.path} ...")

    def _prepare(self, venv: Path, request: Request) -> bool:
        """A usable venv at ``venv`` (an unusable or untrusted one moved aside first with
        --recreate-venv); whether it was created now."""
        state = read_venv(venv)
        if state.status in ("not-a-venv", "broken", "untrusted"):
            state = self._recreate(state, request)
        elif state.status == "ready":
            state = self._other_python(state, request)
        created = state.status == "absent"
        if created:
            self.ctx.reporter.detail(f"creating {venv} from {request.probe.executable}")
            self._create(venv, request)
        return created

    def _recreate(self, state: VenvState, request: Request) -> VenvState:
        venv = state.path
        if not request.options.recreate_venv:
            raise refusal(state)
        moved = move_aside(venv)
        kind = "untrusted" if state.status == "untrusted" else "unusable"
        self.ctx.reporter.info(
            f"moved the {kind} {display_path(venv, self.ctx.env.cwd)} to {moved.name}"
        )
        return read_venv(venv)

    def _other_python(self, state: VenvState, request: Request) -> VenvState:
        """A venv of another Python than the target's (``--python``, ``$SAFEPIP_PYTHON``, or the
        system's after an upgrade): made again from the target with ``--recreate-venv``, else
        used as it is, saying so."""
        from safepip.target.venv import other_python

        probe, shown = request.probe, display_path(state.path, self.ctx.env.cwd)
        found = other_python(state.path, probe.version)
        if found is None:
            return state
        if request.options.recreate_venv:
            moved = move_aside(state.path)
            self.ctx.reporter.info(f"moved {shown} (Python {found}) to {moved.name}")
            return read_venv(state.path)
        self.ctx.reporter.warning(
            f"{shown} is Python {found}, but the target interpreter {probe.executable} is "
            f"Python {probe.version}: installing into {shown} as it is (to make it again from "
            f"{probe.executable}: add --recreate-venv)"
        )
        return state

    def _run_guarded(
        self,
        python: str,
        argv: Sequence[str],
        request: Request,
        created: bool,
        before: frozenset[Path],
    ) -> int:
        venv = self.ctx.where.path
        try:
            return self._run(python, argv, request)
        except Interrupted:
            if created:
                remove_venv(venv)
            else:
                removed = remove_partial_install(venv, before)
                if removed:
                    self.ctx.reporter.info(
                        "removed what the interrupted pip had half-installed: " + ", ".join(removed)
                    )
            raise
        except OSError as error:
            if created:
                remove_venv(venv)
            raise VenvError(
                f"{python} could not be started: {error.strerror}",
                "run the same command with --recreate-venv to replace the .venv",
            ) from error

    def _outcome(
        self, steps: Sequence[Planned], request: Request, code: int, created: bool
    ) -> Outcome:
        venv = self.ctx.where.path
        names = ", ".join(s.item.text for s in steps) or "the requirements"
        if code != 0:
            if self._cause is None:
                self._diagnose(steps, request)
            cause = f": {self._cause}" if self._cause else ""
            return Outcome(
                failed=[f"{names} (into the {self.nouns[2]}: pip exited with {code}{cause})"],
                codes=[code],
            )
        shown = self._shown()
        changes = changes_between(self._before, installed_versions(venv))
        if not changes and created:
            remove_venv(venv)
            return Outcome(
                done=[
                    f"nothing to install for {names} (already satisfied, or not for this "
                    f"Python), so no {self.nouns[2]} was made"
                ]
            )
        state = self.nouns[0] if created else self.nouns[1]
        if not changes:
            from safepip.shell import write_activation

            outcome = Outcome(
                done=[f"{names}: already installed in {state} {shown}; nothing changed"]
            )
            if write_activation(self.ctx.env, venv):  # a new shell's -r still activates it
                outcome.done.append(f"activated {shown} in this shell")
            return self._kept(outcome, request)
        reasons = steps[0].decision.reasons
        if len(steps) != 1:
            reason = "libraries and project requirements belong in the project"
        else:  # the whole why for the .venv (a library's commands, then what it is)
            reason = ", ".join(reasons) if self.route == "venv" else reasons[-1]
        how = "" if self.tool == "pip" else f" with {self.tool}"
        installed = (
            f"installed {names}{how} into {state} {shown} ({changes}), because "
            f"{request.target.path} is externally managed (PEP 668) and {reason}"
        )
        return self._kept(Outcome(done=[installed, self._use(steps)]), request)

    def _kept(self, outcome: Outcome, request: Request) -> Outcome:
        """``outcome`` with the venv remembered and the line a later step needs (a Dockerfile's
        ``ENV``), also where nothing changed."""
        venv = self.ctx.where.path
        outcome.made_in(venv, self.route, request.probe.executable)
        lasting = lasting_hint(venv, self.ctx.env)
        if lasting is not None:
            outcome.lasting.append(f"use it {lasting}")
        return outcome

    def _shown(self) -> str:
        """The environment's path as the summaries show it."""
        return display_path(self.ctx.where.path, self.ctx.env.cwd)

    def _use(self, steps: Sequence[Planned]) -> str:
        """How to use the venv now, and the one command that would have chosen pipx (only for
        a single requirement that puts commands on PATH)."""
        from safepip.shell import write_activation

        env, venv = self.ctx.env, self.ctx.where.path
        shown = display_path(venv, env.cwd)
        lasting = lasting_hint(venv, env)
        if write_activation(env, venv):
            use = f"activated {shown} in this shell"
        elif lasting is not None:
            use = f"use it {lasting}  (or run {shlex.quote(f'{venv}/bin/python')})"
        else:
            python = shlex.quote(f"{shown}/bin/python")
            use = f"use it with: {activate_hint(venv, env)}  (or run {python})"
        if len(steps) == 1 and steps[0].item.kind == "name" and steps[0].item.commands:
            use += f"; pipx instead: safepip install --pipx {shlex.quote(steps[0].item.text)}"
        return use

    def _diagnose(self, steps: Sequence[Planned], request: Request) -> None:
        """After a failed install: is the package index the cause? Said as an error if so."""
        from safepip.inspect.diagnose import diagnose_index

        named = [s.item.name for s in steps if s.item.kind == "name" and s.item.name]
        diagnosis = diagnose_index(self.ctx.pip_args, request.probe, self.ctx.env, named)
        if diagnosis is not None:
            self.ctx.reporter.error(*diagnosis)

    # -- living with it -------------------------------------------------------------------------

    def usable(self) -> bool:
        """Whether the project's ``.venv`` is a ready venv with pip in it; one that must not be
        run raises :class:`VenvError` saying why. Looked at once."""
        where = self.ctx.where
        if self._usable is None:
            self._usable = (
                where.project is not None
                and read_or_refuse(where.path).status == "ready"
                and venv_has_pip(str(where.path))
            )
        return self._usable

    def installed(self) -> frozenset[str]:
        return installed_names(self.ctx.where.path) if self.usable() else frozenset()

    def run_pip(self, argv: Sequence[str]) -> int:
        """pip (the venv's own) with ``argv``, on the user's terminal."""
        venv = self.ctx.where.path
        return run_pip(
            [str(venv / "bin" / "python"), "-c", LAUNCHER],
            argv,
            environ=self.ctx.env.environ,
            policy=ChosenTarget(venv=str(venv)),
            interactive=bool(self.ctx.env.stdin_isatty),
        )

    def uninstall(self, names: Sequence[str]) -> int:
        """pip's own uninstall in the venv, which prompts as pip does; ``-r`` files go too."""
        pip_args = self.ctx.pip_args
        keep = [r for r in pip_args.requirements if requirement_name(r) in names]
        code = self.run_pip(pip_args.with_positionals(keep))
        if code == 0:
            self.ctx.reporter.info(
                f"uninstalled {', '.join(names) or 'the requirements'} from "
                f"{display_path(self.ctx.where.path, self.ctx.env.cwd)}"
            )
        return code
