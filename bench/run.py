"""Benchmark safepip against doing the same thing by hand, offline against a local index.

    .venv/bin/python bench/run.py [--quick] [--runs N] [--only 1,8] [--no-write]

The network is used once, to fill ``bench/.cache/wheels`` (requests, black, numpy and the 30
distributions of scenario 8, with their dependencies); after that everything is served by
``tests/support``'s ``PackageIndex`` on 127.0.0.1 (with Range support and byte counting),
together with the pip/setuptools/wheel seed wheels and a generated ~50 MB ``bigapp`` wheel.
safepip is installed by ``install.py`` and run as the ``safepip`` command it links. Each pair
(safepip vs manual) is measured ``--runs`` times (default 5) in the same run, alternating which
side goes first, in a fresh temporary project each time; each figure is reported as min, median
and max, and judged on the ratio of the medians.

A full run (at least 5 runs, not ``--quick`` or ``--only``) writes the table into
``bench/RESULTS.md`` (the prose under "Causes" there is kept). Modules: ``prepare`` (cache,
install, environments), ``measure`` (timing, rows, tables), ``scenarios``, ``report``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent / "tests"))

import scenarios as sc  # noqa: E402
from measure import Row, plain_table  # noqa: E402
from prepare import MB, RESULTS, ROOT, fill_cache, install_safepip  # noqa: E402
from report import load1, machine, uptime, write_results  # noqa: E402
from support import PackageIndex, seed_wheels  # noqa: E402

MIN_RUNS_TO_WRITE = 5


def make_rows() -> dict[str, Row]:
    return {
        "pass": Row("1. pass-through (active venv, requests present)", "s", "<= 1.02x",
                    limit=1.02),
        "cold": Row("2. cold redirect (vs venv + pip install requests)", "s", "<= 0.5x",
                    limit=0.5),
        "warm": Row("3. warm redirect (.venv has requests, safepip ran there before)", "s",
                    "<= 1.05x", limit=1.05),
        "first": Row("3. its first safepip run (a .venv made by hand: the full path)", "s", "-",
                     check="info"),
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
        "reqs": Row("8. -r requirements.txt, 30 packages (vs venv + pip install -r)", "s",
                    "<= 0.6x", limit=0.6),
        "reqs_b": Row("8. bytes served: -r requirements.txt", "MB", "<= 1.01x", limit=1.01),
        "many": Row("9. decide only: explain 40 named requirements", "s", "<= 2 s",
                    check="absolute", limit=2.0),
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 run, skip the slow scenarios")
    parser.add_argument("--runs", type=int, default=None, help="runs per side (default 5)")
    parser.add_argument("--only", default="", help="scenario numbers to run, e.g. 1,8")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 5)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    began = time.perf_counter()
    load = [f"load at start: `{uptime()}`"]
    print(load[0], flush=True)
    dists = fill_cache()
    rows = make_rows()
    highest = load1()
    with tempfile.TemporaryDirectory(prefix="safepip-bench-") as tmp_s:
        tmp = Path(tmp_s)
        with PackageIndex(tmp / "index", range_requests=True) as index:
            index.add(*seed_wheels(), *dists)
            command, version = install_safepip(tmp, index.url)
            b = sc.Bench(tmp, index, runs, command)
            lines = machine(command, version)
            for line in lines:
                print(line)
            steps: list[tuple[str, list[str], Callable[[], None]]] = [
                ("1 pass-through", ["pass"], lambda: sc.passthrough(b, rows["pass"])),
                ("2/3/5 cold/warm redirect", ["cold", "cold_b", "warm", "first"],
                 lambda: sc.redirect(b, rows["cold"], rows["cold_b"], rows["warm"],
                                     rows["first"])),
                ("6 decide bigapp", ["big", "big_b"], lambda: sc.decide_only(
                    b, "bigapp", rows["big"], rows["big_b"])),
                ("6 decide numpy", ["np", "np_b"], lambda: sc.decide_only(
                    b, "numpy", rows["np"], rows["np_b"])),
                ("7 uv", ["uv_cold", "uv_app"], lambda: sc.uv_routes(
                    b, rows["uv_cold"], rows["uv_app"])),
                ("4/5 app route", ["app", "app_b"], lambda: sc.app_route(
                    b, rows["app"], rows["app_b"])),
                ("8 requirements.txt", ["reqs", "reqs_b"], lambda: sc.requirements(
                    b, rows["reqs"], rows["reqs_b"])),
                ("9 decide 40", ["many"], lambda: sc.decide_many(b, rows["many"])),
            ]  # fmt: skip
            for name, keys, step in steps:
                numbers = set(name.split()[0].split("/"))
                why = ""
                if only and not numbers & only:
                    why = "not in --only"
                elif args.quick and name[0] in "48":
                    why = "--quick"
                if why:
                    for key in keys:
                        rows[key].skipped = why
                    continue
                t0 = time.perf_counter()
                print(f"  {name} ... (load {load1():.2f})", flush=True)
                try:
                    step()
                except Exception as error:
                    for key in keys:
                        if not rows[key].safepip:
                            rows[key].failures.append(f"set-up failed: {error!r}")
                    print(f"    set-up failed: {error!r}")
                highest = max(highest, load1())
                print(f"    {time.perf_counter() - t0:.1f} s", flush=True)
    ordered = list(rows.values())
    print()
    print("\n".join(plain_table(ordered)))
    for row in ordered:
        for failure in row.failures[:2]:
            print(f"\n[{row.scenario}] {failure}")
    elapsed = time.perf_counter() - began
    load += [f"load at end: `{uptime()}`; highest 1-minute load seen between scenarios: "
             f"{highest:.2f}"]  # fmt: skip
    print(f"\n{load[-1]}\ntotal {elapsed:.1f} s")
    if args.quick or args.no_write or only:
        return 0
    if runs < MIN_RUNS_TO_WRITE:
        print(f"not writing {RESULTS.relative_to(ROOT)}: fewer than {MIN_RUNS_TO_WRITE} runs")
        return 0
    write_results(lines, ordered, runs, elapsed, load)
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
