"""Once-only data exchange between authorities: which law (or consent) lets which office ask a
register for which data, and the data-minimisation rule that releases only what it covers.

Public names: ``catalogue`` (``Catalogue``, ``LegalBasis``, ``ConsentTemplate``,
``InvalidCatalogue``, ``load_catalogue``, ``catalogue_from_data``, ``CATEGORIES``, ``FIELDS``),
``minimisation`` (``Release``, ``Withheld``, ``minimise``).
"""
