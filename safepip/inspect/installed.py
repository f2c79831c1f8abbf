"""What a distribution installed in an environment puts on PATH, read from its ``*.dist-info``
folder (no network, ``os`` alone): how safepip reads an application uv has just installed as a
tool (``safepip.backends.uv_tool``) by the same rules the look-up applies to a wheel
(``safepip.inspect.requirements``).

A command is a ``console_scripts`` or ``gui_scripts`` entry point, or a file the install put in
the environment's ``bin`` (a wheel's ``.data/scripts``), as its ``RECORD`` lists it.
"""

from __future__ import annotations

import os

from safepip.names import leading_name, named_after

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from safepip.inspect.role import Role

#: Where a ``RECORD`` of ``lib/pythonX.Y/site-packages`` puts the environment's scripts.
_BIN = "../../../bin/"


def parse_entry_points(text: str) -> dict[str, dict[str, str]]:
    """``entry_points.txt`` as {section: {name: object reference}}, names kept as written."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1].strip(), {})
        elif current is not None and "=" in line:
            key, _, value = line.partition("=")
            current[key.strip()] = value.strip()
    return sections


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return file.read()
    except OSError:
        return ""


def commands(info_dir: str) -> tuple[str, ...]:
    """The commands the distribution of ``info_dir`` put on PATH, in the order it names them."""
    entry_points = parse_entry_points(_read(os.path.join(info_dir, "entry_points.txt")))
    names = [*entry_points.get("console_scripts", {}), *entry_points.get("gui_scripts", {})]
    for line in _read(os.path.join(info_dir, "RECORD")).splitlines():
        path = line.split(",", 1)[0]
        if path.startswith(_BIN) and "/" not in path[len(_BIN) :]:
            names.append(path[len(_BIN) :])
    return tuple(dict.fromkeys(names))


def required_names(info_dir: str) -> list[str]:
    """Canonical names of the distribution's ``Requires-Dist`` (markers and extras not read)."""
    names = []
    for line in _read(os.path.join(info_dir, "METADATA")).splitlines():
        if not line.strip():
            break  # the headers end; the long description follows
        if line.lower().startswith("requires-dist:"):
            name = leading_name(line.split(":", 1)[1])
            if name is not None:
                names.append(name)
    return names


def parts_with_commands(infos: Mapping[str, str], name: str) -> dict[str, tuple[str, ...]]:
    """The dependencies of ``name`` among the installed ``infos``
    (:func:`safepip.target.site_packages.dist_infos`) that put commands on PATH and are part
    of it, with their commands, by the look-up's rules (``safepip.inspect.related``): named
    after it (``NAME-...``, as ansible-core of ansible), or, where it has commands of its own,
    providing one its description tells people to type (jupyter-core's ``jupyter`` for
    jupyterlab's ``jupyter lab``, and for notebook's through jupyter-server)."""
    own = infos.get(name)
    if own is None:
        return {}
    found = {}
    for dependency in required_names(own):
        info = infos.get(dependency)
        provided = commands(info) if info is not None and named_after(dependency, name) else ()
        if provided:
            found[dependency] = provided
    if commands(own):
        found.update(_typed_parts(infos, name, _typed(own)))
    return found


def _typed_parts(
    infos: Mapping[str, str], name: str, typed: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    """The installed dependencies of ``name`` that provide a command of ``typed``: those named
    like one, and, for a command none of them provides, their dependencies named like it."""
    from safepip.inspect.typed import command_word, may_be_typed, typed_line

    named = [d for d in required_names(infos[name]) if d in infos and may_be_typed(d, typed)]
    provided = {*commands(infos[name]), *(c for d in named for c in commands(infos[d]))}
    missing = [line for line in typed if command_word(line) not in provided]
    deeper = [
        (n, missing)
        for d in named
        if may_be_typed(d, missing)
        for n in required_names(infos[d])
        if n in infos and n not in named and n != name
    ]
    found: dict[str, tuple[str, ...]] = {}
    for dependency, lines in [*((d, typed) for d in named), *deeper]:
        here = commands(infos[dependency])
        if here and may_be_typed(dependency, lines) and typed_line(here, lines):
            found.setdefault(dependency, here)
    return found


def _typed(info_dir: str) -> tuple[str, ...]:
    """The lines the description in ``info_dir``'s METADATA tells people to type."""
    from safepip.inspect.role import Headers, description_of
    from safepip.inspect.typed import typed_commands

    return typed_commands(description_of(Headers(_read(os.path.join(info_dir, "METADATA")))))


def role(info_dir: str, provided: Sequence[str]) -> Role:
    """What the installed distribution of ``info_dir``, which puts ``provided`` on PATH
    (:func:`commands`), mainly is, judged by the same rules as a wheel before installing
    (``safepip.inspect.role``): its METADATA, and its ``RECORD``'s files and sizes."""
    from safepip.inspect.role import Headers, describe, judge

    sizes: dict[str, int] = {}
    for line in _read(os.path.join(info_dir, "RECORD")).splitlines():
        path, _, rest = line.partition(",")
        size = rest.rpartition(",")[2]
        sizes[path] = int(size) if size.isdigit() else 0
    metadata = Headers(_read(os.path.join(info_dir, "METADATA")))
    return judge(describe(metadata, sizes, provided, None))
