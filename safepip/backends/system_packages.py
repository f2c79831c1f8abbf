"""The distribution's own package: the fourth home, only where the user asked for it
(``--distro``, ``SAFEPIP_ROUTE[S]``, ``default-route``/``[routes]`` in their config.toml).

Each requirement is installed by the package the distribution gives it
(:mod:`safepip.inspect.distro_packages`), with the distribution's own package manager: as root
``apt-get install -y --no-install-recommends python3-X`` (dnf, pacman, apk alike); otherwise
``sudo`` in front, only on a terminal, where sudo can ask for a password; without one, a
refusal that gives the command to run. A requirement the distribution does not package, or
whose version does not satisfy it, is refused and nothing of it is installed. pip never runs
here: no ``--break-system-packages``, nothing written into the system's site-packages but by
its package manager."""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence

from safepip.backends.base import Backend, Outcome, Request
from safepip.decide.model import Planned, Route
from safepip.inspect.distro_packages import Lookup, Packaged, Wanted, look_up


class DistroPackages(Backend):
    route: Route = "distro"
    label = "the distribution's package manager"

    def claim(self, steps: Sequence[Planned]) -> tuple[list[Planned], list[Planned]]:
        mine = [s for s in steps if s.decision.route == "distro"]
        return mine, [s for s in steps if s.decision.route != "distro"]

    def installed(self) -> frozenset[str]:
        return frozenset()  # the distribution's packages are its package manager's to remove

    def uninstall(self, names: Sequence[str]) -> int:
        return 1

    def install(self, steps: Sequence[Planned], request: Request) -> Outcome:
        env = self.ctx.env
        wanted = [Wanted(s.item.text, s.item.imports) for s in steps]
        lookup = look_up(wanted, env.environ, env.cache_dir)
        outcome = Outcome()
        ready: list[tuple[Planned, Packaged]] = []
        for step in steps:
            found = lookup.found.get(step.item.text)
            refused = _refusal(step, found, lookup)
            if refused is not None or found is None:
                outcome.record(1, refused or step.item.text)
            else:
                ready.append((step, found))
        if ready:
            self._run(ready, lookup, request, outcome)
        return outcome

    def _run(
        self,
        ready: list[tuple[Planned, Packaged]],
        lookup: Lookup,
        request: Request,
        outcome: Outcome,
    ) -> None:
        from safepip.child_environ import SYSTEM_PACKAGER
        from safepip.inspect import packagers
        from safepip.process import run_foreground
        from safepip.programs import which

        env, manager = self.ctx.env, lookup.manager or ""
        packages = [found.package for _, found in ready]
        texts = ", ".join(step.item.text for step, _ in ready)
        typed = packagers.shown(manager, *packages)
        argv = packagers.install(manager, *packages)
        path = env.environ.get("PATH", os.defpath)
        terminal = bool(env.stdin_isatty and env.stderr_isatty)
        if os.geteuid() != 0:
            sudo = which("sudo", path) if terminal else None
            if sudo is None:
                why = "no terminal for sudo to ask on" if not terminal else "no sudo on PATH"
                outcome.record(1, f"{texts}: installing {' '.join(packages)} needs root and "
                               f"there is {why}; run it yourself: {typed}")  # fmt: skip
                return
            argv = [sudo, *argv]
        elif which(argv[0], path) is None:
            outcome.record(1, f"{texts}: {argv[0]} is not on PATH; run: {typed}")
            return
        self.ctx.reporter.info(f"running {' '.join(argv)}")
        code = run_foreground(argv, environ=env.environ, policy=SYSTEM_PACKAGER,
                              interactive=bool(env.stdin_isatty))  # fmt: skip
        for step, found in ready:
            outcome.record(code, _summary(step, found, code, argv, request))


def _refusal(step: Planned, found: Packaged | None, lookup: Lookup) -> str | None:
    """Why ``step`` is not installed from the distribution (one sentence), or None."""
    text = step.item.text
    instead = (
        f"nothing installed (from the index instead: safepip install --venv {shlex.quote(text)})"
    )
    if lookup.manager is None:
        return f"{text}: safepip knows no package manager of this system; {instead}"
    if found is None:
        why = lookup.note or f"none in {lookup.manager}'s package lists"
        return f"{text}: {lookup.distribution} has no package of it ({why}); {instead}"
    if found.satisfies is False:
        return (
            f"{text}: {lookup.distribution} has {found.package} {found.version}, "
            f"which does not satisfy it; {instead}"
        )
    return None


def _summary(
    step: Planned, found: Packaged, code: int, argv: Sequence[str], request: Request
) -> str:
    if code != 0:
        return f"{step.item.text} ({os.path.basename(argv[0])} exited with {code})"
    why = ", ".join(step.decision.reasons)
    return (
        f"installed {found.package} ({found.version}) for {step.item.text} with "
        f"{os.path.basename(found.command.split()[1])}, because {why}; "
        f"{request.target.path} imports it, and it is updated with the system"
    )
