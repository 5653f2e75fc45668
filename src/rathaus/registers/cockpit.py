"""Reads for the citizen's consents and Datenschutzcockpit (re-exported by ``selectors``).

The Datenschutzcockpit shows a person every exchange of their data between authorities:
when, which office asked, which categories were sent, for what and on which legal basis or
consent (§ 10 OZG, the data cockpit of the register modernisation law; Art. 15 DSGVO). A person
reading their own log is not a disclosure and is not itself logged.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.directory import selectors as directory_selectors
from rathaus.domain.onceonly.catalogue import Catalogue, load_catalogue
from rathaus.domain.onceonly.offers import rule_by_id

from .models import Consent, ExchangeRecord, ProactiveOffer

# Pages show the categories in the reader's language; the keys are the catalogue's.
CATEGORY_LABELS: dict[str, Any] = {
    "identity": _("Name und Geschlecht"),
    "birth": _("Geburtsdatum und Geburtsort"),
    "nationality": _("Staatsangehörigkeit"),
    "address": _("Anschrift"),
    "marital_status": _("Familienstand und Ehe"),
    "household": _("Personen im Haushalt"),
    "children": _("Kinder und ihre Geburtsdaten"),
    "death": _("Sterbedatum"),
    "tax_id": _("Steuerliche Identifikationsnummer"),
    "income": _("Einkommensmitteilungen"),
    "pension": _("Rentenmitteilungen"),
}


@cache
def catalogue() -> Catalogue:
    """The reviewed catalogue of legal bases (``rathaus/domain/onceonly/data``), read once."""
    return load_catalogue()


def _labels(categories: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(str(CATEGORY_LABELS.get(key, key)) for key in categories)


@dataclass(frozen=True)
class ConsentLine:
    id: int
    basis_id: str
    title: str
    citation: str
    categories: tuple[str, ...]
    from_office: str
    to_office: str
    purpose: str
    given_at: datetime.datetime
    valid_until: datetime.date
    withdrawn_at: datetime.datetime | None
    is_active: bool


@dataclass(frozen=True)
class ConsentOffer:
    """A consent template (catalogue entry) the person can consent to now."""

    basis_id: str
    title: str
    citation: str
    purpose: str
    categories: tuple[tuple[str, str], ...]  # (key, label)
    from_office: str
    to_office: str
    days: int


@dataclass(frozen=True)
class ExchangeLine:
    at: datetime.datetime
    office: str
    # Who the data came from: the office named in the consent, else the register asked.
    source: str
    categories: tuple[str, ...]
    purpose: str
    citation: str
    by_consent: bool
    answered: bool
    refusal_reason: str
    fields_released: tuple[str, ...]
    # Waiting for a clerk of this register office (nothing sent yet); "" otherwise.
    pending_at: str = ""
    decided_at: datetime.datetime | None = None


def consents_of(*, person_id: int, today: datetime.date | None = None) -> list[ConsentLine]:
    """The person's consents, newest first (active and past)."""
    day = today or timezone.localdate()
    rows = (
        Consent.objects.filter(person_id=person_id)
        .select_related("from_office", "to_office")
        .order_by("-given_at", "-id")
    )
    lines = []
    for consent in rows:
        basis = catalogue().get(consent.basis_id)
        lines.append(
            ConsentLine(
                id=consent.pk,
                basis_id=consent.basis_id,
                title=basis.title if basis else consent.basis_id,
                citation=basis.citation if basis else "",
                categories=_labels(consent.categories),
                from_office=consent.from_office.name,
                to_office=consent.to_office.name,
                purpose=consent.purpose,
                given_at=consent.given_at,
                valid_until=consent.valid_until,
                withdrawn_at=consent.withdrawn_at,
                is_active=consent.is_valid_on(day),
            )
        )
    return lines


def consent_offers(*, person_id: int, today: datetime.date | None = None) -> list[ConsentOffer]:
    """The consent templates whose offices exist and that the person has no active consent for."""
    day = today or timezone.localdate()
    active = {
        c.basis_id
        for c in Consent.objects.filter(person_id=person_id, withdrawn_at__isnull=True, valid_until__gte=day)
    }
    offers = []
    for basis in catalogue().consent_templates():
        assert basis.consent is not None  # consent_templates() returns entries with one
        if basis.id in active:
            continue
        source = directory_selectors.office_by_slug(slug=basis.consent.from_office)
        target = directory_selectors.office_by_slug(slug=basis.consent.to_office)
        if source is None or target is None:
            continue
        offers.append(
            ConsentOffer(
                basis_id=basis.id,
                title=basis.title,
                citation=basis.citation,
                purpose=basis.purpose,
                categories=tuple(
                    (key, str(CATEGORY_LABELS[key])) for key in CATEGORY_LABELS if key in basis.categories
                ),
                from_office=source.name,
                to_office=target.name,
                days=basis.consent.days,
            )
        )
    return offers


def _source(row: ExchangeRecord) -> str:
    if row.consent is not None:
        return row.consent.from_office.name
    basis = catalogue().get(row.basis_id) if row.basis_id else None
    return basis.register_label if basis is not None else ""


def exchanges_of(*, person_id: int) -> list[ExchangeLine]:
    """Every exchange request about the person, newest first, answered, refused or waiting
    for a clerk's decision."""
    rows = (
        ExchangeRecord.objects.filter(person_id=person_id)
        .select_related("requesting_office", "deciding_office", "consent__from_office")
        .order_by("-created_at", "-id")
    )
    return [
        ExchangeLine(
            at=row.created_at,
            office=row.requesting_office.name,
            source=_source(row),
            categories=_labels(row.categories_released),
            purpose=row.purpose,
            citation=row.basis_citation,
            by_consent=row.consent_id is not None,
            answered=row.outcome == ExchangeRecord.Outcome.ANSWERED,
            refusal_reason=row.refusal_reason,
            fields_released=tuple(row.fields_released),
            pending_at=row.deciding_office.name
            if row.deciding_office and row.outcome == ExchangeRecord.Outcome.PENDING
            else "",
            decided_at=row.decided_at,
        )
        for row in rows
    ]


def cockpit_export(*, person_id: int) -> dict[str, Any]:
    """The cockpit as a JSON document (for the download): exchanges and consents."""

    def moment(value: datetime.datetime | None) -> str | None:
        return timezone.localtime(value).isoformat() if value else None

    return {
        "format": "rathaus-datenschutzcockpit/1",
        "created_at": moment(timezone.now()),
        "exchanges": [
            {
                "time": moment(line.at),
                "requesting_office": line.office,
                "source": line.source,
                "categories": list(line.categories),
                "fields": list(line.fields_released),
                "purpose": line.purpose,
                "legal_basis": line.citation,
                "by_consent": line.by_consent,
                "outcome": "answered" if line.answered else "pending" if line.pending_at else "refused",
                "decided_at": moment(line.decided_at),
                "refusal_reason": line.refusal_reason,
            }
            for line in exchanges_of(person_id=person_id)
        ],
        "consents": [
            {
                "title": line.title,
                "legal_basis": line.citation,
                "categories": list(line.categories),
                "from_office": line.from_office,
                "to_office": line.to_office,
                "purpose": line.purpose,
                "given_at": moment(line.given_at),
                "valid_until": line.valid_until.isoformat(),
                "withdrawn_at": moment(line.withdrawn_at),
            }
            for line in consents_of(person_id=person_id)
        ],
    }


@dataclass(frozen=True)
class OfferLine:
    """A proactive offer as the person sees it in "Mein Konto"."""

    id: int
    rule_id: str
    title: str
    text: str
    citation: str
    status: str
    status_label: str
    created_at: datetime.datetime
    decided_at: datetime.datetime | None
    aktenzeichen: str

    @property
    def is_open(self) -> bool:
        return self.status == ProactiveOffer.Status.OFFERED


def offers_of(*, person_id: int) -> list[OfferLine]:
    """The person's proactive offers, open ones first, newest first within each."""
    rows = ProactiveOffer.objects.filter(person_id=person_id).order_by("-created_at", "-id")
    lines = []
    for offer in rows:
        rule = rule_by_id(offer.rule_id)
        lines.append(
            OfferLine(
                id=offer.pk,
                rule_id=offer.rule_id,
                title=rule.title if rule else offer.rule_id,
                text=rule.text if rule else "",
                citation=rule.citation if rule else "",
                status=offer.status,
                status_label=str(offer.get_status_display()),
                created_at=offer.created_at,
                decided_at=offer.decided_at,
                aktenzeichen=offer.aktenzeichen,
            )
        )
    return sorted(lines, key=lambda line: not line.is_open)
