"""Writes of Aussonderung and Abgabe (xdomea 3.1.0): one function per step, each with its audit entry.

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
5. ``disposal_delete`` deletes what the archive declined and what it confirmed, in batches of
   short transactions, through ``efile.services.case_file_purge``; each deletion is in the
   audit log. Blobs are content-addressed and may be shared, so only rows are deleted.

``package_import`` takes over a 0401 Abgabe or 0503 Aussonderung package from another office,
all or nothing.

Messages, packages and documents are checked and stored before the transaction that writes
the rows and takes the city-wide audit lock, so that lock is held for row writes only.
Errors are ``kernel.exceptions`` with German messages; no rows are written when one is raised
(``disposal_delete``: none of the failing batch).

The package is split by responsibility; import from the package, not its modules:

- ``appraisal``: offer and evaluation;
- ``transfer``: the transfer package and the archive's receipt;
- ``deletion``: deletion after the archive's decision;
- ``takeover``: taking over a package from another office;
- ``downloads``: the audit entry of each download of a message or package;
- ``records``: the xdomea view of an E-Akte file (shared by offer and transfer).
"""

from ._common import MAX_PACKAGE_BYTES as MAX_PACKAGE_BYTES
from ._common import Progress as Progress
from .appraisal import disposal_evaluate, disposal_evaluation_import, disposal_offer
from .deletion import DELETE_BATCH as DELETE_BATCH
from .deletion import disposal_delete
from .downloads import DOWNLOADS as DOWNLOADS
from .downloads import disposal_downloaded
from .takeover import package_import
from .transfer import disposal_receipt_confirm, disposal_receipt_import, disposal_transfer

__all__ = [
    "disposal_delete",
    "disposal_downloaded",
    "disposal_evaluate",
    "disposal_evaluation_import",
    "disposal_offer",
    "disposal_receipt_confirm",
    "disposal_receipt_import",
    "disposal_transfer",
    "package_import",
]
