"""Reporting for bench/run.py: the machine, its load, and bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from pathlib import Path

from measure import Row, table
from prepare import MANAGED, PIPX, RESULTS, ROOT, UV, describe_command


def version_of(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def uptime() -> str:
    """``uptime``'s line (the load averages over 1, 5 and 15 minutes), at this moment."""
    line = version_of(["uptime"])
    if line == "?":
        one, five, fifteen = os.getloadavg()
        line = f"load average: {one:.2f}, {five:.2f}, {fifteen:.2f}"
    return " ".join(line.split())


def load1() -> float:
    return os.getloadavg()[0]


def commit() -> str:
    sources = ["safepip", "scripts", "install.py", "pyproject.toml"]
    out = version_of(["git", "-C", str(ROOT), "log", "-1", "--format=%h (%cs)", "--", *sources])
    dirty = version_of(["git", "-C", str(ROOT), "status", "--porcelain", "--", *sources])
    return out + (" + uncommitted changes" if dirty not in ("", "?") else "")


def machine(safepip: list[str], version: str) -> list[str]:
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
        f"python: {MANAGED} {version_of([MANAGED, '--version'])}",
        f"safepip: {version} from commit {commit()}; installed by "
        f"install.py and run as the `safepip` command: {describe_command(safepip[0])}",
        f"pip: {version_of([MANAGED, '-m', 'pip', '--version']).split(' from')[0]} (Debian's)"
        f"; pipx {version_of([PIPX, '--version'])}; {version_of([str(UV), '--version'])}",
    ]


def write_results(
    lines: list[str], rows: list[Row], runs: int, elapsed: float, load: list[str]
) -> None:
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
        f"{elapsed:.0f} s). Min, median and max of {runs} runs per side (the two sides "
        "alternate which goes first); ratios and targets are on the medians. Local index on "
        "127.0.0.1 (real wheels from `bench/.cache`), so times are install/CPU-bound, not "
        "network-bound.",
        "",
        *[f"- {line}" for line in lines],
        *[f"- {line}" for line in load],
        "",
        *table(rows),
        "",
    ]
    if failures:
        body += ["Failures:", "", "```", *[f.replace("```", "'''") for f in failures], "```", ""]
    RESULTS.write_text("\n".join(body) + (keep or "\n## Causes\n\n(none written yet)\n"),
                       encoding="utf-8")  # fmt: skip
