"""End to end: each requirement goes to its home (pipx for applications, the .venv for
libraries), with real pipx and the test index."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import PackageIndex, debian_pipx, pipx_env, pypi_pipx
from support.cli import run_safepip, venv_import, venv_python, with_pipx

TABLE = Path(__file__).resolve().parents[2] / "shared" / "cases" / "routing.tsv"


def explain(args: list[str], cwd: Path, env: dict[str, str]) -> dict[str, dict[str, object]]:
    result = run_safepip(["explain", "--json", *args], cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["externally_managed"] is True
    return {r["requirement"]: r for r in data["requirements"]}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "home" / "somewhere"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def inside(tmp_path: Path) -> Path:
    root = tmp_path / "home" / "proj"
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0"\ndependencies = ["fixhelper"]\n'
    )
    return root


FIXTURES = ["fixlib", "fixapp", "fixgui", "fixdata", "fixhelper", "fixmeta", "fixsdist"]


def test_explain_outside_a_project(outside: Path, clean_env: dict[str, str]) -> None:
    routes = explain(FIXTURES, outside, clean_env)
    assert {name: r["route"] for name, r in routes.items()} == {
        "fixlib": "venv",
        "fixapp": "pipx",
        "fixgui": "pipx",
        "fixdata": "pipx",
        "fixhelper": "venv",  # a library that ships a helper command
        "fixmeta": "pipx",
        "fixsdist": "pipx",
    }
    assert routes["fixdata"]["commands"] == ["fixdata-bin"]
    assert routes["fixgui"]["commands"] == ["fixgui"]
    assert "fixapp" in str(routes["fixmeta"]["reasons"])
    assert routes["fixapp"]["kind"] == "application"
    assert "command-line" in str(routes["fixapp"]["reasons"])
    assert routes["fixhelper"]["kind"] == "library"
    assert "a library" in str(routes["fixhelper"]["reasons"])
    assert not (outside / ".venv").exists()


def test_explain_inside_a_project(inside: Path, clean_env: dict[str, str]) -> None:
    """Libraries go where the project imports them; an undeclared application stays out of
    the project's .venv (no terminal to ask on)."""
    routes = explain(FIXTURES, inside, clean_env)
    assert {n: r["route"] for n, r in routes.items()} == {
        "fixlib": "venv",
        "fixapp": "pipx",
        "fixgui": "pipx",
        "fixdata": "pipx",
        "fixhelper": "venv",
        "fixmeta": "venv",  # a bundle: its own metadata does not say it is an application
        "fixsdist": "pipx",
    }
    assert "declares it" in str(routes["fixhelper"]["reasons"])
    assert routes["fixmeta"]["kind"] == "bundle"
    assert "stays out of the project's .venv" in str(routes["fixapp"]["reasons"])


def test_explain_costs_no_full_download_of_a_big_wheel(
    outside: Path, clean_env: dict[str, str], index: PackageIndex
) -> None:
    index.reset_counters()
    routes = explain(["fixbig"], outside, clean_env)
    assert routes["fixbig"]["route"] == "pipx"
    assert index.bytes_served < 1_000_000  # the wheel is 30 MB


def test_overrides(inside: Path, clean_env: dict[str, str]) -> None:
    routes = explain(["--pipx", "fixlib"], inside, clean_env)
    assert routes["fixlib"]["route"] == "pipx"
    routes = explain(["fixapp"], inside, dict(clean_env, SAFEPIP_ROUTES="fixapp=pipx"))
    assert routes["fixapp"]["route"] == "pipx"
    with (inside / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.safepip.routes]\nfixapp = "pipx"\nfixlib = "rm -rf /"\n')
    result = run_safepip(["explain", "--json", "fixapp", "fixlib"], cwd=inside, env=clean_env)
    data = {r["requirement"]: r for r in json.loads(result.stdout)["requirements"]}
    assert data["fixapp"]["route"] == "pipx"
    assert data["fixlib"]["route"] == "venv"
    assert "ignoring route 'rm -rf /'" in result.stderr


def pipxes() -> list[tuple[str, Path | None]]:
    return [("debian", debian_pipx()), ("pypi", pypi_pipx())]


@pytest.mark.parametrize(("label", "pipx"), pipxes(), ids=[p[0] for p in pipxes()])
def test_mixed_request_splits_per_requirement(
    outside: Path, clean_env: dict[str, str], tmp_path: Path, label: str, pipx: Path | None
) -> None:
    if pipx is None:
        if os.environ.get("CI", "").lower() in ("1", "true"):
            pytest.fail(f"{label} pipx is not installed (tests/run.sh installs it)")
        pytest.skip(f"{label} pipx is not installed")
    env = pipx_env(clean_env, tmp_path / "pipx")
    env = with_pipx(env, pipx, tmp_path / "pipx-on-path")
    result = run_safepip(["install", "fixlib", "fixapp"], cwd=outside, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert venv_import(outside, "fixlib", env) == "2.0"
    app = Path(env["PIPX_BIN_DIR"]) / "fixapp"
    assert app.exists()
    where = subprocess.run([str(app), "--where"], capture_output=True, text=True, check=True)
    assert str(Path(env["PIPX_HOME"])) in where.stdout
    assert "with pipx" in result.stderr and "safepip install --venv fixapp" in result.stderr
    assert "not on PATH" in result.stderr
    # pipx's "already installed" is reported honestly (the folder has a .venv now, so it is a
    # project, where an undeclared app goes to the .venv unless asked for pipx)
    again = run_safepip(["install", "--pipx", "fixapp"], cwd=outside, env=env, timeout=300)
    assert again.returncode == 0
    assert "already installed with pipx" in again.stderr


def test_a_failed_part_is_named_and_the_rest_stays(
    inside: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    pipx = debian_pipx() or pypi_pipx()
    if pipx is None:
        pytest.skip("no pipx")
    env = pipx_env(clean_env, tmp_path / "pipx")
    env = with_pipx(env, pipx, tmp_path / "pipx-on-path")
    result = run_safepip(
        ["install", "fixlib", "--pipx", "fixbroken"], cwd=inside, env=env, timeout=300
    )
    assert result.returncode != 0
    assert "not installed" in result.stderr


def _tables() -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for name in ("routing.tsv", "libraries.tsv"):  # libraries.tsv is stricter where they meet
        with (TABLE.parent / name).open(newline="") as handle:
            rows.update((r["package"], r) for r in csv.DictReader(handle, delimiter="\t"))
    return rows


@pytest.mark.network
@pytest.mark.skipif(not TABLE.exists(), reason="shared/ is not beside the checkout")
def test_shared_tables_with_real_pypi(tmp_path: Path) -> None:
    """Real wheels from PyPI (the machine's pip configuration): every row of routing.tsv and
    libraries.tsv gets its preferred route (a dual-use tool either listed one), by range
    requests, in both situations."""
    rows = _tables()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    for folder, column in (
        (tmp_path / "out", "outside_project"),
        (tmp_path / "proj", "inside_project_undeclared"),
    ):
        folder.mkdir()
        if column.startswith("inside"):
            (folder / "pyproject.toml").write_text("")
        routes = explain(list(rows), folder, env)
        for name, row in rows.items():
            listed = row[column].split("|")
            allowed = listed if row["kind"] == "dual-use tool" else listed[:1]
            assert routes[name]["route"] in allowed, (name, column, routes[name]["reasons"])


def test_dry_run_shows_the_decision_and_installs_nothing(
    outside: Path, clean_env: dict[str, str]
) -> None:
    result = run_safepip(["install", "--dry-run", "fixlib", "fixapp"], cwd=outside, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert "would install fixlib into the .venv" in result.stderr
    assert "would install fixapp into pipx" in result.stderr
    assert not venv_python(outside).exists()


def test_python_m_safepip_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "safepip", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "pip" in result.stdout


def test_a_small_wheel_looked_up_is_not_downloaded_again(
    inside: Path, clean_env: dict[str, str], index: PackageIndex
) -> None:
    """Inside a project an undeclared name is looked up (it may be an application); a small
    wheel's look-up fetches it whole and offers it to pip, so its bytes are served once."""
    index.reset_counters()
    result = run_safepip(["install", "fixlib"], cwd=inside, env=clean_env)
    assert result.returncode == 0, result.stderr
    wheel = [r for r in index.requests if r.path.endswith(".whl") and "fixlib-2.0" in r.path]
    size = next(p.stat().st_size for p in index.root.glob("fixlib-2.0-*.whl"))
    assert sum(r.bytes for r in wheel) == size, wheel
