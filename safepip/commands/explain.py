"""``safepip explain [--json] REQ... [pip install options]``: the decision for each requirement,
and why, without installing anything."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from safepip.backends.base import Backend
from safepip.backends.pipx import app_names
from safepip.backends.uv_tool import UvTool
from safepip.cli.arguments import Arguments, Parsed
from safepip.decide.model import Planned, SafepipOptions
from safepip.decide.plan import plan
from safepip.environment import Environment
from safepip.inspect.distro_packages import Lookup
from safepip.pip import parser as _parser
from safepip.pip.argv import PipArgs
from safepip.report import Reporter
from safepip.target.interpreter import find_target
from safepip.target.interpreter import probe as probe_interpreter
from safepip.target.pep668 import externally_managed, pep668_applies
from safepip.target.project import VenvTarget, venv_target

ARGUMENTS = Arguments(flags=("--json",), values={"--python": "PATH"}, pip_install=True)


def run(parsed: Parsed, options: SafepipOptions, env: Environment, reporter: Reporter) -> int:
    """``safepip explain [--json] [--python PATH] REQ... [pip install options]``: what
    ``safepip --python PATH install REQ...`` would do with each requirement, and why."""
    as_json = parsed.flag("--json")
    pip_args = parsed.pip_args or _parser.parse(["install"])
    target = find_target(pip_args.python, env)
    reporter.detail(f"target interpreter: {target.path} (chosen as {target.chosen_by})")
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
        apps=app_names,
    )
    if any(step.decision.route == "venv" for step in steps):
        from safepip.target.venv import read_or_refuse

        read_or_refuse(where.path)  # what install would refuse, explain refuses too
    from safepip.operations.redirect import refuse_clashes

    refuse_clashes(steps, options, env)
    backends = _backends(pip_args, env, reporter, where, steps)
    homes = {s.item.text: _home(s, backends, where, env, target.path) for s in steps}
    labels = {text: backend.label for text, backend in backends.items()}
    packaged = distro_packages(steps, env) if managed else None
    if as_json:
        from safepip.target.user_place import libraries_home

        in_project = where.project is not None
        libraries = libraries_home(where.path, in_project, env.cwd, env.home, env.data_dir)
        report = _report(target.path, managed, where, libraries, steps, homes, labels, packaged)
        env.stdout.write(json.dumps(report, indent=2) + "\n")
        return 0
    if redirected and steps:
        reporter.info(
            f"{target.path} is externally managed (PEP 668): pip would refuse to install into "
            "it, so safepip sends each requirement where it belongs"
        )
    _say(steps, homes, labels, where, target.path, env)
    if packaged is not None:
        _say_packaged(steps, packaged, env, reporter)
    return 0


def distro_packages(steps: Sequence[Planned], env: Environment) -> Lookup | None:
    """What the distribution packages of the named requirements (None: nothing named)."""
    from safepip.inspect.distro_packages import Wanted, look_up

    wanted = [Wanted(s.item.text, s.item.imports) for s in steps if s.item.kind == "name"]
    if not wanted:
        return None
    try:
        return look_up(wanted, env.environ, env.cache_dir)
    except OSError as error:  # advice only: never the reason explain fails
        return Lookup(None, "", {}, f"the distribution's packages could not be read ({error})")


def _say_packaged(
    steps: Sequence[Planned], packaged: Lookup, env: Environment, reporter: Reporter
) -> None:
    """Beside a library's route, the distribution's own package of it, where there is one."""
    for step in steps:
        found = packaged.found.get(step.item.text)
        if found is not None and step.decision.route in ("venv", "user", "distro"):
            env.stdout.write(f"  {step.item.text}: {found.line()}\n")
    if packaged.note and packaged.manager is not None:
        reporter.info(f"the distribution's packages are unknown here: {packaged.note}")


def _backends(
    pip_args: PipArgs,
    env: Environment,
    reporter: Reporter,
    where: VenvTarget,
    steps: Sequence[Planned],
) -> dict[str, Backend]:
    """The backend install would hand each step to (uv's under the uv setting): explain says
    what install will really do."""
    from safepip.backends.base import Context
    from safepip.backends.homes import homes
    from safepip.backends.uv import accelerator

    chains = homes(Context(pip_args, env, reporter, where, accelerator(env, reporter.warning)))
    found: dict[str, Backend] = {}
    for step in steps:
        taker = (b for b in chains.get(step.decision.route, []) if b.claim([step])[0])
        backend = next(taker, None)
        if backend is not None:
            found[step.item.text] = backend
    return found


def _say(
    steps: Sequence[Planned],
    homes: dict[str, str],
    labels: dict[str, str],
    where: VenvTarget,
    python: str,
    env: Environment,
) -> None:
    """One line a requirement: where it goes (with which tool, for an application), and why."""
    where_text = {
        "venv": f"the project's .venv ({where.path})",
        "pip": python,
        "distro": "the distribution's package manager",
    }
    for step in steps:
        tool = labels.get(step.item.text, "pipx")
        if step.decision.route == "pipx":
            shown = tool + (" (safepip's uv setting)" if tool == "uv tool" else "")
        else:
            shown = where_text.get(step.decision.route, "")
        shown = shown or f"your user environment ({homes[step.item.text]})"
        env.stdout.write(f"{step.item.text} -> {shown}: " + "; ".join(step.decision.reasons) + "\n")


def _home(
    step: Planned, backends: dict[str, Backend], where: VenvTarget, env: Environment, python: str
) -> str:
    """The environment ``step`` goes to: uv's tool folder for an app of the uv setting."""
    backend = backends.get(step.item.text)
    folder = backend.app_folder(step.item) if isinstance(backend, UvTool) else None
    return str(folder) if folder is not None else environment(step, where, env, python)


def environment(step: Planned, where: VenvTarget, env: Environment, interpreter: str) -> str:
    """The path of the environment a requirement goes to."""
    route = step.decision.route
    if route == "venv":
        return str(where.path)
    if route == "user":
        from safepip.target.user_place import user_env_path

        return str(user_env_path(env.data_dir))
    if route in ("pip", "distro"):
        return interpreter  # the distribution's package is the system Python's
    from safepip.backends.pipx_home import app_venv

    return str(app_venv(step.item.inject_into or step.item.name or step.item.text, env))


def _requirement(step: Planned, home: str, label: str | None) -> dict[str, Any]:
    item, route = step.item, step.decision.route
    found: dict[str, Any] = {
        "requirement": item.text,
        "name": item.name,
        "route": "venv" if route == "user" else route,
        "backend": label,
        "commands": list(item.commands),
        "reasons": list(step.decision.reasons),
        "environment": home,
    }
    if item.role is not None:
        found["kind"] = item.role
    if item.inject_into and route == "pipx":
        found["inject_into"] = item.inject_into
    if item.commands_via and route == "pipx":
        found["commands_from"] = item.commands_via
    return found


def _report(
    interpreter: str,
    managed: bool,
    where: VenvTarget,
    libraries: Path,
    steps: Sequence[Planned],
    homes: dict[str, str],
    labels: dict[str, str],
    packaged: Lookup | None,
) -> dict[str, Any]:
    """``explain --json``: the interpreter, the project, the venv its libraries go to (the
    user environment where no project starts) and each decision, with the distribution's own
    package of each (``distro``, null where it has none), and ``distro_note`` where that could
    not be learned."""
    root = where.project_root
    found = packaged.found if packaged else {}
    requirements = []
    for step in steps:
        entry = _requirement(step, homes[step.item.text], labels.get(step.item.text))
        distro = found.get(step.item.text)
        entry["distro"] = distro.as_json() if distro else None
        requirements.append(entry)
    return {
        "interpreter": interpreter,
        "externally_managed": managed,
        "project": str(root) if root else None,
        "venv": str(libraries) if managed else None,
        "requirements": requirements,
        "distro_note": packaged.note if packaged else None,
    }
