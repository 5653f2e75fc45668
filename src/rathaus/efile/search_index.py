"""Keeps cases and documents in ``kernel.search``, visible only to staff of the owning office.

Visibility is ``staff:office:<id>``; the portal searches only "public", so citizens never
find them. A forwarded case (and its documents) is re-indexed under the new office.
"""

from __future__ import annotations

from django.urls import reverse

from rathaus.kernel import search

from .models import Case, Document

CASE_KIND = "efile.case"
DOCUMENT_KIND = "efile.document"


def visibility_for(office_id: int) -> str:
    return f"staff:office:{office_id}"


def index_case(case: Case) -> None:
    url = reverse("efile:case-detail", args=[case.pk])
    search.index_document(
        kind=CASE_KIND,
        key=str(case.pk),
        title=f"{case.case_file.aktenzeichen} {case.subject}",
        body=f"{case.case_file.title}\n{case.source}",
        url=url,
        visibility=visibility_for(case.office_id),
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
        visibility=visibility_for(case.office_id),
    )
