"""Helpers for the workflow tests: staff of an office and an accepted invoice."""

import itertools

from rathaus.accounts import services as account_services
from rathaus.accounts.models import StaffRole
from rathaus.einvoice.models import InboundInvoice
from rathaus.einvoice.services import invoice_receive

_numbers = itertools.count(1)
PASSWORD = "Rechnungspruefung-2026!"


def make_staff(office, role=StaffRole.Role.SACHBEARBEITUNG, email=""):
    n = next(_numbers)
    user = account_services.staff_user_create(
        username=f"pruefer{n}", full_name=f"Pia Prüfer{n}", password=PASSWORD, office=office, role=role
    )
    if email:
        user.email = email
        user.save(update_fields=["email"])
    return user


def receive(content, supplier, channel="api") -> InboundInvoice:
    """The invoice as stored once the intake's follow-up task (filing, notice) has run; tests run
    tasks at once, inside the intake."""
    invoice = invoice_receive(
        content=content, sender=supplier.organisation, channel=channel, submitted_by=supplier
    )
    invoice.refresh_from_db()
    return invoice
