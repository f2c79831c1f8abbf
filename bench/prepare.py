"""Set-up for bench/run.py: the wheel cache, safepip installed as a user has it, environments."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from packaging.version import InvalidVersion, Version
from support import build_wheel, parse_dist_filename
from support.environ import hermetic_env

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CACHE = BENCH_DIR / ".cache"
WHEELS = CACHE / "wheels"
GENERATED = CACHE / "generated"
RESULTS = BENCH_DIR / "RESULTS.md"
MANAGED = "/usr/bin/python3"
PIPX = "/usr/bin/pipx"
DEV_PYTHON = ROOT / ".venv" / "bin" / "python"
#: uv for scenario 7: the one the development venv has (``pip install -e '.[test]'``).
UV = ROOT / ".venv" / "bin" / "uv"
MB = 1024 * 1024
BIGAPP_PADDING = 50 * MB

#: Scenario 8's requirements file: 30 distinct distributions whose wheels (pure Python, plus
#: manylinux wheels for charset-normalizer, markupsafe and pyyaml) resolve together for
#: CPython 3.11 and need nothing outside this list.
REQUIREMENTS_30 = (
    "requests", "urllib3", "idna", "certifi", "charset-normalizer",
    "click", "rich", "markdown-it-py", "mdurl", "pygments",
    "attrs", "jinja2", "markupsafe", "pyyaml", "packaging",
    "six", "python-dateutil", "pytz", "tzdata", "typing-extensions",
    "pytest", "pluggy", "iniconfig", "flask", "werkzeug",
    "itsdangerous", "blinker", "platformdirs", "filelock", "tabulate",
)  # fmt: skip
#: What the other scenarios install or inspect.
OTHERS = ("requests", "black", "numpy")
#: Scenario 9 decides these 40 named requirements in one ``explain``: scenario 8's 30 and 10
#: more libraries with helper commands and applications (their wheels alone: --no-deps).
MORE_10 = (
    "httpie", "ruff", "tox", "poetry", "django", "sympy", "fonttools", "tqdm", "faker", "twine",
)  # fmt: skip
EXPLAIN_40 = (*REQUIREMENTS_30, *MORE_10)


def normalize(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def cached_versions() -> dict[str, list[str]]:
    """Normalized name -> versions of the wheels in ``bench/.cache/wheels``."""
    found: dict[str, list[str]] = {}
    for path in WHEELS.glob("*.whl"):
        parsed = parse_dist_filename(path.name)
        if parsed is not None:
            found.setdefault(normalize(parsed[0]), []).append(parsed[1])
    return found


def _newest(versions: list[str]) -> str:
    def key(text: str) -> tuple[int, Version | str]:
        try:
            return (1, Version(text))
        except InvalidVersion:
            return (0, text)

    return max(versions, key=key)


def fill_cache() -> list[Path]:
    """Real wheels (downloaded once from PyPI) plus the generated bigapp wheel."""
    WHEELS.mkdir(parents=True, exist_ok=True)
    wanted = {normalize(n) for n in (*OTHERS, *REQUIREMENTS_30, *MORE_10)}
    missing = sorted(wanted - set(cached_versions()))
    if missing:
        print(f"filling bench/.cache/wheels from PyPI (once; missing {missing}) ...", flush=True)
        env = dict(os.environ, PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
        # resolved separately, as they are installed; the 10 only looked at: their wheels
        for group, more in ((OTHERS, ()), (REQUIREMENTS_30, ()), (MORE_10, ("--no-deps",))):
            subprocess.run(
                [str(DEV_PYTHON), "-m", "pip", "download", "-q", "--only-binary=:all:",
                 "--python-version", "3.11", "--platform", "manylinux2014_x86_64",
                 *more, "-d", str(WHEELS), *group],
                check=True, env=env, stdin=subprocess.DEVNULL,
            )  # fmt: skip
    GENERATED.mkdir(parents=True, exist_ok=True)
    big = list(GENERATED.glob("bigapp-*.whl"))
    if not big:
        print("building the ~50 MB bigapp wheel ...", flush=True)
        big = [
            build_wheel(
                GENERATED,
                "bigapp",
                "1.0",
                console_scripts={"bigapp": "bigapp:main"},
                padding_bytes=BIGAPP_PADDING,
            )
        ]
    return sorted(WHEELS.glob("*.whl")) + big


def requirements_30() -> str:
    """The requirements file of scenario 8: each of the 30 pinned to its newest cached wheel."""
    versions = cached_versions()
    return "".join(f"{n}=={_newest(versions[normalize(n)])}\n" for n in REQUIREMENTS_30)


def clean_env(home: Path, index_url: str, safepip: list[str] | None = None) -> dict[str, str]:
    """As the tests': hermetic pip, HOME/XDG under ``home``, /usr/bin first on PATH; with
    ``safepip``, its command's folder (install.py's ``~/.local/bin``) on PATH too."""
    env = hermetic_env(home, index_url, path_first=("/usr/bin",))
    if safepip:
        env["PATH"] = f"{env['PATH']}:{Path(safepip[0]).parent}"
    return env


def install_safepip(tmp: Path, index_url: str) -> tuple[list[str], str]:
    """Run the README's set-up command (``python3 install.py``) against the local index; the
    command is the ``~/.local/bin/safepip`` it links (a console script or a sh launcher), run by
    that path as a user's shell would find it. Returns the command and its version line."""
    home = tmp / "self"
    env = dict(clean_env(home, index_url), XDG_DATA_HOME=str(home / "data"))
    done = subprocess.run([MANAGED, str(ROOT / "install.py")], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"install.py failed:\n{done.stdout}{done.stderr}")
    link = home / ".local" / "bin" / "safepip"
    command = link if link.exists() else home / "data" / "safepip" / "venv" / "bin" / "safepip"
    check = subprocess.run([str(command), "--version"], env=clean_env(tmp / "vhome", index_url),
                           stdin=subprocess.DEVNULL, capture_output=True, text=True)  # fmt: skip
    if check.returncode != 0:
        raise RuntimeError(f"{command} --version failed:\n{check.stdout}{check.stderr}")
    said = check.stdout.splitlines()
    return [str(command)], next((x for x in said if x.startswith("safepip")), "?")


def describe_command(command: str) -> str:
    """What the safepip command is: the link, its target and the kind of launcher (HOME as ~)."""
    path = Path(command)
    target = path.resolve()
    try:
        head = target.read_bytes()[:400]
    except OSError:
        head = b"?"
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace")
    if "python" in first or b"\n'''exec' " in head:  # pip's sh trampoline for long paths
        kind = f"Python console script (`{first}`)"
    elif first.startswith("#!") and first.split()[0].endswith("/sh"):
        kind = f"POSIX sh launcher (`{first}`)"
    else:
        kind = f"launcher starting `{first}`"
    text = f"{path} -> {target}, a {kind}" if path.is_symlink() else f"{path}, a {kind}"
    if path.parent.name == "bin" and path.parent.parent.name == ".local":
        text = text.replace(str(path.parent.parent.parent), "~")
    return text


def make_venv(path: Path, env: dict[str, str]) -> None:
    subprocess.run([MANAGED, "-m", "venv", str(path)], env=env, check=True,
                   stdin=subprocess.DEVNULL, capture_output=True)  # fmt: skip


def pip_install(venv: Path, env: dict[str, str], *reqs: str) -> None:
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *reqs], env=env, check=True,
                   stdin=subprocess.DEVNULL, capture_output=True)  # fmt: skip


def installed_names(venv: Path) -> set[str]:
    """Normalized names of the distributions in ``venv``'s site-packages."""
    names: set[str] = set()
    for info in venv.glob("lib/python*/site-packages/*.dist-info"):
        names.add(normalize(info.name[: -len(".dist-info")].rsplit("-", 1)[0]))
    return names
