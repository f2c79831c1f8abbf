"""safepip's own command-line options, taken out of pip's argv before pip sees it.

They match exactly (pip's abbreviation rule does not apply to them) and none of them is, or
begins, a pip option, so pip's own command lines never change meaning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Route = Literal["venv", "pipx"]


@dataclass(frozen=True)
class SafepipOptions:
    route: Route | None = None  # --venv / --pipx: the user forced a home
    recreate_venv: bool = False  # --recreate-venv: move an unusable .venv aside and make a new one


_FLAGS = {"--venv", "--pipx", "--recreate-venv"}


def extract(argv: Sequence[str]) -> tuple[SafepipOptions, tuple[str, ...]]:
    """Split ``argv`` into safepip's options and the untouched rest for pip."""
    route: Route | None = None
    recreate = False
    rest: list[str] = []
    for index, arg in enumerate(argv):
        if arg == "--":
            rest.extend(argv[index:])
            break
        if arg not in _FLAGS:
            rest.append(arg)
        elif arg == "--recreate-venv":
            recreate = True
        else:
            route = "venv" if arg == "--venv" else "pipx"
    return SafepipOptions(route=route, recreate_venv=recreate), tuple(rest)
