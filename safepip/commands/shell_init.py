"""``safepip shell-init bash|zsh|fish``: the shell code that makes ``pip`` run safepip (see
:mod:`safepip.shell`)."""

from __future__ import annotations

from collections.abc import Sequence

from safepip.decide.model import SafepipOptions
from safepip.environment import Environment
from safepip.exceptions import UsageError
from safepip.report import Reporter
from safepip.shell import SHELLS, safepip_command, script


def shell_init(args: Sequence[str], env: Environment) -> int:
    """``safepip shell-init bash|zsh|fish``: print the shell code on stdout."""
    if len(args) != 1 or args[0] not in SHELLS:
        raise UsageError(
            "safepip shell-init needs one shell name: bash, zsh or fish",
            'add to ~/.bashrc: eval "$(safepip shell-init bash)"; to ~/.zshrc: '
            'eval "$(safepip shell-init zsh)"; to ~/.config/fish/config.fish: '
            "safepip shell-init fish | source",
        )
    env.stdout.write(script(args[0], safepip_command(env)))
    env.stdout.flush()
    return 0


def run(args: Sequence[str], options: SafepipOptions, env: Environment, reporter: Reporter) -> int:
    return shell_init(args, env)
