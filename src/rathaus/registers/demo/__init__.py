"""The demo city: a synthetic, deterministic population of Bremen for development and demos.

``generator`` is plain Python (rows as tuples, no Django); ``loader`` writes them to the
database in bulk; the ``rathaus demo`` command drives both.
"""
