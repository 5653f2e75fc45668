"""Writes of E-Payment: each use case one function, one transaction, its audit entry inside.

Claims get a Kassenzeichen and a ledger entry; every euro that arrives or leaves is booked
double-entry (``rathaus.domain.payments.ledger``). Payment status changes — from a pushed
notification or from pulling the status after the redirect — go through one idempotent
function, so late, duplicate and out-of-order messages cannot book twice. What a paid claim
paid for is delivered by the product registered for it (``product_register``, decision 0093).

The package is split by responsibility; import from the package, not its modules:

- ``fees``: the fee schedule (tariff versions, quotes);
- ``claims``: claims with their Kassenzeichen, cancellation;
- ``online``: online payment and the payment service's notifications;
- ``refunds``: refunds with four eyes;
- ``fulfilment``: the fulfilment registry and the delivery after payment.
"""

# Names outside ``__all__`` (``X as X``) are used by the app's own modules and tests.
from ._common import ZERO as ZERO
from ._common import Actor as Actor
from ._common import ClaimAlreadyPaid, InvalidSignature, apply_receipt, book
from ._common import _locked as _locked
from ._common import _status_of as _status_of
from .claims import allocate_kassenzeichen, claim_cancel, claim_create
from .fees import fee_quote, fee_tariff_upsert
from .fulfilment import ProductNotRegistered, fulfilment_retry, product_register
from .fulfilment import claims_paid as claims_paid
from .online import notification_outcome as notification_outcome
from .online import notification_receive, payment_refresh, payment_start
from .refunds import refund_decide, refund_request

__all__ = [
    "ClaimAlreadyPaid",
    "InvalidSignature",
    "ProductNotRegistered",
    "allocate_kassenzeichen",
    "apply_receipt",
    "book",
    "claim_cancel",
    "claim_create",
    "fee_quote",
    "fee_tariff_upsert",
    "fulfilment_retry",
    "notification_receive",
    "payment_refresh",
    "payment_start",
    "product_register",
    "refund_decide",
    "refund_request",
]
