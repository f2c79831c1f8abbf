"""End to end: a plugin is found by the entry points it registers in its application's group
(mkdocstrings -> mkdocs), not only by its name, and goes in with an application, never with a
library (flower with celery); an application brings the command its description tells people
to type even where a dependency provides it (jupyterlab's ``jupyter lab``: jupyter-core)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support import APP, About, PackageIndex, build_wheel
from support.cli import run_safepip, some_pipx
from support.plugins import with_entry_points

LAB = """\
An environment of the safepip tests.

Start it with:

```bash
fixnb lab
```
"""


def explain(args: list[str], cwd: Path, env: dict[str, str]) -> dict[str, dict[str, Any]]:
    """``safepip explain --json ARGS``: each requirement's entry, by what was asked."""
    result = run_safepip(["explain", "--json", *args], cwd=cwd, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)["requirements"]
    return {r["requirement"]: r for r in found}


def home(env: dict[str, str]) -> Path:
    return Path(env["HOME"])


@pytest.fixture
def plugins(make_index: Callable[..., PackageIndex], tmp_path: Path) -> PackageIndex:
    dists = tmp_path / "plugin-dists"
    return make_index(
        # mkdocs and mkdocstrings: a plugin not named after its application
        build_wheel(dists, "fixdocs", console_scripts={"fixdocs": "fixdocs:main"}, about=APP),
        with_entry_points(
            build_wheel(dists, "fixstrings", requires=["fixdocs>=1"]),
            {"fixdocs.plugins": {"fixstrings": "fixstrings:Plugin"}},
        ),
        # celery and flower: a plugin of a library with a command
        build_wheel(
            dists,
            "fixtasks",
            console_scripts={"fixtasks": "fixtasks:main"},
            about=About(summary="A task queue library of the safepip tests"),
        ),
        with_entry_points(
            build_wheel(dists, "fixflower", requires=["fixtasks"]),
            {"fixtasks.commands": {"fixflower": "fixflower:Command"}},
        ),
        # jupyterlab and jupyter-core: `fixnb lab` is fixnb-core's fixnb
        build_wheel(dists, "fixnb-core", console_scripts={"fixnb": "fixnb_core:main"}),
        # a dependency with a helper command nobody is told to type (pygments' pygmentize)
        build_wheel(dists, "fixhighlight", console_scripts={"fixhighlightize": "fixhl:main"}),
        build_wheel(
            dists,
            "fixlab",
            console_scripts={"fixnb-lab": "fixlab:main"},
            requires=["fixnb-core", "fixhighlight"],
            about=About(summary=APP.summary, description=LAB),
        ),
    )


def test_explain_finds_plugins_by_their_entry_points_and_typed_commands(
    plugins: PackageIndex, clean_env: dict[str, str], project: Path
) -> None:
    env = dict(clean_env, PIP_INDEX_URL=plugins.url)
    found = explain(["fixstrings", "fixflower", "fixlab"], home(env), env)
    strings, flower, lab = found["fixstrings"], found["fixflower"], found["fixlab"]
    assert strings["route"] == "pipx" and strings["inject_into"] == "fixdocs"
    assert strings["environment"].endswith("/venvs/fixdocs")
    assert "plugin of fixdocs" in strings["reasons"][0]
    assert flower["route"] == "venv" and "inject_into" not in flower
    assert lab["route"] == "pipx" and lab["commands_from"] == "fixnb-core"
    assert lab["commands"] == ["fixnb-lab", "fixnb"]
    inside = explain(["fixstrings"], project, env)
    assert inside["fixstrings"]["route"] == "venv"


def test_an_application_puts_the_command_it_tells_people_to_type_on_path(
    plugins: PackageIndex, clean_env: dict[str, str], tmp_path: Path
) -> None:
    env = some_pipx(dict(clean_env, PIP_INDEX_URL=plugins.url), tmp_path)
    result = run_safepip(["install", "fixlab"], cwd=home(env), env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    bin_dir = Path(env["PIPX_BIN_DIR"])
    ran = subprocess.run([bin_dir / "fixnb"], capture_output=True, text=True, check=False)
    assert ran.stdout.strip() == "fixnb 1.0", (ran.stderr, result.stderr)
    assert (bin_dir / "fixnb-lab").exists()
    # only the part it names comes along (pipx --include-deps would link every dependency's)
    assert not (bin_dir / "fixhighlightize").exists()


# -- the real index --------------------------------------------------------------------------


def pypi_env(home_folder: Path) -> dict[str, str]:
    """A fresh user on this machine, with the real index (pip's defaults)."""
    home_folder.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": f"{home_folder / '.local' / 'bin'}:/usr/bin:/bin",
        "HOME": str(home_folder),
        "PIP_CONFIG_FILE": os.devnull,
        "LANG": "C.UTF-8",
    }


@pytest.mark.network
def test_real_plugins_and_typed_commands_on_pypi(tmp_path: Path) -> None:
    env = pypi_env(tmp_path / "home")
    asked = [
        "celery",
        "flower",
        "mkdocstrings",
        "poetry-dynamic-versioning",
        "poetry-dynamic-versioning[plugin]",
        "jupyterlab",
        "notebook",
    ]
    found = explain(asked, home(env), env)
    for name in asked:
        shown = {k: found[name].get(k) for k in ("route", "kind", "inject_into", "commands_from")}
        print(name, json.dumps(shown), found[name]["commands"], found[name]["reasons"])
    celery_runs = found["celery"].get("kind") == "application"
    assert (found["flower"].get("inject_into") == "celery") is celery_runs
    assert found["mkdocstrings"]["inject_into"] == "mkdocs"
    assert found["poetry-dynamic-versioning[plugin]"]["inject_into"] == "poetry"
    for name in ("jupyterlab", "notebook"):
        assert "jupyter" in found[name]["commands"], found[name]
