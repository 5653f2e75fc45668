"""Reads of Aussonderung and Abgabe: who may see which process, and the lists for the staff pages."""

from __future__ import annotations

import uuid
import zipfile
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from rathaus.accounts.selectors import staff_offices
from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.domain.efile import xdomea
from rathaus.domain.efile.xdomea import package as xpackage
from rathaus.domain.efile.xdomea import read as xread
from rathaus.efile import selectors as efile_selectors
from rathaus.kernel import audit, blobs, xmlsafe
from rathaus.kernel.exceptions import NotFound

from .models import Disposal, ImportedPackage


def office_side(user: User) -> QuerySet[Office]:
    """Offices whose files ``user`` may offer, hand over and delete (case roles, as in the E-Akte)."""
    return efile_selectors.case_offices(user)


def archive_side(user: User) -> QuerySet[Office]:
    """Archive offices ``user`` works for (any role there): they evaluate and confirm."""
    return staff_offices(user).filter(kind=Office.Kind.ARCHIVE)


def archives() -> QuerySet[Office]:
    """Every archive office (the choice of the offer form)."""
    return Office.objects.filter(kind=Office.Kind.ARCHIVE).order_by("name")


def disposals_for(user: User) -> QuerySet[Disposal]:
    """The processes of the user's offices and those addressed to the user's archive, newest first."""
    return (
        Disposal.objects.filter(Q(office__in=office_side(user)) | Q(archive__in=archive_side(user)))
        .select_related("office", "archive")
        .distinct()
    )


def disposal_for(*, disposal_id: int, user: User) -> tuple[Disposal, bool, bool]:
    """One process with the user's sides (office, archive); ``NotFound`` (audited) for anyone else."""
    disposal = Disposal.objects.select_related("office", "archive").filter(pk=disposal_id).first()
    as_office = disposal is not None and office_side(user).filter(pk=disposal.office_id).exists()
    as_archive = disposal is not None and archive_side(user).filter(pk=disposal.archive_id).exists()
    if disposal is None or not (as_office or as_archive):
        if disposal is not None:
            audit.record_denied(
                actor=user, target_type="efile_archive.disposal", target_id=disposal_id, reason="other office"
            )
        raise NotFound("Diese Aussonderung gibt es nicht oder Sie dürfen sie nicht sehen.")
    return disposal, as_office, as_archive


def disposal_by_reference(reference: str) -> Disposal:
    """A process by its number or ProzessID (for the commands)."""
    query: Q | None = None
    if reference.isascii() and reference.isdigit() and len(reference) < 19:
        query = Q(pk=int(reference))
    else:
        try:
            query = Q(process_id=uuid.UUID(reference))
        except ValueError:
            query = None
    disposal = Disposal.objects.filter(query).select_related("office", "archive").first() if query else None
    if disposal is None:
        raise NotFound(f"Keine Aussonderung „{reference}“ (Nummer oder ProzessID).")
    return disposal


def imports_for(user: User) -> QuerySet[ImportedPackage]:
    return ImportedPackage.objects.filter(office__in=office_side(user)).select_related("office")


@dataclass(frozen=True)
class PackageEntry:
    """One primary document in a transfer package, as the package's message describes it."""

    aktenzeichen: str
    case: str
    document: str
    version: int
    filename: str
    sha256: str
    size: int


def package_listing(disposal: Disposal) -> list[PackageEntry]:
    """Open the stored 0503 package and list its documents (empty before the transfer)."""
    if disposal.transfer_package is None:
        return []
    with blobs.open_blob(disposal.transfer_package) as handle, zipfile.ZipFile(handle) as archive:
        sizes = {info.filename: info.file_size for info in archive.infolist()}
        message_name = xpackage.message_filename(str(disposal.process_id), xdomea.TRANSFER)
        root = xmlsafe.parse(archive.read(message_name))
    _header, records = xread.read_files(root)
    return [
        PackageEntry(
            aktenzeichen=record.aktenzeichen,
            case=case.subject,
            document=document.title,
            version=version.number,
            filename=version.file.name,
            sha256=version.file.sha256,
            size=sizes.get(version.file.name, 0),
        )
        for record in records
        for case in record.cases
        for document in case.documents
        for version in document.versions
    ]


def open_disposal_count(user: User) -> int:
    """How many of ``user``'s Aussonderungen (as in ``disposals_for``) are not completed yet."""
    return disposals_for(user).exclude(state=Disposal.State.COMPLETED).count()
