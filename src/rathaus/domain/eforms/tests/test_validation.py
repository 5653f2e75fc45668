"""Server-side validation of a citizen's input: each problem reported on its input, hidden and
unknown values dropped, every step re-checked at submission."""

from __future__ import annotations

import datetime
import textwrap
from decimal import Decimal

import pytest

from rathaus.domain.eforms.loader import load_definition
from rathaus.domain.eforms.validation import FieldError, Upload, validate_form, validate_step
from rathaus.domain.registers.tax_id import tax_id_from_index

TODAY = datetime.date(2026, 12, 4)

FORM = load_definition(
    textwrap.dedent(
        """\
        form: beispiel
        version: 1
        title: Beispiel
        title_en: Example
        leika: "99050012104000"
        codelists:
          art:
            - {code: "neu", label: Neugründung, label_en: New business}
            - {code: "uebernahme", label: Übernahme, label_en: Takeover}
        steps:
          - id: betrieb
            title: Betrieb
            title_en: Business
            items:
              - {field: name, type: text, label: Name, label_en: Name, required: true, max_length: 20}
              - {field: art, type: select, codelist: art, label: Art, label_en: Kind, required: true}
              - field: vorgaenger
                type: text
                label: Vorheriger Betrieb
                label_en: Previous business
                required: true
                visible_if: {field: art, equals: uebernahme}
              - {field: beginn, type: date, label: Beginn, label_en: Start, required: true, rules: [not_past]}
              - {field: plz, type: postcode, label: PLZ, label_en: Postcode, required: true}
              - {field: iban, type: iban, label: IBAN, label_en: IBAN}
              - {field: steuernummer, type: tax_number, label: Steuernummer, label_en: Tax number}
              - {field: idnr, type: tax_id, label: Steuer-ID, label_en: Tax ID}
              - {field: kapital, type: money, label: Kapital, label_en: Capital, min: 0, max: 1000000}
              - {field: mitarbeitende, type: integer, label: Beschäftigte, label_en: Staff, min: 0}
              - {field: zustimmung, type: boolean, label: Richtig, label_en: Correct, required: true}
          - id: inhaber
            title: Inhaber
            title_en: Owners
            items:
              - group: person
                label: Person
                label_en: Person
                repeat: {min: 1, max: 3}
                items:
                  - {field: name, type: text, label: Name, label_en: Name, required: true}
                  - {field: geboren, type: date, label: Geboren, label_en: Born, required: true,
                     rules: [adult]}
              - field: plan
                type: file
                label: Plan
                label_en: Plan
                accept: [application/pdf]
                max_bytes: 1000
                max_files: 2
        """
    )
)
BETRIEB = FORM.step("betrieb")
INHABER = FORM.step("inhaber")

GOOD = {
    "name": ["Bäckerei Deich"],
    "art": ["neu"],
    "beginn": ["2027-01-01"],
    "plz": ["28195"],
    "iban": ["DE89 3704 0044 0532 0130 00"],
    "steuernummer": ["60/123/45678"],
    "idnr": [tax_id_from_index(7)],
    "kapital": ["25.000,50"],
    "mitarbeitende": ["3"],
    "zustimmung": ["on"],
    "csrfmiddlewaretoken": ["x"],
}


def _errors(result):
    return {error.path: error.code for error in result.errors}


def test_good_input_is_cleaned_into_typed_values():
    result = validate_step(FORM, BETRIEB, GOOD, today=TODAY)
    assert result.ok, result.errors
    assert result.values["beginn"] == datetime.date(2027, 1, 1)
    assert result.values["iban"] == "DE89370400440532013000"
    assert result.values["kapital"] == Decimal("25000.50")
    assert result.values["mitarbeitende"] == 3
    assert result.values["zustimmung"] is True
    assert "csrfmiddlewaretoken" not in result.values and "vorgaenger" not in result.values


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", "", "required"),
        ("name", "x" * 21, "too_long"),
        ("name", "Bäcker\x00ei", "control_characters"),
        ("art", "geschlossen", "not_in_list"),
        ("beginn", "2026-12-03", "past"),
        ("beginn", "31.02.2027", "date"),
        ("plz", "2819", "postcode"),
        ("plz", "00000", "postcode"),
        ("iban", "DE89 3704 0044 0532 0130 01", "iban"),
        ("steuernummer", "60/123/4567", "tax_number"),
        ("steuernummer", "2460123456789", "tax_number"),
        ("idnr", "12345678901", "tax_id"),
        ("kapital", "12,345", "money"),  # 12,345: a mistyped 12,34 or 12345? refused, not guessed
        ("kapital", "-1", "too_small"),
        ("kapital", "NaN", "money"),
        ("mitarbeitende", "2,5", "integer"),
        ("zustimmung", "", "must_confirm"),
    ],
)
def test_each_wrong_value_is_reported_on_its_input(field, value, code):
    result = validate_step(FORM, BETRIEB, {**GOOD, field: [value]}, today=TODAY)
    assert _errors(result) == {field: code}


def test_the_thirteen_digit_federal_tax_number_is_accepted():
    result = validate_step(FORM, BETRIEB, {**GOOD, "steuernummer": ["2460012345678"]}, today=TODAY)
    assert result.ok and result.values["steuernummer"] == "2460012345678"


def test_two_values_for_one_input_are_refused_as_tampering():
    result = validate_step(FORM, BETRIEB, {**GOOD, "plz": ["28195", "28203"]}, today=TODAY)
    assert _errors(result) == {"plz": "ambiguous"}


def test_a_conditional_field_is_required_only_when_shown_and_dropped_when_hidden():
    shown = validate_step(FORM, BETRIEB, {**GOOD, "art": ["uebernahme"]}, today=TODAY)
    assert _errors(shown) == {"vorgaenger": "required"}
    hidden = validate_step(FORM, BETRIEB, {**GOOD, "vorgaenger": ["Alte Bäckerei"]}, today=TODAY)
    assert hidden.ok and "vorgaenger" not in hidden.values


def test_repeating_group_keeps_filled_instances_and_checks_each():
    raw = {
        "person-0-name": ["Ada Deich"],
        "person-0-geboren": ["1980-05-01"],
        "person-1-name": [""],
        "person-1-geboren": [""],
        "person-2-name": ["Tom Deich"],
        "person-2-geboren": ["2010-05-01"],
    }
    result = validate_step(FORM, INHABER, raw, today=TODAY)
    assert _errors(result) == {"person-2-geboren": "not_adult"}
    assert [person.get("name") for person in result.values["person"]] == ["Ada Deich", "Tom Deich"]


def test_a_group_below_its_minimum_reports_the_missing_instance():
    result = validate_step(FORM, INHABER, {}, today=TODAY)
    assert _errors(result) == {"person-0-name": "required", "person-0-geboren": "required"}


def test_instances_beyond_the_maximum_are_refused():
    raw = {f"person-{n}-name": ["A"] for n in range(5)} | {
        f"person-{n}-geboren": ["1970-01-01"] for n in range(5)
    }
    result = validate_step(FORM, INHABER, raw, today=TODAY)
    assert FieldError("person", "too_many_instances", {"max": 3}) in result.errors
    assert len(result.values["person"]) == 3


@pytest.mark.parametrize(
    ("uploads", "code"),
    [
        ([Upload("plan.exe", 10, "application/x-dosexec")], "file_type"),
        ([Upload("plan.pdf", 1001, "application/pdf")], "file_too_large"),
        ([Upload("plan.pdf", 0, "application/pdf")], "file_empty"),
        ([Upload(f"p{n}.pdf", 10, "application/pdf") for n in range(3)], "too_many_files"),
    ],
)
def test_wrong_files_are_refused(uploads, code):
    raw = {"person-0-name": ["Ada"], "person-0-geboren": ["1980-05-01"]}
    result = validate_step(FORM, INHABER, raw, files={"plan": uploads}, today=TODAY)
    assert _errors(result) == {"plan": code}


def test_submission_rechecks_every_step_so_a_skipped_step_cannot_pass():
    # given the first step posted, the second never
    result = validate_form(FORM, {"betrieb": GOOD}, today=TODAY)
    # then
    assert not result.ok
    assert result.first_step_with_errors == "inhaber"
    complete = validate_form(
        FORM,
        {"betrieb": GOOD, "inhaber": {"person-0-name": ["Ada"], "person-0-geboren": ["1980-05-01"]}},
        today=TODAY,
    )
    assert complete.ok and complete.values["person"] == [
        {"name": "Ada", "geboren": datetime.date(1980, 5, 1)}
    ]


def test_german_thousands_dots_are_read_as_people_type_them():
    """A dot before three digits groups thousands: "21.000" is 21000 (it was read as 21.000
    and refused, or for whole numbers silently taken as 21)."""
    result = validate_step(
        FORM, BETRIEB, {**GOOD, "kapital": ["21.000"], "mitarbeitende": ["1.200"]}, today=TODAY
    )
    assert result.ok, result.errors
    assert result.values["kapital"] == Decimal("21000.00") and result.values["mitarbeitende"] == 1200
