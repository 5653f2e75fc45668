"""Checks a definition can ask of one field beyond its type: a pattern with an example that
must match it, a minimum age for a birth date, and a date that may not precede an earlier one
(in a step or inside each instance of a group). Each is refused where it does not fit."""

from __future__ import annotations

import datetime
import textwrap

import pytest

from rathaus.domain.eforms.loader import DefinitionError, load_definition
from rathaus.domain.eforms.validation import validate_step

TODAY = datetime.date(2026, 12, 4)


def _form(items: str) -> str:
    return textwrap.dedent(
        """\
        form: pruefungen
        version: 1
        title: Prüfungen
        title_en: Checks
        leika: "99003002001000"
        steps:
          - id: s
            title: Schritt
            title_en: Step
            items:
        """
    ) + textwrap.indent(textwrap.dedent(items), " " * 6)


FORM = load_definition(
    _form(
        """\
        - field: chip
          type: text
          label: Chipnummer
          label_en: Chip number
          pattern: "[0-9]{15}"
          pattern_example: "276098106543210"
        - {field: geboren, type: date, label: Geburtsdatum, label_en: Date of birth, min_age: 14}
        - {field: von, type: date, label: Nutzung vom, label_en: Use from}
        - {field: bis, type: date, label: Nutzung bis, label_en: Use until, not_before: von}
        - group: zeitraum
          label: Zeitraum
          label_en: Period
          repeat: {min: 0, max: 3}
          items:
            - {field: anfang, type: date, label: Anfang, label_en: Start}
            - {field: ende, type: date, label: Ende, label_en: End, not_before: anfang}
        """
    )
)


def _codes(raw):
    return {e.path: (e.code, e.params) for e in validate_step(FORM, FORM.steps[0], raw, today=TODAY).errors}


def test_good_values_pass():
    raw = {
        "chip": ["276098106543210"], "geboren": ["2012-12-04"], "von": ["2027-01-01"], "bis": ["2027-01-01"],
        "zeitraum-0-anfang": ["2027-02-01"], "zeitraum-0-ende": ["2027-03-01"],
    }  # fmt: skip
    assert _codes(raw) == {}


def test_each_check_reports_on_its_input_with_what_the_message_needs():
    raw = {
        "chip": ["27609810654321"], "geboren": ["2012-12-05"], "von": ["2027-01-10"], "bis": ["2027-01-09"],
        "zeitraum-0-anfang": ["2027-02-01"], "zeitraum-0-ende": ["2027-01-31"],
    }  # fmt: skip
    codes = _codes(raw)
    assert codes["chip"] == ("pattern", {"example": "276098106543210", "example_en": "276098106543210"})
    assert codes["geboren"] == ("not_adult", {"age": 14})
    assert codes["bis"] == ("before_other", {"other": "Nutzung vom", "other_en": "Use from"})
    assert codes["zeitraum-0-ende"][0] == "before_other"


def test_an_end_without_a_start_is_not_compared():
    assert _codes({"bis": ["2027-01-09"]}) == {}


@pytest.mark.parametrize(
    ("item", "words"),
    [
        (
            '{field: a, type: date, label: A, label_en: A, pattern: "[0-9]+", pattern_example: "1"}',
            "nur für Textfelder",
        ),
        (
            '{field: a, type: text, label: A, label_en: A, pattern: "[0-9", pattern_example: "1"}',
            "kein gültiger Ausdruck",
        ),
        (
            '{field: a, type: text, label: A, label_en: A, pattern: "[0-9]{3}", pattern_example: "12"}',
            "passt nicht",
        ),
        ('{field: a, type: text, label: A, label_en: A, pattern_example: "12"}', "gehört zu „pattern“"),
        ("{field: a, type: text, label: A, label_en: A, min_age: 14}", "nur für Datumsfelder"),
        ("{field: a, type: date, label: A, label_en: A, not_before: b}", "kein Datumsfeld davor"),
    ],
)
def test_checks_that_do_not_fit_are_refused_naming_the_line(item, words):
    with pytest.raises(DefinitionError) as refused:
        load_definition(_form(f"- {item}\n"))
    assert words in str(refused.value) and refused.value.line == 11


def test_not_before_must_name_an_earlier_date_field():
    later = """\
    - {field: bis, type: date, label: Bis, label_en: Until, not_before: von}
    - {field: von, type: date, label: Von, label_en: From}
    """
    with pytest.raises(DefinitionError, match="kein Datumsfeld davor"):
        load_definition(_form(later))
    text = """\
    - {field: von, type: text, label: Von, label_en: From}
    - {field: bis, type: date, label: Bis, label_en: Until, not_before: von}
    """
    with pytest.raises(DefinitionError, match="kein Datumsfeld davor"):
        load_definition(_form(text))
