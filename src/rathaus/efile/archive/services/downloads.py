"""Downloads of a process's messages and package, each in the audit log (revision safety)."""

from __future__ import annotations

from django.db import transaction

from rathaus.accounts.types import User
from rathaus.kernel import audit, blobs

from ..models import Disposal

# The download names of the staff pages, and the process's field each one serves.
DOWNLOADS = {
    "anbietung": "offer_message",
    "bewertung": "evaluation_message",
    "paket": "transfer_package",
    "bestaetigung": "receipt_message",
}


@transaction.atomic
def disposal_downloaded(*, disposal: Disposal, kind: str, blob: blobs.Blob, by: User) -> None:
    """Record that ``by`` downloaded the message or package ``kind`` (a key of ``DOWNLOADS``)."""
    audit.record(
        actor=by,
        action="efile_archive.downloaded",
        target=disposal,
        details={"file": kind, "sha256": blob.sha256},
    )
