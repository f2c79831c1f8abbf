"""Measuring for bench/run.py: one timed command, the rows of figures and their table."""

from __future__ import annotations

import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from prepare import MB
from support import PackageIndex

Side = Literal["safepip", "manual"]


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


def order(i: int) -> list[Side]:
    """Which side goes first in run ``i``: safepip in even runs, the manual way in odd ones."""
    return ["safepip", "manual"] if i % 2 == 0 else ["manual", "safepip"]


@dataclass
class Row:
    scenario: str
    unit: str  # "s" or "MB"
    target: str
    safepip: list[float] = field(default_factory=list)
    manual: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    check: str = "ratio"  # ratio | delta | absolute | info (shown, not judged)
    limit: float = 0.0
    skipped: str = ""

    def values(self, side: Side) -> list[float]:
        return self.safepip if side == "safepip" else self.manual

    def fmt(self, v: float | None) -> str:
        if v is None:
            return "-"
        return f"{v:.2f} s" if self.unit == "s" else f"{v / MB:.2f} MB"

    def spread(self, side: Side) -> list[str]:
        """min, median and max of one side, formatted."""
        values = self.values(side)
        if not values:
            return ["-", "-", "-"]
        return [self.fmt(min(values)), self.fmt(statistics.median(values)), self.fmt(max(values))]

    def verdict(self) -> tuple[str, str]:
        """(ratio of the medians, met?)"""
        s = statistics.median(self.safepip) if self.safepip else None
        m = statistics.median(self.manual) if self.manual else None
        ratio = f"{s / m:.2f}x" if s is not None and m else "-"
        if self.skipped:
            met = f"skipped: {self.skipped}"
        elif s is None:
            met = "FAILED"
        elif self.check == "info":
            met = "(no target)"
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
        return ratio, met

    def cells(self) -> list[str]:
        ratio, met = self.verdict()
        return [self.scenario, *self.spread("safepip"), *self.spread("manual"), ratio,
                self.target, met]  # fmt: skip


HEADER = [
    "scenario", "safepip min", "safepip median", "safepip max", "manual min", "manual median",
    "manual max", "ratio of medians", "target", "met?",
]  # fmt: skip


def record(row: Row, side: Side, outcome: Outcome, *, measure_bytes: Row | None = None) -> None:
    if not outcome.ok:
        row.failures.append(f"{side}: {tail(outcome.text)}")
        if measure_bytes is not None and measure_bytes is not row:
            measure_bytes.failures.append(f"{side}: failed run, bytes not counted")
        return
    row.values(side).append(outcome.seconds)
    if measure_bytes is not None:
        measure_bytes.values(side).append(float(outcome.bytes))


def table(rows: list[Row]) -> list[str]:
    out = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    out += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return out


def plain_table(rows: list[Row]) -> list[str]:
    cells = [HEADER, *(r.cells() for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADER))]
    return ["  ".join(c[i].ljust(widths[i]) for i in range(len(HEADER))) for c in cells]
