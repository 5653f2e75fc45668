"""The built-in sandbox payment service: speaks XBezahldienste, pays nothing for real.

The payer approves or declines on a page of the sandbox; the sandbox then notifies the
online service (signed like a real one) and, on request, simulates what goes wrong in
practice: a notification held back and sent late, sent twice, or preceded by a stale
one (out of order). Notifications are delivered in-process to the same function the HTTP
endpoint calls (``services.notification_receive``), so the embedded default needs no
second server. The app connects that receiver in ``PaymentsConfig.ready()``: the sandbox,
which the services reach through the provider registry, never imports the services back.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from rathaus.domain.payments import xbezahldienste as xb
from rathaus.kernel import audit, urls
from rathaus.kernel.exceptions import Conflict, NotFound, RathausError

from . import conf
from .models import SandboxEvent, SandboxTransaction

MODES = ("normal", "late", "duplicate", "out_of_order")

# Takes a signed notification (body, signature) and returns its outcome.
Receiver = Callable[[bytes, str], str]
_receivers: list[Receiver] = []


def connect(receiver: Receiver) -> None:
    """Deliver the sandbox's notifications to ``receiver`` (set once, at app start)."""
    _receivers[:] = [receiver]


def redirect_allowed(url: str) -> bool:
    """Whether the sandbox may send the payer to ``url`` after paying: only to this site, as a
    path ("/…") or at its configured address (``kernel.urls``, what ``payment_start`` sends);
    never to another host ("//evil.example", "https://…", "javascript:")."""
    site = urls.site_url()
    if url.startswith(f"{site}/"):
        url = url[len(site) :]
    return (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and "\\" not in url
        and not any(ord(char) < 32 for char in url)
    )


def _url(transaction_id: str) -> str:
    return reverse("payments:sandbox-pay", kwargs={"transaction_id": transaction_id})


def _info(tx: SandboxTransaction) -> xb.PaymentInformation:
    return xb.PaymentInformation(
        transaction_id=tx.transaction_id,
        status=tx.status,
        transaction_url=_url(tx.transaction_id),
        transaction_reference=str(tx.request.get("purpose", "")),
        transaction_timestamp=tx.updated_at.isoformat(timespec="seconds"),
        payment_method="SANDBOX" if tx.status == "PAYED" else "",
    )


@transaction.atomic
def transaction_create(request: xb.PaymentRequest) -> xb.PaymentInformation:
    tx = SandboxTransaction.objects.create(
        transaction_id=uuid.uuid4().hex, request=request.to_json(), amount=request.gross_amount
    )
    return _info(tx)


def _get(transaction_id: str) -> SandboxTransaction:
    tx = SandboxTransaction.objects.filter(transaction_id=transaction_id).first()
    if tx is None:
        raise NotFound(
            "Diese Transaktion kennt der Sandbox-Zahlungsdienst nicht.", code="unknown_transaction"
        )
    return tx


def transaction_info(transaction_id: str) -> xb.PaymentInformation:
    return _info(_get(transaction_id))


def transaction_request(transaction_id: str) -> dict[str, object]:
    return dict(_get(transaction_id).request)


def _event(tx: SandboxTransaction, status: str, at: datetime.datetime) -> SandboxEvent:
    note = xb.Notification(
        event_id=uuid.uuid4().hex,
        transaction_id=tx.transaction_id,
        request_id=str(tx.request.get("requestId", "")),
        status=status,
        amount=tx.amount,
        currency="EUR",
        timestamp=at.isoformat(timespec="seconds"),
    )
    return SandboxEvent.objects.create(
        transaction=tx, event_id=note.event_id, body=json.dumps(note.to_json())
    )


def deliver(event: SandboxEvent) -> str:
    """Send ``event`` signed to the online service; returns its outcome (or the error code)."""
    if not _receivers:
        raise ImproperlyConfigured("The sandbox has no receiver for its notifications (see connect).")
    body = event.body.encode("utf-8")
    signature = xb.sign(body, conf.notification_secret())
    try:
        outcome = _receivers[0](body, signature)
    except RathausError as exc:
        outcome = exc.code
    SandboxEvent.objects.filter(pk=event.pk).update(
        delivered_at=timezone.now(), deliveries=event.deliveries + 1
    )
    event.deliveries += 1
    return outcome


@transaction.atomic
def transaction_decide(*, transaction_id: str, approve: bool, mode: str = "normal") -> SandboxTransaction:
    """The payer approves or declines; notifications go out as ``mode`` says."""
    if mode not in MODES:
        raise Conflict(f"Unbekannte Simulationsart „{mode}“.", code="sandbox_mode")
    tx = SandboxTransaction.objects.select_for_update().get(pk=_get(transaction_id).pk)
    if tx.status != "INITIAL":
        raise Conflict("Über diese Zahlung wurde schon entschieden.", code="sandbox_decided")
    now = timezone.now()
    tx.status = "PAYED" if approve else "CANCELED"
    tx.updated_at = now
    tx.save(update_fields=["status", "updated_at"])
    final = _event(tx, tx.status, now)
    if mode == "normal":
        deliver(final)
    elif mode == "duplicate":
        deliver(final)
        deliver(final)
    elif mode == "out_of_order":
        stale = _event(tx, "INITIAL", now - datetime.timedelta(seconds=30))
        deliver(final)
        deliver(stale)
    # "late": the event waits until ``deliver_pending`` (a button on the sandbox page).
    audit.record(
        actor=audit.Actor.system("Sandbox-Zahlungsdienst"),
        action="payments.sandbox_decided",
        target=tx,
        details={"status": tx.status, "mode": mode},
    )
    return tx


def deliver_pending() -> int:
    """Deliver every held-back notification; returns how many."""
    count = 0
    for event in SandboxEvent.objects.filter(delivered_at__isnull=True):
        deliver(event)
        count += 1
    return count


@transaction.atomic
def transaction_refund(transaction_id: str, amount: Decimal, reference: str) -> str:
    tx = _get(transaction_id)
    if tx.status != "PAYED":
        raise Conflict("Nur bezahlte Transaktionen können erstattet werden.", code="sandbox_refund")
    audit.record(
        actor=audit.Actor.system("Sandbox-Zahlungsdienst"),
        action="payments.sandbox_refund",
        target=tx,
        details={"amount": amount, "reference": reference},
    )
    return f"sandbox-refund-{reference}"
