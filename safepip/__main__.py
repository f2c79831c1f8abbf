"""``safepip ARGS``: pip's arguments, pip's behaviour, and no externally-managed-environment.

``main`` is the only place where safepip's exceptions become messages and exit codes.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported inside main(): the fast path must not pay for them
    from collections.abc import Sequence

    from safepip.environment import Environment

#: safepip's own subcommands (pip has none of these names).
OWN_COMMANDS = ("explain", "where", "doctor", "shell-init")


def main(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    """Run safepip with pip's ``argv`` (without the program name); return the exit status."""
    from safepip.cli import options as _options
    from safepip.environment import Environment
    from safepip.exceptions import EXIT_INTERRUPTED, Interrupted, SafepipError
    from safepip.pip import argv as _argv
    from safepip.process import interrupt_guard
    from safepip.report import Reporter

    env = env if env is not None else Environment.from_process()
    options, pip_argv = _options.extract(list(sys.argv[1:] if argv is None else argv))
    own_command = pip_argv[0] if pip_argv and pip_argv[0] in OWN_COMMANDS else None
    pip_args = _argv.parse(["install", *pip_argv[1:]] if own_command else pip_argv)
    reporter = Reporter(env, pip_args.verbosity)
    if not pip_argv or list(pip_argv) in (["--help"], ["-h"]):
        from safepip.cli.help import HELP

        env.stdout.write(HELP)
        return 0
    try:
        with interrupt_guard():
            if own_command == "explain":
                from safepip.commands.explain import explain

                return explain(pip_argv[1:], options, env, reporter)
            if own_command == "where":
                from safepip.manage import where

                return where(pip_argv[1:], env)
            if own_command == "doctor":
                from safepip.commands.doctor import doctor

                return doctor(pip_argv[1:], env, reporter)
            if own_command == "shell-init":
                from safepip.commands.shell_init import shell_init

                return shell_init(pip_argv[1:], env)
            if list(pip_argv) in (["--version"], ["-V"]):
                from safepip import __version__

                env.stdout.write(f"safepip {__version__}\n")
                env.stdout.flush()
            from safepip.commands.pip import dispatch

            return dispatch(options, pip_args, env, reporter)
    except SafepipError as error:
        reporter.error(error.message, error.hint)
        return error.exit_code
    except Interrupted as interrupted:
        reporter.error("interrupted")
        return interrupted.exit_code
    except KeyboardInterrupt:
        reporter.error("interrupted")
        return EXIT_INTERRUPTED


def entry() -> None:
    """Run :func:`main` on this process's arguments and exit with its status."""
    sys.exit(main())


def start() -> None:
    """Console-script entry point: the active venv's pip directly where that is all there is
    to do, else :func:`main`."""
    from safepip.cli.fast import exec_venv_pip

    exec_venv_pip(os.environ, sys.argv[1:])
    entry()


if __name__ == "__main__":
    start()
