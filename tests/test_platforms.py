"""The core routes on Homebrew-like and Arch-like Pythons: a plain CPython that the operating
system's packager has marked ``EXTERNALLY-MANAGED``, with a current pip.

Each CPython 3.9, 3.10, 3.12 and 3.13 under ``$(pyenv root)/versions`` (the newest patch of each;
``SAFEPIP_TEST_PYENV_ROOT`` to look elsewhere) is copied into the session's temporary folder,
its pip upgraded to the newest release from the seed wheels that runs on it (offline), and an
``EXTERNALLY-MANAGED`` file written into the copy's stdlib, as Homebrew and Arch do. Its
``bin`` comes first on PATH (as ``/opt/homebrew/bin`` does), and everything goes through the
safepip command in a subprocess. On 3.9, the oldest Python safepip supports, safepip itself is
installed with ``install.py`` and run on that interpreter too.

Under ``CI=true`` fewer than two of these Pythons fails the run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import PackageIndex, pipx_env, pypi_pipx
from support.cli import run_safepip, venv_import, venv_python, with_pipx
from support.environ import hermetic_env
from support.machine import in_ci, skip_or_fail
from support.pipx import SEED_DIR, pipx_pip_floor

REPO = Path(__file__).resolve().parents[1]
MINORS = ((3, 9), (3, 10), (3, 12), (3, 13))
#: In CI at least this many of them must be there.
CI_MINIMUM = 2

#: The marker's text, in the style of Arch's and Homebrew's.
MARKER = """\
[externally-managed]
Error=This Python is managed by the operating system's package manager (a test copy made by
 safepip's tests/test_platforms.py). Use a virtual environment, or pipx for applications.
"""


def _pyenv_root() -> Path | None:
    explicit = os.environ.get("SAFEPIP_TEST_PYENV_ROOT")
    if explicit:
        return Path(explicit)
    pyenv = shutil.which("pyenv")
    if pyenv:
        done = subprocess.run(
            [pyenv, "root"], capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
        )
        if done.returncode == 0 and done.stdout.strip():
            return Path(done.stdout.strip())
    for candidate in (os.environ.get("PYENV_ROOT"), str(Path.home() / ".pyenv")):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def find_base_pythons() -> dict[str, Path]:
    """``"3.N" -> $(pyenv root)/versions/3.N.P`` (the newest P with a working bin/python3.N)."""
    root = _pyenv_root()
    found: dict[str, tuple[int, Path]] = {}
    if root is None or not (root / "versions").is_dir():
        return {}
    for entry in (root / "versions").iterdir():
        match = re.fullmatch(r"3\.(\d+)\.(\d+)", entry.name)  # no 3.13t, no -dev, no venvs
        if not match or (3, int(match.group(1))) not in MINORS:
            continue
        minor = f"3.{match.group(1)}"
        if not os.access(entry / "bin" / f"python{minor}", os.X_OK) or entry.is_symlink():
            continue
        patch = int(match.group(2))
        if minor not in found or patch > found[minor][0]:
            found[minor] = (patch, entry)
    return {minor: found[minor][1] for minor in sorted(found, key=lambda m: int(m.split(".")[1]))}


BASE_PYTHONS = find_base_pythons()


@dataclass(frozen=True)
class PlatformPython:
    minor: str
    version: str
    prefix: Path
    python: Path
    pip_version: str
    copy_seconds: float
    setup_seconds: float

    @property
    def bin_dir(self) -> Path:
        return self.prefix / "bin"


class _Summary:
    @staticmethod
    def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
        if not _BY_MINOR:
            return
        terminalreporter.section("extra Pythons (EXTERNALLY-MANAGED copies)", sep="-")
        for made in sorted(_BY_MINOR.values(), key=lambda m: int(m.minor[2:])):
            terminalreporter.write_line(
                f"platform: CPython {made.version} (pyenv build, copied and marked), "
                f"pip {made.pip_version}, pipx {_pypi_pipx_version()} (PyPI) - "
                f"copy {made.copy_seconds:.1f}s, set-up {made.setup_seconds:.1f}s"
            )


def _pypi_pipx_version() -> str:
    pipx = pypi_pipx()
    if pipx is None:
        return "none"
    done = subprocess.run([str(pipx), "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "?"


def _copy_prefix(base: Path, dest: Path) -> None:
    """A private copy of the installation: hard links for the stdlib and the rest (nothing
    there is written in place: new bytecode replaces a file, it does not rewrite it), real
    copies of ``bin`` and ``site-packages``, which pip changes."""
    subprocess.run(["cp", "-al", str(base), str(dest)], check=True)
    writable = [dest / "bin", *dest.glob("lib/python3*/site-packages")]
    for folder in writable:
        shutil.rmtree(folder)
        subprocess.run(["cp", "-a", str(base / folder.relative_to(dest)), str(folder)], check=True)


def _run(
    cmd: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=600,
    )


@pytest.fixture(scope="session")
def _summary(request: pytest.FixtureRequest) -> None:
    if not request.config.pluginmanager.has_plugin("safepip-platforms"):
        request.config.pluginmanager.register(_Summary(), "safepip-platforms")


_BY_MINOR: dict[str, PlatformPython] = {}


def _set_up(minor: str, tmp_path_factory: pytest.TempPathFactory) -> PlatformPython:
    """Copy, upgrade pip, mark: once per session and Python."""
    if minor in _BY_MINOR:
        return _BY_MINOR[minor]
    base = BASE_PYTHONS[minor]
    started = time.monotonic()
    prefix = tmp_path_factory.mktemp(f"cpython{minor}") / base.name
    _copy_prefix(base, prefix)
    copied = time.monotonic()
    python = prefix / "bin" / f"python{minor}"
    env = hermetic_env(tmp_path_factory.mktemp(f"home{minor}"), None)
    # the current pip first (the marker would refuse it), offline from the seed wheels
    upgraded = _run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--no-index",
            "--find-links",
            str(SEED_DIR),
            "--upgrade",
            "pip",
        ],
        env,
    )
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    info = json.loads(
        _run(
            [
                str(python),
                "-c",
                "import json, sys, sysconfig, pip; print(json.dumps(["
                "'%d.%d.%d' % sys.version_info[:3], sys.prefix, sysconfig.get_path('stdlib'), "
                "pip.__version__]))",
            ],
            env,
        ).stdout
    )
    version, sys_prefix, stdlib, pip_version = info
    assert Path(sys_prefix) == prefix, (sys_prefix, prefix)  # the copy, not the original
    assert Path(stdlib).is_relative_to(prefix)
    assert int(pip_version.split(".")[0]) >= 26, pip_version  # pip 26 is what is exercised
    (Path(stdlib) / "EXTERNALLY-MANAGED").write_text(MARKER)
    refused = _run([str(python), "-m", "pip", "install", "--no-index", "fixlib"], env)
    assert refused.returncode != 0 and "externally-managed-environment" in refused.stderr
    made = PlatformPython(
        minor, version, prefix, python, pip_version, copied - started, time.monotonic() - started
    )
    _BY_MINOR[minor] = made
    return made


@pytest.fixture(scope="session", params=list(BASE_PYTHONS), ids=lambda m: f"py{m}")
def platform_python(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _summary: None
) -> PlatformPython:
    return _set_up(request.param, tmp_path_factory)


@pytest.fixture(scope="session")
def oldest_python(tmp_path_factory: pytest.TempPathFactory, _summary: None) -> PlatformPython:
    """CPython 3.9: pyproject's requires-python floor."""
    if "3.9" not in BASE_PYTHONS:
        skip_or_fail(f"no CPython 3.9 under {_pyenv_root() or '$(pyenv root)'}/versions")
    return _set_up("3.9", tmp_path_factory)


@pytest.fixture
def env(tmp_path: Path, index: PackageIndex, platform_python: PlatformPython) -> dict[str, str]:
    """``clean_env`` with this Python's ``bin`` first on PATH instead of /usr/bin's."""
    return hermetic_env(tmp_path / "home", index.url, path_first=(str(platform_python.bin_dir),))


def _folder(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "home" / name
    folder.mkdir(parents=True)
    return folder


def _floor(pipx: Path) -> tuple[int, ...]:
    """The ``pip >= X`` floor this pipx puts on its shared libraries, as a tuple."""
    floor = pipx_pip_floor(pipx)
    return tuple(int(x) for x in floor.split(".")) if floor else ()


def _version_of(python: Path, env: dict[str, str]) -> str:
    done = _run([str(python), "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"], env)
    return done.stdout.strip()


def test_enough_extra_pythons() -> None:
    found = ", ".join(f"{m} ({p})" for m, p in BASE_PYTHONS.items()) or "none"
    if len(BASE_PYTHONS) < CI_MINIMUM:
        message = (
            f"fewer than {CI_MINIMUM} of CPython {', '.join(f'{a}.{b}' for a, b in MINORS)} "
            f"under {_pyenv_root() or '$(pyenv root)'}/versions: found {found}"
        )
        if in_ci():
            pytest.fail(message, pytrace=False)
        if not BASE_PYTHONS:
            pytest.skip(message)


def test_explain_json(platform_python: PlatformPython, env: dict[str, str], tmp_path: Path) -> None:
    outside = _folder(tmp_path, "somewhere")
    result = run_safepip(["explain", "--json", "fixlib", "fixapp"], cwd=outside, env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["externally_managed"] is True
    assert Path(data["interpreter"]).parent == platform_python.bin_dir
    routes = {r["requirement"]: r["route"] for r in data["requirements"]}
    assert routes == {"fixlib": "venv", "fixapp": "pipx"}, json.dumps(data)
    assert not (outside / ".venv").exists()


def test_passthrough_in_an_active_venv(
    platform_python: PlatformPython, env: dict[str, str], tmp_path: Path
) -> None:
    venv = tmp_path / "active"
    made = _run([str(platform_python.python), "-m", "venv", str(venv)], env)
    assert made.returncode == 0, made.stderr
    work = _folder(tmp_path, "work")
    (work / "pyproject.toml").write_text("")
    active = dict(env, VIRTUAL_ENV=str(venv), PATH=f"{venv}/bin:{env['PATH']}")
    result = run_safepip(["install", "fixlib"], cwd=work, env=active)
    assert result.returncode == 0, result.stderr
    assert "Successfully installed fixlib-2.0" in result.stdout
    assert result.stderr == ""  # invisible
    assert not (work / ".venv").exists()
    assert list((venv / "lib").glob(f"python{platform_python.minor}/site-packages/fixlib"))


def test_redirect_to_a_new_venv_and_uninstall(
    platform_python: PlatformPython, env: dict[str, str], tmp_path: Path
) -> None:
    project = _folder(tmp_path, "proj")
    (project / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "0"\n')
    result = run_safepip(["install", "fixlib"], cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert "externally-managed-environment" not in result.stderr
    assert _version_of(venv_python(project), env) == platform_python.version
    assert venv_import(project, "fixlib", env) == "2.0"
    removed = run_safepip(["uninstall", "-y", "fixlib"], cwd=project, env=env)
    assert removed.returncode == 0, removed.stderr
    assert "Successfully uninstalled fixlib-2.0" in removed.stdout
    gone = _run([str(venv_python(project)), "-c", "import fixlib"], env)
    assert gone.returncode != 0


def test_an_app_goes_to_pipx_and_uninstalls(
    platform_python: PlatformPython, env: dict[str, str], tmp_path: Path
) -> None:
    pipx = pypi_pipx()
    if pipx is None:
        skip_or_fail("the PyPI pipx is not set up (tests/support/fetch_seed_wheels.py)")
    penv = with_pipx(pipx_env(env, tmp_path / "pipx"), pipx, tmp_path / "pipx-on-path")
    outside = _folder(tmp_path, "somewhere")
    result = run_safepip(["install", "fixapp"], cwd=outside, env=penv, timeout=300)
    if platform_python.minor == "3.9" and _floor(pipx) >= (26, 1):
        # pipx's shared pip (>= 26.1, its floor) goes into every app's venv, and pip 26.1 and
        # later need Python 3.10: this pipx cannot install an app for a 3.9. safepip must say
        # so, name the app and leave no half-made .venv.
        assert result.returncode == 1, result.stdout + result.stderr
        assert "not installed: fixapp (pipx exited with 1)" in result.stderr
        assert not (outside / ".venv").exists()
        return
    assert result.returncode == 0, result.stdout + result.stderr
    assert "with pipx" in result.stderr
    app = Path(penv["PIPX_BIN_DIR"]) / "fixapp"
    assert _run([str(app)], penv).stdout == "fixapp 1.0 (fixlib 2.0)\n"
    app_python = Path(penv["PIPX_HOME"]) / "venvs" / "fixapp" / "bin" / "python"
    assert _version_of(app_python, penv) == platform_python.version  # the app runs on this one
    assert not (outside / ".venv").exists()
    removed = run_safepip(["uninstall", "-y", "fixapp"], cwd=outside, env=penv)
    assert removed.returncode == 0, removed.stderr
    assert not app.exists()


def test_safepip_itself_installs_and_runs_on_the_oldest_python(
    oldest_python: PlatformPython, index: PackageIndex, tmp_path: Path
) -> None:
    python39 = oldest_python
    env = hermetic_env(tmp_path / "home", index.url, path_first=(str(python39.bin_dir),))
    home = Path(env["HOME"])
    done = _run([str(python39.python), str(REPO / "install.py")], env)
    assert done.returncode == 0, done.stdout + done.stderr
    safepip = home / ".local" / "bin" / "safepip"
    own_python = home / ".local" / "share" / "safepip" / "venv" / "bin" / "python"
    assert _version_of(own_python, env) == python39.version  # safepip runs on 3.9
    version = _run([str(safepip), "--version"], env)
    assert version.returncode == 0, version.stderr
    assert version.stdout.splitlines()[1].startswith("safepip ")  # after pip's own line
    # a project with settings in pyproject.toml: read with tomli below 3.11
    project = _folder(tmp_path, "proj")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "0"\n\n[tool.safepip.routes]\nfixapp = "pipx"\n'
    )
    explained = _run([str(safepip), "explain", "--json", "fixapp", "fixlib"], env, cwd=project)
    assert explained.returncode == 0, explained.stderr
    routes = {r["requirement"]: r["route"] for r in json.loads(explained.stdout)["requirements"]}
    assert routes == {"fixapp": "pipx", "fixlib": "venv"}
    used = _run([str(safepip), "install", "fixlib"], env, cwd=project)
    assert used.returncode == 0, used.stderr
    assert venv_import(project, "fixlib", env) == "2.0"
    removed = _run([str(python39.python), str(REPO / "install.py"), "--uninstall"], env)
    assert removed.returncode == 0 and not safepip.is_symlink()


def test_a_venv_of_another_python_is_named_and_made_again_when_asked(
    platform_python: PlatformPython, env: dict[str, str], tmp_path: Path
) -> None:
    """A project's .venv made from this Python, then ``$SAFEPIP_PYTHON`` naming Debian's: the
    install says the two differ (it used the .venv without a word), doctor notes it, and
    ``--recreate-venv`` makes the .venv again from the named interpreter. Once, with the first
    Python whose minor version is not the system's."""
    system = _version_of(Path("/usr/bin/python3"), env)
    others = [m for m in BASE_PYTHONS if not system.startswith(m + ".")]
    if not others or platform_python.minor != others[0]:
        pytest.skip("one Python other than the system's is enough")
    project = _folder(tmp_path, "proj")
    (project / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "0"\n')
    assert run_safepip(["install", "fixlib"], cwd=project, env=env).returncode == 0
    named = dict(env, SAFEPIP_PYTHON="/usr/bin/python3")
    result = run_safepip(["install", "fixhelper"], cwd=project, env=named)
    assert result.returncode == 0, result.stderr
    assert f"is Python {platform_python.minor}, but the target interpreter" in result.stderr
    assert "add --recreate-venv" in result.stderr
    doctor = run_safepip(["doctor", "--json"], cwd=project, env=named)
    notes = [n["message"] for n in json.loads(doctor.stdout)["notes"]]
    assert any("installs go into the .venv as it is" in n for n in notes), notes
    again = run_safepip(["install", "--recreate-venv", "fixlib"], cwd=project, env=named)
    assert again.returncode == 0, again.stderr
    assert _version_of(venv_python(project), env) == system
    assert list(project.glob(".venv.old-*")), "the old .venv is kept aside"


def test_without_ensurepip_an_app_is_refused_naming_the_fix(
    tmp_path: Path, index: PackageIndex
) -> None:
    """A marked Python without ``ensurepip`` (Debian's python3 without python3-venv): pipx
    cannot make its venvs, so an application is refused in one line that names the package
    to install, before pipx starts (it ended in pipx's "No module named ensurepip")."""
    if not BASE_PYTHONS:
        skip_or_fail("no pyenv CPython to copy")
    minor, base = next(iter(BASE_PYTHONS.items()))
    prefix = tmp_path / "cpython"
    _copy_prefix(base, prefix)
    stdlib = prefix / "lib" / f"python{minor}"
    shutil.rmtree(stdlib / "ensurepip")
    (stdlib / "EXTERNALLY-MANAGED").write_text(MARKER)
    env = hermetic_env(tmp_path / "home", index.url, path_first=(str(prefix / "bin"),))
    outside = _folder(tmp_path, "elsewhere")
    result = run_safepip(["install", "fixapp"], cwd=outside, env=env, timeout=300)
    assert result.returncode == 1, result.stderr
    assert "pipx makes its venvs with ensurepip" in result.stderr, result.stderr
    assert "venv" in result.stderr.splitlines()[-1]
