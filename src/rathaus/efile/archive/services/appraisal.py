"""Offer (0501 Anbieteverzeichnis) and the archive's evaluation (0502 Bewertungsverzeichnis)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.domain.efile import xdomea
from rathaus.domain.efile.retention import Disposal as RetentionDisposal
from rathaus.domain.efile.retention import RetentionStatus
from rathaus.domain.efile.xdomea import package as xpackage
from rathaus.domain.efile.xdomea import read as xread
from rathaus.domain.efile.xdomea import write as xwrite
from rathaus.efile import selectors as efile_selectors
from rathaus.efile.types import CaseFile
from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict, InvalidInput

from ..models import Disposal, DisposalItem
from ._common import (
    Progress,
    check_process,
    fresh,
    header,
    local_date,
    locked,
    parse,
    require_state,
    store_received_xml,
    store_xml,
)
from .records import document_count, file_record

_PROPOSALS = {
    RetentionDisposal.ARCHIVE: xdomea.model.ARCHIVE,
    RetentionDisposal.EVALUATE: xdomea.model.EVALUATE,
    RetentionDisposal.DESTROY: xdomea.model.DESTROY,
}


def _not_offered_yet(office: Office, today: datetime.date) -> list[tuple[CaseFile, RetentionStatus]]:
    offered = set(DisposalItem.objects.filter(case_file__isnull=False).values_list("case_file_id", flat=True))
    due = [(f, s) for f, s in efile_selectors.disposal_due(office=office, today=today) if f.pk not in offered]
    if not due:
        raise InvalidInput(
            f"In {office.name} ist am {today:%d.%m.%Y} keine Akte zur Aussonderung fällig, "
            "die nicht schon angeboten wurde.",
            code="nothing_due",
        )
    return due


def disposal_offer(
    *,
    office: Office,
    archive: Office,
    today: datetime.date,
    by: User | None = None,
    progress: Progress = None,
) -> Disposal:
    """Offer every closed file of ``office`` due on ``today`` (and not offered yet) to ``archive`` (0501).

    The files are read and the message is written and stored before the transaction, which
    only creates the process and its items (after checking that no file was offered meanwhile).
    """
    if archive.kind != "archive":
        raise InvalidInput(f"{archive.name} ist kein Archiv.", code="not_an_archive")
    disposal = Disposal(office=office, archive=archive, reference_date=today, created_by=by)
    items, records = [], []
    for case_file, status in _not_offered_yet(office, today):
        cases = efile_selectors.case_file_contents(case_file=case_file)
        item = DisposalItem(
            disposal=disposal,
            case_file=case_file,
            aktenzeichen=case_file.aktenzeichen,
            title=case_file.title[:300],
            closed_on=local_date(case_file.closed_at) or today,
            retention_ends=status.ends_on,
            proposal=_PROPOSALS[RetentionDisposal(str(status.disposal))],
            documents=document_count(cases),
        )
        items.append(item)
        records.append(file_record(item, case_file, cases, with_content=False))
        if progress:
            progress(1)
    message = xwrite.offer_message(header(disposal, xdomea.OFFER), records)
    disposal.offer_message = store_xml(
        message, xpackage.message_filename(str(disposal.process_id), xdomea.OFFER)
    )
    with transaction.atomic():
        _refuse_offered_meanwhile(items)
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


def _refuse_offered_meanwhile(items: list[DisposalItem]) -> None:
    taken = DisposalItem.objects.filter(case_file_id__in=[item.case_file_id for item in items]).first()
    if taken is not None:
        raise Conflict(
            f"Die Akte {taken.aktenzeichen} wurde inzwischen in einer anderen Aussonderung angeboten; "
            "bitte erneut anbieten.",
            code="offered_meanwhile",
        )


def _decisions(disposal: Disposal, decisions: tuple[xdomea.Decision, ...]) -> dict[DisposalItem, str]:
    """Each offered item with the archive's code; every item must be named, no other."""
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
    return {items[object_id]: code for object_id, code in chosen.items()}


_NOT_OFFERED = "Die Aussonderung ist schon {state}."


def disposal_evaluation_import(*, disposal: Disposal, xml: bytes, by: User | None = None) -> Disposal:
    """Take the archive's 0502 Bewertungsverzeichnis: every offered file gets A or V.

    The message is validated and stored before the transaction; the transaction only
    records the decisions (and checks the state again under the process lock).
    """
    require_state(fresh(disposal), Disposal.State.OFFERED, _NOT_OFFERED)
    head, decisions = parse(xml, xread.read_evaluation)
    check_process(disposal, head)
    stored = store_received_xml(xml, xpackage.message_filename(str(disposal.process_id), xdomea.EVALUATION))
    with transaction.atomic():
        disposal = locked(disposal)
        require_state(disposal, Disposal.State.OFFERED, _NOT_OFFERED)
        chosen = _decisions(disposal, decisions)
        for item, code in chosen.items():
            item.decision = code
        DisposalItem.objects.bulk_update(list(chosen), ["decision"])
        disposal.evaluation_message = stored
        disposal.state = Disposal.State.EVALUATED
        disposal.evaluated_at = timezone.now()
        disposal.save(update_fields=["evaluation_message", "state", "evaluated_at"])
        audit.record(
            actor=by,
            action="efile_archive.evaluated",
            target=disposal,
            details={
                "archive": sorted(item.aktenzeichen for item, code in chosen.items() if code == "A"),
                "destroy": sorted(item.aktenzeichen for item, code in chosen.items() if code == "V"),
            },
        )
    return disposal


def disposal_evaluate(*, disposal: Disposal, decisions: dict[int, str], by: User | None) -> Disposal:
    """The archive's staff decide per item (``{item pk: "A" | "V"}``); written as a 0502 and imported."""
    answers = []
    for item in disposal.items.all():
        code = decisions.get(item.pk, "")
        if code not in ("A", "V"):
            raise InvalidInput(f"Bitte bewerten Sie die Akte {item.aktenzeichen}.", code="decision_missing")
        answers.append(xdomea.Decision(id=str(item.object_id), disposal=code))
    message = xwrite.evaluation_message(header(disposal, xdomea.EVALUATION, from_archive=True), answers)
    return disposal_evaluation_import(disposal=disposal, xml=message, by=by)
