"""``safepip ARGS``: pip's arguments, pip's behaviour, and no externally-managed-environment.

:func:`main` is the thin entry point (as pypa/build's): read the command line, run one command,
and turn safepip's exceptions into a message and an exit code, here and nowhere else.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself costs the start-up ~2 ms; mypy reads this as True

if TYPE_CHECKING:  # imported inside main(): the fast path must not pay for them
    from collections.abc import Sequence

    from safepip.decide.model import SafepipOptions
    from safepip.environment import Environment
    from safepip.report import Reporter


def main(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    """Run safepip with pip's ``argv`` (without the program name); return the exit status."""
    from safepip.cli import options as _options
    from safepip.cli.registry import HELP_WORDS, VERSION_WORDS
    from safepip.environment import Environment
    from safepip.exceptions import EXIT_INTERRUPTED, Interrupted, SafepipError
    from safepip.pip import parser as _parser
    from safepip.process import interrupt_guard
    from safepip.report import Reporter

    env = env if env is not None else Environment.from_process()
    if os.geteuid() == 0:  # root's apps are the machine's: pipx --global's folders
        from safepip.backends.pipx_home import machine_wide

        env = env.replace(environ=machine_wide(env.environ))
    options, pip_argv = _options.extract(list(sys.argv[1:] if argv is None else argv))
    own, before, after = own_command(pip_argv)
    pip_args = _parser.parse(["install", *before, *after] if own else pip_argv)
    reporter = Reporter(env, pip_args.verbosity)
    try:
        with interrupt_guard():
            if env.environ.get("PIP_AUTO_COMPLETE"):  # pip's shell completion asks pip itself
                from safepip.commands.pip import complete

                return complete(pip_args, env)
            if not pip_argv or (len(pip_argv) == 1 and pip_argv[0] in HELP_WORDS):
                from safepip.cli.help import text

                env.stdout.write(text())
                return 0
            if own is not None:
                return run_own(own, before, after, options, env, reporter)
            from safepip.commands.pip import run

            code = run(pip_argv, pip_args, options, env, reporter)
            if len(pip_argv) == 1 and pip_argv[0] in VERSION_WORDS and code == 0:
                from safepip import __version__

                env.stdout.write(f"safepip {__version__}\n")  # after pip's own line
                env.stdout.flush()
            return code
    except SafepipError as error:
        reporter.error(error.message, error.hint)
        return error.exit_code
    except Interrupted as interrupted:
        reporter.error("interrupted")
        return interrupted.exit_code
    except KeyboardInterrupt:
        reporter.error("interrupted")
        return EXIT_INTERRUPTED


def own_command(argv: Sequence[str]) -> tuple[str | None, list[str], list[str]]:
    """safepip's own command where pip would read its subcommand (after any of pip's general
    options, as ``safepip -v explain six``): its name, the general options before it and
    everything after it."""
    from safepip.cli.registry import COMMANDS
    from safepip.pip.parser import parse

    tokens = parse(argv).tokens
    for index, token in enumerate(tokens):
        if token.kind == "command":
            if token.raw[0] not in COMMANDS:
                break
            before = [raw for t in tokens[:index] for raw in t.raw]
            return token.raw[0], before, [raw for t in tokens[index + 1 :] for raw in t.raw]
        if token.kind != "general" or token.name is None:  # pip would stop at this option
            break
    return None, [], []


def run_own(
    name: str,
    before: Sequence[str],
    after: Sequence[str],
    options: SafepipOptions,
    env: Environment,
    reporter: Reporter,
) -> int:
    """Parse one of safepip's own commands' arguments as its module declares them
    (:mod:`safepip.cli.arguments`) and hand them to its ``run``; ``-h`` shows its usage."""
    from importlib import import_module

    from safepip.cli.arguments import parse
    from safepip.cli.registry import COMMANDS

    command = import_module(COMMANDS[name].module)
    parsed = parse(name, command.ARGUMENTS, before, after)
    if parsed.help:
        from safepip.cli.help import command_text

        env.stdout.write(command_text(name))
        return 0
    code: int = command.run(parsed, options, env, reporter)
    return code


def entry() -> None:
    """Run :func:`main` on this process's arguments and exit with its status, without Python's
    own tear-down of every imported module (5-7 ms measured): safepip writes no file it has not
    closed, registers nothing to run at exit and leaves no thread that must finish, so what is
    left is its two streams, flushed here."""
    import contextlib

    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (``safepip list | head``)
            stream.flush()
    os._exit(code)


def start() -> None:
    """Console-script entry point: the active venv's pip directly where that is all there is
    to do, the project's ``.venv`` pip where a warm install needs nothing more, else
    :func:`main`, with the target's probe already started where it will be asked."""
    from safepip.cli.fast import exec_venv_pip

    exec_venv_pip(os.environ, sys.argv[1:])
    from safepip.cli.warm import exec_warm

    exec_warm(os.environ, sys.argv[1:])
    from safepip.cli.early import ask_early

    ask_early(sys.argv[1:], os.environ, sys.executable)
    entry()
