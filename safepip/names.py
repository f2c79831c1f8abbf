"""Project names, cheaply: PEP 503 normalisation and the name at the start of a PEP 508
requirement, without importing ``packaging`` (whose import costs more than the lookup)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re

#: The characters of a PEP 508 name: letters and digits, with ``-``, ``_`` and ``.`` inside.
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
_ALNUM = _NAME_CHARS - frozenset("._-")
#: A bare name, optionally with extras and a version specifier: no URL, no marker. White space
#: is packaging's (spaces and tabs only: a carriage return is not allowed).
_SIMPLE = (
    r"[ \t]*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)[ \t]*"
    r"(?:\[[ \t]*[A-Za-z0-9._-]+(?:[ \t]*,[ \t]*[A-Za-z0-9._-]+)*[ \t]*\])?[ \t]*"
    r"(?:(?:===|==|~=|!=|<=|>=|<|>)[ \t]*[A-Za-z0-9.*+!_-]+[ \t]*"
    r"(?:,[ \t]*(?:===|==|~=|!=|<=|>=|<|>)[ \t]*[A-Za-z0-9.*+!_-]+[ \t]*)*)?"
)
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_compiled: dict[str, re.Pattern[str]] = {}


def _pattern(source: str) -> re.Pattern[str]:
    """``re`` is imported (and a pattern compiled) on first use only: the warm path reads bare
    names and never needs it."""
    found = _compiled.get(source)
    if found is None:
        import re

        found = _compiled[source] = re.compile(source)
    return found


def canonicalize_name(name: str) -> str:
    """PEP 503: runs of ``-``, ``_`` and ``.`` become ``-``, letters lower case."""
    name = name.lower().replace("_", "-").replace(".", "-")
    while "--" in name:
        name = name.replace("--", "-")
    return name


def named_after(dependency: str, name: str) -> bool:
    """``dependency`` (canonical) is named after the package ``name``: ``NAME-...`` (as
    ansible-core after ansible, mkdocs-material after mkdocs)."""
    return dependency.startswith(name + "-")


def bare_name(text: str) -> str | None:
    """The canonical name of ``text`` where it is a name and nothing else (``black``,
    ``Flask_Login``), else None."""
    if not text or text[0] not in _ALNUM or text[-1] not in _ALNUM:
        return None
    return canonicalize_name(text) if _NAME_CHARS.issuperset(text) else None


def simple_requirement_name(text: str) -> str | None:
    """The canonical name of a plain requirement such as ``black``, ``Django>=4,<5`` or
    ``requests[socks]==2.*``; None for anything else (markers, URLs, paths), which needs a full
    parse."""
    bare = bare_name(text)
    if bare is not None:
        return bare
    match = _pattern(_SIMPLE).fullmatch(text)
    return canonicalize_name(match.group("name")) if match else None


def leading_name(text: str) -> str | None:
    """The canonical name a PEP 508 requirement string starts with, or None."""
    match = _pattern(_NAME).match(text.strip())
    return canonicalize_name(match.group(0)) if match else None


def requirement_name(text: str) -> str | None:
    """The canonical name of any PEP 508 requirement, or None when ``text`` is not one."""
    simple = simple_requirement_name(text)
    if simple is not None:
        return simple
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return canonicalize_name(Requirement(text).name)
    except InvalidRequirement:
        return None
