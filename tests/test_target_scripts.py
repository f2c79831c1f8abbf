"""safepip.target.scripts: what a folder's scripts import and declare, read without running
anything, bounded to the folder's top level."""

from __future__ import annotations

from pathlib import Path

from safepip.target.scripts import (
    MAX_BYTES,
    block_dependencies,
    imports_of,
    read_folder,
    script_block,
)

SCRIPT = """\
#!/usr/bin/env python3
# /// script
# requires-python = ">=3.9"
# dependencies = [
#   "pyserial>=3",
#   "Tabulate",
# ]
# ///
import os, sys as system
import numpy.linalg as la
from serial.tools import list_ports
from . import sibling
    import indented_inside_a_function
x = "import not_at_line_start"
"""


def test_imports_are_top_level_modules_of_absolute_imports() -> None:
    assert imports_of(SCRIPT) == ["os", "sys", "numpy", "serial", "indented_inside_a_function"]


def test_the_script_block_is_pep_723s() -> None:
    block = script_block(SCRIPT)
    assert block is not None
    assert block_dependencies(block) == ["pyserial>=3", "Tabulate"]
    assert script_block("# /// script\nnot closed\n") is None
    assert block_dependencies("dependencies = [") == []  # not TOML: declares nothing


def test_a_folder_is_read_at_its_top_level_only(tmp_path: Path) -> None:
    (tmp_path / "analyse.py").write_text(SCRIPT)
    (tmp_path / "b.py").write_text("import numpy\nimport requests\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.py").write_text("import deeper\n")
    (tmp_path / "notes.txt").write_text("import textonly\n")
    found = read_folder(str(tmp_path))
    assert found.imported["numpy"] == "analyse.py"  # the first file that imports it
    assert found.imported["requests"] == "b.py"
    assert "deeper" not in found.imported and "textonly" not in found.imported
    assert found.declared == {
        "pyserial": "analyse.py's script block",
        "tabulate": "analyse.py's script block",
    }


def test_reading_is_bounded(tmp_path: Path) -> None:
    (tmp_path / "big.py").write_text("x = 1\n" * (MAX_BYTES // 6 + 10) + "import late\n")
    assert "late" not in read_folder(str(tmp_path)).imported
    assert read_folder(str(tmp_path / "missing")).imported == {}
