"""The crash suite's children for the write scenarios (``python -m tests.crash.harness setup
<scenario> N`` / ``check <scenario>``): each setup makes what its clients need and prints it as
JSON; each check reads the outcome from the database. Run in the scenario's processes, with
``tests.crash.settings``."""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from typing import Any

from django.utils import timezone


def _organisation_user(name: str) -> Any:
    from rathaus.accounts import services as accounts
    from rathaus.accounts.models import Organisation, User

    organisation = accounts.organisation_create(name=name, kind=Organisation.Kind.COMPANY)
    return User.objects.create_user(
        username=f"crash-{uuid.uuid4().hex[:8]}", kind=User.Kind.ORGANISATION, organisation=organisation
    )


def _token(owner: Any, *scopes: str) -> str:
    from rathaus.accounts import services as accounts

    return accounts.api_token_issue(owner=owner, name="Crash", scopes=list(scopes))[1]


def setup_booking(_count: int) -> dict:
    """An office open every day with two counters; the first free 15-minute slots."""
    from rathaus.appointments import selectors
    from rathaus.appointments.tests.factories import planned_office

    planned = planned_office(every_day=True, now=None, hold_minutes=60)
    # Starts a few hours ahead: the earliest ones lie just past the 60-minute lead time and
    # would turn "too soon" while the rounds run (a booking refused as past, not a crash).
    later = timezone.now() + datetime.timedelta(hours=3)
    free = [
        unit
        for unit in selectors.availability(office=planned.office, services=[planned.certify], limit=400)
        if unit.start >= later
    ][:100]
    return {
        "token": _token(_organisation_user("Partnerportal Crash"), "appointments:book"),
        "office_id": planned.office.pk,
        "service_id": planned.certify.pk,
        "starts": [f.start.isoformat() for f in free],
    }


def check_booking() -> dict:
    """Open appointments per start and the units claimed per slot."""
    from rathaus.appointments.models import Appointment, SlotClaim

    starts = Appointment.objects.filter(status__in=Appointment.OPEN).values_list("start", flat=True)
    claims = Counter(SlotClaim.objects.values_list("slot_id", flat=True))
    return {
        "open_per_start": {start.isoformat(): n for start, n in Counter(starts).items()},
        "claimed_twice": [slot for slot, n in claims.items() if n > 1],
    }


def _claims(count: int, purpose: str) -> list[Any]:
    from rathaus.payments import demo, services

    offices = demo.offices_ensure()
    return [
        services.claim_create(
            office=offices["cash"], purpose=f"{purpose} {n}", debtor_name="Jana Meyer", amount=f"{10 + n}.50"
        )
        for n in range(count)
    ]


def setup_notification(count: int) -> dict:
    """Claims, each with an online payment started at the sandbox: key → (transaction, amount)."""
    from rathaus.payments import services

    payments = {
        claim.purpose: services.payment_start(claim=claim, by=None) for claim in _claims(count, "Crash")
    }
    return {"payments": {key: [p.transaction_id, f"{p.amount:.2f}"] for key, p in payments.items()}}


def setup_camt(count: int) -> dict:
    """Claims and two camt.053 statements whose credits pay each of them once."""
    from rathaus.payments import camt, conf

    credits = [
        camt.OutCredit(amount=claim.amount, remittance=f"KZ {claim.kassenzeichen}", reference=f"CRASH-{n}")
        for n, claim in enumerate(_claims(count, "Crash"))
    ]
    half = len(credits) // 2
    return {
        "statements": [
            camt.write_camt053(iban=conf.payee_iban(), message_id=f"CRASH-{part}", credits=chunk).decode()
            for part, chunk in enumerate([credits[:half], credits[half:]])
        ]
    }


def check_claims() -> dict:
    """The crash claims: purpose → [status, amount, paid_total]."""
    from rathaus.payments.models import Claim

    claims = Claim.objects.filter(purpose__startswith="Crash ")
    return {c.purpose: [c.status, f"{c.amount:.2f}", f"{c.paid_total:.2f}"] for c in claims}


def setup_einvoice(_count: int) -> dict:
    """The office of the reference invoice's Leitweg-ID and a supplier's token."""
    from rathaus.directory.models import Office

    Office.objects.create(slug="finanzen", name="Senatorin für Finanzen", leitweg_id="04011000-12348-91")
    return {"token": _token(_organisation_user("Bürobedarf Nord GmbH"), "einvoice:submit")}


def check_einvoice() -> dict:
    """Invoice number → how many invoices were stored with it, and their statuses."""
    from rathaus.einvoice.models import InboundInvoice

    stored: dict[str, list[str]] = {}
    for number, status in InboundInvoice.objects.values_list("invoice_number", "status"):
        stored.setdefault(number, []).append(status)
    return {"invoices": stored}


def setup_document(_count: int) -> dict:
    """A case and a clerk's token that may add documents to it."""
    from rathaus.efile.tests.factories import make_case, make_office, make_staff

    office = make_office()
    token = _token(make_staff(office), "efile:read", "efile:write")
    return {"token": token, "case": make_case(office).pk}


def check_document() -> dict:
    """Document title → how many documents have it."""
    from rathaus.efile.models import Document

    return {"documents": dict(Counter(Document.objects.values_list("title", flat=True)))}


SETUPS = {
    "booking": setup_booking,
    "notification": setup_notification,
    "camt": setup_camt,
    "einvoice": setup_einvoice,
    "document": setup_document,
}
CHECKS = {
    "booking": check_booking,
    "notification": check_claims,
    "camt": check_claims,
    "einvoice": check_einvoice,
    "document": check_document,
}
