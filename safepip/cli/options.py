"""safepip's own command-line options (``--venv``, ``--pipx``, ``--distro``,
``--recreate-venv``; listed in :mod:`safepip.cli.registry`), taken out of pip's argv before
pip sees it. They match exactly: pip's abbreviation rule does not apply."""

from __future__ import annotations

from collections.abc import Sequence

from safepip.decide.model import SafepipOptions

TYPE_CHECKING = False  # typing itself costs the start-up ~2 ms; mypy reads this as True

if TYPE_CHECKING:
    from safepip.decide.model import Route


def extract(argv: Sequence[str]) -> tuple[SafepipOptions, tuple[str, ...]]:
    """Split ``argv`` into safepip's options and the untouched rest for pip.

    Only where pip would read an option (not as another option's value, as in ``-r --venv``, and
    not after ``--``) is a word safepip's."""
    from safepip.cli.registry import OPTIONS
    from safepip.pip.parser import parse

    route: Route | None = None
    recreate = False
    rest: list[str] = []
    for token in parse(argv).tokens:
        word = token.raw[0] if len(token.raw) == 1 else None
        if token.kind in ("option", "general") and token.name is None and word in OPTIONS:
            if word == "--recreate-venv":
                recreate = True
            else:
                route = "venv" if word == "--venv" else "pipx" if word == "--pipx" else "distro"
        else:
            rest.extend(token.raw)
    return SafepipOptions(route=route, recreate_venv=recreate), tuple(rest)
