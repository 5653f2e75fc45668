"""E-Payment: fees, claims with Kassenzeichen, online payment, bank reconciliation, and the
delivery of what a paid claim paid for through the products registered for it (decision 0093).

Public surface for other apps: ``rathaus.payments.services`` (``fee_quote``, ``claim_create``,
``claim_cancel``, ``payment_start``, ``refund_request``, ``product_register`` …),
``rathaus.payments.selectors`` (``claim_by_kassenzeichen``, ``claims_of_user``,
``fee_for_service``, ``claim_receipt``, ``claim_product_page`` …) and
``rathaus.payments.types`` (``Claim``, ``Product`` …). Anything else is private to this app.
"""
