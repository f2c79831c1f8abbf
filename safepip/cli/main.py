"""``safepip ARGS``: pip's arguments, pip's behaviour, and no externally-managed-environment.

:func:`main` is the thin entry point (as pypa/build's): read the command line, run one command,
and turn safepip's exceptions into a message and an exit code, here and nowhere else.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported inside main(): the fast path must not pay for them
    from collections.abc import Sequence

    from safepip.environment import Environment


def main(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    """Run safepip with pip's ``argv`` (without the program name); return the exit status."""
    from safepip.cli import options as _options
    from safepip.cli.registry import COMMANDS, HELP_WORDS, VERSION_WORDS
    from safepip.environment import Environment
    from safepip.exceptions import EXIT_INTERRUPTED, Interrupted, SafepipError
    from safepip.pip import parser as _parser
    from safepip.process import interrupt_guard
    from safepip.report import Reporter

    env = env if env is not None else Environment.from_process()
    options, pip_argv = _options.extract(list(sys.argv[1:] if argv is None else argv))
    own = COMMANDS.get(pip_argv[0]) if pip_argv else None
    pip_args = _parser.parse(["install", *pip_argv[1:]] if own else pip_argv)
    reporter = Reporter(env, pip_args.verbosity)
    if not pip_argv or (len(pip_argv) == 1 and pip_argv[0] in HELP_WORDS):
        from safepip.cli.help import text

        env.stdout.write(text())
        return 0
    try:
        with interrupt_guard():
            if own is not None:
                from importlib import import_module

                command = import_module(own.module)
                code: int = command.run(pip_argv[1:], options, env, reporter)
                return code
            if len(pip_argv) == 1 and pip_argv[0] in VERSION_WORDS:
                from safepip import __version__

                env.stdout.write(f"safepip {__version__}\n")
                env.stdout.flush()
            from safepip.commands.pip import run

            return run(pip_argv, pip_args, options, env, reporter)
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
