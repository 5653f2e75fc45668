"""Helpers shared by the management commands (``rathaus <command>``)."""

from __future__ import annotations


def positive(text: str) -> int:
    """An argparse ``type``: a whole number of at least 1 (argparse reports anything else)."""
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value
