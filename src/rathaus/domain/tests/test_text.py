"""German folding, stemming and query parsing for search (no database)."""

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rathaus.domain.text import (
    Highlighter,
    fold,
    has_visible_characters,
    highlight,
    index_terms,
    query_terms,
    tokenize,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Straße", "strasse"), ("MÜLLER", "muller"), ("Café", "cafe"), ("Øre", "øre")],
)
def test_fold_strips_diacritics_and_case(text, expected):
    """Umlauts lose their dots, ß becomes ss, case is ignored."""
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("query", "document"),
    [
        ("Strasse", "Straße"),
        ("Strassen", "Straße"),
        ("straße", "Strassen"),
        ("Mueller", "Müller"),
        ("Muller", "Müller"),
        ("Häuser", "Haus"),
        ("Haus", "Häusern"),
        ("Wohnungen", "Wohnung"),
    ],
)
def test_query_and_document_share_stems(query, document):
    """Spelling variants and inflections of German words meet in one stem."""
    assert set(query_terms(query + " ").terms) <= set(index_terms(document))


def test_stop_words_are_dropped():
    """Function words neither match nor make a query stricter."""
    assert index_terms("die Straße und der Platz") == ["strass", "platz"]


def test_operators_are_plain_text():
    """Quotes, *, -, brackets and NEAR never act as operators."""
    parsed = query_terms('"Müller" NEAR(-*) OR (Haus*')
    assert parsed.terms == ("mull", "near", "or", "haus")
    assert all(term.isalnum() for term in parsed.terms)


def test_last_word_is_a_prefix_while_typing():
    """'Stras' without a trailing space matches 'Straße' as a prefix."""
    parsed = query_terms("Hauptbahnhof Stras")
    assert parsed.prefix == "stras"
    assert parsed.terms[-1] == "stras"
    assert query_terms("Hauptbahnhof Stras ").prefix is None
    assert query_terms("ab").prefix is None


def test_empty_and_symbol_only_queries_are_empty():
    """Nothing to search for is not an error."""
    assert query_terms("").is_empty
    assert query_terms('"*()-:^').is_empty
    assert query_terms("die der das").is_empty


def test_very_long_query_is_bounded():
    """A megabyte of text becomes at most 32 terms."""
    parsed = query_terms("wort " * 200_000 + " ".join(f"w{i}x" for i in range(100)))
    assert len(parsed.terms) <= 32


def test_highlight_marks_matching_words_in_original_spelling():
    """The snippet shows the document's own text with the match marked."""
    segments = highlight("Herr Müller wohnt in der Straße.", query_terms("mueller strasse "))
    assert ("Müller", True) in segments
    assert ("Straße", True) in segments
    assert "".join(text for text, _ in segments) == "Herr Müller wohnt in der Straße."


def test_highlight_windows_long_text():
    """A long body is cut around the first match, with ellipses."""
    body = " ".join(["Wort"] * 100 + ["Rathaus"] + ["Wort"] * 100)
    segments = highlight(body, query_terms("rathaus "), max_words=10)
    text = "".join(text for text, _ in segments)
    assert text.startswith("… ") and text.endswith(" …")
    assert ("Rathaus", True) in segments


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_fold_of_ascii_text_is_the_full_folding(text):
    """The shortcut for ASCII gives what NFKD, dropping marks and casefold give."""
    full = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()
    assert fold(text) == full


@given(st.lists(st.text(max_size=120), max_size=6), st.text(max_size=40))
def test_one_highlighter_for_many_texts_marks_each_as_alone(texts, query):
    """A page's hits share one Highlighter: what it remembers from one text never changes another."""
    parsed = query_terms(query)
    highlighter = Highlighter(parsed)
    for text in texts + texts:
        assert highlighter(text) == highlight(text, parsed)


@given(st.text(max_size=200))
def test_highlight_keeps_every_word_of_a_short_text(text):
    """Words are the runs of non-whitespace (as re's \\S+), joined by one space."""
    segments = highlight(text, query_terms("x"), max_words=1000)
    assert "".join(part for part, _ in segments) == " ".join(re.findall(r"\S+", text))


@given(st.text())
def test_any_text_parses(text):
    """Arbitrary input never raises and yields only letter/digit terms."""
    parsed = query_terms(text)
    assert all(term and all(part.isalnum() for part in term) for term in parsed.terms)
    assert tokenize(text) is not None
    highlight(text, parsed)


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("Anna", True),
        (" Ä ", True),
        ("\u200b\u200c\u200d", False),
        ("\u2060\ufeff ", False),
        ("\u00a0\u3000", False),
        ("", False),
        ("\u202e", False),
    ],
)
def test_has_visible_characters(text: str, visible: bool) -> None:
    """Issue 11, finding 13: names and subjects of only zero-width characters were accepted."""
    assert has_visible_characters(text) is visible
