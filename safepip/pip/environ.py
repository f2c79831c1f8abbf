"""pip's environment where safepip chose the environment it installs into: the variables that
would send it elsewhere removed. No imports: the warm path (:mod:`safepip.cli.warm`)
uses it before ``exec``, and ``safepip.process`` for every child."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

#: Variables that would make pip install somewhere other than the environment safepip chose.
REDIRECTING_VARIABLES = (
    "PIP_TARGET",
    "PIP_PREFIX",
    "PIP_ROOT",
    "PIP_USER",
    "PIP_PYTHON",
    "PIP_BREAK_SYSTEM_PACKAGES",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONUSERBASE",
    "PYTHONSTARTUP",
    "PYTHONEXECUTABLE",
    "__PYVENV_LAUNCHER__",
    "PIP_REQUIRE_VIRTUALENV",
)


def clean_environ(environ: Mapping[str, str], *, venv: str | None = None) -> dict[str, str]:
    """The environment for pip running into an environment safepip chose.

    ``PIP_USER=0`` overrides a ``user = true`` in pip's config files, which would otherwise
    fail inside a venv. With ``venv`` the child also sees it as the active virtual environment.
    """
    cleaned = {k: v for k, v in environ.items() if k not in REDIRECTING_VARIABLES}
    cleaned["PIP_USER"] = "0"
    # pip re-runs itself under a ``python`` named in its config files unless told it already is
    # the re-run; safepip chose the interpreter, so no config file may change it.
    cleaned["_PIP_RUNNING_IN_SUBPROCESS"] = "1"
    if venv is not None:
        cleaned["VIRTUAL_ENV"] = venv
    else:
        cleaned.pop("VIRTUAL_ENV", None)
    cleaned.pop("CONDA_PREFIX", None)
    return cleaned
