"""Euro amounts as ``decimal.Decimal``: construction, rounding, splitting and display.

Money is never a ``float``: binary floating point cannot represent most cent amounts
exactly (0.1 + 0.2 != 0.3), so every amount is a ``Decimal`` and every rounding step names
its rounding mode. The default is ``ROUND_HALF_UP`` ("kaufmännische Rundung", DIN 1333),
which is what German fee and payment rules mean by "runden" unless they say otherwise.

Public names: ``CENT``, ``eur``, ``quantize_cents``, ``round_down_to_euro``,
``split_evenly``, ``format_eur``, ``parse_eur``.
"""

from __future__ import annotations

import re
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "CENT",
    "EURO",
    "AmountSyntaxError",
    "eur",
    "format_eur",
    "parse_eur",
    "quantize_cents",
    "round_down_to_euro",
    "split_evenly",
]

CENT = Decimal("0.01")
EURO = Decimal("1")


def _to_decimal(value: Decimal | int | str) -> Decimal:
    # bool is a subclass of int; True as an amount is always a bug.
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise TypeError(
            f"Geldbeträge sind Decimal, int oder str, nicht {type(value).__name__} "
            "(float ist für Geld nicht zulässig)."
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    else:
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} ist kein Geldbetrag (erwartet z. B. '1234.56').") from None
    if not result.is_finite():
        raise ValueError(f"{value!r} ist kein endlicher Geldbetrag.")
    return result


def quantize_cents(value: Decimal | int | str, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Round ``value`` to whole cents with the given ``decimal`` rounding mode."""
    return _to_decimal(value).quantize(CENT, rounding=rounding)


def eur(value: Decimal | int | str, *, rounding: str = ROUND_HALF_UP) -> Decimal:
    """An amount in euros with exactly two decimal places.

    Accepts ``Decimal``, ``int`` or a decimal string ("12.30"); a ``float`` raises
    ``TypeError``. More than two decimal places are rounded with ``rounding``
    (default ``ROUND_HALF_UP``, kaufmännische Rundung).
    """
    return quantize_cents(value, rounding)


def round_down_to_euro(value: Decimal | int | str) -> Decimal:
    """Round down to a whole euro amount.

    § 32a Abs. 1 Satz 1 EStG: the taxable income ("zu versteuernde Einkommen") is rounded
    down to the next full euro before the tariff is applied. Rounds towards negative
    infinity, so a negative amount never becomes larger by rounding.
    """
    return _to_decimal(value).quantize(EURO, rounding=ROUND_FLOOR)


def split_evenly(total: Decimal | int | str, n: int) -> list[Decimal]:
    """Split ``total`` into ``n`` cent amounts that differ by at most one cent and sum to it.

    The first parts get the leftover cents, e.g. 10.00 € / 3 → 3.34, 3.33, 3.33.
    ``total`` must already be a whole number of cents (no rounding happens here, so the
    sum is exact).
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"Die Anzahl der Teile muss eine positive ganze Zahl sein, nicht {n!r}.")
    amount = _to_decimal(total)
    if amount != amount.quantize(CENT):
        raise ValueError(f"{amount} ist kein Betrag in ganzen Cent; bitte zuerst runden.")
    cents = int(amount * 100)
    sign = -1 if cents < 0 else 1
    base, remainder = divmod(abs(cents), n)
    parts = [base + 1 if index < remainder else base for index in range(n)]
    return [(Decimal(sign * part) / 100).quantize(CENT) for part in parts]


def _group(digits: str, separator: str) -> str:
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return separator.join(groups)


def format_eur(value: Decimal | int | str, locale: str = "de", *, nbsp: bool = False) -> str:
    """Display an amount: German "1.234,56 €", English "€1,234.56".

    The amount is rounded half up to cents for display. ``nbsp=True`` joins number and
    currency sign with a no-break space (for HTML, so the sign never wraps alone).
    """
    amount = quantize_cents(value)
    negative = amount < 0
    whole, fraction = f"{abs(amount):f}".split(".")
    sign = "-" if negative else ""
    language = locale.split("-")[0].split("_")[0].lower()
    if language == "de":
        space = "\u00a0" if nbsp else " "
        return f"{sign}{_group(whole, '.')},{fraction}{space}€"
    if language == "en":
        return f"{sign}€{_group(whole, ',')}.{fraction}"
    raise ValueError(f"Unbekannte Sprache für Geldbeträge: {locale!r} (de oder en).")


class AmountSyntaxError(ValueError):
    """A typed amount that cannot be read as exactly one euro amount; the message is German."""


# Digits with optional thousands groups, then an optional decimal part of 1 or 2 digits.
_PLAIN = re.compile(r"\d+")
_GROUPED = {".": re.compile(r"\d{1,3}(?:\.\d{3})+"), ",": re.compile(r"\d{1,3}(?:,\d{3})+")}


def parse_eur(text: str) -> Decimal:
    """Read an amount as people type it: "5,00", "5.00", "1.234,56", "1,234.56", "1234", "5 €".

    The rule that keeps this unambiguous: a separator followed by exactly one or two digits
    at the end is the decimal separator, whichever of "," and "." it is; a separator followed
    by three digits is a thousands separator only where the grouping is consistent
    ("1.234" is 1234, "1.234,5" is 1234.50, "1,234.56" is 1234.56). Anything else is refused
    rather than guessed: "5,001" (a mistyped 5,00 or 5001?), "1,2,3", "1.234.5", more than
    two decimal places ("1,234.567"), letters. A leading minus sign is kept (refunds and corrections
    check the sign themselves). Returns the amount with exactly two decimal places.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_eur erwartet Text, nicht {type(text).__name__}.")
    cleaned = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    for currency in ("EUR", "Euro", "€"):
        cleaned = cleaned.removesuffix(currency).removeprefix(currency).strip()
    cleaned = cleaned.replace(" ", "")
    negative = cleaned.startswith(("-", "\u2212"))
    if negative:
        cleaned = cleaned[1:].removeprefix("€")
    if not cleaned:
        raise AmountSyntaxError("Bitte einen Betrag angeben, z. B. 12,50.")
    whole, fraction = cleaned, ""
    # The last separator is decimal when one or two digits follow it.
    match = re.fullmatch(r"(.*?)([.,])(\d{1,2})", cleaned)
    if match:
        whole, decimal_sign, fraction = match.groups()
        other = "," if decimal_sign == "." else "."
        if decimal_sign in whole:
            raise AmountSyntaxError(
                f"„{text.strip()}“ ist kein eindeutiger Betrag (z. B. 1.234,56 oder 1234.56)."
            )
        if whole and not (_PLAIN.fullmatch(whole) or _GROUPED[other].fullmatch(whole)):
            raise AmountSyntaxError(
                f"„{text.strip()}“ ist kein eindeutiger Betrag (z. B. 1.234,56 oder 1234.56)."
            )
        whole = whole.replace(other, "") or "0"
    elif not _PLAIN.fullmatch(whole):
        # "1.234" is German for 1234; "5,001" could be a mistyped 5,00 or English 5001: refused.
        if not _GROUPED["."].fullmatch(whole):
            raise AmountSyntaxError(
                f"„{text.strip()}“ ist kein Betrag. Bitte Euro und Cent so angeben: 12,50 "
                "(höchstens zwei Nachkommastellen)."
            )
        whole = whole.replace(".", "").replace(",", "")
    amount = Decimal(f"{whole}.{fraction.ljust(2, '0')}" if fraction else whole).quantize(CENT)
    return -amount if negative else amount
