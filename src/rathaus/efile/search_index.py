"""Keeps cases and documents in ``kernel.search``, visible only to staff of the owning office.

Visibility is ``staff:office:<id>``; the portal searches only "public", so citizens never
find them. A forwarded case (and its documents) is re-indexed under the new office.
A confidential case (and its documents) is indexed under ``staff:case:<id>:<office>``
instead, which only its assignee and the office's Leitung ask for
(``selectors.case_search_visibility``).
"""

from __future__ import annotations

from django.urls import reverse

from rathaus.kernel import search

from .models import Case, Document

CASE_KIND = "efile.case"
DOCUMENT_KIND = "efile.document"


def visibility_for(office_id: int) -> str:
    return f"staff:office:{office_id}"


def confidential_visibility(case_id: int, office_id: int) -> str:
    return f"staff:case:{case_id}:{office_id}"


def case_visibility(case: Case) -> str:
    if case.confidentiality != Case.Confidentiality.NORMAL:
        return confidential_visibility(case.pk, case.office_id)
    return visibility_for(case.office_id)


def index_case(case: Case) -> None:
    url = reverse("efile:case-detail", args=[case.pk])
    # Notes are found with their case (bounded: search analyses the first 200,000 characters).
    notes = "\n".join(case.notes.order_by("-id").values_list("text", flat=True)[:200])
    search.index_document(
        kind=CASE_KIND,
        key=str(case.pk),
        title=f"{case.case_file.aktenzeichen} {case.subject}",
        body=f"{case.case_file.title}\n{case.source}\n{notes}",
        url=url,
        visibility=case_visibility(case),
    )
    for document in case.documents.all():
        index_document(document)


def index_document(document: Document, *, filename: str = "") -> None:
    """Index the document's title, file names and the text of its newest version."""
    case = document.case
    versions = list(document.versions.order_by("number").values_list("filename", "text"))
    names = filename or " ".join(name for name, _text in versions)
    text = versions[-1][1] if versions else ""
    search.index_document(
        kind=DOCUMENT_KIND,
        key=str(document.pk),
        title=document.title,
        body=f"{case.case_file.aktenzeichen} {case.subject}\n{names}\n{text}",
        url=reverse("efile:case-detail", args=[case.pk]),
        visibility=case_visibility(case),
    )
