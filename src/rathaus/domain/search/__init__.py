"""German query understanding for the one search: compounds, synonyms, typo tolerance.

Pure Python on top of ``rathaus.domain.text`` (folding and Snowball stems). The kernel's
search module turns an ``ExpandedQuery`` into SQLite FTS5 or PostgreSQL tsquery syntax.
"""
