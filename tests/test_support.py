"""The test support itself: wheels, sdists, the index, real pip/venv/pipx against it, offline."""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import tarfile
import time
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support import (
    FIXBIG_PADDING,
    PackageIndex,
    build_sdist,
    build_wheel,
    debian_pipx,
    missing_seeds,
    pipx_env,
    pypi_pipx,
)
from support.machine import (
    PythonInfo,
    diff_snapshots,
    in_ci,
    make_clean_env,
    skip_or_fail,
    take_snapshot,
)
from support.pipx import pipx_pip_floor

# -- helpers ----------------------------------------------------------------------------------


def fetch(
    index: PackageIndex, path: str, *, method: str = "GET", headers: Mapping[str, str] = {}
) -> tuple[int, dict[str, str], bytes]:
    """One raw request (no redirect following): status, lower-cased headers, body."""
    parts = urlsplit(index.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.request(method, path, headers=dict(headers))
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
    finally:
        conn.close()


def run(
    cmd: list[str | Path], env: Mapping[str, str], *, check: bool = True, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(c) for c in cmd],
        env=dict(env),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, cmd))} exited {proc.returncode}\n"
            f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}",
            pytrace=False,
        )
    return proc


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


# -- wheels and sdists ------------------------------------------------------------------------


def test_wheel_is_well_formed(tmp_path: Path) -> None:
    path = build_wheel(
        tmp_path,
        "Fix.Thing",
        "1.2",
        console_scripts={"fixthing": "fix_thing.cli:main"},
        gui_scripts={"fixthing-gui": "fix_thing:gui"},
        data_scripts={"fixthing-sh": "#!/bin/sh\necho hi\n"},
        requires=["fixlib>=1"],
        extras={"extra": ["fixhelper; python_version >= '3'"]},
        requires_python=">=3.8",
    )
    assert path.name == "fix_thing-1.2-py3-none-any.whl"
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        record = zf.read("fix_thing-1.2.dist-info/RECORD").decode()
        rows = [line.split(",") for line in record.splitlines()]
        assert sorted(r[0] for r in rows) == sorted(names)
        for name, digest, size in rows:
            if name.endswith("RECORD"):
                assert digest == size == ""
                continue
            data = zf.read(name)
            assert (digest, int(size)) == (record_hash(data), len(data)), name
        metadata = zf.read("fix_thing-1.2.dist-info/METADATA").decode()
        assert metadata.startswith("Metadata-Version: 2.1\nName: Fix.Thing\nVersion: 1.2\n")
        assert "Requires-Python: >=3.8\n" in metadata
        assert "Requires-Dist: fixlib>=1\n" in metadata
        assert "Provides-Extra: extra\n" in metadata
        marker = "(python_version >= '3') and extra == \"extra\""
        assert f"Requires-Dist: fixhelper; {marker}" in metadata
        entry_points = zf.read("fix_thing-1.2.dist-info/entry_points.txt").decode()
        assert "[console_scripts]\nfixthing = fix_thing.cli:main\n" in entry_points
        assert "[gui_scripts]\nfixthing-gui = fix_thing:gui\n" in entry_points
        assert zf.read("fix_thing-1.2.dist-info/top_level.txt") == b"fix_thing\n"
        assert "def gui():" in zf.read("fix_thing/__init__.py").decode()
        assert "def main():" in zf.read("fix_thing/cli.py").decode()
        script = zf.getinfo("fix_thing-1.2.data/scripts/fixthing-sh")
        assert (script.external_attr >> 16) & 0o777 == 0o755
        wheel = zf.read("fix_thing-1.2.dist-info/WHEEL").decode()
        assert "Root-Is-Purelib: true\nTag: py3-none-any\n" in wheel


def test_padding_is_stored_and_builds_are_reproducible(tmp_path: Path) -> None:
    first = build_wheel(tmp_path / "a", "fixpad", padding_bytes=100_000)
    second = build_wheel(tmp_path / "b", "fixpad", padding_bytes=100_000)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as zf:
        info = zf.getinfo("fixpad/_padding.bin")
        assert info.compress_type == zipfile.ZIP_STORED
        assert info.file_size == 100_000
    assert first.stat().st_size > 100_000


def test_sdist_backend_builds_the_same_wheel(tmp_path: Path, managed_python: Path) -> None:
    kwargs: dict[str, object] = {
        "console_scripts": {"fixsame": "fixsame:main"},
        "data_scripts": {"fixsame-sh": b"#!/bin/sh\necho same\n"},
        "requires": ["fixlib"],
    }
    sdist = build_sdist(tmp_path, "fixsame", "3.1", **kwargs)  # type: ignore[arg-type]
    expected = build_wheel(tmp_path / "direct", "fixsame", "3.1", **kwargs)  # type: ignore[arg-type]
    with tarfile.open(sdist) as tf:
        assert sorted(tf.getnames()) == [
            "fixsame-3.1",
            "fixsame-3.1/PKG-INFO",
            "fixsame-3.1/_fixture_backend.py",
            "fixsame-3.1/_fixture_wheels.py",
            "fixsame-3.1/fixture.json",
            "fixsame-3.1/pyproject.toml",
        ]
        if hasattr(tarfile, "data_filter"):  # Python >= 3.12 (and late 3.11s): say it
            tf.extractall(tmp_path / "src", filter="data")
        else:
            tf.extractall(tmp_path / "src")
    src = tmp_path / "src" / "fixsame-3.1"
    out = tmp_path / "out"
    code = (
        "import sys; sys.path.insert(0, '.'); import _fixture_backend as b; "
        "assert b.get_requires_for_build_wheel() == []; "
        "print(b.prepare_metadata_for_build_wheel(sys.argv[2])); "
        "print(b.build_wheel(sys.argv[1]))"
    )
    proc = subprocess.run(
        [str(managed_python), "-I", "-c", code, str(out), str(tmp_path / "meta")],
        cwd=src,
        env={"PATH": os.defpath},
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.split() == ["fixsame-3.1.dist-info", expected.name]
    assert (out / expected.name).read_bytes() == expected.read_bytes()
    metadata = (tmp_path / "meta" / "fixsame-3.1.dist-info" / "METADATA").read_text()
    assert "Requires-Dist: fixlib" in metadata


# -- the index over HTTP ------------------------------------------------------------------------


@pytest.fixture
def tiny_index(tmp_path: Path) -> PackageIndex:
    wheel = build_wheel(tmp_path / "d", "Fix_Range", "1.0", requires_python=">=3.8,<4")
    sdist = build_sdist(tmp_path / "d", "fix-range", "0.5")
    idx = PackageIndex(tmp_path / "root")
    idx.add(wheel, sdist)
    return idx


def test_simple_pages(tiny_index: PackageIndex) -> None:
    with tiny_index as idx:
        status, headers, body = fetch(idx, "/simple/")
        assert status == 200 and headers["content-type"].startswith("text/html")
        assert b'<a href="fix-range/">fix-range</a>' in body

        status, _, body = fetch(idx, "/simple/fix-range/")
        assert status == 200
        page = body.decode()
        links = re.findall(r'<a href="([^"]+)"([^>]*)>([^<]+)</a>', page)
        assert [text for _, _, text in links] == [
            "fix_range-0.5.tar.gz",
            "fix_range-1.0-py3-none-any.whl",
        ]
        for href, attrs, filename in links:
            assert href == f"../../files/{filename}#sha256={idx.sha256(filename)}"
            data = (idx.root / filename).read_bytes()
            assert idx.sha256(filename) == hashlib.sha256(data).hexdigest()
            if filename.endswith(".whl"):
                assert attrs == ' data-requires-python="&gt;=3.8,&lt;4"'
            else:
                assert attrs == ""

        for path in ("/simple/Fix_Range/", "/simple/FIX.range", "/simple/fix-range"):
            status, headers, _ = fetch(idx, path)
            assert (status, headers["location"]) == (301, "/simple/fix-range/"), path
        assert fetch(idx, "/simple/nothing-here/")[0] == 404
        assert fetch(idx, "/files/nothing-1.0.tar.gz")[0] == 404
        assert fetch(idx, "/files/../index.py")[0] == 404


def test_range_requests(tiny_index: PackageIndex) -> None:
    with tiny_index as idx:
        name = "fix_range-1.0-py3-none-any.whl"
        data = (idx.root / name).read_bytes()
        size = len(data)
        path = f"/files/{name}"
        idx.reset_counters()

        status, headers, body = fetch(idx, path)
        assert (status, body, headers["accept-ranges"]) == (200, data, "bytes")
        assert headers["content-length"] == str(size)

        cases = {
            "bytes=0-9": (0, 9),
            "bytes=10-": (10, size - 1),
            "bytes=-22": (size - 22, size - 1),
            f"bytes=5-{size + 100}": (5, size - 1),
            f"bytes=-{size + 5}": (0, size - 1),
        }
        for header, (start, end) in cases.items():
            status, headers, body = fetch(idx, path, headers={"Range": header})
            assert status == 206, header
            assert body == data[start : end + 1], header
            assert headers["content-range"] == f"bytes {start}-{end}/{size}", header
            assert headers["content-length"] == str(end - start + 1)

        for header in (f"bytes={size}-", f"bytes={size + 10}-{size + 20}", "bytes=-0"):
            status, headers, body = fetch(idx, path, headers={"Range": header})
            assert (status, body) == (416, b""), header
            assert headers["content-range"] == f"bytes */{size}"

        status, headers, body = fetch(idx, path, method="HEAD")
        assert (status, body, headers["content-length"]) == (200, b"", str(size))
        assert headers["accept-ranges"] == "bytes"

        expected = size + sum(end - start + 1 for start, end in cases.values())
        assert idx.bytes_for(name) == expected
        assert idx.bytes_served == expected
        records = idx.requests
        assert [r.range for r in records[:3]] == [None, "bytes=0-9", "bytes=10-"]
        assert [r.status for r in records] == [200] + [206] * 5 + [416] * 3 + [200]
        assert records[-1].method == "HEAD" and records[-1].bytes == 0
        idx.reset_counters()
        assert (idx.bytes_served, idx.requests) == (0, [])


def test_range_requests_off(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path, "fixnorange")
    with PackageIndex(tmp_path / "root", range_requests=False) as idx:
        idx.add(wheel)
        status, headers, body = fetch(idx, f"/files/{wheel.name}", headers={"Range": "bytes=0-9"})
        assert (status, body) == (200, wheel.read_bytes())
        assert "accept-ranges" not in headers and "content-range" not in headers


def test_big_wheel_range_at_the_end(index: PackageIndex) -> None:
    name = "fixbig-1.0-py3-none-any.whl"
    size = (index.root / name).stat().st_size
    assert FIXBIG_PADDING < size < FIXBIG_PADDING + 100_000
    index.reset_counters()
    status, _, body = fetch(index, f"/files/{name}", headers={"Range": "bytes=-22"})
    assert status == 206 and body[:4] == b"PK\x05\x06"  # end of central directory
    assert index.bytes_for(name) == 22


def test_faults(tiny_index: PackageIndex) -> None:
    with tiny_index as idx:
        for kind in ("404", "500"):
            idx.set_fault(kind)
            assert fetch(idx, "/simple/")[0] == int(kind)
            assert fetch(idx, "/files/fix_range-0.5.tar.gz")[0] == int(kind)
        idx.set_fault("stall", seconds=0.3)
        started = time.monotonic()
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            fetch(idx, "/simple/")
        assert 0.25 < time.monotonic() - started < 5
        idx.set_fault("stall", seconds=30)
        parts = urlsplit(idx.url)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=0.3)
        started = time.monotonic()
        with pytest.raises(socket.timeout):
            conn.request("GET", "/simple/")
            conn.getresponse()
        conn.close()
        idx.set_fault(None)
        assert fetch(idx, "/simple/")[0] == 200
    # close() releases the 30 s stall at once: the stalled request gets logged (status 0)
    deadline = time.monotonic() + 3
    while len([r for r in idx.requests if r.status == 0]) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len([r for r in idx.requests if r.status == 0]) == 2
    assert time.monotonic() - started < 5


# -- real pip in real venvs -----------------------------------------------------------------------


def _requires_python_index(make_index: Callable[..., PackageIndex], tmp_path: Path) -> PackageIndex:
    # fixlib 3.0 claims to need Python 2: pip must honour data-requires-python and take 2.0
    fixlib3 = build_wheel(tmp_path / "extra", "fixlib", "3.0", requires_python="<3")
    return make_index(fixlib3)


def test_debian_pip_installs_wheels_and_sdists(
    managed_python: Path,
    make_index: Callable[..., PackageIndex],
    tmp_path: Path,
) -> None:
    env = make_clean_env(tmp_path / "home", None)
    idx = _requires_python_index(make_index, tmp_path)
    env["PIP_INDEX_URL"] = idx.url
    venv = tmp_path / "venv"
    run([managed_python, "-m", "venv", venv], env)
    pip_version = run([venv / "bin/python", "-m", "pip", "--version"], env).stdout
    # the distribution's own pip, from ensurepip (Debian 12: 23.0.1, Debian 13: 25.1.1)
    bundled = run([managed_python, "-c", "import ensurepip; print(ensurepip.version())"], env)
    assert pip_version.startswith(f"pip {bundled.stdout.strip()} "), pip_version

    run(
        [venv / "bin/python", "-m", "pip", "install", "fixmeta", "fixgui", "fixdata", "fixhelper"],
        env,
    )
    assert run([venv / "bin/fixapp"], env).stdout == "fixapp 1.0 (fixlib 2.0)\n"
    assert run([venv / "bin/fixapp", "--where"], env).stdout == f"{venv}\n"
    assert run([venv / "bin/fixgui"], env).stdout == "fixgui 1.0\n"
    assert run([venv / "bin/fixdata-bin"], env).stdout == "fixdata-bin 1.0\n"
    assert run([venv / "bin/fixhelper-cli"], env).stdout == "fixhelper-cli 1.0\n"
    assert (venv / "bin/fixapp").read_text().startswith(f"#!{venv}/bin/python")

    # the sdist builds offline with its in-tree backend, in pip's isolated build env
    idx.reset_counters()
    run([venv / "bin/python", "-m", "pip", "install", "fixsdist"], env)
    assert run([venv / "bin/fixsdist"], env).stdout == "fixsdist 1.0\n"
    assert [r.path for r in idx.requests] == ["/simple/fixsdist/", "/files/fixsdist-1.0.tar.gz"]

    broken = run([venv / "bin/python", "-m", "pip", "install", "fixbroken"], env, check=False)
    assert broken.returncode != 0
    assert "simulated build failure of fixture fixbroken" in broken.stdout + broken.stderr
    # pip names it: "Could not build wheels for fixbroken" (23), "Failed to build installable
    # wheels for some pyproject.toml based projects (fixbroken)" (Debian 13's 25.1, and 26)
    assert re.search(r"(Could not build wheels for |Failed to build .*)fixbroken", broken.stderr)

    listed = run([venv / "bin/python", "-m", "pip", "list", "--format=freeze"], env).stdout
    assert "fixlib==2.0" in listed and "fixbroken" not in listed


def test_current_pip_installs_wheels_and_sdists(
    managed_python: Path, index: PackageIndex, tmp_path: Path
) -> None:
    pip_wheels = sorted(
        (index.root / n for n in index.filenames() if n.startswith("pip-")),
        key=lambda p: tuple(int(x) for x in re.findall(r"\d+", p.name.split("-")[1])[:3]),
    )
    newest = pip_wheels[-1] if pip_wheels else None
    if newest is None or newest.name.startswith("pip-23.0"):
        skip_or_fail("no recent pip wheel: run python3 tests/support/fetch_seed_wheels.py")
    env = make_clean_env(tmp_path / "home", index.url)
    venv = tmp_path / "venv"
    run([managed_python, "-m", "venv", "--without-pip", venv], env)
    # like get-pip: run pip from its wheel to install itself from the index
    run([venv / "bin/python", f"{newest}/pip", "install", "--quiet", "pip"], env)
    version = run([venv / "bin/python", "-m", "pip", "--version"], env).stdout.split()[1]
    assert newest.name.startswith(f"pip-{version}-")
    run([venv / "bin/python", "-m", "pip", "install", "fixapp", "fixdata", "fixsdist"], env)
    assert run([venv / "bin/fixapp"], env).stdout == "fixapp 1.0 (fixlib 2.0)\n"
    assert run([venv / "bin/fixdata-bin"], env).stdout == "fixdata-bin 1.0\n"
    assert run([venv / "bin/fixsdist"], env).stdout == "fixsdist 1.0\n"


# -- pipx, both versions, offline -------------------------------------------------------------


PIPXES: dict[str, Callable[[], Path | None]] = {"debian": debian_pipx, "pypi": pypi_pipx}
SETUP_HINT = {
    "debian": "apt-get install pipx",
    "pypi": "python3 tests/support/fetch_seed_wheels.py",
}


@pytest.mark.parametrize("flavour", sorted(PIPXES))
def test_pipx_installs_fixapp_offline(
    flavour: str,
    managed_python_info: PythonInfo,
    make_index: Callable[..., PackageIndex],
    tmp_path: Path,
) -> None:
    exe = PIPXES[flavour]()
    if exe is None:
        skip_or_fail(f"{flavour} pipx is not installed: {SETUP_HINT[flavour]}")
    idx = make_index()
    missing = missing_seeds(exe, [idx.root / n for n in idx.filenames()])
    if missing:
        skip_or_fail(
            f"the index lacks {', '.join(missing)} for {flavour} pipx: "
            "run python3 tests/support/fetch_seed_wheels.py"
        )
    env = pipx_env(make_clean_env(tmp_path / "home", idx.url), tmp_path)
    proc = run([exe, "install", "fixapp"], env)
    output = proc.stdout + proc.stderr
    assert "installed package fixapp 1.0" in output
    assert "Failed to upgrade shared libraries" not in output  # Debian's pipx only logs this
    assert run([tmp_path / "pipx-bin" / "fixapp"], env).stdout == "fixapp 1.0 (fixlib 2.0)\n"

    fetched = {r.path.rsplit("/", 1)[-1].split("-")[0] for r in idx.requests if "/files/" in r.path}
    if pipx_pip_floor(exe) is None:  # old pipx: the shared venv gets pip, setuptools, wheel
        assert {"pip", "setuptools", "wheel", "fixapp", "fixlib"} <= fetched
    else:  # recent pipx: only a recent pip
        assert fetched == {"pip", "fixapp", "fixlib"}
    assert all(r.status == 200 for r in idx.requests)


# -- the environment and the system snapshot ------------------------------------------------------


def test_clean_env(clean_env: dict[str, str], index: PackageIndex, tmp_path: Path) -> None:
    assert clean_env["PIP_CONFIG_FILE"] == os.devnull
    assert clean_env["PIP_INDEX_URL"] == index.url
    assert {k for k in clean_env if k.startswith("PIP_")} == {
        "PIP_CONFIG_FILE",
        "PIP_INDEX_URL",
        "PIP_DISABLE_PIP_VERSION_CHECK",
    }
    banned = ("PYTHON", "VIRTUAL_ENV", "CONDA_", "UV_", "SAFEPIP_")
    assert not [k for k in clean_env if k.startswith(banned) or k in ("NO_COLOR", "FORCE_COLOR")]
    for key in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        assert Path(clean_env[key]).is_relative_to(tmp_path)
        assert Path(clean_env[key]).is_dir()
    for entry in clean_env["PATH"].split(os.pathsep):
        assert ".pyenv" not in entry and not (Path(entry).parent / "pyvenv.cfg").exists(), entry
    # what pip makes of it: the test index only, none of this machine's config files
    if shutil.which("python3", path=clean_env["PATH"]):
        proc = run(["python3", "-m", "pip", "config", "list"], clean_env, check=False)
        assert proc.stdout.splitlines() == [
            ":env:.config-file='/dev/null'",
            ":env:.disable-pip-version-check='1'",
            f":env:.index-url='{index.url}'",
        ]


def test_snapshot_sees_changes(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "pkg" / "__pycache__").mkdir(parents=True)
    (site / "pkg" / "mod.py").write_text("x = 1\n")
    before = take_snapshot([site])
    (site / "pkg" / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"bytecode")
    assert diff_snapshots(before, take_snapshot([site])) == []
    (site / "pkg" / "mod.py").write_text("x = 22\n")
    (site / "new.pth").write_text("/somewhere\n")
    assert diff_snapshots(before, take_snapshot([site])) == [
        f"added    {site / 'new.pth'}",
        f"changed  {site / 'pkg' / 'mod.py'}",
    ]


def test_ci_never_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert in_ci()
    with pytest.raises(pytest.fail.Exception):
        skip_or_fail("something is missing")
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        skip_or_fail("something is missing")
