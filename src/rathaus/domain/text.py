"""German text for search: folding, tokenising, stemming and snippets.

The same functions run when a document is indexed and when a query is parsed, so a
search for "Strasse", "Strassen" or "straße" finds "Straße", "Mueller" and "Muller" find
"Müller", and "Häuser" finds "Haus". Steps, in order:

1. Unicode NFKD and removal of combining marks (é → e, ä → a) and ``casefold`` (ß → ss).
2. Tokens are runs of letters and digits; everything else (quotes, operators such as
   ``NEAR``-syntax, ``*``, ``-``, brackets) separates tokens and never reaches a database.
3. German stop words are dropped; the rest is reduced by the Snowball German stemmer
   (https://snowballstem.org/algorithms/german/stemmer.html), which also maps the
   transliterations "ae", "oe", "ue" to the plain vowel.

Public names: ``fold``, ``tokenize``, ``stem``, ``index_terms``, ``QueryTerms``,
``query_terms``, ``highlight``, ``Highlighter``, ``has_visible_characters``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import snowballstemmer

__all__ = [
    "Highlighter",
    "QueryTerms",
    "STOP_WORDS",
    "fold",
    "has_visible_characters",
    "highlight",
    "index_terms",
    "query_terms",
    "stem",
    "tokenize",
]

MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 32
MAX_TERM_CHARS = 60
MIN_PREFIX_CHARS = 3

# Function words too frequent to be useful in a query; kept short on purpose (a word that
# is missing here only makes a query a little stricter).
_STOP_WORDS_TEXT = """
    aber als am an auch auf aus bei bin bis bist da dann das dass dem den der des die
    dies diese dieser dieses doch du durch ein eine einem einen einer eines er es fur hat
    hatte ich ihr im in ist ja kein man mit nach nicht noch nun nur ob oder ohne sein
    sich sie sind so um und uns vom von vor war waren was wie wir wird zu zum zur uber
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_TOKEN = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower-case ``text`` and strip diacritics: "Straße" → "strasse", "Müller" → "muller"."""
    if text.isascii():  # most words: NFKD changes nothing and casefold equals lower
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.casefold()


def tokenize(text: str) -> list[str]:
    """Folded word tokens of ``text`` (letters and digits only), stop words included."""
    return [token[:MAX_TERM_CHARS] for token in _TOKEN.findall(fold(text))]


@functools.lru_cache(maxsize=1)
def _german() -> Any:
    return snowballstemmer.stemmer("german")


@functools.lru_cache(maxsize=50_000)
def stem(token: str) -> str:
    """The Snowball German stem of one folded token ("hauser" → "haus")."""
    if token.isdigit():
        return token
    return str(_german().stemWord(token))


def index_terms(text: str) -> list[str]:
    """Stems of ``text`` in order, stop words removed: what the index stores."""
    return [stem(token) for token in tokenize(text) if token not in STOP_WORDS]


@dataclass(frozen=True)
class QueryTerms:
    """A parsed query: every term must match; ``prefix`` (if set) matches as a prefix.

    ``terms`` holds all stems in query order; when ``prefix`` is set it equals the last
    entry of ``terms``, i.e. the word the user may still be typing.
    """

    terms: tuple[str, ...]
    prefix: str | None

    @property
    def is_empty(self) -> bool:
        return not self.terms


def query_terms(query: str) -> QueryTerms:
    """Parse free text typed by a user into stems; never fails, whatever the input.

    Operators are not interpreted: quotes, ``-``, ``*``, brackets and words such as
    ``NEAR``/``OR`` are plain text. The last word also matches as a prefix (search as you
    type) when it is at least three characters long and the query does not end in a
    space or punctuation.
    """
    text = query[:MAX_QUERY_CHARS]
    tokens = [token for token in tokenize(text) if token not in STOP_WORDS]
    tokens = tokens[:MAX_QUERY_TERMS]
    seen: dict[str, None] = {}
    for token in tokens:
        seen.setdefault(stem(token), None)
    terms = tuple(seen)
    prefix = None
    ends_in_word = bool(text) and bool(_TOKEN.fullmatch(text[-1]))
    if tokens and ends_in_word and len(tokens[-1]) >= MIN_PREFIX_CHARS:
        prefix = stem(tokens[-1])
        terms = tuple(term for term in terms if term != prefix) + (prefix,)
    return QueryTerms(terms=terms, prefix=prefix)


@functools.lru_cache(maxsize=65_536)
def _word_tokens(word: str) -> tuple[str, ...]:
    return tuple(tokenize(word))


class Highlighter:
    """``highlight`` for one query over many texts (the hits of one page).

    It remembers for every token and word it has seen whether it matches, so words that
    recur across the texts are analysed once.
    """

    def __init__(self, parsed: QueryTerms) -> None:
        self.parsed = parsed
        self._terms = frozenset(parsed.terms)
        self._tokens: dict[str, bool] = {}
        self._words: dict[str, bool] = {}
        self._pieces: dict[str, list[tuple[str, bool]]] = {}

    def __call__(self, text: str, *, max_words: int = 30) -> list[tuple[str, bool]]:
        words = text.split()  # the runs of non-whitespace that re's \S+ finds (both use str.isspace)
        if not words:
            return []
        hit_index = 0
        seen = self._words
        for index, word in enumerate(words):
            matched = seen.get(word)
            if matched is None:
                matched = self._word(word)
            if matched:
                hit_index = index
                break
        start = max(0, hit_index - max_words // 3)
        end = min(len(words), start + max_words)
        # Plain text is gathered and joined; every match is a segment of its own.
        segments: list[tuple[str, bool]] = []
        plain = ["… "] if start > 0 else []
        split = self._pieces
        for position in range(start, end):
            if position > start:
                plain.append(" ")
            word = words[position]
            pieces = split.get(word)
            if pieces is None:
                pieces = self._split(word)
            for piece, is_match in pieces:
                if is_match:
                    if plain:
                        segments.append(("".join(plain), False))
                        plain = []
                    segments.append((piece, True))
                else:
                    plain.append(piece)
        if end < len(words):
            plain.append(" …")
        if plain:
            segments.append(("".join(plain), False))
        return segments

    def _token(self, token: str) -> bool:
        """Whether a folded token matches: its stem is a query term or starts with the prefix."""
        known = self._tokens.get(token)
        if known is None:
            if token in STOP_WORDS:
                known = False
            else:
                stemmed = stem(token)
                prefix = self.parsed.prefix
                known = stemmed in self._terms or (
                    prefix is not None and (stemmed.startswith(prefix) or token.startswith(prefix))
                )
            self._tokens[token] = known
        return known

    def _word(self, word: str) -> bool:
        known = self._words[word] = any(self._token(token) for token in _word_tokens(word))
        return known

    def _split(self, word: str) -> list[tuple[str, bool]]:
        """Mark the letter runs of ``word`` that match, keep punctuation around them plain."""
        if word.isalnum():  # a single run of letters and digits, as _TOKEN finds it
            pieces = [(word, self._token(fold(word)))]
        else:
            pieces = []
            last = 0
            for match in _TOKEN.finditer(word):
                if match.start() > last:
                    pieces.append((word[last : match.start()], False))
                pieces.append((match.group(), self._token(fold(match.group()))))
                last = match.end()
            if last < len(word):
                pieces.append((word[last:], False))
        self._pieces[word] = pieces
        return pieces


def highlight(text: str, parsed: QueryTerms, *, max_words: int = 30) -> list[tuple[str, bool]]:
    """A window of ``text`` around the first match, as (segment, is_match) pairs.

    The segments are the original text (not folded), so they can be escaped and shown;
    "…" marks where the window cuts the text. For many texts and one query, use one
    ``Highlighter``.
    """
    return Highlighter(parsed)(text, max_words=max_words)


# Unicode categories that draw nothing: controls, format characters (zero-width space and
# joiners, bidi marks), separators (spaces), unassigned and private-use code points.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Zs", "Zl", "Zp"})


def has_visible_characters(text: str) -> bool:
    """Whether ``text`` shows anything: a name of only zero-width characters or spaces does not."""
    return any(unicodedata.category(char) not in _INVISIBLE_CATEGORIES for char in text)
