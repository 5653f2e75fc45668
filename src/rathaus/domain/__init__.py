"""Pure Python: law and standards a reviewer can check against their source.

Nothing here imports Django or another rathaus package (checked by import-linter,
``make lint``). Frozen dataclasses in and out, ``Decimal`` money, dates passed in.
"""
