"""``safepip shell-init bash|zsh|fish``: the shell code that makes ``pip`` run safepip (see
:mod:`safepip.shell`)."""

from __future__ import annotations

from collections.abc import Sequence

from safepip.cli.arguments import Arguments, Parsed
from safepip.cli.main import run_own
from safepip.decide.model import SafepipOptions
from safepip.environment import Environment
from safepip.report import Reporter
from safepip.shell import SHELLS, safepip_command, script

ARGUMENTS = Arguments(
    words=SHELLS,
    least=1,
    most=1,
    hint='add to ~/.bashrc: eval "$(safepip shell-init bash)"; to ~/.zshrc: '
    'eval "$(safepip shell-init zsh)"; to ~/.config/fish/config.fish: '
    "safepip shell-init fish | source",
)


def shell_init(args: Sequence[str], env: Environment) -> int:
    """``safepip shell-init`` with the arguments typed after it."""
    return run_own("shell-init", (), args, SafepipOptions(), env, Reporter(env))


def run(parsed: Parsed, options: SafepipOptions, env: Environment, reporter: Reporter) -> int:
    """``safepip shell-init bash|zsh|fish``: print the shell code on stdout."""
    env.stdout.write(script(parsed.positionals[0], safepip_command(env)))
    env.stdout.flush()
    return 0
