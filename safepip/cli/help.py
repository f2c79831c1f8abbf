"""safepip's own ``--help`` text (pip's stays reachable as ``safepip help``)."""

from __future__ import annotations

from safepip import __version__

HELP = f"""\
safepip {__version__}: pip's arguments, without externally-managed-environment.

Usage:
  safepip <pip command> [pip options]     exactly as pip; e.g. safepip install requests
  safepip explain [--json] REQ... [pip install options]
                                          where each requirement would go, and why
  safepip where [--json] [NAME...]        where safepip's packages live (.venv, pipx)
  safepip doctor [--json]                 what safepip sees on this machine and project
  safepip shell-init bash|zsh|fish        shell code: pip runs safepip, and the shell
                                          activates the .venv safepip installed into

Where pip works (a venv, conda, a Python that is not externally managed) safepip runs pip
unchanged. Where the Python is externally managed (PEP 668), `install` goes into the project's
.venv (libraries, -r, -e) or to pipx (applications outside a project); `uninstall`, `list`,
`freeze`, `show` and `check` act on the project's .venv and pipx.

safepip options (anywhere before `--`; never abbreviated):
  --venv            put the named requirements into the project's .venv
  --pipx            install them as applications with pipx
  --recreate-venv   rename an unusable .venv to .venv.old-DATE and create a new one

Environment: SAFEPIP_PYTHON (target interpreter), SAFEPIP_ROUTE=venv|pipx,
SAFEPIP_ROUTES="black=pipx,pytest=venv", SAFEPIP_UV=1 (use uv where it is on PATH),
NO_COLOR, FORCE_COLOR.
Configuration: [tool.safepip] in pyproject.toml, ~/.config/safepip/config.toml.

pip's own help: safepip help [command]
"""
