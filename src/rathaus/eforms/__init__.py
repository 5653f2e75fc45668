"""Online services (OZG): citizens apply online; each submission becomes a case in the E-Akte.

Public surface for other apps: ``selectors`` (the forms on offer, a citizen's applications)
and ``services`` (start, save a step, submit). The form definitions are YAML files in
``definitions/`` in the format of docs/eforms-definitions.md, checked by
``rathaus.domain.eforms`` when loaded.
"""
