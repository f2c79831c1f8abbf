"""``safepip doctor [--json] [--repair]``: what safepip sees on this machine and in this project,
on one screen, for onboarding and bug reports.

``--repair`` first removes pipx's shared libraries where they are broken (pipx makes them
again), and, from the pipx apps' ``pipx_metadata.json``, the ``--find-links``
entries that earlier safepips left there (:mod:`safepip.doctor.pipx_links`), saying each; it is
the only way safepip ever changes pipx's metadata.

Facts are gathered into a :class:`~safepip.doctor.findings.Report` (whose field order is the
``--json`` layout) by :mod:`safepip.doctor.gather`, the blocking problems are derived from it by
:func:`safepip.doctor.assess.assess` alone, and it is printed as text
(:mod:`safepip.doctor.render`) or JSON. The exit status is :data:`EXIT_ENVIRONMENT` when
something blocks safepip's job.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

from safepip.cli.arguments import Arguments, Parsed
from safepip.cli.main import run_own
from safepip.decide.model import SafepipOptions
from safepip.doctor.gather import gather
from safepip.doctor.render import render, stdout_colour
from safepip.environment import Environment
from safepip.exceptions import EXIT_ENVIRONMENT
from safepip.report import Reporter

ARGUMENTS = Arguments(
    flags=("--json", "--repair", "--dry-run", "--keep-old"), values={"--python": "PATH"}
)


def repair_pipx_metadata(env: Environment, reporter: Reporter) -> None:
    """Remove earlier safepips' temporary ``--find-links`` from pipx's metadata, saying each."""
    from safepip.doctor.pipx_links import find_stale, repair

    found = find_stale(env.environ, env.home)
    if not found:
        reporter.info("repair: no pipx app keeps a safepip temporary folder; nothing changed")
    for stale in found:
        try:
            repair(stale)
        except (OSError, ValueError) as error:
            reporter.error(f"repair: could not rewrite {stale.metadata}: {error}")
            continue
        reporter.info(
            f"repair: removed --find-links {', '.join(stale.folders)} from the pip_args of "
            f"pipx app {stale.app} ({stale.metadata})"
        )


def repair_pipx_shared(env: Environment, reporter: Reporter) -> None:
    """pipx's shared libraries, removed where broken (pipx makes them again), as every safepip
    run that reaches pipx does first."""
    from safepip.backends.pipx_home import pipx_turn

    with pipx_turn(env, reporter):
        pass


def repair(parsed: Parsed, env: Environment, reporter: Reporter) -> None:
    """``--repair``: pipx's stale find-links, then the environments a Python upgrade broke,
    rebuilt (``--dry-run``: only said; ``--keep-old``: the old ones kept)."""
    from safepip.doctor.broken import find_broken
    from safepip.doctor.rebuild import repair_broken

    dry = parsed.flag("--dry-run")
    if not dry:
        repair_pipx_metadata(env, reporter)
    broken = find_broken(env)
    if not broken:
        reporter.info("repair: no environment broke when its Python changed")
        return
    repair_broken(
        broken,
        parsed.value("--python"),
        env,
        reporter,
        dry_run=dry,
        keep_old=parsed.flag("--keep-old"),
    )


def doctor(args: Sequence[str], env: Environment, reporter: Reporter) -> int:
    """``safepip doctor`` with the arguments typed after it."""
    return run_own("doctor", (), args, SafepipOptions(), env, reporter)


def run(parsed: Parsed, options: SafepipOptions, env: Environment, reporter: Reporter) -> int:
    """``safepip doctor [--json] [--repair [--dry-run] [--keep-old]] [--python PATH]``; exit
    status EXIT_ENVIRONMENT on a problem (an environment still broken included)."""
    if parsed.flag("--repair"):
        if not parsed.flag("--dry-run"):
            repair_pipx_shared(env, reporter)
        repair(parsed, env, reporter)
    report = gather(parsed.value("--python"), env, reporter)
    if parsed.flag("--json"):
        text = json.dumps(dataclasses.asdict(report), indent=2) + "\n"
    else:
        text = render(report, stdout_colour(env))
    try:
        env.stdout.write(text)
        env.stdout.flush()
    except BrokenPipeError:
        pass
    return 0 if report.ok else EXIT_ENVIRONMENT
