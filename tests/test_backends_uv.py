"""safepip.backends.uv: the opt-in, and pip's install options as uv's (pure parts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from safepip.backends.uv import (
    accelerator,
    pip_install_args,
    tool_install_args,
)
from safepip.decide.settings import uv_opted_in as opted_in
from safepip.environment import Environment
from safepip.exceptions import UvUnsuitable
from safepip.pip.index_options import IndexOptions
from safepip.pip.parser import parse

INDEX = IndexOptions(index_url="http://127.0.0.1:1/simple/")


@pytest.mark.parametrize(
    ("environ", "config", "expected"),
    [
        ({}, {}, False),
        ({"SAFEPIP_UV": "1"}, {}, True),
        ({"SAFEPIP_UV": "yes"}, {}, True),
        ({"SAFEPIP_UV": "0"}, {"use-uv": True}, False),
        ({}, {"use-uv": True}, True),
        ({}, {"use-uv": "true"}, False),  # a TOML boolean, not a string
        ({"SAFEPIP_UV": "maybe"}, {"use-uv": True}, True),  # unreadable: the config decides
    ],
)
def test_opted_in(environ: dict[str, str], config: dict[str, object], expected: bool) -> None:
    assert opted_in(environ, config) is expected


def test_requirements_files_and_flags_map_to_uv() -> None:
    args = pip_install_args(
        parse(["install", "-Ur", "req.txt", "--no-deps", "--force-reinstall", "-q", "requests"]),
        INDEX,
    )
    assert args == [
        "--upgrade",
        "--requirement",
        "req.txt",
        "--no-deps",
        "--reinstall",
        "--quiet",
        "--index-url",
        INDEX.index_url,
        "requests",
    ]


def test_index_options_come_from_pips_view_with_pips_strategy() -> None:
    index = IndexOptions(
        index_url="https://a/simple",
        extra_index_urls=("https://b/simple",),
        find_links=("/wheels",),
        pre=True,
        cert="/etc/ca.pem",
    )
    # the command line's own -i is not repeated: IndexOptions already merged it with pip's config
    args = pip_install_args(parse(["install", "-i", "https://a/simple", "x"]), index)
    assert args == [
        "--index-url",
        "https://a/simple",
        "--extra-index-url",
        "https://b/simple",
        "--index-strategy",
        "unsafe-best-match",
        "--find-links",
        "/wheels",
        "--prerelease",
        "allow",
        "x",
    ]


def test_no_index() -> None:
    args = pip_install_args(parse(["install", "--no-index", "-f", "/w", "x"]), IndexOptions(
        no_index=True, find_links=("/w",)))  # fmt: skip
    assert args[:3] == ["--no-index", "--find-links", "/w"]


@pytest.mark.parametrize(
    "argv",
    [
        ["install", "--prefer-binary", "x"],
        ["install", "--upgrade-strategy", "eager", "-U", "x"],
        ["install", "--config-settings", "a=b", "x"],
        ["install", "--report", "r.json", "x"],
        ["--proxy", "http://p:1", "install", "x"],
        ["install", "--", "-weird"],
        ["list"],
    ],
)
def test_what_uv_cannot_do_as_pip_would_is_refused(argv: list[str]) -> None:
    with pytest.raises(UvUnsuitable):
        pip_install_args(parse(argv), INDEX)


def test_ignored_options_change_nothing_installed() -> None:
    args = pip_install_args(
        parse(["--disable-pip-version-check", "install", "--no-warn-script-location", "x"]), INDEX
    )
    assert args == ["--index-url", INDEX.index_url, "x"]


def test_tool_install_args() -> None:
    args = tool_install_args("black==24.1", parse(["install", "-U", "black==24.1"]), INDEX, "/py")
    assert args == [
        "tool", "install", "--python", "/py", "--upgrade",
        "--index-url", INDEX.index_url, "black==24.1",
    ]  # fmt: skip
    with pytest.raises(UvUnsuitable):
        tool_install_args("x", parse(["install", "-r", "req.txt", "x"]), INDEX, "/py")


@pytest.mark.parametrize(
    ("variable", "config", "expected"),
    [
        (None, "", False),
        (None, "use-uv = true\n", True),
        ("0", "use-uv = true\n", False),
        ("maybe", "use-uv = true\n", True),
        ("1", "", True),
    ],
)
def test_accelerator_reads_the_user_config_unless_the_variable_decides(
    tmp_path: Path, variable: str | None, config: str, expected: bool
) -> None:
    (tmp_path / "config" / "safepip").mkdir(parents=True)
    (tmp_path / "config" / "safepip" / "config.toml").write_text(config)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "uv").write_text("#!/bin/sh\n")
    (tmp_path / "bin" / "uv").chmod(0o755)
    environ = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "PATH": str(tmp_path / "bin")}
    if variable is not None:
        environ["SAFEPIP_UV"] = variable
    warnings: list[str] = []
    found = accelerator(Environment(environ=environ, cwd=tmp_path), warnings.append)
    assert (found is not None) is expected
    assert found is None or found.path == str(tmp_path / "bin" / "uv")
