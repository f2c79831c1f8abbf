"""A distribution's version of a Python package: which of two Debian versions is newer
(dpkg's rule), and the upstream version inside one (``1:1.24.2-1+deb12u1`` -> ``1.24.2``,
``1.2.1+dfsg-1`` -> ``1.2.1``, Fedora's ``6.0.1-14.fc40``, Arch's ``6.0.1-3``, Alpine's
``6.0.1-r3``), compared with a requirement's specifier as pip compares versions."""

from __future__ import annotations

import re

_REPACK = re.compile(r"[+~](dfsg|ds|repack|really|debian|git|hg|svn|bzr|cvs)[^-]*$", re.I)


def _order(char: str) -> int:
    if char == "~":
        return -1
    if char.isalpha():
        return ord(char)
    return ord(char) + 256


def _part(a: str, b: str) -> int:
    """dpkg's comparison of two upstream (or revision) strings."""
    while a or b:
        text_a, a = _split(a, digits=False)
        text_b, b = _split(b, digits=False)
        length = max(len(text_a), len(text_b))
        for i in range(length):
            x = _order(text_a[i]) if i < len(text_a) else 0
            y = _order(text_b[i]) if i < len(text_b) else 0
            if x != y:
                return -1 if x < y else 1
        digits_a, a = _split(a, digits=True)
        digits_b, b = _split(b, digits=True)
        if int(digits_a or 0) != int(digits_b or 0):
            return -1 if int(digits_a or 0) < int(digits_b or 0) else 1
    return 0


def _split(text: str, *, digits: bool) -> tuple[str, str]:
    """The leading run of digits (or of non-digits) of ``text``, and the rest."""
    i = 0
    while i < len(text) and text[i].isdigit() == digits:
        i += 1
    return text[:i], text[i:]


def _pieces(version: str) -> tuple[int, str, str]:
    epoch, colon, rest = version.partition(":")
    if not colon:
        epoch, rest = "0", version
    upstream, dash, revision = rest.rpartition("-")
    if not dash:
        upstream, revision = rest, ""
    return int(epoch) if epoch.isdigit() else 0, upstream, revision


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as Debian version ``a`` is older than, the same as or newer than ``b``."""
    epoch_a, up_a, rev_a = _pieces(a)
    epoch_b, up_b, rev_b = _pieces(b)
    if epoch_a != epoch_b:
        return -1 if epoch_a < epoch_b else 1
    return _part(up_a, up_b) or _part(rev_a, rev_b)


def newer(a: str, b: str) -> bool:
    """Whether Debian version ``a`` is newer than ``b``."""
    return compare(a, b) > 0


def upstream(version: str) -> str:
    """The upstream version inside a distribution's version: no epoch, no packaging revision,
    no repack suffix (``+dfsg``, ``+ds``, ``+really...``); ``~rc1`` as ``rc1``."""
    _, up, _ = _pieces(version)
    up = _REPACK.sub("", up)
    return up.replace("~", "")


def satisfies(version: str, specifier: str) -> bool | None:
    """Whether the upstream part of ``version`` is allowed by the PEP 440 ``specifier`` (pre-
    releases included: the user named this package); None where it is no PEP 440 version."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        wanted = SpecifierSet(specifier)
        found = Version(upstream(version))
    except (InvalidSpecifier, InvalidVersion):
        leading = re.match(r"\d+(\.\d+)*", upstream(version))
        if leading is None:
            return None
        try:
            wanted, found = SpecifierSet(specifier), Version(leading.group(0))
        except (InvalidSpecifier, InvalidVersion):
            return None
    return wanted.contains(found, prereleases=True)
