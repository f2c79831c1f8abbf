"""The distribution's package installed only when asked (backends/distro.py): as root the
package manager itself, otherwise sudo only on a terminal, and refusals that install nothing;
a stand-in apt-get on PATH records its arguments (nothing is installed on this machine)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from support.cli import stand_ins

from safepip.backends.base import Context, Request
from safepip.backends.homes import homes
from safepip.backends.system_packages import DistroPackages
from safepip.decide.model import Decision, Item, Planned, SafepipOptions
from safepip.environment import Environment
from safepip.pip import parser
from safepip.report import Reporter
from safepip.target.distro import package_manager
from safepip.target.project import VenvTarget

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.skipif(
    (package_manager() or ("", ""))[0] != "apt", reason="an apt system's look-up"
)


def _setup(tmp_path: Path, terminal: bool = False) -> tuple[DistroPackages, Path]:
    bin_dir, record = tmp_path / "bin", tmp_path / "record"
    bin_dir.mkdir(parents=True)
    stand_ins(bin_dir, record, "apt-get", "sudo")
    config = tmp_path / "apt.conf"
    config.write_text(f'Dir::State::Lists "{DATA / "apt-lists"}/";\n')
    environ = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "APT_CONFIG": str(config),
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PYTHONPATH": "/somewhere",
    }
    out, err = io.StringIO(), io.StringIO()
    env = Environment(environ, tmp_path, io.StringIO(), out, err, terminal, False, terminal)
    reporter = Reporter(env)
    ctx = Context(parser.parse(["install"]), env, reporter, VenvTarget(tmp_path / ".venv", None))
    backend = homes(ctx)["distro"][0]
    assert isinstance(backend, DistroPackages)
    return backend, record


def _steps(*texts: str) -> list[Planned]:
    return [
        Planned(Item(t, "name", t.split(">")[0]), Decision("distro", ("chosen by --distro",)))
        for t in texts
    ]


def _request() -> Request:
    target = type("T", (), {"path": "/usr/bin/python3"})()
    return Request(target, None, SafepipOptions(route="distro"))  # type: ignore[arg-type]


def test_as_root_the_package_manager_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    backend, record = _setup(tmp_path)
    outcome = backend.install(_steps("pyyaml", "beautifulsoup4"), _request())
    assert record.read_text() == (
        "apt-get install -y --no-install-recommends python3-yaml python3-bs4\n"
    )
    assert (
        outcome.failed == [] and "installed python3-yaml (6.0-3+b2) for pyyaml" in outcome.done[0]
    )


def test_a_missing_or_unsatisfying_package_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    backend, record = _setup(tmp_path)
    outcome = backend.install(_steps("numpy>=99", "black"), _request())
    assert not record.exists()  # nothing installed
    assert outcome.codes == [1, 1]
    assert "python3-numpy 1:1.24.2-1+deb12u1, which does not satisfy it" in outcome.failed[0]
    assert "Debian has no package of it" in outcome.failed[1]
    assert "safepip install --venv 'numpy>=99'" in outcome.failed[0]


def test_not_root_sudo_only_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    backend, record = _setup(tmp_path / "a")
    outcome = backend.install(_steps("pyyaml"), _request())
    assert not record.exists()
    assert (
        "no terminal for sudo to ask on; run it yourself: sudo apt install python3-yaml"
        in (outcome.failed[0])
    )
    backend, record = _setup(tmp_path / "b", terminal=True)
    outcome = backend.install(_steps("pyyaml"), _request())
    assert record.read_text().startswith(
        "sudo apt-get install -y --no-install-recommends python3-yaml"
    )
    assert outcome.failed == []
