"""Record what the real wheels of shared/cases' packages say of themselves, for the offline
tests that rebuild them as fixtures (``tests/support/tables.py``).

    .venv/bin/python tests/support/record_tables.py     # needs the package index, once

For every package of routing.tsv, libraries.tsv and homes.tsv (and the applications the
plugins of homes.tsv belong to, and ansible's part), the newest wheel pip would pick for
CPython 3.11 on manylinux x86_64 is downloaded (``pip download --no-deps``), and its METADATA
(summary, classifiers, base requirements, the first part of its description), its commands,
entry-point groups, top-level import names and the sizes of the files named like its commands
are written to ``tests/data/tables.json``. Nothing else of the wheel is kept.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT.parent / "shared" / "cases"
OUT = ROOT / "tests" / "data" / "tables.json"
#: What the tables' plugins and bundles need besides their own rows.
HOSTS = ("mkdocs", "httpie", "flake8", "llm", "datasette", "ansible-core")
DESCRIPTION_CHARS = 6000


def names() -> list[str]:
    found: dict[str, None] = {}
    for table in ("routing.tsv", "libraries.tsv", "homes.tsv"):
        with (CASES / table).open(newline="") as handle:
            found.update((row["package"], None) for row in csv.DictReader(handle, delimiter="\t"))
    found.update((name, None) for name in HOSTS)
    return list(found)


def _no_addresses(text: str) -> str:
    """The text without any web address or host name (badges and links name registries' hosts,
    which this repository never records; the rules read words, not links)."""
    import re

    text = re.sub(r"(?:https?|ftp)://[^\s)>\]\"'`]+", "<address>", text)
    return re.sub(r"\b[\w-]+(?:\.[\w-]+)*\.(?:org|io|com|net|dev|de|co)\b", "<host>", text)


def record(wheel: Path) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from safepip.inspect.installed import parse_entry_points
    from safepip.inspect.role import import_names

    with zipfile.ZipFile(wheel) as archive:
        infos = archive.infolist()
        info_dir = next(i.filename.split("/")[0] for i in infos if ".dist-info/" in i.filename)
        meta = HeaderParser().parsestr(archive.read(f"{info_dir}/METADATA").decode())
        try:
            points = parse_entry_points(archive.read(f"{info_dir}/entry_points.txt").decode())
        except KeyError:
            points = {}
    data_dir = info_dir.replace(".dist-info", ".data")
    scripts = [i for i in infos if i.filename.startswith(f"{data_dir}/scripts/")]
    commands = {*points.get("console_scripts", {}), *(i.filename.split("/")[-1] for i in scripts)}
    body = meta.get_payload()
    summary = _no_addresses(str(meta.get("Summary", "")))
    return {
        "name": meta["Name"],
        "version": meta["Version"],
        "summary": summary,
        "classifiers": meta.get_all("Classifier") or [],
        "requires": [
            r for r in meta.get_all("Requires-Dist") or [] if "extra" not in r.partition(";")[2]
        ],
        "description": _no_addresses((body if isinstance(body, str) else "")[:DESCRIPTION_CHARS]),
        "console_scripts": points.get("console_scripts", {}),
        "gui_scripts": points.get("gui_scripts", {}),
        "groups": {g: list(e) for g, e in points.items() if g not in ("console_scripts",)},
        "data_scripts": {i.filename.split("/")[-1]: i.file_size for i in scripts},
        "imports": list(import_names(i.filename for i in infos)),
        "python_files": sum(1 for i in infos if i.filename.endswith(".py")),
        "programs": {
            i.filename: i.file_size
            for i in infos
            if i.filename.split("/")[-1] in commands and i.file_size >= 64 * 1024
        },
    }


def main() -> int:
    recorded: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names():
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                 "--python-version", "3.11", "--platform", "manylinux2014_x86_64",
                 "-d", tmp, name],
                check=True,
            )  # fmt: skip
            wheel = max(Path(tmp).glob("*.whl"), key=lambda p: p.stat().st_mtime)
            recorded[name] = record(wheel)
            wheel.unlink()
            print(name, recorded[name]["version"], flush=True)  # type: ignore[index]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
