"""safepip.target.venv: creating a complete venv from the real externally-managed Python, with
safepip's own pip linked (or copied) in, and with uv when that setting is on."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pip
import pytest

from safepip.environment import Environment
from safepip.target.interpreter import probe
from safepip.target.own_pip import own_pip, pip_supports
from safepip.target.venv_create import create_venv


def environment(tmp_path: Path, clean_env: dict[str, str]) -> Environment:
    return Environment(environ=clean_env, cwd=tmp_path)


def test_own_pip_is_the_pip_beside_safepip() -> None:
    found = own_pip()
    assert found is not None
    assert found.version == pip.__version__
    assert ("pip", "__init__.py") in found.files()
    assert pip_supports(found, f"{sys.version_info[0]}.{sys.version_info[1]}.0")
    assert not pip_supports(found, "2.7.18")


def own_pip_init() -> Path:
    return Path(pip.__file__)


def test_pip_is_hard_linked_and_stays_independent(
    tmp_path: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    env = environment(tmp_path, clean_env)
    venv = tmp_path / ".venv"
    create_venv(venv, str(managed_python), probe(str(managed_python), env), env)
    linked = next(venv.glob("lib/python*/site-packages/pip/__init__.py"))
    same_device = os.stat(linked).st_dev == os.stat(own_pip_init()).st_dev
    if same_device:  # the test venv and tmp_path share a file system here
        assert os.path.samefile(linked, own_pip_init())
    before = own_pip_init().read_bytes()
    # the user removes (or upgrades) pip in the .venv: safepip's own pip must not notice
    subprocess.run(
        [str(venv / "bin" / "pip"), "uninstall", "-y", "-q", "pip"],
        env=clean_env, check=True, capture_output=True,
    )  # fmt: skip
    assert not linked.exists()
    assert own_pip_init().read_bytes() == before


def test_copies_where_links_are_refused(
    tmp_path: Path, clean_env: dict[str, str], managed_python: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    def refuse(src: object, dst: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", refuse)
    env = environment(tmp_path, clean_env)
    venv = tmp_path / ".venv"
    create_venv(venv, str(managed_python), probe(str(managed_python), env), env)
    copied = next(venv.glob("lib/python*/site-packages/pip/__init__.py"))
    assert not os.path.samefile(copied, own_pip_init())
    assert copied.read_bytes() == own_pip_init().read_bytes()
    version = subprocess.run(
        [str(venv / "bin" / "pip"), "--version"], env=clean_env, capture_output=True, text=True
    )
    assert version.returncode == 0 and pip.__version__ in version.stdout


def test_uv_makes_the_venv_and_pip_still_works(
    tmp_path: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    uv = Path(sys.executable).parent / "uv"
    if not uv.exists():
        pytest.fail("uv is not installed in the test venv (pip install -e '.[test]')")
    env = environment(tmp_path, clean_env)
    venv = tmp_path / ".venv"
    create_venv(venv, str(managed_python), probe(str(managed_python), env), env, str(uv))
    assert "uv = " in (venv / "pyvenv.cfg").read_text()
    assert str(venv) in (venv / "bin" / "activate").read_text()
    assert ".safepip-tmp" not in (venv / "bin" / "activate").read_text()
    version = subprocess.run([str(venv / "bin" / "pip"), "--version"], env=clean_env)
    assert version.returncode == 0


def test_a_uv_that_fails_falls_back_to_pythons_venv(
    tmp_path: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    env = environment(tmp_path, clean_env)
    venv = tmp_path / ".venv"
    create_venv(venv, str(managed_python), probe(str(managed_python), env), env, "/bin/false")
    assert "uv = " not in (venv / "pyvenv.cfg").read_text()
    assert subprocess.run([str(venv / "bin" / "pip"), "--version"], env=clean_env).returncode == 0
    assert [p.name for p in tmp_path.iterdir() if "safepip-tmp" in p.name] == []


@pytest.mark.parametrize("spec", [">=3.9", ">=3.9.2", ">= 3.10", ">=3.9.0", ">=3", ">=3.7,<4", ""])
@pytest.mark.parametrize("version", ["3.8.10", "3.9.0", "3.9.1", "3.9.2", "3.10.0", "3.13.5"])
def test_requires_python_is_read_as_packaging_reads_it(spec: str, version: str) -> None:
    """pip_supports reads pip's usual ``>=X.Y`` itself (no packaging import): the same answer."""
    from packaging.specifiers import SpecifierSet

    from safepip.target.own_pip import OwnPip

    pip = OwnPip(Path("pip.dist-info"), "26.0", spec or None, None)
    expected = not spec or SpecifierSet(spec).contains(version, prereleases=True)
    assert pip_supports(pip, version) == expected


def test_a_venv_made_through_a_stable_link_keeps_the_link(
    tmp_path: Path, clean_env: dict[str, str], managed_python: Path
) -> None:
    """Issue 26 point 4: the interpreter as found on PATH (a stable link such as Homebrew's
    /opt/homebrew/bin/python3.12), not its resolved, versioned file, is what the venv names, so
    that a patch upgrade (the link moved to a new file) breaks nothing."""
    from safepip.target.interpreter import find_target
    from safepip.target.venv import read_pyvenv_cfg

    stable = tmp_path / "stable" / "bin"
    stable.mkdir(parents=True)
    (stable / "python3").symlink_to(os.path.realpath(managed_python))
    env = Environment(environ=dict(clean_env, PATH=f"{stable}:/usr/bin:/bin"), cwd=tmp_path)
    found = find_target(None, env)
    assert found.path == str(stable / "python3")
    facts = probe(found.path, env)
    venv = tmp_path / ".venv"
    create_venv(venv, facts.executable, facts, env)
    assert read_pyvenv_cfg(venv)["home"] == str(stable)
    link = venv / "bin" / "python"
    while os.path.islink(link) and link.parent == venv / "bin":
        link = link.parent / os.readlink(link)  # python -> python3 -> the interpreter
    assert link == stable / "python3"


def test_a_probe_names_the_link_it_was_reached_through(tmp_path: Path) -> None:
    """A framework build (macOS) reports its resolved, versioned file as ``sys.executable``;
    the probe names the link it was reached through instead, where both are the same file."""
    from safepip.target.interpreter import Probe, _as_found

    real = Path(os.path.realpath(sys.executable))
    link = tmp_path / "python3"
    link.symlink_to(real)
    facts = Probe(str(real), "3.12.1", "/p", "/p", "/p/lib", "/p/site", True)
    assert _as_found(facts, str(link)).executable == str(link)
    assert _as_found(facts, str(tmp_path / "other")).executable == str(real)  # not the same
