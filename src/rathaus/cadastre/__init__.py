"""The cadastral map extract (Auszug aus der Liegenschaftskarte): synthetic parcels, orders,
and the extract delivered once its fee is paid.

A product of E-Payment: it charges its fee through ``rathaus.payments.services`` and joins
the payments fulfilment registry in ``CadastreConfig.ready()`` (decision 0093), so payments
knows nothing of it; the order is filed in the E-Akte through ``rathaus.efile.services``.

Public surface for other apps: ``rathaus.cadastre.services`` (``parcels_ensure``,
``order_create``, ``order_fulfil``) and ``rathaus.cadastre.selectors``. Anything else is
private to this app.
"""
