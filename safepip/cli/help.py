"""safepip's own ``--help`` text, from the command registry (pip's stays reachable as
``safepip help``)."""

from __future__ import annotations

from safepip import __version__
from safepip.cli.registry import COMMANDS, OPTIONS

_COLUMN = 42
_OPTION_COLUMN = 20


_ABOUT = """\
Where pip works (a venv, conda, a Python that is not externally managed) safepip runs pip
unchanged. Where the Python is externally managed (PEP 668), `install` goes into the project's
.venv (libraries, -r, -e) or to pipx (applications outside a project); `uninstall`, `list`,
`freeze`, `show` and `check` act on the project's .venv and pipx."""


def _entry(left: str, lines: tuple[str, ...], column: int) -> list[str]:
    if len(left) >= column:
        return [left, *(" " * column + line for line in lines)]
    return [f"{left:<{column}}{lines[0]}", *(" " * column + line for line in lines[1:])]


def text() -> str:
    usage = _entry(
        "  safepip <pip command> [pip options]",
        ("exactly as pip; e.g. safepip install requests",),
        _COLUMN,
    )
    for command in COMMANDS.values():
        usage += _entry(f"  safepip {command.usage}", command.summary, _COLUMN)
    options = [
        line
        for name, help in OPTIONS.items()
        for line in _entry(f"  {name}", (help,), _OPTION_COLUMN)
    ]
    return "\n".join(
        [
            f"safepip {__version__}: pip's arguments, without externally-managed-environment.",
            "",
            "Usage:",
            *usage,
            "",
            _ABOUT,
            "",
            "safepip options (anywhere before `--`; never abbreviated):",
            *options,
            "",
            "Environment: SAFEPIP_PYTHON (target interpreter), SAFEPIP_ROUTE=venv|pipx,",
            'SAFEPIP_ROUTES="black=pipx,pytest=venv", SAFEPIP_UV=1 (use uv where it is on PATH),',
            "NO_COLOR, FORCE_COLOR.",
            "Configuration: [tool.safepip] in pyproject.toml, ~/.config/safepip/config.toml.",
            "",
            "pip's own help: safepip help [command]",
            "",
        ]
    )


def command_text(name: str) -> str:
    """``safepip NAME --help``: the command's usage line and what it does."""
    from safepip.cli.arguments import usage

    return "\n".join([usage(name), "", *COMMANDS[name].summary, ""])
