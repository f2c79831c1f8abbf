"""safepip.inspect.role: a package with commands is an application only where something
positive says so; each rule is one sentence quoting what it read. The inputs here are what
real packages' METADATA says of them (summaries and openings as published)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import About, build_wheel

from safepip.inspect.role import NOTHING_SAID, Described, judge, opening
from safepip.inspect.wheel import read_local_wheel


def pkg(name: str, summary: str = "", description: str = "", **more: object) -> Described:
    return Described(name, summary, description, imports=(name.replace("-", "_"),), **more)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("described", "kind", "said"),
    [
        # 1. nothing to import
        (Described("ruff-bin", imports=()), "application", "no Python code of its own"),
        # 2. a launcher of the program it ships
        (
            Described("cmake", imports=("cmake",), python_files=3, programs=("cmake",)),
            "application",
            "only launches the program it ships (cmake)",
        ),
        # ... but many Python files with a big file named like a command: not a launcher
        (
            Described("playwright", imports=("playwright",), python_files=105, programs=("x",)),
            "library",
            NOTHING_SAID,
        ),
        # 3. the machinery of Python projects
        (
            pkg("poetry", "Python dependency management and packaging made easy.", requires=(
                "build (>=1.2.1,<2.0.0)", "cleo (>=2.1.0,<3.0.0)")),
            "application",
            "builds or installs Python packages and environments itself (it requires build)",
        ),
        (pkg("twine", requires=("keyring>=21.2.0", "rich")), "application", "keyring"),
        # 4. the summary's first word that says what it is
        (pkg("black", "The uncompromising code formatter."), "application", '"formatter"'),
        (pkg("yt-dlp", "A feature-rich command-line audio/video downloader"), "application", ""),
        (pkg("flask", "A simple framework for building complex web applications."), "library", ""),
        (pkg("gpiozero", "A simple interface to GPIO devices with Raspberry Pi"), "library", ""),
        (pkg("glances", "An all-in-one system monitoring tool"), "application", "monitoring"),
        # ... both words: an application only where it runs in a console
        (
            pkg("isort", "A Python utility / library to sort Python imports.",
                classifiers=("Environment :: Console",)),
            "application",
            "runs in a console",
        ),
        (
            pkg("wandb", "A CLI and library for interacting with the Weights & Biases API."),
            "library",
            'but also "library"',
        ),
        # 5. the description's opening
        (
            pkg("fonttools", "Tools to manipulate font files",
                "[![CI](https://x/badge.svg)](https://x)\n\n# fontTools\n\n"
                "fontTools is a library for manipulating fonts, written in Python.\n"),
            "library",
            '"library"',
        ),
        # 6. an import shown
        (
            pkg("faker", "", "Usage\n-----\n\n.. code:: python\n\n    from faker import Faker\n"),
            "library",
            "shows how to import it (from faker)",
        ),
        # 7. pipx advised
        (pkg("thefuck", "", "Install with:\n\n    pipx install thefuck\n"), "application", "pipx"),
        # 8. nothing says: a library (numpy's summary and opening name no role)
        (
            pkg("numpy", "Fundamental package for array computing in Python",
                "NumPy is the fundamental package for scientific computing with Python.\n"),
            "library",
            NOTHING_SAID,
        ),
    ],
)  # fmt: skip
def test_each_rule(described: Described, kind: str, said: str) -> None:
    role = judge(described)
    assert role.kind == kind, role.reason
    assert said in role.reason
    assert "\n" not in role.reason and len(role.reason) < 200


def test_a_libraries_words_come_before_an_applications_in_the_opening() -> None:
    """Only library words are read in the description: "Open a terminal and run:" in a
    library's README says nothing about what it is (streamlit)."""
    role = judge(pkg("streamlit", "", "Open a terminal and run:\n\n    $ streamlit hello\n"))
    assert role.kind == "library" and role.reason == NOTHING_SAID


def test_extras_do_not_count_as_machinery() -> None:
    """A library whose *test* extra needs virtualenv is still a library: only what a plain
    install brings counts (the wheel reader drops the extras' Requires-Dist)."""
    role = judge(pkg("somelib", "A library", requires=()))
    assert role.kind == "library"


def test_the_opening_skips_badges_headings_and_code() -> None:
    text = (
        "# Title\n\n[![badge](https://b)](https://c)\n<p align=center><img src=x></p>\n\n"
        "```python\nimport x\n```\n\n    indented code\n\n"
        "X is a [small](https://y) tool for `things`.\n"
    )
    assert opening(text) == "X is a small tool for things."


def test_a_wheels_metadata_is_judged_by_the_reader(tmp_path: Path) -> None:
    """read_local_wheel judges from the wheel's own METADATA, Requires-Dist without extras,
    its files (with their sizes) and its commands."""
    lib = build_wheel(
        tmp_path,
        "fixarray",
        console_scripts={"fixarray-config": "fixarray.cli:main"},
        requires=["fixlib"],
        extras={"test": ["virtualenv"]},
        about=About(description="Use it:\n\n    >>> import fixarray\n"),
    )
    info = read_local_wheel(lib)
    assert info.role is not None and info.role.kind == "library"
    assert info.role.reason == "its description shows how to import it (import fixarray)"
    assert info.imports == ("fixarray",)
    big = b"\x7fELF" + bytes(70 * 1024)
    tool = build_wheel(tmp_path, "fixbin", data_scripts={"fixbin": big})
    assert read_local_wheel(tool).role == judge(
        Described("fixbin", "safepip test fixture fixbin", imports=("fixbin",), python_files=1,
                  programs=("fixbin",))
    )  # fmt: skip
    plain = build_wheel(tmp_path, "fixplain")
    assert read_local_wheel(plain).role is None  # no commands: nothing to judge
