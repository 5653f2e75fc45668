"""A clerk's decision on an exchange request that waits for one (decision 0105).

Some catalogue entries (``decision`` block, e.g. § 65 PStG) are answered only after a clerk of
the register office named there has checked the single request: ``exchange_request`` logs such
a request as ``pending`` and releases nothing. A clerk with a working role in that office then
calls ``exchange_release`` (the register answers the minimised fields, checked again now) or
``exchange_refuse`` (with a reason). Either is logged in the ``ExchangeRecord`` the person
sees in the Datenschutzcockpit and in the audit chain.

Bad input: a clerk of another office gets ``NotFound`` (they may not learn the request
exists); a request decided already is a ``Conflict``; a consent withdrawn (or expired) since
the request, a person who has died since, or a basis no longer in the catalogue turns the
release into a logged refusal, raised as the ``ExchangeRefused`` subclass.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.accounts import selectors as accounts_selectors
from rathaus.accounts.types import User
from rathaus.domain.onceonly.minimisation import Release, minimise, permitted_categories
from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict, InvalidInput, NotFound

from .models import Consent, ExchangeRecord
from .selectors import catalogue
from .services import (
    ConsentExpired,
    ConsentWithdrawn,
    ExchangeRefused,
    NothingPermitted,
    PersonDeceased,
    PersonUnknown,
    UnknownBasis,
    _values,
)

__all__ = ["DECISION_LABELS", "exchange_refuse", "exchange_release"]

CLERK_REFUSED = "clerk_refused"
MAX_ID = 2**63 - 1  # the largest id a database column holds; beyond it nothing exists

DECISION_LABELS = {
    "exchange.pending": _("Datenanfrage einer Behörde zur Entscheidung vorgelegt"),
    "exchange.released": _("Datenanfrage nach Prüfung freigegeben"),
}


def _pending(exchange_id: int, clerk: User) -> ExchangeRecord:
    """The request under a row lock, if ``clerk`` works in its deciding office and it waits."""
    if not 1 <= exchange_id <= MAX_ID:
        raise NotFound("Diese Datenanfrage gibt es nicht.")
    record = ExchangeRecord.objects.select_for_update().filter(pk=exchange_id).first()
    if record is None or record.deciding_office_id is None:
        raise NotFound("Diese Datenanfrage gibt es nicht.")
    if not accounts_selectors.working_offices(clerk).filter(pk=record.deciding_office_id).exists():
        # Staff of another office may not learn that the request exists.
        raise NotFound("Diese Datenanfrage gibt es nicht.")
    if record.outcome != ExchangeRecord.Outcome.PENDING:
        raise Conflict(
            f"Über die Datenanfrage Nr. {record.pk} ist bereits entschieden worden "
            f"({record.get_outcome_display()}).",
            code="already_decided",
        )
    return record


def _recheck(record: ExchangeRecord, today: datetime.date) -> Release:
    """Check the request again as it stands now and minimise; raises a refusal."""
    basis = catalogue().get(record.basis_id)
    if basis is None:
        raise UnknownBasis("Die Rechtsgrundlage dieser Anfrage steht nicht mehr im Katalog.")
    consent = None
    if record.consent_id is not None:
        # The same row lock as the withdrawal: a withdrawal that committed first wins.
        consent = Consent.objects.select_for_update().get(pk=record.consent_id)
        if consent.withdrawn_at is not None:
            raise ConsentWithdrawn(
                "Die Person hat ihre Einwilligung widerrufen, bevor die Anfrage entschieden wurde."
            )
        if consent.valid_until < today:
            raise ConsentExpired()
    person = record.person
    if person is None:
        raise PersonUnknown()
    if person.date_of_death is not None:
        raise PersonDeceased()
    release = minimise(
        requested=record.fields_requested,
        permitted=permitted_categories(basis, consent.categories if consent else None),
        covered_by="der Einwilligung der Person" if consent else basis.citation,
    )
    if not release.released:
        raise NothingPermitted()
    return release


def _decided(record: ExchangeRecord, clerk: User) -> None:
    record.decided_at = timezone.now()
    office = record.deciding_office.name if record.deciding_office else ""
    record.decided_by = f"{clerk.full_name} ({office})"[:200]


def _audit(record: ExchangeRecord, clerk: User, action: str) -> None:
    audit.record(
        actor=clerk,
        action=action,
        target=record.person or ("registers.person", record.person_ref),
        purpose=record.purpose,
        legal_basis=record.basis_citation or ("Einwilligung" if record.consent_id else ""),
        details={
            "exchange": record.pk,
            "office": record.requesting_office_id,
            "consent": record.consent_id,
            "fields": record.fields_released,
            "refusal": record.refusal_code,
        },
    )


def exchange_release(*, exchange_id: int, clerk: User, today: datetime.date | None = None) -> ExchangeRecord:
    """Answer the pending request ``exchange_id``: the register releases the fields its basis
    or consent covers now; the answer is kept for the requesting office to fetch."""
    refusal: ExchangeRefused | None = None
    with transaction.atomic():
        record = _pending(exchange_id, clerk)
        try:
            release = _recheck(record, today or timezone.localdate())
        except ExchangeRefused as error:
            refusal = error
            record.outcome = ExchangeRecord.Outcome.REFUSED
            record.refusal_code = error.code
            record.refusal_reason = error.message[:300]
        else:
            record.outcome = ExchangeRecord.Outcome.ANSWERED
            record.fields_released = list(release.released)
            record.categories_released = list(release.released_categories)
            record.fields_withheld = [
                {"field": w.field, "code": w.code, "reason": w.reason} for w in release.withheld
            ]
            assert record.person is not None  # _recheck found the person
            record.released_data = _values(record.person, release.released)
        _decided(record, clerk)
        record.save()
        _audit(record, clerk, "exchange.refused" if refusal else "exchange.released")
    if refusal is not None:
        refusal.record = record
        raise refusal
    return record


def exchange_refuse(*, exchange_id: int, clerk: User, reason: str) -> ExchangeRecord:
    """Refuse the pending request ``exchange_id`` with ``reason`` (shown to the person and the
    requesting office); nothing is released."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Bitte nennen Sie den Grund der Ablehnung.", code="reason_missing")
    if len(reason) > 300:
        raise InvalidInput("Der Grund darf höchstens 300 Zeichen lang sein.", code="reason_too_long")
    with transaction.atomic():
        record = _pending(exchange_id, clerk)
        record.outcome = ExchangeRecord.Outcome.REFUSED
        record.refusal_code = CLERK_REFUSED
        record.refusal_reason = reason
        _decided(record, clerk)
        record.save()
        _audit(record, clerk, "exchange.refused")
    return record
