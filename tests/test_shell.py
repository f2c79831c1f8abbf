"""``safepip shell-init``: real bash, zsh and fish run the generated ``pip``/``pip3`` functions.

A fake ``safepip`` on PATH stands in for the redirect (it writes a venv path to
``$SAFEPIP_ACTIVATE_FILE`` as safepip will); ``write_activation`` is tested on its own; the real
end to end run (safepip's redirect, then ``import`` in the same shell) closes the file.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.machine import skip_or_fail

from safepip.commands.shell_init import shell_init
from safepip.environment import Environment
from safepip.exceptions import UsageError
from safepip.shell import ACTIVATE_VARIABLE, safepip_command, write_activation

SHELLS = ("bash", "zsh", "fish")

FAKE_SAFEPIP = """\
#!/bin/sh
# Stands in for safepip: records its arguments and the activation file, writes $FAKE_VENV there.
for arg in "$@"; do printf '<%s>\\n' "$arg"; done > "$FAKE_LOG"
printf 'file=%s\\n' "${SAFEPIP_ACTIVATE_FILE-unset}" >> "$FAKE_LOG"
if [ -n "${FAKE_VENV:-}" ]; then printf '%s\\n' "$FAKE_VENV" > "$SAFEPIP_ACTIVATE_FILE"; fi
exit "${FAKE_EXIT:-0}"
"""


def shell_path(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        skip_or_fail(f"{name} is not installed (tests/run.sh installs it)")
    return found


def run_shell(
    shell: str, code: str, env: dict[str, str], cwd: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh, non-interactive ``shell`` that reads no startup files."""
    flags = {"bash": ["--noprofile", "--norc"], "zsh": ["-f"], "fish": ["--no-config"]}[shell]
    return subprocess.run(
        [shell_path(shell), *flags, "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def generate(shell: str, environ: dict[str, str], cwd: Path) -> str:
    out = io.StringIO()
    env = Environment(environ=environ, cwd=cwd, stdout=out, stderr=io.StringIO())
    assert shell_init([shell], env) == 0
    return out.getvalue()


def lines(text: str) -> dict[str, str]:
    """``key=value`` lines of a shell's output."""
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real venv (activate scripts for every shell); no pip needed for activation."""
    from support.machine import find_managed_python

    info, why = find_managed_python()
    python = str(info.path) if info is not None else shutil.which("python3")
    if python is None:
        skip_or_fail(f"no python3 to make a venv with: {why}")
    path = tmp_path_factory.mktemp("activate") / "proj" / ".venv"
    subprocess.run(
        [python, "-m", "venv", "--without-pip", str(path)],
        check=True,
        stdin=subprocess.DEVNULL,
        env={"PATH": os.defpath},
    )
    return path


def fake_world(
    tmp_path: Path, clean_env: dict[str, str], links: dict[str, Path] | None = None
) -> tuple[dict[str, str], Path]:
    """(environment with a fake safepip, and ``links`` (name -> target), first on PATH and a
    private TMPDIR; the folder with each shell's init code)."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    script = bin_dir / "safepip"
    script.write_text(FAKE_SAFEPIP)
    script.chmod(0o755)
    for name, target in (links or {}).items():
        (bin_dir / name).symlink_to(target)
    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    env = dict(
        clean_env,
        PATH=f"{bin_dir}:{clean_env['PATH']}",
        TMPDIR=str(tmp),
        FAKE_LOG=str(tmp_path / "fake.log"),
    )
    init = tmp_path / "init"
    init.mkdir()
    for shell in SHELLS:
        (init / shell).write_text(generate(shell, env, tmp_path))
    return env, init


@pytest.fixture
def fake(tmp_path: Path, clean_env: dict[str, str]) -> tuple[dict[str, str], Path]:
    """(environment with a fake safepip first on PATH and a private TMPDIR, the init dir)."""
    return fake_world(tmp_path, clean_env)


def load(shell: str, init: Path) -> str:
    """How the README tells each shell to load the code (with the file standing in for
    ``safepip shell-init SHELL``)."""
    if shell == "fish":
        return f"cat {init / shell} | source; "
    return f'eval "$(cat {init / shell})"; '


REPORT = {
    # type -P / whence -p: the file, as ``python`` is also a shell function (python -m pip)
    "bash": 'echo "status=$st"; echo "venv=${VIRTUAL_ENV:-}"; echo "python=$(type -P python)"; '
    'echo "leak=${SAFEPIP_ACTIVATE_FILE-unset}"',
    "zsh": 'echo "status=$st"; echo "venv=${VIRTUAL_ENV:-}"; echo "python=$(whence -p python)"; '
    'echo "leak=${SAFEPIP_ACTIVATE_FILE-unset}"',
    "fish": 'echo "status=$st"; echo "venv=$VIRTUAL_ENV"; echo "python="(command -v python); '
    "set -q SAFEPIP_ACTIVATE_FILE; and echo leak=set; or echo leak=unset",
}


def status_of(shell: str, command: str) -> str:
    return f"{command}; set st $status; " if shell == "fish" else f"{command}; st=$?; "


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("name", ["pip", "pip3"])
def test_activates_the_venv_safepip_names(
    shell: str, name: str, fake: tuple[dict[str, str], Path], venv: Path, tmp_path: Path
) -> None:
    env, init = fake
    env = dict(env, FAKE_VENV=str(venv), FAKE_EXIT="0")
    code = load(shell, init) + status_of(shell, f"{name} install 'a b' c") + REPORT[shell]
    result = run_shell(shell, code, env, tmp_path)
    assert result.stderr == ""
    out = lines(result.stdout)
    assert out["status"] == "0"
    assert out["venv"] == str(venv)
    assert out["python"] == str(venv / "bin" / "python")
    assert out["leak"] == "unset"
    log = Path(env["FAKE_LOG"]).read_text().splitlines()
    assert log[:3] == ["<install>", "<a b>", "<c>"]  # the arguments, exactly
    file = log[3].removeprefix("file=")
    assert file.startswith(env["TMPDIR"] + "/safepip-activate.")
    assert os.listdir(env["TMPDIR"]) == []  # the file is removed again


@pytest.mark.parametrize("shell", SHELLS)
def test_no_activation_without_a_redirect(
    shell: str, fake: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, init = fake
    env = dict(env, FAKE_EXIT="7")
    code = load(shell, init) + status_of(shell, "pip list") + REPORT[shell]
    result = run_shell(shell, code, env, tmp_path)
    out = lines(result.stdout)
    assert out["status"] == "7"  # safepip's status, passed on
    assert out["venv"] == ""
    assert os.listdir(env["TMPDIR"]) == []


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("already_active", [True, False])
def test_same_venv_already_active_is_not_sourced_again(
    shell: str, already_active: bool, fake: tuple[dict[str, str], Path], venv: Path, tmp_path: Path
) -> None:
    env, init = fake
    env = dict(env, FAKE_VENV=str(venv))
    if already_active:
        env["VIRTUAL_ENV"] = str(venv)
    probe = "functions -q deactivate" if shell == "fish" else "type deactivate >/dev/null 2>&1"
    code = load(shell, init) + f"pip install x; {probe} && echo sourced=yes || echo sourced=no"
    result = run_shell(shell, code, env, tmp_path)
    assert lines(result.stdout)["sourced"] == ("no" if already_active else "yes")


def test_bash_errexit_and_nounset(
    fake: tuple[dict[str, str], Path], venv: Path, tmp_path: Path
) -> None:
    env, init = fake
    ok = run_shell(
        "bash",
        "set -eu; " + load("bash", init) + "pip install x; echo venv=$VIRTUAL_ENV",
        dict(env, FAKE_VENV=str(venv)),
        tmp_path,
    )
    assert lines(ok.stdout)["venv"] == str(venv), ok.stderr
    failed = run_shell(
        "bash",
        "set -eu; " + load("bash", init) + "pip install x; echo after",
        dict(env, FAKE_EXIT="3"),
        tmp_path,
    )
    assert failed.returncode == 3
    assert "after" not in failed.stdout
    assert os.listdir(env["TMPDIR"]) == []  # cleaned up before the shell stopped


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_an_alias_named_pip_does_not_break_loading(
    shell: str, fake: tuple[dict[str, str], Path], venv: Path, tmp_path: Path
) -> None:
    env, init = fake
    aliases = "shopt -s expand_aliases; " if shell == "bash" else ""
    code = aliases + "alias pip='echo aliased'\n" + load(shell, init) + "\npip install x\n"
    code += 'echo "venv=${VIRTUAL_ENV:-}"'
    result = run_shell(shell, code, dict(env, FAKE_VENV=str(venv)), tmp_path)
    assert "aliased" not in result.stdout
    assert lines(result.stdout)["venv"] == str(venv), result.stderr


def test_falls_back_to_safepip_on_path_when_the_baked_in_one_is_gone(
    fake: tuple[dict[str, str], Path], venv: Path, tmp_path: Path
) -> None:
    env, init = fake
    moved = tmp_path / "moved-bin"
    (tmp_path / "fake-bin").rename(moved)
    env = dict(env, PATH=f"{moved}:{env['PATH']}", FAKE_VENV=str(venv))
    result = run_shell(
        "bash", load("bash", init) + "pip install x; echo venv=$VIRTUAL_ENV", env, tmp_path
    )
    assert lines(result.stdout)["venv"] == str(venv), result.stderr


@pytest.mark.parametrize("shell", SHELLS)
def test_odd_characters_in_safepips_path(
    shell: str, fake: tuple[dict[str, str], Path], venv: Path, tmp_path: Path
) -> None:
    env, _ = fake
    odd = tmp_path / "it's a \\ $dir"
    (tmp_path / "fake-bin").rename(odd)
    env = dict(env, PATH=f"{odd}:{env['PATH']}", FAKE_VENV=str(venv))
    init = tmp_path / "init"
    (init / shell).write_text(generate(shell, env, tmp_path))
    env["PATH"] = env["PATH"].split(":", 1)[1]  # the baked-in path must be what runs
    code = load(shell, init) + status_of(shell, "pip install x") + REPORT[shell]
    result = run_shell(shell, code, env, tmp_path)
    assert lines(result.stdout)["venv"] == str(venv), result.stderr


def test_without_mktemp_safepip_still_runs(
    fake: tuple[dict[str, str], Path], venv: Path, tmp_path: Path
) -> None:
    env, init = fake
    env = dict(env, TMPDIR=str(tmp_path / "no-such-dir"), FAKE_VENV="")
    result = run_shell("bash", load("bash", init) + "pip install x; echo status=$?", env, tmp_path)
    assert lines(result.stdout)["status"] == "0"
    assert Path(env["FAKE_LOG"]).read_text().splitlines()[-1] == "file="


def test_the_command_baked_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    env = Environment(environ={"PATH": str(empty)}, cwd=tmp_path)
    monkeypatch.setattr(sys, "argv", ["/somewhere/__main__.py"])
    assert safepip_command(env) == [os.path.abspath(sys.executable), "-m", "safepip"]
    script = tmp_path / "bin" / "safepip"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    on_path = Environment(environ={"PATH": str(script.parent)}, cwd=tmp_path)
    assert safepip_command(on_path) == [str(script)]
    console = tmp_path / "venv" / "bin" / "safepip"
    console.parent.mkdir(parents=True)
    console.write_text("#!/bin/sh\n")
    console.chmod(0o755)
    monkeypatch.setattr(sys, "argv", [str(console), "shell-init", "bash"])
    assert safepip_command(on_path) == [str(console)]  # the one running wins


def test_python_m_safepip_when_no_safepip_is_on_path(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    """The ``-m`` fallback runs the real safepip (``pip --version`` is safepip's and pip's)."""
    init = tmp_path / "init.sh"
    init.write_text(generate("bash", clean_env, tmp_path))
    assert f"{sys.executable} -m safepip" in init.read_text()
    result = run_shell("bash", f'eval "$(cat {init})"; pip --version', clean_env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("safepip ")


def test_usage() -> None:
    env = Environment(environ={}, cwd=Path("/"), stdout=io.StringIO())
    for args in ([], ["tcsh"], ["bash", "zsh"]):
        with pytest.raises(UsageError) as caught:
            shell_init(args, env)
        assert "shell-init fish | source" in (caught.value.hint or "")


# -- write_activation ---------------------------------------------------------------------------


def activation_env(file: Path | str, **more: str) -> Environment:
    return Environment(environ={ACTIVATE_VARIABLE: str(file), **more}, cwd=Path("/"))


def test_write_activation(tmp_path: Path, venv: Path) -> None:
    file = tmp_path / "activate-me"
    file.write_text("stale content that is longer than the path\n" * 10)
    assert write_activation(activation_env(file), venv) is True
    assert file.read_text() == f"{venv}\n"


def test_write_activation_only_when_asked(tmp_path: Path, venv: Path) -> None:
    assert write_activation(Environment(environ={}, cwd=tmp_path), venv) is False
    assert write_activation(activation_env(""), venv) is False


def test_write_activation_refuses_what_is_not_the_shells_file(
    tmp_path: Path, venv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "precious"
    target.write_text("keep\n")
    link = tmp_path / "link"
    link.symlink_to(target)
    assert write_activation(activation_env(link), venv) is False
    assert target.read_text() == "keep\n"
    missing = tmp_path / "missing"
    assert write_activation(activation_env(missing), venv) is False
    assert not missing.exists()  # never created
    assert write_activation(activation_env(tmp_path), venv) is False  # a directory
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert write_activation(activation_env(fifo), venv) is False  # and does not hang
    relative = Path("relative-file")
    assert write_activation(activation_env(relative), venv) is False
    mine = tmp_path / "mine"
    mine.write_text("")
    real_euid = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: real_euid + 1)
    assert write_activation(activation_env(mine), venv) is False  # someone else's file
    assert mine.read_text() == ""


def test_write_activation_needs_an_activate_script_and_another_venv(
    tmp_path: Path, venv: Path
) -> None:
    file = tmp_path / "activate-me"
    file.write_text("")
    assert write_activation(activation_env(file, VIRTUAL_ENV=str(venv)), venv) is False
    assert file.read_text() == ""
    other = tmp_path / "other"
    assert write_activation(activation_env(file, VIRTUAL_ENV=str(other)), venv) is True
    not_a_venv = tmp_path / "plain"
    not_a_venv.mkdir()
    file.write_text("")
    assert write_activation(activation_env(file), not_a_venv) is False
    assert file.read_text() == ""


# -- end to end, with the real safepip ------------------------------------------------------------


@pytest.mark.parametrize("shell", SHELLS)
def test_real_redirect_activates_in_the_same_shell(
    shell: str, clean_env: dict[str, str], tmp_path: Path
) -> None:
    """``pip install fixlib`` in a fresh project, then ``python`` in the same shell imports it.

    safepip's own interpreter must not be the target: the ``safepip`` on PATH is a wrapper
    running ``sys.executable -m safepip``, and the dev venv's folder is not on PATH."""
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
    code = f'{load_code}; pip install fixlib; python -c "import fixlib; print(fixlib.__version__)"'
    result = run_shell(shell, code, env, project, timeout=240)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "2.0"
    assert (project / ".venv" / "bin" / "python").exists()


def test_real_redirect_in_the_home_folder_activates_the_user_environment(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    """``pip install fixlib`` in ``$HOME``: the user environment, activated in the same shell."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "safepip"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m safepip "$@"\n')
    wrapper.chmod(0o755)
    env = dict(clean_env, PATH=f"{bin_dir}:{clean_env['PATH']}", SHELL=shell_path("bash"))
    home = Path(env["HOME"])
    code = (
        'eval "$(safepip shell-init bash)"; pip install fixlib; '
        'python -c "import sys; print(sys.prefix)"'
    )
    result = run_shell("bash", code, env, home, timeout=240)
    assert result.returncode == 0, result.stderr
    user_env = Path(env["XDG_DATA_HOME"]) / "safepip" / "user-env"
    assert result.stdout.splitlines()[-1] == str(user_env)
    assert not (home / ".venv").exists()
