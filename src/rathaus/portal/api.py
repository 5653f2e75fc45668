"""``GET /api/v1/search``: the one search as JSON (public, no token needed).

Same analysis and ranking as the search page (``rathaus.kernel.search.find``); only public
documents. Any query is answered: empty, overlong, operators or other scripts give an empty
or partial result, never an error.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from rathaus.kernel import search

router = Router(tags=["Suche"])


class SearchParams(Schema):
    q: str = Field("", description="Suchtext, frei formuliert (die ersten 500 Zeichen zählen)")
    kind: str | None = Field(None, max_length=50, description="Nur eine Art: service, office, …")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)


class HitOut(Schema):
    kind: str
    key: str
    title: str
    url: str
    snippet_html: str = Field(description="Textausschnitt, HTML-escaped, Treffer in <mark>")
    score: float


class FacetOut(Schema):
    kind: str
    label: str
    count: int


class SearchOut(Schema):
    query: str
    total: int
    relaxed: bool = Field(description="True, wenn nicht alle Wörter gefunden wurden")
    corrections: list[tuple[str, str]] = Field(description="Tippfehler-Korrekturen (getippt, gefunden)")
    facets: list[FacetOut]
    hits: list[HitOut]


@router.get("/search", response=SearchOut, auth=None, summary="Eine Suche über Leistungen, Dienststellen, …")
def search_api(request: HttpRequest, params: Query[SearchParams]) -> dict[str, object]:
    results = search.find(
        params.q, kinds=[params.kind] if params.kind else None, limit=params.limit, offset=params.offset
    )
    # Plain data: django-ninja validates it against SearchOut once (building the schema
    # objects here as well cost more than the cached search itself).
    return {
        "query": params.q[:500],
        "total": results.total,
        "relaxed": results.relaxed,
        "corrections": list(results.corrections),
        "facets": [{"kind": f.kind, "label": str(f.label), "count": f.count} for f in results.facets],
        "hits": [
            {
                "kind": h.kind,
                "key": h.key,
                "title": h.title,
                "url": h.url,
                "snippet_html": h.snippet,
                "score": h.rank,
            }
            for h in results.hits
        ],
    }
