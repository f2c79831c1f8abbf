"""Where pip would look for distributions: its index, extra indexes and find-links, as the
command line and pip's configuration set them. Small on purpose: the uv backend needs it
without the cost of safepip's HTTP client (``inspect.index``)."""

from __future__ import annotations

from dataclasses import dataclass

PYPI_SIMPLE = "https://pypi.org/simple/"


@dataclass(frozen=True)
class IndexOptions:
    """pip's options that decide where files come from (trusted_hosts and cert: not used yet)."""

    index_url: str = PYPI_SIMPLE
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    pre: bool = False
    trusted_hosts: tuple[str, ...] = ()
    cert: str | None = None

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


__all__ = ["PYPI_SIMPLE", "IndexOptions"]
