"""``safepip explain [--json] REQ... [pip install options]``: the decision for each requirement,
and why, without installing anything."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from safepip.cli.options import SafepipOptions
from safepip.decide.model import Planned
from safepip.decide.plan import plan
from safepip.environment import Environment
from safepip.pip import parser as _parser
from safepip.report import Reporter
from safepip.target.interpreter import find_target
from safepip.target.interpreter import probe as probe_interpreter
from safepip.target.pep668 import externally_managed, pep668_applies
from safepip.target.project import VenvTarget, venv_target


def explain(
    args: Sequence[str], options: SafepipOptions, env: Environment, reporter: Reporter
) -> int:
    as_json = "--json" in args
    pip_args = _parser.parse(["install", *(a for a in args if a != "--json")])
    target = find_target(pip_args.python, env)
    probe = probe_interpreter(target.path, env)
    managed = not target.is_venv and externally_managed(probe.stdlib) is not None
    redirected = pep668_applies(pip_args, target, probe, env) is not None
    where = venv_target(env.cwd, env.home)
    steps = plan(
        pip_args,
        options,
        env,
        reporter,
        probe,
        where,
        externally_managed=redirected,
        may_ask=False,
        learn_all=True,
    )
    if any(step.decision.route == "venv" for step in steps):
        from safepip.target.venv import inspect_or_refuse

        inspect_or_refuse(where.path)  # what install would refuse, explain refuses too
    report = _report(target.path, managed, where, steps)
    if as_json:
        env.stdout.write(json.dumps(report, indent=2) + "\n")
        return 0
    where_text = {"venv": f"the project's .venv ({where.path})", "pipx": "pipx", "pip": target.path}
    for step in steps:
        env.stdout.write(
            f"{step.item.text} -> {where_text[step.decision.route]}: "
            + "; ".join(step.decision.reasons)
            + "\n"
        )
    return 0


run = explain


def _report(
    interpreter: str, managed: bool, where: VenvTarget, steps: Sequence[Planned]
) -> dict[str, Any]:
    """``explain --json``: the interpreter, the project, its ``.venv`` and each decision."""
    root = where.project_root
    return {
        "interpreter": interpreter,
        "externally_managed": managed,
        "project": str(root) if root else None,
        "venv": str(where.path) if managed else None,
        "requirements": [
            {
                "requirement": step.item.text,
                "name": step.item.name,
                "route": step.decision.route,
                "commands": list(step.item.commands),
                "reasons": list(step.decision.reasons),
            }
            for step in steps
        ],
    }
