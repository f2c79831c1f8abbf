"""safepip.process: the helper commands run side by side."""

from __future__ import annotations

import os
from pathlib import Path

from safepip.process import output_of_each


def test_each_commands_output_or_none(tmp_path: Path) -> None:
    """Each waits for the other to have started: run one after the other, both would time out."""
    a, b = tmp_path / "a", tmp_path / "b"
    wait = "touch {0}; n=0; while [ ! -e {1} ] && [ $n -lt 500 ]; do sleep 0.01; n=$((n+1)); done"
    outputs = output_of_each(
        [["sh", "-c", wait.format(a, b) + " && [ -e " + str(b) + " ] && echo one"],
         ["sh", "-c", wait.format(b, a) + " && [ -e " + str(a) + " ] && echo two"],
         ["false"], ["/nonexistent/tool"]],
        environ={"PATH": os.defpath},
        timeout=30,
    )  # fmt: skip
    assert outputs == ["one\n", "two\n", None, None]


def test_a_command_over_its_time_is_none() -> None:
    outputs = output_of_each([["sleep", "5"]], environ={"PATH": os.defpath}, timeout=0.2)
    assert outputs == [None]
