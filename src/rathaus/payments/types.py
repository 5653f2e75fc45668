"""The payments app's public types: the classes other apps name in annotations and foreign keys,
and the contract a product signs to join the fulfilment registry (decision 0093).

Writes go through ``rathaus.payments.services`` (``claim_create``, ``product_register`` …),
reads through ``rathaus.payments.selectors``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.utils.functional import Promise

from .models import Claim, FeeTariff, Fulfilment, Payment

__all__ = ["Claim", "FeeTariff", "Fulfil", "Fulfilment", "Payment", "Product", "ProductPage", "Receipt"]


class Fulfil(Protocol):
    """Deliver what claim ``claim_id`` paid for.

    Called by a background task once the claim is paid, outside any transaction: the product
    does its slow work (files, PDFs) first and then writes in its own short transaction. It
    must be idempotent: a second call for a delivered claim does nothing (a run may die after
    delivering and before payments marks it done). To fail, raise: a ``RathausError`` with a
    German message the cash office can act on, mixed with ``rathaus.kernel.tasks.NoRetry``
    when trying again cannot help; the task is retried otherwise.
    """

    def __call__(self, *, claim_id: int) -> object: ...


class ProductPage(Protocol):
    """The address where the payer follows what claim ``claim_id`` pays for (None: none)."""

    def __call__(self, *, claim_id: int) -> str | None: ...


@dataclass(frozen=True)
class Product:
    """Something a claim pays for and that is delivered once it is paid.

    ``key`` is what the claim names (``claim_create(product=key)``), ``title`` what the cash
    office reads, ``fulfil`` delivers, ``page`` (optional) leads the payer from the claim and
    back from the payment service to the product's own page.
    """

    key: str
    title: str | Promise
    fulfil: Fulfil
    page: ProductPage | None = None


@dataclass(frozen=True)
class Receipt:
    """The receipt (Quittung) of a claim's latest payment, as a PDF."""

    amount: Decimal
    pdf: bytes
    filename: str
