"""Never break, never lose: safepip under concurrency, signals, broken indexes, full and
read-only disks, sudo, hostile configuration and a hostile environment.

Everything is real: safepip runs as a subprocess (``python -m safepip``) against this machine's
externally-managed /usr/bin/python3, real venv/pip/pipx, the test index on 127.0.0.1 (behind
:class:`support.faults.GatedProxy` where a request must hang), real signals, real tmpfs and
read-only bind mounts.
"""

from __future__ import annotations

import fcntl
import json
import os
import pwd
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import PackageIndex, build_wheel, debian_pipx, pipx_env, pypi_pipx
from support.cli import leftovers, run_safepip, venv_python, with_pipx
from support.faults import (
    GatedProxy,
    LoggingPython,
    closed_port,
    copy_venv,
    descendants,
    files_not_owned_by,
    kill_all,
    make_logging_python,
    readonly_bind,
    survivors,
    tmpfs,
    wait_until,
)
from support.machine import in_ci, make_clean_env, skip_or_fail

pytestmark = pytest.mark.usefixtures("managed_python")

WAITING = "waiting for another safepip"


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder under HOME that is no project."""
    folder = tmp_path / "home" / "somewhere"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def proxy(index: PackageIndex) -> Iterator[GatedProxy]:
    with GatedProxy(index.base_url) as gate:
        yield gate


@pytest.fixture
def proxied_env(clean_env: dict[str, str], proxy: GatedProxy) -> dict[str, str]:
    """The clean environment with the index reached through the proxy."""
    return dict(clean_env, PIP_INDEX_URL=proxy.url)


@pytest.fixture(scope="session")
def template_venv(
    tmp_path_factory: pytest.TempPathFactory, index: PackageIndex, managed_python: Path
) -> Path:
    """A .venv made by safepip itself, with fixlib 1.0; tests get copies (see ``copy_venv``)."""
    base = tmp_path_factory.mktemp("template")
    root = base / "home" / "proj"
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text("")
    env = make_clean_env(base / "home", index.url)
    result = run_safepip(["install", "-q", "fixlib==1.0"], cwd=root, env=env)
    assert result.returncode == 0, result.stderr
    return root / ".venv"


def declare(project: Path, *names: str) -> None:
    """The project declares ``names``: safepip sends them to its .venv without looking them up,
    so what a test stalls or fills is pip's own install."""
    deps = ", ".join(f'"{n}"' for n in names)
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "proj"\nversion = "0"\ndependencies = [{deps}]\n'
    )


@pytest.fixture
def existing_venv(project: Path, template_venv: Path) -> Path:
    venv = project / ".venv"
    copy_venv(template_venv, venv)
    (venv / "mine.txt").write_text("user data")
    return venv


@pytest.fixture
def logging_python(tmp_path: Path) -> LoggingPython:
    return make_logging_python(tmp_path / "py")


@pytest.fixture(scope="session")
def many_files_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """fixmany: 3000 modules, so that pip's install step (unpack + byte-compile) takes seconds."""
    modules = {"fixmany/__init__.py": '__version__ = "1.0"\n'}
    body = "".join(f"def f{i}(x):\n    return x + {i}\n" for i in range(40))
    modules.update({f"fixmany/m{i:04d}.py": body for i in range(3000)})
    return build_wheel(tmp_path_factory.mktemp("many"), "fixmany", "1.0", modules=modules)


# -- checks --------------------------------------------------------------------------------------


def venv_works(venv: Path, env: Mapping[str, str], *modules: str) -> str:
    """'' when ``venv``'s python runs, its pip runs and ``modules`` import; else what failed."""
    python = venv / "bin" / "python"
    code = "import pip, " + ", ".join(modules) if modules else "import pip"
    done = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, env=dict(env), check=False
    )
    return "" if done.returncode == 0 else f"{python} -c {code!r}: {done.stderr.strip()}"


def locks_held(env: Mapping[str, str]) -> list[str]:
    """safepip's lock files that someone still holds."""
    held = []
    for lock in (Path(env["XDG_CACHE_HOME"]) / "safepip" / "locks").glob("*.lock"):
        fd = os.open(lock, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            held.append(str(lock))
        finally:
            os.close(fd)
    return held


def half_made(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "safepip-tmp" in p.name)


def assert_clean_error(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode != 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr


@dataclass
class Interrupted:
    code: int | None
    stdout: str
    stderr: str
    children: dict[int, str]  # safepip's descendants when the signal was sent
    left: dict[int, str]  # those still running after safepip ended (+ a grace period)
    seconds: float  # from the signal to safepip's end


def interrupt(
    args: list[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    signum: int,
    ready: Callable[[], bool],
    what: str,
    to_group: bool = False,
    ready_timeout: float = 90,
    max_seconds: float = 10,
    stdin: int = subprocess.DEVNULL,
) -> Interrupted:
    """Start ``safepip ARGS``; when ``ready()`` send ``signum`` (to safepip alone, as ``kill``
    does, or to its process group, as a terminal's Ctrl-C does). safepip is killed if it has
    not ended ``max_seconds`` after the signal."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "safepip", *args],
        cwd=cwd,
        env=dict(env),
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    children: dict[int, str] = {}
    try:
        reached = wait_until(lambda: proc.poll() is not None or ready(), ready_timeout)
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"safepip ended (exit {proc.returncode}) before {what}:\n{out}\n{err}")
        assert reached, f"{what} was never reached within {ready_timeout} s"
        children = descendants(proc.pid)
        started = time.monotonic()
        if to_group:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)
        try:
            out, err = proc.communicate(timeout=max_seconds)
            seconds = time.monotonic() - started
        except subprocess.TimeoutExpired:
            kill_all({**descendants(proc.pid), proc.pid: "safepip"})
            out, err = proc.communicate()
            err += f"\n(safepip had not ended {max_seconds} s after the signal: killed)"
            seconds = float("inf")
    finally:
        if proc.poll() is None:
            kill_all({**descendants(proc.pid), proc.pid: "safepip"})
            proc.wait()
    left = survivors(children)
    kill_all(left)  # cleanup only; the test fails on them
    return Interrupted(proc.returncode, out, err, children, left, seconds)


def assert_interrupt_clean(
    run: Interrupted,
    signum: int,
    *,
    folder: Path,
    env: Mapping[str, str],
    venv_before: bool,
    max_seconds: float = 10,
    had_children: bool = True,
) -> None:
    expected = 128 + signum
    assert run.seconds < max_seconds, f"safepip took {run.seconds:.1f} s to stop: {run.stderr}"
    assert run.code == expected, f"exit {run.code}, expected {expected}:\n{run.stderr}"
    assert "Traceback" not in run.stderr, run.stderr
    if had_children:
        assert run.children, "safepip had no child process at the time of the signal"
    assert not run.left, f"still running after safepip ended: {run.left}"
    assert half_made(folder) == []
    assert locks_held(env) == []
    venv = folder / ".venv"
    if venv_before:
        assert venv_works(venv, env, "fixlib") == ""
        assert (venv / "mine.txt").read_text() == "user data"
    else:
        assert not os.path.lexists(venv), sorted(os.listdir(venv))


def assert_next_run_works(folder: Path, env: Mapping[str, str]) -> None:
    """A following run neither waits for a lock nor trips over what the interrupted one left."""
    again = run_safepip(["install", "fixhelper"], cwd=folder, env=env, timeout=60)
    assert again.returncode == 0, again.stderr
    assert WAITING not in again.stderr
    assert venv_works(folder / ".venv", env, "fixhelper") == ""


SIGNALS = [pytest.param(signal.SIGINT, id="SIGINT"), pytest.param(signal.SIGTERM, id="SIGTERM")]


# == 1. concurrency ===============================================================================


EIGHT = ["fixlib", "fixapp", "fixgui", "fixdata", "fixhelper", "fixmeta", "fixsdist", "fixbig"]


def test_eight_installs_at_once_make_one_venv_with_everything(
    project: Path, clean_env: dict[str, str]
) -> None:
    declare(project, *EIGHT)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "safepip", "install", name],
            cwd=project,
            env=clean_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in EIGHT
    ]
    try:
        outputs = [p.communicate(timeout=170) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    codes = {name: p.returncode for name, p in zip(EIGHT, procs)}
    report = "\n".join(f"--- {n}: {o[1]}" for n, o in zip(EIGHT, outputs))
    assert set(codes.values()) == {0}, f"{codes}\n{report}"
    assert [p.name for p in project.iterdir() if p.name.startswith(".venv")] == [".venv"]
    assert half_made(project) == []
    # every requirement went into the .venv (the project declares it), none to pipx
    for name, (_, err) in zip(EIGHT, outputs):
        assert "into a new virtual environment" in err or "the project's virtual environment" in err
        assert "with pipx" not in err, (name, err)
    created = [n for n, (_, err) in zip(EIGHT, outputs) if "a new virtual environment" in err]
    assert len(created) == 1, created
    check = (
        "import importlib.metadata as m; "
        "print(sorted(d.metadata['Name'] for d in m.distributions()))"
    )
    listed = subprocess.run(
        [str(venv_python(project)), "-c", check],
        capture_output=True,
        text=True,
        env=clean_env,
        check=True,
    ).stdout
    for name in EIGHT:
        assert f"'{name}'" in listed, (name, listed)
    assert venv_works(project / ".venv", clean_env, "fixlib", "fixapp", "fixsdist", "fixbig") == ""
    assert (project / ".venv" / "bin" / "fixdata-bin").exists()
    assert locks_held(clean_env) == []


# == 2. interrupts ================================================================================


@pytest.mark.parametrize("signum", SIGNALS)
def test_interrupt_while_creating_the_venv(
    project: Path,
    clean_env: dict[str, str],
    logging_python: LoggingPython,
    signum: int,
) -> None:
    """The target interpreter takes 60 s to make a venv; the signal comes meanwhile."""
    logging_python.set_venv_delay(60)
    run = interrupt(
        ["--python", str(logging_python.python), "install", "fixlib"],
        cwd=project,
        env=clean_env,
        signum=signum,
        ready=logging_python.venv_started,
        what="venv creation",
    )
    assert_interrupt_clean(run, signum, folder=project, env=clean_env, venv_before=False)
    logging_python.set_venv_delay(0)
    assert_next_run_works(project, clean_env)


_THREADS_REASON = (
    "Ctrl-C waits for the hung index: _inspect._map runs several requirements in a "
    "ThreadPoolExecutor whose __exit__ (shutdown(wait=True)) joins the worker threads stuck "
    "in a socket read, so safepip exits only after _index.DEFAULT_TIMEOUT (15 s)"
)


@pytest.mark.parametrize(
    ("requirements", "signum"),
    [
        pytest.param(["fixapp"], signal.SIGINT, id="one-app-SIGINT"),
        pytest.param(["fixapp"], signal.SIGTERM, id="one-app-SIGTERM"),
        pytest.param(["fixapp", "fixgui"], signal.SIGINT, id="two-apps-SIGINT"),
    ],
)
def test_interrupt_while_deciding(
    outside: Path,
    proxied_env: dict[str, str],
    proxy: GatedProxy,
    requirements: list[str],
    signum: int,
) -> None:
    """Outside a project applications are inspected before anything is installed (two at
    once, in threads); the index hangs. Ctrl-C must work at once, not after a timeout."""
    proxy.stall("/")
    run = interrupt(
        ["install", *requirements],
        cwd=outside,
        env=proxied_env,
        signum=signum,
        ready=lambda: proxy.wait_for_stall(0),
        what="the route inspection's first request",
        max_seconds=5,
    )
    proxy.stall(None)
    # safepip inspects in-process (no child needed)
    assert_interrupt_clean(
        run,
        signum,
        folder=outside,
        env=proxied_env,
        venv_before=False,
        had_children=False,
        max_seconds=5,
    )


@pytest.mark.parametrize("signum", SIGNALS)
@pytest.mark.parametrize("venv_before", [False, True], ids=["new-venv", "existing-venv"])
def test_interrupt_while_downloading(
    request: pytest.FixtureRequest,
    project: Path,
    proxied_env: dict[str, str],
    proxy: GatedProxy,
    signum: int,
    venv_before: bool,
) -> None:
    if venv_before:
        request.getfixturevalue("existing_venv")
    declare(project, "fixhelper")
    proxy.stall("/files/fixhelper")
    run = interrupt(
        ["install", "fixhelper"],
        cwd=project,
        env=proxied_env,
        signum=signum,
        ready=lambda: proxy.wait_for_stall(0),
        what="pip's download",
    )
    proxy.stall(None)
    assert_interrupt_clean(run, signum, folder=project, env=proxied_env, venv_before=venv_before)
    if venv_before:
        assert_next_run_works(project, proxied_env)


@pytest.mark.parametrize(
    "stdin",
    [
        pytest.param("terminal", id="stdin-terminal"),
        pytest.param("devnull", id="stdin-devnull"),
    ],
)
def test_ctrl_c_on_a_terminal_reaches_the_whole_group(
    project: Path, proxied_env: dict[str, str], proxy: GatedProxy, stdin: str
) -> None:
    """Ctrl-C on a terminal signals safepip and pip at once (the foreground process group)."""
    declare(project, "fixhelper")
    proxy.stall("/files/fixhelper")
    master, slave = os.openpty()
    try:
        run = interrupt(
            ["install", "fixhelper"],
            cwd=project,
            env=proxied_env,
            signum=signal.SIGINT,
            ready=lambda: proxy.wait_for_stall(0),
            what="pip's download",
            to_group=True,
            stdin=slave if stdin == "terminal" else subprocess.DEVNULL,
        )
    finally:
        os.close(master)
        os.close(slave)
    proxy.stall(None)
    assert_interrupt_clean(run, signal.SIGINT, folder=project, env=proxied_env, venv_before=False)


def _installing(venv: Path) -> bool:
    return any(venv.glob("lib/python3*/site-packages/fixmany/m0*.py"))


@pytest.mark.parametrize("signum", SIGNALS)
@pytest.mark.parametrize("venv_before", [False, True], ids=["new-venv", "existing-venv"])
def test_interrupt_while_installing(
    request: pytest.FixtureRequest,
    project: Path,
    make_index: Callable[..., PackageIndex],
    clean_env: dict[str, str],
    many_files_wheel: Path,
    signum: int,
    venv_before: bool,
) -> None:
    if venv_before:
        request.getfixturevalue("existing_venv")
    idx = make_index(many_files_wheel)
    env = dict(clean_env, PIP_INDEX_URL=idx.url)
    run = interrupt(
        ["install", "fixmany"],
        cwd=project,
        env=env,
        signum=signum,
        ready=lambda: _installing(project / ".venv"),
        what="pip writing fixmany into site-packages",
    )
    assert_interrupt_clean(run, signum, folder=project, env=env, venv_before=venv_before)
    if venv_before:
        assert_next_run_works(project, env)


def test_interrupted_install_leaves_no_partial_package(
    project: Path,
    existing_venv: Path,
    make_index: Callable[..., PackageIndex],
    clean_env: dict[str, str],
    many_files_wheel: Path,
) -> None:
    idx = make_index(many_files_wheel)
    env = dict(clean_env, PIP_INDEX_URL=idx.url)
    site = next(existing_venv.glob("lib/python3*/site-packages"))
    before = sorted(p.name for p in site.iterdir())
    run = interrupt(
        ["install", "fixmany"],
        cwd=project,
        env=env,
        signum=signal.SIGINT,
        ready=lambda: _installing(existing_venv),
        what="pip writing fixmany into site-packages",
    )
    assert run.code == 130, run.stderr
    assert sorted(p.name for p in site.iterdir()) == before


def _pipx_or_skip() -> Path:
    pipx = debian_pipx()
    if pipx is None:
        skip_or_fail("Debian's /usr/bin/pipx is not installed (apt install pipx)")
    return pipx


@pytest.mark.parametrize(
    "signum",
    [
        pytest.param(signal.SIGINT, id="SIGINT"),
        pytest.param(signal.SIGTERM, id="SIGTERM"),
    ],
)
def test_interrupt_during_pipx(
    outside: Path,
    proxied_env: dict[str, str],
    proxy: GatedProxy,
    tmp_path: Path,
    signum: int,
) -> None:
    pipx = _pipx_or_skip()
    env = pipx_env(proxied_env, tmp_path / "pipx")
    env["PATH"] = f"{pipx.parent}:{env['PATH']}"
    proxy.stall("/files/fixapp")
    run = interrupt(
        ["install", "--pipx", "fixapp"],
        cwd=outside,
        env=env,
        signum=signum,
        ready=lambda: proxy.wait_for_stall(0),
        what="pipx's pip downloading fixapp",
    )
    proxy.stall(None)
    assert_interrupt_clean(run, signum, folder=outside, env=env, venv_before=False)
    # pipx's own venv for the app is gone or whole: never half-made
    app_venv = Path(env["PIPX_HOME"]) / "venvs" / "fixapp"
    if app_venv.exists():
        assert venv_works(app_venv, env, "fixapp") == "", "pipx left a half-made venv"


# == 3. faults ====================================================================================

#: What the user must read for each index fault: its cause, and where to look for the fix.
INDEX_CAUSES = {
    "unreachable": r"refused|unreachable|could not (be )?reach|could not connect",
    "404": r"404|not found",
    "500": r"500|server error",
    "stall": r"timed? ?out",
}
FIX_WORDS = r"--index-url|PIP_INDEX_URL|index-url|proxy|network"


@pytest.mark.parametrize("fault", list(INDEX_CAUSES))
def test_index_fault_is_explained_and_leaves_nothing(
    project: Path, clean_env: dict[str, str], index: PackageIndex, fault: str
) -> None:
    env = dict(clean_env)
    if fault == "unreachable":
        env["PIP_INDEX_URL"] = f"http://127.0.0.1:{closed_port()}/simple/"
    else:
        index.set_fault(fault, seconds=20)  # type: ignore[arg-type]
    args = ["install", "--timeout", "2", "--retries", "0", "fixlib"]
    result = run_safepip(args, cwd=project, env=env, timeout=60)
    index.set_fault(None)
    assert_clean_error(result)
    assert not os.path.lexists(project / ".venv")
    assert leftovers(project) == []
    assert locks_held(env) == []
    url = env["PIP_INDEX_URL"]
    assert url.split("/simple")[0].split("//")[1] in result.stderr, "the index is not named"
    assert re.search(INDEX_CAUSES[fault], result.stderr, re.I), "the cause is not named"
    assert re.search(FIX_WORDS, result.stderr), "no fix is named"


def test_hanging_index_outside_a_project_obeys_timeout(
    outside: Path, proxied_env: dict[str, str], proxy: GatedProxy
) -> None:
    proxy.stall("/")
    started = time.monotonic()
    try:
        result = run_safepip(
            ["install", "--timeout", "2", "--retries", "0", "fixapp"],
            cwd=outside,
            env=proxied_env,
            timeout=12,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("safepip ran for more than 12 s with --timeout 2 and --retries 0")
    finally:
        proxy.stall(None)
    assert time.monotonic() - started < 12
    assert_clean_error(result)
    assert not os.path.lexists(outside / ".venv")


def _mount_or_skip(reason: str | None) -> None:
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"cannot mount: {reason} (CI=true: not skipping)", pytrace=False)
    pytest.skip(f"cannot mount (needs root or CAP_SYS_ADMIN): {reason}")


def test_disk_full_while_creating_the_venv(tmp_path: Path, clean_env: dict[str, str]) -> None:
    """3 MB: room for venv's skeleton, not for pip."""
    disk = tmp_path / "home" / "small"
    with tmpfs(disk, "3m") as problem:
        _mount_or_skip(problem)
        project = disk / "proj"
        project.mkdir()
        (project / "pyproject.toml").write_text("")
        result = run_safepip(["install", "fixlib"], cwd=project, env=clean_env)
        assert_clean_error(result)
        assert "No space left on device" in result.stderr
        assert "disk is not full" in result.stderr or "disk is full" in result.stderr
        assert not os.path.lexists(project / ".venv")
        assert leftovers(project) == []
        assert locks_held(clean_env) == []


def test_disk_full_while_installing(tmp_path: Path, clean_env: dict[str, str]) -> None:
    """25 MB: the venv fits, the 30 MB fixbig does not."""
    disk = tmp_path / "home" / "small"
    with tmpfs(disk, "25m") as problem:
        _mount_or_skip(problem)
        project = disk / "proj"
        project.mkdir()
        declare(project, "fixbig")
        result = run_safepip(["install", "fixbig"], cwd=project, env=clean_env)
        assert_clean_error(result)
        assert "No space left on device" in result.stderr + result.stdout
        assert not os.path.lexists(project / ".venv")
        assert leftovers(project) == []
        free = os.statvfs(disk)
        assert free.f_bavail * free.f_frsize > 20 * 1024 * 1024, "safepip left files behind"


def test_read_only_project(project: Path, clean_env: dict[str, str]) -> None:
    """Root ignores permission bits, so the folder is made read-only by a bind mount."""
    with readonly_bind(project) as problem:
        _mount_or_skip(problem)
        result = run_safepip(["install", "fixlib"], cwd=project, env=clean_env)
        assert_clean_error(result)
        assert "Read-only file system" in result.stderr
        assert "writable" in result.stderr
        assert "apt install" not in result.stderr
        assert sorted(os.listdir(project)) == ["pyproject.toml"]


def test_venv_whose_interpreter_vanished(
    project: Path, clean_env: dict[str, str], template_venv: Path, tmp_path: Path
) -> None:
    """The Python the .venv was made from was removed (an upgrade): explained, never deleted,
    and --recreate-venv moves it aside with everything in it."""
    old = tmp_path / "old-python" / "bin"
    old.mkdir(parents=True)
    (old / "python3").symlink_to("/usr/bin/python3")
    venv = project / ".venv"
    copy_venv(template_venv, venv)
    for name in ("python", "python3"):
        link = venv / "bin" / name
        if os.path.lexists(link):
            link.unlink()
        link.symlink_to(old / "python3")
    cfg = venv / "pyvenv.cfg"
    cfg.write_text(re.sub(r"(?m)^home = .*$", f"home = {old}", cfg.read_text()))
    (venv / "mine.txt").write_text("user data")
    (old / "python3").unlink()  # the interpreter vanishes
    before = sorted(str(p.relative_to(venv)) for p in venv.rglob("*"))
    result = run_safepip(["install", "fixhelper"], cwd=project, env=clean_env)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert "no longer exists" in result.stderr and "--recreate-venv" in result.stderr
    assert sorted(str(p.relative_to(venv)) for p in venv.rglob("*")) == before
    assert half_made(project) == []
    again = run_safepip(["install", "--recreate-venv", "fixhelper"], cwd=project, env=clean_env)
    assert again.returncode == 0, again.stderr
    moved = [p for p in project.iterdir() if p.name.startswith(".venv.old-")]
    assert len(moved) == 1 and (moved[0] / "mine.txt").read_text() == "user data"
    assert venv_works(venv, clean_env, "fixhelper") == ""


# == 4. privilege =================================================================================


@pytest.fixture(scope="session")
def other_user() -> pwd.struct_passwd:
    if os.geteuid() != 0:
        skip_or_fail("the privilege tests run as root (as under sudo)")
    return pwd.getpwnam("nobody")


def test_sudo_into_a_users_project_refuses(
    project: Path, clean_env: dict[str, str], other_user: pwd.struct_passwd
) -> None:
    os.chown(project.parent, other_user.pw_uid, other_user.pw_gid)
    for path in (project, project / "pyproject.toml"):
        os.chown(path, other_user.pw_uid, other_user.pw_gid)
    env = dict(
        clean_env,
        SUDO_USER=other_user.pw_name,
        SUDO_UID=str(other_user.pw_uid),
        SUDO_GID=str(other_user.pw_gid),
        SUDO_COMMAND=f"{sys.executable} -m safepip install fixlib",
        USER="root",
        LOGNAME="root",
    )
    result = run_safepip(["install", "fixlib"], cwd=project, env=env)
    assert files_not_owned_by(project, other_user.pw_uid) == [], "root-owned files in project"
    assert_clean_error(result)
    assert "sudo -u" in result.stderr or "without sudo" in result.stderr, result.stderr
    assert not os.path.lexists(project / ".venv")


def test_plain_root_installs_into_the_venv(project: Path, clean_env: dict[str, str]) -> None:
    """A Dockerfile's RUN: root, no sudo."""
    if os.geteuid() != 0:
        pytest.skip("needs root")
    env = {k: v for k, v in clean_env.items() if not k.startswith("SUDO_")}
    result = run_safepip(["install", "fixlib"], cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert venv_works(project / ".venv", env, "fixlib") == ""
    assert "sudo" not in result.stderr.lower()


# == 5. hostile input (the CLI part; argv fuzzing is in test_argv_hypothesis.py) ==================


def test_venv_symlinked_to_a_venv_outside_is_used(
    project: Path, clean_env: dict[str, str], template_venv: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "venvs" / "proj"
    elsewhere.parent.mkdir()
    copy_venv(template_venv, elsewhere)
    (project / ".venv").symlink_to(elsewhere)
    result = run_safepip(["install", "fixhelper"], cwd=project, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert (project / ".venv").is_symlink()
    assert venv_works(elsewhere, clean_env, "fixlib", "fixhelper") == ""
    assert half_made(project) == [] and half_made(elsewhere.parent) == []


def test_venv_symlinked_to_an_empty_folder_outside(
    project: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    """An empty folder counts as no venv. Right: the venv is made where the link points (the
    user put it there on purpose), or safepip refuses and says why; never a traceback, a
    misleading 'something else created it at the same time', or a lost link."""
    elsewhere = tmp_path / "venvs" / "proj"
    elsewhere.mkdir(parents=True)
    (project / ".venv").symlink_to(elsewhere)
    result = run_safepip(["install", "fixlib"], cwd=project, env=clean_env)
    assert "Traceback" not in result.stderr
    assert "at the same time" not in result.stderr, result.stderr
    assert (project / ".venv").is_symlink() and elsewhere.is_dir()
    assert half_made(project) == []
    if result.returncode == 0:
        assert venv_works(elsewhere, clean_env, "fixlib") == ""
    else:
        assert "symbolic link" in result.stderr or "symlink" in result.stderr, result.stderr


def test_venv_symlinked_to_a_non_venv_folder_is_left_alone(
    project: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    elsewhere = tmp_path / "data"
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_text("keep")
    (project / ".venv").symlink_to(elsewhere)
    result = run_safepip(["install", "fixlib"], cwd=project, env=clean_env)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert "not a virtual environment" in result.stderr
    assert sorted(os.listdir(elsewhere)) == ["precious.txt"]
    assert (elsewhere / "precious.txt").read_text() == "keep"


def _pip_runs(python: LoggingPython) -> list[tuple[str, ...]]:
    """argv given to pip (after ``-c LAUNCHER``) in every pip run through the wrapper."""
    return [
        call.argv[2:]
        for call in python.invocations()
        if call.argv[:1] == ("-c",) and "pip._internal.cli.main" in call.argv[1]
    ]


def test_requirement_that_looks_like_an_option(
    project: Path, clean_env: dict[str, str], logging_python: LoggingPython
) -> None:
    """``safepip install -- --foo``: after ``--`` it is a requirement, for pip too."""
    result = run_safepip(
        ["--python", str(logging_python.python), "install", "--", "--foo"],
        cwd=project,
        env=clean_env,
    )
    assert_clean_error(result)
    assert "no such option" not in result.stderr, result.stderr
    assert "Invalid requirement" in result.stderr, result.stderr
    runs = _pip_runs(logging_python)
    assert runs and all(run[-2:] == ("--", "--foo") for run in runs), runs
    assert not os.path.lexists(project / ".venv")
    assert leftovers(project) == []


def test_own_flag_as_an_options_value_is_left_to_pip(
    project: Path, clean_env: dict[str, str]
) -> None:
    (project / "--venv").write_text("fixlib==1.0\n")
    result = run_safepip(["install", "-r", "--venv"], cwd=project, env=clean_env)
    assert result.returncode == 0, result.stderr
    assert venv_works(project / ".venv", clean_env, "fixlib") == ""


# == 6. environment hygiene =======================================================================


def test_user_and_path_variables_do_not_divert_the_venv_install(
    project: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    pythonpath = tmp_path / "pythonpath"
    pythonpath.mkdir()
    userbase = tmp_path / "userbase"
    env = dict(
        clean_env,
        PIP_USER="1",
        PYTHONPATH=str(pythonpath),
        PYTHONUSERBASE=str(userbase),
        PIP_REQUIRE_VIRTUALENV="0",
    )
    result = run_safepip(["install", "fixlib"], cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert venv_works(project / ".venv", clean_env, "fixlib") == ""
    assert list(pythonpath.iterdir()) == []
    assert not userbase.exists()
    assert not list(Path(clean_env["HOME"]).glob(".local/lib/python*/site-packages/fixlib"))


def test_pythonhome_does_not_reach_the_venv(
    project: Path,
    clean_env: dict[str, str],
    capfd: pytest.CaptureFixture[str],
) -> None:
    """PYTHONHOME=/usr (right for /usr/bin/python3, fatal for a venv's python) cannot be set for
    safepip's own interpreter here, so safepip runs in-process with it in its Environment: every
    program safepip starts sees it, as under a real PYTHONHOME."""
    import io

    from safepip.__main__ import main
    from safepip.environment import Environment

    environ = dict(clean_env, PYTHONHOME="/usr", PYTHONPATH="/nonexistent")
    err = io.StringIO()
    code = main(
        ["install", "fixlib"],
        Environment(
            environ=environ, cwd=project, stdin=io.StringIO(), stdout=io.StringIO(), stderr=err
        ),
    )
    captured = capfd.readouterr()
    assert code == 0, err.getvalue() + captured.err
    assert venv_works(project / ".venv", clean_env, "fixlib") == ""


@pytest.mark.parametrize("variable", ["PIP_TARGET", "PIP_PREFIX"])
def test_pip_location_variables_pass_through(
    project: Path, clean_env: dict[str, str], tmp_path: Path, variable: str
) -> None:
    """PIP_TARGET/PIP_PREFIX are pip's --target/--prefix: pip installs there even on an
    externally-managed Python, so safepip stays invisible (README) and no .venv appears."""
    target = tmp_path / "location"
    result = run_safepip(
        ["install", "fixlib"], cwd=project, env=dict(clean_env, **{variable: str(target)})
    )
    assert result.returncode == 0, result.stderr
    assert list(target.rglob("fixlib/__init__.py")), sorted(map(str, target.rglob("*")))
    assert not os.path.lexists(project / ".venv")


def test_index_and_proxy_variables_are_kept(
    project: Path,
    outside: Path,
    clean_env: dict[str, str],
    index: PackageIndex,
    proxy: GatedProxy,
) -> None:
    env = dict(clean_env, http_proxy=proxy.base_url)
    index.reset_counters()
    result = run_safepip(["install", "fixlib"], cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert any(r.path.startswith("/simple/fixlib") for r in index.requests), "index not used"
    through = [s for s in proxy.seen if s.target.startswith(index.base_url)]
    assert any(s.path.startswith("/simple/fixlib") and "pip/" in s.user_agent for s in through)
    # safepip's own look at the index (route inspection) goes through the proxy too
    explained = run_safepip(["explain", "fixapp"], cwd=outside, env=env)
    assert explained.returncode == 0, explained.stderr
    assert any(s.user_agent.startswith("safepip/") for s in proxy.seen), proxy.seen


# == 7. never --break-system-packages ============================================================


def _abbreviates_break(arg: str) -> bool:
    option = arg.split("=", 1)[0]
    return len(option) > 3 and "--break-system-packages".startswith(option)


def test_no_run_ever_breaks_system_packages(
    tmp_path: Path, clean_env: dict[str, str], logging_python: LoggingPython
) -> None:
    """Every interpreter run of several redirects (new venv, reused venv, failed install, an
    app to pipx) goes through the logging wrapper: none has the flag or its variable."""
    python = str(logging_python.python)
    home = Path(clean_env["HOME"])
    one = home / "one"
    one.mkdir()
    (one / "pyproject.toml").write_text("")
    env = dict(clean_env)
    pipx = debian_pipx()
    if pipx is not None:
        env = pipx_env(clean_env, tmp_path / "pipx")
    runs = [
        (["--python", python, "install", "fixlib"], one, 0),
        (["--python", python, "install", "--user", "-U", "fixhelper"], one, 0),
        (["--python", python, "install", "fixbroken"], one, 1),
    ]
    if pipx is not None:
        away = home / "away"
        away.mkdir()
        runs.append((["--python", python, "install", "fixapp"], away, 0))
    elif in_ci():
        pytest.fail("Debian's pipx is missing (CI=true)")
    for args, cwd, code in runs:
        result = run_safepip(args, cwd=cwd, env=env, timeout=240)
        assert result.returncode == code, (args, result.stderr)
    calls = logging_python.invocations()
    assert any(c.argv[:2] == ("-m", "venv") for c in calls)
    assert _pip_runs(logging_python), "no pip run went through the wrapper"
    for call in calls:
        assert not any("--break-system-packages" in a for a in call.argv), call.argv
        assert not any(_abbreviates_break(a) for a in call.argv), call.argv
        assert call.break_system_packages_env is None, call
    if pipx is not None:
        assert (Path(env["PIPX_BIN_DIR"]) / "fixapp").exists()
        assert any("fixapp" in " ".join(c.argv) for c in calls), "pipx did not use the wrapper"


# == 8. pipx at once, read-only folders, a full disk in an existing .venv (issue 28) =============

PIPXES = {"debian": debian_pipx, "pypi": pypi_pipx}
SHARED_BROKEN = "pipx's shared libraries in"


def _with_pipx(which: str, env: Mapping[str, str], root: Path) -> dict[str, str]:
    pipx = PIPXES[which]()
    if pipx is None:
        skip_or_fail(f"no {which} pipx here (tests/run.sh provides both)")
    return with_pipx(pipx_env(env, root / "pipx"), pipx, root / "pipx-on-path")


def _start(args: list[str], cwd: Path, env: Mapping[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "safepip", *args],
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _all_at_once(runs: list[list[str]], cwd: Path, env: Mapping[str, str]) -> list[tuple[int, str]]:
    """Each of ``runs`` started at once; (exit status, stderr) of each."""
    procs = [_start(args, cwd, env) for args in runs]
    try:
        outputs = [p.communicate(timeout=300) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    return [(p.returncode, err) for p, (_, err) in zip(procs, outputs)]


@pytest.mark.parametrize("which", list(PIPXES))
def test_two_app_installs_at_once_on_a_pipx_that_never_ran(
    outside: Path, clean_env: dict[str, str], tmp_path: Path, which: str
) -> None:
    """Issue 28: both apps arrive while pipx makes its shared libraries for the first time;
    unserialised, Debian's pipx 1.1.0 left them broken for every later pipx install."""
    env = _with_pipx(which, clean_env, tmp_path)
    runs = _all_at_once([["install", "fixapp"], ["install", "fixgui"]], outside, env)
    report = "\n".join(f"--- exit {code}:\n{err}" for code, err in runs)
    assert [code for code, _ in runs] == [0, 0], report
    assert "Traceback" not in report
    assert any("waiting for another safepip run using pipx" in err for _, err in runs), report
    home = Path(env["PIPX_HOME"])
    assert venv_works(home / "shared", env) == ""
    for app in ("fixapp", "fixgui"):
        assert venv_works(home / "venvs" / app, env, app) == "", app
    assert (Path(env["PIPX_BIN_DIR"]) / "fixapp").exists()
    assert locks_held(env) == []
    again = run_safepip(["install", "fixdata"], cwd=outside, env=env, timeout=240)
    assert again.returncode == 0, again.stderr


def _break_shared(shared: Path, how: str, env: Mapping[str, str], cwd: Path) -> None:
    """pipx's shared libraries as two pipx runs at once leave them (Debian's pipx 1.1.0 thinks
    both fine: ``bin/python`` and ``bin/pip`` are files)."""
    if how == "no-python":  # cleared by one run while the other made it
        (shared / "bin").mkdir(parents=True)
        (shared / "bin" / "pip").write_text("#!/bin/sh\n")
        (shared / "pyvenv.cfg").write_text("home = /usr/bin\n")
        return
    # pip-broken: the shared libraries pipx made (with the index's pip), half gone
    made = run_safepip(["install", "--pipx", "fixdata"], cwd=cwd, env=env, timeout=240)
    assert made.returncode == 0, made.stderr
    site = next(shared.glob("lib/python3*/site-packages"))
    import shutil

    shutil.rmtree(site / "pip" / "_vendor" / "rich")  # "No module named 'pip._vendor.rich'"


@pytest.mark.parametrize(
    ("which", "how"),
    [("debian", "no-python"), ("debian", "pip-broken"), ("pypi", "no-python")],
)
def test_broken_pipx_shared_libraries_are_found_and_repaired(
    outside: Path, clean_env: dict[str, str], tmp_path: Path, which: str, how: str
) -> None:
    env = _with_pipx(which, clean_env, tmp_path)
    shared = Path(env["PIPX_HOME"]) / "shared"
    _break_shared(shared, how, env, outside)
    doctor = run_safepip(["doctor", "--json"], cwd=outside, env=env)
    data = json.loads(doctor.stdout)
    assert data["ok"] is False, doctor.stdout
    assert any(SHARED_BROKEN in p["message"] for p in data["problems"]), data["problems"]
    assert data["pipx"]["broken_shared"][0]["folder"] == str(shared)
    result = run_safepip(["install", "fixapp"], cwd=outside, env=env, timeout=240)
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if SHARED_BROKEN in line]
    assert len(said) == 1 and "removed them" in said[0], result.stderr
    assert venv_works(shared, env) == ""
    assert venv_works(Path(env["PIPX_HOME"]) / "venvs" / "fixapp", env, "fixapp") == ""
    after = json.loads(run_safepip(["doctor", "--json"], cwd=outside, env=env).stdout)
    assert not any(SHARED_BROKEN in p["message"] for p in after["problems"]), after["problems"]


def test_doctor_repair_removes_broken_pipx_shared_libraries(
    outside: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    env = _with_pipx("debian", clean_env, tmp_path)
    shared = Path(env["PIPX_HOME"]) / "shared"
    _break_shared(shared, "no-python", env, outside)
    repaired = run_safepip(["doctor", "--repair"], cwd=outside, env=env)
    assert f"{SHARED_BROKEN} {shared} were broken (it has no bin/python)" in repaired.stderr
    assert not os.path.lexists(shared)
    assert [p.name for p in shared.parent.iterdir() if "shared" in p.name] == [".shared.lock"]


@pytest.mark.parametrize("folder", ["HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"])
def test_read_only_home_or_cache_or_state(
    tmp_path: Path, clean_env: dict[str, str], folder: str
) -> None:
    """Issue 28: a read-only HOME was a traceback (the lock file in ~/.cache). Two installs at
    once into a writable project outside it: both work, one after the other (the lock falls
    back to the project's folder, and leaves no file there)."""
    project = tmp_path / "work" / "proj"
    project.mkdir(parents=True)
    declare(project, "fixlib", "fixhelper")
    readonly = Path(clean_env[folder])
    with readonly_bind(readonly) as problem:
        _mount_or_skip(problem)
        runs = _all_at_once([["install", "fixlib"], ["install", "fixhelper"]], project, clean_env)
        report = "\n".join(f"--- exit {code}:\n{err}" for code, err in runs)
        assert [code for code, _ in runs] == [0, 0], report
        assert "Traceback" not in report
        created = [err for _, err in runs if "a new virtual environment" in err]
        assert len(created) == 1, report
        assert sorted(os.listdir(project)) == [".venv", "pyproject.toml"]
        assert venv_works(project / ".venv", clean_env, "fixlib", "fixhelper") == ""
        # outside any project, the look at what an app puts on PATH needs no cache either
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        explained = run_safepip(["explain", "fixapp"], cwd=elsewhere, env=clean_env)
        assert explained.returncode == 0, explained.stderr
        assert "Traceback" not in explained.stderr
        assert "could not be learned" not in explained.stdout + explained.stderr
        assert "pipx" in explained.stdout
        if folder == "HOME":  # pipx's home is in it: said in one paragraph, not pipx's traceback
            app = run_safepip(["install", "--pipx", "fixapp"], cwd=elsewhere, env=clean_env)
            assert_clean_error(app)
            assert "pipx cannot install here" in app.stderr, app.stderr


def _shrink_to(disk: Path, room: int) -> None:
    """Remount the tmpfs at ``disk`` so that only ``room`` bytes are left free."""
    info = os.statvfs(disk)
    used = (info.f_blocks - info.f_bfree) * info.f_frsize
    done = subprocess.run(
        ["mount", "-o", f"remount,size={used + room}", str(disk)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_disk_full_while_installing_into_an_existing_venv(
    tmp_path: Path, clean_env: dict[str, str], template_venv: Path
) -> None:
    """Issue 28: pip fills the disk halfway through fixbig (30 MB) in an existing .venv; what it
    half-installed is removed and the summary names the full disk."""
    disk = tmp_path / "home" / "small"
    with tmpfs(disk, "200m") as problem:
        _mount_or_skip(problem)
        project = disk / "proj"
        project.mkdir()
        declare(project, "fixbig")
        venv = project / ".venv"
        copy_venv(template_venv, venv)
        site = next(venv.glob("lib/python3*/site-packages"))
        before = sorted(p.name for p in site.iterdir())
        _shrink_to(disk, 8 * 1024 * 1024)
        result = run_safepip(["install", "fixbig"], cwd=project, env=clean_env)
        assert_clean_error(result)
        assert f"No space left on device in {venv}" in result.stderr, result.stderr
        assert re.search(r"(?m)removed what it had half-installed: fixbig$", result.stderr)
        assert sorted(p.name for p in site.iterdir()) == before
        assert venv_works(venv, clean_env, "fixlib") == ""
        assert locks_held(clean_env) == []


def test_full_tmpdir_is_named(
    project: Path, existing_venv: Path, tmp_path: Path, clean_env: dict[str, str]
) -> None:
    """pip downloads into $TMPDIR: full, pip speaks of an interrupted connection; safepip names
    the full TMPDIR, and the .venv is as it was."""
    temp = tmp_path / "tmp"
    with tmpfs(temp, "4m") as problem:
        _mount_or_skip(problem)
        (temp / "filler").write_bytes(b"\0" * (4 * 1024 * 1024 - 64 * 1024))
        declare(project, "fixbig")
        site = next(existing_venv.glob("lib/python3*/site-packages"))
        before = sorted(p.name for p in site.iterdir())
        result = run_safepip(
            ["install", "fixbig"], cwd=project, env=dict(clean_env, TMPDIR=str(temp))
        )
        assert_clean_error(result)
        assert f"No space left on device in TMPDIR {temp}" in result.stderr, result.stderr
        assert sorted(p.name for p in site.iterdir()) == before
        assert venv_works(existing_venv, clean_env, "fixlib") == ""
