"""The Leitweg-ID: the routing identifier of a German public buyer for e-invoices (BT-10).

Per the KoSIT "Formatspezifikation Leitweg-ID" (version 2.0.x):

* Grobadressierung: 2 to 12 digits; the first two digits are the Land (``04`` = Bremen),
  usually followed by the rest of the official municipality key (``04011000`` = Stadt Bremen);
* Feinadressierung: optional, up to 30 characters, letters A–Z and digits;
* Prüfziffer: two digits, ISO/IEC 7064 MOD 97-10 over the ID without hyphens, letters
  counted as A=10 … Z=35 (as for an IBAN).

Parts are joined with hyphens: ``04011000-1234512345-06``.
"""

from __future__ import annotations

import re

_PATTERN = re.compile(r"^(?P<coarse>[0-9]{2,12})(?:-(?P<fine>[0-9A-Z]{1,30}))?-(?P<check>[0-9]{2})$")


class InvalidLeitwegId(ValueError):
    """The value is not a valid Leitweg-ID; the message says which rule it breaks."""


def _as_number(text: str) -> int:
    return int("".join(str(int(c, 36)) for c in text))


def leitweg_check_digits(coarse: str, fine: str = "") -> str:
    """The two check digits for a Grobadressierung and optional Feinadressierung (MOD 97-10)."""
    fine = fine.upper()
    if not re.fullmatch(r"[0-9]{2,12}", coarse):
        raise InvalidLeitwegId("Die Grobadressierung besteht aus 2 bis 12 Ziffern.")
    if fine and not re.fullmatch(r"[0-9A-Z]{1,30}", fine):
        raise InvalidLeitwegId("Die Feinadressierung besteht aus bis zu 30 Buchstaben und Ziffern.")
    return f"{98 - _as_number(coarse + fine + '00') % 97:02d}"


def leitweg_id_build(coarse: str, fine: str = "") -> str:
    """The complete Leitweg-ID with its check digits."""
    check = leitweg_check_digits(coarse, fine)
    return "-".join(part for part in (coarse, fine.upper(), check) if part)


def validate_leitweg_id(value: str) -> str:
    """Return the normalised (upper-case, trimmed) ID if valid, else raise ``InvalidLeitwegId``."""
    text = value.strip().upper()
    match = _PATTERN.match(text)
    if match is None:
        raise InvalidLeitwegId(
            "Eine Leitweg-ID hat die Form Grobadressierung-Feinadressierung-Prüfziffer, "
            "z. B. 04011000-1234512345-06."
        )
    digits = match["coarse"] + (match["fine"] or "") + match["check"]
    if _as_number(digits) % 97 != 1:
        raise InvalidLeitwegId("Die Prüfziffer der Leitweg-ID stimmt nicht.")
    return text


def is_valid_leitweg_id(value: str) -> bool:
    """True if ``value`` is a valid Leitweg-ID."""
    try:
        validate_leitweg_id(value)
    except InvalidLeitwegId:
        return False
    return True
