"""The scenarios of bench/run.py: each pair (safepip vs by hand) alternates which goes first."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from measure import Outcome, Row, order, record, run, tail
from prepare import (
    EXPLAIN_40,
    MANAGED,
    PIPX,
    REQUIREMENTS_30,
    UV,
    clean_env,
    installed_names,
    make_venv,
    normalize,
    pip_install,
    requirements_30,
)
from support import PackageIndex

PYPROJECT = '[project]\nname = "demo"\nversion = "0"\n'


@dataclass
class Bench:
    tmp: Path
    index: PackageIndex
    runs: int
    safepip: list[str]  # the installed ``safepip`` command

    def env(self, home: Path) -> dict[str, str]:
        return clean_env(home, self.index.url, self.safepip)

    def fresh(self, prefix: str) -> Path:
        return Path(tempfile.mkdtemp(dir=self.tmp, prefix=prefix))

    def run(self, cmd: list[str], env: dict[str, str], cwd: Path) -> Outcome:
        return run(cmd, env, cwd, self.index)

    def outside(self, prefix: str) -> tuple[dict[str, str], Path]:
        """A fresh HOME and a folder in it outside any project (nothing cached yet)."""
        home = self.fresh(prefix)
        cwd = home / "somewhere"
        cwd.mkdir()
        return self.env(home), cwd


def passthrough(b: Bench, row: Row) -> None:
    """1. Active venv: safepip (the command install.py links) forwards to the venv's pip."""
    base = b.env(b.tmp / "home")
    venv = b.tmp / "active-venv"
    make_venv(venv, base)
    pip_install(venv, base, "requests")
    env = dict(base, VIRTUAL_ENV=str(venv), PATH=f"{venv / 'bin'}:{base['PATH']}")
    for i in range(b.runs):
        project = b.fresh("pass-")
        for side in order(i):
            cmd = [*b.safepip] if side == "safepip" else [str(venv / "bin" / "pip")]
            record(row, side, b.run([*cmd, "install", "requests"], env, project))


def redirect(b: Bench, cold: Row, cold_bytes: Row, warm: Row, first: Row) -> None:
    """2 and 3. A project without .venv (cold), then with its .venv holding requests (warm):
    safepip's first run in that .venv (``first``: the full path, which remembers the facts),
    then the runs after it (``warm``: the warm path, as for anyone who used safepip there)."""
    for i in range(b.runs):
        env = dict(b.env(b.fresh("home-")), PIP_NO_CACHE_DIR="1")
        projects = {}
        for side in order(i):
            project = b.fresh(f"cold-{side}-")
            (project / "pyproject.toml").write_text(PYPROJECT)
            projects[side] = project
            if side == "safepip":
                cmd = [*b.safepip, "install", "requests"]
            else:
                cmd = [
                    "/bin/sh",
                    "-c",
                    f"{MANAGED} -m venv .venv && .venv/bin/pip install requests",
                ]
            record(cold, side, b.run(cmd, env, project), measure_bytes=cold_bytes)
        # warm: the same already-populated .venv for both sides (the manual one, made by
        # Python's own venv + ensurepip; fall back to safepip's if that failed)
        ready = [
            p for p in (projects["manual"], projects["safepip"]) if (p / ".venv/bin/pip").exists()
        ]
        if not ready:
            warm.failures.append("no .venv from the cold runs")
            continue
        for row in (first, warm):
            for side in order(i):
                cmd = [*b.safepip] if side == "safepip" else [".venv/bin/pip"]
                record(row, side, b.run([*cmd, "install", "requests"], env, ready[0]))


def requirements(b: Bench, row: Row, row_bytes: Row) -> None:
    """8. ``safepip install -r requirements.txt`` (30 distributions) in a project without .venv
    vs ``python3 -m venv .venv && .venv/bin/pip install -r requirements.txt``; fresh HOME, no
    pip cache. Each side must leave all 30 in the new .venv."""
    text = requirements_30()
    wanted = {normalize(n) for n in REQUIREMENTS_30}
    for i in range(b.runs):
        env = dict(b.env(b.fresh("rhome-")), PIP_NO_CACHE_DIR="1")
        for side in order(i):
            project = b.fresh(f"reqs-{side}-")
            (project / "requirements.txt").write_text(text)
            if side == "safepip":
                cmd = [*b.safepip, "install", "-r", "requirements.txt"]
            else:
                cmd = ["/bin/sh", "-c", f"{MANAGED} -m venv .venv && "
                       ".venv/bin/pip install -r requirements.txt"]  # fmt: skip
            outcome = b.run(cmd, env, project)
            missing = wanted - installed_names(project / ".venv")
            if outcome.ok and missing:
                outcome.ok, outcome.text = False, f"not in .venv: {sorted(missing)}"
            record(row, side, outcome, measure_bytes=row_bytes)


def app_route(b: Bench, row: Row, row_bytes: Row) -> None:
    """4. An application outside any project: safepip -> pipx vs pipx itself."""
    if not os.access(PIPX, os.X_OK):
        row.skipped = row_bytes.skipped = f"{PIPX} not found"
        return
    for i in range(b.runs):
        for side in order(i):
            home = b.fresh(f"apphome-{side}-")
            env = b.env(home)
            env.update(
                PIPX_HOME=str(home / "pipx-home"),
                PIPX_BIN_DIR=str(home / "pipx-bin"),
                PIPX_MAN_DIR=str(home / "pipx-man"),
            )
            cwd = home / "somewhere"
            cwd.mkdir()
            cmd = [*b.safepip] if side == "safepip" else [PIPX]
            record(row, side, b.run([*cmd, "install", "black"], env, cwd), measure_bytes=row_bytes)
    if not row.safepip and not row.manual:
        row.skipped = row_bytes.skipped = "both sides failed"


def decide_only(b: Bench, name: str, row: Row, row_bytes: Row) -> None:
    """6. ``safepip explain NAME`` outside a project vs a bare interpreter start."""
    env: dict[str, str] = {}
    cwd = b.tmp
    for i in range(b.runs):
        env, cwd = b.outside("dhome-")
        for side in order(i):
            cmd = [*b.safepip, "explain", name] if side == "safepip" else [MANAGED, "-c", "pass"]
            outcome = b.run(cmd, env, cwd)
            record(row, side, outcome, measure_bytes=row_bytes if side == "safepip" else None)
            if side == "safepip" and outcome.ok and (cwd / ".venv").exists():
                row.failures.append("safepip: explain created a .venv")
        row_bytes.manual.append(0.0)
    if row.safepip:
        last = b.run([*b.safepip, "explain", name], env, cwd)
        print(f"    safepip explain {name} said: {tail(last.text, 3)!r}")


def decide_many(b: Bench, row: Row) -> None:
    """9. ``safepip explain`` of 40 named requirements at once outside a project (each looked
    up, side by side) vs a bare interpreter start: the time it takes to decide them all."""
    for i in range(b.runs):
        env, cwd = b.outside("mhome-")
        for side in order(i):
            many = [*b.safepip, "explain", *EXPLAIN_40]
            cmd = many if side == "safepip" else [MANAGED, "-c", "pass"]
            outcome = b.run(cmd, env, cwd)
            record(row, side, outcome)
            lines = [line for line in outcome.text.splitlines() if " -> " in line]
            if side == "safepip" and outcome.ok and len(lines) != len(EXPLAIN_40):
                row.failures.append(f"safepip: {len(lines)} decisions, not {len(EXPLAIN_40)}")


def uv_routes(b: Bench, cold: Row, app: Row) -> None:
    """7. With uv opted in (``SAFEPIP_UV=1``): the cold redirect against ``uv venv && uv pip
    install``, and the app route against ``uv tool install``. Fresh HOME (so fresh uv cache)
    for every run of either side."""
    if not UV.exists():
        cold.skipped = app.skipped = f"no uv at {UV} (pip install -e '.[test]')"
        return
    uv_dir = b.tmp / "uv-on-path"
    if not uv_dir.exists():
        uv_dir.mkdir()
        (uv_dir / "uv").symlink_to(UV)
    for i in range(b.runs):
        for side in order(i):
            home = b.fresh(f"uvhome-{side}-")
            env = b.env(home)
            env.update(
                PATH=f"{uv_dir}:{env['PATH']}",
                SAFEPIP_UV="1",
                UV_INDEX_URL=b.index.url,
                UV_PYTHON_DOWNLOADS="never",
                UV_NO_CONFIG="1",
            )
            project = home / "proj"
            project.mkdir()
            (project / "pyproject.toml").write_text(PYPROJECT)
            if side == "safepip":
                cmd = [*b.safepip, "install", "requests"]
            else:
                cmd = ["/bin/sh", "-c", f"uv venv -q --python {MANAGED} .venv && "
                       "uv pip install -q requests"]  # fmt: skip
            outcome = b.run(cmd, env, project)
            if outcome.ok and not (project / ".venv" / "bin" / "python").exists():
                outcome = Outcome(outcome.seconds, outcome.bytes, False, "no .venv made")
            record(cold, side, outcome)
            elsewhere = home / "somewhere"
            elsewhere.mkdir()
            cmd = [*b.safepip, "install", "black"] if side == "safepip" else [
                str(UV), "tool", "install", "-q", "black"]  # fmt: skip
            record(app, side, b.run(cmd, env, elsewhere))
            if side == "safepip" and i == 0:
                print(f"    safepip said: {tail(b.run(cmd, env, elsewhere).text, 2)!r}")
