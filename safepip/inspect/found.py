"""What installing one requirement would bring (:class:`RequirementInfo`): what its wheel says
(``safepip.inspect.wheel``) and what its dependencies make of it (``safepip.inspect.related``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from packaging.requirements import Requirement

from safepip.inspect.role import Role

Source = Literal["wheel-range", "wheel-download", "sdist-build", "local"]


@dataclass(frozen=True)
class RequirementInfo:
    """What installing one requirement would bring."""

    requirement: Requirement
    name: str  # canonical
    version: str  # "" when unknown
    commands: tuple[str, ...]
    #: The wheel has a module or package of its own (False for a meta-package).
    importable: bool
    source: Source | None  # None only with ``error``
    #: For a meta-package: the dependencies (", "-separated) whose commands it exposes.
    via: str | None = None
    bytes_fetched: int = 0
    #: The whole wheel on disk (a local file, a full download or a built sdist), for the install.
    local_file: Path | None = None
    error: str | None = None
    requires_dist: tuple[str, ...] = ()
    #: The application this package is a plugin of (``safepip.inspect.related``).
    plugin_of: str | None = None
    #: Why, after "it is a plugin of APP": "named after it and requires it".
    plugin_why: str | None = None
    #: What it mainly is where it puts commands on PATH (``safepip.inspect.role``).
    role: Role | None = None
    #: Its top-level import names (``serial`` for pyserial).
    imports: tuple[str, ...] = ()
    #: The entry-point groups it registers besides console and GUI scripts (``mkdocs.plugins``).
    entry_point_groups: tuple[str, ...] = ()
    #: Where it puts commands on PATH: the lines its description tells people to type.
    typed: tuple[str, ...] = ()
