"""Shared pieces of the archive services: message heads, stored messages, the process lock.

Private to ``rathaus.efile.archive.services``.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.utils import timezone
from lxml import etree

from rathaus.directory.types import Office
from rathaus.domain.efile import xdomea
from rathaus.kernel import blobs
from rathaus.kernel.exceptions import Conflict, InvalidInput

from ..messages import parse_validated
from ..models import Disposal

MAX_PACKAGE_BYTES = 2 * 1024 * 1024 * 1024

# Called with the number of documents just handled (the commands' progress bars).
Progress = Callable[[int], None] | None

_Read = TypeVar("_Read")


def party(office: Office) -> xdomea.Party:
    return xdomea.Party(name=office.name, short_name=office.short_name or office.slug)


def header(disposal: Disposal, code: str, *, from_archive: bool = False) -> xdomea.Header:
    """The head of a message of ``disposal``: office → archive, or the archive's answer."""
    sender, recipient = (
        (disposal.archive, disposal.office) if from_archive else (disposal.office, disposal.archive)
    )
    return xdomea.Header(
        process_id=str(disposal.process_id),
        message_code=code,
        created_at=timezone.now(),
        sender=party(sender),
        recipient=party(recipient),
    )


def store_xml(data: bytes, filename: str) -> blobs.Blob:
    """Store a message this app wrote; it must be valid before anyone sees it."""
    parse_validated(data)
    return blobs.store(content=data, filename=filename, declared_type="application/xml")


def store_received_xml(data: bytes, filename: str) -> blobs.Blob:
    """Store a message the archive sent (already parsed and validated by the caller)."""
    return blobs.store(content=data, filename=filename, declared_type="application/xml")


def sub_id(object_id: uuid.UUID, kind: str, pk: int) -> str:
    """A stable xdomea ID for a case, document or version of an offered file."""
    return str(uuid.uuid5(object_id, f"{kind}:{pk}"))


def local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment else None


def locked(disposal: Disposal) -> Disposal:
    """The process row, locked for this transaction (one step at a time per process)."""
    return Disposal.objects.select_for_update().select_related("office", "archive").get(pk=disposal.pk)


def fresh(disposal: Disposal) -> Disposal:
    """The process as the database has it now (without a lock), for checks before the slow work."""
    return Disposal.objects.select_related("office", "archive").get(pk=disposal.pk)


def require_state(disposal: Disposal, state: str, refusal: str) -> None:
    """``Conflict`` with ``refusal`` (``{state}`` = the current state's name) unless in ``state``."""
    if disposal.state != state:
        raise Conflict(refusal.format(state=disposal.get_state_display()), code="disposal_state")


def check_process(disposal: Disposal, head: xdomea.Header) -> None:
    if head.process_id != str(disposal.process_id):
        raise InvalidInput(
            f"Die Nachricht gehört zum Prozess {head.process_id}, nicht zu dieser Aussonderung "
            f"({disposal.process_id}).",
            code="xdomea_wrong_process",
        )


def parse(data: bytes, reader: Callable[[etree._Element], _Read]) -> _Read:
    """Validate a received message and read it with ``reader``; ``InvalidInput`` if unusable."""
    root = parse_validated(data)
    try:
        return reader(root)
    except xdomea.XdomeaError as exc:
        raise InvalidInput(str(exc), code="xdomea_unusable") from exc
