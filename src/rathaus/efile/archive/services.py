"""Writes of Aussonderung and Abgabe (xdomea 3.1.0): one function per step, one transaction each.

The flow (docs/efile-archive.md):

1. ``disposal_offer``: the closed files whose retention has ended (``efile.selectors.disposal_due``)
   are offered to the archive in a 0501 Anbieteverzeichnis (metadata only).
2. ``disposal_evaluation_import`` takes the archive's 0502 Bewertungsverzeichnis (A = take over,
   V = destroy) — or ``disposal_evaluate`` lets staff of the archive office decide in the UI, which
   writes the same 0502 message and imports it.
3. ``disposal_transfer`` writes the 0503 Aussonderung as a ZIP: the message and every version of
   every document of the files the archive takes over, with their SHA-256.
4. ``disposal_receipt_import`` takes the archive's 0506 import confirmation (or
   ``disposal_receipt_confirm`` from the archive staff's UI).
5. ``disposal_delete`` deletes what the archive declined and what it confirmed; each deletion is in
   the audit log. Blobs are content-addressed and may be shared, so only rows are deleted.

``package_import`` takes over a 0401 Abgabe or 0503 Aussonderung package from another office.
Errors are ``kernel.exceptions`` with German messages; nothing is written when one is raised.
"""

from __future__ import annotations

import datetime
import hashlib
import tempfile
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from rathaus.domain.efile import xdomea
from rathaus.domain.efile.retention import Disposal as RetentionDisposal
from rathaus.domain.efile.retention import retention_end
from rathaus.domain.efile.xdomea import package as xpackage
from rathaus.domain.efile.xdomea import read as xread
from rathaus.domain.efile.xdomea import write as xwrite
from rathaus.efile import selectors as efile_selectors
from rathaus.efile import services as efile_services
from rathaus.efile.models import Case, CaseFile, CaseNote, Document, DocumentVersion, FilePlanEntry
from rathaus.efile.search_index import CASE_KIND, DOCUMENT_KIND
from rathaus.kernel import audit, blobs, search
from rathaus.kernel.exceptions import Conflict, InvalidInput

from .messages import parse_validated
from .models import Disposal, DisposalItem, ImportedFile, ImportedPackage

__all__ = [
    "disposal_delete",
    "disposal_evaluate",
    "disposal_evaluation_import",
    "disposal_offer",
    "disposal_receipt_confirm",
    "disposal_receipt_import",
    "disposal_transfer",
    "package_import",
]

MAX_PACKAGE_BYTES = 2 * 1024 * 1024 * 1024
_PROPOSALS = {
    RetentionDisposal.ARCHIVE: xdomea.model.ARCHIVE,
    RetentionDisposal.EVALUATE: xdomea.model.EVALUATE,
    RetentionDisposal.DESTROY: xdomea.model.DESTROY,
}
Progress = Callable[[int], None] | None


def _party(office: Any) -> xdomea.Party:
    return xdomea.Party(name=office.name, short_name=office.short_name or office.slug)


def _header(disposal: Disposal, code: str, *, from_archive: bool = False) -> xdomea.Header:
    sender, recipient = (
        (disposal.archive, disposal.office) if from_archive else (disposal.office, disposal.archive)
    )
    return xdomea.Header(
        process_id=str(disposal.process_id),
        message_code=code,
        created_at=timezone.now(),
        sender=_party(sender),
        recipient=_party(recipient),
    )


def _store_xml(data: bytes, filename: str) -> Any:
    parse_validated(data)  # our own messages must be valid before anyone sees them
    return blobs.store(content=data, filename=filename, declared_type="application/xml")


def _sub_id(item: DisposalItem, kind: str, pk: int) -> str:
    return str(uuid.uuid5(item.object_id, f"{kind}:{pk}"))


def _date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment else None


def _record(item: DisposalItem, case_file: CaseFile, *, with_content: bool) -> xdomea.FileRecord:
    """The xdomea view of a file; IDs are derived from the item's UUID, so 0501 and 0503 agree."""
    years, worthy = efile_selectors.plan_rules(case_file.file_plan_entry)
    cases = []
    for case in case_file.cases.order_by("pk").prefetch_related(
        "documents__versions__blob", "notes__created_by"
    ):
        documents = []
        for document in case.documents.all():
            versions = tuple(
                xdomea.Version(
                    number=version.number,
                    file=xdomea.PrimaryFile(
                        name=xpackage.primary_filename(
                            _sub_id(item, "version", version.pk), version.filename
                        ),
                        original_name=version.filename,
                        sha256=version.blob.sha256,
                        created_at=version.created_at,
                    ),
                )
                for version in document.versions.all()
            )
            documents.append(
                xdomea.Document(
                    id=_sub_id(item, "document", document.pk),
                    title=document.title,
                    direction=document.direction,
                    date=_date(document.created_at),
                    versions=versions if with_content else (),
                )
            )
        notes = tuple(
            xdomea.Note(
                author=note.created_by.full_name if note.created_by else "",
                at=note.created_at,
                text=note.text,
            )
            for note in case.notes.all()
        )
        cases.append(
            xdomea.Case(
                id=_sub_id(item, "case", case.pk),
                subject=case.subject,
                reference=case_file.aktenzeichen,
                opened_on=_date(case.opened_at),
                closed_on=_date(case.closed_at),
                documents=tuple(documents),
                notes=notes if with_content else (),
            )
        )
    closed_on = _date(case_file.closed_at)
    return xdomea.FileRecord(
        id=str(item.object_id),
        aktenzeichen=case_file.aktenzeichen,
        title=case_file.title,
        plan_number=case_file.file_plan_entry.number,
        plan_title=case_file.file_plan_entry.title,
        opened_on=_date(case_file.opened_at),
        closed_on=closed_on,
        retention_years=years,
        disposal=item.proposal,
        retention_ends=retention_end(closed_on=closed_on, retention_years=years) if closed_on else None,
        cases=tuple(cases),
    )


@transaction.atomic
def disposal_offer(
    *, office: Any, archive: Any, today: datetime.date, by: Any = None, progress: Progress = None
) -> Disposal:
    """Offer every closed file of ``office`` due on ``today`` (and not offered yet) to ``archive`` (0501)."""
    if archive.kind != "archive":
        raise InvalidInput(f"{archive.name} ist kein Archiv.", code="not_an_archive")
    offered = set(DisposalItem.objects.filter(case_file__isnull=False).values_list("case_file_id", flat=True))
    due = [(f, s) for f, s in efile_selectors.disposal_due(office=office, today=today) if f.pk not in offered]
    if not due:
        raise InvalidInput(
            f"In {office.name} ist am {today:%d.%m.%Y} keine Akte zur Aussonderung fällig, "
            "die nicht schon angeboten wurde.",
            code="nothing_due",
        )
    disposal = Disposal(office=office, archive=archive, reference_date=today, created_by=by)
    items = []
    for case_file, status in due:
        items.append(
            DisposalItem(
                disposal=disposal,
                case_file=case_file,
                aktenzeichen=case_file.aktenzeichen,
                title=case_file.title[:300],
                closed_on=_date(case_file.closed_at) or today,
                retention_ends=status.ends_on,
                proposal=_PROPOSALS[RetentionDisposal(str(status.disposal))],
                documents=Document.objects.filter(case__case_file=case_file).count(),
            )
        )
    records = []
    for item, (case_file, _status) in zip(items, due, strict=True):
        records.append(_record(item, case_file, with_content=False))
        if progress:
            progress(1)
    message = xwrite.offer_message(_header(disposal, xdomea.OFFER), records)
    disposal.offer_message = _store_xml(
        message, xpackage.message_filename(str(disposal.process_id), xdomea.OFFER)
    )
    disposal.save()
    for item in items:
        item.disposal = disposal
    DisposalItem.objects.bulk_create(items)
    audit.record(
        actor=by,
        action="efile_archive.offered",
        target=disposal,
        details={
            "process_id": str(disposal.process_id),
            "office": office.pk,
            "archive": archive.pk,
            "files": [i.aktenzeichen for i in items],
        },
    )
    return disposal


def _locked(disposal: Disposal) -> Disposal:
    return Disposal.objects.select_for_update().select_related("office", "archive").get(pk=disposal.pk)


def _check_process(disposal: Disposal, header: xdomea.Header) -> None:
    if header.process_id != str(disposal.process_id):
        raise InvalidInput(
            f"Die Nachricht gehört zum Prozess {header.process_id}, nicht zu dieser Aussonderung "
            f"({disposal.process_id}).",
            code="xdomea_wrong_process",
        )


def _parse(data: bytes, reader: Callable[[Any], Any]) -> Any:
    root = parse_validated(data)
    try:
        return reader(root)
    except xdomea.XdomeaError as exc:
        raise InvalidInput(str(exc), code="xdomea_unusable") from exc


@transaction.atomic
def disposal_evaluation_import(*, disposal: Disposal, xml: bytes, by: Any = None) -> Disposal:
    """Take the archive's 0502 Bewertungsverzeichnis: every offered file gets A or V."""
    disposal = _locked(disposal)
    if disposal.state != Disposal.State.OFFERED:
        raise Conflict(f"Die Aussonderung ist schon {disposal.get_state_display()}.", code="disposal_state")
    header, decisions = _parse(xml, xread.read_evaluation)
    _check_process(disposal, header)
    items = {str(item.object_id): item for item in disposal.items.all()}
    chosen: dict[str, str] = {}
    for decision in decisions:
        if decision.id not in items:
            raise InvalidInput(
                f"Die Bewertung nennt das Objekt {decision.id}, das nicht angeboten wurde.",
                code="xdomea_unknown_id",
            )
        chosen[decision.id] = decision.disposal
    missing = [items[i].aktenzeichen for i in items if i not in chosen]
    if missing:
        raise InvalidInput(
            f"Die Bewertung ist unvollständig; es fehlt: {', '.join(missing[:5])}.", code="xdomea_incomplete"
        )
    for object_id, code in chosen.items():
        items[object_id].decision = code
    DisposalItem.objects.bulk_update(items.values(), ["decision"])
    disposal.evaluation_message = blobs.store(
        content=xml,
        filename=xpackage.message_filename(str(disposal.process_id), xdomea.EVALUATION),
        declared_type="application/xml",
    )
    disposal.state = Disposal.State.EVALUATED
    disposal.evaluated_at = timezone.now()
    disposal.save(update_fields=["evaluation_message", "state", "evaluated_at"])
    audit.record(
        actor=by,
        action="efile_archive.evaluated",
        target=disposal,
        details={
            "archive": sorted(items[i].aktenzeichen for i, c in chosen.items() if c == "A"),
            "destroy": sorted(items[i].aktenzeichen for i, c in chosen.items() if c == "V"),
        },
    )
    return disposal


def disposal_evaluate(*, disposal: Disposal, decisions: dict[int, str], by: Any) -> Disposal:
    """The archive's staff decide per item (``{item pk: "A" | "V"}``); written as a 0502 and imported."""
    items = list(disposal.items.all())
    answers = []
    for item in items:
        code = decisions.get(item.pk, "")
        if code not in ("A", "V"):
            raise InvalidInput(f"Bitte bewerten Sie die Akte {item.aktenzeichen}.", code="decision_missing")
        answers.append(xdomea.Decision(id=str(item.object_id), disposal=code))
    message = xwrite.evaluation_message(_header(disposal, xdomea.EVALUATION, from_archive=True), answers)
    return disposal_evaluation_import(disposal=disposal, xml=message, by=by)


def _chunks(version: DocumentVersion) -> Iterator[bytes]:
    """The blob's bytes, re-hashed on the way: a changed file must not reach the archive."""
    digest = hashlib.sha256()
    with blobs.open_blob(version.blob) as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
            yield chunk
    if digest.hexdigest() != version.blob.sha256:
        raise blobs.BlobCorrupted(
            f"Die gespeicherte Datei „{version.filename}“ stimmt nicht mit ihrer Prüfsumme überein; "
            "bitte `rathaus efile_verify` ausführen."
        )


@transaction.atomic
def disposal_transfer(*, disposal: Disposal, by: Any = None, progress: Progress = None) -> Disposal:
    """Write the 0503 package (ZIP: message + primary documents) for the files the archive takes over."""
    disposal = _locked(disposal)
    if disposal.state != Disposal.State.EVALUATED:
        raise Conflict(
            f"Eine Aussonderung im Zustand „{disposal.get_state_display()}“ kann nicht übergeben werden.",
            code="disposal_state",
        )
    items = list(
        disposal.items.filter(decision=DisposalItem.Decision.ARCHIVE, case_file__isnull=False).select_related(
            "case_file__file_plan_entry"
        )
    )
    if not items:
        raise InvalidInput(
            "Das Archiv übernimmt keine dieser Akten; es gibt nichts zu übergeben. "
            "Die abgelehnten Akten können gelöscht werden.",
            code="nothing_to_transfer",
        )
    records = [_record(item, item.case_file, with_content=True) for item in items if item.case_file]
    versions = {
        xpackage.primary_filename(_sub_id(item, "version", v.pk), v.filename): v
        for item in items
        for v in DocumentVersion.objects.filter(document__case__case_file=item.case_file).select_related(
            "blob"
        )
    }
    message = xwrite.transfer_message(_header(disposal, xdomea.TRANSFER), records)
    parse_validated(message)
    process_id = str(disposal.process_id)

    def files() -> Iterator[tuple[str, Iterator[bytes]]]:
        for name, version in versions.items():
            yield name, _chunks(version)
            if progress:
                progress(1)

    with tempfile.TemporaryFile() as target:
        xpackage.write_package(
            target,
            message_name=xpackage.message_filename(process_id, xdomea.TRANSFER),
            message=message,
            files=files(),
        )
        target.seek(0)
        disposal.transfer_package = blobs.store(
            content=target,
            filename=xpackage.package_filename(process_id, xdomea.TRANSFER),
            max_bytes=MAX_PACKAGE_BYTES,
        )
    disposal.state = Disposal.State.TRANSFERRED
    disposal.transferred_at = timezone.now()
    disposal.save(update_fields=["transfer_package", "state", "transferred_at"])
    audit.record(
        actor=by,
        action="efile_archive.transferred",
        target=disposal,
        details={
            "files": [i.aktenzeichen for i in items],
            "documents": len(versions),
            "package_sha256": disposal.transfer_package.sha256,
        },
    )
    return disposal


@transaction.atomic
def disposal_receipt_import(*, disposal: Disposal, xml: bytes, by: Any = None) -> Disposal:
    """Take the archive's 0506 import confirmation; confirmed files may then be deleted."""
    disposal = _locked(disposal)
    if disposal.state != Disposal.State.TRANSFERRED:
        raise Conflict(
            f"Eine Aussonderung im Zustand „{disposal.get_state_display()}“ erwartet keine Bestätigung.",
            code="disposal_state",
        )
    header, results = _parse(xml, xread.read_import_receipt)
    _check_process(disposal, header)
    items = {str(i.object_id): i for i in disposal.items.filter(decision=DisposalItem.Decision.ARCHIVE)}
    failed = []
    for result in results:
        item = items.get(result.id)
        if item is None:
            raise InvalidInput(
                f"Die Bestätigung nennt das Objekt {result.id}, das nicht übergeben wurde.",
                code="xdomea_unknown_id",
            )
        if result.success:
            item.received = True
            item.archive_reference = result.archive_reference[:200]
        else:
            failed.append((item.aktenzeichen, "; ".join(result.errors)))
    DisposalItem.objects.bulk_update(items.values(), ["received", "archive_reference"])
    disposal.receipt_message = blobs.store(
        content=xml,
        filename=xpackage.message_filename(str(disposal.process_id), xdomea.IMPORT_RECEIPT),
        declared_type="application/xml",
    )
    fields = ["receipt_message"]
    if all(item.received for item in items.values()):
        disposal.state = Disposal.State.RECEIVED
        disposal.received_at = timezone.now()
        fields += ["state", "received_at"]
    disposal.save(update_fields=fields)
    audit.record(
        actor=by,
        action="efile_archive.receipt_imported",
        target=disposal,
        details={
            "received": sorted(i.aktenzeichen for i in items.values() if i.received),
            "failed": failed,
        },
    )
    return disposal


def disposal_receipt_confirm(*, disposal: Disposal, by: Any) -> Disposal:
    """The archive's staff confirm the take-over of every transferred file (written as a 0506)."""
    items = disposal.items.filter(decision=DisposalItem.Decision.ARCHIVE)
    short = disposal.archive.short_name or disposal.archive.slug
    results = [
        xdomea.ImportResult(id=str(item.object_id), success=True, archive_reference=f"{short} {item.pk}")
        for item in items
    ]
    message = xwrite.import_receipt_message(
        _header(disposal, xdomea.IMPORT_RECEIPT, from_archive=True), results
    )
    return disposal_receipt_import(disposal=disposal, xml=message, by=by)


def _delete_file(case_file: CaseFile) -> dict[str, Any]:
    """Delete a file's rows (versions, documents, notes, cases, the file) and its search entries."""
    case_ids = list(Case.objects.filter(case_file=case_file).values_list("pk", flat=True))
    document_ids = list(Document.objects.filter(case_id__in=case_ids).values_list("pk", flat=True))
    versions = DocumentVersion.objects.filter(document_id__in=document_ids)
    hashes = sorted(set(versions.values_list("blob__sha256", flat=True)))
    versions.delete()
    Document.objects.filter(pk__in=document_ids).delete()
    CaseNote.objects.filter(case_id__in=case_ids).delete()
    Case.objects.filter(pk__in=case_ids).delete()
    case_file.delete()
    for pk in document_ids:
        search.remove_document(kind=DOCUMENT_KIND, key=str(pk))
    for pk in case_ids:
        search.remove_document(kind=CASE_KIND, key=str(pk))
    return {"cases": len(case_ids), "documents": len(document_ids), "blobs": hashes}


@transaction.atomic
def disposal_delete(*, disposal: Disposal, by: Any = None) -> int:
    """Delete the files the archive declined (V) and those whose take-over it confirmed; returns how many.

    The blobs stay: they are content-addressed and may be shared with other documents.
    """
    disposal = _locked(disposal)
    if disposal.state == Disposal.State.OFFERED:
        raise Conflict("Vor der Bewertung durch das Archiv wird nichts gelöscht.", code="disposal_state")
    deletable = disposal.items.filter(deleted_at__isnull=True).filter(
        Q(decision=DisposalItem.Decision.DESTROY) | Q(decision=DisposalItem.Decision.ARCHIVE, received=True)
    )
    count = 0
    now = timezone.now()
    for item in deletable.select_related("case_file"):
        if item.case_file is not None:
            aktenzeichen = item.case_file.aktenzeichen
            try:
                with transaction.atomic():
                    details = _delete_file(item.case_file)
            except ProtectedError as exc:
                raise Conflict(
                    f"Die Akte {aktenzeichen} wird noch an anderer Stelle verwendet und kann nicht gelöscht "
                    f"werden ({exc.args[0] if exc.args else ''}).",
                    code="file_in_use",
                ) from exc
            reason = (
                "vom Archiv als nicht archivwürdig bewertet"
                if item.decision == DisposalItem.Decision.DESTROY
                else f"vom Archiv übernommen ({item.archive_reference})"
            )
            audit.record(
                actor=by,
                action="efile_archive.file_deleted",
                target=("efile.casefile", item.case_file_id),
                details={
                    "aktenzeichen": aktenzeichen,
                    "process_id": str(disposal.process_id),
                    "reason": reason,
                    **details,
                },
            )
        item.case_file = None
        item.deleted_at = now
        item.save(update_fields=["case_file", "deleted_at"])
        count += 1
    if not disposal.items.filter(deleted_at__isnull=True).exists():
        disposal.state = Disposal.State.COMPLETED
        disposal.completed_at = now
        disposal.save(update_fields=["state", "completed_at"])
    audit.record(actor=by, action="efile_archive.deleted", target=disposal, details={"files": count})
    return count


def _plan_entry_for(record: xdomea.FileRecord, office: Any, fallback: FilePlanEntry | None) -> FilePlanEntry:
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


def _check_contents(records: tuple[xdomea.FileRecord, ...], files: dict[str, bytes]) -> None:
    for record in records:
        for case in record.cases:
            for document in case.documents:
                if not document.versions:
                    raise InvalidInput(
                        f"Das Dokument „{document.title}“ der Akte {record.aktenzeichen} hat keine Datei.",
                        code="xdomea_document_empty",
                    )
                for version in document.versions:
                    content = files.get(version.file.name)
                    if content is None:
                        raise InvalidInput(
                            f"Die Datei „{version.file.name}“ (Dokument „{document.title}“, Akte "
                            f"{record.aktenzeichen}) fehlt im ZIP-Archiv.",
                            code="xdomea_file_missing",
                        )
                    if version.file.sha256 and hashlib.sha256(content).hexdigest() != version.file.sha256:
                        raise InvalidInput(
                            f"Die Datei „{version.file.name}“ (Dokument „{document.title}“, Akte "
                            f"{record.aktenzeichen}) hat nicht die angegebene SHA-256-Prüfsumme; "
                            "das Paket ist beschädigt oder verändert.",
                            code="xdomea_hash_mismatch",
                        )


@transaction.atomic
def package_import(
    *,
    data: bytes,
    office: Any,
    by: Any = None,
    plan_entry: FilePlanEntry | None = None,
    progress: Progress = None,
) -> ImportedPackage:
    """Take over the files of an xdomea package (0401 Abgabe or 0503 Aussonderung) into ``office``.

    Each file gets a new Aktenzeichen of ``office`` under the plan entry with the same number
    (or ``plan_entry``); cases, documents and every version follow, checked against the
    package's SHA-256 values. All or nothing: one transaction.
    """
    try:
        package = xpackage.read_package(data)
        root = parse_validated(package.message)
        header, records = xread.read_files(root)
    except xdomea.XdomeaError as exc:
        raise InvalidInput(str(exc), code="xdomea_package_invalid") from exc
    if header.message_code not in (xdomea.ABGABE, xdomea.TRANSFER):
        raise InvalidInput(
            f"Die Nachricht {xdomea.MESSAGE_NAMES.get(header.message_code, header.message_code)} "
            "enthält keine "
            "Akten zur Übernahme; erwartet wird eine Abgabe (0401) oder Aussonderung (0503).",
            code="xdomea_wrong_message",
        )
    digest = hashlib.sha256(data).hexdigest()
    earlier = ImportedPackage.objects.filter(office=office).filter(
        Q(package_sha256=digest) | Q(process_id=header.process_id)
    )
    if (earlier_package := earlier.first()) is not None:
        raise Conflict(
            f"Dieses xdomea-Paket (Prozess {header.process_id}) wurde am "
            f"{timezone.localtime(earlier_package.imported_at):%d.%m.%Y um %H:%M} Uhr schon übernommen.",
            code="xdomea_duplicate",
        )
    ids = [r.id for r in records]
    taken = ImportedFile.objects.filter(office=office, object_id__in=ids).first()
    if taken is not None:
        raise Conflict(
            f"Die Akte {taken.source_aktenzeichen} wurde schon aus einem anderen Paket übernommen.",
            code="xdomea_duplicate",
        )
    _check_contents(records, package.files)
    stored = blobs.store(
        content=data,
        filename=xpackage.package_filename(header.process_id, header.message_code),
        max_bytes=MAX_PACKAGE_BYTES,
    )
    try:
        with transaction.atomic():
            imported = ImportedPackage.objects.create(
                office=office,
                process_id=header.process_id,
                message_code=header.message_code,
                package_sha256=digest,
                sender=header.sender.name[:300],
                package=stored,
                imported_by=by,
            )
    except IntegrityError as exc:  # the same package imported at this very moment
        raise Conflict(
            f"Dieses xdomea-Paket (Prozess {header.process_id}) wird gerade schon übernommen.",
            code="xdomea_duplicate",
        ) from exc
    created = []
    for record in records:
        entry = _plan_entry_for(record, office, plan_entry)
        case_file = efile_services.case_file_create(
            office=office, file_plan_entry=entry, title=record.title or record.aktenzeichen, created_by=by
        )
        for source_case in record.cases:
            case = efile_services.case_create(
                office=office,
                subject=source_case.subject or record.title or record.aktenzeichen,
                case_file=case_file,
                created_by=by,
                source="xdomea",
            )
            for note in source_case.notes:
                efile_services.case_note_add(
                    case=case,
                    text=f"{note.text}\n— {note.author}, {timezone.localtime(note.at):%d.%m.%Y %H:%M}",
                    by=by,
                )
            for source_document in source_case.documents:
                first, *rest = source_document.versions
                document = efile_services.document_add(
                    case=case,
                    title=source_document.title or first.file.original_name,
                    content=package.files[first.file.name],
                    filename=first.file.original_name,
                    by=by,
                    direction=source_document.direction,
                )
                for version in rest:
                    efile_services.document_version_add(
                        document=document,
                        content=package.files[version.file.name],
                        filename=version.file.original_name,
                        reason=f"Übernommen aus xdomea (Version {version.number})",
                        by=by,
                    )
                if progress:
                    progress(1)
            if source_case.closed_on is not None:
                efile_services.case_close(case=case, by=by)
        if record.closed_on is not None:
            efile_services.case_file_close(case_file=case_file, by=by)
        ImportedFile.objects.create(
            package=imported,
            office=office,
            object_id=record.id,
            case_file=case_file,
            source_aktenzeichen=record.aktenzeichen[:200],
        )
        created.append({"from": record.aktenzeichen, "to": case_file.aktenzeichen})
    audit.record(
        actor=by,
        action="efile_archive.package_imported",
        target=imported,
        details={
            "process_id": header.process_id,
            "message": header.message_code,
            "sender": header.sender.name,
            "package_sha256": digest,
            "files": created,
        },
    )
    return imported
