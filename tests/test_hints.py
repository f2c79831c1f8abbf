"""What safepip tells users to type after a redirect: ``source .venv/bin/activate`` in a shell,
but in a Dockerfile's ``RUN`` line (root, no ``SUDO_USER``, no terminal) the ``ENV`` line that
lasts, and in GitHub Actions the line for ``$GITHUB_PATH`` (issue 12). The README's "In
Dockerfiles and CI" example is run as a Dockerfile would, by ``sh`` as root."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support import PackageIndex
from support.cli import run_sh
from support.wheels import build_wheel

from safepip.environment import Environment
from safepip.hints import lasting_hint


def environment(tty: bool = False, **environ: str) -> Environment:
    return Environment(
        environ=environ, cwd=Path("/app"), stdin_isatty=tty, stdout_isatty=tty, stderr_isatty=tty
    )


def test_the_lasting_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    venv = Path("/app/.venv")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert lasting_hint(venv, environment()) == (
        "in a Dockerfile, after this RUN line: ENV VIRTUAL_ENV=/app/.venv PATH=/app/.venv/bin:$PATH"
    )
    spaced = lasting_hint(Path("/my app/.venv"), environment())
    assert spaced is not None and spaced.endswith(
        'ENV VIRTUAL_ENV="/my app/.venv" PATH="/my app/.venv/bin:$PATH"'
    )
    assert lasting_hint(venv, environment(tty=True)) is None  # a person at a terminal
    assert lasting_hint(venv, environment(SUDO_USER="ann")) is None  # sudo from a shell
    ci = lasting_hint(venv, environment(tty=True, GITHUB_PATH="/runner/path"))
    assert ci == 'for the next steps: echo /app/.venv/bin >> "$GITHUB_PATH"'
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert lasting_hint(venv, environment()) is None
    assert lasting_hint(venv, environment(GITHUB_PATH="/runner/path")) == ci
    both = lasting_hint(venv, environment(GITHUB_PATH="/p", GITHUB_ENV="/e", CI="true"))
    assert both == f'{ci} && echo VIRTUAL_ENV=/app/.venv >> "$GITHUB_ENV"'
    gitlab = lasting_hint(venv, environment(tty=True, CI="true", GITLAB_CI="true"))
    assert gitlab == (
        'for the next lines of this job: export VIRTUAL_ENV=/app/.venv PATH=/app/.venv/bin:"$PATH"'
    )


DOCKERFILE_RUN = """\
set -e
mkdir app && cd app
printf 'fixlib\\n' > requirements.txt
safepip install -r requirements.txt
"""


@pytest.fixture
def with_safepip(clean_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "safepip"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m safepip "$@"\n')
    wrapper.chmod(0o755)
    return dict(clean_env, PATH=f"{clean_env['PATH']}:{bin_dir}")


def test_a_dockerfile_run_line_as_root(
    with_safepip: dict[str, str], tmp_path: Path, managed_python: Path
) -> None:
    if os.geteuid() != 0:
        pytest.skip("a Dockerfile's RUN runs as root")
    build = tmp_path / "build"
    build.mkdir()
    run = run_sh(DOCKERFILE_RUN, build, with_safepip)
    assert run.returncode == 0, run.stderr
    venv = build / "app" / ".venv"
    found = re.search(r"ENV VIRTUAL_ENV=(\S+) PATH=(\S+)", run.stderr)
    assert found is not None, run.stderr
    assert found.group(1) == str(venv)
    assert "source .venv/bin/activate" not in run.stderr
    # the next RUN line, with the ENV line applied as docker does
    env = dict(with_safepip, VIRTUAL_ENV=found.group(1))
    env["PATH"] = found.group(2).replace("$PATH", with_safepip["PATH"])
    after = run_sh(
        'python -c "import fixlib; print(fixlib.__version__)"; pip --version', build / "app", env
    )
    assert after.returncode == 0, after.stderr
    assert after.stdout.splitlines()[0] == "2.0"
    assert str(venv) in after.stdout.splitlines()[1]


def test_a_github_actions_step(with_safepip: dict[str, str], tmp_path: Path) -> None:
    github_path = tmp_path / "github_path"
    github_path.write_text("")
    build = tmp_path / "work"
    build.mkdir()
    env = dict(with_safepip, GITHUB_PATH=str(github_path), CI="true")
    run = run_sh(DOCKERFILE_RUN, build, env)
    assert run.returncode == 0, run.stderr
    found = re.search(r'for the next steps: (echo \S+ >> "\$GITHUB_PATH")', run.stderr)
    assert found is not None, run.stderr
    assert run_sh(found.group(1), build, env).returncode == 0  # the step the user adds
    assert github_path.read_text() == f"{build / 'app' / '.venv' / 'bin'}\n"


def _next_run_line(printed: str, base: dict[str, str]) -> dict[str, str]:
    """The environment of the next ``RUN`` line with the printed ``ENV`` line applied."""
    found = re.search(r"ENV VIRTUAL_ENV=(\S+) PATH=(\S+)", printed)
    assert found is not None, printed
    return dict(
        base, VIRTUAL_ENV=found.group(1), PATH=found.group(2).replace("$PATH", base["PATH"])
    )


#: gunicorn-like: ``fixserve MODULE:NAME`` imports the app from the working folder and runs it.
_SERVE = """\
import importlib, os, sys

def main():
    sys.path.insert(0, os.getcwd())
    module, name = sys.argv[1].split(":")
    print(getattr(importlib.import_module(module), name)())
"""


def test_a_server_named_with_the_apps_library_runs_the_app_next(
    with_safepip: dict[str, str],
    tmp_path: Path,
    managed_python: Path,
    make_index: Callable[..., PackageIndex],
) -> None:
    """``RUN pip install flask gunicorn`` then ``gunicorn --check-config app:app``, with
    fixlib for flask and a server that imports the app (its metadata says nothing of what it is,
    as daphne's; gunicorn's, uvicorn's and pytest's call it a framework or an interface: a
    library either way): both go into the .venv, and under -q the ENV line is still said;
    with it, the next line's server imports the app, which imports the .venv's fixlib."""
    if os.geteuid() != 0:
        pytest.skip("a Dockerfile's RUN runs as root")
    served = build_wheel(
        tmp_path / "dists",
        "fixserve",
        modules={"fixserve/__init__.py": "", "fixserve/cli.py": _SERVE},
        console_scripts={"fixserve": "fixserve.cli:main"},
    )
    index = make_index(served)
    base = dict(with_safepip, PIP_INDEX_URL=index.url)
    build = tmp_path / "app"
    build.mkdir()
    (build / "app.py").write_text("import fixlib\n\ndef app():\n    return fixlib.__version__\n")
    run = run_sh("safepip install -q fixlib fixserve", build, base)
    assert run.returncode == 0, run.stderr
    assert "ENV VIRTUAL_ENV=" in run.stderr and "installed" not in run.stderr
    after = run_sh("command -v fixserve; fixserve app:app", build, _next_run_line(run.stderr, base))
    assert after.returncode == 0, after.stderr
    assert after.stdout.splitlines() == [str(build / ".venv" / "bin" / "fixserve"), "2.0"]
    quiet = run_sh("safepip install -q fixlib==1.0", build, dict(base, SAFEPIP_QUIET_HINTS="1"))
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr


def test_a_library_outside_any_folder_of_a_project_as_root(
    with_safepip: dict[str, str], tmp_path: Path, managed_python: Path
) -> None:
    """``WORKDIR /``: the user environment, and its ENV line, with which the next line imports."""
    if os.geteuid() != 0:
        pytest.skip("a Dockerfile's RUN runs as root")
    run = run_sh("safepip install fixlib", Path("/"), with_safepip)
    assert run.returncode == 0, run.stderr
    user_env = Path(with_safepip["HOME"]) / ".local" / "share" / "safepip" / "user-env"
    assert f"ENV VIRTUAL_ENV={user_env} PATH={user_env}/bin:$PATH" in run.stderr
    after = run_sh(
        'python3 -c "import fixlib; print(fixlib.__version__)"',
        Path("/"),
        _next_run_line(run.stderr, with_safepip),
    )
    assert after.returncode == 0 and after.stdout == "2.0\n", after.stderr
