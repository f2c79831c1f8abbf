"""An sdist built as pip would build it (``pip wheel --no-deps``, build isolation on), to read
the wheel it makes; the wheel is kept in safepip's cache and reused for the same version.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from packaging.tags import Tag
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from safepip.child_environ import SDIST_BUILD
from safepip.exceptions import SdistBuildFailed
from safepip.inspect.index import DEFAULT_TIMEOUT
from safepip.inspect.wheel import WheelInfo, read_local_wheel
from safepip.names import canonicalize_name
from safepip.pip.index_options import IndexOptions
from safepip.process import run_captured

DEFAULT_BUILD_TIMEOUT = 900.0


def _cached_build(wheel_dir: Path, name: str, version: str, tags: Sequence[Tag]) -> Path | None:
    if not wheel_dir.is_dir():
        return None
    supported = set(tags)
    for path in sorted(wheel_dir.glob("*.whl")):
        try:
            wheel_name, wheel_version, _, wheel_tags = parse_wheel_filename(path.name)
        except InvalidWheelFilename:
            continue
        if wheel_name == name and str(wheel_version) == version and wheel_tags & supported:
            return path
    return None


#: pip's own lines around a failed build, which say that it failed but not why.
_PIPS_OWN = re.compile(r"subprocess-exited-with-error|Failed (?:building|to build)|^ERROR: ")


def _cause(output: str) -> str:
    """The one line of a failed build that says why: a compiler's ``fatal error:``, else the
    build's own exception (``RuntimeError: ...``), else its first ``error:`` line, else the
    last line (pip's own "it failed" lines never)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    own = [line for line in lines if not _PIPS_OWN.search(line)]
    fatal = [line for line in own if "fatal error:" in line]
    raised = [line for line in own if re.match(r"\w*(?:Error|Exception)\b.*: ", line)]
    errors = [line for line in own if re.search(r"\berror:", line, re.I)]
    cause = (fatal[:1] or raised[-1:] or errors[:1] or lines[-1:] or ["no output"])[0]
    return cause if len(cause) <= 120 else cause[:117] + "..."


def _keep_log(cache_dir: Path, name: str, output: str) -> Path:
    """pip's whole output of a failed build, kept for the curious (``-v`` names the file)."""
    logs = cache_dir / "build-logs"
    logs.mkdir(parents=True, exist_ok=True)
    path = logs / f"{canonicalize_name(name)}.log"
    path.write_text(output, encoding="utf-8", errors="replace")
    return path


def _run_build(
    command: list[str], target: str, environ: Mapping[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """``pip wheel``'s status and output (stderr in stdout), run in ``environ`` as
    :data:`~safepip.child_environ.SDIST_BUILD` has it; :class:`SdistBuildFailed` where it
    cannot start or takes longer than ``timeout``."""
    try:
        return run_captured(
            command, environ=environ, policy=SDIST_BUILD, timeout=timeout, merge_stderr=True
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SdistBuildFailed(f"cannot build {target}: {exc}") from exc


def build_sdist_metadata(
    target: str,
    *,
    pip_python: str,
    options: IndexOptions,
    cache_dir: Path,
    name: str | None = None,
    version: str | None = None,
    tags: Sequence[Tag] = (),
    timeout: float = DEFAULT_TIMEOUT,
    build_timeout: float = DEFAULT_BUILD_TIMEOUT,
    environ: Mapping[str, str] | None = None,
) -> WheelInfo:
    """Build ``target`` (an sdist URL or path, or a PEP 508 direct reference) as pip would.

    Runs ``<pip_python> -m pip wheel --no-deps`` (with build isolation, pip's default) and the
    ``options``; the wheel is kept in ``<cache_dir>/wheels`` and returned as ``full_download``.
    With ``name`` and ``version``, a wheel built before that fits ``tags`` is reused.
    Raises :class:`SdistBuildFailed`.
    """
    wheel_dir = cache_dir / "wheels"
    if name and version:
        cached = _cached_build(wheel_dir, canonicalize_name(name), version, tags)
        if cached is not None:
            return replace(read_local_wheel(cached), full_download=cached)
    wheel_dir.mkdir(parents=True, exist_ok=True)
    build_dir = Path(tempfile.mkdtemp(prefix="build-", dir=cache_dir))
    command = [pip_python, "-m", "pip", "wheel", "--no-deps", "--no-input"]
    command += ["--disable-pip-version-check", "--timeout", str(timeout), "-w", str(build_dir)]
    command += [*options.pip_args(), target]
    try:
        result = _run_build(
            command, target, os.environ if environ is None else environ, build_timeout
        )
        built = sorted(build_dir.glob("*.whl"))
        if result.returncode != 0 or len(built) != 1:
            log = _keep_log(cache_dir, name or "sdist", result.stdout)
            raise SdistBuildFailed(
                f"its sdist did not build: {_cause(result.stdout)} (pip's output: {log})",
                hint="the same build would fail on install",
            )
        final = wheel_dir / built[0].name
        os.replace(built[0], final)
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)
    return replace(read_local_wheel(final), full_download=final)
