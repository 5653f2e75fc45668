"""Search keys for personal names."""

import pytest

from rathaus.domain.registers.names import name_key, person_name_key, prefix_upper_bound


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Müller", "mueller"),
        ("Mueller", "mueller"),
        ("ÖZTÜRK", "oeztuerk"),
        ("Weiß", "weiss"),
        ("Yılmaz", "yilmaz"),
        ("Şahin", "sahin"),
        ("  Anna-Lena  ", "anna lena"),
        ("José", "jose"),
    ],
)
def test_key_ignores_case_accents_and_umlaut_spelling(text: str, expected: str) -> None:
    """Umlauts are transliterated per DIN 5007-2, other diacritics dropped."""
    assert name_key(text) == expected


def test_person_key_puts_family_name_first() -> None:
    """The stored key starts with the family name, so a prefix search by family name uses the index."""
    assert person_name_key("Schäfer", "Jörg Peter") == "schaefer joerg peter"


def test_upper_bound_is_just_above_every_key_with_the_prefix() -> None:
    """Every key with the prefix sorts in [prefix, bound); the next name after it does not."""
    bound = prefix_upper_bound("mue")
    assert "mue" <= "mueller hans" < bound
    assert not bound > "muf"
    with pytest.raises(ValueError, match="empty"):
        prefix_upper_bound("")
