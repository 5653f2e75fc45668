"""Taking over an xdomea package (0401 Abgabe or 0503 Aussonderung) from another office.

Two phases, so that the city-wide audit lock (``rathaus.kernel.audit``) is held only while
rows are written:

1. **Check and store, outside any transaction:** the ZIP container, the message (schema),
   duplicates, every file's SHA-256, the file plan entries, and every document version
   through ``efile.services.document_content_check`` (the E-Akte's file checks, blob storage
   and text extraction, as ``document_add`` would do them), then the package itself as a blob.
   Every refusal for the package's content happens here (only an import of the same package
   or file running at the same moment is found later); blobs stored before a refusal stay in
   the content-addressed store, unreferenced.
2. **Write, in one transaction:** files, cases, notes, documents and versions through the
   E-Akte's services with the checked contents, and the import record. All or nothing, as
   documented in docs/efile-archive.md: a package is never half taken over.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.domain.efile import xdomea
from rathaus.domain.efile.xdomea import package as xpackage
from rathaus.domain.efile.xdomea import read as xread
from rathaus.efile import selectors as efile_selectors
from rathaus.efile import services as efile_services
from rathaus.efile.services import CheckedContent
from rathaus.efile.types import Case, CaseFile, FilePlanEntry
from rathaus.kernel import audit, blobs
from rathaus.kernel.exceptions import Conflict, InvalidInput

from ..messages import parse_validated
from ..models import ImportedFile, ImportedPackage
from ._common import MAX_PACKAGE_BYTES, Progress


@dataclass(frozen=True)
class _Checked:
    """A package that passed every check, its documents and itself already in blob storage."""

    header: xdomea.Header
    records: tuple[xdomea.FileRecord, ...]
    entries: tuple[FilePlanEntry, ...]  # the plan entry of each record, in order
    contents: dict[str, CheckedContent]  # by file name inside the package
    digest: str
    package: blobs.Blob


def _read(data: bytes) -> tuple[xpackage.Package, xdomea.Header, tuple[xdomea.FileRecord, ...]]:
    try:
        package = xpackage.read_package(data)
        root = parse_validated(package.message)
        head, records = xread.read_files(root)
    except xdomea.XdomeaError as exc:
        raise InvalidInput(str(exc), code="xdomea_package_invalid") from exc
    if head.message_code not in (xdomea.ABGABE, xdomea.TRANSFER):
        raise InvalidInput(
            f"Die Nachricht {xdomea.MESSAGE_NAMES.get(head.message_code, head.message_code)} "
            "enthält keine "
            "Akten zur Übernahme; erwartet wird eine Abgabe (0401) oder Aussonderung (0503).",
            code="xdomea_wrong_message",
        )
    return package, head, records


def _refuse_duplicates(
    office: Office, head: xdomea.Header, digest: str, records: tuple[xdomea.FileRecord, ...]
) -> None:
    earlier = ImportedPackage.objects.filter(office=office).filter(
        Q(package_sha256=digest) | Q(process_id=head.process_id)
    )
    if (earlier_package := earlier.first()) is not None:
        raise Conflict(
            f"Dieses xdomea-Paket (Prozess {head.process_id}) wurde am "
            f"{timezone.localtime(earlier_package.imported_at):%d.%m.%Y um %H:%M} Uhr schon übernommen.",
            code="xdomea_duplicate",
        )
    taken = ImportedFile.objects.filter(office=office, object_id__in=[r.id for r in records]).first()
    if taken is not None:
        raise Conflict(
            f"Die Akte {taken.source_aktenzeichen} wurde schon aus einem anderen Paket übernommen.",
            code="xdomea_duplicate",
        )


def _check_contents(records: tuple[xdomea.FileRecord, ...], files: dict[str, bytes]) -> None:
    """Every version's file is in the ZIP with the SHA-256 the message names."""
    for record in records:
        for case in record.cases:
            for document in case.documents:
                if not document.versions:
                    raise InvalidInput(
                        f"Das Dokument „{document.title}“ der Akte {record.aktenzeichen} hat keine Datei.",
                        code="xdomea_document_empty",
                    )
                for version in document.versions:
                    where = f"„{version.file.name}“ (Dokument „{document.title}“, Akte {record.aktenzeichen})"
                    content = files.get(version.file.name)
                    if content is None:
                        raise InvalidInput(
                            f"Die Datei {where} fehlt im ZIP-Archiv.", code="xdomea_file_missing"
                        )
                    if version.file.sha256 and hashlib.sha256(content).hexdigest() != version.file.sha256:
                        raise InvalidInput(
                            f"Die Datei {where} hat nicht die angegebene SHA-256-Prüfsumme; "
                            "das Paket ist beschädigt oder verändert.",
                            code="xdomea_hash_mismatch",
                        )


def _plan_entry_for(
    record: xdomea.FileRecord, office: Office, fallback: FilePlanEntry | None
) -> FilePlanEntry:
    entry = (
        efile_selectors.file_plan_entry_for_office(number=record.plan_number, office=office)
        if record.plan_number
        else None
    )
    if entry is None or not entry.files_allowed:
        entry = fallback
    if entry is None:
        raise InvalidInput(
            f"Für die Akte {record.aktenzeichen} gibt es den Aktenplaneintrag „{record.plan_number}“ "
            f"in {office.name} nicht; bitte einen Aktenplaneintrag für die Übernahme angeben.",
            code="plan_entry_missing",
        )
    return entry


def _note_text(note: xdomea.Note) -> str:
    return f"{note.text}\n— {note.author}, {timezone.localtime(note.at):%d.%m.%Y %H:%M}"


def _check_notes(records: tuple[xdomea.FileRecord, ...]) -> None:
    """Notes within the E-Akte's limit (``case_note_add`` would refuse them under the lock)."""
    for record in records:
        for case in record.cases:
            for note in case.notes:
                if len(_note_text(note).strip()) > efile_services.MAX_NOTE_CHARS:
                    raise InvalidInput(
                        f"Eine Notiz im Vorgang „{case.subject}“ der Akte {record.aktenzeichen} ist "
                        f"länger als {efile_services.MAX_NOTE_CHARS} Zeichen.",
                        code="xdomea_note_too_long",
                    )


def _check_documents(
    records: tuple[xdomea.FileRecord, ...], files: dict[str, bytes], progress: Progress
) -> dict[str, CheckedContent]:
    """Run the E-Akte's checks on every version and store it (no transaction, no lock)."""
    contents: dict[str, CheckedContent] = {}
    for record in records:
        for file in record.primary_files():
            if file.name not in contents:
                contents[file.name] = efile_services.document_content_check(
                    content=files[file.name], filename=file.original_name
                )
            if progress:
                progress(1)
    return contents


def _check(*, data: bytes, office: Office, plan_entry: FilePlanEntry | None, progress: Progress) -> _Checked:
    """Phase 1: every check, and every blob stored; raises before anything is written."""
    package, head, records = _read(data)
    digest = hashlib.sha256(data).hexdigest()
    _refuse_duplicates(office, head, digest, records)
    _check_contents(records, package.files)
    _check_notes(records)
    entries = tuple(_plan_entry_for(record, office, plan_entry) for record in records)
    contents = _check_documents(records, package.files, progress)
    stored = blobs.store(
        content=data,
        filename=xpackage.package_filename(head.process_id, head.message_code),
        max_bytes=MAX_PACKAGE_BYTES,
    )
    return _Checked(head, records, entries, contents, digest, stored)


def _write_case(
    source: xdomea.Case, *, record: xdomea.FileRecord, case_file: CaseFile, checked: _Checked, by: User | None
) -> Case:
    case = efile_services.case_create(
        office=case_file.office,
        subject=source.subject or record.title or record.aktenzeichen,
        case_file=case_file,
        created_by=by,
        source="xdomea",
    )
    for note in source.notes:
        efile_services.case_note_add(case=case, text=_note_text(note), by=by)
    for source_document in source.documents:
        first, *rest = source_document.versions
        document = efile_services.document_add(
            case=case,
            title=source_document.title or first.file.original_name,
            content=checked.contents[first.file.name],
            filename=first.file.original_name,
            by=by,
            direction=source_document.direction,
        )
        for version in rest:
            efile_services.document_version_add(
                document=document,
                content=checked.contents[version.file.name],
                filename=version.file.original_name,
                reason=f"Übernommen aus xdomea (Version {version.number})",
                by=by,
            )
    if source.closed_on is not None:
        efile_services.case_close(case=case, by=by)
    return case


def _write_file(
    record: xdomea.FileRecord,
    entry: FilePlanEntry,
    *,
    office: Office,
    imported: ImportedPackage,
    checked: _Checked,
    by: User | None,
) -> CaseFile:
    case_file = efile_services.case_file_create(
        office=office, file_plan_entry=entry, title=record.title or record.aktenzeichen, created_by=by
    )
    for source_case in record.cases:
        _write_case(source_case, record=record, case_file=case_file, checked=checked, by=by)
    if record.closed_on is not None:
        efile_services.case_file_close(case_file=case_file, by=by)
    try:
        with transaction.atomic():
            ImportedFile.objects.create(
                package=imported,
                office=office,
                object_id=record.id,
                case_file=case_file,
                source_aktenzeichen=record.aktenzeichen[:200],
            )
    except IntegrityError as exc:  # the same file arrived in another package at this very moment
        raise Conflict(
            f"Die Akte {record.aktenzeichen} wird gerade aus einem anderen Paket übernommen.",
            code="xdomea_duplicate",
        ) from exc
    return case_file


def _create_package(checked: _Checked, *, office: Office, by: User | None) -> ImportedPackage:
    head = checked.header
    try:
        with transaction.atomic():
            return ImportedPackage.objects.create(
                office=office,
                process_id=head.process_id,
                message_code=head.message_code,
                package_sha256=checked.digest,
                sender=head.sender.name[:300],
                package=checked.package,
                imported_by=by,
            )
    except IntegrityError as exc:  # the same package imported at this very moment
        raise Conflict(
            f"Dieses xdomea-Paket (Prozess {head.process_id}) wird gerade schon übernommen.",
            code="xdomea_duplicate",
        ) from exc


@transaction.atomic
def _write(checked: _Checked, *, office: Office, by: User | None) -> ImportedPackage:
    """Phase 2: the rows, all or nothing."""
    imported = _create_package(checked, office=office, by=by)
    created = []
    for record, entry in zip(checked.records, checked.entries, strict=True):
        case_file = _write_file(record, entry, office=office, imported=imported, checked=checked, by=by)
        created.append({"from": record.aktenzeichen, "to": case_file.aktenzeichen})
    audit.record(
        actor=by,
        action="efile_archive.package_imported",
        target=imported,
        details={
            "process_id": checked.header.process_id,
            "message": checked.header.message_code,
            "sender": checked.header.sender.name,
            "package_sha256": checked.digest,
            "files": created,
        },
    )
    return imported


def package_import(
    *,
    data: bytes,
    office: Office,
    by: User | None = None,
    plan_entry: FilePlanEntry | None = None,
    progress: Progress = None,
) -> ImportedPackage:
    """Take over the files of an xdomea package (0401 Abgabe or 0503 Aussonderung) into ``office``.

    Each file gets a new Aktenzeichen of ``office`` under the plan entry with the same number
    (or ``plan_entry``); cases, documents and every version follow, checked against the
    package's SHA-256 values. All or nothing; the checks and blob storage run before the one
    transaction that writes the rows (see the module docstring). ``progress`` is called once
    per document version checked.
    """
    checked = _check(data=data, office=office, plan_entry=plan_entry, progress=progress)
    return _write(checked, office=office, by=by)
