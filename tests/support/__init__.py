"""Test support for safepip: fixture distributions, a local package index, pipx helpers.

Import as ``support`` (``tests/`` is on ``sys.path`` under pytest), e.g.
``from support import PackageIndex, build_wheel``.
"""

from __future__ import annotations

from pathlib import Path

from .index import PackageIndex, RequestRecord, parse_dist_filename
from .pipx import debian_pipx, missing_seeds, pipx_env, pypi_pipx, seed_wheels
from .wheels import About, build_sdist, build_wheel, normalize_name

__all__ = [
    "APP",
    "FIXBIG_PADDING",
    "About",
    "PackageIndex",
    "RequestRecord",
    "build_sdist",
    "build_standard_dists",
    "build_wheel",
    "debian_pipx",
    "missing_seeds",
    "normalize_name",
    "parse_dist_filename",
    "pipx_env",
    "pypi_pipx",
    "seed_wheels",
]

#: Size of the incompressible filler inside the fixbig wheel.
FIXBIG_PADDING = 30 * 1024 * 1024

_FIXAPP_CLI = """\
import sys

import fixapp
import fixlib


def main():
    if sys.argv[1:] == ["--where"]:
        print(sys.prefix)
        return 0
    print("fixapp %s (fixlib %s)" % (fixapp.__version__, fixlib.__version__))
    return 0
"""

_FIXDATA_BIN = '#!/bin/sh\necho "fixdata-bin 1.0"\n'

#: What an application's summary says of it (``safepip.inspect.role``): the fixtures that are
#: applications say so, as black's "The uncompromising code formatter." does.
APP = About(summary="A command-line tool of the safepip tests")


def build_standard_dists(dest: Path) -> list[Path]:
    """Build the standard fixture distributions into ``dest``.

    =========  ========================================================================
    fixlib     1.0 and 2.0 wheels: plain library (``fixlib.__version__``), no commands
    fixapp     1.0 wheel: console script ``fixapp`` (prints ``fixapp 1.0 (fixlib 2.0)``;
               ``fixapp --where`` prints ``sys.prefix``), requires ``fixlib``
    fixgui     1.0 wheel: gui script ``fixgui``
    fixdata    1.0 wheel: only ``.data/scripts/fixdata-bin`` (sh), no entry points
    fixhelper  1.0 wheel: library with helper command ``fixhelper-cli`` (its summary says
               nothing of what it is: a library, as numpy's f2py)
    fixmeta    1.0 wheel: no code at all, requires ``fixapp``
    fixsdist   1.0 sdist only: console script ``fixsdist``, builds offline
    fixbroken  1.0 sdist only: its wheel build fails
    fixbig     1.0 wheel of ~30 MB (stored filler): console script ``fixbig``

    The applications (fixapp, fixgui, fixdata, fixsdist, fixbig) say so in their summary
    (:data:`APP`).
    =========  ========================================================================

    Commands print ``"<command> <version>"`` unless said otherwise.
    """
    return [
        build_wheel(dest, "fixlib", "1.0"),
        build_wheel(dest, "fixlib", "2.0"),
        build_wheel(
            dest,
            "fixapp",
            "1.0",
            modules={"fixapp/__init__.py": '__version__ = "1.0"\n', "fixapp/cli.py": _FIXAPP_CLI},
            console_scripts={"fixapp": "fixapp.cli:main"},
            requires=["fixlib"],
            about=APP,
        ),
        build_wheel(dest, "fixgui", "1.0", gui_scripts={"fixgui": "fixgui:main"}, about=APP),
        build_wheel(dest, "fixdata", "1.0", data_scripts={"fixdata-bin": _FIXDATA_BIN}, about=APP),
        build_wheel(
            dest, "fixhelper", "1.0", console_scripts={"fixhelper-cli": "fixhelper.cli:main"}
        ),
        build_wheel(dest, "fixmeta", "1.0", modules={}, requires=["fixapp"]),
        build_sdist(
            dest, "fixsdist", "1.0", console_scripts={"fixsdist": "fixsdist:main"}, about=APP
        ),
        build_sdist(dest, "fixbroken", "1.0", fail_build=True),
        build_wheel(
            dest,
            "fixbig",
            "1.0",
            console_scripts={"fixbig": "fixbig:main"},
            padding_bytes=FIXBIG_PADDING,
            about=APP,
        ),
    ]
