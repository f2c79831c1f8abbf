"""safepip's own failures. Each carries a message, an optional hint and an exit code; they are
turned into text in exactly one place, :func:`safepip.__main__.main`."""

from __future__ import annotations

#: Exit codes safepip itself chooses. pip's own exit codes are passed through unchanged.
EXIT_FAILURE = 1  # an install (or another step that did work) failed
EXIT_USAGE = 2  # the command line is wrong (pip uses 2 for this too)
EXIT_ENVIRONMENT = 3  # the machine or project is not in a state safepip can work with
EXIT_INTERRUPTED = 130  # SIGINT
EXIT_TERMINATED = 143  # SIGTERM


class SafepipError(Exception):
    """A failure safepip explains in one paragraph: what happened, and the fix."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(SafepipError, ValueError):
    """The command line cannot be understood."""

    exit_code = EXIT_USAGE


class EnvironmentProblem(SafepipError):
    """The interpreter, project or ``.venv`` is in a state safepip will not work around."""

    exit_code = EXIT_ENVIRONMENT


class InterpreterError(EnvironmentProblem):
    """The target interpreter cannot be found or does not run."""


class VenvError(EnvironmentProblem):
    """The project's ``.venv`` cannot be used or created."""


class Interrupted(BaseException):
    """A signal ended the run; the exit code follows the shell convention 128 + signal.

    A BaseException like KeyboardInterrupt, so that no ``except SafepipError``/``Exception``
    meant for a failed step can swallow it."""

    def __init__(self, signum: int) -> None:
        super().__init__("interrupted")
        self.signum = signum
        self.exit_code = 128 + signum
