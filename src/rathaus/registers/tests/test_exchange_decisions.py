"""Requests that need a clerk's decision (decision 0105): logged as pending, released or refused
by staff of the register office named in the catalogue, re-checked at release (issue 15, 6)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from rathaus.accounts.models import StaffRole, User
from rathaus.kernel.audit import AuditEntry
from rathaus.kernel.exceptions import Conflict, InvalidInput, NotFound
from rathaus.registers import exchange_decisions, exchange_desk, services
from rathaus.registers.models import ExchangeRecord
from rathaus.registers.selectors import cockpit_export, exchanges_of

from .factories import exchange_world

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 1, 10)


def clerk(office, username: str) -> User:
    user = User.objects.create_user(
        username=username, first_name="Jan", last_name=username, kind=User.Kind.STAFF
    )
    StaffRole.objects.create(user=user, office=office, role=StaffRole.Role.SACHBEARBEITUNG)
    return user


@pytest.fixture
def world():
    return exchange_world()


def ask_65(world, **overrides):
    """§ 65 PStG: the Bürgeramt asks the civil status register; the Standesamt decides."""
    arguments = {
        "requesting_office": world.buergeramt,
        "person_id": world.mother.pk,
        "fields": ["name", "date_of_birth", "address"],
        "purpose": "Prüfung eines Antrags auf Namensänderung",
        "legal_basis_id": "pstg-65-behoerden",
        "today": TODAY,
    }
    return services.exchange_request(**{**arguments, **overrides})


def ask_kindergeld(world):
    consent = services.consent_give(
        person_id=world.mother.pk, basis_id="kindergeld-geburt-einwilligung", by="test", today=TODAY
    )
    answer = services.exchange_request(
        requesting_office=world.familienkasse,
        person_id=world.mother.pk,
        fields=["name", "children"],
        purpose="Kindergeld für Jonte",
        consent_id=consent.pk,
        today=TODAY,
    )
    return consent, answer


def test_a_request_needing_a_decision_is_logged_pending_and_releases_nothing(world):
    answer = ask_65(world)
    assert answer.data == {} and answer.pending_at == "Standesamt Bremen-Mitte"
    record = ExchangeRecord.objects.get(pk=answer.record_id)
    assert record.outcome == ExchangeRecord.Outcome.PENDING
    assert record.deciding_office == world.standesamt
    assert record.fields_released == [] and record.categories_released == []
    assert AuditEntry.objects.filter(action="exchange.pending", details__exchange=record.pk).exists()
    # the person sees it waiting, nothing sent
    line = exchanges_of(person_id=world.mother.pk)[0]
    assert line.pending_at == "Standesamt Bremen-Mitte" and not line.answered
    assert cockpit_export(person_id=world.mother.pk)["exchanges"][0]["outcome"] == "pending"


def test_the_registry_office_releases_the_minimised_fields_logged_and_visible(world):
    record_id = ask_65(world, fields=["name", "address", "tax_id"]).record_id
    jan = clerk(world.standesamt, "hinrichs")
    # when
    record = exchange_decisions.exchange_release(exchange_id=record_id, clerk=jan, today=TODAY)
    # then: § 65 PStG covers identity (and birth, marital status), not the address or tax id
    assert record.outcome == ExchangeRecord.Outcome.ANSWERED
    assert record.fields_released == ["name"]
    assert record.released_data == {"name": "Maren Ahlers"}
    assert {w["field"] for w in record.fields_withheld} == {"address", "tax_id"}
    assert record.decided_by == "Jan hinrichs (Standesamt Bremen-Mitte)" and record.decided_at
    entry = AuditEntry.objects.get(action="exchange.released", details__exchange=record_id)
    assert entry.actor_label and entry.legal_basis == "§ 65 Abs. 1 PStG"
    line = exchanges_of(person_id=world.mother.pk)[0]
    assert line.answered and line.decided_at is not None and line.categories == ("Name und Geschlecht",)


def test_staff_of_another_office_cannot_release_or_refuse(world):
    record_id = ask_65(world).record_id
    other = clerk(world.buergeramt, "tietjen")
    with pytest.raises(NotFound):
        exchange_decisions.exchange_release(exchange_id=record_id, clerk=other, today=TODAY)
    with pytest.raises(NotFound):
        exchange_decisions.exchange_refuse(exchange_id=record_id, clerk=other, reason="nein")
    with pytest.raises(NotFound):
        exchange_desk.pending_exchange(exchange_id=record_id, clerk=other)
    assert exchange_desk.pending_exchanges(clerk=other) == []
    assert ExchangeRecord.objects.get(pk=record_id).outcome == ExchangeRecord.Outcome.PENDING


def test_a_request_is_decided_once(world):
    record_id = ask_65(world).record_id
    jan = clerk(world.standesamt, "hinrichs")
    exchange_decisions.exchange_release(exchange_id=record_id, clerk=jan, today=TODAY)
    with pytest.raises(Conflict, match="bereits entschieden") as second:
        exchange_decisions.exchange_release(exchange_id=record_id, clerk=jan, today=TODAY)
    assert second.value.code == "already_decided"
    with pytest.raises(Conflict):
        exchange_decisions.exchange_refuse(exchange_id=record_id, clerk=jan, reason="zu spät")
    assert ExchangeRecord.objects.get(pk=record_id).outcome == ExchangeRecord.Outcome.ANSWERED
    assert AuditEntry.objects.filter(action="exchange.released").count() == 1


def test_an_immediate_answer_is_not_in_the_queue(world):
    answer = services.exchange_request(
        requesting_office=world.finanzamt,
        person_id=world.mother.pk,
        fields=["name"],
        purpose="Prüfung",
        legal_basis_id="bmg-34-grunddaten",
        today=TODAY,
    )
    jan = clerk(world.standesamt, "hinrichs")
    assert answer.pending_at == "" and answer.data == {"name": "Maren Ahlers"}
    with pytest.raises(NotFound):
        exchange_decisions.exchange_release(exchange_id=answer.record_id, clerk=jan, today=TODAY)


def test_a_consent_withdrawn_before_the_release_refuses_it(world):
    consent, answer = ask_kindergeld(world)
    assert answer.pending_at  # the Familienkasse is outside the city: a clerk decides
    services.consent_withdraw(consent_id=consent.pk, person_id=world.mother.pk, by="Maren Ahlers")
    jan = clerk(world.standesamt, "hinrichs")
    # when
    with pytest.raises(services.ConsentWithdrawn) as refused:
        exchange_decisions.exchange_release(exchange_id=answer.record_id, clerk=jan, today=TODAY)
    # then: logged as refused, nothing released
    record = ExchangeRecord.objects.get(pk=answer.record_id)
    assert refused.value.record is not None and refused.value.record.pk == record.pk
    assert record.outcome == ExchangeRecord.Outcome.REFUSED and record.refusal_code == "consent_withdrawn"
    assert record.fields_released == [] and record.released_data == {}
    assert "widerrufen" in exchanges_of(person_id=world.mother.pk)[0].refusal_reason


def test_a_consent_still_valid_is_released_within_its_categories(world):
    _consent, answer = ask_kindergeld(world)
    jan = clerk(world.standesamt, "hinrichs")
    record = exchange_decisions.exchange_release(exchange_id=answer.record_id, clerk=jan, today=TODAY)
    assert record.fields_released == ["name", "children"]
    assert record.released_data["name"] == "Maren Ahlers"


def test_a_person_who_died_meanwhile_is_not_released(world):
    record_id = ask_65(world).record_id
    world.mother.date_of_death = TODAY
    world.mother.save(update_fields=["date_of_death"])
    with pytest.raises(services.PersonDeceased):
        exchange_decisions.exchange_release(
            exchange_id=record_id, clerk=clerk(world.standesamt, "hinrichs"), today=TODAY
        )
    assert ExchangeRecord.objects.get(pk=record_id).refusal_code == "person_deceased"


@pytest.mark.parametrize(
    ("reason", "code"), [("", "reason_missing"), ("  ", "reason_missing"), ("x" * 301, "reason_too_long")]
)
def test_a_refusal_needs_a_reason(world, reason, code):
    record_id = ask_65(world).record_id
    with pytest.raises(InvalidInput) as error:
        exchange_decisions.exchange_refuse(
            exchange_id=record_id, clerk=clerk(world.standesamt, "hinrichs"), reason=reason
        )
    assert error.value.code == code
    assert ExchangeRecord.objects.get(pk=record_id).outcome == ExchangeRecord.Outcome.PENDING


def test_a_refusal_with_reason_is_logged_and_shown(world):
    record_id = ask_65(world).record_id
    exchange_decisions.exchange_refuse(
        exchange_id=record_id, clerk=clerk(world.standesamt, "hinrichs"), reason="Nicht erforderlich."
    )
    record = ExchangeRecord.objects.get(pk=record_id)
    assert record.outcome == ExchangeRecord.Outcome.REFUSED and record.refusal_code == "clerk_refused"
    assert exchanges_of(person_id=world.mother.pk)[0].refusal_reason == "Nicht erforderlich."
    assert AuditEntry.objects.filter(action="exchange.refused", details__exchange=record_id).exists()


def test_opening_a_pending_request_is_a_logged_read(world):
    record_id = ask_65(world).record_id
    item = exchange_desk.pending_exchange(exchange_id=record_id, clerk=clerk(world.standesamt, "hinrichs"))
    assert item.person_name == "Maren Ahlers" and "§ 65" in item.decision_reason
    entry = AuditEntry.objects.get(action="person.read")
    assert entry.purpose.startswith(f"Entscheidung über die Datenanfrage Nr. {record_id}")


def test_statistics_count_per_purpose_and_outcome_within_the_period(world):
    ask_65(world)
    services.exchange_request(
        requesting_office=world.finanzamt, person_id=world.mother.pk, fields=["name"], purpose="P",
        legal_basis_id="bmg-34-grunddaten", today=TODAY,
    )  # fmt: skip
    with pytest.raises(services.PurposeMissing):
        services.exchange_request(
            requesting_office=world.finanzamt, person_id=world.mother.pk, fields=["name"], purpose="",
            legal_basis_id="bmg-34-grunddaten", today=TODAY,
        )  # fmt: skip
    old = ExchangeRecord.objects.create(
        requesting_office=world.finanzamt, basis_id="bmg-34-grunddaten", outcome="answered"
    )
    ExchangeRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    today = timezone.localdate()
    rows = exchange_desk.exchange_statistics(start=today - datetime.timedelta(days=29), end=today)
    by_basis = {r.basis_id: (r.answered, r.refused, r.pending) for r in rows}
    assert by_basis == {"bmg-34-grunddaten": (1, 1, 0), "pstg-65-behoerden": (0, 0, 1)}
    assert rows[0].basis_id == "bmg-34-grunddaten" and rows[0].purpose.startswith("Erfüllung")
