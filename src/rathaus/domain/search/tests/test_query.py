import pytest

from rathaus.domain.search.compounds import split_compound
from rathaus.domain.search.fuzzy import FuzzyIndex, edit_distance
from rathaus.domain.search.query import expand_query
from rathaus.domain.search.synonyms import SynonymError, Synonyms, parse_synonyms

RULES = """
# comment line
perso, personalausweis
ummelden, umziehen => wohnsitz anmelden   # one-way
"""


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("gewerbeanmeldung", ("gewerbe", "anmeldung")),
        ("personalausweis", ("personal", "ausweis")),
        ("geburtsurkunde", ("geburt", "urkunde")),
        ("wohnsitzanmeldungen", ("wohnsitz", "anmeldung")),
        ("anmeldung", ()),
        ("haus", ()),
        ("xyzxyzxyz", ()),
    ],
)
def test_compounds_split_into_known_parts(word, parts):
    """Fugen-s and inflection endings are allowed; known words and unknown strings stay whole."""
    assert split_compound(word) == parts


@pytest.mark.parametrize(
    ("left", "right", "distance"),
    [
        ("haus", "haus", 0),
        ("haus", "hasu", 1),
        ("haus", "maus", 1),
        ("ausweis", "ausweiss", 1),
        ("ab", "ba", 1),
    ],
)
def test_edit_distance_counts_transpositions_as_one(left, right, distance):
    assert edit_distance(left, right) == distance


def test_fuzzy_finds_close_terms_only():
    index = FuzzyIndex(["personalausweis", "reisepass", "hund", "haus"])
    assert index.corrections("persnalausweis") == ["personalausweis"]
    assert index.corrections("perrsonalausweiss") == ["personalausweis"]  # distance 2, long word
    assert index.corrections("personalauswies") == ["personalausweis"]  # transposition
    assert index.corrections("hnud") == ["hund"]
    assert index.corrections("xyz") == []  # too short to guess
    assert index.corrections("katze") == []


def test_synonym_file_rules_and_errors():
    table = Synonyms.from_rules(parse_synonyms(RULES))
    assert table.match(("ummeld",), 0) == (1, (("wohnsitz", "anmeld"),))
    assert table.match(("wohnsitz", "anmeld"), 0) == (0, ())  # one-way rule
    assert table.match(("perso",), 0)[1] == (("personalausweis",),)
    with pytest.raises(SynonymError, match="Zeile 1"):
        parse_synonyms("nur ein wort")
    with pytest.raises(SynonymError):
        parse_synonyms("a => b => c")


def test_expansion_renders_only_quoted_stems():
    """Operators typed by the user never survive: only stems and our own operators remain."""
    table = Synonyms.from_rules(parse_synonyms(RULES))
    query = expand_query('ummelden OR "NEAR(x" -perso*', synonyms=table)
    fts = query.to_fts5()
    assert '"ummeld"' in fts and '("wohnsitz" AND "anmeld")' in fts
    assert "NEAR(" not in fts and '"or"' in fts
    assert query.to_tsquery(require_all=False).count("|") >= 3


def test_last_word_is_a_prefix_while_typing():
    assert expand_query("Perso").groups[0].alternatives[0][0].prefix is True
    assert expand_query("Perso ").groups[0].alternatives[0][0].prefix is False


def test_unknown_word_gets_corrections_and_their_synonyms():
    table = Synonyms.from_rules(parse_synonyms(RULES))
    index = FuzzyIndex(["ummeld", "wohnsitz", "anmeld"])
    query = expand_query("umelden ", synonyms=table, fuzzy=index)
    assert query.corrections == (("umelden", "ummeld"),)
    assert '("wohnsitz" AND "anmeld")' in query.to_fts5()


@pytest.mark.parametrize(
    "text", ["", "   ", "und oder die", "*" * 10_000, "ä" * 10_000, "中文 搜索", "'; DROP"]
)
def test_any_input_expands_without_error(text):
    query = expand_query(text)
    assert query.is_empty or query.to_fts5()
