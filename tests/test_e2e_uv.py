"""End to end with real uv (safepip's opt-in accelerator) and the test index: what uv installs
is what pip would have installed, in the same homes, and safepip works the same without it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support import PackageIndex, build_wheel, debian_pipx, pipx_env
from support.cli import run_safepip, venv_import, venv_python, with_pipx
from support.machine import skip_or_fail


@pytest.fixture(scope="module")
def uv() -> Path:
    found = Path(sys.executable).parent / "uv"
    if not found.exists():
        skip_or_fail("uv is not installed in the test venv (pip install -e '.[test]')")
    return found


def uv_env(env: dict[str, str], uv: Path, root: Path) -> dict[str, str]:
    """``env`` opted in to uv, with only ``uv`` added to PATH and uv's folders under ``root``."""
    bin_dir = root / "uv-on-path"
    bin_dir.mkdir(parents=True)
    (bin_dir / "uv").symlink_to(uv)
    return dict(
        env,
        PATH=f"{bin_dir}:{env['PATH']}",
        SAFEPIP_UV="1",
        UV_CACHE_DIR=str(root / "uv-cache"),
        UV_TOOL_DIR=str(root / "uv-tools"),
        UV_TOOL_BIN_DIR=str(root / "uv-bin"),
        UV_NO_CONFIG="1",
    )


def install_outside(
    args: list[str], env: dict[str, str], uv: Path, tmp_path: Path
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """``safepip ARGS`` under the uv setting in a folder of the test HOME that is no project:
    its result (checked to succeed) and the folder."""
    outside = tmp_path / "home" / "somewhere"
    outside.mkdir(parents=True, exist_ok=True)
    result = run_safepip(args, cwd=outside, env=uv_env(env, uv, tmp_path), timeout=300)
    assert result.returncode == 0, result.stderr
    return result, outside


def installer(project: Path, name: str) -> str:
    """Who installed ``name`` into the project's .venv (the dist-info's INSTALLER file)."""
    found = list((project / ".venv").glob(f"lib/python*/site-packages/{name}-*.dist-info"))
    assert len(found) == 1, found
    return (found[0] / "INSTALLER").read_text().strip()


def test_uv_installs_into_a_new_venv_that_still_has_pip(
    project: Path, clean_env: dict[str, str], uv: Path, tmp_path: Path
) -> None:
    env = uv_env(clean_env, uv, tmp_path)
    result = run_safepip(["install", "fixlib"], cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert venv_import(project, "fixlib", env) == "2.0"
    assert installer(project, "fixlib") == "uv"
    assert "with uv" in result.stderr
    assert "(fixlib 2.0)" in result.stderr  # pip, linked in while uv installed, is not listed
    # the .venv is a full one: its own pip works (uv venv alone would have none), and pip's
    # files are all there (linked in on a thread while uv installed fixlib)
    pip = subprocess.run(
        [str(venv_python(project)), "-m", "pip", "--version"], capture_output=True, text=True
    )
    assert pip.returncode == 0, pip.stderr
    check = subprocess.run(
        [str(venv_python(project)), "-m", "pip", "check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    listed = subprocess.run(
        [str(venv_python(project)), "-m", "pip", "list", "--format=freeze"],
        capture_output=True,
        text=True,
    )
    assert listed.stdout.lower().startswith(("fixlib==2.0\npip==",)), listed.stdout


def test_uv_gets_pips_index_from_pips_config(
    project: Path, clean_env: dict[str, str], uv: Path, tmp_path: Path
) -> None:
    """uv reads no pip config: safepip hands it the index pip would use (here from a pip.conf
    given by PIP_CONFIG_FILE, with PIP_INDEX_URL pointing nowhere being overridden by -i)."""
    env = uv_env(clean_env, uv, tmp_path)
    conf = tmp_path / "pip.conf"
    conf.write_text(f"[global]\nindex-url = {env.pop('PIP_INDEX_URL')}\n")
    env["PIP_CONFIG_FILE"] = str(conf)
    result = run_safepip(["install", "fixlib==1.0"], cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert venv_import(project, "fixlib", env) == "1.0"
    assert installer(project, "fixlib") == "uv"


def test_an_option_uv_lacks_falls_back_to_pip(
    project: Path, clean_env: dict[str, str], uv: Path, tmp_path: Path
) -> None:
    env = uv_env(clean_env, uv, tmp_path)
    result = run_safepip(["install", "-v", "--prefer-binary", "fixlib"], cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert installer(project, "fixlib") == "pip"
    assert "using pip, not uv: pip's --prefer-binary" in result.stderr


def test_a_failed_uv_install_leaves_no_venv(
    project: Path, clean_env: dict[str, str], uv: Path, tmp_path: Path
) -> None:
    env = uv_env(clean_env, uv, tmp_path)
    result = run_safepip(["install", "no-such-package-anywhere"], cwd=project, env=env)
    assert result.returncode != 0
    assert not (project / ".venv").exists()
    assert "uv failed" in result.stderr


def test_opted_in_without_uv_on_path_uses_pip(project: Path, clean_env: dict[str, str]) -> None:
    env = dict(clean_env, SAFEPIP_UV="1")
    result = run_safepip(["install", "fixlib"], cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert "uv is not on PATH" in result.stderr
    assert installer(project, "fixlib") == "pip"


def test_uv_not_used_unless_opted_in(
    project: Path, clean_env: dict[str, str], uv: Path, tmp_path: Path
) -> None:
    env = uv_env(clean_env, uv, tmp_path)
    del env["SAFEPIP_UV"]
    result = run_safepip(["install", "fixlib"], cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert installer(project, "fixlib") == "pip"


def test_an_application_goes_to_uv_tool_and_comes_back_out(
    clean_env: dict[str, str], uv: Path, tmp_path: Path
) -> None:
    env = uv_env(clean_env, uv, tmp_path)
    outside = tmp_path / "home" / "somewhere"
    outside.mkdir(parents=True)
    result = run_safepip(["install", "fixapp"], cwd=outside, env=env)
    assert result.returncode == 0, result.stderr
    app = tmp_path / "uv-bin" / "fixapp"
    where = subprocess.run([str(app), "--where"], capture_output=True, text=True, check=True)
    assert str(tmp_path / "uv-tools") in where.stdout
    assert "with uv tool" in result.stderr and "safepip install --venv fixapp" in result.stderr
    assert f"uv puts commands in {tmp_path / 'uv-bin'}, which is not on PATH" in result.stderr
    assert "uv tool update-shell" in result.stderr
    assert not (outside / ".venv").exists()

    again = run_safepip(["install", "fixapp"], cwd=outside, env=env)
    assert again.returncode == 0, again.stderr
    assert "already installed with uv tool" in again.stderr

    listed = run_safepip(["where", "fixapp"], cwd=outside, env=env)
    assert listed.stdout.strip() == "fixapp: uv tool"

    gone = run_safepip(["uninstall", "-y", "fixapp"], cwd=outside, env=env)
    assert gone.returncode == 0, gone.stderr
    assert "uninstalled fixapp from uv tool" in gone.stderr
    assert not app.exists()


def test_outside_a_terminal_uv_installs_an_application_before_any_look_up(
    clean_env: dict[str, str], uv: Path, tmp_path: Path
) -> None:
    result, _ = install_outside(["install", "-v", "fixapp"], clean_env, uv, tmp_path)
    assert "fixapp: installed by uv tool first, commands: fixapp" in result.stderr
    assert "from wheel-range" not in result.stderr  # the look-up's line: not looked up
    # uv's own output, held while it ran, comes before safepip's summary
    uv_said = result.stderr.index("Installed 1 executable: fixapp")
    assert uv_said < result.stderr.index("safepip: installed fixapp 1.0 as an application with uv")
    assert (tmp_path / "uv-bin" / "fixapp").exists()


def test_a_library_uv_refuses_as_a_tool_is_looked_up_and_installed_as_usual(
    clean_env: dict[str, str], uv: Path, tmp_path: Path
) -> None:
    result, outside = install_outside(["install", "-v", "fixlib"], clean_env, uv, tmp_path)
    assert "fixlib: uv tool install exited with" in result.stderr
    assert "No executables" not in result.stderr  # uv's refusal is not the user's business
    assert "commands: none" in result.stderr  # the look-up's answer decided
    assert venv_import(outside, "fixlib", clean_env) == "2.0"
    tools = tmp_path / "uv-tools"
    assert not tools.exists() or not any(tools.glob("fixlib*")), list(tools.iterdir())


def test_a_dry_run_installs_nothing_with_uv_first(
    clean_env: dict[str, str], uv: Path, tmp_path: Path
) -> None:
    result, _ = install_outside(["install", "--dry-run", "fixapp"], clean_env, uv, tmp_path)
    assert "would install fixapp into pipx" in result.stderr
    assert not (tmp_path / "uv-bin" / "fixapp").exists()
    assert not (tmp_path / "uv-tools" / "fixapp").exists()


def test_a_bundle_uv_installed_first_is_removed_again_and_goes_to_pipx(
    clean_env: dict[str, str],
    uv: Path,
    tmp_path: Path,
    make_index: Callable[..., PackageIndex],
) -> None:
    """ansible-like: uv installs it (it has a command of its own), but the commands users want
    are its part's (fixbundle-core), which only ``pipx --include-deps`` puts on PATH."""
    dists = tmp_path / "dists"
    index = make_index(
        build_wheel(
            dists,
            "fixbundle",
            console_scripts={"fixbundle-community": "fixbundle:main"},
            requires=["fixbundle-core"],
        ),
        build_wheel(dists, "fixbundle-core", console_scripts={"fixbundle-play": "core:play"}),
    )
    pipx = debian_pipx()
    if pipx is None:
        pytest.fail("no Debian pipx here (tests/run.sh provides it)")
    base = pipx_env(dict(clean_env, PIP_INDEX_URL=index.url), tmp_path / "pipx")
    env = with_pipx(base, pipx, tmp_path / "pipx-on-path")
    result, _ = install_outside(["install", "-v", "fixbundle"], env, uv, tmp_path)
    assert "its part fixbundle-core has commands; removing it" in result.stderr
    assert "with pipx" in result.stderr
    assert (Path(env["PIPX_BIN_DIR"]) / "fixbundle-play").exists()
    assert not (tmp_path / "uv-tools" / "fixbundle").exists()
    assert not (tmp_path / "uv-bin" / "fixbundle-community").exists()


def test_explain_says_uv_tool_where_install_uses_it(
    clean_env: dict[str, str], uv: Path, tmp_path: Path
) -> None:
    """Under the uv setting an application goes to ``uv tool``: explain says so (it said pipx),
    and names uv's tool folder as its environment; a library's home is unchanged."""
    env = uv_env(clean_env, uv, tmp_path)
    outside = tmp_path / "home" / "somewhere"
    outside.mkdir(parents=True)
    result = run_safepip(["explain", "fixapp", "fixlib"], cwd=outside, env=env)
    assert result.returncode == 0, result.stderr
    assert "fixapp -> uv tool (safepip's uv setting): " in result.stdout, result.stdout
    found = json.loads(run_safepip(["explain", "--json", "fixapp"], cwd=outside, env=env).stdout)
    (app,) = found["requirements"]
    assert app["route"] == "pipx" and app["backend"] == "uv tool"
    assert app["environment"] == str(tmp_path / "uv-tools" / "fixapp")
    plain = json.loads(
        run_safepip(["explain", "--json", "fixapp"], cwd=outside, env=clean_env).stdout
    )
    assert plain["requirements"][0]["backend"] == "pipx"


@pytest.mark.parametrize("tool", ["uv", "pipx"])
def test_a_downgrade_and_a_forced_reinstall_are_said_as_they_are(
    clean_env: dict[str, str],
    uv: Path,
    tmp_path: Path,
    make_index: Callable[..., PackageIndex],
    tool: str,
) -> None:
    """An app pinned below what uv tool (or pipx) has is "downgraded ... from 2.0 to 1.0", and
    ``--force-reinstall`` is "reinstalled" (both said "nothing changed")."""
    from support import APP

    dists = tmp_path / "dists"
    wheels = [
        build_wheel(dists, "fixver", v, console_scripts={"fixver": "fixver:main"}, about=APP)
        for v in ("1.0", "2.0")
    ]
    index = make_index(*wheels)
    env = dict(clean_env, PIP_INDEX_URL=index.url)
    if tool == "uv":
        env = uv_env(env, uv, tmp_path)
    else:
        pipx = debian_pipx()
        assert pipx is not None
        env = with_pipx(pipx_env(env, tmp_path / "pipx"), pipx, tmp_path / "pipx-on-path")
    outside = tmp_path / "home" / "somewhere"
    outside.mkdir(parents=True)
    first = run_safepip(["install", "fixver"], cwd=outside, env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    down = run_safepip(["install", "fixver==1.0"], cwd=outside, env=env, timeout=300)
    assert down.returncode == 0, down.stderr
    assert "downgraded fixver from 2.0 to 1.0" in down.stderr, down.stderr
    again = run_safepip(["install", "--force-reinstall", "fixver==1.0"], cwd=outside, env=env)
    assert again.returncode == 0, again.stderr
    assert "reinstalled fixver 1.0 " in again.stderr and "nothing changed" not in again.stderr


def test_uv_plugins_are_found_kept_and_removed_for_good(
    clean_env: dict[str, str],
    uv: Path,
    tmp_path: Path,
    make_index: Callable[..., PackageIndex],
) -> None:
    """Plugins installed ``--with`` a uv tool: a second one keeps the first (uv installs
    exactly what one command line names), ``where`` finds them, and ``uninstall`` removes one
    from uv's receipt too, so no reinstall brings it back."""
    from support import APP

    dists = tmp_path / "dists"
    index = make_index(
        build_wheel(dists, "fixtool", console_scripts={"fixtool": "fixtool:main"}, about=APP),
        build_wheel(dists, "fixtool-one", requires=["fixtool>=1"]),
        build_wheel(dists, "fixtool-two", requires=["fixtool>=1"]),
    )
    env = uv_env(dict(clean_env, PIP_INDEX_URL=index.url), uv, tmp_path)
    outside = tmp_path / "home" / "somewhere"
    outside.mkdir(parents=True)
    for name in ("fixtool", "fixtool-one", "fixtool-two"):
        done = run_safepip(["install", name], cwd=outside, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        if name != "fixtool":  # a plugin is said as one, not as an application
            assert f"installed {name} into the uv tool fixtool (--with)" in done.stderr
    tool = tmp_path / "uv-tools" / "fixtool"
    receipt = (tool / "uv-receipt.toml").read_text()
    assert "fixtool-one" in receipt and "fixtool-two" in receipt, receipt
    where = run_safepip(["where", "--json", "fixtool-one", "fixtool-two"], cwd=outside, env=env)
    assert json.loads(where.stdout) == {"fixtool-one": ["uv tool"], "fixtool-two": ["uv tool"]}
    gone = run_safepip(["uninstall", "-y", "fixtool-one"], cwd=outside, env=env, timeout=300)
    assert gone.returncode == 0, gone.stderr
    assert "uninstalled fixtool-one from the uv tool fixtool" in gone.stderr
    receipt = (tool / "uv-receipt.toml").read_text()
    assert "fixtool-one" not in receipt and "fixtool-two" in receipt, receipt
    python = str(tool / "bin" / "python")
    assert subprocess.run([python, "-c", "import fixtool_two, fixtool"]).returncode == 0
    assert subprocess.run([python, "-c", "import fixtool_one"]).returncode != 0


def test_where_lists_uv_tools_when_uv_is_gone_from_path(
    clean_env: dict[str, str], uv: Path, tmp_path: Path
) -> None:
    """Under the uv setting without uv on PATH, ``where`` still finds uv's tools in uv's tool
    folder (it listed none) and says why uv is not used."""
    install_outside(["install", "fixapp"], clean_env, uv, tmp_path)
    (tmp_path / "uv-on-path" / "uv").unlink()
    env = dict(
        clean_env,
        SAFEPIP_UV="1",
        UV_TOOL_DIR=str(tmp_path / "uv-tools"),
        PATH=f"{tmp_path / 'uv-on-path'}:{clean_env['PATH']}",
    )
    where = run_safepip(["where", "--json", "fixapp"], cwd=tmp_path, env=env)
    assert json.loads(where.stdout) == {"fixapp": ["uv tool"]}, where.stderr
    assert "uv is not on PATH" in where.stderr


def test_v_says_why_an_app_went_to_pipx_not_uv(
    clean_env: dict[str, str], uv: Path, tmp_path: Path
) -> None:
    """Under the uv setting, ``-v`` names why pipx installs an application instead of uv."""
    pipx = debian_pipx()
    assert pipx is not None
    env = with_pipx(pipx_env(uv_env(clean_env, uv, tmp_path), tmp_path / "pipx"), pipx,
                    tmp_path / "pipx-on-path")  # fmt: skip
    outside = tmp_path / "home" / "somewhere"
    outside.mkdir(parents=True)
    result = run_safepip(["install", "-v", "--prefer-binary", "fixapp"], cwd=outside, env=env)
    assert result.returncode == 0, result.stderr
    assert "fixapp: pipx, not uv tool: pip's --prefer-binary" in result.stderr, result.stderr
