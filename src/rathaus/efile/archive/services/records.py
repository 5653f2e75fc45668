"""The xdomea view of an E-Akte file (``Akte`` with its ``Vorgang``, ``Dokument``, ``Version``).

IDs of cases, documents and versions are derived from the offered item's UUID, so the 0501
offer and the 0503 transfer name the same objects alike. The file's contents are read through
``rathaus.efile.selectors.case_file_contents``.
"""

from __future__ import annotations

from rathaus.domain.efile import xdomea
from rathaus.domain.efile.retention import retention_end
from rathaus.domain.efile.xdomea import package as xpackage
from rathaus.efile import selectors as efile_selectors
from rathaus.efile.types import Case, CaseFile, Document, DocumentVersion

from ..models import DisposalItem
from ._common import local_date, sub_id


def primary_name(item: DisposalItem, version: DocumentVersion) -> str:
    """The version's file name inside the package: ``<UUID>_<original name>``."""
    return xpackage.primary_filename(sub_id(item.object_id, "version", version.pk), version.filename)


def _document(item: DisposalItem, document: Document, *, with_content: bool) -> xdomea.Document:
    versions = tuple(
        xdomea.Version(
            number=version.number,
            file=xdomea.PrimaryFile(
                name=primary_name(item, version),
                original_name=version.filename,
                sha256=version.blob.sha256,
                created_at=version.created_at,
            ),
        )
        for version in document.versions.all()
    )
    return xdomea.Document(
        id=sub_id(item.object_id, "document", document.pk),
        title=document.title,
        direction=document.direction,
        date=local_date(document.created_at),
        versions=versions if with_content else (),
    )


def _case(item: DisposalItem, case: Case, *, aktenzeichen: str, with_content: bool) -> xdomea.Case:
    notes = tuple(
        xdomea.Note(
            author=note.created_by.full_name if note.created_by else "",
            at=note.created_at,
            text=note.text,
        )
        for note in case.notes.all()
    )
    return xdomea.Case(
        id=sub_id(item.object_id, "case", case.pk),
        subject=case.subject,
        reference=aktenzeichen,
        opened_on=local_date(case.opened_at),
        closed_on=local_date(case.closed_at),
        documents=tuple(_document(item, d, with_content=with_content) for d in case.documents.all()),
        notes=notes if with_content else (),
    )


def file_record(
    item: DisposalItem, case_file: CaseFile, cases: list[Case], *, with_content: bool
) -> xdomea.FileRecord:
    """The offered ``item``'s file with ``cases`` (from ``case_file_contents``) as xdomea sees it."""
    years, _worthy = efile_selectors.plan_rules(case_file.file_plan_entry)
    closed_on = local_date(case_file.closed_at)
    return xdomea.FileRecord(
        id=str(item.object_id),
        aktenzeichen=case_file.aktenzeichen,
        title=case_file.title,
        plan_number=case_file.file_plan_entry.number,
        plan_title=case_file.file_plan_entry.title,
        opened_on=local_date(case_file.opened_at),
        closed_on=closed_on,
        retention_years=years,
        disposal=item.proposal,
        retention_ends=retention_end(closed_on=closed_on, retention_years=years) if closed_on else None,
        cases=tuple(
            _case(item, case, aktenzeichen=case_file.aktenzeichen, with_content=with_content)
            for case in cases
        ),
    )


def document_count(cases: list[Case]) -> int:
    return sum(len(case.documents.all()) for case in cases)


def primary_versions(item: DisposalItem, cases: list[Case]) -> dict[str, DocumentVersion]:
    """Every version of every document of ``cases`` by its file name inside the package."""
    return {
        primary_name(item, version): version
        for case in cases
        for document in case.documents.all()
        for version in document.versions.all()
    }
