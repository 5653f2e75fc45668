"""The fulfilment registry: the products that deliver something once a claim is paid.

Payments knows no product. A product app registers itself in its ``AppConfig.ready()``
through ``rathaus.payments.services.product_register`` (decision 0093); a claim names its
product by key (``services.claim_create(product=...)``). Private to the payments app.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .types import Product

_products: dict[str, Product] = {}


def register(product: Product) -> None:
    """Add ``product``; registering the same product again (a second ``ready()``) changes nothing."""
    if not product.key or len(product.key) > 60:
        raise ImproperlyConfigured("A product key has 1 to 60 characters.")
    known = _products.get(product.key)
    if known is not None and known != product:
        raise ImproperlyConfigured(f"Two products registered the key {product.key!r}.")
    _products[product.key] = product


def unregister(key: str) -> None:
    """Remove the product ``key`` (tests that register a product of their own)."""
    _products.pop(key, None)


def get(key: str) -> Product | None:
    return _products.get(key)
