"""A search key for personal names that ignores case, accents and umlaut spellings.

German registers treat "Müller" and "Mueller" as the same spelling for search purposes
(the transliteration ä→ae, ö→oe, ü→ue, ß→ss of DIN 5007-2). Other diacritics are dropped
(é→e, ş→s, ı→i) so that names of any origin can be typed on a German keyboard.
"""

from __future__ import annotations

import re
import unicodedata

_TRANSLITERATE = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue", "ẞ": "ss", "ı": "i"}
)
_NOT_KEY = re.compile(r"[^a-z0-9]+")


def name_key(text: str) -> str:
    """Lower-case ASCII letters and digits, words separated by one space."""
    text = unicodedata.normalize("NFC", text).translate(_TRANSLITERATE)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(part for part in _NOT_KEY.split(text) if part)


def person_name_key(family_name: str, given_names: str) -> str:
    """The key stored with a person: family name first, then given names."""
    return f"{name_key(family_name)} {name_key(given_names)}".strip()


def prefix_upper_bound(prefix: str) -> str:
    """The smallest key greater than every key starting with ``prefix`` (``prefix`` non-empty).

    Keys hold only ``[a-z0-9 ]``, so raising the last character is enough; a range query
    ``key >= prefix AND key < bound`` can then use a plain B-tree index on any database.
    """
    if not prefix:
        raise ValueError("prefix must not be empty")
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
