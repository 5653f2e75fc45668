"""The data exchange service: only permitted fields are answered, every request is logged,
refusals are clear (issue 15, "Bad input")."""

from __future__ import annotations

import datetime

import pytest

from rathaus.directory.models import Office
from rathaus.domain.onceonly.catalogue import CATEGORIES
from rathaus.kernel.audit import AuditEntry, entries_for_target
from rathaus.kernel.exceptions import InvalidInput, NotFound
from rathaus.registers import services
from rathaus.registers.models import Consent, ExchangeRecord, Person
from rathaus.registers.selectors import CATEGORY_LABELS

from .factories import exchange_world

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 1, 10)


@pytest.fixture
def world():
    return exchange_world()


def _ask(world, **overrides):
    arguments = {
        "requesting_office": world.finanzamt,
        "person_id": world.mother.pk,
        "fields": ["name", "date_of_birth", "address"],
        "purpose": "Prüfung der Steuerpflicht",
        "legal_basis_id": "bmg-34-grunddaten",
        "today": TODAY,
    }
    return services.exchange_request(**{**arguments, **overrides})


def test_a_request_under_a_legal_basis_is_answered_and_logged(world):
    # when
    answer = _ask(world, fields=["name", "address", "tax_id", "shoe_size"])
    # then only the covered fields are answered
    assert answer.data == {"name": "Maren Ahlers", "address": "Am Wall 1, 28195 Bremen"}
    assert [w["field"] for w in answer.withheld] == ["tax_id", "shoe_size"]
    record = ExchangeRecord.objects.get(pk=answer.record_id)
    assert record.outcome == ExchangeRecord.Outcome.ANSWERED
    assert record.fields_released == ["name", "address"]
    assert record.categories_released == ["identity", "address"]
    assert record.basis_citation == "§ 34 Abs. 1 BMG"
    assert record.requesting_office == world.finanzamt
    entry = entries_for_target("registers.person", world.mother.pk).get(action="exchange.answered")
    assert entry.purpose == "Prüfung der Steuerpflicht"
    assert entry.legal_basis == "§ 34 Abs. 1 BMG"
    assert entry.details["fields"] == ["name", "address"]
    assert entry.actor_type == "authority" and entry.actor_label == "Finanzamt Bremen"


def _refused(world, error, **overrides):
    before = AuditEntry.objects.filter(action="exchange.refused").count()
    with pytest.raises(error) as refused:
        _ask(world, **overrides)
    record = refused.value.record
    assert record is not None and record.pk is not None
    record.refresh_from_db()  # committed, not rolled back
    assert record.outcome == ExchangeRecord.Outcome.REFUSED
    assert record.refusal_code == refused.value.code
    assert record.fields_released == []
    assert AuditEntry.objects.filter(action="exchange.refused").count() == before + 1
    return refused.value


@pytest.mark.parametrize(
    ("overrides", "error", "words"),
    [
        ({"purpose": "  "}, services.PurposeMissing, "Zweck"),
        ({"legal_basis_id": ""}, services.BasisMissing, "Rechtsgrundlage"),
        ({"legal_basis_id": "bmg-99-alles"}, services.UnknownBasis, "nicht im Katalog"),
        ({"legal_basis_id": "estg-69-familienkasse"}, services.OfficeNotAllowed, "§ 69 EStG"),
        ({"legal_basis_id": "beeg-25-geburt"}, services.ConsentRequired, "Einwilligung"),
        ({"fields": ["tax_id", "income_notifications"]}, services.NothingPermitted, "gedeckt"),
        ({"person_id": 10**9}, services.PersonUnknown, "nicht verzeichnet"),
    ],
)
def test_a_bad_request_is_refused_clearly_and_logged(world, overrides, error, words):
    refusal = _refused(world, error, **overrides)
    assert words in refusal.message


def test_a_request_about_a_deceased_person_is_refused(world):
    Person.objects.filter(pk=world.mother.pk).update(date_of_death=datetime.date(2026, 1, 2))
    refusal = _refused(world, services.PersonDeceased)
    assert refusal.record.person_id == world.mother.pk
    assert refusal.http_status == 409


def test_a_request_without_purpose_shows_in_the_person_s_log(world):
    refusal = _refused(world, services.PurposeMissing, purpose="")
    assert refusal.record.person_id == world.mother.pk


def test_an_unknown_person_is_logged_by_the_id_asked_for(world):
    refusal = _refused(world, services.PersonUnknown, person_id=424242)
    assert refusal.record.person is None
    assert refusal.record.person_ref == "424242"


def _consent(world, **extra):
    return services.consent_give(
        person_id=world.mother.pk, basis_id="beeg-25-geburt", by="test", today=TODAY, **extra
    )


def _ask_with_consent(world, consent, **overrides):
    return _ask(
        world,
        requesting_office=world.elterngeldstelle,
        legal_basis_id="",
        consent_id=consent.pk,
        fields=["name", "children", "tax_id"],
        purpose="Elterngeld für Jonte",
        **overrides,
    )


def test_with_consent_only_the_consented_fields_are_answered(world):
    consent = _consent(world)
    assert consent.from_office == world.standesamt and consent.to_office == world.elterngeldstelle
    assert consent.valid_until == TODAY + datetime.timedelta(days=365)
    answer = _ask_with_consent(world, consent)
    assert answer.released == ("name", "children")
    assert answer.data["children"][0]["name"] == "Jonte Ahlers"
    assert answer.data["children"][0]["date_of_birth"] == "2025-11-20"
    assert [w["field"] for w in answer.withheld] == ["tax_id"]
    record = ExchangeRecord.objects.get(pk=answer.record_id)
    assert record.consent == consent and record.basis_citation == "§ 25 BEEG"


def test_a_consent_for_fewer_categories_narrows_the_answer(world):
    consent = _consent(world, categories=["children"])
    answer = _ask_with_consent(world, consent)
    assert answer.released == ("children",)


def test_a_withdrawn_consent_stops_the_next_request(world):
    consent = _consent(world)
    _ask_with_consent(world, consent)
    services.consent_withdraw(consent_id=consent.pk, person_id=world.mother.pk, by="test")
    refusal = _refused(world, services.ConsentWithdrawn, **_consent_overrides(world, consent))
    assert "widerrufen" in refusal.message


def _consent_overrides(world, consent):
    return {
        "requesting_office": world.elterngeldstelle,
        "legal_basis_id": "",
        "consent_id": consent.pk,
        "fields": ["children"],
    }


def test_an_expired_consent_or_another_office_or_person_is_refused(world):
    consent = _consent(world)
    overrides = _consent_overrides(world, consent)
    _refused(
        world, services.ConsentExpired, **{**overrides, "today": consent.valid_until + datetime.timedelta(1)}
    )
    _refused(world, services.OfficeNotAllowed, **{**overrides, "requesting_office": world.familienkasse})
    _refused(world, services.ConsentInvalid, **{**overrides, "person_id": world.child.pk})
    _refused(world, services.BasisMissing, **{**overrides, "legal_basis_id": "bmg-34-grunddaten"})


def test_a_consent_is_withdrawn_only_by_its_person_and_once(world):
    consent = _consent(world)
    with pytest.raises(NotFound):
        services.consent_withdraw(consent_id=consent.pk, person_id=world.child.pk, by="test")
    first = services.consent_withdraw(consent_id=consent.pk, person_id=world.mother.pk, by="test")
    again = services.consent_withdraw(consent_id=consent.pk, person_id=world.mother.pk, by="test")
    assert first.withdrawn_at is not None and again.withdrawn_at == first.withdrawn_at
    assert entries_for_target("registers.consent", consent.pk).filter(action="consent.withdrawn").count() == 1


def test_a_consent_cannot_be_given_outside_its_template(world):
    with pytest.raises(services.ConsentError):
        services.consent_give(person_id=world.mother.pk, basis_id="bmg-34-grunddaten", by="test")
    with pytest.raises(InvalidInput):
        _consent(world, categories=["tax_id"])
    Office.objects.filter(slug="amt-versorgung-integration").update(slug="elterngeld-alt")
    with pytest.raises(services.ConsentError, match="nicht eingerichtet"):
        _consent(world)
    assert not Consent.objects.exists()


def test_every_category_has_a_label_and_every_office_kind_is_known():
    from rathaus.domain.onceonly.catalogue import OFFICE_KINDS

    assert set(CATEGORY_LABELS) == set(CATEGORIES)
    assert set(Office.Kind.values) == OFFICE_KINDS


def test_every_exchange_action_has_a_label():
    from rathaus.kernel import audit

    assert set(services.ACTION_LABELS) <= set(audit.registered_action_labels())
