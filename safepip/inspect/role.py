"""Whether a package that puts commands on PATH is mainly *imported* (a library whose commands
are helpers: numpy's ``f2py``, flask's ``flask``) or mainly *run* (an application: black,
httpie), from what its wheel says of itself: its METADATA (summary, description,
``Requires-Dist``) and its file names. Nothing is run and nothing more is fetched.

"It has commands" says a package *can* be an application, not that it *is* one, and the two
mistakes do not cost the same: an application put into a ``.venv`` still runs from
``.venv/bin``, a library put into pipx cannot be imported at all. So a package is an
application only where something positive says so, and the first rule that speaks decides:

1. no Python code of its own to import: an application (ruff's Rust binary, a bundle's shell);
2. its few Python files only launch a program it ships (cmake, ninja, uv): an application;
3. it requires the machinery of Python projects and environments (virtualenv, build,
   pyproject-hooks, installer, keyring, ...): an application that works *on* projects (poetry,
   pdm, hatch, tox, pre-commit, twine), which belongs outside the projects it manages;
4. its one-line summary names what it is: the first word that does ("library", "framework",
   "bindings", ... or "command-line", "CLI", "formatter", "utility", ...) decides, except that a
   summary that says both ("a CLI and library") makes an application only where its classifiers
   say it runs in a console (``Environment :: Console``);
5. its description's opening calls it a library, a framework, a module, ...: a library;
6. its description shows ``import NAME`` or ``from NAME import`` for its own modules: a library;
7. its description says to install it with ``pipx install`` or ``uv tool install``: an
   application;
8. nothing says: a library that ships helper commands (the safe home is where ``import`` works).

Each rule is one sentence in the decision's reasons, quoting the words it read.
"""

from __future__ import annotations

import re

from safepip.names import canonicalize_name, leading_name
from safepip.records import Frozen

TYPE_CHECKING = False  # uv's first install judges with this module: no typing, dataclasses or
if TYPE_CHECKING:  # email at run time (~25 ms of imports before the summary line)
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any, Literal, Protocol

    class Metadata(Protocol):
        """A METADATA file parsed: :class:`email.message.Message`, or :class:`Headers`."""

        def get(self, name: str, failobj: Any = None) -> Any: ...
        def get_all(self, name: str, failobj: Any = None) -> Any: ...
        def get_payload(self) -> Any: ...


if TYPE_CHECKING:
    #: "bundle": an application by what its part (ansible-core of ansible) puts on PATH, where
    #: its own metadata says nothing (``safepip.inspect.related``).
    Kind = Literal["application", "bundle", "library"]
else:
    Kind = str

#: What a package that works on Python projects and environments requires (rule 3).
PROJECT_MACHINERY = frozenset(
    {
        "build",
        "installer",
        "keyring",
        "nodeenv",
        "pbs-installer",
        "pip",
        "pyproject-api",
        "pyproject-hooks",
        "unearth",
        "virtualenv",
    }
)
#: A program it ships is at least this large: a compiled binary, not a script (rule 2).
PROGRAM_BYTES = 64 * 1024
#: At most this many Python files to be "only a launcher" (rule 2).
LAUNCHER_FILES = 5

_LIBRARY_WORDS = (
    r"librar(?:y|ies)|framework|toolkit|SDK|bindings?|modules?|implementation of"
    r"|interface (?:to|for)|API"
)
_APPLICATION_WORDS = (
    r"command[- ]line|CLI|formatter|linter|downloader|recorder|utility|front-?end|manager"
    r"|(?:monitoring|terminal|console) (?:tool|client|app|application|program)"
    r"|terminal (?:session|user interface|UI)"
)
_ROLE = re.compile(rf"\b(?:(?P<library>{_LIBRARY_WORDS})|(?P<app>{_APPLICATION_WORDS}))\b", re.I)
_LIBRARY = re.compile(rf"\b(?:{_LIBRARY_WORDS})\b", re.I)
#: Lines of a README that are not prose: headings, badges, images, tables, directives, code.
_NOT_PROSE = re.compile(r"^(?:#|!\[|\[!\[|<|\||\.\.|:|=|~|\^|\*\*?[^* ]|>|\$|-{3,}|```|~~~)")
_OPENING_CHARS = 600
#: The reason of rule 8: nothing said what it is.
NOTHING_SAID = "nothing in its metadata says it is an application"
_MODULE_SUFFIXES = (".py", ".pyc", ".so", ".pyd")


class Role(Frozen):
    """What a package mainly is, and the one sentence that says why."""

    __slots__ = ("kind", "reason")
    kind: Kind
    reason: str

    def __init__(self, kind: Kind, reason: str) -> None:
        self._set(kind=kind, reason=reason)


class Described(Frozen):
    """What a wheel says of itself: the inputs of :func:`judge`. ``imports``: its top-level
    import names (``fontTools``, ``serial``), none for a wheel with no code; ``programs``: the
    commands it ships as programs of its own (a large file named like the command)."""

    __slots__ = (
        "classifiers", "description", "imports", "name", "programs", "python_files", "requires",
        "summary",
    )  # fmt: skip
    name: str
    summary: str
    description: str
    requires: tuple[str, ...]
    imports: tuple[str, ...]
    python_files: int
    programs: tuple[str, ...]
    classifiers: tuple[str, ...]

    def __init__(
        self,
        name: str,
        summary: str = "",
        description: str = "",
        requires: tuple[str, ...] = (),
        imports: tuple[str, ...] = (),
        python_files: int = 0,
        programs: tuple[str, ...] = (),
        classifiers: tuple[str, ...] = (),
    ) -> None:
        self._set(
            name=name, summary=summary, description=description, requires=requires,
            imports=imports, python_files=python_files, programs=programs,
            classifiers=classifiers,
        )  # fmt: skip


class Headers:
    """A METADATA file's headers and body, read without :mod:`email` (what uv's first install
    judges from the environment uv made): ``Name: value`` lines, continuation lines joined,
    then the body after the first empty line."""

    def __init__(self, text: str) -> None:
        self._headers: dict[str, list[str]] = {}
        head, _, self._body = text.partition("\n\n")
        key = ""
        for line in head.splitlines():
            if line[:1] in (" ", "\t") and key:
                self._headers[key][-1] += "\n" + line.strip()
            elif ":" in line:
                key, _, value = line.partition(":")
                key = key.strip().lower()
                self._headers.setdefault(key, []).append(value.strip())

    def get(self, name: str, failobj: Any = None) -> Any:
        return self._headers.get(name.lower(), [failobj])[0]

    def get_all(self, name: str, failobj: Any = None) -> Any:
        return self._headers.get(name.lower(), failobj)

    def get_payload(self) -> Any:
        return self._body


def _quote(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def opening(description: str, limit: int = _OPENING_CHARS) -> str:
    """The first sentences of prose of a README (Markdown or reStructuredText): headings,
    badges, images, code blocks, tables and directives left out."""
    kept: list[str] = []
    fenced = False
    for raw in description.splitlines():
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced or not line or raw.startswith(("    ", "\t")):
            continue
        if line.startswith("| ") and line.count("|") == 1:
            line = line[2:]  # a reStructuredText line block: prose, not a table
        elif _NOT_PROSE.match(line):
            continue
        line = re.sub(r"!\[[^\]]*\]\([^)]*\)|<[^>]+>", "", line)
        line = re.sub(r"\[([^\]]*)\]\([^)]*\)|`+([^`]*)`+_?", lambda m: m[1] or m[2] or "", line)
        kept.append(line)
        if sum(len(k) for k in kept) >= limit:
            break
    return " ".join(kept)[:limit]


def _by_summary(summary: str, classifiers: Sequence[str]) -> Role | None:
    found = _ROLE.search(summary)
    if found is None:
        return None
    said = f'its summary says "{found.group(0)}" ("{_quote(summary)}")'
    if found.group("library"):
        return Role("library", said)
    both = _LIBRARY.search(summary)
    if both is None:
        return Role("application", said)
    if any(c.startswith("Environment :: Console") for c in classifiers):
        return Role("application", f"{said} and its classifiers say it runs in a console")
    return Role("library", f'{said}, but also "{both.group(0)}"')


def _shows_import(description: str, imports: Sequence[str]) -> str | None:
    for module in imports:
        name = re.escape(module)
        pattern = rf"^\s*(?:>>>\s*)?(?:import\s+{name}\b|from\s+{name}[.\s])"
        found = re.search(pattern, description, re.M)
        if found is not None:
            return _quote(found.group(0).strip().removeprefix(">>>").strip(), 40)
    return None


def _code_path(name: str) -> list[str] | None:
    """The parts of a wheel member's path as installed into site-packages, or None for one
    that is not (``*.dist-info``, ``*.data/scripts`` and the like)."""
    parts = name.split("/")
    if parts[0].endswith(".data") and len(parts) > 2 and parts[1] in ("purelib", "platlib"):
        return parts[2:]
    if parts[0].endswith((".dist-info", ".data")):
        return None
    return parts


def import_names(names: Iterable[str]) -> tuple[str, ...]:
    """The top-level modules and packages a wheel installs (what ``import`` names)."""
    found: dict[str, None] = {}
    for name in names:
        parts = _code_path(name)
        if not parts or not parts[-1].endswith(_MODULE_SUFFIXES):
            continue
        if len(parts) == 1:
            found.setdefault(parts[0].split(".", 1)[0], None)
        elif parts[0].isidentifier():
            found.setdefault(parts[0], None)
    return tuple(n for n in found if n.isidentifier())


def _programs(sizes: Mapping[str, int], commands: Sequence[str]) -> tuple[str, ...]:
    """The commands the wheel ships as programs of its own: a file of at least
    :data:`PROGRAM_BYTES` named like the command (in ``.data/scripts`` or its package)."""
    wanted = set(commands)
    return tuple(
        dict.fromkeys(
            base
            for name, size in sizes.items()
            if size >= PROGRAM_BYTES and (base := name.rsplit("/", 1)[-1]) in wanted
        )
    )


def _base_requirements(requires: Sequence[str]) -> tuple[str, ...]:
    """``Requires-Dist`` without the entries of extras (what a plain install brings)."""
    return tuple(r for r in requires if "extra" not in r.partition(";")[2])


def description_of(metadata: Metadata) -> str:
    """The long description: METADATA's body, or its older ``Description`` header."""
    body = metadata.get_payload()
    text = body if isinstance(body, str) and body.strip() else str(metadata.get("Description", ""))
    return text[:65536]


def describe(
    metadata: Metadata,
    sizes: Mapping[str, int],
    commands: Sequence[str],
    filename: str | None,
    imports: tuple[str, ...] | None = None,
) -> Described:
    """What a wheel (or an installed distribution) says of itself: its parsed METADATA, and
    its files (a wheel's names, or a ``RECORD``'s paths) with their sizes."""
    names = list(sizes)
    return Described(
        name=str(metadata.get("Name") or (filename or "").split("-", 1)[0]),
        summary=str(metadata.get("Summary") or ""),
        description=description_of(metadata),
        requires=_base_requirements(tuple(metadata.get_all("Requires-Dist") or ())),
        imports=import_names(names) if imports is None else imports,
        python_files=sum(1 for n in names if n.endswith(".py") and _code_path(n)),
        programs=_programs(sizes, commands),
        classifiers=tuple(str(c) for c in metadata.get_all("Classifier") or ()),
    )


def judge(described: Described) -> Role:
    """The role of a package with commands (the module's rules, first match wins)."""
    d = described
    if not d.imports:
        return Role("application", "it has no Python code of its own to import")
    if d.programs and d.python_files <= LAUNCHER_FILES:
        return Role(
            "application", f"its Python code only launches the program it ships ({d.programs[0]})"
        )
    machinery = sorted({leading_name(r) or "" for r in d.requires} & PROJECT_MACHINERY)
    if machinery:
        what = (
            "it keeps credentials in the user's keyring"
            if machinery == ["keyring"]
            else "it builds or installs Python packages and environments itself"
        )
        used = next(m for m in machinery if m != "keyring" or len(machinery) == 1)
        return Role("application", f"{what} (it requires {used})")
    role = _by_summary(d.summary, d.classifiers)
    if role is not None:
        return role
    start = opening(d.description)
    found = _LIBRARY.search(start)
    if found is not None:
        near = " ".join(start[max(0, found.start() - 40) : found.end() + 30].split()[1:-1])
        return Role("library", f'its description says "{found.group(0)}" ("... {near} ...")')
    shown = _shows_import(d.description, d.imports)
    if shown is not None:
        return Role("library", f"its description shows how to import it ({shown})")
    name = re.escape(canonicalize_name(d.name)).replace(r"\-", "[-_.]")
    if re.search(rf"\b(?:pipx|uv tool) install\s+['\"]?{name}\b", d.description, re.I):
        return Role("application", "its description says to install it with pipx")
    return Role("library", NOTHING_SAID)
