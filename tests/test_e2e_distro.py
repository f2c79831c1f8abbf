"""End to end: the distribution's own package (issue 24) through the real ``safepip`` command.
``--distro`` runs the package manager as root without a terminal (a stand-in ``apt-get`` and
``sudo`` first on PATH record their arguments; nothing is installed on this machine), a name
the distribution lacks is refused with nothing run, a mixed request installs the rest into the
.venv, and a library installed into the user environment is said to be packaged by the
distribution too. The lists are the captured Debian 12 ones in tests/data (or one written
here), so the tests pass the same in a Debian 13 root and without apt lists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.cli import run_safepip, stand_ins, venv_import

from safepip.target.distro import package_manager

DATA = Path(__file__).parent / "data"
#: The distribution as safepip names it, from this machine's os-release ("Debian").
SHOWN = (package_manager() or ("", ""))[1]
pytestmark = [
    pytest.mark.skipif(
        (package_manager() or ("", ""))[0] != "apt", reason="an apt system's package manager"
    ),
    pytest.mark.skipif(os.geteuid() != 0, reason="--distro runs apt-get itself only as root"),
]


def _with_apt(env: dict[str, str], tmp_path: Path, lists: Path = DATA / "apt-lists") -> Path:
    """``env`` with apt's lists in ``lists`` and a stand-in apt-get and sudo first on PATH;
    returns the file they record their arguments in."""
    bin_dir, record = tmp_path / "stand-ins", tmp_path / "record"
    bin_dir.mkdir()
    stand_ins(bin_dir, record, "apt-get", "sudo")
    config = tmp_path / "apt.conf"
    config.write_text(f'Dir::State::Lists "{lists}/";\n')
    env.update(APT_CONFIG=str(config), PATH=f"{bin_dir}:{env['PATH']}")
    return record


def test_distro_runs_apt_get_as_root(
    clean_env: dict[str, str], project: Path, tmp_path: Path
) -> None:
    record = _with_apt(clean_env, tmp_path)
    result = run_safepip(["install", "--distro", "pyyaml"], cwd=project, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert record.read_text() == "apt-get install -y --no-install-recommends python3-yaml\n"
    assert "installed python3-yaml (6.0-3+b2) for pyyaml with apt" in result.stderr
    assert "sudo" not in record.read_text()  # root: the package manager itself
    assert not (project / ".venv").exists()  # pip never ran


@pytest.mark.parametrize(
    ("requirement", "why"),
    [
        ("black", f"{SHOWN} has no package of it (none in apt's package lists)"),
        ("numpy>=99", f"{SHOWN} has python3-numpy 1:1.24.2-1+deb12u1, which does not satisfy it"),
    ],
)
def test_what_the_distribution_lacks_is_refused(
    clean_env: dict[str, str], project: Path, tmp_path: Path, requirement: str, why: str
) -> None:
    record = _with_apt(clean_env, tmp_path)
    result = run_safepip(["install", "--distro", requirement], cwd=project, env=clean_env)
    assert result.returncode == 1, result.stderr
    assert not record.exists()  # the stand-in was never called
    error = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(error) == 1, result.stderr  # one paragraph
    assert why in error[0] and "nothing installed" in error[0]
    assert not (project / ".venv").exists()


def test_a_mixed_request_installs_the_rest_into_the_venv(
    clean_env: dict[str, str], project: Path, tmp_path: Path
) -> None:
    record = _with_apt(clean_env, tmp_path)
    env = dict(clean_env, SAFEPIP_ROUTES="pyyaml=distro")
    result = run_safepip(["install", "pyyaml", "fixlib==1.0"], cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert record.read_text() == "apt-get install -y --no-install-recommends python3-yaml\n"
    assert venv_import(project, "fixlib", env) == "1.0"
    # one the distribution lacks: refused, and the rest still installed
    env = dict(clean_env, SAFEPIP_ROUTES="black=distro")
    result = run_safepip(["install", "black", "fixlib==2.0"], cwd=project, env=env)
    assert result.returncode == 1, result.stderr
    assert record.read_text().count("\n") == 1  # not called again
    assert f"black: {SHOWN} has no package of it" in result.stderr
    assert "the parts above succeeded" in result.stderr
    assert venv_import(project, "fixlib", env) == "2.0"


def test_the_user_environments_summary_names_the_distributions_package(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "example_dists_stable_main_binary-amd64_Packages").write_text(
        "Package: python3-fixlib\nSource: fixlib\nVersion: 2.0-1\n\n"
    )
    record = _with_apt(clean_env, tmp_path, lists)
    home = Path(clean_env["HOME"])  # no project: libraries go to the user environment
    result = run_safepip(["install", "fixlib"], cwd=home, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert "your new user environment" in result.stderr
    line = f"also packaged by {SHOWN}: python3-fixlib 2.0-1 (sudo apt install python3-fixlib)"
    assert line in result.stderr
    # a version the distribution's package does not satisfy: not offered
    result = run_safepip(["install", "fixlib==1.0"], cwd=home, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert "also packaged by" not in result.stderr
    assert not record.exists()  # advice only: nothing run
