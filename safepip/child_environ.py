"""The environment each child of safepip sees: one named policy per kind of child.

Whoever starts a child names its policy and hands over the environment as it is (usually
``Environment.environ``); :mod:`safepip.process` and :mod:`safepip.side_by_side` apply it, and
nobody builds a cleaned environment by hand. Nothing but the import-free :mod:`safepip.records`
is imported with it (``os`` and :mod:`safepip.programs` only where a checkout tool is asked): the
warm path (:mod:`safepip.cli.warm`) and the fast path (:mod:`safepip.cli.fast`) apply their
policy right before ``exec``.

* :data:`AS_IS`: the environment as it is;
* :class:`ChosenTarget`: pip, pipx or uv installing into (or reading) an environment safepip chose;
* :data:`QUESTION`: an interpreter asked about itself;
* :data:`SDIST_BUILD`: ``pip wheel`` building an sdist so that safepip can read its wheel;
* :data:`CHECKOUT_TOOL`: the system's git or hg asked about a checkout.
* :data:`SYSTEM_PACKAGER`: the distribution's package manager installing its own package.
"""

from __future__ import annotations

from safepip.records import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


class Policy(Frozen):
    """How a child's environment is made from safepip's own (:meth:`apply`)."""

    __slots__ = ()

    def apply(self, environ: Mapping[str, str]) -> dict[str, str]:
        """The child's environment, a new dict (``environ`` is not changed)."""
        raise NotImplementedError


class AsIs(Policy):
    """The environment as it is: pip run where the user would have run it (passed through, the
    active venv's pip on the fast path), and programs whose settings are the user's to make."""

    __slots__ = ()

    def apply(self, environ: Mapping[str, str]) -> dict[str, str]:
        return dict(environ)


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


class ChosenTarget(Policy):
    """pip (or pipx, or uv) running into an environment safepip chose: the variables that
    would send it elsewhere removed (:data:`REDIRECTING_VARIABLES`, ``CONDA_PREFIX``); every
    other setting (index, proxy, certificates) kept.

    ``PIP_USER=0`` overrides a ``user = true`` in pip's config files, which would otherwise
    fail inside a venv. With ``venv`` the child also sees it as the active virtual environment
    (``VIRTUAL_ENV``); without, no virtual environment is active for it. ``stand_in``: safepip's
    own pip, told the interpreter with ``--python`` on its command line, must re-run itself
    under it (and does, whatever pip's config files say, as the command line wins).
    """

    __slots__ = ("stand_in", "venv")
    venv: str | None
    stand_in: bool

    def __init__(self, venv: str | None = None, *, stand_in: bool = False) -> None:
        self._set(venv=venv, stand_in=stand_in)

    def apply(self, environ: Mapping[str, str]) -> dict[str, str]:
        cleaned = {k: v for k, v in environ.items() if k not in REDIRECTING_VARIABLES}
        cleaned["PIP_USER"] = "0"
        # pip re-runs itself under a ``python`` named in its config files unless told it
        # already is the re-run; safepip chose the interpreter, so no config file may change it.
        cleaned["_PIP_RUNNING_IN_SUBPROCESS"] = "1"
        if self.stand_in:
            del cleaned["_PIP_RUNNING_IN_SUBPROCESS"]
        if self.venv is not None:
            cleaned["VIRTUAL_ENV"] = self.venv
        else:
            cleaned.pop("VIRTUAL_ENV", None)
        cleaned.pop("CONDA_PREFIX", None)
        return cleaned


class Question(Policy):
    """An interpreter asked about itself (it runs in isolated mode, ``-I``): none of the
    variables that would make it import something other than its own standard library."""

    __slots__ = ()

    def apply(self, environ: Mapping[str, str]) -> dict[str, str]:
        return {k: v for k, v in environ.items() if k not in ("PYTHONHOME", "PYTHONPATH")}


#: Variables that would make ``pip wheel`` look elsewhere than the index options safepip passes
#: on its command line, refuse to build, or write elsewhere.
BUILD_VARIABLES = (
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_NO_INDEX",
    "PIP_PRE",
    "PIP_ONLY_BINARY",
    "PIP_NO_BINARY",
    "PIP_REQUIRE_VIRTUALENV",
    "PIP_WHEEL_DIR",
    "PIP_TARGET",
    "PIP_PREFIX",
    "PIP_ROOT",
    "PIP_USER",
    "PIP_PYTHON",
    "PYTHONPATH",
    "PYTHONHOME",
)


class SdistBuild(Policy):
    """``pip wheel`` building an sdist for safepip to read: its index options come on its
    command line, so the variables that would override them (or make it refuse to build, or
    write elsewhere) are removed (:data:`BUILD_VARIABLES`)."""

    __slots__ = ()

    def apply(self, environ: Mapping[str, str]) -> dict[str, str]:
        return {k: v for k, v in environ.items() if k not in BUILD_VARIABLES}


class CheckoutTool(Policy):
    """The system's git or hg asked whether a checkout tracks a folder, a question a safety
    decision rests on: the system's folders as ``PATH`` (hg's ``#!/usr/bin/env python3``
    must not find a checkout's own python first), no ``GIT_*``/``HG*`` variables (which could
    point it at another repository or run a program), and hg without the repository's own
    ``.hg/hgrc`` (``HGRCSKIPREPO``) and in its plain output (``HGPLAIN``)."""

    __slots__ = ()

    def apply(self, environ: Mapping[str, str]) -> dict[str, str]:
        import os

        from safepip.programs import system_folders

        cleaned = {k: v for k, v in environ.items() if not k.startswith(("GIT_", "HG"))}
        cleaned.update(PATH=os.pathsep.join(system_folders()), HGPLAIN="1", HGRCSKIPREPO="1")
        return cleaned


AS_IS = AsIs()
QUESTION = Question()
SDIST_BUILD = SdistBuild()
CHECKOUT_TOOL = CheckoutTool()


class SystemPackager(Policy):
    """The distribution's package manager (apt-get, dnf, pacman, apk) installing a package the
    user asked for with ``--distro``: the environment without the variables that would change
    which Python modules its maintainer scripts (``py3compile``) import or where pip would
    install; everything else (proxy, locale, ``DEBIAN_FRONTEND``) as it is."""

    __slots__ = ()

    def apply(self, environ: Mapping[str, str]) -> dict[str, str]:
        return {k: v for k, v in environ.items() if k not in REDIRECTING_VARIABLES}


SYSTEM_PACKAGER = SystemPackager()
