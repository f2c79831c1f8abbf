"""Every failure safepip explains, in one module (as pip's ``exceptions`` and pypa/build's).

Each derives from :class:`SafepipError` and carries a message, an optional hint and the exit code
it ends the run with; :func:`safepip.cli.main.main` is the one place they become text. pip's own
exit codes are passed through unchanged and never pass through here.
"""

from __future__ import annotations

#: Exit codes safepip itself chooses.
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


# -- the command line and configuration ---------------------------------------------------------


class UsageError(SafepipError):
    """The command line cannot be understood."""

    exit_code = EXIT_USAGE


class PipArgsError(UsageError):
    """An argv safepip cannot rewrite, because pip itself would reject or misread it."""


class PipConfigError(SafepipError):
    """A configuration pip itself refuses: it stops before running any command (exit status 2),
    so safepip should hand the command to pip unchanged and let pip say so."""

    exit_code = EXIT_USAGE


class PipConfigValueError(PipConfigError):
    """A value pip cannot read as the boolean (or count) its option needs."""


class SettingsError(SafepipError):
    """One of safepip's own TOML files (``config.toml``, ``[tool.safepip]``) cannot be read."""

    exit_code = EXIT_USAGE


# -- the machine and the project ----------------------------------------------------------------


class EnvironmentProblem(SafepipError):
    """The interpreter, project or ``.venv`` is in a state safepip will not work around."""

    exit_code = EXIT_ENVIRONMENT


class InterpreterError(EnvironmentProblem):
    """The target interpreter cannot be found or does not run."""


class VenvError(EnvironmentProblem):
    """The project's ``.venv`` cannot be used or created."""


# -- learning what a requirement is -------------------------------------------------------------


class InspectError(SafepipError):
    """What a requirement puts on PATH could not be learned."""


class IndexUnreachable(InspectError):
    """A page or file could not be fetched (connection, timeout, HTTP error)."""

    def __init__(self, url: str, cause: str, status: int | None = None) -> None:
        from safepip.urls import redact

        super().__init__(
            f"cannot fetch {redact(url)}: {cause}",
            hint="check the index URL, the network and proxy settings",
        )
        self.url = url
        self.cause = cause
        self.status = status


class NoMatchingDistribution(InspectError):
    """No file on any source satisfies the requirement for the target."""


class BadWheel(InspectError):
    """The file is not a readable wheel."""


class SdistBuildFailed(InspectError):
    """``pip wheel`` could not build a source distribution."""


class ScriptError(SafepipError):
    """A script named with ``--requirements-from-script`` cannot be installed from (no PEP 723
    block, not TOML, or a Python it does not support)."""


# -- installing ---------------------------------------------------------------------------------


class BackendError(SafepipError):
    """A way of installing (pipx, uv) is missing and could not be provided, or did not run."""


class PipxError(BackendError):
    """pipx is missing and could not be provided, or did not run."""


class CommandClash(SafepipError):
    """A local path or ``-e`` would become an application whose command is already on PATH (or
    whose commands cannot be read), and the user did not say ``--pipx`` on the command line."""


class UvUnsuitable(SafepipError):
    """This pip command has no faithful ``uv`` equivalent; pip does it instead (never shown as
    an error: the uv backends decline the step)."""


class Interrupted(BaseException):
    """A signal ended the run; the exit code follows the shell convention 128 + signal.

    A BaseException like KeyboardInterrupt, so that no ``except SafepipError``/``Exception``
    meant for a failed step can swallow it."""

    def __init__(self, signum: int) -> None:
        super().__init__("interrupted")
        self.signum = signum
        self.exit_code = 128 + signum
