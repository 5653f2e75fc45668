"""Booking codes: short, readable at the counter, easy to type.

A code has 8 characters from an alphabet without characters that are easily mixed up when
read aloud or from a screen (no 0/O, 1/I/L, 5/S, 2/Z, 8/B), shown as two groups of four
("K7MQ-4XR9"). 25^8 ≈ 1.5 × 10^11 codes; the database keeps them unique, and a code alone
reveals nothing (the personal link uses a separate 256-bit token).
"""

from __future__ import annotations

ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
LENGTH = 8


def booking_code(random_bytes: bytes) -> str:
    """The code for ``random_bytes`` (at least ``LENGTH`` bytes, e.g. from ``secrets``)."""
    if len(random_bytes) < LENGTH:
        raise ValueError(f"need at least {LENGTH} random bytes")
    chars = "".join(ALPHABET[b % len(ALPHABET)] for b in random_bytes[:LENGTH])
    return f"{chars[:4]}-{chars[4:]}"


def normalise_code(typed: str) -> str:
    """What staff typed, as stored (upper case, spaces and dashes ignored); "" if it cannot be a code."""
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum())
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return ""
    return f"{cleaned[:4]}-{cleaned[4:]}"
