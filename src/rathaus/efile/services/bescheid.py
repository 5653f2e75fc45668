"""Bescheide: generated as a PDF and filed into the case as an outgoing document."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.kernel import audit
from rathaus.kernel.exceptions import InvalidInput

from ..models import Case, Document
from ._common import _locked, _refuse_closed
from .documents import document_add


@transaction.atomic
def bescheid_issue(
    *,
    case: Case,
    title: str,
    body: str,
    by: User | None,
    addressee: str = "",
    with_remedy_notice: bool = True,
    expected_version: int | None = None,
) -> Document:
    """Generate a Bescheid as a PDF and file it into the case as an outgoing document."""
    from rathaus.domain.efile.bescheid import Bescheid, InvalidBescheid

    from .. import bescheid_pdf

    case = _locked(case, expected_version)
    _refuse_closed(case)
    office = case.office
    address = ", ".join(
        part for part in (office.street_address, f"{office.postal_code} {office.city}".strip()) if part
    )
    issued_on = timezone.localdate()
    try:
        bescheid = Bescheid(
            authority=office.name,
            authority_address=address,
            aktenzeichen=case.case_file.aktenzeichen,
            issued_on=issued_on,
            title=title.strip(),
            body=body,
            officer=getattr(by, "full_name", "") or "",
            addressee=tuple(line.strip() for line in addressee.splitlines() if line.strip())[:8],
            with_remedy_notice=with_remedy_notice,
        )
    except InvalidBescheid as exc:
        raise InvalidInput(str(exc), code="bescheid_invalid") from exc
    content = bescheid_pdf.render(bescheid)
    reference = case.case_file.aktenzeichen.replace(" ", "_").replace("/", "-")
    document = document_add(
        case=case,
        title=title.strip()[:300],
        content=content,
        filename=f"Bescheid_{reference}_{issued_on.isoformat()}.pdf",
        by=by,
        direction=Document.Direction.OUTGOING,
    )
    audit.record(
        actor=by,
        action="efile.bescheid_issued",
        target=case,
        details={"document": document.pk, "title": title.strip()},
    )
    return document
