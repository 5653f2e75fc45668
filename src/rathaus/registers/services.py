"""Writes of the registers: the data exchange between authorities and the citizens' consents.

Public: ``exchange_request`` (the one way to ask a register about a person), ``ExchangeAnswer``,
the refusals (``ExchangeRefused`` and its subclasses), ``consent_give``, ``consent_withdraw``
and ``ConsentError``; register events and proactive offers from ``events``: ``event_record``,
``event_process``, ``birth_register``, ``marriage_event_record``, ``offer_accept``,
``offer_decline``, ``OfferError``; a move from ``changes``: ``move_register``. Other apps use only these.

Every exchange request, answered or refused, is written as an ``ExchangeRecord`` (shown to the
person in the Datenschutzcockpit) and as an audit entry; a refusal is committed before it is
raised, so the log keeps it. The consent behind a request is read under a row lock inside the
answering transaction, so a withdrawal that commits before the answer wins (Art. 7 Abs. 3 DSGVO).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.directory import selectors as directory_selectors
from rathaus.directory.types import Office
from rathaus.domain.onceonly.catalogue import CATEGORIES, LegalBasis
from rathaus.domain.onceonly.minimisation import Release, minimise, permitted_categories
from rathaus.kernel import audit
from rathaus.kernel.exceptions import InvalidInput, NotFound, RathausError

from .changes import move_register
from .events import (
    OfferError,
    birth_register,
    event_process,
    event_record,
    marriage_event_record,
    offer_accept,
    offer_decline,
)
from .models import Consent, ExchangeRecord, Person
from .plain import plain
from .selectors import catalogue, person_overview

__all__ = [
    "BasisMissing",
    "ConsentError",
    "ConsentExpired",
    "ConsentInvalid",
    "ConsentRequired",
    "ConsentWithdrawn",
    "ExchangeAnswer",
    "ExchangeRefused",
    "NothingPermitted",
    "OfferError",
    "OfficeNotAllowed",
    "PersonDeceased",
    "PersonUnknown",
    "PurposeMissing",
    "UnknownBasis",
    "birth_register",
    "consent_give",
    "consent_withdraw",
    "event_process",
    "event_record",
    "exchange_request",
    "marriage_event_record",
    "move_register",
    "offer_accept",
    "offer_decline",
]


class ExchangeRefused(RathausError):
    """A register refused to answer; the refusal is logged. ``record`` is its ExchangeRecord."""

    http_status = 403
    default_code = "exchange_refused"
    default_message = "Die Anfrage an das Register wurde abgelehnt."
    record: ExchangeRecord | None = None


class PurposeMissing(ExchangeRefused):
    http_status = 422
    default_code = "purpose_missing"
    default_message = "Eine Anfrage an das Register muss ihren Zweck nennen (Art. 5 Abs. 1 Buchst. b DSGVO)."


class BasisMissing(ExchangeRefused):
    http_status = 422
    default_code = "basis_missing"
    default_message = "Eine Anfrage an das Register braucht eine Rechtsgrundlage oder eine Einwilligung."


class UnknownBasis(ExchangeRefused):
    http_status = 422
    default_code = "unknown_basis"
    default_message = "Diese Rechtsgrundlage steht nicht im Katalog."


class OfficeNotAllowed(ExchangeRefused):
    default_code = "office_not_allowed"
    default_message = "Diese Dienststelle darf auf dieser Grundlage keine Daten erhalten."


class ConsentRequired(ExchangeRefused):
    default_code = "consent_required"
    default_message = "Diese Rechtsgrundlage erlaubt die Übermittlung nur mit Einwilligung der Person."


class ConsentInvalid(ExchangeRefused):
    default_code = "consent_invalid"
    default_message = "Für diese Anfrage liegt keine gültige Einwilligung der Person vor."


class ConsentWithdrawn(ConsentInvalid):
    default_code = "consent_withdrawn"
    default_message = "Die Person hat ihre Einwilligung widerrufen."


class ConsentExpired(ConsentInvalid):
    default_code = "consent_expired"
    default_message = "Die Einwilligung der Person ist abgelaufen."


class PersonUnknown(ExchangeRefused):
    http_status = 404
    default_code = "person_unknown"
    default_message = "Diese Person ist im Register nicht verzeichnet."


class PersonDeceased(ExchangeRefused):
    http_status = 409
    default_code = "person_deceased"
    default_message = "Diese Person ist verstorben; das Register beantwortet keine Anfragen zu ihr."


class NothingPermitted(ExchangeRefused):
    default_code = "nothing_permitted"
    default_message = (
        "Keines der angefragten Datenfelder ist von der Rechtsgrundlage oder Einwilligung gedeckt."
    )


class ConsentError(RathausError):
    """A consent that cannot be given or withdrawn as asked."""

    default_code = "consent"


# --- the exchange ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExchangeAnswer:
    """What the register answered: only the released fields, JSON-ready."""

    record_id: int
    register_number: str
    data: dict[str, Any]
    released: tuple[str, ...]
    withheld: tuple[dict[str, str], ...]
    basis_citation: str
    # Held back for a clerk of this register office (``data`` is empty until released).
    pending_at: str = ""


@dataclass
class _Request:
    office: Office
    person_id: int
    fields: tuple[str, ...]
    purpose: str
    basis_id: str
    consent_id: int | None
    today: datetime.date
    register_number: str = ""
    person: Person | None = None
    basis: LegalBasis | None = None
    consent: Consent | None = None
    release: Release | None = field(default=None)
    deciding_office: Office | None = None


# The fields the person's own row (with its address) holds: a request for only these is answered
# from the row ``_decide`` read, without the overview's three queries (docs/decisions/0106).
_OWN_ROW_FIELDS = frozenset(
    {"name", "given_names", "family_name", "birth_name", "sex", "date_of_birth", "place_of_birth",
     "nationality", "address", "marital_status", "date_of_death", "tax_id"}
)  # fmt: skip


def _values(person: Person, fields: Sequence[str]) -> dict[str, Any]:
    """The fields' values exactly as ``person_overview`` shows them."""
    if not _OWN_ROW_FIELDS.issuperset(fields):
        overview = person_overview(person_id=person.pk)
        renamed = {"address": "address_line"}
        return {name: plain(getattr(overview, renamed.get(name, name))) for name in fields}
    derived = {
        "name": person.full_name,
        "sex": person.get_sex_display(),
        "marital_status": person.get_marital_status_display(),
        "address": str(person.address) if person.address is not None else "",
        "tax_id": person.tax_id or "",
    }
    return {name: plain(derived[name] if name in derived else getattr(person, name)) for name in fields}


def _check_basis(request: _Request) -> None:
    """Find the basis (or consent) and check the office may ask under it; raises a refusal."""
    if request.basis_id and request.consent_id is not None:
        raise BasisMissing(
            "Eine Anfrage nennt entweder eine Rechtsgrundlage oder eine Einwilligung, nicht beides."
        )
    if request.consent_id is not None:
        # The row lock makes a withdrawal and this answer happen one after the other.
        consent = (
            Consent.objects.select_for_update()
            .filter(pk=request.consent_id, person_id=request.person_id)
            .first()
        )
        if consent is None:
            raise ConsentInvalid("Diese Person hat keine Einwilligung mit dieser Kennung gegeben.")
        request.consent = consent
        request.basis = catalogue().get(consent.basis_id)
        if consent.withdrawn_at is not None:
            raise ConsentWithdrawn()
        if consent.valid_until < request.today:
            raise ConsentExpired()
        if consent.to_office_id != request.office.pk:
            raise OfficeNotAllowed("Die Einwilligung gilt nicht für diese Dienststelle.")
        if request.basis is None:
            raise UnknownBasis("Die Rechtsgrundlage dieser Einwilligung steht nicht mehr im Katalog.")
        return
    if not request.basis_id:
        raise BasisMissing()
    request.basis = catalogue().get(request.basis_id)
    if request.basis is None:
        raise UnknownBasis(f"Die Rechtsgrundlage „{request.basis_id}“ steht nicht im Katalog.")
    if request.basis.consent_required:
        raise ConsentRequired()
    if not request.basis.allows_office(slug=request.office.slug, kind=request.office.kind):
        raise OfficeNotAllowed(
            f"{request.office.name} darf nach {request.basis.citation} "
            "keine Daten aus diesem Register erhalten."
        )


def _decide(request: _Request) -> ExchangeAnswer:
    """Check the request and build the answer; raises a refusal (nothing is logged here)."""
    # The person first: a refused request about them shows in their cockpit too.
    people = Person.objects.select_related("address")
    if request.register_number:
        people = people.filter(register_number=request.register_number)
    else:
        people = people.filter(pk=request.person_id)
    request.person = people.first()
    if request.person is not None:
        request.person_id = request.person.pk
    if not request.purpose:
        raise PurposeMissing()
    # The basis before the person: an office that may not ask learns nothing, not even whether
    # the person exists (a consent is looked up with the person, so an unknown one fails there).
    _check_basis(request)
    if request.person is None:
        raise PersonUnknown()
    if request.person.date_of_death is not None:
        raise PersonDeceased()
    assert request.basis is not None  # _check_basis found it or refused
    consent_categories = request.consent.categories if request.consent else None
    covered_by = "der Einwilligung der Person" if request.consent else request.basis.citation
    request.release = minimise(
        requested=request.fields,
        permitted=permitted_categories(request.basis, consent_categories),
        covered_by=covered_by,
    )
    if not request.release.released:
        raise NothingPermitted()
    if request.basis.decision is not None:
        request.deciding_office = _deciding_office(request.basis)
    return ExchangeAnswer(
        record_id=0,
        register_number=request.person.register_number,
        data={} if request.deciding_office else _values(request.person, request.release.released),
        released=request.release.released,
        withheld=tuple(
            {"field": w.field, "code": w.code, "reason": w.reason} for w in request.release.withheld
        ),
        basis_citation=request.basis.citation,
        pending_at=request.deciding_office.name if request.deciding_office else "",
    )


def _deciding_office(basis: LegalBasis) -> Office:
    assert basis.decision is not None
    office = directory_selectors.office_by_slug(slug=basis.decision.office)
    if office is None:
        raise ExchangeRefused(
            "Die Dienststelle, die über diese Anfrage entscheidet, ist in Rathaus nicht eingerichtet.",
            code="decision_office_missing",
        )
    return office


def _outcome(request: _Request, refusal: ExchangeRefused | None) -> str:
    if refusal is not None:
        return ExchangeRecord.Outcome.REFUSED
    if request.deciding_office is not None:
        return ExchangeRecord.Outcome.PENDING
    return ExchangeRecord.Outcome.ANSWERED


def _log(request: _Request, actor: audit.ActorLike, refusal: ExchangeRefused | None) -> ExchangeRecord:
    release = request.release
    basis = request.basis
    outcome = _outcome(request, refusal)
    released = release is not None and outcome == ExchangeRecord.Outcome.ANSWERED
    record = ExchangeRecord.objects.create(
        requesting_office=request.office,
        person=request.person,
        person_ref=(request.register_number or str(request.person_id))[:40],
        purpose=request.purpose[:300],
        basis_id=basis.id if basis else request.basis_id[:60],
        basis_citation=basis.citation if basis else "",
        consent=request.consent,
        fields_requested=list(request.fields),
        fields_released=list(release.released) if released and release else [],
        fields_withheld=[
            {"field": w.field, "code": w.code, "reason": w.reason}
            for w in (release.withheld if release else ())
        ],
        categories_released=list(release.released_categories) if released and release else [],
        outcome=outcome,
        deciding_office=request.deciding_office,
        refusal_code=refusal.code if refusal else "",
        refusal_reason=refusal.message[:300] if refusal else "",
    )
    audit.record(
        actor=actor
        if actor is not None
        else audit.Actor.authority(request.office.name, str(request.office.pk)),
        action=f"exchange.{outcome}",
        target=request.person or ("registers.person", request.register_number or request.person_id),
        purpose=request.purpose,
        legal_basis=record.basis_citation or ("Einwilligung" if request.consent else ""),
        details={
            "exchange": record.pk,
            "office": request.office.pk,
            "consent": request.consent.pk if request.consent else None,
            "fields": record.fields_released,
            "withheld": [w["field"] for w in record.fields_withheld],
            "refusal": record.refusal_code,
        },
    )
    return record


def exchange_request(
    *,
    requesting_office: Office,
    person_id: int = 0,
    register_number: str = "",
    fields: Sequence[str],
    purpose: str,
    legal_basis_id: str = "",
    consent_id: int | None = None,
    actor: audit.ActorLike = None,
    today: datetime.date | None = None,
) -> ExchangeAnswer:
    """Ask the registers for ``fields`` of a person on behalf of ``requesting_office``.

    The request names its purpose and either a legal basis of the catalogue
    (``legal_basis_id``) or the person's consent (``consent_id``). Only the fields the basis or
    consent covers are answered (Art. 5 Abs. 1 Buchst. c DSGVO); the others are listed as
    withheld with the reason. Every request is logged, a refused one too, and then raised as
    an ``ExchangeRefused`` subclass with a German message. ``actor`` is who asked (a member
    of staff or a system); the office stands for itself by default. The person is named by
    ``person_id`` or, from outside Rathaus, by the stable ``register_number``.
    """
    request = _Request(
        office=requesting_office,
        person_id=person_id,
        register_number=(register_number or "").strip(),
        fields=tuple(str(name) for name in fields),
        purpose=(purpose or "").strip(),
        basis_id=(legal_basis_id or "").strip(),
        consent_id=consent_id,
        today=today or timezone.localdate(),
    )
    refusal: ExchangeRefused | None = None
    with transaction.atomic():
        try:
            answer = _decide(request)
        except ExchangeRefused as error:
            refusal = error
        record = _log(request, actor, refusal)
    if refusal is not None:
        refusal.record = record
        raise refusal
    return replace(answer, record_id=record.pk)


# --- consents ----------------------------------------------------------------------------------


def _template(basis_id: str) -> tuple[LegalBasis, Office, Office]:
    basis = catalogue().get(basis_id)
    if basis is None or basis.consent is None:
        raise ConsentError("Für diesen Zweck kann keine Einwilligung gegeben werden.", code="no_template")
    from_office = directory_selectors.office_by_slug(slug=basis.consent.from_office)
    to_office = directory_selectors.office_by_slug(slug=basis.consent.to_office)
    if from_office is None or to_office is None:
        raise ConsentError(
            "Die beteiligten Dienststellen sind in Rathaus nicht eingerichtet.", code="template_unavailable"
        )
    return basis, from_office, to_office


def consent_give(
    *,
    person_id: int,
    basis_id: str,
    by: audit.ActorLike,
    categories: Sequence[str] | None = None,
    today: datetime.date | None = None,
) -> Consent:
    """Record the person's consent under the catalogue entry ``basis_id`` (a consent template):
    data of the template's categories (or fewer) from its register office to its receiving
    office, for its purpose, valid for its number of days."""
    basis, from_office, to_office = _template(basis_id)
    assert basis.consent is not None  # _template checked it
    chosen = list(categories) if categories is not None else sorted(basis.categories)
    if not chosen or not set(chosen) <= basis.categories:
        raise InvalidInput(
            "Bitte wählen Sie Daten aus, die dieser Zweck vorsieht.", code="consent_categories"
        )
    start = today or timezone.localdate()
    with transaction.atomic():
        if not Person.objects.filter(pk=person_id, date_of_death__isnull=True).exists():
            raise NotFound("Diese Person ist im Register nicht verzeichnet.")
        consent = Consent.objects.create(
            person_id=person_id,
            basis_id=basis.id,
            categories=[key for key in CATEGORIES if key in chosen],
            from_office=from_office,
            to_office=to_office,
            purpose=basis.purpose,
            valid_until=start + datetime.timedelta(days=basis.consent.days),
        )
        audit.record(
            actor=by,
            action="consent.given",
            target=consent,
            purpose=basis.purpose,
            legal_basis="Art. 6 Abs. 1 Buchst. a DSGVO",
            details={
                "person": person_id,
                "basis": basis.id,
                "to_office": to_office.pk,
                "categories": sorted(chosen),
            },
        )
    return consent


def consent_withdraw(*, consent_id: int, person_id: int, by: audit.ActorLike) -> Consent:
    """Withdraw the person's consent at once (Art. 7 Abs. 3 DSGVO). Another person's consent is
    ``NotFound``; withdrawing twice keeps the first time."""
    with transaction.atomic():
        consent = Consent.objects.select_for_update().filter(pk=consent_id, person_id=person_id).first()
        if consent is None:
            raise NotFound("Diese Einwilligung gibt es nicht.")
        if consent.withdrawn_at is not None:
            return consent
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
        audit.record(
            actor=by,
            action="consent.withdrawn",
            target=consent,
            details={"person": person_id, "basis": consent.basis_id},
        )
    return consent


# Labels of the actions above, registered by RegistersConfig.ready().
ACTION_LABELS = {
    "exchange.answered": _("Daten an eine Behörde übermittelt"),
    "exchange.refused": _("Datenanfrage einer Behörde abgelehnt"),
    "consent.given": _("Einwilligung erteilt"),
    "consent.withdrawn": _("Einwilligung widerrufen"),
    "register_event.recorded": _("Registerereignis erfasst"),
    "register_event.processed": _("Registerereignis ausgewertet"),
    "birth.registered": _("Geburt beurkundet"),
    "offer.accepted": _("Proaktives Angebot angenommen"),
    "offer.declined": _("Proaktives Angebot abgelehnt"),
}
