"""safepip.cli.registry: the one reading of pip's verbosity words before pip's parser."""

from __future__ import annotations

import pytest

from safepip.cli.registry import verbosity_step


@pytest.mark.parametrize(
    ("word", "step"),
    [("-v", 1), ("-vvv", 3), ("--verbose", 1), ("-q", -1), ("-qq", -2), ("--quiet", -1)],
)
def test_verbosity_words(word: str, step: int) -> None:
    assert verbosity_step(word) == step


@pytest.mark.parametrize("word", ["-", "-vq", "--verb", "-x", "six", "--quiet=1", ""])
def test_other_words_are_none(word: str) -> None:
    assert verbosity_step(word) is None
