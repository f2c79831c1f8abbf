"""After pip failed: was the package index the cause? One request, with pip's timeout, for the
first named requirement's page; the message and fix, or None when the index answers."""

from __future__ import annotations

from collections.abc import Sequence

from safepip.environment import Environment
from safepip.exceptions import IndexUnreachable, PipConfigError
from safepip.pip.argv import PipArgs
from safepip.pip.index_options import index_options
from safepip.target.interpreter import Probe

_HINT = (
    "check the index URL (--index-url, PIP_INDEX_URL or pip's config), the network "
    "and proxy settings"
)


def diagnose_index(
    pip_args: PipArgs, probe: Probe, env: Environment, names: Sequence[str]
) -> tuple[str, str] | None:
    from safepip.inspect.index import open_url, project_url
    from safepip.urls import redact

    try:
        options, timeout = index_options(pip_args, probe, env)
    except PipConfigError:
        return None
    if options.no_index or not names:
        return None
    url = project_url(options.index_url, names[0])
    try:
        with open_url(url, headers={}, timeout=timeout):
            return None
    except IndexUnreachable as error:
        if error.status == 404:
            return (
                f"the package index {redact(options.index_url)} has no project {names[0]} "
                "(HTTP 404 not found)",
                "check the name, or the index: " + _HINT,
            )
        return (
            f"the package index {redact(options.index_url)} could not be used: {error.cause}",
            _HINT,
        )
    except Exception:  # a diagnosis must never hide pip's own failure
        return None
