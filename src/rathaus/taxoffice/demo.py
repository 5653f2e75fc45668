"""Demo part of ``rathaus demo``: tax returns at the Finanzamt Bremen for demo residents,
pensioners first, a few in each status, and enough assessments in the last 90 days for the
expected-date figure. The resident HB000001830 (a pensioner in the default demo city of 2,000
residents: Renate Elke Schneider) has last year's return in processing. Runs once: an office
that already has returns is left as it is.

The returns are written as ``services`` would have left them over the past weeks (history
with back-dated entries), without postbox messages for the changes of the past.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from rathaus.directory import selectors as directory_selectors
from rathaus.registers import selectors as register_selectors
from rathaus.registers.types import Person

from . import services
from .models import TaxReturn, TaxReturnEvent

DEMO = "rathaus demo"
DEMO_PENSIONER = "HB000001830"
S = TaxReturn.Status
# (status, how many): after the assessed ones the open ones, then objections.
PLAN = ((S.ASSESSMENT_SENT, 12), (S.RECEIVED, 3), (S.IN_PROCESSING, 3), (S.QUERY, 2), (S.OBJECTION, 2))
NOTES: dict[TaxReturn.Status, str] = {
    S.IN_PROCESSING: "",
    S.QUERY: "Bitte reichen Sie die Bescheinigung Ihrer Krankenversicherung über die Beiträge nach.",
    S.ASSESSMENT_SENT: "Der Bescheid ist unterwegs.",
    S.OBJECTION: "Ihr Einspruch ist eingegangen.",
}


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _history(tax_return: TaxReturn, steps: list[tuple[TaxReturn.Status, dt.date]]) -> None:
    for status, day in steps:
        TaxReturnEvent.objects.create(tax_return=tax_return, status=status, at=_at(day), note=NOTES[status])
    tax_return.status = steps[-1][0] if steps else S.RECEIVED
    tax_return.assessed_on = next((day for status, day in steps if status == S.ASSESSMENT_SENT), None)
    tax_return.save(update_fields=["status", "assessed_on", "updated_at"])


def _plan(
    status: str, today: dt.date, rng: random.Random
) -> tuple[dt.date, list[tuple[TaxReturn.Status, dt.date]]]:
    """The day of receipt and the history after it that leads to ``status``; assessments
    fall within the last 85 days, 32 to 68 days after receipt."""
    if status not in (S.ASSESSMENT_SENT, S.OBJECTION):
        received = today - dt.timedelta(days=rng.randint(3, 40))
        start = min(received + dt.timedelta(days=rng.randint(2, 6)), today)
        if status == S.RECEIVED:
            return received, []
        if status == S.IN_PROCESSING:
            return received, [(S.IN_PROCESSING, start)]
        return received, [(S.IN_PROCESSING, start), (S.QUERY, min(start + dt.timedelta(days=5), today))]
    assessed = today - dt.timedelta(days=rng.randint(15, 85))
    received = assessed - dt.timedelta(days=rng.randint(32, 68))
    steps = [
        (S.IN_PROCESSING, received + dt.timedelta(days=rng.randint(2, 6))),
        (S.ASSESSMENT_SENT, assessed),
    ]
    if status == S.OBJECTION:
        steps.append((S.OBJECTION, assessed + dt.timedelta(days=rng.randint(5, 14))))
    return received, steps


def load_demo(*, seed: int, step: Any) -> str:
    """Create the demo's tax returns once."""
    office = directory_selectors.office_by_slug(slug="finanzamt-bremen")
    if office is None:
        return "Finanzamt online: kein Finanzamt Bremen – übersprungen."
    if TaxReturn.objects.filter(office=office).exists():
        return "Finanzamt online: Steuererklärungen sind schon da."
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    wanted = sum(count for _status, count in PLAN)
    pensioner = register_selectors.person_for_login(register_number=DEMO_PENSIONER)
    people: list[Person] = [p for p in register_selectors.demo_taxpayers(limit=wanted + 1) if p != pensioner]
    plan = [status for status, count in PLAN for _ in range(count)]
    advance = step("Finanzamt online: Steuererklärungen", len(plan) + 1)
    made = 0
    with transaction.atomic():
        if pensioner is not None:
            row = services.tax_return_receive(
                person=pensioner,
                office=office,
                tax_year=today.year - 1,
                received_on=today - dt.timedelta(days=20),
                by=DEMO,
            )
            _history(row, [(S.IN_PROCESSING, today - dt.timedelta(days=15))])
            made += 1
        advance(1)
        for person, status in zip(people, plan, strict=False):
            received, steps = _plan(status, today, rng)
            row = services.tax_return_receive(
                person=person, office=office, tax_year=today.year - 1, received_on=received, by=DEMO
            )
            _history(row, steps)
            made += 1
            advance(1)
    return f"Finanzamt online: {made} Steuererklärungen angelegt."
