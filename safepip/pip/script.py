"""``pip install --requirements-from-script FILE`` (pip 26): a script's inline metadata
(PEP 723 ``# /// script`` block) read as pip reads it, for a redirected install.

A redirect installs the script's ``dependencies`` into the project's ``.venv`` as plain
requirements, so the option works whatever pip that ``.venv`` has (Debian 12's 23.0.1 predates
it), and checks the block's ``requires-python`` against the Python it installs for. A file
without a block, a block that is not TOML, or a Python the script does not support is a clear
error before anything is made: never an exit 0 having installed nothing.
"""

from __future__ import annotations

from pathlib import Path

from safepip.exceptions import ScriptError

OPTION = "--requirements-from-script"


def dependencies(script: str, cwd: Path, python_version: str) -> list[str]:
    """The requirements ``script``'s block declares, for a Python of ``python_version``."""
    from safepip.exceptions import SettingsError
    from safepip.target.scripts import script_block
    from safepip.tomlfile import parse_toml

    path = cwd / script
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScriptError(f"cannot read the script {script}: {error}") from error
    block = script_block(text)
    if block is None:
        raise ScriptError(
            f"{script} has no inline script metadata (a `# /// script` block, PEP 723), so "
            "there is nothing to install from it",
            "list its dependencies in such a block, or install them by name",
        )
    try:
        data = parse_toml(block, f"the script block of {script}")
    except SettingsError as error:
        raise ScriptError(error.message) from error
    _check_python(script, data.get("requires-python"), python_version)
    declared = data.get("dependencies", [])
    if not isinstance(declared, list) or not all(isinstance(d, str) for d in declared):
        raise ScriptError(f"the script block of {script}: dependencies must be a list of strings")
    return list(declared)


def _check_python(script: str, wanted: object, python_version: str) -> None:
    if wanted is None:
        return
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        allowed = SpecifierSet(str(wanted))
    except InvalidSpecifier as error:
        raise ScriptError(f"the script block of {script}: requires-python: {error}") from error
    if not allowed.contains(python_version, prereleases=True):
        raise ScriptError(
            f"{script} requires Python {wanted}, and this Python is {python_version}",
            "run it with a Python it supports: safepip --python /path/to/python3 install "
            f"{OPTION} {script}",
        )
