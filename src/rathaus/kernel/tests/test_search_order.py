"""find() ranks a fixed corpus in a fixed order: hits, ties (by title), pages, kinds, facets.

Written against find() as it was before it sent one statement per page and cached its
answers (decision 0016); the same answers must come out after.
"""

import pytest

from rathaus.kernel import search


@pytest.fixture
def corpus(db):
    saved = dict(search._SOURCES)
    search.register_source(search.SearchSource("t_service", "Testleistungen", order=1))
    search.register_source(search.SearchSource("t_office", "Testämter", order=2))
    documents = [
        (
            "t_service",
            "park",
            "Bewohnerparkausweis beantragen",
            "Für Anwohnerinnen und Anwohner im Quartier.",
        ),
        ("t_service", "park2", "Parkausweis für Handwerker", "Ein Parkausweis für Betriebe."),
        ("t_office", "amt", "Straßenverkehrsamt", "Parkausweis, Kennzeichen und Zulassung."),
        ("t_service", "z-b", "Zulassung B", "Kennzeichen reservieren."),
        ("t_service", "z-a", "Zulassung A", "Kennzeichen reservieren."),
        ("t_office", "alpha", "Alpha Zulassung", "Kennzeichen reservieren."),
        ("t_service", "misc", "Sonstiges", "Parkausweis Parkausweis Parkausweis verloren."),
    ]
    for kind, key, title, body in documents:
        search.index_document(kind=kind, key=key, title=title, body=body, url=f"/{key}/")
    yield
    search._SOURCES.clear()
    search._SOURCES.update(saved)
    search._synonyms.cache_clear()


def keys(results):
    return [hit.key for hit in results.hits]


def test_equal_scores_are_ordered_by_title(corpus):
    results = search.find("reservieren")
    assert keys(results) == ["alpha", "z-a", "z-b"]
    assert results.hits[0].rank == results.hits[1].rank == results.hits[2].rank


def test_pages_cut_the_same_order(corpus):
    everything = keys(search.find("reservieren"))
    assert keys(search.find("reservieren", limit=2)) == everything[:2]
    assert keys(search.find("reservieren", limit=2, offset=1)) == everything[1:3]
    assert keys(search.find("reservieren", limit=2, offset=3)) == []
    assert search.find("reservieren", limit=2, offset=3).total == 3


def test_title_matches_rank_before_body_matches_and_facets_count_every_kind(corpus):
    results = search.find("Parkausweis ")
    assert keys(results)[0] == "park2"
    assert set(keys(results)) == {"park", "park2", "amt", "misc"}
    assert results.total == 4
    assert [(f.kind, f.label, f.count) for f in results.facets] == [
        ("t_service", "Testleistungen", 3),
        ("t_office", "Testämter", 1),
    ]
    offices = search.find("Parkausweis ", kinds=["t_office"])
    assert keys(offices) == ["amt"] and offices.total == 1 and len(offices.facets) == 2
    assert search.find("Parkausweis ", kinds=[]).total == 0
    assert search.find("Parkausweis ", limit=0).hits == []


def test_relaxed_answers_keep_their_order(corpus):
    results = search.find("Kennzeichen Zebrastreifen")
    assert results.relaxed is True
    assert keys(results) == keys(search.find("Kennzeichen "))
    assert results.total == 4


def test_snippets_mark_the_first_match_of_each_hit(corpus):
    hits = {hit.key: hit for hit in search.find("Parkausweis ").hits}
    assert "<mark>Parkausweis</mark>" in hits["misc"].snippet
    assert hits["amt"].snippet.startswith("<mark>Parkausweis</mark>,")
