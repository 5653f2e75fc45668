"""Plan files (``rathaus appointments plan``): read, checked with German messages naming the
field and line, written back unchanged, compared with the stored plan (issue 20, finding 8)."""

import datetime
import textwrap

import pytest

from rathaus.domain.appointments import planchanges, planfile
from rathaus.domain.appointments.schedule import DayException, Interval, WeeklyHours

D = datetime.date
T = datetime.time
TODAY = D(2026, 12, 1)

GOOD = """\
format = "rathaus.appointments.plan/1"
office = "buergeramt-mitte"
counters = ["Schalter 1", "Schalter 2"]

[plan]
slot_minutes = 15
release_days = 28
release_time = "08:00"
hold_minutes = 10
max_open_per_person = 2

[hours]
monday = ["08:00-12:00", "13:00-16:00"]
thursday = ["14:00-18:00"]

[[exceptions]]
day = "2026-12-24"
reason = "Heiligabend"

[[exceptions]]
day = 2026-12-28
hours = ["09:00-12:00"]
reason = "Nur vormittags"

[[services]]
leika = "99102019000000"
name = "Reisepass beantragen"
duration_minutes = 15
buffer_minutes = 5

[[services]]
leika = "99012001000000"
duration_minutes = 10
"""


def test_a_good_file_is_read_into_the_plan_it_describes():
    plan = planfile.parse_toml(GOOD)
    assert plan.office == "buergeramt-mitte"
    assert plan.counters == ("Schalter 1", "Schalter 2")
    assert plan.settings == {
        "slot_minutes": 15,
        "release_days": 28,
        "release_time": T(8, 0),
        "hold_minutes": 10,
        "max_open_per_person": 2,
    }
    assert plan.hours == (
        WeeklyHours(0, Interval(T(8), T(12))),
        WeeklyHours(0, Interval(T(13), T(16))),
        WeeklyHours(3, Interval(T(14), T(18))),
    )
    assert plan.exceptions == (
        DayException(D(2026, 12, 24), (), "Heiligabend"),
        DayException(D(2026, 12, 28), (Interval(T(9), T(12)),), "Nur vormittags"),
    )
    assert plan.offers == (
        planfile.Offer("99102019000000", 15, 5),
        planfile.Offer("99012001000000", 10, 0),
    )


def test_what_the_file_leaves_out_is_none_and_stays_as_stored():
    plan = planfile.parse_toml('counters = ["A"]\n')
    assert plan.counters == ("A",)
    assert (plan.hours, plan.exceptions, plan.offers, dict(plan.settings)) == (None, None, None, {})


@pytest.mark.parametrize("form", ["toml", "json"])
def test_a_written_plan_reads_back_as_the_same_plan(form):
    plan = planfile.parse_toml(GOOD)
    full = planfile.PlanFile(
        office=plan.office,
        settings={**plan.settings, "active": True, "min_lead_minutes": 60, "verify_minutes": 30},
        counters=plan.counters,
        hours=plan.hours,
        exceptions=plan.exceptions,
        offers=plan.offers,
    )
    text = planfile.to_toml(full) if form == "toml" else planfile.to_json(full)
    assert planfile.parse(text, form=form) == full


def test_empty_parts_are_written_so_that_they_read_back_empty():
    plan = planfile.PlanFile(settings={"active": False}, counters=("A",), hours=(), exceptions=(), offers=())
    text = planfile.to_toml(plan)
    assert "exceptions = []" in text and "services = []" in text
    assert planfile.parse_toml(text) == plan


def test_names_with_quotes_and_backslashes_survive_the_round_trip():
    plan = planfile.PlanFile(counters=('Schalter "Mitte"', "A\\B", "Tür ü"))
    assert planfile.parse_toml(planfile.to_toml(plan)) == plan


@pytest.mark.parametrize(
    ("text", "line", "where", "words"),
    [
        ("[plan]\nslot_minutes = 3\n", 2, "plan.slot_minutes", "zwischen 5 und 240"),
        ('[plan]\nslot_minutes = "15"\n', 2, "plan.slot_minutes", "ganze Zahl"),
        ("[plan]\nactive = 1\n", 2, "plan.active", "true oder false"),
        ('[plan]\nrelease_time = "8 Uhr"\n', 2, "plan.release_time", "HH:MM"),
        ("[plan]\nslot_minuten = 15\n", 2, "plan.slot_minuten", "Unbekannter Eintrag"),
        ('[hours]\nmonday = ["08:00-12:00", "11:00-13:00"]\n', 2, "hours.monday", "überschneiden sich"),
        ('[hours]\nmonday = ["12:00-08:00"]\n', 2, "hours.monday[1]", "endet nicht nach ihrem Beginn"),
        ('[hours]\nmontag = ["08:00-12:00"]\n', 2, "hours.montag", "Unbekannter Eintrag"),
        ('[hours]\nmonday = ["8-12"]\n', 2, "hours.monday[1]", "HH:MM-HH:MM"),
        ('counters = ["A", "A"]\n', 1, "counters[2]", "zweimal"),
        ("counters = []\n", 1, "counters", "mindestens einen Schalter"),
        ('[[exceptions]]\nday = "2026-02-30"\n', 2, "exceptions[1].day", "gibt es nicht im Kalender"),
        ('[[exceptions]]\nreason = "x"\n', 1, "exceptions[1]", "fehlt der Tag"),
        (
            '[[services]]\nleika = "99102019000000"\nduration_minutes = 15\n\n'
            '[[services]]\nleika = "99012001000000"\nduration_minutes = 0\n',
            7,
            "services[2].duration_minutes",
            "Die Dauer muss zwischen 1 und 480",
        ),
        (
            "[[services]]\nleika = 99102019000000\nduration_minutes = 15\n",
            2,
            "services[1].leika",
            "14 Ziffern",
        ),
        ('format = "rathaus.appointments.plan/9"\n', 1, "format", "Unbekanntes Format"),
    ],
)
def test_a_bad_field_is_named_in_german_with_its_line(text, line, where, words):
    with pytest.raises(planfile.PlanFileError) as caught:
        planfile.parse_toml(text)
    assert caught.value.line == line
    assert planfile.describe_path(caught.value.path) == where
    assert words in caught.value.message
    assert str(caught.value).startswith(f"Zeile {line}, {where}: ")


def test_broken_toml_names_its_line():
    with pytest.raises(planfile.PlanFileError) as caught:
        planfile.parse_toml('counters = ["A"]\n[plan\nslot_minutes = 15\n')
    assert caught.value.line == 2
    assert "kein gültiges TOML" in str(caught.value)


def test_broken_json_names_its_line_and_a_bad_field_its_path():
    with pytest.raises(planfile.PlanFileError) as caught:
        planfile.parse_json('{\n  "counters": ["A"],\n}')
    assert caught.value.line == 3 and "kein gültiges JSON" in caught.value.message
    with pytest.raises(planfile.PlanFileError) as caught:
        planfile.parse_json('{"services": [{"leika": "99102019000000", "duration_minutes": 15.5}]}')
    assert (
        str(caught.value)
        == "services[1].duration_minutes: Die Dauer muss eine ganze Zahl ohne Anführungszeichen sein."
    )
    with pytest.raises(planfile.PlanFileError, match="NaN"):
        planfile.parse_json('{"plan": {"slot_minutes": NaN}}')


def _stored(**parts):
    values = {
        "office": "buergeramt-mitte",
        "settings": {"active": True, "slot_minutes": 15, "release_time": T(8, 0)},
        "counters": ("Schalter 1", "Schalter 2"),
        "hours": (WeeklyHours(0, Interval(T(8), T(12))),),
        "exceptions": (DayException(D(2026, 12, 24), (), "Heiligabend"),),
        "offers": (planfile.Offer("99102019000000", 15, 5, name="Reisepass beantragen"),),
    }
    return planfile.PlanFile(**{**values, **parts})


def test_the_stored_plan_applied_again_changes_nothing():
    stored = _stored()
    found = planchanges.changes(stored, stored, today=TODAY)
    assert not found and found.lines() == []


def test_each_changed_part_is_said_in_german():
    wanted = planfile.PlanFile(
        settings={"slot_minutes": 20, "release_time": T(8, 0)},
        counters=("Schalter 1", "Schalter 3"),
        hours=(WeeklyHours(0, Interval(T(8), T(12))), WeeklyHours(1, Interval(T(9), T(11)))),
        exceptions=(DayException(D(2026, 12, 24), (Interval(T(9), T(12)),), "Heiligabend"),),
        offers=(planfile.Offer("99102019000000", 20, 5), planfile.Offer("99012001000000", 10)),
    )
    found = planchanges.changes(_stored(), wanted, today=TODAY)
    assert found.settings == {"slot_minutes": 20}
    assert (found.counters_on, found.counters_off) == (("Schalter 3",), ("Schalter 2",))
    assert found.exceptions_drop == (D(2026, 12, 24),) and found.exceptions_add == wanted.exceptions
    assert [o.leika for o in found.offers_set] == ["99102019000000", "99012001000000"]
    assert found.lines() == [
        "Zeiteinheit (Minuten): 15 → 20",
        "Schalter „Schalter 3“: in Betrieb",
        "Schalter „Schalter 2“: abgeschaltet (gebuchte Termine bleiben)",
        "Öffnungszeiten Dienstag: geschlossen → 09:00–11:00",
        "Ausnahme am 24.12.2026: geschlossen (Heiligabend) → 09:00–12:00 (Heiligabend)",
        "Leistung 99102019000000 (Reisepass beantragen): 15 Min. + 5 Min. Puffer → 20 Min. + 5 Min. Puffer",
        "Leistung 99012001000000: neu, 10 Min.",
    ]


def test_services_and_exceptions_left_out_of_a_listed_part_go():
    found = planchanges.changes(_stored(), planfile.PlanFile(exceptions=(), offers=()), today=TODAY)
    assert found.exceptions_drop == (D(2026, 12, 24),) and found.offers_off == ("99102019000000",)
    assert found.lines() == [
        "Ausnahme am 24.12.2026: Ausnahme entfällt",
        "Leistung 99102019000000 (Reisepass beantragen): nicht mehr online buchbar",
    ]


def test_past_exceptions_are_left_out_and_stored_past_ones_are_kept():
    stored = _stored(exceptions=(DayException(D(2026, 11, 2), (), "Betriebsausflug"),))
    wanted = planfile.PlanFile(exceptions=(DayException(D(2026, 11, 30), (), "Gestern"),))
    found = planchanges.changes(stored, wanted, today=TODAY)
    assert not found
    assert found.past_days == (D(2026, 11, 30),)
    assert found.lines() == ["Ausnahme am 30.11.2026 liegt in der Vergangenheit und wird übergangen"]


def test_a_new_plan_is_created_with_every_part_of_the_file():
    found = planchanges.changes(None, planfile.parse_toml(GOOD), today=TODAY)
    assert found.new_plan and found.lines()[0] == "Terminplanung wird angelegt"
    assert found.counters_on == ("Schalter 1", "Schalter 2") and len(found.offers_set) == 2


def test_the_example_in_the_module_documentation_is_a_valid_plan():
    text = planfile.__doc__.split("::\n\n", 1)[1].split("\n\nJSON has", 1)[0]
    plan = planfile.parse_toml(textwrap.dedent(text))
    assert plan.counters == ("Schalter 1", "Schalter 2") and plan.offers[0].name == "Reisepass beantragen"


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ('{"plan": {"slot_minutes": ' + "1" * 5000 + "}}", "json"),
        ("[plan]\nslot_minutes = " + "1" * 5000 + "\n", "toml"),
        ("[" * 100_000, "json"),
        ("a = " + "[" * 100_000, "toml"),
    ],
)
def test_hostile_numbers_and_nesting_are_a_german_error_not_a_crash(text, form):
    """Tried: a 5,000-digit number (Python refuses to convert it) and 100,000 nested brackets."""
    with pytest.raises(planfile.PlanFileError, match="zu lang oder die Datei zu tief verschachtelt"):
        planfile.parse(text, form=form)
