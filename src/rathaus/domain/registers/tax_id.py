"""The Steuerliche Identifikationsnummer (IdNr) under § 139b AO.

Format as published by the Bundeszentralamt für Steuern:

* eleven digits; the first is not ``0``;
* among the first ten digits exactly one digit occurs twice or three times, every other
  digit at most once (so one or two digits are missing); a digit occurring three times
  may not stand at three consecutive positions (rule in force since 2016);
* the eleventh digit is a check digit computed with ISO/IEC 7064, MOD 11,10.

``tax_id_from_index`` maps 0, 1, 2, … one-to-one onto valid IdNr so that a generator can
hand out unique numbers without remembering the ones already issued.
"""

from __future__ import annotations

from collections import Counter
from math import factorial


class InvalidTaxId(ValueError):
    """The value is not a valid IdNr; the message says which rule it breaks."""


def tax_id_check_digit(body: str) -> str:
    """The check digit of a ten-digit IdNr body per ISO/IEC 7064, MOD 11,10."""
    if len(body) != 10 or not body.isascii() or not body.isdigit():
        raise InvalidTaxId("Der Rumpf einer Steuer-IdNr besteht aus genau 10 Ziffern.")
    product = 10
    for char in body:
        total = (int(char) + product) % 10
        if total == 0:
            total = 10
        product = (total * 2) % 11
    check = 11 - product
    return "0" if check == 10 else str(check)


def validate_tax_id(value: str) -> str:
    """Return ``value`` (without spaces) if it is a valid IdNr, else raise ``InvalidTaxId``."""
    digits = value.replace(" ", "")
    if len(digits) != 11 or not digits.isascii() or not digits.isdigit():
        raise InvalidTaxId("Die Steuer-IdNr besteht aus genau 11 Ziffern.")
    if digits[0] == "0":
        raise InvalidTaxId("Die Steuer-IdNr beginnt nicht mit 0.")
    body = digits[:10]
    counts = Counter(body)
    repeated = [d for d, n in counts.items() if n > 1]
    if len(repeated) != 1 or counts[repeated[0]] > 3:
        raise InvalidTaxId(
            "In den ersten 10 Ziffern der Steuer-IdNr muss genau eine Ziffer doppelt oder dreifach vorkommen."
        )
    if counts[repeated[0]] == 3 and repeated[0] * 3 in body:
        raise InvalidTaxId("Eine dreifach vorkommende Ziffer darf nicht dreimal direkt nacheinander stehen.")
    if tax_id_check_digit(body) != digits[10]:
        raise InvalidTaxId("Die Prüfziffer der Steuer-IdNr stimmt nicht.")
    return digits


def is_valid_tax_id(value: str) -> bool:
    """True if ``value`` is a valid IdNr."""
    try:
        validate_tax_id(value)
    except InvalidTaxId:
        return False
    return True


# The numbering used by ``tax_id_from_index``: a body is fixed by
#   the missing digit m (1..9, so that 0 is always present),
#   the two positions i < j holding the repeated digit (45 pairs),
#   the digit at position 0 (one of the 8 non-zero digits left once m is gone),
#   the order of the remaining 8 digits over the remaining 8 slots (8! orders).
# The repeated digit is whatever the order puts at position i; position j copies it.
_PAIRS = [(i, j) for i in range(10) for j in range(i + 1, 10)]
_ORDERS = factorial(8)
TAX_ID_SPACE = 9 * len(_PAIRS) * 8 * _ORDERS
"""How many distinct numbers ``tax_id_from_index`` can produce (130,636,800)."""

# A multiplier coprime to TAX_ID_SPACE (= 2^10 * 3^6 * 5^2 * 7) scatters consecutive
# indexes across the space, so neighbouring residents do not get similar numbers.
_SCATTER = 7_919 * 11 * 13


def tax_id_from_index(index: int, *, offset: int = 0) -> str:
    """The ``index``-th IdNr of a numbering shifted by ``offset``; distinct for distinct indexes.

    Indexes ``0 <= index < TAX_ID_SPACE`` give pairwise distinct, valid numbers for any
    fixed ``offset`` (an affine map modulo the space size is a bijection).
    """
    if not 0 <= index < TAX_ID_SPACE:
        raise ValueError(f"index must be in [0, {TAX_ID_SPACE})")
    n = (index * _SCATTER + offset) % TAX_ID_SPACE
    n, code = divmod(n, _ORDERS)
    n, first_choice = divmod(n, 8)
    n, pair_index = divmod(n, len(_PAIRS))
    missing = n + 1
    digits = [d for d in range(10) if d != missing]  # nine distinct digits, 0 among them
    first = [d for d in digits if d != 0][first_choice]
    digits.remove(first)
    i, j = _PAIRS[pair_index]
    body: list[int] = [0] * 10
    slots = [p for p in range(1, 10) if p != j]
    # Decode the Lehmer code ``code`` into an order of the eight remaining digits.
    for slot, radix in zip(slots, range(8, 0, -1), strict=True):
        code, pick = divmod(code, radix)
        body[slot] = digits.pop(pick)
    body[0] = first
    body[j] = body[i]
    text = "".join(map(str, body))
    return text + tax_id_check_digit(text)
