"""pip's configuration (files and ``PIP_*`` variables), read as pip reads it, without pip.

Follows ``pip._internal.configuration`` and ``ConfigOptionParser`` (``cli/parser.py``), Linux
paths only:

* Files, lowest priority first: *global* (``<each $XDG_CONFIG_DIRS entry, default
  /etc/xdg>/pip/pip.conf``, then ``/etc/pip.conf``), *user* (``~/.pip/pip.conf``, then
  ``$XDG_CONFIG_HOME/pip/pip.conf``, default ``~/.config``), *site* (``<sys.prefix of the
  interpreter pip runs on>/pip.conf``), then the file named by ``PIP_CONFIG_FILE``; later files
  win. User files are skipped in isolated mode and when ``PIP_CONFIG_FILE`` names an existing
  file. ``PIP_CONFIG_FILE=/dev/null`` (exactly ``os.devnull``) skips every file.
  ``PIP_CONFIG_FILE`` is honoured even in isolated mode.
* Variables ``PIP_<NAME>`` (prefix upper case, name any case; ``PIP_VERSION``/``PIP_HELP``
  ignored) override every file, and are skipped in isolated mode.
* Names are normalized: lower case, ``_`` to ``-``, a leading ``--`` dropped.
* For one key the highest-priority source wins, *even with an empty value*; an empty winner
  then counts as unset (pip 25.3 briefly let lower files show through; 26.0 restored this).
* Sections apply in the order ``[global]``, ``[<command>]``, then the variables; only keys
  naming an option the parser has (exactly, aliases allowed, no abbreviation) are used.

Which parser: pip's main parser (general options, sections ``[global]`` and variables, never
isolated) chooses ``--python``; the command's parser (isolated when ``"--isolated"`` is
literally among the arguments) gives everything else. ``load(None, ...)`` is the former.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from safepip.exceptions import PipConfigError, PipConfigValueError
from safepip.pip.options_table import is_command, option_spec
from safepip.records import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from safepip.environment import Environment
    from safepip.pip.argv import PipArgs
    from safepip.target.interpreter import Probe

CONFIG_BASENAME = "pip.conf"
_ENV_NAMES_IGNORED = ("version", "help")
_TRUE = ("y", "yes", "t", "true", "on", "1")
_FALSE = ("n", "no", "f", "false", "off", "0")


def strtobool(value: str) -> bool:
    """pip's ``strtobool``: y/yes/t/true/on/1 and n/no/f/false/off/0, any case, no spaces.

    Anything else raises :class:`ValueError`; pip then stops with a usage error (exit status
    2) naming the option, but only when the parser in use has that option."""
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"invalid truth value {value!r}")


def _normalize_name(name: str) -> str:
    name = name.lower().replace("_", "-")
    return name[2:] if name.startswith("--") else name


class PipConfig(Frozen):
    """The option values pip's configuration gives one parser.

    ``values`` maps canonical option names without dashes (``"index-url"`` also for a
    ``pypi-url`` key, ``"require-virtualenv"`` for ``require-venv``) to the raw string pip
    applies, in the order pip applies them. ``sources`` says where each came from: a file path,
    or ``"environment variable PIP_X"``.
    """

    __slots__ = ("command", "errors", "files", "sources", "values")
    command: str | None
    values: Mapping[str, str]
    sources: Mapping[str, str]
    #: Every file pip consults, ``(kind, path)`` lowest priority first, existing or not.
    files: tuple[tuple[str, str], ...]
    #: pip's error for each value it would reject (an option expecting a boolean or a count).
    errors: tuple[str, ...]

    def __init__(
        self,
        command: str | None,
        values: Mapping[str, str] | None = None,
        sources: Mapping[str, str] | None = None,
        files: tuple[tuple[str, str], ...] = (),
        errors: tuple[str, ...] = (),
    ) -> None:
        self._set(
            command=command,
            values={} if values is None else values,
            sources={} if sources is None else sources,
            files=files,
            errors=errors,
        )

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def flag(self, key: str) -> bool:
        """A boolean option as pip reads it from configuration: False when unset; raises
        :class:`PipConfigValueError` for a value pip rejects (pip exits with status 2).

        pip stores the value as is, also for negative options: ``PIP_NO_USER=1`` *sets*
        ``--user`` (see :attr:`user`), ``PIP_NO_COMPILE=yes`` enables compiling."""
        value = self.values.get(key)
        if value is None:
            return False
        try:
            return strtobool(value)
        except ValueError:
            raise PipConfigValueError(_bool_error(key, value)) from None

    def count(self, key: str) -> int:
        """A counting option (``verbose``, ``quiet``): an integer >= 0 or a boolean (1/0)."""
        value = self.values.get(key)
        if value is None:
            return 0
        number = _count(value)
        if number is None:
            raise PipConfigValueError(_count_error(key, value))
        return number

    def split(self, key: str) -> tuple[str, ...]:
        """A list option (``extra-index-url``, ``find-links``, ``trusted-host``): pip splits the
        value on whitespace. Command-line values are *added* after these."""
        value = self.values.get(key)
        return tuple(value.split()) if value is not None else ()

    # -- what safepip asks -----------------------------------------------------------------

    @property
    def break_system_packages(self) -> bool:
        return self.flag("break-system-packages")

    @property
    def require_virtualenv(self) -> bool:
        return self.flag("require-virtualenv")

    @property
    def user(self) -> bool | None:
        """``use_user_site`` from configuration: None when neither ``user`` nor ``no-user`` is
        set, else the last one applied read as a boolean (both keys store into the same option
        unchanged, so ``no-user = true`` means *user* install)."""
        for key in reversed(list(self.values)):
            if key in ("user", "no-user"):
                return self.flag(key)
        return None

    @property
    def alternative_location(self) -> bool:
        """``target``, ``prefix`` or ``root`` set: pip skips the PEP 668 check for install."""
        return any(key in self.values for key in ("target", "prefix", "root"))

    @property
    def dry_run_report(self) -> bool:
        """``dry-run`` true and a ``report`` set (each may also come from the command line)."""
        return self.flag("dry-run") and bool(self.values.get("report"))

    @property
    def python(self) -> str | None:
        """``python`` (``PIP_PYTHON``): with the main parser's view (``load(None, ...)``), the
        interpreter pip >= 22.3 re-runs itself with."""
        return self.values.get("python")

    @property
    def index_url(self) -> str | None:
        return self.values.get("index-url")

    @property
    def extra_index_urls(self) -> tuple[str, ...]:
        return self.split("extra-index-url")

    @property
    def find_links(self) -> tuple[str, ...]:
        return self.split("find-links")

    @property
    def no_index(self) -> bool:
        return self.flag("no-index")

    @property
    def pre(self) -> bool:
        return self.flag("pre")

    @property
    def verbosity(self) -> int:
        """Configured ``verbose`` minus ``quiet``; pip adds the command line's ``-v``/``-q``."""
        return self.count("verbose") - self.count("quiet")


def _bool_error(key: str, value: str) -> str:
    return (
        f"{value} is not a valid value for {key} option, please specify a boolean value "
        "like yes/no, true/false or 1/0 instead."
    )


def _count_error(key: str, value: str) -> str:
    return (
        f"{value} is not a valid value for {key} option, please instead specify either a "
        "non-negative integer or a boolean value like yes/no or false/true which is "
        "equivalent to 1/0."
    )


def _count(value: str) -> int | None:
    try:
        return int(strtobool(value))
    except ValueError:
        pass
    try:
        number = int(value)
    except ValueError:
        return None
    return number if number >= 0 else None


def config_files(
    environ: Mapping[str, str],
    *,
    site_prefix: str | None,
    isolated: bool,
    home: Path,
    system_root: str = "/",
) -> tuple[tuple[str, str], ...]:
    """The files pip reads, ``(kind, path)`` lowest priority first (none for ``/dev/null``).
    ``system_root`` relocates ``/etc`` (for tests)."""
    etc = os.path.join(system_root, "etc")
    env_file = environ.get("PIP_CONFIG_FILE")
    if env_file == os.devnull:
        return ()
    files: list[tuple[str, str]] = []
    dirs = environ.get("XDG_CONFIG_DIRS", "")
    if not dirs.strip():
        dirs = os.path.join(etc, "xdg")
    for directory in dirs.split(os.pathsep):
        files.append(("global", os.path.join(directory, "pip", CONFIG_BASENAME)))
    files.append(("global", os.path.join(etc, CONFIG_BASENAME)))
    if not isolated and not (env_file and os.path.exists(env_file)):
        config_home = environ.get("XDG_CONFIG_HOME", "")
        if not config_home.strip():
            config_home = str(home / ".config")
        files.append(("user", str(home / ".pip" / CONFIG_BASENAME)))
        files.append(("user", os.path.join(config_home, "pip", CONFIG_BASENAME)))
    if site_prefix is not None:
        files.append(("site", os.path.join(site_prefix, CONFIG_BASENAME)))
    if env_file is not None:
        files.append(("env", env_file))
    return tuple(files)


def _read_file(path: str) -> Iterator[tuple[str, str, str]]:
    """``(section, normalized name, value)`` for every item of one file, as pip reads it
    (``RawConfigParser``: ``[DEFAULT]`` items appear in every section, no interpolation)."""
    if not os.path.exists(path):
        return
    import configparser  # only now: a few milliseconds, and most runs need none
    import locale

    class _RawConfigParser(configparser.RawConfigParser):
        # Names normalized as they are read, as in current pip: "index_url" and "index-url" in
        # one section are then a duplicate pip refuses (pip <= 24 took the later one).
        def optionxform(self, optionstr: str) -> str:
            return _normalize_name(optionstr)

    parser = _RawConfigParser()
    encoding = "utf-8" if sys.flags.utf8_mode else locale.getpreferredencoding(False)
    try:
        parser.read(path, encoding=encoding)
    except UnicodeDecodeError:
        raise PipConfigError(
            f"Configuration file contains invalid {encoding} characters: {path}"
        ) from None
    except configparser.Error as error:
        raise PipConfigError(f"Configuration file could not be loaded: {path}: {error}") from None
    for section in parser.sections():
        for name, value in parser.items(section):
            yield section, name, value


def _merged(
    files: Sequence[tuple[str, str]], environ: Mapping[str, str], isolated: bool
) -> dict[tuple[str, str], tuple[str, str]]:
    """Every value the files and ``PIP_*`` variables set: (section, name) -> (value, source),
    later files over earlier ones, as pip's ``Configuration`` loads them."""
    merged: dict[tuple[str, str], tuple[str, str]] = {}
    for _, path in files:
        for section, name, value in _read_file(path):
            merged[(section, name)] = (value, path)
    if not isolated:
        for variable, value in environ.items():
            if not variable.startswith("PIP_"):
                continue
            name = variable[4:].lower()
            if name not in _ENV_NAMES_IGNORED:
                source = f"environment variable {variable}"
                merged[(":env:", _normalize_name(name))] = (value, source)
    return merged


def load(
    command: str | None,
    environ: Mapping[str, str],
    *,
    site_prefix: str | None,
    isolated: bool,
    home: Path,
    system_root: str = "/",
) -> PipConfig:
    """What pip's configuration sets for ``command``'s parser (None: the main parser).

    ``site_prefix`` is ``sys.prefix`` of the interpreter pip will run on (None: no site file);
    ``isolated`` should be :attr:`safepip.pip.argv.PipArgs.config_isolated` (the main parser is
    never isolated); ``home`` stands for ``~``; ``system_root`` relocates ``/etc`` (for
    tests). Raises :class:`PipConfigError` for a file pip
    cannot parse (pip would stop with exit status 2 whatever the command)."""
    if command is None:
        isolated = False
    files = config_files(
        environ, site_prefix=site_prefix, isolated=isolated, home=home, system_root=system_root
    )
    merged = _merged(files, environ, isolated)
    parser = command if command is not None and is_command(command) else None
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    errors: list[str] = []
    sections = list(dict.fromkeys(("global", command or "global", ":env:")))
    for wanted in sections:
        for (section, name), (value, source) in merged.items():
            if section != wanted or not value:
                continue
            spec = option_spec(parser, "--" + name)
            if spec is None:
                continue
            key = spec.canonical[2:] if spec.canonical.startswith("--") else spec.canonical
            values.pop(key, None)
            sources.pop(key, None)
            values[key] = value
            sources[key] = source
            if spec.kind == "flag" and value.lower() not in _TRUE + _FALSE:
                errors.append(_bool_error(name, value))
            elif spec.kind == "count" and _count(value) is None:
                errors.append(_count_error(name, value))
    return PipConfig(command, values, sources, files, tuple(errors))


def for_command(pip_args: PipArgs, probe: Probe, env: Environment, command: str) -> PipConfig:
    """What pip's configuration sets for ``command`` where pip runs on the interpreter of
    ``probe`` with this command line (its ``--isolated``)."""
    isolated = pip_args.config_isolated
    return load(command, env.environ, site_prefix=probe.prefix, isolated=isolated, home=env.home)


def no_input(pip_args: PipArgs, probe: Probe, env: Environment) -> bool:
    """``--no-input``, ``PIP_NO_INPUT`` or pip's config ``no-input``: pip asks nothing, nor does
    safepip (a broken config says nothing here: pip itself says so)."""
    if pip_args.has("--no-input"):
        return True
    try:
        return for_command(pip_args, probe, env, pip_args.command or "install").flag("no-input")
    except PipConfigError:
        return False
