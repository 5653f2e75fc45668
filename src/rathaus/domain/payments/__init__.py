"""E-Payment domain logic (no Django): Kassenzeichen, fee calculation, GiroCode, ledger,
bank-credit matching and the XBezahldienste message shapes.

Modules: ``kassenzeichen``, ``fees``, ``girocode``, ``ledger``, ``matching``,
``xbezahldienste``.
"""
