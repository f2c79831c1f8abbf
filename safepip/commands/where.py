"""``safepip where [--json] [NAME...]``: the homes of the packages safepip knows of (the
project's ``.venv``, the user environment, pipx, and uv's tools under the uv setting)."""

from __future__ import annotations

import json

from safepip.backends.base import Context
from safepip.cli.arguments import Arguments, Parsed
from safepip.decide.model import SafepipOptions
from safepip.environment import Environment
from safepip.names import requirement_name
from safepip.pip.parser import parse
from safepip.report import Reporter

ARGUMENTS = Arguments(flags=("--json",), most=None)


def run(parsed: Parsed, options: SafepipOptions, env: Environment, reporter: Reporter) -> int:
    """``safepip where [--json] [NAME...]``: each package's homes; exit status 1 where a name
    asked for has none."""
    from safepip.backends.homes import app_homes
    from safepip.backends.uv import accelerator
    from safepip.operations.manage import project_venv, user_env
    from safepip.target.project import venv_target

    as_json = parsed.flag("--json")
    wanted = [n for n in (requirement_name(a) for a in parsed.positionals) if n]
    pip_args = parse(["list"])
    homes: dict[str, list[str]] = {}
    for venv in (project_venv(pip_args, env, reporter), user_env(pip_args, env, reporter)):
        if venv is not None:
            for name in venv.installed():
                homes.setdefault(name, []).append(str(venv.ctx.where.path))
    uv = accelerator(env, reporter.warning)
    ctx = Context(pip_args, env, reporter, venv_target(env.cwd, env.home), uv)
    for backend in app_homes(ctx):
        for name in backend.installed():
            homes.setdefault(name, []).append(backend.label)
    if uv is None:  # uv's tools are still there, where uv keeps them by default
        for name in _uv_tools_without_uv(env):
            homes.setdefault(name, []).append("uv tool")
    shown = {n: homes.get(n, []) for n in wanted} if wanted else dict(sorted(homes.items()))
    if as_json:
        env.stdout.write(json.dumps(shown, indent=2) + "\n")
    else:
        for name, places in shown.items():
            env.stdout.write(f"{name}: {', '.join(places) if places else 'not installed'}\n")
    return 0 if all(shown.values()) else 1


def _uv_tools_without_uv(env: Environment) -> frozenset[str]:
    r"""Under the uv setting with no uv on PATH: the tools (and their ``--with``\ s) in uv's
    default tool folder, read without uv."""
    from safepip.backends.uv import default_tool_dir, tools_in
    from safepip.backends.uv_tool import withs
    from safepip.decide.settings import use_uv

    if not use_uv(env.environ, env.config_dir):
        return frozenset()
    folder = default_tool_dir(env.environ, env.home)
    return tools_in(folder) | frozenset(withs(folder))
