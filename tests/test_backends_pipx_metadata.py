"""Nothing safepip hands to pipx or ``uv tool`` for one run outlives it (issue 16).

safepip offers the wheels it fetched whole (an index without HTTP ranges) or built (an
sdist-only app) in a temporary folder. pipx saves ``--pip-args`` in its metadata and uses them
again on every upgrade/reinstall, so the folder must reach pipx's pip otherwise: a folder that
anyone re-creates after the run would decide what a later ``pipx upgrade`` installs. Here the
folder is re-created with planted wheels and pipx (Debian's 1.1.0 and PyPI's) and uv are made
to upgrade and reinstall: the original wheels stay.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support import PackageIndex, build_wheel, debian_pipx, pipx_env, pypi_pipx
from support.cli import run_safepip, with_pipx
from support.machine import make_clean_env, skip_or_fail

from safepip.doctor.findings import StaleLinks
from safepip.doctor.pipx_links import strip_links

OFFERED = re.compile(r"offering the wheels safepip fetched to this install from (\S+)")
APPS = ("fixapp", "fixsdist")
LEGACY = "/tmp/safepip-wheels-n8bm4i4u"


def pipxes() -> list[tuple[str, Path | None]]:
    return [("debian", debian_pipx()), ("pypi", pypi_pipx())]


@pytest.fixture
def no_ranges(make_index: Callable[..., PackageIndex]) -> PackageIndex:
    return make_index(range_requests=False)


def plant(folder: Path, dest: Path) -> None:
    """Re-create ``folder`` as an attacker would: newer wheels of both apps, and wheels of the
    same version under safepip's build tag (ranked above the index's copy), all printing
    ``planted``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in APPS:
        for version, filename in (
            ("9.0", f"{name}-9.0-py3-none-any.whl"),
            ("1.0", f"{name}-1.0-0safepip-py3-none-any.whl"),
        ):
            made = build_wheel(
                dest / version,
                name,
                version,
                modules={f"{name}/__init__.py": "def main():\n    print('planted')\n"},
                console_scripts={name: f"{name}:main"},
            )
            made.replace(folder / filename)


def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "home" / "somewhere"
    folder.mkdir(parents=True)
    return folder


def install_both(env: dict[str, str], index: PackageIndex, cwd: Path) -> list[Path]:
    """``safepip install --index-url URL fixapp fixsdist``; the folders it offered."""
    result = run_safepip(
        ["install", "-v", "--index-url", index.url, *APPS], cwd=cwd, env=env, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "from wheel-download" in result.stderr and "from sdist-build" in result.stderr
    offered = [Path(p) for p in OFFERED.findall(result.stderr)]
    assert offered, result.stderr
    for folder in offered:
        assert not folder.exists()  # removed at the end of the run
        # private, in safepip's cache (the test environment has no $XDG_RUNTIME_DIR), not $TMPDIR
        assert folder.parent == Path(env["XDG_CACHE_HOME"]) / "safepip" / "tmp"
    return offered


def mentions(root: Path, needle: str) -> list[Path]:
    """Files under ``root`` that contain ``needle``, but for pipx's logs (PyPI's pipx logs what
    its pip said, "Looking in links: ..." included, and never reads them back)."""
    data = needle.encode()
    return [
        p
        for p in root.rglob("*")
        if p.is_file() and "logs" not in p.relative_to(root).parts[:1] and data in p.read_bytes()
    ]


def commands_print(bin_dir: Path) -> list[str]:
    return [
        subprocess.run([str(bin_dir / name)], capture_output=True, text=True).stdout.strip()
        for name in APPS
    ]


ORIGINAL = ["fixapp 1.0 (fixlib 2.0)", "fixsdist 1.0"]


def pipx_run(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        ["pipx", *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(("label", "pipx"), pipxes(), ids=[p[0] for p in pipxes()])
def test_pipx_saves_only_the_users_options_and_a_planted_folder_changes_nothing(
    tmp_path: Path, no_ranges: PackageIndex, label: str, pipx: Path | None
) -> None:
    if pipx is None:
        skip_or_fail(f"{label} pipx is not installed (tests/run.sh installs both)")
    env = pipx_env(make_clean_env(tmp_path / "home", no_ranges.url), tmp_path / "pipx")
    env = with_pipx(env, pipx, tmp_path / "pipx-on-path")
    no_ranges.reset_counters()
    offered = install_both(env, no_ranges, outside(tmp_path))
    # PIP_FIND_LINKS reached the pip that installed the apps: nothing fetched twice
    wheel_gets = [r for r in no_ranges.requests if r.path.endswith("fixapp-1.0-py3-none-any.whl")]
    sdist_gets = [r for r in no_ranges.requests if r.path.endswith("fixsdist-1.0.tar.gz")]
    assert (len(wheel_gets), len(sdist_gets)) == (1, 1)
    venvs = Path(env["PIPX_HOME"]) / "venvs"
    # what this pipx saves when the user types the same install themselves, on a fresh home
    # (pipx 1.7 appends --force-reinstall there while it creates its shared libraries)
    plain = pipx_env(make_clean_env(tmp_path / "plain-home", no_ranges.url), tmp_path / "plain")
    plain = with_pipx(plain, pipx, tmp_path / "plain-on-path")
    pipx_run(plain, "install", f"--pip-args=--index-url {no_ranges.url}", "fixapp")
    typed = json.loads(
        (Path(plain["PIPX_HOME"]) / "venvs" / "fixapp" / "pipx_metadata.json").read_text()
    )
    expected = typed["main_package"]["pip_args"]
    assert [a for a in expected if a != "--force-reinstall"] == ["--index-url", no_ranges.url]
    for name in APPS:
        saved = json.loads((venvs / name / "pipx_metadata.json").read_text())["main_package"]
        assert [a for a in saved["pip_args"] if a != "--force-reinstall"] == [
            "--index-url",
            no_ranges.url,
        ], name
        assert set(saved["pip_args"]) <= set(expected), name  # nothing pipx would not add itself
    for folder in offered:
        assert mentions(Path(env["PIPX_HOME"]), str(folder)) == []
    assert mentions(Path(env["PIPX_HOME"]), "safepip-wheels-") == []
    bin_dir = Path(env["PIPX_BIN_DIR"])
    assert commands_print(bin_dir) == ORIGINAL

    for folder in offered:
        plant(folder, tmp_path / "planted")
    pipx_run(env, "upgrade-all")
    pipx_run(env, "reinstall-all")
    assert commands_print(bin_dir) == ORIGINAL


def legacy_entry(metadata_file: Path) -> bytes:
    """Add an earlier safepip's ``--find-links`` to an app's metadata, as pipx wrote it; the
    original bytes."""
    original = metadata_file.read_bytes()
    metadata = json.loads(original)
    metadata["main_package"]["pip_args"] += ["--find-links", LEGACY]
    metadata_file.write_text(json.dumps(metadata, indent=4, sort_keys=True))
    return original


def stale_problems(env: dict[str, str], cwd: Path) -> list[str]:
    result = run_safepip(["doctor", "--json"], cwd=cwd, env=env)
    problems = json.loads(result.stdout)["problems"]
    return [p["message"] for p in problems if "--find-links" in p["message"]]


def test_doctor_lists_and_repairs_a_legacy_find_links(tmp_path: Path, index: PackageIndex) -> None:
    """An app installed by an earlier safepip: doctor names it, --repair restores the metadata
    pipx wrote byte for byte, and pipx reinstalls it from the index."""
    pipx = debian_pipx() or pypi_pipx()
    if pipx is None:
        skip_or_fail("no pipx is installed (tests/run.sh installs both)")
    env = pipx_env(make_clean_env(tmp_path / "home", index.url), tmp_path / "pipx")
    env = with_pipx(env, pipx, tmp_path / "pipx-on-path")
    cwd = outside(tmp_path)
    pipx_run(env, "install", "fixapp")
    metadata_file = Path(env["PIPX_HOME"]) / "venvs" / "fixapp" / "pipx_metadata.json"
    assert stale_problems(env, cwd) == []
    original = legacy_entry(metadata_file)

    (problem,) = stale_problems(env, cwd)
    assert "fixapp" in problem and LEGACY in problem
    text = run_safepip(["doctor"], cwd=cwd, env=env).stdout
    assert "safepip doctor --repair" in text
    assert metadata_file.read_bytes() != original  # doctor alone changes nothing

    repaired = run_safepip(["doctor", "--repair"], cwd=cwd, env=env)
    assert f"removed --find-links {LEGACY}" in repaired.stderr, repaired.stderr
    assert metadata_file.read_bytes() == original
    assert stale_problems(env, cwd) == []
    again = run_safepip(["doctor", "--repair"], cwd=cwd, env=env)
    assert "nothing changed" in again.stderr
    pipx_run(env, "reinstall", "fixapp")


def test_strip_links_removes_only_safepips_folders() -> None:
    args = [
        "--index-url",
        "http://i/simple",
        "--find-links",
        "/tmp/safepip-wheels-abc",
        "-f",
        "/srv/wheels",
        "--find-links=/var/tmp/safepip-wheels-def/",
        "-f/home/u/safepip-wheels-ghi",
        "--find-links",
        "file:///run/user/1000/safepip/safepip-wheels-jkl",
        "--find-links",
        "/srv/not-safepip-wheels-x",
        "--pre",
    ]
    kept, removed = strip_links(args)
    assert kept == [
        "--index-url",
        "http://i/simple",
        "-f",
        "/srv/wheels",
        "--find-links",
        "/srv/not-safepip-wheels-x",
        "--pre",
    ]
    assert len(removed) == 4


def test_repair_keeps_everything_else(tmp_path: Path) -> None:
    from safepip.doctor.pipx_links import find_stale, repair

    venv = tmp_path / "pipx" / "venvs" / "tool"
    venv.mkdir(parents=True)
    metadata = {
        "injected_packages": {"extra": {"pip_args": ["-f", LEGACY], "package": "extra"}},
        "main_package": {"package": "tool", "pip_args": ["--find-links", LEGACY, "--pre"]},
        "pipx_metadata_version": "0.2",
        "python_version": "Python 3.11.2",
        "venv_args": [],
        "z_unicode": "é",
    }
    path = venv / "pipx_metadata.json"
    path.write_text(json.dumps(metadata, indent=4, sort_keys=True))
    path.chmod(0o640)
    (stale,) = find_stale({"PIPX_HOME": str(tmp_path / "pipx")}, tmp_path)
    assert stale == StaleLinks("tool", str(path), [LEGACY, LEGACY])
    repair(stale)
    metadata["main_package"]["pip_args"] = ["--pre"]  # type: ignore[index]
    metadata["injected_packages"]["extra"]["pip_args"] = []  # type: ignore[index]
    assert path.read_text() == json.dumps(metadata, indent=4, sort_keys=True)
    assert path.stat().st_mode & 0o777 == 0o640
    assert os.listdir(venv) == ["pipx_metadata.json"]
    assert find_stale({"PIPX_HOME": str(tmp_path / "pipx")}, tmp_path) == []


def test_uv_tool_receipts_keep_no_temporary_folder(tmp_path: Path, no_ranges: PackageIndex) -> None:
    from test_e2e_uv import uv_env

    uv_exe = Path(sys.executable).parent / "uv"
    if not uv_exe.exists():
        skip_or_fail("uv is not installed in the test venv (pip install -e '.[test]')")
    env = uv_env(make_clean_env(tmp_path / "home", no_ranges.url), uv_exe, tmp_path)
    offered = install_both(env, no_ranges, outside(tmp_path))
    tools = tmp_path / "uv-tools"
    for name in APPS:
        receipt = (tools / name / "uv-receipt.toml").read_text()
        assert no_ranges.url in receipt  # the user's own option is kept
        assert "safepip-wheels-" not in receipt, receipt
    assert mentions(tools, "safepip-wheels-") == []
    assert mentions(tools, str(offered[0].parent)) == []
    assert commands_print(tmp_path / "uv-bin") == ORIGINAL

    for folder in offered:
        plant(folder, tmp_path / "planted")
    for args in (["tool", "upgrade", "--all"], ["tool", "upgrade", "--all", "--reinstall"]):
        done = subprocess.run([str(uv_exe), *args], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert commands_print(tmp_path / "uv-bin") == ORIGINAL


def test_reuse_environ_keeps_the_users_find_links_first(tmp_path: Path) -> None:
    from safepip.backends.pipx import reuse_environ

    links = tmp_path / "safepip-wheels-x"
    conf = tmp_path / "pip.conf"
    conf.write_text("[install]\nfind-links = /srv/a\n    /srv/b\n")
    # [install] of the PIP_CONFIG_FILE wins over any [global] of the machine's files
    environ = {"HOME": str(tmp_path), "PIP_CONFIG_FILE": str(conf)}
    assert reuse_environ(environ, links, tmp_path)["PIP_FIND_LINKS"] == (
        f"/srv/a /srv/b {links.as_uri()}"
    )
    # the variable pip would take over the config files' value
    environ["PIP_FIND_LINKS"] = "/srv/c"
    assert reuse_environ(environ, links, tmp_path)["PIP_FIND_LINKS"] == f"/srv/c {links.as_uri()}"
    assert reuse_environ(environ, None, tmp_path)["PIP_FIND_LINKS"] == "/srv/c"  # untouched
    spaced = tmp_path / "a b" / "safepip-wheels-y"
    value = reuse_environ({"PIP_CONFIG_FILE": os.devnull}, spaced, tmp_path)["PIP_FIND_LINKS"]
    assert value == spaced.as_uri() and " " not in value  # pip splits it on whitespace
