"""How safepip starts pip in an environment it chose: the launcher code, and whether that
environment has pip at all. Standard library only, nothing imported at module level: the fast
path (:mod:`safepip.cli.fast`) and the warm path (:mod:`safepip.cli.warm`) read it before
``exec``, and :mod:`safepip.pip.run` for every pip it runs."""

from __future__ import annotations

import os

#: Starts pip as its console script does, so that pip calls itself ``pip`` in its messages
#: (``python -m pip`` would name the interpreter), and not importing from the working directory.
LAUNCHER = (
    "import sys\n"
    "if sys.path and sys.path[0] in ('', '.'): del sys.path[0]\n"
    "sys.argv[0] = 'pip'\n"
    "from pip._internal.cli.main import main\n"
    "sys.exit(main())\n"
)


def venv_has_pip(root: str) -> bool:
    """Whether the venv at ``root`` has pip installed (the one place this is looked at)."""
    from safepip.target.site_packages import site_packages

    return any(os.path.isfile(os.path.join(s, "pip", "__init__.py")) for s in site_packages(root))
