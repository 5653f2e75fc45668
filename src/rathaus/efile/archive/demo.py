"""Demo part of ``rathaus demo``: an archivist login for the state archive and one Aussonderung.

Bürgeramt Mitte gets two closed files (one archive-worthy, one not), offered to the
Staatsarchiv with a Stichtag after their retention: the archivist ("archiv") evaluates them at
/e-akte/archiv/, the Bürgeramt's clerk ("buergeramt") then builds the xdomea package.
Idempotent: does nothing once a demo process exists.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from rathaus.kernel.pdf import text_pdf

ARCHIVIST = "archiv"


def _pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` in Helvetica."""
    return text_pdf(text, creator="Rathaus Demo")


def _closed_file(*, office: Any, entry: Any, subject: str, documents: list[tuple[str, bytes, str]]) -> Any:
    from rathaus.efile import services as efile_services

    case = efile_services.case_create(office=office, subject=subject, file_plan_entry=entry, source="demo")
    for title, content, filename in documents:
        efile_services.document_add(case=case, title=title, content=content, filename=filename, by=None)
    efile_services.case_close(case=case, by=None)
    return efile_services.case_file_close(case_file=case.case_file, by=None)


def load_demo(*, seed: int, step: Any) -> str:
    from rathaus.accounts.services import staff_user_create
    from rathaus.accounts.types import StaffRole, User
    from rathaus.directory.types import Office
    from rathaus.efile.selectors import file_plan_entry_for_office
    from rathaus.registers.demo.city import DEMO_STAFF_PASSWORD, DEMO_TOTP_SECRET

    from . import services
    from .models import Disposal

    office = Office.objects.filter(slug="buergeramt-mitte").first()
    archive = Office.objects.filter(slug="landesarchiv").first()
    if office is None or archive is None:
        return "E-Akte Aussonderung: Bürgeramt, Staatsarchiv oder Aktenplan fehlen – übersprungen."
    worthy = file_plan_entry_for_office(number="32.30", office=office)
    unworthy = file_plan_entry_for_office(number="32.10", office=office)
    if not (worthy and unworthy):
        return "E-Akte Aussonderung: Bürgeramt, Staatsarchiv oder Aktenplan fehlen – übersprungen."
    if not User.objects.filter(username=ARCHIVIST).exists():
        staff_user_create(
            username=ARCHIVIST,
            full_name="Imke Rosenbohm",
            password=DEMO_STAFF_PASSWORD,
            office=archive,
            role=StaffRole.Role.SACHBEARBEITUNG,
            totp_secret=DEMO_TOTP_SECRET,
        )
    if Disposal.objects.filter(office=office).exists():
        return "E-Akte Aussonderung: vorhanden – unverändert."
    _closed_file(
        office=office,
        entry=worthy,
        subject="Aufenthaltserlaubnis Nguyen (Demo)",
        documents=[
            ("Antrag auf Aufenthaltserlaubnis", _pdf("Antrag auf Aufenthaltserlaubnis Nguyen"), "antrag.pdf"),
            ("Aktenvermerk", "Unterlagen vollständig, Titel erteilt.\n".encode(), "vermerk.txt"),
        ],
    )
    _closed_file(
        office=office,
        entry=unworthy,
        subject="Anmeldung einer Wohnung Brandt (Demo)",
        documents=[("Meldeschein", _pdf("Meldeschein Brandt"), "meldeschein.pdf")],
    )
    # The files were closed today; a Stichtag after the longest retention (10 years) makes them due.
    today = datetime.date(timezone.localdate().year + 11, 1, 2)
    disposal = services.disposal_offer(office=office, archive=archive, today=today)
    return (
        f"E-Akte Aussonderung: {disposal.items.count()} Akten dem Staatsarchiv angeboten "
        f"(Anmeldung „{ARCHIVIST}“ bewertet sie unter /e-akte/archiv/)."
    )
