"""``safepip shell-init bash|zsh|fish``: shell functions ``pip`` and ``pip3`` that run safepip,
and activate the ``.venv`` safepip installed into, in the shell the user typed ``pip`` in; and
``python``/``python3``/``python3.X`` functions that turn ``-m pip ...`` into ``safepip --python
<that interpreter> ...`` and run the interpreter itself (``command python3``) for anything else.

Activation is driven by safepip, never by parsing its output: the function makes a temporary file
(``mktemp``), names it in :data:`ACTIVATE_VARIABLE`, and after safepip exits sources
``<venv>/bin/activate`` (``activate.fish``) for the venv path safepip wrote there, then removes
the file. safepip writes it with :func:`write_activation`, only after a successful redirect.
"""

from __future__ import annotations

import os
import shlex
import stat
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from safepip.environment import Environment
from safepip.paths import same_path
from safepip.programs import which

#: Names the file the shell function reads the venv to activate from.
ACTIVATE_VARIABLE = "SAFEPIP_ACTIVATE_FILE"
SHELLS = ("bash", "zsh", "fish")
#: The shell commands that become safepip.
WRAPPED = ("pip", "pip3")
#: The interpreters whose ``-m pip`` becomes ``safepip --python THAT-INTERPRETER``; anything
#: else they are asked to do runs them unchanged (``command python3 ...``).
PYTHONS = ("python", "python3", *(f"python3.{minor}" for minor in range(8, 16)))

_POSIX = """\
# safepip shell integration ({shell}): eval "$(safepip shell-init {shell})"
# pip and pip3 run safepip; after safepip installed into a project's .venv, it is activated here.
unalias {names} 2>/dev/null || true
__safepip_run() {{
    local __safepip_file __safepip_venv __safepip_status=0
    __safepip_file=$(mktemp "${{TMPDIR:-/tmp}}/safepip-activate.XXXXXXXXXX" 2>/dev/null) ||
        __safepip_file=
    if [ -x {first} ]; then
        {variable}="$__safepip_file" {command} "$@" || __safepip_status=$?
    else
        {variable}="$__safepip_file" command safepip "$@" || __safepip_status=$?
    fi
    if [ -n "$__safepip_file" ]; then
        if [ -s "$__safepip_file" ]; then
            IFS= read -r __safepip_venv < "$__safepip_file" || true
            if [ "${{VIRTUAL_ENV:-}}" != "$__safepip_venv" ] &&
                [ -f "$__safepip_venv/bin/activate" ]; then
                . "$__safepip_venv/bin/activate"
            fi
        fi
        rm -f -- "$__safepip_file"
    fi
    return "$__safepip_status"
}}
__safepip_python() {{
    local __safepip_name=$1 __safepip_py=
    shift
    if [ "${{1-}}" = -m ] && [ "${{2-}}" = pip ]; then
        __safepip_py=$(unset -f "$__safepip_name"; command -v "$__safepip_name" 2>/dev/null) ||
            __safepip_py=
        case $__safepip_py in
            /*) shift 2; __safepip_run --python "$__safepip_py" "$@"; return ;;
        esac
    fi
    command "$__safepip_name" "$@"
}}
{functions}
"""

_POSIX_FUNCTION = 'function {name} {{ __safepip_run "$@"; }}'
_POSIX_PYTHON = 'function {name} {{ __safepip_python {name} "$@"; }}'

_FISH = """\
# safepip shell integration (fish): safepip shell-init fish | source
# pip and pip3 run safepip; after safepip installed into a project's .venv, it is activated here.
function __safepip_run
    set -l __safepip_tmp /tmp
    if set -q TMPDIR; and test -n "$TMPDIR"
        set __safepip_tmp $TMPDIR
    end
    set -l __safepip_file (mktemp "$__safepip_tmp/safepip-activate.XXXXXXXXXX" 2>/dev/null)
    or set __safepip_file ""
    set -lx {variable} $__safepip_file
    if test -x {first}
        {command} $argv
    else
        command safepip $argv
    end
    set -l __safepip_status $status
    set -e {variable}
    if test -n "$__safepip_file"
        if test -s "$__safepip_file"
            read -l __safepip_venv < "$__safepip_file"
            if test "$VIRTUAL_ENV" != "$__safepip_venv"
                and test -f "$__safepip_venv/bin/activate.fish"
                source "$__safepip_venv/bin/activate.fish"
            end
        end
        rm -f -- "$__safepip_file"
    end
    return $__safepip_status
end
function __safepip_python
    set -l __safepip_name $argv[1]
    set -e argv[1]
    if test (count $argv) -ge 2; and test "$argv[1]" = -m; and test "$argv[2]" = pip
        set -l __safepip_py (command -s $__safepip_name)
        if string match -q '/*' -- "$__safepip_py"
            set -e argv[1]
            set -e argv[1]
            __safepip_run --python $__safepip_py $argv
            return $status
        end
    end
    command $__safepip_name $argv
end
{functions}
"""

_FISH_FUNCTION = """\
function {name} --description 'pip through safepip'
    __safepip_run $argv
end"""

_FISH_PYTHON = """\
function {name} --wraps {name} --description '{name}; -m pip through safepip'
    __safepip_python {name} $argv
end"""


def safepip_command(env: Environment) -> list[str]:
    """How the shell should start this safepip: the console script that is running (as invoked,
    symlinks kept, so that reinstalling it in place keeps working), else the ``safepip`` on
    PATH, else this interpreter with ``-m safepip``."""
    argv0 = sys.argv[0] if sys.argv else ""
    if os.path.basename(argv0) == "safepip" and os.path.isfile(argv0) and os.access(argv0, os.X_OK):
        return [os.path.abspath(argv0)]
    found = which("safepip", env.environ.get("PATH", os.defpath))
    if found:
        return [os.path.abspath(found)]
    return [os.path.abspath(env.own_executable), "-m", "safepip"]


def _fish_quote(text: str) -> str:
    """fish's single quotes: only ``\\`` and ``\'`` are escapes inside them."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def script(shell: str, command: Sequence[str]) -> str:
    """The code for ``shell`` that wraps ``pip``/``pip3`` around ``command`` (an argv prefix)."""
    if shell == "fish":
        quote: Callable[[str], str] = _fish_quote
        pythons = [_FISH_PYTHON.format(name=name) for name in PYTHONS]
        functions = "\n".join([*(_FISH_FUNCTION.format(name=n) for n in WRAPPED), *pythons])
        template = _FISH
    else:
        quote = shlex.quote
        pythons = [_POSIX_PYTHON.format(name=name) for name in PYTHONS]
        functions = "\n".join([*(_POSIX_FUNCTION.format(name=n) for n in WRAPPED), *pythons])
        template = _POSIX
    return template.format(
        shell=shell,
        names=" ".join(WRAPPED),
        first=quote(command[0]),
        command=" ".join(quote(part) for part in command),
        variable=ACTIVATE_VARIABLE,
        functions=functions,
    )


def write_activation(env: Environment, venv: Path) -> bool:
    """Tell the calling shell function to activate ``venv``; return whether it was told.

    Only when :data:`ACTIVATE_VARIABLE` names an absolute path to a regular file (not a symlink)
    owned by the current user, that venv has an activate script, and it is not already the
    active venv. Never creates, follows or raises.
    """
    name = env.environ.get(ACTIVATE_VARIABLE, "")
    if not name or not os.path.isabs(name):
        return False
    active = env.environ.get("VIRTUAL_ENV", "")
    if active and same_path(active, venv):
        return False
    text = os.path.abspath(venv)
    if "\n" in text or not os.path.isfile(os.path.join(text, "bin", "activate")):
        return False
    flags = os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(name, flags)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return False
        os.ftruncate(fd, 0)
        data = os.fsencode(text + "\n")
        while data:
            data = data[os.write(fd, data) :]
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
