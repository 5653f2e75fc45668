"""Demo part for the supplier side: a demo supplier login and three submitted invoices.

Log in at /anmelden/mitarbeitende/ as ``lieferant`` (the demo staff password, see
``rathaus demo_logins``), then open /e-rechnung/einreichen/ to upload and /e-rechnung/meine/ for the
list. The invoices come from the official XRechnung test suite: one as a ZUGFeRD/Factur-X PDF, one as
CII XML, and one whose Leitweg-ID belongs to nobody here (rejected with LEITWEG-ID-UNKNOWN). Runs
after ``rathaus.einvoice.demo`` (which routes the reference invoices' Leitweg-IDs to an office).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pypdf
from django.conf import settings

from rathaus.accounts import selectors as account_selectors
from rathaus.accounts import services as account_services
from rathaus.accounts.types import Organisation, User

from . import services
from .models import InboundInvoice

SUPPLIER_NAME = "Bürobedarf Weser GmbH (Demo)"
SUPPLIER_USERNAME = "lieferant"
SUPPLIER_EMAIL = "rechnungen@buerobedarf-weser.example"
ROUTED_LEITWEG_ID = b"04011000-12350-85"


def factur_x_pdf(xml: bytes) -> bytes:
    """A one-page PDF with ``xml`` embedded as factur-x.xml (enough for the platform; not PDF/A-3)."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_attachment("factur-x.xml", xml)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _supplier() -> User:
    user = account_selectors.user_by_username(SUPPLIER_USERNAME, active_only=False)
    if user is not None:
        return user
    from rathaus.registers.demo.city import DEMO_STAFF_PASSWORD

    organisation = account_services.organisation_create(name=SUPPLIER_NAME, kind=Organisation.Kind.COMPANY)
    return account_services.organisation_user_create(
        organisation=organisation,
        username=SUPPLIER_USERNAME,
        full_name="Demo Lieferant",
        email=SUPPLIER_EMAIL,
        password=DEMO_STAFF_PASSWORD,
        by=None,
    )


def load_demo(*, seed: int, step: Any) -> str:
    """Create the demo supplier and its invoices where they are missing."""
    folder = Path(settings.EINVOICE_STANDARDS_DIR) / "testsuite/xrechnung-testsuite/business-cases/standard"
    user = _supplier()
    if InboundInvoice.objects.filter(sender=user.organisation).exists():
        return "E-Rechnung (Lieferanten): Demo-Lieferant „lieferant“ mit Rechnungen – unverändert."
    if not folder.is_dir():
        return (
            "E-Rechnung (Lieferanten): Demo-Lieferant „lieferant“ angelegt; ohne Testsuite keine Rechnungen."
        )
    documents = [
        factur_x_pdf((folder / "01.09a-INVOICE_uncefact.xml").read_bytes()),
        # BT-10 is free text to the rules: pointing 01.07a at a routed Leitweg-ID keeps it valid.
        (folder / "01.07a-INVOICE_uncefact.xml")
        .read_bytes()
        .replace(b"99000000-05676-98", ROUTED_LEITWEG_ID),
        (folder / "01.06a-INVOICE_ubl.xml").read_bytes(),
    ]
    advance = step("E-Rechnung: Demo-Lieferant", len(documents))
    statuses = []
    for content in documents:
        invoice = services.invoice_receive(
            content=content,
            sender=user.organisation,
            channel=InboundInvoice.Channel.UPLOAD,
            submitted_by=user,
        )
        statuses.append(invoice.status)
        advance(1)
    accepted = statuses.count(InboundInvoice.Status.ACCEPTED)
    return (
        f"E-Rechnung (Lieferanten): Anmeldung „lieferant“, {accepted} angenommene und "
        f"{len(statuses) - accepted} abgelehnte Rechnung(en) unter /e-rechnung/meine/."
    )
