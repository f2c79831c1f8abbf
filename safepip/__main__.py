"""``python -m safepip`` and the ``safepip`` console script (see :mod:`safepip.cli.main`)."""

from __future__ import annotations

from safepip.cli.main import main, start

__all__ = ["main", "start"]

if __name__ == "__main__":
    start()
