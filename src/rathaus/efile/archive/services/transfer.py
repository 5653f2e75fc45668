"""Transfer (0503 Aussonderung as a ZIP package) and the archive's receipt (0506)."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.domain.efile import xdomea
from rathaus.domain.efile.xdomea import package as xpackage
from rathaus.domain.efile.xdomea import read as xread
from rathaus.domain.efile.xdomea import write as xwrite
from rathaus.efile import selectors as efile_selectors
from rathaus.efile.types import DocumentVersion
from rathaus.kernel import audit, blobs
from rathaus.kernel.exceptions import InvalidInput

from ..messages import parse_validated
from ..models import Disposal, DisposalItem
from ._common import (
    MAX_PACKAGE_BYTES,
    Progress,
    check_process,
    fresh,
    header,
    locked,
    parse,
    require_state,
    store_received_xml,
)
from .records import file_record, primary_versions

_NOT_EVALUATED = "Eine Aussonderung im Zustand „{state}“ kann nicht übergeben werden."
_NOT_TRANSFERRED = "Eine Aussonderung im Zustand „{state}“ erwartet keine Bestätigung."


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


def _package(disposal: Disposal, items: list[DisposalItem], progress: Progress) -> tuple[blobs.Blob, int]:
    """Write and store the 0503 ZIP for ``items``; returns the blob and the number of documents."""
    records = []
    versions: dict[str, DocumentVersion] = {}
    for item in items:
        assert item.case_file is not None  # the caller selects items whose file still exists
        cases = efile_selectors.case_file_contents(case_file=item.case_file)
        records.append(file_record(item, item.case_file, cases, with_content=True))
        versions.update(primary_versions(item, cases))
    message = xwrite.transfer_message(header(disposal, xdomea.TRANSFER), records)
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
        stored = blobs.store(
            content=target,
            filename=xpackage.package_filename(process_id, xdomea.TRANSFER),
            max_bytes=MAX_PACKAGE_BYTES,
        )
    return stored, len(versions)


def disposal_transfer(*, disposal: Disposal, by: User | None = None, progress: Progress = None) -> Disposal:
    """Write the 0503 package (ZIP: message + primary documents) for the files the archive takes over.

    The package is written (every blob re-hashed) and stored before the transaction, which
    only attaches it to the process; a transfer finished meanwhile by someone else wins.
    """
    disposal = fresh(disposal)
    require_state(disposal, Disposal.State.EVALUATED, _NOT_EVALUATED)
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
    package, documents = _package(disposal, items, progress)
    with transaction.atomic():
        disposal = locked(disposal)
        require_state(disposal, Disposal.State.EVALUATED, _NOT_EVALUATED)
        disposal.transfer_package = package
        disposal.state = Disposal.State.TRANSFERRED
        disposal.transferred_at = timezone.now()
        disposal.save(update_fields=["transfer_package", "state", "transferred_at"])
        audit.record(
            actor=by,
            action="efile_archive.transferred",
            target=disposal,
            details={
                "files": [i.aktenzeichen for i in items],
                "documents": documents,
                "package_sha256": package.sha256,
            },
        )
    return disposal


def _apply_receipt(
    disposal: Disposal, results: tuple[xdomea.ImportResult, ...]
) -> tuple[list[DisposalItem], list[tuple[str, str]]]:
    """Mark the confirmed items received; returns every transferred item and the failures."""
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
    return list(items.values()), failed


def disposal_receipt_import(*, disposal: Disposal, xml: bytes, by: User | None = None) -> Disposal:
    """Take the archive's 0506 import confirmation; confirmed files may then be deleted."""
    require_state(fresh(disposal), Disposal.State.TRANSFERRED, _NOT_TRANSFERRED)
    head, results = parse(xml, xread.read_import_receipt)
    check_process(disposal, head)
    stored = store_received_xml(
        xml, xpackage.message_filename(str(disposal.process_id), xdomea.IMPORT_RECEIPT)
    )
    with transaction.atomic():
        disposal = locked(disposal)
        require_state(disposal, Disposal.State.TRANSFERRED, _NOT_TRANSFERRED)
        items, failed = _apply_receipt(disposal, results)
        disposal.receipt_message = stored
        fields = ["receipt_message"]
        if all(item.received for item in items):
            disposal.state = Disposal.State.RECEIVED
            disposal.received_at = timezone.now()
            fields += ["state", "received_at"]
        disposal.save(update_fields=fields)
        audit.record(
            actor=by,
            action="efile_archive.receipt_imported",
            target=disposal,
            details={
                "received": sorted(i.aktenzeichen for i in items if i.received),
                "failed": failed,
            },
        )
    return disposal


def disposal_receipt_confirm(*, disposal: Disposal, by: User | None) -> Disposal:
    """The archive's staff confirm the take-over of every transferred file (written as a 0506)."""
    items = disposal.items.filter(decision=DisposalItem.Decision.ARCHIVE)
    short = disposal.archive.short_name or disposal.archive.slug
    results = [
        xdomea.ImportResult(id=str(item.object_id), success=True, archive_reference=f"{short} {item.pk}")
        for item in items
    ]
    message = xwrite.import_receipt_message(
        header(disposal, xdomea.IMPORT_RECEIPT, from_archive=True), results
    )
    return disposal_receipt_import(disposal=disposal, xml=message, by=by)
