"""safepip.records: the plain records the full path is built on, as dataclasses behaved."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from safepip.environment import Environment
from safepip.records import Frozen, Mutable
from safepip.target.interpreter import Probe


class Point(Frozen):
    __slots__ = ("x", "y")
    x: int
    y: int

    def __init__(self, x: int, y: int = 0) -> None:
        self._set(x=x, y=y)


class Box(Mutable):
    __slots__ = ("items",)
    items: list[int]

    def __init__(self, items: list[int]) -> None:
        self.items = items


def test_frozen_records_compare_hash_and_show_their_fields() -> None:
    assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(2, 1)
    assert len({Point(1, 2), Point(1, 2), Point(1)}) == 2
    assert repr(Point(1, 2)) == "Point(x=1, y=2)"
    assert Point(1, 2).as_dict() == {"x": 1, "y": 2}
    assert Point(**Point(3, 4).as_dict()) == Point(3, 4)
    with pytest.raises(AttributeError, match="frozen"):
        Point(1).x = 5
    with pytest.raises(AttributeError):
        Point(1).z = 5  # no other attribute either


def test_records_of_different_classes_are_never_equal() -> None:
    class Other(Point):
        __slots__ = ()

    assert Point(1, 2) != Other(1, 2)


def test_mutable_records_compare_by_fields_and_are_not_hashable() -> None:
    box = Box([1])
    box.items.append(2)
    assert box == Box([1, 2]) and repr(box) == "Box(items=[1, 2])"
    with pytest.raises(TypeError):
        hash(box)


def test_the_probe_round_trips_through_its_cache_form() -> None:
    probe = Probe("/usr/bin/python3", "3.11.2", "/usr", "/usr", "/usr/lib/python3.11", "/p", True)
    assert Probe(**probe.as_dict()) == probe


def test_environment_defaults_and_replace(tmp_path: Path) -> None:
    out = io.StringIO()
    env = Environment(environ={}, cwd=tmp_path, stdout=out, stderr=out, stdin=io.StringIO())
    assert env.stdout_isatty is False and env.own_executable
    changed = env.replace(stderr_isatty=True)
    assert changed.stderr_isatty is True and env.stderr_isatty is False
    assert changed.stdout is out and changed.cwd == tmp_path


class _Many(Frozen):
    __slots__ = ("a", "b")
    a: int
    b: str

    def __init__(self, a: int, b: str) -> None:
        self._set_from(locals())


def test_set_from_takes_each_field_from_the_arguments_of_its_name() -> None:
    assert _Many(1, "x").as_dict() == {"a": 1, "b": "x"}
    with pytest.raises(KeyError):
        Frozen._set_from(_Many(1, "x"), {"a": 2})  # a field with no argument is a bug
