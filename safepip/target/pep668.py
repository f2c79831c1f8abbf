"""PEP 668, decided as pip decides it, without starting pip: the ``EXTERNALLY-MANAGED`` marker,
and whether pip would refuse this command for this interpreter (see pip's
``utils.misc.check_externally_managed`` and the install command's exemptions). The one place
``safepip install``, ``explain`` and ``doctor`` ask.
"""

from __future__ import annotations

from pathlib import Path

from safepip.environment import Environment
from safepip.exceptions import PipConfigError
from safepip.pip.argv import PipArgs
from safepip.records import Frozen
from safepip.target.interpreter import Interpreter, Probe

#: Commands PEP 668 applies to (pip checks only these).
GUARDED_COMMANDS = ("install", "uninstall")


class ExternallyManaged(Frozen):
    """The PEP 668 marker file; its message is read when asked for (only ``doctor`` shows it,
    and ``configparser`` costs every install a few milliseconds otherwise)."""

    __slots__ = ("marker",)
    marker: Path

    def __init__(self, marker: Path) -> None:
        self._set(marker=marker)

    @property
    def message(self) -> str:
        """``Error`` in the marker's ``[externally-managed]`` section, or ""."""
        import configparser

        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(self.marker, encoding="utf-8")
            return parser.get("externally-managed", "Error", fallback="").strip()
        except (configparser.Error, OSError, UnicodeDecodeError):
            return ""


def externally_managed(stdlib: str) -> ExternallyManaged | None:
    """PEP 668: the ``EXTERNALLY-MANAGED`` file in the stdlib directory, or None."""
    marker = Path(stdlib) / "EXTERNALLY-MANAGED"
    return ExternallyManaged(marker) if marker.is_file() else None


def exemption(pip_args: PipArgs, probe: Probe, env: Environment) -> str | None:
    """Why pip would install into this externally-managed interpreter all the same (the
    user's opt-out, or an install that goes elsewhere), or None when pip refuses."""
    if pip_args.break_system_packages:
        return "--break-system-packages is given"
    from safepip.pip.config import for_command

    try:
        config = for_command(pip_args, probe, env, pip_args.command or "install")
    except PipConfigError as error:  # pip's config is broken: let pip itself say how
        return f"pip's configuration is broken, pip will say so: {error.message}"
    if config.break_system_packages:
        return "pip's configuration sets break-system-packages"
    if pip_args.command == "install":
        if pip_args.alternative_location or pip_args.dry_run_report:
            return "the command line installs elsewhere (--target, --prefix, --root or --report)"
        if config.alternative_location or config.dry_run_report:
            return "pip's configuration installs elsewhere (target, prefix or root)"
    return None


def pep668_applies(
    pip_args: PipArgs, target: Interpreter, probe: Probe, env: Environment
) -> ExternallyManaged | None:
    """The marker, where pip would refuse this command with externally-managed-environment;
    None where pip works."""
    if target.is_venv or (pip_args.command or "install") not in GUARDED_COMMANDS:
        return None
    managed = externally_managed(probe.stdlib)
    if managed is None or exemption(pip_args, probe, env) is not None:
        return None
    return managed
