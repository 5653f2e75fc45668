"""The document an exporter makes of a submitted application."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Export:
    """One export of a submitted application: a document of its case."""

    title: str
    filename: str
    content: bytes
    media_type: str
