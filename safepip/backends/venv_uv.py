"""uv into the project's ``.venv`` (safepip's uv setting): ``uv pip install --python
.venv/bin/python`` with pip's index options spelled for uv. The venv is made by ``uv venv`` and
still gets pip, so that ``.venv/bin/pip`` works. A command line uv cannot do as pip would is
declined (said with ``-v``) and pip does it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from safepip.backends.base import Context, Request
from safepip.backends.project_venv import ProjectVenv
from safepip.backends.uv import Uv, pip_install_args, run_uv, uv_environ
from safepip.decide.model import Planned
from safepip.exceptions import UvUnsuitable
from safepip.pip.environ import clean_environ
from safepip.pip.index_options import IndexOptions
from safepip.pip.parser import parse


class VenvUv(ProjectVenv):
    tool = "uv"

    def __init__(self, ctx: Context, uv: Uv) -> None:
        super().__init__(ctx)
        self.uv = uv

    def claim(self, steps: Sequence[Planned]) -> tuple[list[Planned], list[Planned]]:
        """All of the ``.venv``'s steps, or none: they are one install."""
        try:
            pip_install_args(parse(self.argv(steps)), IndexOptions())
        except UvUnsuitable as why:
            self.ctx.reporter.detail(f"using pip, not uv: {why.message}")
            return [], list(steps)
        return list(steps), []

    def _run(self, python: str, argv: Sequence[str], request: Request) -> int:
        index = request.index or IndexOptions()
        args = pip_install_args(parse(argv), index)
        venv = str(Path(python).parent.parent)
        environ = uv_environ(clean_environ(self.ctx.env.environ, venv=venv), index)
        return run_uv(self.uv, ["pip", "install", "--python", python, *args], environ, self.ctx.env)

    def _create(self, venv: Path, request: Request) -> None:
        from safepip.target.venv_create import create_venv

        create_venv(venv, request.probe.executable, request.probe, self.ctx.env, self.uv.path)
