"""What a logged-in member of staff may do, for the header navigation and the staff start page.

Each work area is shown only when the app that owns it would let the user in: the decision is
the app's own access check (its ``selectors``), never a second copy of it here. The counts
come from each app's selectors as well; nothing here reads another app's tables.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.types import User
from rathaus.appointments import selectors as appointment_selectors
from rathaus.efile import selectors as efile_selectors
from rathaus.efile.archive import selectors as archive_selectors
from rathaus.einvoice import selectors as einvoice_selectors
from rathaus.payments import selectors as payment_selectors
from rathaus.registers import selectors as register_selectors
from rathaus.taxoffice import selectors as tax_selectors


@dataclass(frozen=True)
class Area:
    """One work area in the staff navigation."""

    namespace: str  # URL namespace of the area's pages (marks the current area)
    label: Any
    url: str


@dataclass(frozen=True)
class Queue:
    """One count on the staff start page, with the page where the work is."""

    label: Any
    count: int
    url: str
    office: str = ""  # the office's name where the queue is per office (German data)


@dataclass(frozen=True)
class AreaQueues:
    area: Area
    queues: list[Queue]


def is_staff(user: Any) -> bool:
    """A member of staff whose session passed the second factor (as ``staff_required``)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.kind == User.Kind.STAFF
        and user.is_active
        and user.is_verified()
    )


def _may_efile(user: Any) -> bool:
    return efile_selectors.case_offices(user).exists()


def _may_einvoice(user: Any) -> bool:
    return einvoice_selectors.invoice_offices(user).exists()


def _may_appointments(user: Any) -> bool:
    return bool(appointment_selectors.staff_offices(user))


def _may_payments(user: Any) -> bool:
    return payment_selectors.payment_offices(user).exists()


def _may_archive(user: Any) -> bool:
    return archive_selectors.office_side(user).exists() or archive_selectors.archive_side(user).exists()


def _may_taxoffice(user: Any) -> bool:
    return tax_selectors.tax_offices_of(user).exists()


def _may_register(user: Any) -> bool:
    return register_selectors.corrections_awaiting_count(user) is not None


# In the order of the navigation: (namespace, label, URL name, access check of the area's app).
_AREAS = (
    ("efile", _("E-Akte"), "efile:inbox", _may_efile),
    ("einvoice", _("E-Rechnung"), "einvoice:staff-inbox", _may_einvoice),
    ("appointments", _("Termine"), "appointments:staff", _may_appointments),
    ("payments", _("Kasse"), "payments:staff", _may_payments),
    ("efile_archive", _("Archiv"), "efile_archive:list", _may_archive),
    ("register", _("Register"), "register:index", _may_register),
    ("taxoffice", _("Finanzamt"), "taxoffice:staff-list", _may_taxoffice),
)


def staff_areas(user: Any) -> list[Area]:
    """The work areas ``user`` may enter, in navigation order; empty for anyone but staff."""
    if not is_staff(user):
        return []
    return [
        Area(namespace=namespace, label=label, url=reverse(url_name))
        for namespace, label, url_name, may_enter in _AREAS
        if may_enter(user)
    ]


def staff_areas_for_request(request: Any) -> list[Area]:
    """``staff_areas`` of the request's user, worked out once per request (header and page)."""
    cached = getattr(request, "_rathaus_staff_areas", None)
    if cached is None:
        # Error pages may render for a request the authentication middleware never saw.
        cached = staff_areas(getattr(request, "user", None))
        request._rathaus_staff_areas = cached
    return cached


def _efile_queues(user: Any, today: datetime.date, area: Area) -> list[Queue]:
    counts = efile_selectors.case_counts_for(user=user, on=today)
    return [
        Queue(_("Meine offenen Vorgänge"), counts.mine, f"{area.url}?ansicht=meine"),
        Queue(_("Offene Vorgänge meiner Dienststellen"), counts.offices, area.url),
        Queue(_("Fällige Wiedervorlagen"), counts.resubmissions_due, area.url),
    ]


def _einvoice_queues(user: Any, today: datetime.date, area: Area) -> list[Queue]:
    return [
        Queue(
            _("Rechnungen, die auf Ihre Prüfung oder Anordnung warten"),
            einvoice_selectors.invoices_awaiting_count(user=user),
            area.url,
        )
    ]


def _appointment_queues(user: Any, today: datetime.date, area: Area) -> list[Queue]:
    queues = []
    for office in appointment_selectors.staff_offices(user):
        day = appointment_selectors.day_list(office=office, day=today)
        booked = sum(
            1 for items in day.values() for item in items if item.status not in ("cancelled", "lapsed")
        )
        url = f"{area.url}?dienststelle={office.pk}"
        queues.append(Queue(_("Termine heute"), booked, url, office=office.name))
        queues.append(
            Queue(
                _("Warten gerade"),
                len(appointment_selectors.waiting_queue(office=office)),
                url,
                office=office.name,
            )
        )
    return queues


def _payment_queues(user: Any, today: datetime.date, area: Area) -> list[Queue]:
    queues = []
    if payment_selectors.is_cash_office_staff(user):
        queues.append(
            Queue(
                _("Zahlungseingänge zur manuellen Zuordnung"),
                payment_selectors.unmatched_credits().count(),
                reverse("payments:staff-credits"),
            )
        )
    queues.append(
        Queue(
            _("Erstattungen, die auf Freigabe warten"),
            payment_selectors.pending_refunds(user).count(),
            area.url,
        )
    )
    return queues


def _archive_queues(user: Any, today: datetime.date, area: Area) -> list[Queue]:
    return [Queue(_("Laufende Aussonderungen"), archive_selectors.open_disposal_count(user), area.url)]


def _register_queues(user: Any, today: datetime.date, area: Area) -> list[Queue]:
    count = register_selectors.corrections_awaiting_count(user) or 0
    return [Queue(_("Berichtigungen, die auf Ihre Freigabe warten"), count, area.url)]


def _taxoffice_queues(user: Any, today: datetime.date, area: Area) -> list[Queue]:
    counts = tax_selectors.waiting_counts(user)
    return [
        Queue(
            _("Neu eingegangene Steuererklärungen"), counts.get("received", 0), f"{area.url}?status=received"
        ),
        Queue(_("Offene Einsprüche"), counts.get("objection", 0), f"{area.url}?status=objection"),
    ]


_QUEUES = {
    "efile": _efile_queues,
    "einvoice": _einvoice_queues,
    "appointments": _appointment_queues,
    "payments": _payment_queues,
    "efile_archive": _archive_queues,
    "register": _register_queues,
    "taxoffice": _taxoffice_queues,
}


def staff_queues(user: Any, *, today: datetime.date, areas: list[Area] | None = None) -> list[AreaQueues]:
    """Per work area of ``user`` the counts of what waits for them today."""
    areas = staff_areas(user) if areas is None else areas
    return [AreaQueues(area=area, queues=_QUEUES[area.namespace](user, today, area)) for area in areas]
