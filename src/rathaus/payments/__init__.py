"""E-Payment: fees, claims with Kassenzeichen, online payment, bank reconciliation, and the
first product, the cadastral map extract (Auszug aus der Liegenschaftskarte).

Public surface for other apps: ``rathaus.payments.services`` (``fee_quote``, ``claim_create``,
``claim_cancel``, ``payment_start``, ``refund_request``) and ``rathaus.payments.selectors``
(``claim_by_kassenzeichen``, ``claims_of_user``, ``fee_for_service``). Anything else is
private to this app.
"""
