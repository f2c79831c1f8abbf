"""Running pip itself: the same pip the user would have run, on their terminal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from safepip.child_environ import AS_IS, Policy
from safepip.pip.launcher import LAUNCHER, venv_has_pip
from safepip.process import run_captured, run_foreground
from safepip.target.interpreter import Interpreter

_PEP668_CHECK = (
    "import sys\n"
    "try:\n"
    "    from pip._internal.utils.misc import check_externally_managed\n"
    "except Exception:\n"
    "    sys.exit(3)\n"
    "try:\n"
    "    check_externally_managed()\n"
    "except Exception as error:\n"
    "    sys.exit(10 if type(error).__name__ == 'ExternallyManagedEnvironment' else 3)\n"
)


__all__ = ["LAUNCHER", "pip_says_externally_managed", "run_pip", "target_has_pip", "venv_has_pip"]


def target_has_pip(target: Interpreter, probe_has_pip: bool | None) -> bool:
    if target.venv_root is not None:
        return venv_has_pip(str(target.venv_root))
    return bool(probe_has_pip)


def run_pip(
    command: Sequence[str],
    argv: Sequence[str],
    *,
    environ: Mapping[str, str],
    policy: Policy,
    interactive: bool,
) -> int:
    """pip (``command``, then ``argv``) on the user's terminal, in ``environ`` as ``policy``
    has it: :class:`~safepip.child_environ.ChosenTarget` where safepip chose where it installs,
    :data:`~safepip.child_environ.AS_IS` where the user's own command goes to pip."""
    return run_foreground(
        [*command, *argv], environ=environ, policy=policy, interactive=interactive
    )


def pip_says_externally_managed(python: str, environ: Mapping[str, str]) -> bool:
    """Ask the interpreter's own pip whether PEP 668 forbids installing into it: the safety net
    for a refusal safepip did not predict. Costs a process start, so only after a failure."""
    try:
        completed = run_captured(
            [python, "-c", _PEP668_CHECK], environ=environ, policy=AS_IS, timeout=60
        )
    except OSError:
        return False
    return completed.returncode == 10
