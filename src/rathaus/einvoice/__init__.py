"""E-Rechnung: the central inbound platform for XRechnung invoices to the city's public buyers.

Public surface: ``services.invoice_receive``, ``selectors`` and the ``InboundInvoice`` model.
Validation and extraction are pure Python in ``rathaus.domain.einvoice``.
"""
