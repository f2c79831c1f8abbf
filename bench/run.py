"""Benchmark safepip against doing the same thing by hand, offline against a local index.

    .venv/bin/python bench/run.py [--quick] [--runs N] [--no-write]

The network is used once, to fill ``bench/.cache/wheels`` (requests, black, numpy and their
dependencies); after that everything is served by ``tests/support``'s ``PackageIndex`` on
127.0.0.1 (with Range support and byte counting), together with the pip/setuptools/wheel seed
wheels and a generated ~50 MB ``bigapp`` wheel.  Each pair (safepip vs manual) is measured in the
same run, alternating which side goes first, in a fresh temporary project each time.

A full run (not ``--quick``) writes the table into ``bench/RESULTS.md`` (the prose under
"Causes" there is kept).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT / "tests"))

from support import PackageIndex, build_wheel, seed_wheels  # noqa: E402
from support.environ import hermetic_env  # noqa: E402

CACHE = BENCH_DIR / ".cache"
WHEELS = CACHE / "wheels"
GENERATED = CACHE / "generated"
RESULTS = BENCH_DIR / "RESULTS.md"
MANAGED = "/usr/bin/python3"
PIPX = "/usr/bin/pipx"
DEV_PYTHON = ROOT / ".venv" / "bin" / "python"
#: safepip as a user has it: installed by install.py (not editable) and run as the ``safepip``
#: console script, so that its fast path and start-up are what a user gets. Set in main().
SAFEPIP: list[str] = []
#: uv for scenario 7: the one the development venv has (``pip install -e '.[test]'``).
UV = ROOT / ".venv" / "bin" / "uv"
MB = 1024 * 1024
BIGAPP_PADDING = 50 * MB


# -- set-up -----------------------------------------------------------------------------------


def fill_cache() -> list[Path]:
    """Real wheels (downloaded once) plus the generated bigapp wheel."""
    WHEELS.mkdir(parents=True, exist_ok=True)
    have = {p.name.split("-")[0].lower() for p in WHEELS.glob("*.whl")}
    if not {"requests", "black", "numpy"} <= have:
        print("filling bench/.cache/wheels from PyPI (once) ...", flush=True)
        env = dict(os.environ, PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
        subprocess.run(
            [str(DEV_PYTHON), "-m", "pip", "download", "--only-binary=:all:",
             "--python-version", "3.11", "--platform", "manylinux2014_x86_64",
             "-d", str(WHEELS), "requests", "black", "numpy"],
            check=True, env=env, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    GENERATED.mkdir(parents=True, exist_ok=True)
    big = list(GENERATED.glob("bigapp-*.whl"))
    if not big:
        print("building the ~50 MB bigapp wheel ...", flush=True)
        big = [
            build_wheel(
                GENERATED,
                "bigapp",
                "1.0",
                console_scripts={"bigapp": "bigapp:main"},
                padding_bytes=BIGAPP_PADDING,
            )
        ]
    return sorted(WHEELS.glob("*.whl")) + big


def install_safepip(tmp: Path, index_url: str) -> list[str]:
    """Run the README's set-up command (``python3 install.py``) against the local index."""
    home = tmp / "self"
    env = dict(clean_env(home, index_url), XDG_DATA_HOME=str(home / "data"))
    subprocess.run([MANAGED, str(ROOT / "install.py")], env=env, check=True,
                   stdin=subprocess.DEVNULL, capture_output=True)  # fmt: skip
    return [str(home / "data" / "safepip" / "venv" / "bin" / "safepip")]


def clean_env(home: Path, index_url: str) -> dict[str, str]:
    """As the tests': hermetic pip, HOME/XDG under ``home``, /usr/bin first on PATH."""
    return hermetic_env(home, index_url, path_first=("/usr/bin",))


# -- measuring --------------------------------------------------------------------------------


@dataclass
class Outcome:
    seconds: float
    bytes: int
    ok: bool
    text: str


def run(cmd: list[str], env: dict[str, str], cwd: Path, index: PackageIndex) -> Outcome:
    index.reset_counters()
    start = time.perf_counter()
    done = subprocess.run(
        cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    served = index.bytes_served
    return Outcome(seconds, served, done.returncode == 0, (done.stdout + done.stderr).strip())


def tail(text: str, lines: int = 6) -> str:
    return "\n".join(text.splitlines()[-lines:])


@dataclass
class Row:
    scenario: str
    unit: str  # "s" or "MB"
    target: str
    safepip: list[float] = field(default_factory=list)
    manual: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    check: str = "ratio"  # ratio | delta | absolute
    limit: float = 0.0
    skipped: str = ""

    def med(self, values: list[float]) -> float | None:
        return statistics.median(values) if values else None

    def cells(self) -> list[str]:
        s, m = self.med(self.safepip), self.med(self.manual)

        def fmt(v: float | None) -> str:
            if v is None:
                return "-"
            return f"{v:.2f} s" if self.unit == "s" else f"{v / MB:.2f} MB"

        ratio = f"{s / m:.2f}x" if s is not None and m else "-"
        if self.skipped:
            met = f"skipped: {self.skipped}"
        elif s is None:
            met = "FAILED"
        elif self.check == "ratio":
            met = "yes" if m and s / m <= self.limit else "NO"
        elif self.check == "delta":
            met = "yes" if m is not None and s - m < self.limit else "NO"
            if m is not None:
                ratio += f" (+{s - m:.2f} s)"
        else:
            met = "yes" if s < self.limit else "NO"
        if self.failures:
            met += f" ({len(self.failures)} failed run(s))"
        return [self.scenario, fmt(s), fmt(m), ratio, self.target, met]


def record(row: Row, side: str, outcome: Outcome, *, measure_bytes: Row | None = None) -> None:
    if not outcome.ok:
        row.failures.append(f"{side}: {tail(outcome.text)}")
        if measure_bytes is not None and measure_bytes is not row:
            measure_bytes.failures.append(f"{side}: failed run, bytes not counted")
        return
    getattr(row, side).append(outcome.seconds)
    if measure_bytes is not None:
        getattr(measure_bytes, side).append(float(outcome.bytes))


# -- scenarios --------------------------------------------------------------------------------


def make_venv(path: Path, env: dict[str, str]) -> None:
    subprocess.run([MANAGED, "-m", "venv", str(path)], env=env, check=True,
                   stdin=subprocess.DEVNULL, capture_output=True)  # fmt: skip


def pip_install(venv: Path, env: dict[str, str], *reqs: str) -> None:
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *reqs], env=env, check=True,
                   stdin=subprocess.DEVNULL, capture_output=True)  # fmt: skip


def passthrough(tmp: Path, index: PackageIndex, runs: int, row: Row) -> None:
    """1. Active venv: safepip forwards to the venv's pip."""
    base = clean_env(tmp / "home", index.url)
    venv = tmp / "active-venv"
    make_venv(venv, base)
    pip_install(venv, base, "requests")
    env = dict(base, VIRTUAL_ENV=str(venv), PATH=f"{venv / 'bin'}:{base['PATH']}")
    for i in range(runs):
        project = Path(tempfile.mkdtemp(dir=tmp, prefix="pass-"))
        sides = [
            ("safepip", [*SAFEPIP, "install", "requests"]),
            ("manual", [str(venv / "bin" / "pip"), "install", "requests"]),
        ]
        for side, cmd in sides if i % 2 == 0 else sides[::-1]:
            record(row, side, run(cmd, env, project, index))


def redirect(
    tmp: Path, index: PackageIndex, runs: int, cold: Row, cold_bytes: Row, warm: Row
) -> None:
    """2 and 3. A project without .venv (cold), then with its .venv holding requests (warm)."""
    for i in range(runs):
        home = Path(tempfile.mkdtemp(dir=tmp, prefix="home-"))
        env = dict(clean_env(home, index.url), PIP_NO_CACHE_DIR="1")
        projects = {}
        sides = ["safepip", "manual"] if i % 2 == 0 else ["manual", "safepip"]
        for side in sides:
            project = Path(tempfile.mkdtemp(dir=tmp, prefix=f"cold-{side}-"))
            (project / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0"\n')
            projects[side] = project
            if side == "safepip":
                cmd = [*SAFEPIP, "install", "requests"]
            else:
                cmd = [
                    "/bin/sh",
                    "-c",
                    f"{MANAGED} -m venv .venv && .venv/bin/pip install requests",
                ]
            record(cold, side, run(cmd, env, project, index), measure_bytes=cold_bytes)
        # warm: the same already-populated .venv for both sides (the manual one, made by
        # Python's own venv + ensurepip; fall back to safepip's if that failed)
        ready = [
            p for p in (projects["manual"], projects["safepip"]) if (p / ".venv/bin/pip").exists()
        ]
        if not ready:
            warm.failures.append("no .venv from the cold runs")
            continue
        project = ready[0]
        for side in sides:
            cmd = [*SAFEPIP, "install", "requests"] if side == "safepip" else [
                ".venv/bin/pip", "install", "requests"]  # fmt: skip
            record(warm, side, run(cmd, env, project, index))


def app_route(tmp: Path, index: PackageIndex, runs: int, row: Row, row_bytes: Row) -> None:
    """4. An application outside any project: safepip -> pipx vs pipx itself."""
    if not os.access(PIPX, os.X_OK):
        row.skipped = row_bytes.skipped = f"{PIPX} not found"
        return
    for i in range(runs):
        sides = ["safepip", "manual"] if i % 2 == 0 else ["manual", "safepip"]
        for side in sides:
            home = Path(tempfile.mkdtemp(dir=tmp, prefix=f"apphome-{side}-"))
            env = clean_env(home, index.url)
            env.update(
                PIPX_HOME=str(home / "pipx-home"),
                PIPX_BIN_DIR=str(home / "pipx-bin"),
                PIPX_MAN_DIR=str(home / "pipx-man"),
            )
            cwd = home / "somewhere"
            cwd.mkdir()
            cmd = (
                [*SAFEPIP, "install", "black"] if side == "safepip" else [PIPX, "install", "black"]
            )
            record(row, side, run(cmd, env, cwd, index), measure_bytes=row_bytes)
    if not row.safepip and not row.manual:
        row.skipped = row_bytes.skipped = "both sides failed"


def decide_only(
    tmp: Path, index: PackageIndex, runs: int, name: str, row: Row, row_bytes: Row
) -> None:
    """6. ``safepip explain NAME`` outside a project vs a bare interpreter start."""
    for i in range(runs):
        home = Path(tempfile.mkdtemp(dir=tmp, prefix="dhome-"))
        env = clean_env(home, index.url)
        cwd = home / "somewhere"
        cwd.mkdir()
        sides = ["safepip", "manual"] if i % 2 == 0 else ["manual", "safepip"]
        for side in sides:
            cmd = [*SAFEPIP, "explain", name] if side == "safepip" else [
                MANAGED, "-c", "pass"]  # fmt: skip
            outcome = run(cmd, env, cwd, index)
            record(row, side, outcome, measure_bytes=row_bytes if side == "safepip" else None)
            if side == "safepip" and outcome.ok and (cwd / ".venv").exists():
                row.failures.append("safepip: explain created a .venv")
        row_bytes.manual.append(0.0)
    if row.safepip:
        last = run([*SAFEPIP, "explain", name], env, cwd, index)
        print(f"    safepip explain {name} said: {tail(last.text, 3)!r}")


def uv_routes(tmp: Path, index: PackageIndex, runs: int, cold: Row, app: Row) -> None:
    """7. With uv opted in (``SAFEPIP_UV=1``): the cold redirect against ``uv venv && uv pip
    install``, and the app route against ``uv tool install``. Fresh HOME (so fresh uv cache)
    for every run of either side."""
    if not UV.exists():
        cold.skipped = app.skipped = f"no uv at {UV} (pip install -e '.[test]')"
        return
    uv_dir = tmp / "uv-on-path"
    if not uv_dir.exists():
        uv_dir.mkdir()
        (uv_dir / "uv").symlink_to(UV)
    for i in range(runs):
        sides = ["safepip", "manual"] if i % 2 == 0 else ["manual", "safepip"]
        for side in sides:
            home = Path(tempfile.mkdtemp(dir=tmp, prefix=f"uvhome-{side}-"))
            env = clean_env(home, index.url)
            env.update(
                PATH=f"{uv_dir}:{env['PATH']}",
                SAFEPIP_UV="1",
                UV_INDEX_URL=index.url,
                UV_PYTHON_DOWNLOADS="never",
                UV_NO_CONFIG="1",
            )
            project = home / "proj"
            project.mkdir()
            (project / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0"\n')
            if side == "safepip":
                cmd = [*SAFEPIP, "install", "requests"]
            else:
                cmd = ["/bin/sh", "-c", f"uv venv -q --python {MANAGED} .venv && "
                       "uv pip install -q requests"]  # fmt: skip
            outcome = run(cmd, env, project, index)
            if outcome.ok and not (project / ".venv" / "bin" / "python").exists():
                outcome = Outcome(outcome.seconds, outcome.bytes, False, "no .venv made")
            record(cold, side, outcome)
            elsewhere = home / "somewhere"
            elsewhere.mkdir()
            cmd = [*SAFEPIP, "install", "black"] if side == "safepip" else [
                str(UV), "tool", "install", "-q", "black"]  # fmt: skip
            record(app, side, run(cmd, env, elsewhere, index))
            if side == "safepip" and i == 0:
                print(f"    safepip said: {tail(run(cmd, env, elsewhere, index).text, 2)!r}")


# -- report -----------------------------------------------------------------------------------


def version_of(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def machine() -> list[str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return [
        f"machine: {platform.machine()}, nproc {os.cpu_count()}, CPU {cpu}, {platform.platform()}",
        f"python: {MANAGED} {version_of([MANAGED, '--version'])}; safepip runs on "
        f"{SAFEPIP[0]} ({version_of([SAFEPIP[0], '--version'])}, installed by install.py)",
        f"pip: {version_of([MANAGED, '-m', 'pip', '--version']).split(' from')[0]} (Debian's)"
        f"; pipx {version_of([PIPX, '--version'])}; {version_of([str(UV), '--version'])}",
    ]


HEADER = ["scenario", "safepip median", "manual median", "ratio", "target", "met?"]


def table(rows: list[Row]) -> list[str]:
    out = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    out += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return out


def plain_table(rows: list[Row]) -> list[str]:
    cells = [HEADER, *(r.cells() for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADER))]
    return ["  ".join(c[i].ljust(widths[i]) for i in range(len(HEADER))) for c in cells]


def write_results(lines: list[str], rows: list[Row], runs: int, elapsed: float) -> None:
    keep = ""
    if RESULTS.exists():
        text = RESULTS.read_text(encoding="utf-8")
        marker = "\n## Causes"
        if marker in text:
            keep = text[text.index(marker) :]
    failures = [f"- {r.scenario}: {f}" for r in rows for f in r.failures[:2]]
    body = [
        "# safepip benchmark",
        "",
        f"`.venv/bin/python bench/run.py --runs {runs}` ({time.strftime('%Y-%m-%d %H:%M')}, "
        f"{elapsed:.0f} s). Medians of {runs} runs; local index on 127.0.0.1 (real wheels from "
        "`bench/.cache`), so times are install/CPU-bound, not network-bound.",
        "",
        *[f"- {line}" for line in lines],
        "",
        *table(rows),
        "",
    ]
    if failures:
        body += ["Failures:", "", "```", *[f.replace("```", "'''") for f in failures], "```", ""]
    RESULTS.write_text("\n".join(body) + (keep or "\n## Causes\n\n(none written yet)\n"),
                       encoding="utf-8")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1-2 runs, skip the slow scenarios")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 5)
    began = time.perf_counter()
    dists = fill_cache()
    rows = {
        "pass": Row("1. pass-through (active venv, requests present)", "s", "<= 1.05x", limit=1.05),
        "cold": Row("2. cold redirect (vs venv + pip install requests)", "s", "<= 0.5x",
                    limit=0.5),
        "warm": Row("3. warm redirect (.venv has requests)", "s", "<= 1.05x", limit=1.05),
        "app": Row("4. app route: black (vs pipx install black)", "s", "<= 1.1x", limit=1.1),
        "cold_b": Row("5. bytes served: cold redirect", "MB", "<= 1.05x", limit=1.05),
        "app_b": Row("5. bytes served: app route", "MB", "<= 1.05x", limit=1.05),
        "big": Row("6. decide only: explain bigapp (vs python3 -c pass)", "s", "< +0.3 s",
                   check="delta", limit=0.3),
        "big_b": Row("6. decide only: bigapp bytes", "MB", "< 1 MB", check="absolute", limit=MB),
        "np": Row("6. decide only: explain numpy (vs python3 -c pass)", "s", "< +0.3 s",
                  check="delta", limit=0.3),
        "np_b": Row("6. decide only: numpy bytes", "MB", "< 1 MB", check="absolute", limit=MB),
        "uv_cold": Row("7. uv: cold redirect (vs uv venv + uv pip install)", "s", "<= 1.5x",
                       limit=1.5),
        "uv_app": Row("7. uv: app route black (vs uv tool install)", "s", "<= 1.5x", limit=1.5),
    }  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="safepip-bench-") as tmp_s:
        tmp = Path(tmp_s)
        with PackageIndex(tmp / "index", range_requests=True) as index:
            index.add(*seed_wheels(), *dists)
            SAFEPIP[:] = install_safepip(tmp, index.url)
            lines = machine()
            for line in lines:
                print(line)
            steps: list[tuple[str, Callable[[], None]]] = [
                ("1 pass-through", lambda: passthrough(tmp, index, runs, rows["pass"])),
                ("2/3 cold/warm redirect", lambda: redirect(
                    tmp, index, runs, rows["cold"], rows["cold_b"], rows["warm"])),
                ("6 decide bigapp", lambda: decide_only(
                    tmp, index, max(runs, 3), "bigapp", rows["big"], rows["big_b"])),
                ("6 decide numpy", lambda: decide_only(
                    tmp, index, max(runs, 3), "numpy", rows["np"], rows["np_b"])),
                ("7 uv", lambda: uv_routes(
                    tmp, index, max(1, min(runs, 3)), rows["uv_cold"], rows["uv_app"])),
            ]  # fmt: skip
            if args.quick:
                rows["app"].skipped = rows["app_b"].skipped = "--quick"
            else:
                steps.append(("4 app route", lambda: app_route(
                    tmp, index, max(1, min(runs, 3)), rows["app"], rows["app_b"])))  # fmt: skip
            for name, step in steps:
                t0 = time.perf_counter()
                print(f"  {name} ...", flush=True)
                try:
                    step()
                except Exception as error:
                    for row in rows.values():
                        if row.scenario[:1] in name.split()[0] and not row.safepip:
                            row.failures.append(f"set-up failed: {error!r}")
                    print(f"    set-up failed: {error!r}")
                print(f"    {time.perf_counter() - t0:.1f} s", flush=True)
    ordered = list(rows.values())
    print()
    print("\n".join(plain_table(ordered)))
    for row in ordered:
        for failure in row.failures[:2]:
            print(f"\n[{row.scenario}] {failure}")
    elapsed = time.perf_counter() - began
    print(f"\ntotal {elapsed:.1f} s")
    if not args.quick and not args.no_write:
        write_results(lines, ordered, runs, elapsed)
        print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
