"""safepip.backends.uv_tool: a plugin goes with its application (``uv tool install APP --with
PLUGIN``), an application alone."""

from __future__ import annotations

from safepip.backends.uv_tool import tool_args
from safepip.decide.model import Decision, Item, Planned
from safepip.pip.index_options import IndexOptions
from safepip.pip.parser import parse


def step(item: Item) -> Planned:
    return Planned(item, Decision("pipx", ("test",)))


def test_a_plugin_is_installed_with_its_application() -> None:
    pip_args = parse(["install", "mkdocs-material"])
    plugin = Item("mkdocs-material", "name", "mkdocs-material", inject_into="mkdocs")
    args = tool_args(step(plugin), pip_args, IndexOptions(), "/py")
    assert args[:4] == ["tool", "install", "--python", "/py"]
    assert args[-3:] == ["mkdocs", "--with", "mkdocs-material"]
    app = Item("black", "name", "black", ("black",), commands_known=True)
    assert tool_args(step(app), parse(["install", "black"]), IndexOptions(), "/py")[-1] == "black"
