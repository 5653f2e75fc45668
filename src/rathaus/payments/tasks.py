"""Background tasks of E-Payment (``rathaus.kernel.tasks``), enqueued by their dotted path."""

from __future__ import annotations

from rathaus.kernel.tasks import rathaus_task

from .services.fulfilment import fulfilment_run

# Four tries: the first at once, then after one, two and four minutes; then the cash office
# sees the failure.
RETRIES = 3
BACKOFF_SECONDS = 60


@rathaus_task(retries=RETRIES, backoff_seconds=BACKOFF_SECONDS)
def claim_fulfil(*, claim_id: int) -> None:
    """Deliver what paid claim ``claim_id`` paid for (``services.fulfilment.fulfilment_run``)."""
    fulfilment_run(claim_id=claim_id)
