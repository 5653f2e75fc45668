"""E-Akte: file plan, files (Akten), cases (Vorgänge), documents with immutable versions.

Public surface for other apps: ``rathaus.efile.services`` (``case_create`` to file a case,
``document_add`` to add a document to it) and ``rathaus.efile.selectors``; the models only
as foreign-key targets. Anything else is private.
"""
