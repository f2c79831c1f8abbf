"""``safepip doctor``: real runs against this machine's externally managed Python, its venv,
ensurepip and pipx; the exit status, the ``--json`` layout and NO_COLOR."""

from __future__ import annotations

import configparser
import dataclasses
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from support.cli import run_safepip
from support.machine import PythonInfo, make_clean_env

from safepip.commands.doctor import doctor
from safepip.doctor.assess import assess
from safepip.doctor.findings import Report
from safepip.doctor.gather import gather
from safepip.environment import Environment
from safepip.exceptions import EXIT_ENVIRONMENT, UsageError
from safepip.report import Reporter
from safepip.target.distro import package_manager
from safepip.target.interpreter import probe
from safepip.target.venv_create import create_venv

TOP_KEYS = [
    "format",
    "ok",
    "safepip",
    "interpreter",
    "distribution",
    "venv_support",
    "pipx",
    "project",
    "config",
    "shims",  # safepip's pip/pip3 shims found on PATH or in the default folder (issue 12)
    "problems",
    "notes",
    "broken",  # environments a Python upgrade broke (issue 26)
]


@dataclasses.dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.out)
        return data


@pytest.fixture
def environ(tmp_path: Path, managed_python: Path) -> dict[str, str]:
    """The clean environment without a package index (doctor never installs anything)."""
    return make_clean_env(tmp_path / "home", None)


def make_env(environ: dict[str, str], cwd: Path, *, tty: bool = False) -> Environment:
    return Environment(
        environ=environ,
        cwd=cwd,
        stdin=io.StringIO(),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        stdin_isatty=False,
        stdout_isatty=tty,
        stderr_isatty=tty,
    )


def run_doctor(args: list[str], environ: dict[str, str], cwd: Path, *, tty: bool = False) -> Run:
    env = make_env(environ, cwd, tty=tty)
    code = doctor(args, env, Reporter(env))
    assert isinstance(env.stdout, io.StringIO) and isinstance(env.stderr, io.StringIO)
    return Run(code, env.stdout.getvalue(), env.stderr.getvalue())


def marker_message(info: PythonInfo) -> str:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(Path(info.stdlib) / "EXTERNALLY-MANAGED", encoding="utf-8")
    return parser.get("externally-managed", "Error", fallback="").strip()


def test_the_externally_managed_python(
    managed_python_info: PythonInfo, environ: dict[str, str], project: Path
) -> None:
    run = run_doctor([], environ, project)
    assert run.code == 0, run.out
    assert f"{managed_python_info.path} (Python {managed_python_info.version})" in run.out
    assert "chosen as the first python3 on PATH" in run.out
    assert "externally managed (PEP 668)" in run.out
    assert str(Path(managed_python_info.stdlib) / "EXTERNALLY-MANAGED") in run.out
    message = marker_message(managed_python_info)
    assert message.splitlines()[0] in run.out  # the marker's own words
    assert "redirected" in run.out
    import distro

    assert distro.name(pretty=True) in run.out
    assert "new venvs     yes, with pip" in run.out
    assert f"project       {project} (found by pyproject.toml)" in run.out
    assert "absent (created on the first install)" in run.out
    assert "result        ok" in run.out
    assert "\033[" not in run.out  # not a terminal
    assert run.err == ""
    assert not (project / ".venv").exists()  # doctor never creates anything


def test_json_layout(
    managed_python_info: PythonInfo, environ: dict[str, str], project: Path
) -> None:
    from safepip.target.own_pip import own_pip

    own = own_pip()
    data = run_doctor(["--json"], environ, project).json()
    assert list(data) == TOP_KEYS
    assert data["format"] == 1
    assert data["ok"] is True
    assert data["problems"] == []
    target = data["interpreter"]
    assert list(target) == [
        "path",
        "chosen_by",
        "version",
        "is_venv",
        "externally_managed",
        "marker",
        "marker_message",
        "mode",
        "mode_reason",
        "error",
        "error_hint",
    ]
    assert target["path"] == str(managed_python_info.path)
    assert target["version"] == managed_python_info.version
    assert target["externally_managed"] is True
    assert target["marker_message"] == marker_message(managed_python_info)
    assert target["mode"] == "redirect"
    assert list(data["distribution"]) == [
        "id",
        "name",
        "version",
        "pretty_name",
        "package_manager",  # the fourth home's manager and its package lists (issue 24)
        "package_lists",
        "lists_age_days",
    ]
    assert data["venv_support"] == {
        "venv": True,
        "ensurepip": True,  # tests/run.sh installs python3-venv
        "pip_by_copy": True,
        "can_create": True,
        "fix": None,
        "pip": own.version if own else None,  # the pip new venvs get (issue 12)
    }
    assert set(data["pipx"]) == {
        "found",
        "path",
        "version",
        "provided_by_safepip",
        "bin_dir",
        "bin_dir_on_path",
        "path_fix",
        "home",  # where its apps are (as root: the machine's, issue 25)
        "stale_find_links",  # apps an earlier safepip left a temporary folder in (issue 16)
        "broken_shared",  # pipx's shared libraries, where broken (issue 28)
    }
    assert data["pipx"]["stale_find_links"] == []
    assert data["pipx"]["broken_shared"] == []
    assert data["project"] == {
        "root": str(project),
        "marker": "pyproject.toml",
        "venv": str(project / ".venv"),
        "venv_status": "absent",
        "venv_problem": "",
        "venv_python": None,
        "venv_has_pip": None,
        "venv_active": False,
        "user_env": None,
    }
    assert list(data["config"]) == [
        "user_file",
        "user_file_exists",
        "overrides",
        "environment",
        "uv_on",
        "uv",
    ]
    assert data["config"]["environment"] == {"PIP_CONFIG_FILE": os.devnull}
    assert all(set(note) == {"message", "hint"} for note in data["notes"])


def test_broken_venv_is_a_problem(environ: dict[str, str], project: Path) -> None:
    venv = project / ".venv"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /opt/gone/bin\nversion = 3.9.1\n")
    run = run_doctor([], environ, project)
    assert run.code == EXIT_ENVIRONMENT
    assert "broken" in run.out
    # a .venv whose Python is gone is one a Python upgrade broke: --repair rebuilds it (issue 26)
    assert "PROBLEM" in run.out and "safepip doctor --repair" in run.out
    assert f"broken        {venv} (a .venv): its interpreter is gone" in run.out
    assert "result        ok" not in run.out
    assert sorted(p.name for p in venv.iterdir()) == ["pyvenv.cfg"]  # left as it was
    data = run_doctor(["--json"], environ, project).json()
    assert data["ok"] is False
    assert data["project"]["venv_status"] == "broken"
    assert "/opt/gone/bin" in data["broken"][0]["problem"]
    assert data["broken"][0]["built_for"] == "3.9"
    assert "safepip doctor --repair" in data["problems"][0]["hint"]


def test_a_venv_that_is_not_a_venv(environ: dict[str, str], project: Path) -> None:
    (project / ".venv").mkdir()
    (project / ".venv" / "notes.txt").write_text("mine")
    run = run_doctor(["--json"], environ, project)
    assert run.code == EXIT_ENVIRONMENT
    assert run.json()["project"]["venv_status"] == "not-a-venv"


def test_ready_venv_and_active_venv(
    managed_python: Path, environ: dict[str, str], project: Path
) -> None:
    env = make_env(environ, project)
    venv = project / ".venv"
    create_venv(venv, str(managed_python), probe(str(managed_python), env), env)
    data = run_doctor(["--json"], environ, project).json()
    assert data["ok"] is True
    assert data["project"]["venv_status"] == "ready"
    assert data["project"]["venv_has_pip"] is True
    assert data["project"]["venv_python"].startswith("3.")
    assert data["project"]["venv_active"] is False
    active = run_doctor(["--json"], dict(environ, VIRTUAL_ENV=str(venv)), project).json()
    assert active["interpreter"]["path"] == str(venv / "bin" / "python")
    assert active["interpreter"]["is_venv"] is True
    assert active["interpreter"]["mode"] == "pass-through"
    assert active["project"]["venv_active"] is True
    assert active["config"]["environment"]["VIRTUAL_ENV"] == str(venv)


def test_venv_without_pip_is_a_problem(
    managed_python: Path, environ: dict[str, str], project: Path
) -> None:
    subprocess.run(
        [str(managed_python), "-m", "venv", "--without-pip", str(project / ".venv")],
        env=environ,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    run = run_doctor([], environ, project)
    assert run.code == EXIT_ENVIRONMENT
    assert "has no pip in it" in run.out


def test_no_interpreter(tmp_path: Path, environ: dict[str, str], project: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    run = run_doctor(["--json"], dict(environ, PATH=str(empty)), project)
    assert run.code == EXIT_ENVIRONMENT
    data = run.json()
    assert data["interpreter"]["path"] is None
    assert data["problems"][0]["message"] == "no python3 found on PATH"
    assert data["venv_support"]["can_create"] is None
    text = run_doctor([], dict(environ, PATH=str(empty)), project)
    assert "interpreter   none found" in text.out


def test_python_option_and_not_managed(
    managed_python: Path, environ: dict[str, str], project: Path
) -> None:
    env = make_env(environ, project)
    other = project / "elsewhere"
    create_venv(other, str(managed_python), probe(str(managed_python), env), env)
    data = run_doctor(["--json", "--python", str(other)], environ, project).json()
    assert data["interpreter"]["chosen_by"] == "--python"
    assert data["interpreter"]["externally_managed"] is False
    assert data["interpreter"]["mode"] == "pass-through"
    with pytest.raises(UsageError):
        run_doctor(["--bogus"], environ, project)


def test_overrides_in_force(environ: dict[str, str], project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "0"\n'
        '[tool.safepip]\ndefault-route = "venv"\n[tool.safepip.routes]\nBlack = "pipx"\n'
    )
    config = Path(environ["XDG_CONFIG_HOME"]) / "safepip" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('default-route = "pipx"\n[routes]\nruff = "bogus"\n')
    environ = dict(environ, SAFEPIP_ROUTES="pytest=venv", SAFEPIP_PYTHON="python3")
    data = run_doctor(["--json"], environ, project).json()
    assert data["config"]["user_file"] == str(config)
    assert data["config"]["user_file_exists"] is True
    assert data["config"]["overrides"] == [
        {"label": "$SAFEPIP_ROUTES", "default": None, "routes": {"pytest": "venv"}},
        {
            "label": f"[tool.safepip] in {project / 'pyproject.toml'}",
            "default": "venv",
            "routes": {"black": "pipx"},
        },
        {"label": str(config), "default": "pipx", "routes": {}},
    ]
    assert data["config"]["environment"]["SAFEPIP_ROUTES"] == "pytest=venv"
    assert data["interpreter"]["chosen_by"] == "$SAFEPIP_PYTHON"
    assert any("'bogus'" in note["message"] for note in data["notes"])  # config warnings
    text = run_doctor([], environ, project).out
    assert "$SAFEPIP_ROUTES: pytest=venv" in text
    assert "default venv; black=pipx" in text
    assert "SAFEPIP_PYTHON=python3" in text


def test_pipx_and_its_bin_dir(environ: dict[str, str], project: Path) -> None:
    data = run_doctor(["--json"], environ, project).json()
    pipx = data["pipx"]
    assert pipx["found"] is True, "tests/run.sh installs Debian's pipx"
    assert pipx["version"]
    bin_dir = Path(environ["HOME"]) / ".local" / "bin"
    assert pipx["bin_dir"] == str(bin_dir)
    assert pipx["bin_dir_on_path"] is False
    assert "export PATH=" in pipx["path_fix"]
    assert any(note["hint"] == pipx["path_fix"] for note in data["notes"])
    on_path = dict(environ, PATH=f"{bin_dir}:{environ['PATH']}")
    fixed = run_doctor(["--json"], on_path, project).json()["pipx"]
    assert fixed["bin_dir_on_path"] is True and fixed["path_fix"] is None
    fish = run_doctor(["--json"], dict(environ, SHELL="/usr/bin/fish"), project).json()
    assert fish["pipx"]["path_fix"] == f"fish_add_path {bin_dir}"


def test_no_pipx(
    tmp_path: Path, managed_python: Path, environ: dict[str, str], project: Path
) -> None:
    only_python = tmp_path / "only-python"
    only_python.mkdir()
    (only_python / "python3").symlink_to(managed_python)
    data = run_doctor(["--json"], dict(environ, PATH=str(only_python)), project).json()
    assert data["ok"] is True  # safepip provides its own pipx when needed
    assert data["pipx"]["found"] is False
    assert any("pipx is not installed" in note["message"] for note in data["notes"])


def test_a_pipx_that_does_not_run_is_a_problem(
    tmp_path: Path, managed_python: Path, environ: dict[str, str], project: Path
) -> None:
    """A pipx on PATH that exits 1 for everything (a broken install) is no "result ok"."""
    folder = tmp_path / "broken-pipx"
    folder.mkdir()
    (folder / "python3").symlink_to(managed_python)
    (folder / "pipx").write_text("#!/bin/sh\necho 'Traceback: broken' >&2\nexit 1\n")
    (folder / "pipx").chmod(0o755)
    data = run_doctor(["--json"], dict(environ, PATH=f"{folder}:/usr/bin:/bin"), project).json()
    assert data["ok"] is False and data["pipx"]["found"] is True
    assert any("does not run" in p["message"] for p in data["problems"]), data["problems"]


def test_no_color(environ: dict[str, str], project: Path) -> None:
    coloured = run_doctor([], environ, project, tty=True)
    assert "\033[" in coloured.out  # on a terminal, colour by default
    plain = run_doctor([], dict(environ, NO_COLOR="1"), project, tty=True)
    assert "\033[" not in plain.out
    assert plain.out.replace("NO_COLOR=1\n              ", "") == coloured.out.replace(
        "\033[32m", ""
    ).replace("\033[33m", "").replace("\033[31;1m", "").replace("\033[0m", "")
    forced = run_doctor([], dict(environ, FORCE_COLOR="1"), project, tty=False)
    assert "\033[" in forced.out
    both = run_doctor([], dict(environ, FORCE_COLOR="1", NO_COLOR="1"), project, tty=True)
    assert "\033[" not in both.out  # NO_COLOR wins
    as_json = run_doctor(["--json"], dict(environ, FORCE_COLOR="1"), project, tty=True)
    assert "\033[" not in as_json.out


def _report(environ: dict[str, str], project: Path) -> Report:
    env = make_env(environ, project)
    return gather(None, env, Reporter(env))


def test_externally_managed_without_venv_support_blocks(
    environ: dict[str, str], project: Path
) -> None:
    """A Python that cannot make venvs (this machine's can, so the fact is swapped in)."""
    report = _report(environ, project)
    fix = "install the venv support of this Python: sudo apt install python3.11-venv"
    report.venv_support = dataclasses.replace(
        report.venv_support, venv=False, can_create=False, fix=fix
    )
    problems, _ = assess(report)
    assert [p.hint for p in problems] == [fix]
    assert "cannot create virtual environments" in problems[0].message
    report.project = dataclasses.replace(report.project, venv_status="ready", venv_has_pip=True)
    problems, notes = assess(report)
    assert problems == []  # the existing .venv still works
    assert any(n.hint == fix for n in notes)


def test_missing_ensurepip_blocks_applications(environ: dict[str, str], project: Path) -> None:
    """Without ensurepip libraries still go into a .venv, but pipx cannot make its venvs: a
    problem (doctor said "result ok" while every pipx install failed; issue 25)."""
    report = _report(environ, project)
    report.venv_support = dataclasses.replace(
        report.venv_support, ensurepip=False, fix="sudo apt install python3.11-venv"
    )
    problems, _ = assess(report)
    assert any("applications cannot be installed" in p.message for p in problems)
    assert any(p.hint == "sudo apt install python3.11-venv" for p in problems)


def test_cli(clean_env: dict[str, str], project: Path) -> None:
    result = run_safepip(["doctor", "--json"], cwd=project, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert list(json.loads(result.stdout)) == TOP_KEYS
    broken = project / ".venv"
    broken.mkdir()
    (broken / "pyvenv.cfg").write_text("home = /opt/gone/bin\n")
    result = run_safepip(["doctor"], cwd=project, env=clean_env)
    assert result.returncode == EXIT_ENVIRONMENT
    assert "PROBLEM" in result.stdout


def test_the_uv_setting_is_shown(environ: dict[str, str], project: Path, tmp_path: Path) -> None:
    """doctor names safepip's uv setting, the uv it uses, and a setting without uv on PATH."""
    off = run_doctor(["--json"], environ, project).json()["config"]
    assert off["uv_on"] is False and off["uv"] is None
    missing = run_doctor(["--json"], dict(environ, SAFEPIP_UV="1"), project).json()
    assert missing["config"]["uv_on"] is True and missing["config"]["uv"] is None
    assert any("uv is not on PATH" in n["message"] for n in missing["notes"])
    folder = tmp_path / "uv-bin"
    folder.mkdir()
    (folder / "uv").symlink_to(Path(sys.executable).parent / "uv")
    found = run_doctor(
        ["--json"], dict(environ, SAFEPIP_UV="1", PATH=f"{folder}:{environ['PATH']}"), project
    ).json()["config"]
    assert found["uv"] == str(folder / "uv")
    text = run_doctor([], dict(environ, SAFEPIP_UV="1"), project).out
    assert "on, but uv is not on PATH" in text


def _apt_lists(tmp_path: Path, environ: dict[str, str], age_days: float | None) -> dict[str, str]:
    """``environ`` with apt's lists in a folder of their own: one list written ``age_days``
    ago, or none."""
    lists = tmp_path / "lists"
    lists.mkdir()
    if age_days is not None:
        written = lists / "example_dists_stable_main_binary-amd64_Packages"
        written.write_text("Package: python3-yaml\nVersion: 6.0-3\n")
        then = time.time() - age_days * 86400
        os.utime(written, (then, then))
    config = tmp_path / "apt.conf"
    config.write_text(f'Dir::State::Lists "{lists}/";\n')
    return dict(environ, APT_CONFIG=str(config))


@pytest.mark.skipif(
    (package_manager() or ("", ""))[0] != "apt", reason="apt's package lists (issue 24)"
)
@pytest.mark.parametrize(
    ("age", "count", "line", "note"),
    [
        (2, 1, "apt, 1 package list, last updated 2 days ago", None),
        (45, 1, "apt, 1 package list, last updated 45 days ago", "last updated 45 days ago"),
        (None, 0, "apt, no package lists (apt-get update was never run)", "no package lists"),
    ],
)
def test_package_manager_and_its_lists(
    tmp_path: Path,
    environ: dict[str, str],
    project: Path,
    age: float | None,
    count: int,
    line: str,
    note: str | None,
) -> None:
    """doctor says which package manager it found, how many package lists it has and how old
    they are; old lists or none get a note that suggests apt-get update (issue 24)."""
    environ = _apt_lists(tmp_path, environ, age)
    data = run_doctor(["--json"], environ, project).json()
    dist = data["distribution"]
    assert (dist["package_manager"], dist["package_lists"]) == ("apt", count)
    assert dist["lists_age_days"] == (None if age is None else pytest.approx(age, abs=0.1))
    found = [n["message"] for n in data["notes"] if n["hint"] == "sudo apt-get update"]
    assert len(found) == (0 if note is None else 1)
    assert note is None or note in found[0]
    run = run_doctor([], environ, project)
    assert run.code == 0  # a note, never a problem
    assert f"packages      {line}\n" in run.out
    assert ("hint: sudo apt-get update" in run.out) == (note is not None)


def test_packages_line_for_other_managers() -> None:
    from safepip.doctor.findings import DistributionInfo
    from safepip.doctor.render import packages_line

    assert packages_line(DistributionInfo("fedora", "Fedora", "40", "", "dnf")) == "dnf"
    assert "no package manager" in packages_line(DistributionInfo("", "", "", ""))
    fresh = DistributionInfo("debian", "Debian", "12", "", "apt", 3, 0.2)
    assert packages_line(fresh) == "apt, 3 package lists, last updated less than a day ago"
