"""uv, the opt-in accelerator: finding it, and pip's options in uv's words (for the ``.venv``
backend ``venv_uv`` and the application backend ``uv_tool``). An opt-in, never a requirement.

With ``SAFEPIP_UV=1`` (or ``use-uv = true`` in the user's config file) and a ``uv`` on PATH,
safepip installs into the project's ``.venv`` with ``uv pip install --python .venv/bin/python``
and installs new applications with ``uv tool install``. Everything else stays as it is: the
``.venv`` is still created by safepip (so that ``.venv/bin/pip`` works), the decision is the
same, and an application pipx already manages stays with pipx.

uv does not read pip's configuration, so the index options pip would have used (its config
files and environment included) are given to uv explicitly. A pip option uv has no equivalent
for makes safepip use pip for that install (said with ``-v``): the accelerator must never change
what gets installed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from safepip.environment import Environment
from safepip.exceptions import UvUnsuitable
from safepip.pip.argv import PipArgs
from safepip.programs import which
from safepip.records import Frozen

if TYPE_CHECKING:
    from safepip.child_environ import Policy
    from safepip.pip.index_options import IndexOptions

#: pip install options with the same meaning (and spelling of the value) in ``uv pip install``;
#: the value is uv's option, None for a flag pip and uv share under the same name.
_SAME: Mapping[str, str] = {
    "--requirement": "--requirement",
    "--constraint": "--constraint",
    "--editable": "--editable",
    "--upgrade": "--upgrade",
    "--force-reinstall": "--reinstall",
    "--no-deps": "--no-deps",
    "--no-build-isolation": "--no-build-isolation",
    "--no-binary": "--no-binary",
    "--only-binary": "--only-binary",
    "--require-hashes": "--require-hashes",
    "--no-cache-dir": "--no-cache",
    "--compile": "--compile-bytecode",
    "--quiet": "--quiet",
    "--verbose": "--verbose",
}

#: pip options that only shape pip's own output or checks; uv has nothing to match them with
#: and nothing that they would change in what gets installed.
_IGNORED = frozenset(
    {
        "--disable-pip-version-check",
        "--no-python-version-warning",
        "--no-input",
        "--no-color",
        "--progress-bar",
        "--no-warn-script-location",
        "--no-warn-conflicts",
        "--root-user-action",
        "--exists-action",
        "--isolated",
        "--no-compile",
        "--upgrade-strategy",  # only "only-if-needed", checked below
    }
)

#: Where pip's index options went: they come back from ``IndexOptions`` (config included).
_INDEX = frozenset(
    {
        "--index-url",
        "--extra-index-url",
        "--find-links",
        "--no-index",
        "--pre",
        "--trusted-host",
        "--cert",
    }
)


class Uv(Frozen):
    """The ``uv`` executable safepip may use."""

    __slots__ = ("path",)
    path: str

    def __init__(self, path: str) -> None:
        self._set(path=path)


def accelerator(env: Environment, warn: Callable[[str], None]) -> Uv | None:
    """uv, where the user opted in (safepip's uv setting) and it is on PATH; safepip works the
    same without it."""
    from safepip.decide.settings import use_uv

    if not use_uv(env.environ, env.config_dir):
        return None
    uv = find_uv(env)
    if uv is None:
        warn("uv is not on PATH, so safepip uses pip and pipx (safepip's uv setting is on)")
    return uv


def default_tool_dir(environ: Mapping[str, str], home: Path) -> Path:
    """Where uv keeps its tools when it is not asked (``uv tool dir``'s answer, without uv):
    ``$UV_TOOL_DIR``, else ``$XDG_DATA_HOME/uv/tools``, else ``~/.local/share/uv/tools``."""
    if environ.get("UV_TOOL_DIR"):
        return Path(environ["UV_TOOL_DIR"])
    data = environ.get("XDG_DATA_HOME", "")
    return (Path(data) if os.path.isabs(data) else home / ".local" / "share") / "uv" / "tools"


def find_uv(env: Environment) -> Uv | None:
    """uv on PATH, or None."""
    found = which("uv", env.environ.get("PATH", os.defpath))
    return Uv(found) if found else None


def index_args(index: IndexOptions) -> list[str]:
    """pip's index options as uv's command line takes them."""
    args = ["--no-index"] if index.no_index else ["--index-url", index.index_url]
    for url in index.extra_index_urls:
        args += ["--extra-index-url", url]
    if index.extra_index_urls:
        args += ["--index-strategy", "unsafe-best-match"]  # pip's: best version of all indexes
    for location in index.find_links:
        args += ["--find-links", location]
    for host in index.trusted_hosts:
        args += ["--allow-insecure-host", host]
    if index.pre:
        args += ["--prerelease", "allow"]
    return args


def index_environ(index: IndexOptions) -> dict[str, str]:
    """Variables uv reads for what pip takes as options (pip's ``--cert``)."""
    return {"SSL_CERT_FILE": index.cert} if index.cert else {}


def pip_install_args(pip_args: PipArgs, index: IndexOptions) -> list[str]:
    """``uv pip install``'s arguments for this ``pip install`` command line (without the
    program, ``pip install`` and ``--python``).

    Raises :class:`UvUnsuitable` naming the first option uv cannot do as pip would.
    """
    if pip_args.command != "install" or not pip_args.known:
        raise UvUnsuitable("not a plain pip install command line")
    args: list[str] = []
    positionals: list[str] = []
    for token in pip_args.tokens:
        if token.kind == "command":
            continue
        if token.kind == "separator" or (token.raw[0].startswith("-") and not token.options):
            raise UvUnsuitable("a requirement that looks like an option (after --)")
        if token.kind == "positional":
            positionals.extend(token.raw)
            continue
        for name, value in token.options:
            if name in _INDEX or name in _IGNORED:
                if name == "--upgrade-strategy" and value != "only-if-needed":
                    raise UvUnsuitable(f"--upgrade-strategy {value}")
                continue
            uv_name = _SAME.get(name or "")
            if uv_name is None:
                raise UvUnsuitable(f"pip's {name or token.raw[0]} has no uv equivalent")
            args += [uv_name] if value is None else [uv_name, value]
    return [*args, *index_args(index), *positionals]


def tool_install_args(
    requirement: str, pip_args: PipArgs, index: IndexOptions, python: str
) -> list[str]:
    """``uv tool install``'s arguments for one application of this ``pip install``."""
    args = ["tool", "install", "--python", python]
    for token in pip_args.tokens:
        if token.kind != "option" and token.kind != "general":
            continue
        for name, value in token.options:
            if name in _INDEX or name in _IGNORED:
                continue
            if name in ("--upgrade", "--force-reinstall", "--no-cache-dir", "--quiet"):
                args.append(_SAME[name])
            elif name in ("--no-binary", "--only-binary") and value is not None:
                args += [name, value]
            elif name in ("--verbose",):
                args.append("--verbose")
            else:
                raise UvUnsuitable(f"pip's {name or token.raw[0]} has no uv tool equivalent")
    return [*args, *index_args(index), requirement]


def tool_dir(uv: Uv, environ: Mapping[str, str]) -> Path | None:
    """Where uv keeps its tools (``uv tool dir``), or None if uv cannot say."""
    from safepip.child_environ import ChosenTarget
    from safepip.process import run_captured

    try:
        completed = run_captured(
            [uv.path, "tool", "dir"], environ=environ, policy=ChosenTarget(), timeout=30
        )
    except OSError:
        return None
    text = completed.stdout.strip()
    return Path(text) if completed.returncode == 0 and text else None


class ToolDirs:
    """``uv tool dir`` and ``uv tool dir --bin``, asked side by side now and answered by
    :meth:`result` (each None if uv cannot say). Neither depends on the index options."""

    def __init__(self, uv: Uv, environ: Mapping[str, str]) -> None:
        from safepip.child_environ import ChosenTarget
        from safepip.side_by_side import StartedEach

        self._started = StartedEach(
            [[uv.path, "tool", "dir"], [uv.path, "tool", "dir", "--bin"]],
            environ=environ,
            policy=ChosenTarget(),
        )

    def result(self) -> tuple[Path | None, Path | None]:
        tools, bins = self._started.outputs(timeout=30)
        tools, bins = (tools or "").strip(), (bins or "").strip()
        return Path(tools) if tools else None, Path(os.path.normpath(bins)) if bins else None


def tools_in(directory: Path | None) -> frozenset[str]:
    """Canonical names of the tools in uv's tool folder ``directory`` (one folder each)."""
    from safepip.names import canonicalize_name

    if directory is None or not directory.is_dir():
        return frozenset()
    return frozenset(
        canonicalize_name(entry.name)
        for entry in directory.iterdir()
        if (entry / "uv-receipt.toml").is_file()
    )


def installed_tools(uv: Uv, environ: Mapping[str, str]) -> frozenset[str]:
    """Canonical names of the tools uv manages (one folder each in ``uv tool dir``)."""
    return tools_in(tool_dir(uv, environ))


def run_uv(
    uv: Uv, args: Sequence[str], environ: Mapping[str, str], env: Environment, *, policy: Policy
) -> int:
    """``uv ARGS`` on the user's terminal, in ``environ`` as ``policy`` has it."""
    from safepip.process import run_foreground

    return run_foreground(
        [uv.path, *args], environ=environ, policy=policy, interactive=bool(env.stdin_isatty)
    )


def uv_environ(environ: Mapping[str, str], index: IndexOptions | None = None) -> dict[str, str]:
    """``environ`` with what uv is told through variables: never download a Python behind the
    user's back, and pip's cert (the policy its start names is applied after)."""
    cleaned = dict(environ)
    cleaned.setdefault("UV_PYTHON_DOWNLOADS", "never")
    if index is not None:
        cleaned.update(index_environ(index))
    return cleaned
