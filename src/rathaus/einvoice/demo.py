"""Demo part of ``rathaus demo``: a routing-table line and a few official test-suite invoices.

Routes the Leitweg-IDs of the official XRechnung reference invoices (``04011000-123…``) to the
demo office "senator-finanzen", where the demo staff ``erechnung`` and ``erechnung2`` work, and
receives a handful of those invoices (plus one with a broken total, which is rejected naming
BR-CO-15). A newcomer logs in as ``erechnung``, marks an invoice *sachlich richtig*, logs in as
``erechnung2``, marks it *rechnerisch richtig*, orders the payment and exports it.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from rathaus.directory import selectors as directory_selectors

from . import services, workflow
from .models import InboundInvoice, LeitwegRoute

DEMO_OFFICE = "senator-finanzen"
# Notices to the demo supplier appear in the console (EMAIL_URL consolemail://) or the mail server.
DEMO_SUPPLIER_EMAIL = "buchhaltung@lieferant.example"
DEMO_PREFIX = "04011000-123"
DEMO_FILES = (
    "01.01a-INVOICE_ubl.xml",
    "01.02a-INVOICE_ubl.xml",
    "01.03a-INVOICE_ubl.xml",
    "01.04a-INVOICE_uncefact.xml",
    "01.08a-INVOICE_ubl.xml",
)
# 01.04a (UBL) with a total that does not add up: rejected by BR-CO-15.
BROKEN_FILE = "01.04a-INVOICE_ubl.xml"


def _suite_dir() -> Path:
    return (
        Path(settings.EINVOICE_STANDARDS_DIR)
        / "testsuite"
        / "xrechnung-testsuite"
        / "business-cases"
        / "standard"
    )


def _broken(content: bytes) -> bytes:
    return content.replace(
        b'<cbc:TaxInclusiveAmount currencyID="EUR">120', b'<cbc:TaxInclusiveAmount currencyID="EUR">99'
    )


def load_demo(*, seed: int, step: Any) -> str:
    """Create the demo route and receive the demo invoices where they are missing."""
    office = directory_selectors.office_by_slug(slug=DEMO_OFFICE)
    if office is None:
        return "E-Rechnung: Demo-Dienststelle fehlt – übersprungen."
    _second_pair_of_eyes()
    _routing_permission()
    if not LeitwegRoute.objects.filter(pattern=DEMO_PREFIX, match=LeitwegRoute.Match.PREFIX).exists():
        workflow.route_create(
            pattern=DEMO_PREFIX,
            match=LeitwegRoute.Match.PREFIX,
            office=office,
            valid_from=datetime.date(2020, 1, 1),
            note="Demo: Leitweg-IDs der offiziellen XRechnung-Referenzrechnungen",
            by="rathaus demo",
        )
    if InboundInvoice.objects.filter(office=office).exists():
        return "E-Rechnung: Demo-Rechnungen vorhanden – unverändert."
    folder = _suite_dir()
    if not folder.is_dir():
        return f"E-Rechnung: offizielle Testsuite nicht gefunden ({folder}) – nur das Routing angelegt."
    advance = step("E-Rechnung: Rechnungen", len(DEMO_FILES) + 1)
    accepted = 0
    for name in DEMO_FILES:
        invoice = services.invoice_receive(
            content=(folder / name).read_bytes(),
            sender=None,
            channel=InboundInvoice.Channel.UPLOAD,
            notice_email=DEMO_SUPPLIER_EMAIL,
        )
        accepted += invoice.status == InboundInvoice.Status.ACCEPTED
        advance(1)
    services.invoice_receive(
        content=_broken((folder / BROKEN_FILE).read_bytes()),
        sender=None,
        channel=InboundInvoice.Channel.UPLOAD,
        notice_email=DEMO_SUPPLIER_EMAIL,
    )
    advance(1)
    return (
        f"E-Rechnung: {accepted} Rechnungen im Eingang von „{office.name}“ (Anmeldung erechnung und "
        "erechnung2), 1 abgelehnte Rechnung (BR-CO-15)."
    )


def _second_pair_of_eyes() -> None:
    """The demo staff of the current demo city (a city built before ``erechnung2`` existed gains it)."""
    from rathaus.registers.demo.city import DEMO_STAFF, demo_staff_ensure

    slugs = {s.office for s in DEMO_STAFF}
    found = {slug: directory_selectors.office_by_slug(slug=slug) for slug in slugs}
    offices = {slug: office for slug, office in found.items() if office is not None}
    if len(offices) == len(slugs):
        demo_staff_ensure(offices)


def _routing_permission() -> None:
    """Let the demo clerk ``erechnung`` maintain the routing table (e-rechnung/routing/)."""
    from django.contrib.auth.models import Permission

    from rathaus.accounts import selectors as account_selectors
    from rathaus.kernel import audit

    user = account_selectors.user_by_username("erechnung", active_only=False)
    permission = Permission.objects.filter(
        codename="change_leitwegroute", content_type__app_label="einvoice"
    ).first()
    if user is None or permission is None or user.user_permissions.filter(pk=permission.pk).exists():
        return
    user.user_permissions.add(permission)
    audit.record(
        actor="rathaus demo",
        action="accounts.permission_granted",
        target=user,
        details={"permission": "einvoice.change_leitwegroute"},
    )
