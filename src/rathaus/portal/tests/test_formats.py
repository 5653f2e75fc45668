"""Dates as people read them: "Mittwoch, 2. Dezember 2026" in German, "Wednesday,
2 December 2026" in English (no German ordinal dot in English)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import formats, translation

DAY = datetime.date(2026, 12, 2)
MOMENT = datetime.datetime(2026, 12, 2, 9, 30, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("de", "Mittwoch, 2. Dezember 2026", "Mittwoch, 2. Dezember 2026, 09:30"),
        ("en", "Wednesday, 2 December 2026", "Wednesday, 2 December 2026, 09:30"),
    ],
)
def test_weekday_dates_read_naturally_in_each_language(language, day, moment):
    template = Template('{{ day|date:"WEEKDAY_DATE_FORMAT" }}|{{ moment|date:"WEEKDAY_DATETIME_FORMAT" }}')
    with translation.override(language):
        assert template.render(Context({"day": DAY, "moment": MOMENT})) == f"{day}|{moment}"


@pytest.mark.parametrize(("language", "expected"), [("de", "2. Dezember 2026"), ("en", "2 December 2026")])
def test_the_plain_long_date_has_no_ordinal_dot_in_english(language, expected):
    with translation.override(language):
        assert formats.date_format(DAY) == expected
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == f"{expected}, 09:30"


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("name", ["WEEKDAY_DATE_FORMAT", "WEEKDAY_DATETIME_FORMAT"])
def test_every_language_defines_the_project_date_formats(language, name):
    """Django returns an unknown format name as the format itself: "WEEKDAY_DATE_FORMAT" would
    then be printed letter by letter as date parts. Every language must define it."""
    assert formats.get_format(name, lang=language) != name


def test_no_template_spells_out_a_german_date_pattern():
    """Templates name a format ("WEEKDAY_DATE_FORMAT") instead of "l, j. F Y", which would
    read "Wednesday, 2. December 2026" on English pages."""
    import re
    from pathlib import Path

    import rathaus

    root = Path(rathaus.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if re.search(r'date:"l?,? ?j\. F', path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
