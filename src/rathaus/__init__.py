"""Rathaus: the digital administration of a German city-state."""

__version__ = "0.1.0"
