"""``rathaus appointments plan``: an office's planning from a file and shown as one, through the
audited planning services, without a Python shell (issue 20, finding 8); and the daily
housekeeping still runs as cron calls it."""

import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from rathaus.appointments import selectors
from rathaus.appointments.management.commands.appointments import Command
from rathaus.appointments.models import Counter, OfferedService, OfficePlan, OpeningException, Slot
from rathaus.directory.models import Office, Service
from rathaus.kernel import audit

pytestmark = pytest.mark.django_db

ACTOR = "rathaus appointments (Kommandozeile)"


@pytest.fixture
def office():
    Service.objects.create(leika_key="99102019000000", name="Reisepass beantragen")
    Service.objects.create(leika_key="99012001000000", name="Kopien amtlich beglaubigen lassen")
    return Office.objects.create(
        slug="buergeramt-sued", name="Bürgeramt Süd", street_address="Markt 1", postal_code="28195"
    )


def _day(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _plan_text(*, counters='"Schalter 1", "Schalter 2"', duration=15, closed_day=None, offers=True) -> str:
    closed = closed_day or _day(9)
    text = f"""\
format = "rathaus.appointments.plan/1"
office = "buergeramt-sued"
counters = [{counters}]
{"" if offers else "services = []"}

[plan]
slot_minutes = 15
release_days = 14
release_time = "07:30"
hold_minutes = 12
max_open_per_person = 2

[hours]
monday = ["08:00-12:00", "13:00-16:00"]
tuesday = ["08:00-12:00"]
wednesday = ["08:00-12:00"]
thursday = ["08:00-12:00", "14:00-18:00"]
friday = ["08:00-12:00"]
saturday = ["08:00-12:00"]
sunday = ["08:00-12:00"]

[[exceptions]]
day = "{closed.isoformat()}"
reason = "Betriebsversammlung"

[[services]]
leika = "99102019000000"
duration_minutes = {duration}
buffer_minutes = 5

[[services]]
leika = "99012001000000"
duration_minutes = 10
"""
    return text if offers else text.split("[[services]]")[0]


def _file(tmp_path, text, name="plan.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(*args):
    out = StringIO()
    call_command("appointments", *args, stdout=out)
    return out.getvalue()


def _entries():
    return list(audit.AuditEntry.objects.filter(actor_label=ACTOR).order_by("seq"))


def test_a_plan_file_plans_the_office_audited_and_gives_bookable_slots(tmp_path, office):
    out = run("plan", "--office", "buergeramt-sued", "--file", _file(tmp_path, _plan_text()))
    plan = OfficePlan.objects.get(office=office)
    assert (plan.slot_minutes, plan.release_days, plan.release_time, plan.hold_minutes) == (
        15,
        14,
        datetime.time(7, 30),
        12,
    )
    assert plan.max_open_per_person == 2
    assert list(Counter.objects.filter(office=office).values_list("name", flat=True)) == [
        "Schalter 1",
        "Schalter 2",
    ]
    offers = {
        o.service.leika_key: (o.duration_minutes, o.buffer_minutes) for o in OfferedService.objects.all()
    }
    assert offers == {"99102019000000": (15, 5), "99012001000000": (10, 0)}
    closed = OpeningException.objects.get(office=office)
    assert (closed.day, closed.closed, closed.reason) == (_day(9), True, "Betriebsversammlung")
    # Slots follow the plan: none on the closed day, some on the days around it.
    assert Slot.objects.filter(office=office).exists()
    assert not Slot.objects.filter(office=office, start__date=_day(9)).exists()
    service = Service.objects.get(leika_key="99012001000000")
    assert selectors.availability(office=office, services=[service], limit=1)
    # Every write is audited under the command line's actor, with the office as target.
    actions = {e.action for e in _entries()}
    assert {
        "appointments.plan_saved",
        "appointments.counter_saved",
        "appointments.hours_set",
        "appointments.exception_added",
        "appointments.offer_saved",
    } <= actions
    assert all(e.target_id == str(office.pk) for e in _entries())
    assert "Terminplanung wird angelegt" in out and "Zeiteinheiten geprüft" in out


def test_applying_the_same_file_again_changes_and_records_nothing(tmp_path, office):
    path = _file(tmp_path, _plan_text())
    run("plan", "--office", "buergeramt-sued", "--file", path)
    before = audit.AuditEntry.objects.count()
    out = run("plan", "--office", "buergeramt-sued", "--file", path)
    assert "Keine Änderungen" in out
    assert audit.AuditEntry.objects.count() == before


def test_dry_run_says_what_would_change_and_stores_nothing(tmp_path, office):
    run("plan", "--office", "buergeramt-sued", "--file", _file(tmp_path, _plan_text()))
    before = audit.AuditEntry.objects.count()
    changed = _file(tmp_path, _plan_text(counters='"Schalter 1"', duration=20), name="neu.toml")
    out = run("plan", "--office", "buergeramt-sued", "--file", changed, "--dry-run")
    assert "Probelauf, nichts gespeichert" in out
    assert "Schalter „Schalter 2“: abgeschaltet" in out
    assert "Leistung 99102019000000 (Reisepass beantragen): 15 Min. + 5 Min. Puffer → 20 Min." in out
    assert audit.AuditEntry.objects.count() == before
    assert Counter.objects.get(name="Schalter 2").active
    # Applied for real, the same changes are made: the counter is switched off, not deleted.
    run("plan", "--office", "buergeramt-sued", "--file", changed)
    assert not Counter.objects.get(name="Schalter 2").active
    assert OfferedService.objects.get(service__leika_key="99102019000000").duration_minutes == 20


@pytest.mark.parametrize("form", ["toml", "json"])
def test_show_prints_the_plan_in_the_file_format_and_applying_it_changes_nothing(tmp_path, office, form):
    run("plan", "--office", "buergeramt-sued", "--file", _file(tmp_path, _plan_text()))
    shown = run("plan", "--office", "buergeramt-sued", "--show", "--format", form)
    if form == "json":
        assert json.loads(shown)["services"][0]["name"] == "Kopien amtlich beglaubigen lassen"
    else:
        assert 'release_time = "07:30"' in shown and 'reason = "Betriebsversammlung"' in shown
    before = audit.AuditEntry.objects.count()
    out = run("plan", "--office", "buergeramt-sued", "--file", _file(tmp_path, shown, name=f"gezeigt.{form}"))
    assert "Keine Änderungen" in out
    assert audit.AuditEntry.objects.count() == before


def test_changing_an_exception_replaces_it_and_removing_a_service_stops_online_booking(tmp_path, office):
    run("plan", "--office", "buergeramt-sued", "--file", _file(tmp_path, _plan_text()))
    text = _plan_text(closed_day=_day(10), offers=False)
    out = run("plan", "--office", "buergeramt-sued", "--file", _file(tmp_path, text))
    assert list(OpeningException.objects.values_list("day", flat=True)) == [_day(10)]
    assert not OfferedService.objects.filter(active=True).exists()
    assert OfferedService.objects.count() == 2  # switched off, not deleted
    assert f"Ausnahme am {_day(9):%d.%m.%Y}: Ausnahme entfällt" in out
    assert {"appointments.exception_removed", "appointments.offer_saved"} <= {e.action for e in _entries()}


def test_a_bad_plan_file_is_refused_in_german_naming_line_and_field_and_stores_nothing(tmp_path, office):
    text = _plan_text().replace("duration_minutes = 10", 'duration_minutes = "zehn"')
    path = _file(tmp_path, text)
    with pytest.raises(CommandError) as caught:
        run("plan", "--office", "buergeramt-sued", "--file", path)
    line = text.splitlines().index('duration_minutes = "zehn"') + 1
    assert str(caught.value) == (
        f"{path}, Zeile {line}, services[2].duration_minutes: "
        "Die Dauer muss eine ganze Zahl ohne Anführungszeichen sein."
    )
    assert not OfficePlan.objects.exists() and not audit.AuditEntry.objects.exists()


def test_an_unknown_leika_key_is_named_with_its_line_and_nothing_is_stored(tmp_path, office):
    text = _plan_text().replace('leika = "99012001000000"', 'leika = "99999999999999"')
    with pytest.raises(CommandError) as caught:
        run("plan", "--office", "buergeramt-sued", "--file", _file(tmp_path, text))
    line = text.splitlines().index('leika = "99999999999999"') + 1
    assert f"Zeile {line}, services[2].leika: Eine Leistung mit dem LeiKa-Schlüssel 99999999999999" in str(
        caught.value
    )
    assert not OfficePlan.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--office", "gibt-es-nicht"), "Eine Dienststelle mit dem Kurznamen „gibt-es-nicht“ gibt es nicht."),
        (("--office", "x\x00y"), "Eine Dienststelle mit dem Kurznamen „x\x00y“ gibt es nicht."),
        (
            ("--office", "buergeramt-sued", "--show"),
            "Für „Bürgeramt Süd“ ist keine Online-Terminvergabe geplant.",
        ),
    ],
)
def test_an_unknown_or_unplanned_office_is_a_german_error(office, args, message):
    with pytest.raises(CommandError) as caught:
        run("plan", *args, *(() if "--show" in args else ("--file", "plan.toml")))
    assert str(caught.value) == message


def test_a_file_of_another_office_or_not_in_utf8_is_refused(tmp_path, office):
    other = _plan_text().replace('office = "buergeramt-sued"', 'office = "buergeramt-nord"')
    with pytest.raises(CommandError, match="gilt für die Dienststelle „buergeramt-nord“"):
        run("plan", "--office", "buergeramt-sued", "--file", _file(tmp_path, other))
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('counters = ["Schalter Süd"]\n'.encode("latin-1"))
    with pytest.raises(CommandError, match="nicht in UTF-8"):
        run("plan", "--office", "buergeramt-sued", "--file", str(latin1))
    with pytest.raises(CommandError, match="„.*fehlt.toml“ gibt es nicht"):
        run("plan", "--office", "buergeramt-sued", "--file", str(tmp_path / "fehlt.toml"))
    with pytest.raises(CommandError, match="lässt sich nicht lesen"):
        run("plan", "--office", "buergeramt-sued", "--file", str(tmp_path))  # a directory


def test_housekeeping_runs_as_cron_calls_it_and_as_a_subcommand(tmp_path, office):
    run("plan", "--office", "buergeramt-sued", "--file", _file(tmp_path, _plan_text()))
    Slot.objects.all().delete()
    assert "1 Dienststellen" in run() and Slot.objects.exists()
    assert "0 Erinnerungen verschickt" in run("--no-reminders")
    assert "1 Dienststellen" in run("housekeeping", "--no-reminders")


@pytest.mark.parametrize("subcommand", [[], ["housekeeping"], ["plan"], ["day"]])
def test_every_subcommand_has_german_and_english_help(capsys, subcommand):
    parser = Command().create_parser("rathaus", "appointments")
    with pytest.raises(SystemExit):
        parser.parse_args([*subcommand, "--help"])
    text = capsys.readouterr().out
    assert " / " in text and "--" in text


def test_the_example_in_the_operators_documentation_applies(tmp_path, office):
    """docs/appointments.md shows a plan file; it must stay one that applies."""
    docs = (Path(__file__).resolve().parents[4] / "docs" / "appointments.md").read_text(encoding="utf-8")
    example = docs.split("```toml\n", 1)[1].split("```", 1)[0].replace("buergeramt-mitte", "buergeramt-sued")
    out = run("plan", "--office", "buergeramt-sued", "--file", _file(tmp_path, example), "--dry-run")
    assert "Terminplanung wird angelegt" in out and "Schalter „Schalter 3“: in Betrieb" in out
