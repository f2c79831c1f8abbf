"""How safepip talks: one style of line on stderr, colour only where it is wanted.

pip's own output never passes through here; this is only for safepip's few lines.
"""

from __future__ import annotations

from safepip.environment import Environment

_RESET = "\033[0m"
_STYLES = {"info": "\033[1m", "warning": "\033[33m", "error": "\033[31;1m", "hint": "\033[36m"}


def use_colour(env: Environment) -> bool:
    """NO_COLOR wins, then FORCE_COLOR, then whether stderr is a terminal (https://no-color.org)."""
    if env.environ.get("NO_COLOR"):
        return False
    if env.environ.get("FORCE_COLOR"):
        return True
    return bool(env.stderr_isatty) and env.environ.get("TERM") != "dumb"


class Reporter:
    """Writes safepip's messages. ``verbosity`` counts like pip's: -q is -1, -v is +1."""

    def __init__(self, env: Environment, verbosity: int = 0) -> None:
        self._stream = env.stderr
        self._colour = use_colour(env)
        self.verbosity = verbosity

    def _paint(self, style: str, text: str) -> str:
        return f"{_STYLES[style]}{text}{_RESET}" if self._colour else text

    def _write(self, line: str) -> None:
        try:
            self._stream.write(line + "\n")
            self._stream.flush()
        except (BrokenPipeError, ValueError):
            pass

    def info(self, message: str) -> None:
        """What safepip did. Hidden by -q, as pip hides its own notes."""
        if self.verbosity >= 0:
            self._write(f"{self._paint('info', 'safepip:')} {message}")

    def always(self, message: str) -> None:
        """A line the next step needs (a Dockerfile's ``ENV``): said whatever -q asks."""
        self._write(f"{self._paint('info', 'safepip:')} {message}")

    def detail(self, message: str) -> None:
        """How safepip decided. Shown with -v."""
        if self.verbosity >= 1:
            self._write(f"safepip: {message}")

    def warning(self, message: str) -> None:
        if self.verbosity >= -1:
            self._write(f"{self._paint('warning', 'WARNING:')} {message}")

    def error(self, message: str, hint: str | None = None) -> None:
        if self.verbosity >= -2:
            self._write(f"{self._paint('error', 'ERROR:')} {message}")
            if hint:
                self._write(f"{self._paint('hint', 'hint:')} {hint}")
