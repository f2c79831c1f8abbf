"""What an application's install says: its summary line (versions before and after, the
reasons, what ``--venv`` would have done instead) and pipx's note on a command that now hides
another on PATH. Shared by the application backends (pipx, uv tool)."""

from __future__ import annotations

import shlex
from pathlib import Path

from safepip.backends.base import Context
from safepip.decide.model import Planned


def app_summary(
    step: Planned,
    code: int,
    *,
    was_there: bool,
    upgrade: bool,
    tool: str,
    how: str = "",
    versions: tuple[str | None, str | None] = (None, None),
    instead: str = "the project's .venv",
    force: bool = False,
) -> str:
    """The summary line of one application install by ``tool`` (pipx, or uv tool): what
    happened, judged by the app's ``versions`` before and after where the tool tells them
    (``force``: pip's ``--force-reinstall``, which reinstalls an unchanged version); ``how``
    says more of the route where that helps."""
    text, quoted = step.item.text, shlex.quote(step.item.text)
    before, after = versions
    if code != 0:
        return f"{text} ({'uv tool install' if tool == 'uv tool' else tool} exited with {code})"
    unchanged = before == after if before is not None else not upgrade
    if was_there and unchanged and not force:
        at = f" ({after})" if after else ""
        return f"{text} was already installed with {tool}{at}; nothing changed" + (
            "" if upgrade else f" (to upgrade it: safepip install -U {quoted})"
        )
    if was_there and before is not None and after is not None and before != after:
        done = f"{_direction(before, after)} {step.item.name or text} from {before} to {after}"
    elif was_there and force:
        done = f"reinstalled {step.item.name or text}" + (f" {after}" if after else "")
    else:
        done = f"{'upgraded' if was_there else 'installed'} {text}" + (f" {after}" if after else "")
    return (
        f"{done} {how}with {tool}"
        + (" (safepip's uv setting)" if tool == "uv tool" else "")
        + ", because "
        + ", ".join(step.decision.reasons)
        + f"; into {instead} instead: safepip install --venv {quoted}"
    )


def venv_instead(ctx: Context) -> str:
    """Where ``--venv`` would have put an application: the project's ``.venv``, the user
    environment where no project starts, or a new ``.venv`` in an ordinary folder."""
    from safepip.target.user_place import why_user_env

    if ctx.where.project is not None:
        return "the project's .venv"
    return (
        "your user environment" if why_user_env(ctx.env.cwd, ctx.env.home) else "a new .venv here"
    )


def _direction(before: str, after: str) -> str:
    from packaging.version import InvalidVersion, Version

    try:
        newer = Version(after) > Version(before)
    except InvalidVersion:
        return "replaced"
    return "upgraded" if newer else "downgraded"


def bin_links(bin_dir: Path) -> dict[str, str]:
    """What each entry of an applications' bin folder resolves to, by name (what pipx and uv
    put on PATH), to tell afterwards what one install added or changed there."""
    import os

    try:
        names = os.listdir(bin_dir)
    except OSError:
        return {}
    return {name: os.path.realpath(bin_dir / name) for name in names}


def shadow_notes(app: str, bin_dir: Path, before: dict[str, str], path: str) -> list[str]:
    """One summary line per command that installing ``app`` added to ``bin_dir`` (``before``:
    :func:`bin_links` before it) while another program of that name is on PATH: pipx's own note,
    kept visible under safepip's summary (a repository's ``git`` would otherwise run in every
    shell without a word)."""
    import os

    from safepip.programs import comes_first, elsewhere

    notes = []
    for command, target in sorted(bin_links(bin_dir).items()):
        others = elsewhere(command, path, str(bin_dir)) if before.get(command) != target else []
        if not others:
            continue
        parts = target.split(os.sep)  # <apps>/<app>/bin/<command>: the app's own name
        owner = parts[-3] if len(parts) > 3 and parts[-2] == "bin" else app
        runs = f"{owner}'s" if comes_first(str(bin_dir), others[0], path) else others[0]
        notes.append(
            f"note: {owner} put {command} in {bin_dir}, but {others[0]} is also on PATH; "
            f"`{command}` now runs {runs}"
        )
    return notes
