"""safepip's own settings (decide/settings.py): the TOML files read safely, the precedence of
the places a route can be chosen, and the uv setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from safepip.decide.settings import overrides, use_uv
from safepip.exceptions import SettingsError
from safepip.tomlfile import load_toml


def test_a_missing_file_is_empty_and_a_broken_one_is_a_settings_error(tmp_path: Path) -> None:
    assert load_toml(tmp_path / "absent.toml") == {}
    bad = tmp_path / "bad.toml"
    bad.write_text("[routes\n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_toml(bad)
    bad.write_bytes(b'x = "\xff"\n')
    with pytest.raises(SettingsError, match="not UTF-8"):
        load_toml(bad)


def test_precedence_environment_then_project_then_user(tmp_path: Path) -> None:
    project, config = tmp_path / "proj", tmp_path / "config"
    project.mkdir()
    config.mkdir()
    (project / "pyproject.toml").write_text('[tool.safepip.routes]\nblack = "venv"\n')
    (config / "config.toml").write_text('default-route = "pipx"\n')
    warnings: list[str] = []
    found = overrides({"SAFEPIP_ROUTES": "Pytest=pipx"}, project, config, warnings.append)
    assert [o.label for o in found] == [
        "$SAFEPIP_ROUTES",
        f"[tool.safepip] in {project / 'pyproject.toml'}",
        str(config / "config.toml"),
    ]
    assert found[0].packages == {"pytest": "pipx"}
    assert found[1].packages == {"black": "venv"} and found[2].default == "pipx"
    assert warnings == []


def test_a_project_file_cannot_set_anything_but_route_names(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.safepip]\ndefault-route = "rm -rf /"\n')
    warnings: list[str] = []
    found = overrides({}, tmp_path, tmp_path / "none", warnings.append)
    assert found[0].default is None and "ignoring route" in warnings[0]


@pytest.mark.parametrize(
    ("variable", "config", "expected"),
    [("1", "", True), ("0", "use-uv = true\n", False), (None, "use-uv = true\n", True),
     (None, "", False), ("maybe", "use-uv = true\n", True), (None, "use-uv = [\n", False)],
)  # fmt: skip
def test_the_uv_setting(tmp_path: Path, variable: str | None, config: str, expected: bool) -> None:
    (tmp_path / "config.toml").write_text(config)
    environ = {} if variable is None else {"SAFEPIP_UV": variable}
    assert use_uv(environ, tmp_path) is expected


@pytest.mark.parametrize(
    ("where", "text", "environ", "said"),
    [
        ("user", 'defaultroute = "pipx"\n', {}, "ignoring 'defaultroute' in"),
        ("user", 'routes = "black=pipx"\n', {}, "ignoring routes = 'black=pipx' in"),
        ("user", 'use-uv = "yes"\n', {}, "ignoring use-uv = 'yes' in"),
        ("project", '[tool.safepip]\nroutes = ["black"]\n', {}, "ignoring routes = ['black'] in"),
        ("project", "[tool.safepip]\nuse-uv = true\n", {}, "ignoring 'use-uv' in [tool.safepip]"),
        ("none", "", {"SAFEPIP_ROUTES": "black"}, "ignoring 'black' in $SAFEPIP_ROUTES"),
        ("none", "", {"SAFEPIP_ROUTES": "=pipx"}, "ignoring '=pipx' in $SAFEPIP_ROUTES"),
    ],
)
def test_a_setting_safepip_does_not_read_is_named_once(
    tmp_path: Path, where: str, text: str, environ: dict[str, str], said: str
) -> None:
    """Unknown keys and values of the wrong kind: one line naming the file (or variable), the
    key and what is expected; nothing is routed by them."""
    project, config = tmp_path / "proj", tmp_path / "config"
    project.mkdir()
    config.mkdir()
    if where == "user":
        (config / "config.toml").write_text(text)
    elif where == "project":
        (project / "pyproject.toml").write_text(text)
    warnings: list[str] = []
    found = overrides(environ, project, config, warnings.append)
    assert len(warnings) == 1 and said in warnings[0], warnings
    assert all(not o.packages and o.default is None for o in found)


def test_distro_from_the_user_but_never_from_a_checkout(tmp_path: Path) -> None:
    project, config = tmp_path / "proj", tmp_path / "config"
    project.mkdir()
    config.mkdir()
    (project / "pyproject.toml").write_text(
        '[tool.safepip]\ndefault-route = "distro"\n[tool.safepip.routes]\nnumpy = "distro"\n'
    )
    (config / "config.toml").write_text('default-route = "distro"\n[routes]\nblack = "pipx"\n')
    warnings: list[str] = []
    environ = {"SAFEPIP_ROUTE": "distro", "SAFEPIP_ROUTES": "numpy=distro"}
    found = overrides(environ, project, config, warnings.append)
    assert found[0].default == "distro" and found[0].packages == {"numpy": "distro"}
    assert found[1].default is None and found[1].packages == {}  # the checkout's: ignored
    assert found[2].default == "distro"
    assert len(warnings) == 2 and all("may not make safepip run" in w for w in warnings)
