"""Aussonderung and Abgabe of the E-Akte with xdomea 3.1.0 (sub-app ``efile_archive``).

Public surface: ``rathaus.efile.archive.services`` (``disposal_offer``,
``disposal_evaluation_import``, ``disposal_evaluate``, ``disposal_transfer``,
``disposal_receipt_import``, ``disposal_receipt_confirm``, ``disposal_delete``,
``disposal_downloaded``, ``package_import``) and ``rathaus.efile.archive.selectors``. It uses
the E-Akte only through ``rathaus.efile.services``, ``selectors`` and ``types``. The standard
itself (messages, ZIP container) is pure Python in ``rathaus.domain.efile.xdomea``.
"""
