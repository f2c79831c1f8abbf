"""safepip: pip's arguments, PEP 668's advice, done for you."""

__version__ = "0.1.0.dev0"
