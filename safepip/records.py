"""Plain records without :mod:`dataclasses`: equality, hash and repr from ``__slots__``.

The full path's nouns (the environment, the target, the project, pip's parsed command line, the
backends' context) are built on these, not on dataclasses: ``dataclasses`` with the ``inspect``
it imports, and the code each ``@dataclass`` generates, cost every redirect ~10 ms before its
first question, and the warm path (:mod:`safepip.cli.warm`) imports none of it. Each class lists
its fields in ``__slots__`` and takes them, by the same names, in ``__init__``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Frozen:
    """A record whose fields do not change after ``__init__`` (which sets them with
    :meth:`_set`); equal to another of its class with equal fields, and hashable."""

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Frozen)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot set {name}")

    def _set(self, **values: object) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def _set_from(self, arguments: dict[str, Any]) -> None:
        """Each field from the ``__init__`` argument of its name (``self._set_from(locals())``),
        for a record of many fields that takes them all as they are."""
        for name in self.__slots__:
            object.__setattr__(self, name, arguments[name])

    def as_dict(self) -> dict[str, Any]:
        """The fields by name (what ``__init__`` takes back)."""
        return {name: getattr(self, name) for name in self.__slots__}


class Mutable:
    """A record whose fields may change; equal to another of its class with equal fields (so,
    as a mutable dataclass, not hashable)."""

    __slots__: tuple[str, ...] = ()
    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({shown})"
