"""Build fixture distributions (wheels and sdists) quickly, with the standard library only.

No setuptools, no ``wheel`` package, no network: the zip archive is written by hand, with a valid
``.dist-info`` (METADATA 2.1, WHEEL, RECORD with sha256, entry_points.txt, top_level.txt) and
optional ``<dist>-<version>.data/scripts/`` files.

Sdists carry an in-tree PEP 517 backend (``backend-path = ["."]``, ``requires = []``) that imports a
copy of *this very file* to build the wheel, so pip builds them offline in its isolated build
environment.  This module is therefore self-contained and must stay importable on Python 3.9 with
nothing but the standard library.
"""

from __future__ import annotations

import base64
import calendar
import gzip
import hashlib
import io
import json
import random
import re
import tarfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "About",
    "build_sdist",
    "build_wheel",
    "dist_filename_part",
    "normalize_name",
]

#: Every archive member gets this timestamp, so the same inputs give byte-identical archives.
_EPOCH = (2020, 2, 2, 0, 0, 0)
_EPOCH_SECONDS = calendar.timegm((*_EPOCH, 0, 0, 0))

_BACKEND_MODULE = "_fixture_backend"
_WHEELS_MODULE = "_fixture_wheels"
_SPEC_FILE = "fixture.json"

_BACKEND_SOURCE = '''\
"""In-tree PEP 517 backend of a safepip test fixture (builds with tests/support/wheels.py)."""
import json
import sys
from pathlib import Path

import _fixture_wheels

_HERE = Path(__file__).resolve().parent


def _spec():
    return json.loads((_HERE / "fixture.json").read_text(encoding="utf-8"))


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _fixture_wheels._write_dist_info_dir(Path(metadata_directory), _spec())


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    spec = _spec()
    if spec.get("fail_build"):
        print("error: simulated build failure of fixture %s" % spec["name"], file=sys.stderr)
        raise RuntimeError("simulated build failure of fixture %s" % spec["name"])
    return _fixture_wheels._build_wheel_from_spec(Path(wheel_directory), spec).name


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """PEP 660: the fixture's modules are generated, so its editable wheel is its wheel."""
    return build_wheel(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory, config_settings=None):
    return _fixture_wheels._build_sdist_from_spec(Path(sdist_directory), _spec()).name
'''


def normalize_name(name: str) -> str:
    """PEP 503 normalised project name: ``Foo.Bar_baz`` -> ``foo-bar-baz``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def dist_filename_part(name: str) -> str:
    """The project name as it appears in wheel/sdist file names: ``Foo-Bar`` -> ``foo_bar``."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode("ascii")


@dataclass(frozen=True)
class About:
    """What a fixture's METADATA says of it: its summary (default "safepip test fixture
    NAME", which says nothing of what it is), classifiers and long description."""

    summary: str = ""
    description: str = ""
    classifiers: tuple[str, ...] = ()


def _make_spec(
    name: str,
    version: str,
    *,
    modules: Mapping[str, str] | None,
    console_scripts: Mapping[str, str],
    gui_scripts: Mapping[str, str],
    data_scripts: Mapping[str, str | bytes],
    requires: Sequence[str],
    extras: Mapping[str, Sequence[str]],
    requires_python: str | None,
    tag: str,
    padding_bytes: int,
    fail_build: bool = False,
    about: About | None = None,
) -> dict[str, Any]:
    """A JSON-able description of a distribution: what the sdist's backend builds from."""
    if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?", name):
        raise ValueError(f"invalid project name {name!r}")
    scripts: dict[str, str] = {}
    for fname, content in data_scripts.items():
        raw = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        scripts[fname] = base64.b64encode(raw).decode("ascii")
    return {
        "name": name,
        "version": version,
        "modules": None if modules is None else dict(modules),
        "console_scripts": dict(console_scripts),
        "gui_scripts": dict(gui_scripts),
        "data_scripts": scripts,
        "requires": list(requires),
        "extras": {extra: list(reqs) for extra, reqs in extras.items()},
        "requires_python": requires_python,
        "tag": tag,
        "padding_bytes": int(padding_bytes),
        "fail_build": bool(fail_build),
        "summary": (about or About()).summary or f"safepip test fixture {name}",
        "description": (about or About()).description,
        "classifiers": list((about or About()).classifiers),
    }


def _package_name(spec: Mapping[str, Any]) -> str:
    return str(spec["name"]).replace("-", "_").replace(".", "_").lower()


def _module_files(spec: Mapping[str, Any]) -> dict[str, str]:
    """Source files of the distribution, entry-point targets generated when missing.

    Without ``modules`` there is one package named after the project with ``__version__``.  Any
    ``module:func`` named by a console or gui script whose module is not among the files gets a
    generated module (or, for the package itself, a function appended to its ``__init__.py``) that
    prints ``"<command> <version>"`` and returns 0.
    """
    files: dict[str, str]
    if spec["modules"] is None:
        files = {f"{_package_name(spec)}/__init__.py": f'__version__ = "{spec["version"]}"\n'}
    else:
        files = dict(spec["modules"])
    entry_points = {**spec["console_scripts"], **spec["gui_scripts"]}
    for command, target in entry_points.items():
        module, _, attr = target.partition(":")
        func = attr.split(".")[0].strip()
        module_path = module.strip().replace(".", "/")
        if not func or not module_path:
            raise ValueError(f"entry point {command} = {target!r} is not 'module:func'")
        if f"{module_path}.py" in files:
            continue
        init = f"{module_path}/__init__.py"
        message = f"{command} {spec['version']}"
        generated = f"\n\ndef {func}():\n    print({message!r})\n    return 0\n"
        if init in files:
            if re.search(rf"^def {re.escape(func)}\b|^{re.escape(func)}\s*=", files[init], re.M):
                continue
            if spec["modules"] is not None:
                continue  # the caller wrote this module: theirs to get right
            files[init] += generated
        else:
            files[f"{module_path}.py"] = generated.lstrip("\n")
            # make sure every parent package exists
            parts = module_path.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                files.setdefault("/".join(parts[:depth]) + "/__init__.py", "")
    return files


def _metadata_text(spec: Mapping[str, Any]) -> str:
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {spec['name']}",
        f"Version: {spec['version']}",
        f"Summary: {spec.get('summary') or 'safepip test fixture ' + spec['name']}",
    ]
    lines += [f"Classifier: {c}" for c in spec.get("classifiers", [])]
    if spec["requires_python"]:
        lines.append(f"Requires-Python: {spec['requires_python']}")
    for req in spec["requires"]:
        lines.append(f"Requires-Dist: {req}")
    for extra, reqs in spec["extras"].items():
        lines.append(f"Provides-Extra: {extra}")
        for req in reqs:
            requirement, sep, marker = req.partition(";")
            if sep and marker.strip():
                full_marker = f'({marker.strip()}) and extra == "{extra}"'
            else:
                full_marker = f'extra == "{extra}"'
            lines.append(f"Requires-Dist: {requirement.strip()}; {full_marker}")
    return "\n".join(lines) + "\n\n" + str(spec.get("description", ""))


def _wheel_text(tag: str) -> str:
    pythons, abis, platforms = tag.split("-")
    purelib = abis == "none" and platforms == "any"
    lines = [
        "Wheel-Version: 1.0",
        "Generator: safepip-tests-wheels (1.0)",
        f"Root-Is-Purelib: {'true' if purelib else 'false'}",
    ]
    for py in pythons.split("."):
        for abi in abis.split("."):
            for plat in platforms.split("."):
                lines.append(f"Tag: {py}-{abi}-{plat}")
    return "\n".join(lines) + "\n\n"


def _entry_points_text(spec: Mapping[str, Any]) -> str | None:
    sections = []
    for group in ("console_scripts", "gui_scripts"):
        if spec[group]:
            body = "".join(f"{cmd} = {target}\n" for cmd, target in spec[group].items())
            sections.append(f"[{group}]\n{body}")
    return "\n".join(sections) if sections else None


def _top_level(files: Mapping[str, str]) -> list[str]:
    tops = set()
    for path in files:
        head = path.split("/")[0]
        if path.endswith(".py") or "/" in path:
            tops.add(head[:-3] if head.endswith(".py") else head)
    return sorted(tops)


def _dist_info_files(spec: Mapping[str, Any], files: Mapping[str, str]) -> dict[str, str]:
    """``.dist-info`` members other than WHEEL and RECORD."""
    out = {"METADATA": _metadata_text(spec)}
    entry_points = _entry_points_text(spec)
    if entry_points is not None:
        out["entry_points.txt"] = entry_points
    tops = _top_level(files)
    if tops:
        out["top_level.txt"] = "".join(f"{top}\n" for top in tops)
    return out


def _dist_info_name(spec: Mapping[str, Any]) -> str:
    return f"{dist_filename_part(spec['name'])}-{spec['version']}.dist-info"


def _write_dist_info_dir(metadata_directory: Path, spec: Mapping[str, Any]) -> str:
    """PEP 517 ``prepare_metadata_for_build_wheel``: write the .dist-info, return its name."""
    name = _dist_info_name(spec)
    folder = metadata_directory / name
    folder.mkdir(parents=True, exist_ok=True)
    members = _dist_info_files(spec, _module_files(spec))
    members["WHEEL"] = _wheel_text(spec["tag"])
    for member, text in members.items():
        (folder / member).write_text(text, encoding="utf-8")
    return name


def _padding(spec: Mapping[str, Any]) -> bytes:
    # deterministic and incompressible: same wheel (and sha256) every build
    rng = random.Random(f"{spec['name']}-{spec['version']}")
    return rng.getrandbits(8 * spec["padding_bytes"]).to_bytes(spec["padding_bytes"], "little")


def _zip_info(arcname: str, *, executable: bool = False, stored: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(arcname, date_time=_EPOCH)
    info.external_attr = ((0o755 if executable else 0o644) | 0o100000) << 16
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    return info


def _build_wheel_from_spec(dest: Path, spec: Mapping[str, Any]) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    dist = dist_filename_part(spec["name"])
    version = spec["version"]
    path = dest / f"{dist}-{version}-{spec['tag']}.whl"
    dist_info = _dist_info_name(spec)
    data_dir = f"{dist}-{version}.data"
    files = _module_files(spec)

    # (arcname, data, executable, stored)
    members: list[tuple[str, bytes, bool, bool]] = []
    for rel, source in sorted(files.items()):
        members.append((rel, source.encode("utf-8"), False, False))
    if spec["padding_bytes"]:
        members.append((f"{_package_name(spec)}/_padding.bin", _padding(spec), False, True))
    for fname, b64 in sorted(spec["data_scripts"].items()):
        members.append((f"{data_dir}/scripts/{fname}", base64.b64decode(b64), True, False))
    for member, text in _dist_info_files(spec, files).items():
        members.append((f"{dist_info}/{member}", text.encode("utf-8"), False, False))
    members.append((f"{dist_info}/WHEEL", _wheel_text(spec["tag"]).encode("utf-8"), False, False))

    record = io.StringIO()
    for arcname, data, _, _ in members:
        record.write(f"{arcname},{_record_hash(data)},{len(data)}\n")
    record.write(f"{dist_info}/RECORD,,\n")

    tmp = path.with_name(path.name + ".part")
    with zipfile.ZipFile(tmp, "w") as zf:
        for arcname, data, executable, stored in members:
            zf.writestr(_zip_info(arcname, executable=executable, stored=stored), data)
        zf.writestr(_zip_info(f"{dist_info}/RECORD"), record.getvalue().encode("utf-8"))
    tmp.replace(path)
    return path


def _pkg_info_text(spec: Mapping[str, Any]) -> str:
    return _metadata_text(spec)


def _pyproject_text(spec: Mapping[str, Any]) -> str:
    return (
        "[build-system]\n"
        "requires = []\n"
        f'build-backend = "{_BACKEND_MODULE}"\n'
        'backend-path = ["."]\n'
    )


def _build_sdist_from_spec(dest: Path, spec: Mapping[str, Any]) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    base = f"{dist_filename_part(spec['name'])}-{spec['version']}"
    path = dest / f"{base}.tar.gz"
    members = {
        "PKG-INFO": _pkg_info_text(spec).encode("utf-8"),
        "pyproject.toml": _pyproject_text(spec).encode("utf-8"),
        f"{_BACKEND_MODULE}.py": _BACKEND_SOURCE.encode("utf-8"),
        f"{_WHEELS_MODULE}.py": Path(__file__).read_bytes(),
        _SPEC_FILE: (json.dumps(spec, indent=1, sort_keys=True) + "\n").encode("utf-8"),
    }
    tmp = path.with_name(path.name + ".part")
    # mtime=0 in the gzip header keeps the archive byte-identical across builds
    with (
        open(tmp, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        dir_info = tarfile.TarInfo(base)
        dir_info.type = tarfile.DIRTYPE
        dir_info.mode = 0o755
        dir_info.mtime = _EPOCH_SECONDS
        tar.addfile(dir_info)
        for name, data in members.items():
            info = tarfile.TarInfo(f"{base}/{name}")
            info.size = len(data)
            info.mode = 0o644
            info.mtime = _EPOCH_SECONDS
            tar.addfile(info, io.BytesIO(data))
    tmp.replace(path)
    return path


def build_wheel(
    dest: Path,
    name: str,
    version: str = "1.0",
    *,
    modules: Mapping[str, str] | None = None,
    console_scripts: Mapping[str, str] = {},
    gui_scripts: Mapping[str, str] = {},
    data_scripts: Mapping[str, str | bytes] = {},
    requires: Sequence[str] = (),
    extras: Mapping[str, Sequence[str]] = {},
    requires_python: str | None = None,
    tag: str = "py3-none-any",
    padding_bytes: int = 0,
    about: About | None = None,
) -> Path:
    """Write ``<dist>-<version>-<tag>.whl`` into ``dest`` and return its path.

    ``modules`` maps archive paths (``pkg/__init__.py``) to source; by default one package named
    after the project (``-`` -> ``_``) holding ``__version__``.  Console/gui script targets
    (``"module:func"``) whose module is missing are generated: they print ``"<command> <version>"``.
    ``data_scripts`` are installed into the environment's ``bin/`` (mode 755; a ``#!python``
    shebang is rewritten by the installer).  ``padding_bytes`` adds an incompressible file
    ``<pkg>/_padding.bin``, stored uncompressed, for large-download tests.
    """
    spec = _make_spec(
        name,
        version,
        modules=modules,
        console_scripts=console_scripts,
        gui_scripts=gui_scripts,
        data_scripts=data_scripts,
        requires=requires,
        extras=extras,
        requires_python=requires_python,
        tag=tag,
        padding_bytes=padding_bytes,
        about=about,
    )
    return _build_wheel_from_spec(Path(dest), spec)


def build_sdist(
    dest: Path,
    name: str,
    version: str = "1.0",
    *,
    modules: Mapping[str, str] | None = None,
    console_scripts: Mapping[str, str] = {},
    gui_scripts: Mapping[str, str] = {},
    data_scripts: Mapping[str, str | bytes] = {},
    requires: Sequence[str] = (),
    extras: Mapping[str, Sequence[str]] = {},
    requires_python: str | None = None,
    tag: str = "py3-none-any",
    padding_bytes: int = 0,
    fail_build: bool = False,
    about: About | None = None,
) -> Path:
    """Write ``<dist>-<version>.tar.gz`` into ``dest`` and return its path.

    The sdist builds with an in-tree PEP 517 backend and no build requirements, producing the
    same wheel as :func:`build_wheel` with the same arguments.  ``fail_build=True`` makes the
    backend's ``build_wheel`` hook raise (metadata preparation still succeeds, as with a real
    package whose compilation fails).
    """
    spec = _make_spec(
        name,
        version,
        modules=modules,
        console_scripts=console_scripts,
        gui_scripts=gui_scripts,
        data_scripts=data_scripts,
        requires=requires,
        extras=extras,
        requires_python=requires_python,
        tag=tag,
        padding_bytes=padding_bytes,
        fail_build=fail_build,
        about=about,
    )
    return _build_sdist_from_spec(Path(dest), spec)
