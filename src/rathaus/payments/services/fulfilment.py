"""Fulfilment: delivering what a paid claim paid for, through the product registered for it.

Payments knows no product (decision 0093). A product registers itself with
``product_register`` in its app's ``ready()``; a claim names it (``claim_create(product=)``).
When a claim is booked as paid — by a notification of the payment service, the status pulled
after the redirect, a bank statement or a manual match — ``claims_paid`` records a
``Fulfilment`` in that same transaction (so none is lost) and, once it commits, enqueues the
retried background task ``rathaus.payments.tasks.claim_fulfil`` (key ``fulfil:<claim id>``),
which calls ``fulfilment_run``. A failure is never swallowed: the task is tried again, and
what still fails is shown to the cash office in German with a button that calls
``fulfilment_retry``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict, NotFound, RathausError
from rathaus.kernel.tasks import NoRetry, TaskRun, enqueue_once, retry_run

from .. import products
from ..models import Claim, Fulfilment
from ..types import Product

logger = logging.getLogger(__name__)

TASK = "rathaus.payments.tasks.claim_fulfil"
CHUNK = 2000
SYSTEM = "Bereitstellung nach Zahlung"


class ProductNotRegistered(NotFound, NoRetry):
    """The claim names a product no installed app registered: retrying cannot help."""

    default_code = "product_not_registered"


def task_key(claim_id: int) -> str:
    return f"fulfil:{claim_id}"


def product_register(product: Product) -> None:
    """Join the fulfilment registry (call it in the product app's ``AppConfig.ready()``)."""
    products.register(product)


def claims_paid(claim_ids: Iterable[int]) -> None:
    """Start the delivery of each of ``claim_ids`` that names a product, once per claim.

    Call it inside the transaction that booked the claims as fully paid: the ``Fulfilment``
    rows commit with the payment, and the tasks are enqueued when it has committed.
    """
    wanted = sorted(set(claim_ids))
    new: list[int] = []
    for start in range(0, len(wanted), CHUNK):
        new += (
            Claim.objects.filter(
                pk__in=wanted[start : start + CHUNK], status=Claim.Status.PAID, fulfilment__isnull=True
            )
            .exclude(product="")
            .values_list("pk", flat=True)
        )
    if not new:
        return
    Fulfilment.objects.bulk_create([Fulfilment(claim_id=pk) for pk in new], batch_size=1000)
    transaction.on_commit(lambda: _enqueue(new))


def _enqueue(claim_ids: list[int]) -> None:
    for claim_id in claim_ids:
        enqueue_once(TASK, key=task_key(claim_id), claim_id=claim_id)


def plain_error(error: Exception) -> str:
    """What went wrong, in German for the cash office: the message of a Rathaus error, else
    the kind of technical error (the details are in the log, not on the page)."""
    if isinstance(error, RathausError):
        return str(error)[:500]
    return f"Technischer Fehler ({type(error).__name__}); die Einzelheiten stehen im Protokoll."


def _last_attempt(claim_id: int, error: Exception) -> bool:
    """Whether the task will not try again after ``error`` (as ``kernel.tasks`` decides)."""
    if isinstance(error, NoRetry):
        return True
    run = TaskRun.objects.filter(key=task_key(claim_id)).values_list("attempts", "max_attempts").first()
    return run is None or run[0] >= run[1]


def fulfilment_run(*, claim_id: int) -> None:
    """Deliver claim ``claim_id`` through its product (the body of the task ``claim_fulfil``).

    The product runs outside any transaction of payments, so it can draw and store its files
    before it takes its own (short) transaction; it is idempotent, so a run that dies after
    the delivery and before the "done" mark only calls it once more. An error is recorded on
    the fulfilment and raised again, so the task is retried.
    """
    fulfilment = Fulfilment.objects.select_related("claim").filter(claim_id=claim_id).first()
    if fulfilment is None or fulfilment.status == Fulfilment.Status.DONE:
        return
    key = fulfilment.claim.product
    try:
        product = products.get(key)
        if product is None:
            raise ProductNotRegistered(
                f"Für das Produkt „{key}“ ist keine Bereitstellung eingerichtet "
                "(die Anwendung, die es liefert, ist nicht installiert)."
            )
        product.fulfil(claim_id=claim_id)
    except Exception as error:
        _failed(fulfilment, error, final=_last_attempt(claim_id, error))
        raise
    # If this run dies right here, the retry calls the (idempotent) product again.
    Fulfilment.objects.filter(pk=fulfilment.pk).update(
        status=Fulfilment.Status.DONE,
        attempts=F("attempts") + 1,
        error="",
        updated_at=timezone.now(),
        done_at=timezone.now(),
    )


@transaction.atomic
def _failed(fulfilment: Fulfilment, error: Exception, *, final: bool) -> None:
    row = Fulfilment.objects.select_for_update().get(pk=fulfilment.pk)
    row.attempts += 1
    row.error = plain_error(error)
    row.status = Fulfilment.Status.FAILED if final else Fulfilment.Status.RETRYING
    row.updated_at = timezone.now()
    row.save(update_fields=["attempts", "error", "status", "updated_at"])
    logger.warning("Fulfilment of claim %s failed (attempt %s): %s", row.claim_id, row.attempts, row.error)
    if final:
        audit.record(
            actor=audit.Actor.system(SYSTEM),
            action="payments.fulfilment_failed",
            target=row,
            details={
                "kassenzeichen": fulfilment.claim.kassenzeichen,
                "product": fulfilment.claim.product,
                "error": row.error,
                "attempts": row.attempts,
            },
        )


def _run(claim_id: int) -> TaskRun | None:
    return TaskRun.objects.filter(key=task_key(claim_id)).first()


def may_retry(fulfilment: Fulfilment) -> bool:
    """Whether the cash office may start ``fulfilment`` again: it failed for good, or its task
    is gone or failed (an enqueue lost with the process that should have sent it)."""
    if fulfilment.status == Fulfilment.Status.DONE:
        return False
    if fulfilment.status == Fulfilment.Status.FAILED:
        return True
    run = _run(fulfilment.claim_id)
    return run is None or run.status == TaskRun.Status.FAILED


@transaction.atomic
def fulfilment_retry(*, claim: Claim, by: User) -> Fulfilment:
    """Start the delivery of paid ``claim`` again (the cash office's button); the tries start
    afresh. Refused while a delivery is under way; a delivered claim stays as it is."""
    fulfilment = Fulfilment.objects.select_for_update().filter(claim_id=claim.pk).first()
    if fulfilment is None:
        raise NotFound("Für diese Forderung ist nichts bereitzustellen.", code="no_fulfilment")
    if fulfilment.status == Fulfilment.Status.DONE:
        return fulfilment
    if not may_retry(fulfilment):
        raise Conflict(
            "Die Bereitstellung läuft noch; bitte versuchen Sie es später erneut.", code="fulfilment_running"
        )
    previous = fulfilment.error
    fulfilment.status = Fulfilment.Status.PENDING
    fulfilment.error = ""
    fulfilment.updated_at = timezone.now()
    fulfilment.save(update_fields=["status", "error", "updated_at"])
    audit.record(
        actor=by,
        action="payments.fulfilment_retried",
        target=fulfilment,
        details={"kassenzeichen": claim.kassenzeichen, "product": claim.product, "previous_error": previous},
    )
    claim_id = claim.pk
    transaction.on_commit(lambda: _restart(claim_id))
    return fulfilment


def _restart(claim_id: int) -> None:
    run = _run(claim_id)
    if run is None:
        enqueue_once(TASK, key=task_key(claim_id), claim_id=claim_id)
    elif run.status == TaskRun.Status.FAILED:
        retry_run(run)
