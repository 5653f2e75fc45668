"""The JSON Lines format of ``rathaus tax batch`` (docs/tax.md): one pensioner case per input
line, one assessment (or the reason there is none) per output line, in the same order.

Amounts are decimal strings (numbers are accepted too); years are integers. A line that is not
a valid case gives ``{"line": n, "id": …, "error": "…"}`` and the batch goes on; a case outside
the rules of the automatic assessment gives ``"outside_rules": true`` with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .assessment import Assessment, CivilServantPension, OutsideRules, StatutoryPension, Taxpayer, assess
from .parameters import CHURCH_TAX_RATE_BREMEN, UnknownYear

MAX_LINE_BYTES = 64_000


class InvalidCase(ValueError):
    """An input line that is not a case; the message names the field."""


@dataclass(frozen=True)
class Case:
    id: str
    tax_year: int
    joint: bool
    church_rate: Decimal
    taxpayers: tuple[Taxpayer, ...]


def _amount(data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> Decimal | None:
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidCase(f"{where}: „{key}“ fehlt")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InvalidCase(f"{where}: „{key}“ ist kein Betrag")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidCase(f"{where}: „{key}“ ist kein Betrag: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidCase(f"{where}: „{key}“ muss ein Betrag ab 0 sein")
    return amount


def _year(data: Mapping[str, Any], key: str, where: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2100:
        raise InvalidCase(f"{where}: „{key}“ muss eine Jahreszahl sein")
    return value


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InvalidCase(f"{where} muss ein Objekt sein")
    return value


def _taxpayer(raw: Any, number: int, tax_year: int) -> Taxpayer:
    where = f"persons[{number}]"
    data = _object(raw, where)
    if _year(data, "birth_year", where) > tax_year:
        raise InvalidCase(f"{where}: „birth_year“ liegt nach dem Steuerjahr")
    statutory: tuple[StatutoryPension, ...] = ()
    if data.get("statutory_pension") is not None:
        item = _object(data["statutory_pension"], f"{where}.statutory_pension")
        at = f"{where}.statutory_pension"
        statutory = (
            StatutoryPension(
                gross=_amount(item, "gross", at) or Decimal(0),
                start_year=_year(item, "start_year", at),
                gross_following_year=_amount(item, "following_year_gross", at, required=False),
            ),
        )
    civil: tuple[CivilServantPension, ...] = ()
    if data.get("civil_servant_pension") is not None:
        item = _object(data["civil_servant_pension"], f"{where}.civil_servant_pension")
        at = f"{where}.civil_servant_pension"
        civil = (
            CivilServantPension(
                gross=_amount(item, "gross", at) or Decimal(0),
                start_year=_year(item, "start_year", at),
                basis=_amount(item, "basis", at) or Decimal(0),
            ),
        )
    if not statutory and not civil:
        raise InvalidCase(f"{where}: weder „statutory_pension“ noch „civil_servant_pension“")
    return Taxpayer(
        name=str(data.get("name") or f"Person {number + 1}"),
        church_member=data.get("church_member") is True,
        statutory=statutory,
        civil_servant=civil,
        health_insurance=_amount(data, "health_insurance", where) or Decimal(0),
        care_insurance=_amount(data, "care_insurance", where) or Decimal(0),
        other_income=data.get("other_income") is True,
    )


def parse_case(line: str) -> Case:
    """One input line as a case, or ``InvalidCase`` naming what is wrong."""
    if len(line.encode("utf-8")) > MAX_LINE_BYTES:
        raise InvalidCase(f"die Zeile ist länger als {MAX_LINE_BYTES} Bytes")
    try:
        data = _object(json.loads(line), "die Zeile")
    except json.JSONDecodeError as error:
        raise InvalidCase(f"kein JSON: {error.msg}") from None
    tax_year = _year(data, "tax_year", "der Fall")
    joint = data.get("joint", False)
    if not isinstance(joint, bool):
        raise InvalidCase("„joint“ muss true oder false sein")
    persons = data.get("persons")
    if not isinstance(persons, list) or len(persons) != (2 if joint else 1):
        raise InvalidCase("„persons“ hat bei „joint“ zwei Personen, sonst eine")
    rate = _amount(data, "church_tax_rate", "der Fall", required=False)
    if rate is not None and rate > Decimal("0.1"):
        raise InvalidCase("„church_tax_rate“ ist ein Anteil wie 0.08 (höchstens 0.1)")
    return Case(
        id=str(data.get("id", "")),
        tax_year=tax_year,
        joint=joint,
        church_rate=CHURCH_TAX_RATE_BREMEN if rate is None else rate,
        taxpayers=tuple(_taxpayer(person, n, tax_year) for n, person in enumerate(persons)),
    )


def assessment_json(case: Case, result: Assessment) -> dict[str, Any]:
    return {
        "id": case.id,
        "tax_year": case.tax_year,
        "taxable_income": str(result.taxable_income),
        "income_tax": str(result.income_tax),
        "solidarity_surcharge": f"{result.solidarity_surcharge:.2f}",
        "church_tax": f"{result.church_tax:.2f}",
        "total": f"{result.total:.2f}",
    }


def run_line(line: str, number: int) -> dict[str, Any]:
    """The output object of one input line (``number`` counts from 1)."""
    case_id = ""
    try:
        case = parse_case(line)
        case_id = case.id
        result = assess(
            case.taxpayers, tax_year=case.tax_year, joint=case.joint, church_rate=case.church_rate
        )
    except OutsideRules as outside:
        return {"line": number, "id": case_id, "outside_rules": True, "reason": outside.reason}
    except (InvalidCase, UnknownYear, ValueError) as error:
        return {"line": number, "id": case_id, "error": str(error)}
    return assessment_json(case, result)
