"""pip into the project's ``.venv``: the venv's own pip, with the user's arguments, on their
terminal (the default ``.venv`` backend)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from safepip.backends.base import Request
from safepip.backends.venv_home import VenvHome
from safepip.child_environ import ChosenTarget
from safepip.pip.run import LAUNCHER, run_pip


class VenvPip(VenvHome):
    tool = "pip"

    def _run(self, python: str, argv: Sequence[str], request: Request) -> int:
        venv = str(Path(python).parent.parent)
        return run_pip(
            [python, "-c", LAUNCHER],
            argv,
            environ=self.ctx.env.environ,
            policy=ChosenTarget(venv=venv),
            interactive=bool(self.ctx.env.stdin_isatty),
        )
