"""pip's options, per command, as data: every option string, its canonical name and how pip
reads it (a value, a flag, a count).

The option tables below are the union of pip 22.0 to 26.3 (taken from pip's
``cli/cmdoptions.py`` and ``commands/*.py`` at those versions). The union is safe: a prefix that
is unique in the union is unique, or unknown, in every version, so whenever pip accepts an
argv and :attr:`PipArgs.known` is true both read it the same way; a prefix that only some
versions find unique (``--b`` is ``--break-system-packages`` in pip 23.0 to 25.x, ambiguous with
``--build-constraint`` later) leaves ``known`` false and the argv must go to pip untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Literal

from safepip.records import Frozen

# Option tables: each entry lists the option strings of one option, short before long as pip
# declares them; the first long string is the canonical name. A trailing mark says how pip
# treats it:  "=" takes a value;  "+" counts (-v, -q);  "!" a flag whose config-file value pip
# does not read as a boolean;  no mark: a flag (store_true/store_false, or a callback that
# checks its config value with strtobool).

_GENERAL = (
    "-h --help!",
    "--debug",
    "--isolated",
    "--require-virtualenv --require-venv",
    "--python=",  # 22.3
    "-v --verbose+",
    "-V --version",
    "-q --quiet+",
    "--log --log-file --local-log=",
    "--no-input",
    "--keyring-provider=",  # 23.1
    "--proxy=",
    "--no-proxy-env",  # 26
    "--retries=",
    "--timeout --default-timeout=",
    "--exists-action=",
    "--trusted-host=",
    "--cert=",
    "--client-cert=",
    "--cache-dir=",
    "--no-cache-dir",
    "--disable-pip-version-check",
    "--no-color",
    "--no-python-version-warning",
    "--use-feature=",
    "--use-deprecated=",
    "--resume-retries=",  # 25.1
)

_INDEX = (
    "-i --index-url --pypi-url=",
    "--extra-index-url=",
    "--no-index",
    "-f --find-links=",
    "--uploaded-prior-to=",  # 26
    "--refresh-package=",  # 26
)

_SELECTION = (
    "--pre",
    "--all-releases=",  # 26
    "--only-final=",  # 26
    "--no-binary=",
    "--only-binary=",
    "--prefer-binary",
)

_TARGET_PYTHON = ("--platform=", "--python-version=", "--implementation=", "--abi=")

_BUILD = (
    "-r --requirement=",
    "-c --constraint=",
    "--build-constraint=",  # 26
    "--requirements-from-script=",  # 26
    "--no-deps --no-dependencies",
    "--only-deps --only-dependencies",  # 26
    "--src --source --source-dir --source-directory=",
    "--ignore-requires-python",
    "--no-build-isolation",
    "--use-pep517",
    "--check-build-dependencies",  # 22.1
    "--require-hashes",
    "--no-require-hashes",  # 26
    "--progress-bar=",
    "--group=",  # 25.1
    "--no-clean",
)

COMMANDS: Mapping[str, tuple[str, ...]] = {
    "install": (
        *_BUILD,
        *_INDEX,
        *_SELECTION,
        *_TARGET_PYTHON,
        "-e --editable=",
        "--dry-run",  # 22.2
        "-t --target=",
        "--user",
        "--no-user",
        "--root=",
        "--prefix=",
        "-U --upgrade",
        "--upgrade-strategy=",
        "--force-reinstall",
        "-I --ignore-installed",
        "--no-use-pep517!",  # until 25.2
        "--install-option=",  # until 23.0
        "--global-option=",  # until 25.2
        "--break-system-packages",  # 23.0
        "-C --config-settings=",  # 22.1 (-C since 23.1)
        "--compile",
        "--no-compile",
        "--no-warn-script-location",
        "--no-warn-conflicts",
        "--root-user-action=",  # 22.1
        "--report=",  # 22.2
    ),
    "lock": (  # 25.1
        *_BUILD,
        *_INDEX,
        *_SELECTION,
        "-o --output=",
        "-e --editable=",
        "-C --config-settings=",
    ),
    "download": (
        *_BUILD,
        *_INDEX,
        *_SELECTION,
        *_TARGET_PYTHON,
        "--no-use-pep517!",
        "--global-option=",
        "-d --dest --destination-dir --destination-directory=",
    ),
    "uninstall": (
        "-r --requirement=",
        "-y --yes",
        "--root-user-action=",
        "--break-system-packages",
    ),
    "freeze": (
        "-r --requirement=",
        "-l --local",
        "--user",
        "--path=",
        "--all",
        "--exclude-editable",
        "--exclude=",
    ),
    "inspect": ("--local", "--user", "--path="),  # 22.2
    "list": (
        *_INDEX,
        *_SELECTION,
        "-o --outdated",
        "-u --uptodate",
        "-e --editable",
        "-l --local",
        "--user",
        "--path=",
        "--format=",
        "--not-required",
        "--exclude-editable",
        "--include-editable",
        "--exclude=",
    ),
    "show": ("-f --files",),
    "check": (),
    "config": ("--editor=", "--global", "--user", "--site"),
    "search": ("-i --index=",),
    "cache": ("--format=",),
    "index": (*_INDEX, *_SELECTION, *_TARGET_PYTHON, "--ignore-requires-python", "--json"),
    "wheel": (
        *_BUILD,
        *_INDEX,
        *_SELECTION,
        "-w --wheel-dir=",
        "-e --editable=",
        "--no-use-pep517!",
        "--no-verify",
        "-C --config-settings=",
        "--build-option=",  # until 25.2
        "--global-option=",  # until 25.2
    ),
    "hash": ("-a --algorithm=",),
    "completion": ("-b --bash!", "-z --zsh!", "-f --fish!", "-p --powershell!"),
    "debug": _TARGET_PYTHON,
    "help": (),
}

#: Commands whose positional arguments are requirements.
REQUIREMENT_COMMANDS = frozenset({"install", "uninstall", "download", "wheel", "lock"})

OptionKind = Literal["value", "flag", "count", "other"]


class OptionSpec(Frozen):
    """One pip option: all its strings, its canonical name and how it is read."""

    __slots__ = ("canonical", "kind", "strings")
    strings: tuple[str, ...]
    canonical: str
    kind: OptionKind

    def __init__(self, strings: tuple[str, ...], canonical: str, kind: OptionKind) -> None:
        self._set(strings=strings, canonical=canonical, kind=kind)

    @property
    def takes_value(self) -> bool:
        return self.kind == "value"


class Table(Frozen):
    """One command's options by their long and short strings."""

    __slots__ = ("long", "short")
    long: Mapping[str, OptionSpec]
    short: Mapping[str, OptionSpec]

    def __init__(self, long: Mapping[str, OptionSpec], short: Mapping[str, OptionSpec]) -> None:
        self._set(long=long, short=short)


def _spec(entry: str) -> OptionSpec:
    mark = entry[-1]
    kinds: dict[str, OptionKind] = {"=": "value", "+": "count", "!": "other"}
    kind = kinds.get(mark, "flag")
    strings = tuple((entry[:-1] if mark in kinds else entry).split())
    longs = [s for s in strings if s.startswith("--")]
    return OptionSpec(strings, longs[0] if longs else strings[0], kind)


@cache
def option_table(command: str | None) -> Table:
    entries = _GENERAL + (COMMANDS.get(command, ()) if command is not None else ())
    long: dict[str, OptionSpec] = {}
    short: dict[str, OptionSpec] = {}
    for entry in entries:
        spec = _spec(entry)
        for string in spec.strings:
            (long if string.startswith("--") else short)[string] = spec
    return Table(long, short)


def is_command(name: str) -> bool:
    """Whether ``name`` is a pip subcommand (exactly: pip does not abbreviate commands)."""
    return name in COMMANDS


def option_spec(command: str | None, option_string: str) -> OptionSpec | None:
    """The option the parser for ``command`` (None: the main parser) has under exactly this
    string, as pip's configuration lookup (``parser.get_option("--" + key)``) finds it."""
    found = option_table(command if command is None or command in COMMANDS else None)
    return found.long.get(option_string) or found.short.get(option_string)
