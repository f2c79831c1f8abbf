"""Project names, cheaply: PEP 503 normalisation and the name at the start of a PEP 508
requirement, without importing ``packaging`` (whose import costs more than the lookup)."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[-_.]+")
#: A PEP 508 name: letters and digits, with ``-``, ``_`` and ``.`` inside.
_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
#: A bare name, optionally with extras and a version specifier: no URL, no marker. White space
#: is packaging's (spaces and tabs only: a carriage return is not allowed).
_SIMPLE = re.compile(
    r"[ \t]*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)[ \t]*"
    r"(?:\[[ \t]*[A-Za-z0-9._-]+(?:[ \t]*,[ \t]*[A-Za-z0-9._-]+)*[ \t]*\])?[ \t]*"
    r"(?:(?:===|==|~=|!=|<=|>=|<|>)[ \t]*[A-Za-z0-9.*+!_-]+[ \t]*"
    r"(?:,[ \t]*(?:===|==|~=|!=|<=|>=|<|>)[ \t]*[A-Za-z0-9.*+!_-]+[ \t]*)*)?"
)


def canonicalize_name(name: str) -> str:
    """PEP 503: runs of ``-``, ``_`` and ``.`` become ``-``, letters lower case."""
    return _SEPARATORS.sub("-", name).lower()


def simple_requirement_name(text: str) -> str | None:
    """The canonical name of a plain requirement such as ``black``, ``Django>=4,<5`` or
    ``requests[socks]==2.*``; None for anything else (markers, URLs, paths), which needs a full
    parse."""
    match = _SIMPLE.fullmatch(text)
    return canonicalize_name(match.group("name")) if match else None


def leading_name(text: str) -> str | None:
    """The canonical name a PEP 508 requirement string starts with, or None."""
    match = _NAME.match(text.strip())
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
