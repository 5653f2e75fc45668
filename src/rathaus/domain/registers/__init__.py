"""Identifiers of the registers, checkable without a database.

Public: ``tax_id`` (Steuerliche Identifikationsnummer, § 139b AO) and ``leitweg_id``
(the B2G routing identifier, KoSIT Formatspezifikation Leitweg-ID).
"""
