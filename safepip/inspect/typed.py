"""The commands a package's long description tells people to type: its shell lines (a fenced
code block of a shell or of no language, a reStructuredText ``code-block`` of a shell or
literal block after ``::``, any line after a ``$`` prompt) and its inline code (Markdown's
single backticks, reStructuredText's double ones), each kept as shown (``jupyter lab``).

Nothing here knows which commands exist: the look-up compares the words these lines start
with (:func:`command_word`) with what the package's dependencies put on PATH
(``safepip.inspect.related``), so a word that is no command costs nothing, and only a
dependency named like one is looked up (:func:`may_be_typed`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from safepip.names import canonicalize_name, named_after

#: The languages of a code block that shows shell lines ("" is a block with none).
_SHELLS = frozenset(
    {"", "bash", "sh", "shell", "console", "shell-session", "sh-session", "zsh", "fish"}
)
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*\{?\.?([\w+-]*)")
_DIRECTIVE = re.compile(r"^\s*\.\.\s+(?:code-block|code|sourcecode)::\s*([\w+-]*)\s*$")
_PROMPT = re.compile(r"^\s*(?:\([\w.-]+\)\s*)?[$%]\s+(?=\S)")
_INLINE = re.compile(r"(?<!`)``([^`\n]+)``(?!`)|(?<![`\w])`([^`\n]+)`(?![`_\w])")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
#: What installs or runs Python itself, or runs as root: never the command of a dependency.
_NOT_DEPENDENCIES = frozenset({"python", "python3", "pip", "pip3", "sudo"})
#: At most this many lines are kept, each at most this long.
_MAX_LINES = 200
_MAX_CHARS = 60


def command_word(line: str) -> str:
    """The command a typed line starts with, without its folder (``~/.local/bin/jupyter lab``
    -> ``jupyter``); "" where the line does not start with a command (``app = Flask()``)."""
    parts = line.split(None, 2)
    if not parts:
        return ""
    word = parts[0].rsplit("/", 1)[-1]
    if not _WORD.fullmatch(word) or word.endswith("."):
        return ""
    if len(parts) > 1 and parts[1][:1] in "=(:":
        return ""  # an assignment, a call or an annotation: Python, not a shell
    return "" if word in _NOT_DEPENDENCIES else word


def _shown(line: str) -> str | None:
    """``line`` as a typed command (its prompt taken off), or None where it is not one."""
    text = _PROMPT.sub("", line.strip(), count=1)
    if not text or text.startswith(("#", ">>>", "...")) or not command_word(text):
        return None
    return " ".join(text.split())[:_MAX_CHARS]


def _indented_block(lines: list[str], start: int) -> Iterator[str]:
    """The lines of the indented block that follows ``lines[start]`` (blank lines inside)."""
    for line in lines[start + 1 :]:
        if line.strip() and not line[:1].isspace():
            return
        yield line


def _underline(lines: list[str], number: int, fence: str | None) -> bool:
    """Whether ``lines[number]``, all tildes, underlines a reStructuredText heading (the line
    above it is text) rather than opening a Markdown code block."""
    line = lines[number].strip()
    return fence is None and set(line) == {"~"} and number > 0 and bool(lines[number - 1].strip())


def _block_lines(lines: list[str]) -> Iterator[str]:
    """The lines of the description's shell code blocks, and its lines after a prompt."""
    fence: str | None = None  # the language of the fenced block the line is in
    for number, line in enumerate(lines):
        fenced = _FENCE.match(line)
        if fenced is not None and not _underline(lines, number, fence):
            fence = None if fence is not None else fenced.group(2).lower()
            continue
        if fence is not None:
            if fence in _SHELLS:
                yield line
            continue
        if _PROMPT.match(line):
            yield line
        directive = _DIRECTIVE.match(line)
        if directive is not None and directive.group(1).lower() in _SHELLS - {""}:
            yield from (n for n in _indented_block(lines, number) if not n.strip().startswith(":"))
        elif line.rstrip().endswith("::") and not line.lstrip().startswith(".."):
            yield from _indented_block(lines, number)


def _inline(text: str) -> Iterator[str]:
    for found in _INLINE.finditer(text):
        yield found.group(1) or found.group(2)


def typed_commands(description: str) -> tuple[str, ...]:
    """The lines ``description`` tells people to type, in order, each once."""
    lines = description.splitlines()
    shown: dict[str, None] = {}
    for line in _chain(_block_lines(lines), _inline(description)):
        typed = _shown(line)
        if typed is not None:
            shown.setdefault(typed, None)
            if len(shown) >= _MAX_LINES:
                break
    return tuple(shown)


def _chain(*parts: Iterable[str]) -> Iterator[str]:
    for part in parts:
        yield from part


def may_be_typed(dependency: str, lines: Sequence[str]) -> bool:
    """Whether the dependency ``dependency`` (canonical) may put on PATH a command of
    ``lines``, so is worth a look-up: it is named after one (jupyter-core after ``jupyter
    lab``), or is one typed with arguments (``celery -A proj worker``; inline ``celery`` alone
    names the package as often as the command)."""
    for line in lines:
        word = canonicalize_name(command_word(line))
        if word and (named_after(dependency, word) or (dependency == word and " " in line)):
            return True
    return False


def typed_line(commands: Sequence[str], lines: Sequence[str]) -> str | None:
    """The line of ``lines`` that types one of ``commands``, where there is one: the shortest
    with arguments (``jupyter lab``), else the shortest."""
    provided = set(commands)
    found = [line for line in lines if command_word(line) in provided]
    return min(found, key=lambda line: (" " not in line, len(line))) if found else None
