"""Checks of single values a citizen types, each returning the cleaned value or raising
``ValueProblem`` with a code (the app turns codes into German or English messages).

Sources: Postleitzahl (five digits, Deutsche Post); IBAN (ISO 13616, via the payments domain);
Steuernummer: the states' ten or eleven digit formats and the federal 13-digit format of the
ELSTER interface (Bundeseinheitliches Steuernummernformat: two-digit state code with four-digit
tax office number, a 0, then district and check digit); the check digit is state-specific and
left to the tax office; steuerliche Identifikationsnummer (§ 139b AO, check digit by ISO/IEC
7064 MOD 11,10, via the registers domain).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from rathaus.domain.payments.girocode import iban_valid
from rathaus.domain.registers.tax_id import is_valid_tax_id

ADULT_AGE = 18  # § 2 BGB


class ValueProblem(ValueError):
    """A value that does not fit its field: ``code`` names the problem, ``params`` its details."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


_POSTCODE = re.compile(r"^\d{5}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 /()\-]{4,25}$")
# State formats: "FF/BBB/UUUUP" (10 digits) and "FFF/BBBB/UUUP" (11 digits), with slashes,
# spaces or none. The federal format has 13 digits with a 0 in the fifth place.
_TAX_NUMBER_STATE = re.compile(r"^\d{2,3}[/ ]?\d{3,4}[/ ]?\d{4,5}$")


def postcode(value: str) -> str:
    value = value.strip()
    if not _POSTCODE.match(value) or value == "00000":
        raise ValueProblem("postcode")
    return value


def iban(value: str) -> str:
    compact = re.sub(r"\s+", "", value).upper()
    if not iban_valid(compact):
        raise ValueProblem("iban")
    return compact


def tax_number(value: str) -> str:
    """A Steuernummer, returned in the form it was typed (spaces trimmed)."""
    value = value.strip()
    digits = re.sub(r"[/ ]", "", value)
    if not digits.isdigit():
        raise ValueProblem("tax_number")
    if len(digits) == 13:
        if digits[4] != "0":
            raise ValueProblem("tax_number")
        return digits
    if len(digits) in (10, 11) and _TAX_NUMBER_STATE.match(value):
        return value
    raise ValueProblem("tax_number")


def tax_id(value: str) -> str:
    digits = re.sub(r"\s+", "", value)
    if not is_valid_tax_id(digits):
        raise ValueProblem("tax_id")
    return digits


def email(value: str) -> str:
    value = value.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueProblem("email")
    return value


def phone(value: str) -> str:
    value = value.strip()
    if not _PHONE.match(value):
        raise ValueProblem("phone")
    return value


def date(value: str) -> datetime.date:
    """An ISO date (from an <input type="date">) or a German one ("24.12.2026")."""
    value = value.strip()
    try:
        if re.match(r"^\d{1,2}\.\d{1,2}\.\d{4}$", value):
            day, month, year = (int(part) for part in value.split("."))
            return datetime.date(year, month, day)
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueProblem("date") from None


_GERMAN_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$")  # 21.000 / 1.234,50
_GERMAN_PLAIN = re.compile(r"^[+-]?\d*,\d*$")  # 1234,5


def decimal(value: str, *, places: int | None = None) -> Decimal:
    """A number typed the German way ("1.234,5", "21.000": a dot before three digits groups
    thousands) or plainly ("1234.5"). Dots in other places next to a comma are refused rather
    than guessed ("1.23,5")."""
    text = value.strip().replace(" ", "").replace("\u00a0", "").replace("€", "")
    if _GERMAN_GROUPED.match(text):
        text = text.replace(".", "").replace(",", ".")
    elif "," in text:
        if not _GERMAN_PLAIN.match(text):
            raise ValueProblem("number")
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueProblem("number") from None
    if not number.is_finite():
        raise ValueProblem("number")
    if places is not None and -number.as_tuple().exponent > places:  # type: ignore[operator]
        raise ValueProblem("places", places=places)
    return number


def integer(value: str) -> int:
    number = decimal(value)
    if number != number.to_integral_value():
        raise ValueProblem("integer")
    return int(number)


def age_on(birth: datetime.date, day: datetime.date) -> int:
    """Completed years of life on ``day`` (§ 187 Abs. 2 Satz 2 BGB)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
