"""Where pip would look for distributions: its index, extra indexes and find-links, as the
command line and pip's configuration set them. Small on purpose: the uv backend needs it
without the cost of safepip's HTTP client (``inspect.index``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from safepip.records import Frozen

if TYPE_CHECKING:
    from safepip.environment import Environment
    from safepip.pip.argv import PipArgs
    from safepip.target.interpreter import Probe

PYPI_SIMPLE = "https://pypi.org/simple/"


class IndexOptions(Frozen):
    """pip's options that decide where files come from (trusted_hosts and cert: not used yet)."""

    __slots__ = (
        "cert",
        "extra_index_urls",
        "find_links",
        "index_url",
        "no_index",
        "pre",
        "trusted_hosts",
    )
    index_url: str
    extra_index_urls: tuple[str, ...]
    find_links: tuple[str, ...]
    no_index: bool
    pre: bool
    trusted_hosts: tuple[str, ...]
    cert: str | None

    def __init__(
        self,
        index_url: str = PYPI_SIMPLE,
        extra_index_urls: tuple[str, ...] = (),
        find_links: tuple[str, ...] = (),
        no_index: bool = False,
        pre: bool = False,
        trusted_hosts: tuple[str, ...] = (),
        cert: str | None = None,
    ) -> None:
        self._set_from(locals())

    def pip_args(self) -> list[str]:
        """The same options as pip command-line arguments."""
        args = ["--no-index"] if self.no_index else ["--index-url", self.index_url]
        for url in self.extra_index_urls:
            args += ["--extra-index-url", url]
        for location in self.find_links:
            args += ["--find-links", location]
        for host in self.trusted_hosts:
            args += ["--trusted-host", host]
        if self.cert:
            args += ["--cert", self.cert]
        if self.pre:
            args.append("--pre")
        return args


def _timeout(value: str | None) -> float:
    """pip's ``--timeout`` (seconds; pip's default is 15), for safepip's own index requests."""
    try:
        seconds = float(value) if value else 15.0
    except ValueError:
        return 15.0
    return seconds if seconds > 0 else 15.0


def index_options(pip_args: PipArgs, probe: Probe, env: Environment) -> tuple[IndexOptions, float]:
    """Where pip would look for files, and its timeout: the command line over pip's config.
    Raises :class:`~safepip.exceptions.PipConfigError` where pip's config is broken."""
    from safepip.pip.config import for_command

    config = for_command(pip_args, probe, env, "install")
    options = IndexOptions(
        index_url=pip_args.index_url or config.index_url or PYPI_SIMPLE,
        extra_index_urls=config.extra_index_urls + pip_args.extra_index_urls,
        find_links=config.find_links + pip_args.find_links,
        no_index=pip_args.no_index or config.no_index,
        pre=pip_args.pre or config.pre,
        trusted_hosts=config.split("trusted-host") + pip_args.values("--trusted-host"),
        cert=pip_args.last("--cert") or config.get("cert"),
    )
    timeout = _timeout(
        pip_args.last("--timeout") or config.get("timeout") or config.get("default-timeout")
    )
    return options, timeout
