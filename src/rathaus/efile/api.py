"""JSON API of the E-Akte: list, read, search and create cases, add documents (scans get OCR)
and read their status (scopes ``efile:read``, ``efile:write``).

The token's owner must be staff with a case role in the office concerned; otherwise the
answer is 404 (the same as for a case that does not exist). Errors are problem+json.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, UploadedFile
from ninja.responses import Status
from pydantic import Field

from rathaus.accounts.selectors import organisation_by_id
from rathaus.api.auth import require_scope
from rathaus.api.problems import Problem
from rathaus.directory.selectors import office_by_id
from rathaus.directory.types import Office
from rathaus.kernel.exceptions import NotFound

from . import selectors, services
from .models import Case, Document

router = Router(tags=["E-Akte"])

READ, WRITE = "efile:read", "efile:write"


class CaseOut(Schema):
    id: int
    aktenzeichen: str
    subject: str
    status: str
    office_id: int
    assignee: str | None
    source: str
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    resubmission_on: datetime.date | None
    version: int
    documents: int | None = None


class CasePageOut(Schema):
    items: list[CaseOut]
    next_before: int | None


class CaseIn(Schema):
    office_id: int
    subject: str
    file_plan_entry_id: int
    source: str = ""
    organisation_id: int | None = None
    confidentiality: str = Case.Confidentiality.NORMAL


def _out(case: Case, *, documents: int | None = None) -> CaseOut:
    return CaseOut(
        id=case.pk,
        aktenzeichen=case.case_file.aktenzeichen,
        subject=case.subject,
        status=case.status,
        office_id=case.office_id,
        assignee=case.assignee.get_username() if case.assignee else None,
        source=case.source,
        opened_at=case.opened_at,
        closed_at=case.closed_at,
        resubmission_on=case.resubmission_on,
        version=case.version,
        documents=documents,
    )


class VersionOut(Schema):
    number: int
    filename: str
    sha256: str
    size: int
    content_type: str
    reason: str
    created_at: datetime.datetime


class DocumentOut(Schema):
    id: int
    title: str
    direction: str
    ocr_status: str  # "" (not needed), "pending", "done" or "failed" ("kein Text")
    ocr_error: str
    versions: list[VersionOut]


def _document_out(document: Document) -> DocumentOut:
    return DocumentOut(
        id=document.pk,
        title=document.title,
        direction=document.direction,
        ocr_status=document.ocr_status,
        ocr_error=document.ocr_error,
        versions=[
            VersionOut(
                number=v.number,
                filename=v.filename,
                sha256=v.blob.sha256,
                size=v.blob.size,
                content_type=v.blob.content_type,
                reason=v.reason,
                created_at=v.created_at,
            )
            for v in document.versions.select_related("blob").order_by("number")
        ],
    )


def _office(request: HttpRequest, office_id: int) -> Office:
    office = office_by_id(office_id=office_id)
    if office is None or not selectors.may_work_on(request.auth.owner, office.pk):  # type: ignore[attr-defined]
        raise NotFound("Diese Dienststelle gibt es nicht oder das Token darf ihre Vorgänge nicht sehen.")
    return office


@router.get("/efile/cases", response=CasePageOut, summary="Vorgänge einer Dienststelle (neueste zuerst)")
def case_list(
    request: HttpRequest, office_id: int, status: str | None = None, before: int | None = None
) -> CasePageOut:
    require_scope(request, READ)
    if status is not None and status not in Case.Status.values:
        raise Problem(
            422, f"Unbekannter Status „{status}“. Erlaubt: {', '.join(Case.Status.values)}.", code="status"
        )
    page = selectors.office_inbox(
        office=_office(request, office_id),
        status=status,
        before=before,
        user=request.auth.owner,  # type: ignore[attr-defined]
    )
    return CasePageOut(items=[_out(case) for case in page.cases], next_before=page.next_before)


@router.get("/efile/cases/{case_id}", response=CaseOut, summary="Ein Vorgang")
def case_get(request: HttpRequest, case_id: int) -> CaseOut:
    token = require_scope(request, READ)
    case = selectors.case_detail(case_id=case_id, user=token.owner, purpose="Abruf über die API")
    return _out(case, documents=case.documents.count())


@router.post("/efile/cases", response={201: CaseOut}, summary="Vorgang anlegen")
def case_post(request: HttpRequest, payload: CaseIn) -> Status[CaseOut]:
    token = require_scope(request, WRITE)
    office = _office(request, payload.office_id)
    entry = selectors.file_plan_entry_by_id(payload.file_plan_entry_id)
    if entry is None:
        raise Problem(
            422, f"Den Aktenplaneintrag {payload.file_plan_entry_id} gibt es nicht.", code="file_plan_entry"
        )
    organisation = None
    if payload.organisation_id is not None:
        organisation = organisation_by_id(payload.organisation_id)
        if organisation is None:
            raise Problem(
                422, f"Die Organisation {payload.organisation_id} gibt es nicht.", code="organisation"
            )
    case = services.case_create(
        office=office,
        subject=payload.subject,
        file_plan_entry=entry,
        created_by=token.owner,
        source=payload.source or "api",
        organisation=organisation,
        confidentiality=payload.confidentiality,
    )
    return Status(201, _out(case))


@router.get(
    "/efile/cases/{case_id}/documents", response=list[DocumentOut], summary="Dokumente eines Vorgangs"
)
def document_list(request: HttpRequest, case_id: int) -> list[DocumentOut]:
    token = require_scope(request, READ)
    case = selectors.case_detail(case_id=case_id, user=token.owner, purpose="Abruf über die API")
    return [_document_out(document) for document, _versions in selectors.case_documents(case)]


@router.post(
    "/efile/cases/{case_id}/documents",
    response={201: DocumentOut},
    summary="Dokument hinzufügen (Scans: Texterkennung im Hintergrund)",
)
def document_post(
    request: HttpRequest,
    case_id: int,
    file: File[UploadedFile],
    title: Form[str] = "",
    direction: Form[str] = Document.Direction.INCOMING,
) -> Status[DocumentOut]:
    token = require_scope(request, WRITE)
    case = selectors.case_detail(case_id=case_id, user=token.owner, purpose="Ablage über die API")
    document = services.document_add(
        case=case,
        title=title,
        content=file,
        filename=file.name or "datei",
        declared_type=file.content_type,
        direction=direction,
        by=token.owner,
    )
    return Status(201, _document_out(document))


class CaseSearchParams(Schema):
    q: str = Field(
        ...,
        min_length=1,
        max_length=500,
        description="Suchtext (1 bis 500 Zeichen): Wörter aus Betreff, Aktenzeichen, Notizen, "
        "Dateinamen und dem Text der Dokumente; alle Wörter müssen vorkommen",
    )
    limit: int = Field(20, ge=1, le=100, description="Treffer je Seite (1 bis 100)")
    offset: int = Field(0, ge=0, le=10_000, description="Wie viele Treffer übersprungen werden")


class CaseSearchHitOut(Schema):
    kind: Literal["case", "document"] = Field(description="Ein Vorgang oder ein Dokument darin")
    case_id: int
    document_id: int | None
    aktenzeichen: str
    title: str
    snippet: str = Field(description="Textausschnitt um die Fundstelle (reiner Text)")
    url: str = Field(description="Die Seite des Vorgangs in der E-Akte")


class CaseSearchOut(Schema):
    query: str
    total: int = Field(description="Alle Treffer, die das Token sehen darf")
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset der nächsten Seite; null auf der letzten")
    items: list[CaseSearchHitOut]


@router.get(
    "/efile/search",
    response=CaseSearchOut,
    summary="Vorgänge und Dokumente durchsuchen",
    description="Dieselbe Suche wie im Posteingang der E-Akte, mit denselben Regeln: nur Vorgänge der "
    "Dienststellen, in denen der Inhaber des Tokens arbeitet; vertrauliche nur für die Bearbeitung "
    "und die Leitung der Dienststelle. Ein leerer Suchtext ist ein Fehler (422).",
)
def case_search(request: HttpRequest, params: Query[CaseSearchParams]) -> CaseSearchOut:
    token = require_scope(request, READ)
    query = params.q.strip()
    if not query:
        raise Problem(422, "Bitte geben Sie einen Suchtext an.", code="query_empty")
    total, hits = selectors.case_search_hits(
        user=token.owner, query=query, limit=params.limit, offset=params.offset
    )
    following = params.offset + params.limit
    return CaseSearchOut(
        query=query,
        total=total,
        limit=params.limit,
        offset=params.offset,
        next_offset=following if following < total else None,
        items=[CaseSearchHitOut(**hit.__dict__) for hit in hits],
    )
