"""kernel.search.find: synonyms, compounds, typo tolerance, relaxed matching, facets, sources."""

from pathlib import Path

import pytest

from rathaus.kernel import search


@pytest.fixture
def sources(tmp_path):
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text("ummelden, umzug => wohnsitz anmelden\nperso, personalausweis\n", encoding="utf-8")
    saved = dict(search._SOURCES)
    search.register_source(
        search.SearchSource("t_service", "Testleistungen", synonyms=Path(synonyms), order=1)
    )
    search.register_source(search.SearchSource("t_office", "Testämter", order=2))
    yield
    search._SOURCES.clear()
    search._SOURCES.update(saved)
    search._synonyms.cache_clear()


@pytest.fixture
def documents(db, sources):
    search.index_document(
        kind="t_service", key="anmelden", title="Wohnsitz anmelden", body="Nach dem Einzug."
    )
    search.index_document(
        kind="t_service", key="gewerbe", title="Gewerbeanmeldung", body="Ein Gewerbe beginnen."
    )
    search.index_document(kind="t_service", key="perso", title="Personalausweis beantragen", body="Ausweis.")
    search.index_document(
        kind="t_office", key="ba", title="Bürgeramt Mitte", body="Personalausweis und Meldewesen."
    )
    search.index_document(
        kind="t_service", key="geheim", title="Wohnsitz intern", body="x", visibility="staff"
    )


def keys(results):
    return [hit.key for hit in results.hits]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("ummelden", "anmelden"),  # one-way synonym to a phrase
        ("gewerbe anmelden", "gewerbe"),  # compound parts indexed
        ("Gewerbeanmeldung", "gewerbe"),
        ("Perso", "perso"),  # prefix while typing
        ("perso ", "perso"),  # synonym when the word is complete
        ("Persnalausweis", "perso"),  # typo tolerance
        ("wohnsitz anmelden zebrastreifen", "anmelden"),  # not all words: best partial match
    ],
)
def test_find_ranks_the_meant_document_first(documents, query, first):
    assert keys(search.find(query))[0] == first


def test_find_reports_relaxed_corrections_and_facets(documents):
    relaxed = search.find("wohnsitz anmelden zebrastreifen")
    assert relaxed.relaxed is True
    assert search.find("Persnalausweis").corrections == (("persnalausweis", "personalausweis"),)
    facets = search.find("Personalausweis").facets
    assert [(f.kind, f.label, f.count) for f in facets] == [
        ("t_service", "Testleistungen", 1),
        ("t_office", "Testämter", 1),
    ]
    only_offices = search.find("Personalausweis", kinds=["t_office"])
    assert keys(only_offices) == ["ba"] and only_offices.total == 1 and len(only_offices.facets) == 2


def test_find_never_shows_other_visibility_and_tolerates_any_input(documents):
    """Tried: staff-only words, empty, operators, 10,000 characters, other scripts."""
    assert "geheim" not in keys(search.find("Wohnsitz intern"))
    for query in ["", "(((", "Perso* NEAR OR", "x" * 10_000, "паспорт", "'; DROP TABLE x; --"]:
        assert search.find(query).total >= 0
    assert search.find("Wohnsitz", visibility=()).total == 0


def test_reindex_calls_registered_sources(db, sources):
    calls = []
    search.register_source(
        search.SearchSource("t_rebuild", "R", reindex=lambda: calls.append(1) or 3, order=3)
    )
    assert search.reindex(kinds=["t_rebuild"]) == 3 and calls == [1]
