"""safepip.inspect.installed: what an installed distribution puts on PATH, and its parts named
after it that do, read from ``*.dist-info`` folders (a hand-made one, and this test venv's)."""

from __future__ import annotations

import sys
from pathlib import Path

from safepip.inspect.installed import (
    commands,
    parse_entry_points,
    parts_with_commands,
    required_names,
)
from safepip.target.site_packages import dist_infos


def test_entry_points_parser_keeps_names_as_written() -> None:
    text = """
# comment
[console_scripts]
Foo-Bar = pkg.cli:main [extra]
baz=pkg:baz
; another comment

[gui_scripts]
viewer = pkg.gui:run
[other.group]
x = y
"""
    assert parse_entry_points(text) == {
        "console_scripts": {"Foo-Bar": "pkg.cli:main [extra]", "baz": "pkg:baz"},
        "gui_scripts": {"viewer": "pkg.gui:run"},
        "other.group": {"x": "y"},
    }


def dist_info(venv: Path, name: str, version: str, files: dict[str, str]) -> Path:
    folder = venv / "lib" / "python3.11" / "site-packages" / f"{name}-{version}.dist-info"
    folder.mkdir(parents=True)
    for filename, text in files.items():
        (folder / filename).write_text(text)
    return folder


def metadata(name: str, *requires: str) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", "Version: 1.0"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    return "\n".join(lines) + "\n\nRequires-Dist: not-a-header (the description)\n"


def test_commands_are_entry_points_and_the_scripts_put_in_bin(tmp_path: Path) -> None:
    info = dist_info(
        tmp_path,
        "tool",
        "1.0",
        {
            "entry_points.txt": "[console_scripts]\ntool = t:main\n[gui_scripts]\ntoolw = t:gui\n",
            "RECORD": "t.py,,\n../../../bin/tool,,\n../../../bin/tool-data.sh,,\n"
            "../../../share/man/tool.1,,\n",
        },
    )
    assert commands(str(info)) == ("tool", "toolw", "tool-data.sh")
    empty = dist_info(tmp_path, "lib", "2.0", {"RECORD": "lib.py,,\n"})
    assert commands(str(empty)) == ()


def test_requires_dist_names_from_the_headers_only(tmp_path: Path) -> None:
    info = dist_info(
        tmp_path,
        "bundle",
        "1.0",
        {"METADATA": metadata("bundle", "Bundle_Core (>=2.0)", "jinja2>=3; extra == 'x'")},
    )
    assert required_names(str(info)) == ["bundle-core", "jinja2"]


def test_a_part_named_after_the_package_with_commands_is_found(tmp_path: Path) -> None:
    """ansible and ansible-core; a dependency not named after it (jinja2) is no part of it,
    and a part without commands brings none."""
    dist_info(
        tmp_path,
        "bundle",
        "1.0",
        {
            "METADATA": metadata("bundle", "bundle-core", "bundle-data", "jinja2"),
            "entry_points.txt": "[console_scripts]\nbundle-community = b:main\n",
        },
    )
    dist_info(
        tmp_path,
        "bundle_core",
        "2.0",
        {"entry_points.txt": "[console_scripts]\nbundle-play = c:play\n"},
    )
    dist_info(tmp_path, "bundle_data", "2.0", {})
    dist_info(tmp_path, "jinja2", "3.0", {"entry_points.txt": "[console_scripts]\nj = j:m\n"})
    infos = dist_infos(tmp_path)
    assert sorted(infos) == ["bundle", "bundle-core", "bundle-data", "jinja2"]
    assert parts_with_commands(infos, "bundle") == {"bundle-core": ("bundle-play",)}
    assert parts_with_commands(infos, "jinja2") == {}
    assert parts_with_commands(infos, "absent") == {}


def described(name: str, typed: str, *requires: str) -> dict[str, str]:
    """The METADATA of ``name`` whose description says to type ``typed``, with a command."""
    body = f"Start it with:\n\n```bash\n{typed}\n```\n"
    return {
        "METADATA": metadata(name, *requires).replace("\n\n", "\n\n" + body, 1),
        "entry_points.txt": f"[console_scripts]\n{name}-app = l:main\n",
    }


def test_a_dependency_whose_command_the_description_types_is_a_part(tmp_path: Path) -> None:
    """jupyterlab and jupyter-core (``jupyter lab``), as the look-up finds them; notebook
    requires jupyter-core only through jupyter-server (``jupyter notebook``); a dependency
    named like the command that does not provide it (jupyter-server) brings nothing."""
    dist_info(
        tmp_path, "lab", "1.0", described("lab", "jupyter lab", "jupyter-core", "jupyter-server")
    )
    dist_info(tmp_path, "nb", "1.0", described("nb", "jupyter notebook", "jupyter-server"))
    core = {
        "entry_points.txt": "[console_scripts]\njupyter = j:m\n",
        "METADATA": metadata("jupyter-core"),
    }
    dist_info(tmp_path, "jupyter_core", "5.0", core)
    server = {
        "entry_points.txt": "[console_scripts]\njupyter-server = s:m\n",
        "METADATA": metadata("jupyter-server", "jupyter-core>=4"),
    }
    dist_info(tmp_path, "jupyter_server", "2.0", server)
    infos = dist_infos(tmp_path)
    assert parts_with_commands(infos, "lab") == {"jupyter-core": ("jupyter",)}
    assert parts_with_commands(infos, "nb") == {"jupyter-core": ("jupyter",)}
    assert parts_with_commands(infos, "jupyter-server") == {}


def test_this_venvs_pytest_puts_its_commands_on_path() -> None:
    """A real environment, installed by pip: pytest's two console scripts."""
    infos = dist_infos(sys.prefix)
    assert {"pytest", "py.test"} <= set(commands(infos["pytest"]))
    assert "pluggy" in required_names(infos["pytest"])
