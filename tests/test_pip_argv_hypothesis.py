"""Hostile input, in-process: arbitrary argv lists and hostile ``[tool.safepip]`` tables.

``main(argv, env)`` runs with an :class:`Environment` whose PATH holds only a fake ``python3``:
a small bash program that answers safepip's interpreter probe (as a Python that is, or is not,
externally managed) and otherwise writes the argv it was given to a file and exits 0. So nothing
is installed, and the argv that would have reached pip can be compared byte for byte.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support.faults import closed_port

from safepip.__main__ import main
from safepip.cli.main import own_command
from safepip.cli.registry import COMMANDS, OPTIONS
from safepip.environment import Environment
from safepip.pip import parser as _parser

OWN_COMMANDS = tuple(COMMANDS)
OWN_FLAGS = tuple(OPTIONS)

_FAKE = """#!/bin/bash
# Fake python3 for safepip's in-process tests: answers the probe, records everything else.
if [ "$1" = "-I" ] && [ "$2" = "-c" ] && [[ "$3" == *'"has_pip"'* ]]; then
    printf '%s\\n' '{probe}'
    exit 0
fi
printf '%s\\0' "$@" > "{calls}/$$.$RANDOM.call"
exit 0
"""


@dataclass(frozen=True)
class FakePython:
    root: Path
    bin: Path
    calls: Path

    def clear(self) -> None:
        for call in self.calls.iterdir():
            call.unlink()

    def recorded(self) -> list[bytes]:
        """The raw argv (NUL-terminated strings) of every non-probe run, oldest first."""
        files = sorted(self.calls.iterdir(), key=lambda p: p.stat().st_mtime_ns)
        return [f.read_bytes() for f in files]


def make_fake_python(root: Path, *, externally_managed: bool) -> FakePython:
    stdlib = root / "lib" / "python3.11"
    (stdlib / "site-packages").mkdir(parents=True)
    if externally_managed:
        (stdlib / "EXTERNALLY-MANAGED").write_text(
            "[externally-managed]\nError = this fake Python is managed by the test\n"
        )
    bindir = root / "bin"
    bindir.mkdir()
    calls = root / "calls"
    calls.mkdir()
    python = bindir / "python3"
    probe = {
        "executable": str(python),
        "version": "3.11.2",
        "prefix": str(root),
        "base_prefix": str(root),
        "stdlib": str(stdlib),
        "purelib": str(stdlib / "site-packages"),
        "has_pip": True,
    }
    python.write_text(_FAKE.format(probe=json.dumps(probe), calls=calls))
    python.chmod(0o755)
    return FakePython(root, bindir, calls)


def environment(fake: FakePython, cwd: Path, home: Path) -> tuple[Environment, io.StringIO]:
    environ = {
        "PATH": str(fake.bin),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_INDEX_URL": f"http://127.0.0.1:{closed_port()}/simple/",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "LANG": "C.UTF-8",
    }
    err = io.StringIO()
    env = Environment(
        environ=environ,
        cwd=cwd,
        stdin=io.StringIO(""),
        stdout=io.StringIO(),
        stderr=err,
        stdin_isatty=False,
        stdout_isatty=False,
        stderr_isatty=False,
    )
    return env, err


@dataclass(frozen=True)
class World:
    plain: FakePython  # not externally managed: everything passes through to "pip"
    managed: FakePython  # externally managed: installs are redirected
    home: Path
    outside: Path  # no project
    project: Path  # pyproject.toml


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("hostile")
    home = base / "home"
    outside = home / "somewhere"
    project = home / "proj"
    for folder in (outside, project):
        folder.mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "0"\n')
    yield World(
        make_fake_python(base / "plain", externally_managed=False),
        make_fake_python(base / "managed", externally_managed=True),
        home,
        outside,
        project,
    )
    shutil.rmtree(base, ignore_errors=True)


# -- strategies ----------------------------------------------------------------------------------

#: Strings pip and safepip treat specially. No absolute paths, "~" or "..": with them a
#: ``--python`` could name this machine's real interpreter, and pip would really run.
SPECIAL = [
    *("install", "download", "uninstall", "wheel", "list", "show", "freeze", "help"),
    *OWN_COMMANDS,
    *("-r", "--requirement", "-c", "--constraint", "-e", "--editable", "--", "-", "---"),
    *("-U", "-Uq", "-qqq", "-v", "-vvv", "-q", "--python", "--pyth", "--python=", "-p"),
    *("--user", "--no-user", "--target", "-t", "--prefix", "--root", "--dry-run", "--report"),
    *("--index-url", "-i", "--extra-index-url", "--no-index", "-f", "--find-links"),
    *("--break-system-packages", "--b", "--br", "--isolated", "--require-virtualenv"),
    *("--no-such-option", "--timeout=2", "--timeout", "-rreq.txt", "-r=x", "--help", "-h"),
    *("--version", "-V", "--config-settings", "-C", "--src", "--sour", "--log", "--no-input"),
    *("fixlib", "fixlib==1.0", "fixlib[extra]", "./local", ".", "a b", "", "=", "--=", "-="),
    *("x @ https://example.invalid/x.whl", "https://example.invalid/x.tar.gz", "req.txt"),
    *("--venvx", "--pip", "-venv", "--recreate", "--json", "-e.", "--editable=."),
]
_CHARS = st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"])
_SURROGATE_ESCAPES = st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF)  # non-UTF-8 bytes
_TEXT = st.text(alphabet=st.one_of(_CHARS, _SURROGATE_ESCAPES), max_size=12)
ARG = st.one_of(
    st.sampled_from(SPECIAL),
    _TEXT,
    st.builds(lambda dash, rest: dash + rest, st.sampled_from(["-", "--"]), _TEXT),
    # long, but within NAME_MAX (255): longer ones crash today, see test_overlong_*
    st.builds(lambda n: "a" * n, st.integers(200, 255)),
)
ARGV = st.lists(ARG, max_size=8)


def safe(argv: list[str]) -> bool:
    """Excludes what could reach outside the test's folders (see ``SPECIAL``), and
    ``safepip shims``, whose default folder for root is ``/usr/local/bin``."""
    return "shims" not in argv and not any(
        "~" in a or ".." in a or a.startswith("/") or "=/" in a or ":/" in a.split("//")[0]
        for a in argv
    )


def encoded(argv: list[str] | tuple[str, ...]) -> bytes:
    return b"".join(os.fsencode(a) + b"\0" for a in argv)


# -- _argv.parse ----------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(argv=st.lists(ARG, max_size=10))
def test_parse_never_raises_and_tokens_cover_argv(argv: list[str]) -> None:
    args = _parser.parse(argv)
    assert [s for token in args.tokens for s in token.raw] == argv
    assert args.argv == tuple(argv)
    assert isinstance(args.known, bool)
    assert args.known or args.problem


# -- main(), pass-through -------------------------------------------------------------------------


def run_main(argv: list[str], env: Environment, err: io.StringIO) -> int:
    try:
        code = main(argv, env)
    except BaseException as error:  # the assertion: nothing escapes main()
        raise AssertionError(
            f"main({argv!r}) raised {type(error).__name__}: {error}\n{err.getvalue()}"
        ) from error
    assert isinstance(code, int)
    assert "Traceback" not in err.getvalue()
    return code


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(argv=ARGV)
@example(argv=["-qqq", "explain"])  # an own command after pip's general options
@example(argv=["-v", "fixlib"])
def test_pass_through_argv_reaches_pip_byte_identical(world: World, argv: list[str]) -> None:
    """Where pip works (this fake Python is not externally managed) safepip hands pip exactly
    the user's argv, whatever it is, and never crashes."""
    if not safe(argv) or any(a in OWN_FLAGS for a in argv):
        return  # own flags: see test_own_flags_are_taken_out_only_before_a_double_dash
    world.plain.clear()
    env, err = environment(world.plain, world.outside, world.home)
    code = run_main(argv, env, err)
    calls = world.plain.recorded()
    pip_runs = [c for c in calls if c.startswith(b"-c\0") and b"pip._internal" in c]
    if not argv or argv in (["--help"], ["-h"]) or own_command(argv)[0] is not None:
        assert pip_runs == []  # safepip's own help and subcommands (after pip's general options)
        return
    if pip_runs:
        assert len(pip_runs) == 1, pip_runs
        launcher_end = pip_runs[0].index(b"\0", 3) + 1
        assert pip_runs[0][launcher_end:] == encoded(argv)
        assert code == 0  # the fake pip's status
    else:
        assert code != 0 and "ERROR:" in err.getvalue(), (argv, code, err.getvalue())


@pytest.mark.parametrize(
    "value", ["~nosuchuser-safepip", "a" * 300], ids=["unknown-user-home", "name-too-long"]
)
def test_overlong_or_strange_python_option_is_explained(world: World, value: str) -> None:
    env, err = environment(world.plain, world.outside, world.home)
    code = run_main(["--python", value, "install", "fixlib"], env, err)
    assert code != 0
    assert "ERROR:" in err.getvalue()


@pytest.mark.parametrize("command", ["install", "explain"])
def test_overlong_requirement_is_explained(world: World, command: str) -> None:
    """pip would simply look such a name up on the index."""
    env, err = environment(world.managed, world.project, world.home)
    argv = ["install", "--dry-run", "a" * 300] if command == "install" else ["explain", "a" * 300]
    code = run_main(argv, env, err)
    assert code == 0, err.getvalue()
    assert "a" * 300 in err.getvalue() + env.stdout.getvalue()  # type: ignore[attr-defined]


def test_own_flags_are_taken_out_only_before_a_double_dash(world: World) -> None:
    world.plain.clear()
    env, err = environment(world.plain, world.outside, world.home)
    run_main(["install", "--venv", "-U", "x", "--", "--pipx"], env, err)
    (call,) = world.plain.recorded()
    assert call.endswith(encoded(["install", "-U", "x", "--", "--pipx"]))


# -- main(), redirected ---------------------------------------------------------------------------


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(argv=ARGV, inside=st.booleans())
def test_redirect_never_crashes(world: World, argv: list[str], inside: bool) -> None:
    """On an externally-managed (fake) Python, any argv: an exit status, never an exception;
    and the fake never made a venv, so none may appear."""
    if not safe(argv):
        return
    world.managed.clear()
    cwd = world.project if inside else world.outside
    env, err = environment(world.managed, cwd, world.home)
    run_main(argv, env, err)
    assert not os.path.lexists(cwd / ".venv")
    assert not [p for p in cwd.iterdir() if "safepip-tmp" in p.name]


# -- hostile [tool.safepip] -----------------------------------------------------------------------

HOSTILE_PYPROJECTS = {
    "route-is-a-command": '[tool.safepip.routes]\nx = "rm -rf /"\nfixlib = "touch {canary}"\n',
    "default-route-number": "[tool.safepip]\ndefault-route = 42\n",
    "default-route-command": '[tool.safepip]\ndefault-route = "pipx; touch {canary}"\n',
    "routes-not-a-table": '[tool.safepip]\nroutes = "pipx"\n',
    "tool-not-a-table": "tool = 5\n",
    "safepip-not-a-table": "[tool]\nsafepip = [1, 2]\n",
    "nested-values": (
        '[tool.safepip]\ndefault-route = {{cmd = "touch {canary}"}}\n'
        'routes = {{fixlib = ["pipx"], y = {{a = 1}}, "" = "pipx"}}\n'
    ),
    "project-not-lists": (
        '[project]\ndependencies = "fixlib"\noptional-dependencies = 5\n'
        '[dependency-groups]\ng = [{{include-group = "g"}}, 5]\n'
    ),
    "invalid-toml": "[tool.safepip\nroutes = \n",
    "not-utf8": "[tool.safepip]\ndefault-route = '\udcff'\n",
    "deeply-nested": "x = " + "[" * 3000 + "]" * 3000 + "\n",
}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            text,
            id=name,
        )
        for name, text in HOSTILE_PYPROJECTS.items()
    ],
)
def test_hostile_tool_safepip_runs_nothing(tmp_path: Path, world: World, text: str) -> None:
    project = tmp_path / "home" / "proj"
    project.mkdir(parents=True)
    canary = tmp_path / "canary"
    data = text.format(canary=canary).encode("utf-8", "surrogateescape")
    (project / "pyproject.toml").write_bytes(data)
    world.managed.clear()
    env, err = environment(world.managed, project, tmp_path / "home")
    code = run_main(["install", "--dry-run", "fixlib", "x"], env, err)
    assert code == 0, err.getvalue()
    assert "would install fixlib" in err.getvalue()
    # Besides the probe (and its question of the wheel tags, for looking the names up), only
    # pip's own dry-run resolution ran (a dry run exits as pip's does): no venv was made, no
    # pipx started, nothing the project's file names.
    runs = world.managed.recorded()
    tags = [r for r in runs if b"from packaging import markers, tags" in r]
    assert len(runs) - len(tags) <= 1 and len(tags) <= 1
    dry = [r for r in runs if r not in tags]
    assert all(b"\x00install\x00--dry-run\x00" in r and b"\x00--report\x00" in r for r in dry)
    assert not canary.exists()
    assert not os.path.lexists(project / ".venv")
