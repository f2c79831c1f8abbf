"""The user environment's backend: pip into the one venv per user in safepip's data folder
(``$XDG_DATA_HOME/safepip/user-env``, made with the system's site-packages visible), for the
libraries installed where no project starts and for ``--user``. It is the ``.venv`` backend
pointed at that folder; ``--user`` never reaches its pip."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path

from safepip.backends.base import Context, Outcome, Request
from safepip.backends.venv_pip import VenvPip
from safepip.decide.model import Planned, Route
from safepip.exceptions import VenvError
from safepip.target.project import VenvTarget
from safepip.target.user_place import user_env_path


class UserEnv(VenvPip):
    route: Route = "user"
    label = "your user environment"
    nouns = ("your new user environment", "your user environment", "user environment")

    def __init__(self, ctx: Context) -> None:
        where = VenvTarget(user_env_path(ctx.env.data_dir), None)
        super().__init__(Context(ctx.pip_args, ctx.env, ctx.reporter, where, ctx.uv))

    def _create(self, venv: Path, request: Request) -> None:
        from safepip.target.venv_create import create_venv

        try:
            venv.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise VenvError(
                f"your user environment cannot be made in {venv.parent}: {error.strerror}; "
                "it lives in safepip's data folder ($XDG_DATA_HOME/safepip, else "
                "~/.local/share/safepip), which must be writable for packages installed "
                "outside any project",
                "set XDG_DATA_HOME to a writable folder, or install into a project's .venv: "
                "safepip install --venv ... in the project's folder",
            ) from error
        create_venv(
            venv, request.probe.executable, request.probe, self.ctx.env, system_site_packages=True
        )

    def install(self, steps: Sequence[Planned], request: Request) -> Outcome:
        argv = self.argv(steps, request.reuse, request.probe.version)
        code, created = self.install_argv(argv, request)
        outcome = self._outcome(steps, request, code, created)
        if code == 0:
            outcome.done.extend(self._packaged(steps))
        if any(s.item.name == "pip" for s in steps):
            from safepip.target.distro import system_pip_hint

            outcome.done.append(
                f"{request.target.path}'s own pip belongs to the distribution: " + system_pip_hint()
            )
        return outcome

    def _packaged(self, steps: Sequence[Planned]) -> list[str]:
        """The distribution's own package of each library named, where its version satisfies
        the requirement: the home that the plain system Python (cron, systemd) imports too.
        Advice only, from apt's lists as safepip's cache keeps them (no network)."""
        from safepip.inspect.distro_packages import Wanted, look_up

        wanted = [Wanted(s.item.text, s.item.imports) for s in steps if s.item.kind == "name"]
        if not wanted:
            return []
        env = self.ctx.env
        try:
            found = look_up(wanted, env.environ, env.cache_dir).found
        except OSError:
            return []
        return [
            found[w.text].brief() for w in wanted if w.text in found and found[w.text].satisfies
        ]

    def _use(self, steps: Sequence[Planned]) -> str:
        from safepip.hints import activate_hint, lasting_hint
        from safepip.shell import write_activation

        env, venv = self.ctx.env, self.ctx.where.path
        if write_activation(env, venv):
            return f"activated your user environment {venv} in this shell"
        python = shlex.quote(str(venv / "bin" / "python"))
        lasting = lasting_hint(venv, env)
        if lasting is not None:
            return f"use it {lasting}  (or run {python})"
        return f"use it with: {activate_hint(venv, env, absolute=True)}  (or run {python})"

    def _shown(self) -> str:
        return str(self.ctx.where.path)

    def usable(self) -> bool:
        from safepip.pip.run import venv_has_pip
        from safepip.target.venv import read_or_refuse

        if self._usable is None:
            path = self.ctx.where.path
            self._usable = read_or_refuse(path).status == "ready" and venv_has_pip(str(path))
        return self._usable
