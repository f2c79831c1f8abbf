"""``safepip shell-init``'s ``python``/``python3``/``python3.X`` functions, in real bash, zsh and
fish: ``-m pip ...`` becomes ``safepip --python <that interpreter> ...``; every other use of the
interpreter (``-c``, ``-m venv``, a script, ``-V``) runs it unchanged."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_shell import SHELLS, fake_world, load, run_shell, shell_path


@pytest.fixture
def fake(
    tmp_path: Path, clean_env: dict[str, str], managed_python: Path
) -> tuple[dict[str, str], Path]:
    """(environment with a fake safepip and a ``python`` link first on PATH, the init dir)."""
    return fake_world(tmp_path, clean_env, {"python": managed_python})


def on_path(name: str, env: dict[str, str]) -> str:
    found = shutil.which(name, path=env["PATH"])
    assert found is not None
    return found


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("name", ["python", "python3", "python3.X"])
def test_m_pip_runs_safepip_for_that_interpreter(
    shell: str, name: str, fake: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, init = fake
    if name == "python3.X":
        name = f"python3.{sys.version_info[1]}"
        if shutil.which(name, path=env["PATH"]) is None:
            pytest.skip(f"no {name} on PATH")
    status = "; echo status=$status" if shell == "fish" else "; echo status=$?"
    code = load(shell, init) + f"{name} -m pip install 'a b' c" + status
    result = run_shell(shell, code, env, tmp_path)
    assert result.stderr == ""
    assert "status=0" in result.stdout
    log = Path(env["FAKE_LOG"]).read_text().splitlines()
    assert log[:5] == ["<--python>", f"<{on_path(name, env)}>", "<install>", "<a b>", "<c>"]


@pytest.mark.parametrize("shell", SHELLS)
def test_every_other_use_of_python3_is_untouched(
    shell: str, fake: tuple[dict[str, str], Path], tmp_path: Path, managed_python: Path
) -> None:
    env, init = fake
    (tmp_path / "script.py").write_text("import sys\nprint('script', sys.argv[1:])\n")
    code = load(shell, init) + "; ".join(
        [
            "python3 -c 'import sys; print(sys.executable, sys.argv[1:])' a 'b c'",
            "python3 -m venv --without-pip made-venv",
            "python3 script.py -m pip",
            "python3 -V",
            "python -c 'print(42)'",
            "python3 -m json.tool --help > /dev/null",
            "echo done",
        ]
    )
    result = run_shell(shell, code, env, tmp_path)
    assert result.stderr == "", result.stderr
    out = result.stdout.splitlines()
    assert out[0] == f"{on_path('python3', env)} ['a', 'b c']"
    assert out[1] == "script ['-m', 'pip']"
    assert out[2].startswith("Python 3.")
    assert out[3:] == ["42", "done"]
    assert (tmp_path / "made-venv" / "pyvenv.cfg").is_file()
    assert not Path(env["FAKE_LOG"]).exists()  # safepip never ran
    direct = subprocess.run(
        [str(managed_python), "-V"], capture_output=True, text=True, check=True
    ).stdout
    assert out[2] == direct.strip()


@pytest.mark.parametrize("shell", SHELLS)
def test_real_python3_m_pip_install_redirects_and_activates(
    shell: str, clean_env: dict[str, str], tmp_path: Path
) -> None:
    """``python3 -m pip install fixlib`` with the real safepip: into the project's .venv, which
    the same shell then runs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "safepip"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m safepip "$@"\n')
    wrapper.chmod(0o755)
    env = dict(clean_env, PATH=f"{bin_dir}:{clean_env['PATH']}", SHELL=shell_path(shell))
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "0"\n')
    load_code = (
        "safepip shell-init fish | source"
        if shell == "fish"
        else f'eval "$(safepip shell-init {shell})"'
    )
    code = (
        f"{load_code}; python3 -m pip install fixlib; "
        'python3 -c "import fixlib, sys; print(fixlib.__version__, sys.prefix)"'
    )
    result = run_shell(shell, code, env, project, timeout=240)
    assert result.returncode == 0, result.stderr
    assert "externally-managed-environment" not in result.stderr
    assert result.stdout.splitlines()[-1] == f"2.0 {project / '.venv'}"
