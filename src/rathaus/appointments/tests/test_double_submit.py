"""One form submission makes at most one hold, and a used proof of work or waiting ticket stays
used (issue 20, findings 3 and 4)."""

import base64
import datetime
import io
import json
import sqlite3
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from rathaus.appointments import protection, tokens
from rathaus.appointments.models import Appointment
from rathaus.kernel import spent
from rathaus.kernel.models import SpentToken
from rathaus.kernel.testing import run_module, sqlite_file_copy

from .double_submit import choices_on_page, form_from_page, submit_at_once
from .factories import planned_office

pytestmark = pytest.mark.django_db

RESERVE = "appointments:reserve"


@pytest.fixture
def planned():
    return planned_office(every_day=True, now=None, counters=3)


def _page(client, planned) -> str:
    """The office's page of free times for the certification."""
    query = {"service": planned.certify.pk, "office": planned.office.pk}
    page = client.get(reverse("appointments:search"), query)
    assert page.status_code == 200
    return page.content.decode()


def _form(client, planned, *, shown_seconds_ago: float = 16) -> dict[str, str]:
    """What the browser sends from a page of free times, with the proof of work solved; the
    waiting ticket as if the page had been shown ``shown_seconds_ago`` (valid after 15 s). The
    time chosen is two hours after the earliest, so that it is still bookable (minimum notice)
    when a slow run sends the form seconds later."""
    form = form_from_page(_page(client, planned), pick=8)
    form["ticket"] = protection.wait_ticket(now=time.time() - shown_seconds_ago)
    return form


def test_the_same_form_sent_twice_makes_one_hold(client, planned):
    """Before: sent twice at least 16 s after the page was shown, the form made two holds (the
    first submission used the proof of work, the second the waiting ticket)."""
    form = _form(client, planned)
    first = client.post(reverse(RESERVE), form)
    second = client.post(reverse(RESERVE), form)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Appointment.objects.count() == 1
    assert protection.wait_ticket_check(form["ticket"]).valid  # the second used no ticket either


def test_a_double_click_right_after_the_page_was_shown_shows_the_hold(client, planned):
    """Before: the second submission found the proof of work used and the ticket too young, and
    showed "Bitte kurz warten" although the first had made the hold."""
    form = _form(client, planned, shown_seconds_ago=0)
    first = client.post(reverse(RESERVE), form)
    second = client.post(reverse(RESERVE), form)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Appointment.objects.count() == 1


def test_another_time_chosen_on_the_same_page_is_another_reservation(client, planned):
    """Back to the page and another time: not the same submission, so it is reserved as well."""
    form = _form(client, planned)
    other = choices_on_page(_page(client, planned))[9]
    assert other != form["choice"]
    first = client.post(reverse(RESERVE), form)
    second = client.post(reverse(RESERVE), {**form, "choice": other, "pow": ""})
    assert first.status_code == second.status_code == 302
    assert second["Location"] != first["Location"]
    assert Appointment.objects.count() == 2


@pytest.mark.parametrize("counters", [1, 3])
@pytest.mark.django_db(transaction=True)
def test_a_double_click_at_the_same_moment_makes_one_hold(client, counters):
    """Two threads send the same form at once (meeting at a barrier), each on its own connection:
    on PostgreSQL in this process, on SQLite in a child process on a file copy of the database.
    Both are sent to the one hold. Before: two holds with three counters; with one counter the
    second submission was told the time was taken (by its own hold)."""
    planned = planned_office(every_day=True, now=None, counters=counters)
    form = _form(client, planned)
    if connection.vendor == "postgresql":
        answers = submit_at_once(form=form, threads=2)
        holds = Appointment.objects.filter(office=planned.office).count()
    else:
        with sqlite_file_copy(wal=True) as var_dir:
            module = "rathaus.appointments.tests.double_submit"
            answers = json.loads(run_module(module, ["2", json.dumps(form)], var_dir=var_dir))
            copy = sqlite3.connect(var_dir / "rathaus.sqlite3")
            try:
                (holds,) = copy.execute(
                    "SELECT COUNT(*) FROM appointments_appointment WHERE office_id = ?", (planned.office.pk,)
                ).fetchone()
            finally:
                copy.close()
    assert [status for status, _location in answers] == [302, 302], answers
    assert len({location for _status, location in answers}) == 1
    assert holds == 1


def test_a_used_proof_of_work_is_refused_after_the_cache_lost_it(client, planned):
    """Before: "used" lived in the cache; once other traffic had pushed it out, the same solution
    made another hold."""
    form = {**_form(client, planned), "ticket": ""}
    assert client.post(reverse(RESERVE), form).status_code == 302
    cache.clear()
    again = client.post(reverse(RESERVE), {**form, "form_token": tokens.form_token()})
    assert again.status_code == 400
    assert Appointment.objects.count() == 1


def test_a_used_waiting_ticket_is_refused_after_the_cache_lost_it(client, planned):
    form = {**_form(client, planned), "pow": ""}
    assert client.post(reverse(RESERVE), form).status_code == 302
    cache.clear()
    again = client.post(reverse(RESERVE), {**form, "form_token": tokens.form_token()})
    assert again.status_code == 400
    assert Appointment.objects.count() == 1


def test_a_used_solution_encoded_another_way_is_the_same_used_challenge(client, planned):
    """Before: "used" was keyed by the payload's text, so the same solution with its fields in
    another order (or other spacing) counted again."""
    form = {**_form(client, planned), "ticket": ""}
    assert client.post(reverse(RESERVE), form).status_code == 302
    solution = json.loads(base64.b64decode(form["pow"]))
    reordered = json.dumps(dict(reversed(list(solution.items()))), indent=1)
    again = {**form, "pow": base64.b64encode(reordered.encode()).decode(), "form_token": tokens.form_token()}
    assert client.post(reverse(RESERVE), again).status_code == 400
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    "solution",
    [
        {"algorithm": "SHA-256", "challenge": "a", "number": 1, "salt": 5, "signature": "b"},
        "algorithm challenge number salt signature",
        ["algorithm", "challenge", "number", "salt", "signature"],
        {"algorithm": "SHA-256", "challenge": "a", "number": "1", "salt": "s", "signature": "b"},
    ],
)
def test_a_malformed_proof_of_work_is_refused_not_an_error(client, planned, solution):
    """Before: a salt that is a number, or a JSON string naming the fields, made the ``altcha``
    package fail (500)."""
    form = {**_form(client, planned), "ticket": ""}
    form["pow"] = base64.b64encode(json.dumps(solution).encode()).decode()
    response = client.post(reverse(RESERVE), form)
    assert response.status_code == 400
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("token", [None, "", "kurz", "A" * 42 + "!", "A" * 44])
def test_a_form_without_its_one_time_token_is_refused(client, planned, token):
    form = _form(client, planned)
    if token is None:
        del form["form_token"]
    else:
        form["form_token"] = token
    response = client.post(reverse(RESERVE), form)
    assert response.status_code == 400
    assert "Bitte suchen Sie den Termin noch einmal" in response.content.decode()
    assert not Appointment.objects.exists()


def test_the_waiting_page_keeps_the_form_token(client, planned):
    form = {**_form(client, planned, shown_seconds_ago=0), "pow": ""}
    response = client.post(reverse(RESERVE), form)
    assert response.status_code == 200  # "Bitte kurz warten"
    assert f'name="form_token" value="{form["form_token"]}"' in response.content.decode()


def test_daily_housekeeping_deletes_the_records_of_expired_tokens_only():
    now = timezone.now()
    second = datetime.timedelta(seconds=1)
    assert spent.spend(purpose="appointments.pow", value="expired", expires_at=now - second)
    assert spent.spend(purpose="appointments.wait-ticket", value="valid", expires_at=now + 3600 * second)
    out = io.StringIO()
    call_command("appointments", "--no-reminders", stdout=out)
    assert "1 abgelaufene Einmal-Tokens und" in out.getvalue()
    assert list(SpentToken.objects.values_list("purpose", flat=True)) == ["appointments.wait-ticket"]
    assert not spent.spend(purpose="appointments.wait-ticket", value="valid", expires_at=now)
