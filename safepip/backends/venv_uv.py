"""uv into the project's ``.venv`` (safepip's uv setting): ``uv pip install --python
.venv/bin/python`` with pip's index options spelled for uv. The venv is made by ``uv venv`` and
still gets pip, so that ``.venv/bin/pip`` works. A command line uv cannot do as pip would is
declined (said with ``-v``) and pip does it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from safepip.backends.base import Context, Request
from safepip.backends.uv import Uv, pip_install_args, run_uv, uv_environ
from safepip.backends.venv_home import VenvHome
from safepip.child_environ import ChosenTarget
from safepip.decide.model import Planned
from safepip.exceptions import UvUnsuitable
from safepip.pip.index_options import IndexOptions
from safepip.pip.parser import parse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from safepip.target.venv_create import PipSeeding


class VenvUv(VenvHome):
    tool = "uv"

    def __init__(self, ctx: Context, uv: Uv) -> None:
        super().__init__(ctx)
        self.uv = uv
        self._seeding: PipSeeding | None = None
        self._pip_asked = False  # pip itself is a requirement: it is not linked beside uv

    def claim(self, steps: Sequence[Planned]) -> tuple[list[Planned], list[Planned]]:
        """All of the ``.venv``'s steps, or none: they are one install."""
        if any(s.item.kind == "script" for s in steps):
            self.ctx.reporter.detail("using pip, not uv: a script's dependencies")
            return [], list(steps)
        try:
            pip_install_args(parse(self.argv(steps)), IndexOptions())
        except UvUnsuitable as why:
            self.ctx.reporter.detail(f"using pip, not uv: {why.message}")
            return [], list(steps)
        self._pip_asked = any(s.item.name == "pip" or s.item.kind != "name" for s in steps)
        return list(steps), []

    def _run(self, python: str, argv: Sequence[str], request: Request) -> int:
        index = request.index or IndexOptions()
        args = pip_install_args(parse(argv), index)
        venv = str(Path(python).parent.parent)
        environ = uv_environ(self.ctx.env.environ, index)
        try:
            code = run_uv(
                self.uv,
                ["pip", "install", "--python", python, *args],
                environ,
                self.ctx.env,
                policy=ChosenTarget(venv=venv),
            )
        finally:  # pip is in place (or failed) before anything else looks at the venv
            seeding, self._seeding = self._seeding, None
            failed = seeding.wait() if seeding is not None else None
        if failed is not None:
            raise failed
        if seeding is not None:  # the pip that was linked in is safepip's, not the install's
            from safepip.target.site_packages import installed_versions

            pip = installed_versions(venv).get("pip")
            if pip is not None:
                self._before["pip"] = pip
        return code

    def _pip_pending(self) -> bool:
        return self._seeding is not None

    def _create(self, venv: Path, request: Request) -> None:
        """``uv venv``; pip is linked in on a thread while ``uv pip install`` runs (where pip
        itself, or a file whose requirements are unknown, is not part of the install)."""
        from safepip.target.venv_create import PipSeeding, create_venv

        later = not self._pip_asked
        create_venv(
            venv, request.probe.executable, request.probe, self.ctx.env, self.uv.path,
            seed=not later,
        )  # fmt: skip
        if later:
            self._seeding = PipSeeding(venv, request.probe, self.ctx.env)
