"""The day's bookings outside the staff page (issue 20, finding 8): ``rathaus appointments day``
for operators and ``GET /api/v1/appointments/offices/{slug}/day`` for staff tokens. Both show
names and booking codes, so each read is recorded with its purpose; another office's staff
are refused like an office that does not exist."""

import csv
import datetime
import io
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rathaus.accounts import services as account_services
from rathaus.accounts.models import StaffRole, User
from rathaus.appointments import services
from rathaus.directory.models import Office
from rathaus.kernel import audit

from .factories import confirmed, local, make_staff, planned_office

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 2)  # a Wednesday; the factory's plan releases it from NOW on
CLI = "rathaus appointments (Kommandozeile)"


@pytest.fixture
def planned():
    return planned_office()


@pytest.fixture
def booked(planned):
    appointment = confirmed(planned, local(2026, 12, 2, 9))
    walk_in = services.walk_in_create(
        office=planned.office, services=[planned.certify], by=None, now=local(2026, 12, 2, 10)
    )
    return appointment, walk_in


def run(*args):
    out = StringIO()
    call_command("appointments", "day", *args, stdout=out)
    return out.getvalue()


def _reads(**filters):
    return list(audit.AuditEntry.objects.filter(action="office.read", **filters))


# --- rathaus appointments day --------------------------------------------------------------------


def test_the_day_list_is_printed_as_a_table_with_german_dates_and_the_read_is_recorded(planned, booked):
    appointment, walk_in = booked
    out = run("--office", planned.office.slug, "--date", "2026-12-02", "--purpose", "Rückfrage Bürgerin")
    assert "Mittwoch, 2. Dezember 2026" in out
    assert "09:00–09:15" in out and "Anna Becker" in out and appointment.code in out and "bestätigt" in out
    assert "ohne Termin" in out and walk_in.queue_number in out
    entry = _reads(actor_label=CLI)[0]
    assert entry.purpose == "Rückfrage Bürgerin" and entry.legal_basis
    assert entry.target_id == str(planned.office.pk) and "day:2026-12-02" in entry.details["fields"]


def test_without_a_purpose_the_command_line_purpose_is_recorded(planned, booked):
    run("--office", planned.office.slug, "--date", "2026-12-02")
    assert _reads(actor_label=CLI)[0].purpose == (
        "Terminabwicklung in der Dienststelle (Tagesliste über die Kommandozeile)"
    )


def test_csv_and_json_carry_the_same_entries(planned, booked):
    appointment, walk_in = booked
    rows = list(
        csv.reader(
            io.StringIO(run("--office", planned.office.slug, "--date", "2026-12-02", "--format", "csv")),
            delimiter=";",
        )
    )
    assert rows[0][:3] == ["Datum", "Beginn", "Ende"]
    assert rows[1][:3] == ["02.12.2026", "09:00", "09:15"] and appointment.code in rows[1]
    assert rows[2][4] == walk_in.queue_number and rows[2][9] == "Ohne Termin"
    document = json.loads(run("--office", planned.office.slug, "--date", "2026-12-02", "--format", "json"))
    assert document["date"] == "2026-12-02"
    assert [item["code"] for item in document["items"]] == [appointment.code, walk_in.code]
    assert document["items"][0]["start"] == "2026-12-02T09:00:00+01:00"
    assert len(_reads(actor_label=CLI)) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--date", "2026-02-30"), "Der Tag (--date) 2026-02-30 gibt es nicht im Kalender."),
        (("--date", "02.12.2026"), "Der Tag (--date) muss die Form JJJJ-MM-TT haben, z. B. 2026-12-02."),
        (("--date", "9999-12-31"), "Der Tag (--date) muss zwischen dem"),
        (("--purpose", "  "), "Bitte nennen Sie den Zweck des Abrufs"),
    ],
)
def test_a_bad_date_or_a_blank_purpose_is_a_german_error_and_nothing_is_read(planned, args, message):
    with pytest.raises(CommandError) as caught:
        run("--office", planned.office.slug, *args)
    assert str(caught.value).startswith(message)
    assert not _reads()


def test_an_office_without_online_appointments_is_a_german_error(planned):
    Office.objects.create(slug="ohne-termine", name="Ohne Termine", street_address="x", postal_code="28195")
    for slug in ("ohne-termine", "gibt-es-nicht"):
        with pytest.raises(
            CommandError, match=f"Eine Dienststelle „{slug}“ mit Online-Terminvergabe gibt es nicht"
        ):
            run("--office", slug)


# --- GET /api/v1/appointments/offices/{slug}/day -------------------------------------------------


def _token(owner: User, scopes=("appointments:desk",)) -> dict[str, str]:
    _token, plaintext = account_services.api_token_issue(
        owner=owner, name="Fachverfahren", scopes=list(scopes)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def _url(office, **query):
    return f"/api/v1/appointments/offices/{office.slug}/day", {"date": "2026-12-02", **query}


def test_staff_of_the_office_read_the_day_list_over_the_api_and_the_read_is_recorded(client, planned, booked):
    appointment, walk_in = booked
    clerk = make_staff(planned.office)
    url, query = _url(planned.office, purpose="Abgleich mit dem Fachverfahren")
    response = client.get(url, query, **_token(clerk))
    assert response.status_code == 200
    body = response.json()
    assert (body["office_slug"], body["date"]) == (planned.office.slug, "2026-12-02")
    assert [i["code"] for i in body["items"]] == [appointment.code, walk_in.code]
    first = body["items"][0]
    assert (first["name"], first["status"], first["status_label"]) == (
        "Anna Becker",
        "confirmed",
        "bestätigt",
    )
    assert first["services"][0]["leika_key"] == planned.certify.leika_key
    entry = _reads(actor_id=str(clerk.pk)).pop()
    assert entry.purpose == "Abgleich mit dem Fachverfahren"
    client.get(url, {"date": "2026-12-02"}, **_token(clerk))
    assert (
        _reads(actor_id=str(clerk.pk))[-1].purpose
        == "Terminabwicklung in der Dienststelle (Tagesliste über die API)"
    )


def test_staff_of_another_office_get_404_and_the_refusal_is_recorded(client, planned, booked):
    other = planned_office()
    stranger = make_staff(other.office)
    url, query = _url(planned.office)
    response = client.get(url, query, **_token(stranger))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:rathaus:problem:office_not_found"
    assert "Anna" not in response.content.decode()
    assert not _reads()
    denied = audit.AuditEntry.objects.get(action="access.denied", actor_id=str(stranger.pk))
    assert denied.target_id == str(planned.office.pk)
    # The same answer as for an office that does not exist.
    unknown = client.get("/api/v1/appointments/offices/gibt-es-nicht/day", **_token(stranger))
    assert unknown.status_code == 404 and unknown.json()["detail"] == response.json()["detail"]


def test_an_office_administrator_or_an_organisation_does_not_read_the_day_list(client, planned, booked):
    admin = make_staff(planned.office)
    StaffRole.objects.filter(user=admin).update(role=StaffRole.Role.ADMIN)
    portal = User.objects.create_user(username="partnerportal", kind=User.Kind.ORGANISATION)
    url, query = _url(planned.office)
    for owner in (admin, portal):
        assert client.get(url, query, **_token(owner)).status_code == 404
    assert not _reads()


def test_a_token_without_the_desk_scope_is_403(client, planned, booked):
    clerk = make_staff(planned.office)
    url, query = _url(planned.office)
    response = client.get(url, query, **_token(clerk, scopes=("appointments:book",)))
    assert response.status_code == 403 and response.json()["type"] == "urn:rathaus:problem:missing_scope"
    assert client.get(url, query).status_code == 401
    assert not _reads()


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/appointments/offices/ba%00x/day", {}),
        ("/api/v1/appointments/offices/{slug}/day", {"date": "9999-12-31"}),
        ("/api/v1/appointments/offices/{slug}/day", {"date": "2026-02-30"}),
        ("/api/v1/appointments/offices/{slug}/day", {"purpose": "x" * 501}),
    ],
)
def test_bad_input_is_a_422_problem(client, planned, path, query):
    clerk = make_staff(planned.office)
    response = client.get(path.format(slug=planned.office.slug), query, **_token(clerk))
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert not _reads()


def test_openapi_documents_the_day_list_with_its_problems(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/appointments/offices/{slug}/day"][
        "get"
    ]
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
    problem = operation["responses"]["404"]["content"]["application/problem+json"]
    assert problem["schema"]["$ref"] == "#/components/schemas/Problem"
    assert "appointments:desk" in operation["description"]
