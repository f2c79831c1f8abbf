from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name as reference

from safepip.names import canonicalize_name, leading_name, simple_requirement_name


@given(st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,20}[A-Za-z0-9])?", fullmatch=True))
def test_canonicalize_matches_packaging(name: str) -> None:
    assert canonicalize_name(name) == reference(name)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("black", "black"),
        ("Django>=4,<5", "django"),
        ("requests[socks]==2.*", "requests"),
        ("zope.interface ~= 6.0", "zope-interface"),
        ("foo; python_version<'3.8'", None),
        ("foo @ https://x/y.whl", None),
        ("./local", None),
        ("foo!!", None),
    ],
)
def test_simple_requirement_name(text: str, name: str | None) -> None:
    assert simple_requirement_name(text) == name


@given(st.text(max_size=40))
def test_simple_names_agree_with_packaging(text: str) -> None:
    name = simple_requirement_name(text)
    if name is None:
        return
    try:
        parsed = Requirement(text)
    except InvalidRequirement:  # pragma: no cover - would be a bug
        pytest.fail(f"{text!r} was taken as a plain requirement but packaging rejects it")
    assert reference(parsed.name) == name
    assert parsed.url is None and parsed.marker is None


def test_leading_name() -> None:
    assert leading_name("  Foo_Bar[x]>=1; python_version>'3'") == "foo-bar"
    assert leading_name("  ") is None
