from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from safepip.exceptions import PipConfigError, PipConfigValueError
from safepip.pip.config import (
    PipConfig,
    config_files,
    load,
    strtobool,
)


class World:
    """A fake machine: /etc under ``root``, a home, a target interpreter prefix."""

    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path / "root"
        self.home = tmp_path / "home"
        self.prefix = tmp_path / "prefix"
        for directory in (self.root / "etc", self.home, self.prefix):
            directory.mkdir(parents=True)
        self.environ: dict[str, str] = {"HOME": str(self.home)}

    def write(self, path: Path, text: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    @property
    def etc_file(self) -> Path:
        return self.root / "etc" / "pip.conf"

    @property
    def xdg_global_file(self) -> Path:
        return self.root / "etc" / "xdg" / "pip" / "pip.conf"

    @property
    def legacy_user_file(self) -> Path:
        return self.home / ".pip" / "pip.conf"

    @property
    def user_file(self) -> Path:
        return self.home / ".config" / "pip" / "pip.conf"

    @property
    def site_file(self) -> Path:
        return self.prefix / "pip.conf"

    def load(
        self,
        command: str | None = "install",
        *,
        isolated: bool = False,
        environ: Mapping[str, str] | None = None,
    ) -> PipConfig:
        return load(
            command,
            self.environ if environ is None else environ,
            site_prefix=str(self.prefix),
            isolated=isolated,
            home=self.home,
            system_root=str(self.root),
        )


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def test_nothing_configured(world: World) -> None:
    config = world.load()
    assert dict(config.values) == {}
    assert not config.break_system_packages and config.user is None
    assert [kind for kind, _ in config.files] == ["global", "global", "user", "user", "site"]


def test_file_locations_and_precedence(world: World) -> None:
    world.write(world.xdg_global_file, "[global]\nindex-url = xdg\ntimeout = 1\n")
    world.write(world.etc_file, "[global]\nindex-url = etc\ncert = /c\n")
    world.write(world.legacy_user_file, "[global]\nindex-url = legacy\nproxy = p\n")
    world.write(world.user_file, "[global]\nindex-url = user\n")
    world.write(world.site_file, "[global]\nindex-url = site\n")
    config = world.load()
    assert config.index_url == "site"
    assert config.sources["index-url"] == str(world.site_file)
    assert config.get("timeout") == "1" and config.sources["timeout"] == str(world.xdg_global_file)
    assert config.get("cert") == "/c" and config.get("proxy") == "p"
    world.site_file.unlink()
    assert world.load().index_url == "user"
    world.user_file.unlink()
    assert world.load().index_url == "legacy"
    world.legacy_user_file.unlink()
    assert world.load().index_url == "etc"


def test_xdg_variables(world: World, tmp_path: Path) -> None:
    first = world.write(tmp_path / "a" / "pip" / "pip.conf", "[global]\nindex-url = a\n")
    second = world.write(tmp_path / "b" / "pip" / "pip.conf", "[global]\nindex-url = b\n")
    world.environ["XDG_CONFIG_DIRS"] = f"{tmp_path / 'a'}{os.pathsep}{tmp_path / 'b'}"
    assert world.load().index_url == "b"  # the later directory wins (unlike the XDG spec)
    second.unlink()
    assert world.load().index_url == "a"
    first.unlink()
    world.write(tmp_path / "cfg" / "pip" / "pip.conf", "[global]\nindex-url = home\n")
    world.environ["XDG_CONFIG_HOME"] = str(tmp_path / "cfg")
    assert world.load().index_url == "home"
    world.environ["XDG_CONFIG_HOME"] = "  "  # blank: the default ~/.config
    assert world.load().index_url is None


def test_sections_then_environment(world: World) -> None:
    # [install] beats [global] even from a lower-priority file; PIP_* beats both
    world.write(world.etc_file, "[install]\nindex-url = etc-install\n")
    world.write(world.user_file, "[global]\nindex-url = user-global\n")
    assert world.load().index_url == "etc-install"
    assert world.load("list").index_url == "user-global"
    world.environ["PIP_INDEX_URL"] = "env"
    config = world.load()
    assert config.index_url == "env"
    assert config.sources["index-url"] == "environment variable PIP_INDEX_URL"


def test_section_names_are_case_sensitive(world: World) -> None:
    world.write(world.user_file, "[Global]\nindex-url = x\n[INSTALL]\npre = yes\n")
    assert dict(world.load().values) == {}


def test_default_section_reaches_every_section(world: World) -> None:
    world.write(world.user_file, "[DEFAULT]\npre = yes\n[list]\n")
    assert world.load("list").pre
    assert not world.load("install").pre  # no [install] or [global] section to carry it


def test_empty_value_masks_lower_files(world: World) -> None:
    world.write(world.etc_file, "[global]\nindex-url = https://mirror/simple\n")
    world.write(world.user_file, "[global]\nindex-url =\n")
    config = world.load()
    assert config.index_url is None  # back to pip's default, not the /etc value
    # masking is per section and name: an empty PIP_INDEX_URL does not unset [global]'s
    world.environ["PIP_INDEX_URL"] = ""
    world.user_file.unlink()
    assert world.load().index_url == "https://mirror/simple"


def test_names_are_normalized(world: World) -> None:
    world.write(world.user_file, "[global]\n--Index_URL = a\nEXTRA_index-url = b c\n")
    config = world.load()
    assert config.index_url == "a"
    assert config.extra_index_urls == ("b", "c")
    world.environ["PIP_Break_System_Packages"] = "1"
    assert world.load().break_system_packages
    world.environ["pip_pre"] = "1"  # the prefix must be upper case
    assert not world.load().pre


def test_aliases_and_unknown_keys(world: World) -> None:
    world.write(
        world.user_file,
        "[global]\npypi-url = a\nrequire-venv = yes\ndefault-timeout = 5\nno-such = 1\n"
        "index = abbreviations-do-not-count\n",
    )
    config = world.load()
    assert dict(config.values) == {
        "index-url": "a",
        "require-virtualenv": "yes",
        "timeout": "5",
    }
    assert config.require_virtualenv


def test_only_the_commands_options(world: World) -> None:
    world.environ["PIP_BREAK_SYSTEM_PACKAGES"] = "1"
    world.environ["PIP_TARGET"] = "/t"
    assert world.load("install").break_system_packages
    assert world.load("install").alternative_location
    assert world.load("uninstall").break_system_packages
    assert not world.load("uninstall").alternative_location
    assert dict(world.load("list").values) == {}


def test_version_and_help_variables_are_ignored(world: World) -> None:
    world.environ.update(PIP_VERSION="1", PIP_HELP="1", PIP_VERBOSE="2")
    assert dict(world.load().values) == {"verbose": "2"}


def test_isolated(world: World) -> None:
    world.write(world.etc_file, "[global]\nproxy = etc\n")
    world.write(world.user_file, "[global]\nindex-url = user\n")
    world.write(world.site_file, "[global]\nno-index = yes\n")
    env_file = world.write(world.home / "env.conf", "[global]\npre = yes\n")
    world.environ["PIP_CONFIG_FILE"] = str(env_file)
    world.environ["PIP_TIMEOUT"] = "5"
    config = world.load(isolated=True)
    # user files and variables skipped; PIP_CONFIG_FILE still honoured
    assert dict(config.values) == {"proxy": "etc", "no-index": "yes", "pre": "yes"}
    # the main parser is never isolated
    assert world.load(None, isolated=True).get("timeout") == "5"


def test_pip_config_file(world: World) -> None:
    world.write(world.user_file, "[global]\nindex-url = user\nproxy = p\n")
    world.write(world.site_file, "[global]\nindex-url = site\n")
    env_file = world.write(world.home / "env.conf", "[global]\nindex-url = env\n")
    world.environ["PIP_CONFIG_FILE"] = str(env_file)
    config = world.load()
    assert config.index_url == "env"
    assert config.get("proxy") is None  # an existing PIP_CONFIG_FILE drops the user files
    world.environ["PIP_CONFIG_FILE"] = str(world.home / "missing.conf")
    config = world.load()
    assert config.index_url == "site" and config.get("proxy") == "p"


def test_pip_config_file_devnull(world: World) -> None:
    world.write(world.etc_file, "[global]\nindex-url = etc\n")
    world.environ["PIP_CONFIG_FILE"] = os.devnull
    world.environ["PIP_PRE"] = "1"
    config = world.load()
    assert config.files == ()
    assert dict(config.values) == {"pre": "1"}


def test_site_file_is_the_target_interpreters() -> None:
    files = config_files({}, site_prefix="/opt/py", isolated=False, home=Path("/h"))
    assert files[-1] == ("site", "/opt/py/pip.conf")
    assert ("user", "/h/.pip/pip.conf") in files
    assert files[:2] == (("global", "/etc/xdg/pip/pip.conf"), ("global", "/etc/pip.conf"))
    assert all(
        kind != "site"
        for kind, _ in config_files({}, site_prefix=None, isolated=False, home=Path("/h"))
    )


def test_main_parser_view(world: World) -> None:
    world.write(world.user_file, "[global]\npython = /opt/py\n[install]\npre = yes\n")
    config = world.load(None)
    assert config.python == "/opt/py"
    assert config.get("pre") is None  # [install] and install's options are not the main parser's
    world.environ["PIP_PYTHON"] = "/env/py"
    assert world.load(None).python == "/env/py"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("yes", True),
        ("ON", True),
        ("t", True),
        ("0", False),
        ("No", False),
        ("off", False),
        ("f", False),
    ],
)
def test_strtobool(value: str, expected: bool) -> None:
    assert strtobool(value) is expected


@pytest.mark.parametrize("value", ["2", "maybe", " yes", "", "true "])
def test_strtobool_rejects(value: str) -> None:
    with pytest.raises(ValueError):
        strtobool(value)


def test_invalid_boolean(world: World) -> None:
    world.environ["PIP_BREAK_SYSTEM_PACKAGES"] = "maybe"
    config = world.load()
    assert config.errors == (
        "maybe is not a valid value for break-system-packages option, please specify a boolean "
        "value like yes/no, true/false or 1/0 instead.",
    )
    with pytest.raises(PipConfigValueError):
        config.flag("break-system-packages")
    assert world.load("list").errors == ()  # list has no such option: pip does not mind


def test_counts(world: World) -> None:
    world.environ.update(PIP_VERBOSE="2", PIP_QUIET="yes")
    assert world.load().verbosity == 1
    world.environ["PIP_VERBOSE"] = "-1"
    config = world.load()
    assert len(config.errors) == 1
    with pytest.raises(PipConfigValueError):
        _ = config.verbosity


def test_user_and_no_user(world: World) -> None:
    world.environ["PIP_USER"] = "yes"
    assert world.load().user is True
    # no-user stores into the same option, unchanged: PIP_NO_USER=1 means a user install
    world.environ["PIP_NO_USER"] = "1"
    assert world.load().user is True
    world.environ["PIP_NO_USER"] = "0"
    assert world.load().user is False
    del world.environ["PIP_NO_USER"]
    world.write(world.user_file, "[install]\nno-user = 0\n")
    assert world.load().user is True  # the variable comes later than the file


def test_dry_run_report(world: World) -> None:
    world.environ.update(PIP_DRY_RUN="1", PIP_REPORT="r.json")
    assert world.load().dry_run_report
    world.environ["PIP_REPORT"] = ""
    assert not world.load().dry_run_report


@pytest.mark.parametrize(
    "text",
    [
        "index-url = no section header\n",
        "[global]\nindex-url = a\nindex-url = b\n",
        "[global]\nindex-url = a\nindex_url = b\n",  # the same name once normalized
        "[global]\n[global]\n",
    ],
)
def test_unreadable_file(world: World, text: str) -> None:
    world.write(world.user_file, text)
    with pytest.raises(PipConfigError):
        world.load()


def test_unreadable_paths_are_skipped(world: World) -> None:
    world.user_file.mkdir(parents=True)  # a directory where the file would be
    assert dict(world.load().values) == {}
