import datetime

import pytest

from rathaus.domain.efile.bescheid import Bescheid, InvalidBescheid, format_date, remedy_notice


def _bescheid(**overrides: object) -> Bescheid:
    values: dict[str, object] = {
        "authority": "Bürgeramt Mitte",
        "authority_address": "Am Markt 1, 28195 Bremen",
        "aktenzeichen": "D001 32.10-2026/0001",
        "issued_on": datetime.date(2026, 3, 5),
        "title": "Bescheid über Wohngeld",
        "body": "Ihrem Antrag wird stattgegeben.",
        "officer": "Jana Kruse",
    }
    values.update(overrides)
    return Bescheid(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("authority", "Behörde"),  # § 37 Abs. 3 VwVfG
        ("officer", "Namen"),  # § 37 Abs. 3 VwVfG
        ("title", "Betreff"),
        ("body", "Text"),
    ],
)
def test_a_bescheid_without_a_required_part_is_refused(field: str, message: str) -> None:
    """Blank authority, officer, title or body: refused with a German message naming the part."""
    with pytest.raises(InvalidBescheid, match=message):
        _bescheid(**{field: "  "})


def test_remedy_notice_names_time_limit_form_and_authority_with_seat() -> None:
    """§ 58 Abs. 1 / § 70 Abs. 1 VwGO: one month, the forms, the authority and its seat."""
    text = remedy_notice(authority="Bürgeramt Mitte", authority_address="Am Markt 1, 28195 Bremen")
    assert "innerhalb eines Monats" in text
    assert "§ 3a Abs. 2 VwVfG" in text and "Niederschrift" in text
    assert "Bürgeramt Mitte, Am Markt 1, 28195 Bremen" in text


def test_dates_are_written_the_german_way() -> None:
    assert format_date(datetime.date(2026, 3, 5)) == "5. März 2026"
