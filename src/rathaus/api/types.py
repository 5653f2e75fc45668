"""Strict field types for API request bodies: what arrives at the edge is checked here, so that
no service, database or PDF ever sees a NaN amount, a NUL character or a 30-digit count.

Use them in an app's input schemas instead of bare ``str``/``Decimal``/``int``::

    class ClaimIn(Schema):
        purpose: Text200
        amount: Money | None = None
        quantity: Count = 1

A violation is a 422 problem document naming the field (``problems.install``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field

from rathaus.domain.text import has_visible_characters

__all__ = ["Count", "Money", "Text100", "Text200", "Text500", "Text2000"]


def _visible(value: str) -> str:
    if "\x00" in value:
        raise ValueError("darf keine NUL-Zeichen enthalten")
    if value and not has_visible_characters(value):
        raise ValueError("besteht nur aus unsichtbaren Zeichen")
    return value


# Strings of at most N characters, without NUL and not only invisible characters.
Text100 = Annotated[str, Field(max_length=100), AfterValidator(_visible)]
Text200 = Annotated[str, Field(max_length=200), AfterValidator(_visible)]
Text500 = Annotated[str, Field(max_length=500), AfterValidator(_visible)]
Text2000 = Annotated[str, Field(max_length=2000), AfterValidator(_visible)]

# A euro amount: finite, positive, whole cents, at most 10 digits before the point (the
# database's money columns hold 12 digits with 2 decimals).
Money = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2, allow_inf_nan=False)]

# A count of things (units, pieces, pages): a whole number from 1 to 10,000.
Count = Annotated[int, Field(ge=1, le=10_000)]
