"""The register offices' staff pages (``/register/anfragen/``): the queue, the decision and the
statistics; staff only, another office's request is 404, bad input a German message."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rathaus.accounts.models import User
from rathaus.kernel.audit import AuditEntry
from rathaus.kernel.testing import CITIZEN_BACKEND, log_in, log_in_staff
from rathaus.registers import services
from rathaus.registers.models import ExchangeRecord

from .factories import exchange_world
from .test_exchange_decisions import ask_65, ask_kindergeld, clerk

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return exchange_world()


@pytest.fixture
def standesamt(client, world):
    return log_in_staff(client, clerk(world.standesamt, "hinrichs"))


def test_the_queue_lists_waiting_requests_without_personal_data(standesamt, world):
    record_id = ask_65(world).record_id
    response = standesamt.get(reverse("exchange_desk:queue"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Anfrage {record_id} prüfen" in html and "Bürgeramt Mitte" in html
    assert "Ahlers" not in html and "HBX1" not in html
    assert not AuditEntry.objects.filter(action="person.read").exists()


def test_a_clerk_opens_and_releases_a_request(standesamt, world):
    record_id = ask_65(world).record_id
    page = standesamt.get(reverse("exchange_desk:decide", args=[record_id]))
    assert page.status_code == 200 and "Maren Ahlers" in page.content.decode()
    assert AuditEntry.objects.filter(action="person.read").count() == 1
    # when
    response = standesamt.post(reverse("exchange_desk:release", args=[record_id]), follow=True)
    # then
    assert response.redirect_chain[-1][0] == reverse("exchange_desk:queue")
    assert f"Die Anfrage Nr. {record_id} ist freigegeben" in response.content.decode()
    assert ExchangeRecord.objects.get(pk=record_id).outcome == ExchangeRecord.Outcome.ANSWERED


def test_a_second_release_says_it_is_decided_already(standesamt, world):
    record_id = ask_65(world).record_id
    standesamt.post(reverse("exchange_desk:release", args=[record_id]))
    response = standesamt.post(reverse("exchange_desk:release", args=[record_id]), follow=True)
    assert "bereits entschieden" in response.content.decode()
    assert standesamt.get(reverse("exchange_desk:decide", args=[record_id])).status_code == 404


def test_release_after_withdrawal_is_refused_with_a_message(standesamt, world):
    consent, answer = ask_kindergeld(world)
    services.consent_withdraw(consent_id=consent.pk, person_id=world.mother.pk, by="Maren Ahlers")
    response = standesamt.post(reverse("exchange_desk:release", args=[answer.record_id]), follow=True)
    assert "nicht freigegeben" in response.content.decode()
    assert ExchangeRecord.objects.get(pk=answer.record_id).refusal_code == "consent_withdrawn"


def test_staff_of_another_office_get_404(client, world):
    record_id = ask_65(world).record_id
    log_in_staff(client, clerk(world.buergeramt, "tietjen"))
    assert client.get(reverse("exchange_desk:decide", args=[record_id])).status_code == 404
    assert client.post(reverse("exchange_desk:release", args=[record_id])).status_code == 404
    assert client.post(reverse("exchange_desk:refuse", args=[record_id]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("exchange_desk:decide", args=[999999])).status_code == 404
    huge = 10**20
    assert client.get(reverse("exchange_desk:decide", args=[huge])).status_code == 404
    assert client.post(reverse("exchange_desk:release", args=[huge])).status_code == 404
    assert ExchangeRecord.objects.get(pk=record_id).outcome == ExchangeRecord.Outcome.PENDING


def test_a_refusal_without_reason_is_a_german_message(standesamt, world):
    record_id = ask_65(world).record_id
    response = standesamt.post(reverse("exchange_desk:refuse", args=[record_id]), {"reason": "  "})
    assert response.status_code == 422
    assert "Bitte nennen Sie den Grund der Ablehnung." in response.content.decode()
    response = standesamt.post(
        reverse("exchange_desk:refuse", args=[record_id]), {"reason": "Nicht erforderlich."}, follow=True
    )
    assert f"Die Anfrage Nr. {record_id} ist abgelehnt." in response.content.decode()
    assert ExchangeRecord.objects.get(pk=record_id).refusal_reason == "Nicht erforderlich."


def test_the_pages_are_for_staff_only(client, world):
    record_id = ask_65(world).record_id
    queue = reverse("exchange_desk:queue")
    assert client.get(queue).status_code == 302  # to the staff login
    citizen = User.objects.create_user(username="buerger", kind=User.Kind.CITIZEN)
    log_in(client, citizen, backend=CITIZEN_BACKEND)
    assert client.get(queue).status_code == 403
    assert client.post(reverse("exchange_desk:release", args=[record_id])).status_code == 403
    # a staff member without the second factor is sent to the login
    client.logout()
    log_in(client, clerk(world.standesamt, "halb"))
    assert client.get(queue).status_code == 302
    assert ExchangeRecord.objects.get(pk=record_id).outcome == ExchangeRecord.Outcome.PENDING


def test_statistics_show_a_chart_and_a_table_with_german_numbers(standesamt, world):
    ask_65(world)
    ExchangeRecord.objects.bulk_create(
        ExchangeRecord(requesting_office=world.finanzamt, basis_id="bmg-34-grunddaten", outcome="answered")
        for _ in range(1200)
    )
    response = standesamt.get(reverse("exchange_desk:statistics"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and 'role="img"' in html and "beantwortet: 1.200" in html
    assert "<table" in html and "1.201" in html  # all purposes together
    assert "Erfüllung der Aufgaben der anfragenden Behörde" in html


@pytest.mark.parametrize("query", ["von=gestern", "bis=2026-13-40", "von=2026-02-01&bis=2026-01-01"])
def test_statistics_with_a_bad_period_say_so(standesamt, query):
    response = standesamt.get(reverse("exchange_desk:statistics") + "?" + query)
    assert response.status_code == 422
    assert "Der Zeitraum wurde nicht übernommen" in response.content.decode()


def test_statistics_of_a_past_period(standesamt, world):
    ask_65(world)
    today = timezone.localdate()
    old = (today - datetime.timedelta(days=400)).isoformat()
    response = standesamt.get(reverse("exchange_desk:statistics"), {"von": old, "bis": old})
    assert response.status_code == 200 and "Keine Anfragen in diesem Zeitraum" in response.content.decode()


def test_statistics_are_for_register_offices(client, world):
    log_in_staff(client, clerk(world.finanzamt, "demir"))
    assert client.get(reverse("exchange_desk:statistics")).status_code == 403
