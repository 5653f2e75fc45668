import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rathaus.domain.payments import kassenzeichen as kz


def test_check_digit_follows_damm():
    """Reference value from Damm's description: 572 gets the check digit 4."""
    assert kz.check_digit("572") == 4


def test_build_and_display():
    number = kz.Kassenzeichen.build(year=2026, serial=123)
    assert len(str(number)) == 12
    assert number.display.startswith("2026-0000123-")
    assert number.year == 2026 and number.serial == 123


@pytest.mark.parametrize("serial", [0, 10_000_000])
def test_serial_out_of_range_is_refused(serial):
    """Bad input: serial 0 and one beyond seven digits."""
    with pytest.raises(kz.InvalidKassenzeichen):
        kz.Kassenzeichen.build(year=2026, serial=serial)


def test_parse_tolerates_spacing_case_prefix_and_lookalikes():
    number = str(kz.Kassenzeichen.build(year=2026, serial=4711))
    typed = f"kz: {number[:4]} {number[4:8]}.{number[8:]}".replace("0", "O", 1)
    assert kz.parse(typed).digits == number


def test_wrong_check_digit_is_refused_with_a_german_message():
    """Bad input: a Kassenzeichen whose last digit was changed."""
    number = str(kz.Kassenzeichen.build(year=2026, serial=4711))
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    with pytest.raises(kz.InvalidKassenzeichen, match="Prüfziffer"):
        kz.parse(wrong)


@pytest.mark.parametrize("text", ["", "abc", "2026-123", "2026000012345678"])
def test_garbage_is_refused(text):
    """Bad input: empty, letters, too short, too long."""
    with pytest.raises(kz.InvalidKassenzeichen):
        kz.parse(text)


@pytest.mark.parametrize("serial", [1, 98765, 4711, 9_999_999, 1_234_567])
def test_every_single_digit_error_and_adjacent_swap_is_detected(serial):
    number = str(kz.Kassenzeichen.build(year=2026, serial=serial))
    for i in range(12):
        for d in "0123456789":
            if d != number[i]:
                assert not kz._valid(number[:i] + d + number[i + 1 :])
    for i in range(11):
        if number[i] != number[i + 1]:
            assert not kz._valid(number[:i] + number[i + 1] + number[i] + number[i + 2 :])


def test_candidates_in_remittance_text():
    number = str(kz.Kassenzeichen.build(year=2026, serial=42))
    text = f"Gebuehr Liegenschaftskarte KZ {number[:4]} {number[4:]} Danke, Rg 2025-11"
    assert kz.candidates_in(text)[0] == kz.Candidate(number, True)


def test_corrections_find_the_original_of_a_swap():
    number = str(kz.Kassenzeichen.build(year=2026, serial=31337))
    swapped = number[:5] + number[6] + number[5] + number[7:]
    assert number in set(kz.corrections(swapped))
    assert number in set(kz.corrections(number[:7] + number[8:]))  # one digit left out


def _one_mistake_away(digits):
    """Every text one typing mistake (wrong, swapped, left out or doubled digit) from ``digits``,
    in the order ``corrections`` lists them, each checked whole."""
    if len(digits) == 12:
        yield from (
            digits[:i] + d + digits[i + 1 :] for i in range(12) for d in "0123456789" if d != digits[i]
        )
        yield from (
            digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
            for i in range(11)
            if digits[i] != digits[i + 1]
        )
    elif len(digits) == 11:
        yield from (digits[:i] + d + digits[i:] for i in range(12) for d in "0123456789")
    elif len(digits) == 13:
        yield from (digits[:i] + digits[i + 1 :] for i in range(13))


@settings(max_examples=400)
@given(st.text(alphabet="0123456789", min_size=10, max_size=14))
def test_corrections_are_the_valid_numbers_one_typing_mistake_away(digits):
    """``corrections`` checks a variant with one or two look-ups (issue 13); the result is that
    of checking each variant whole, in the same order."""
    assert list(kz.corrections(digits)) == [v for v in _one_mistake_away(digits) if kz._valid(v)]
    assert all(kz.Candidate(digits, False).repairs == tuple(kz.corrections(digits)) for _ in range(2))


def test_text_that_is_not_a_run_of_digits_has_no_corrections():
    assert list(kz.corrections("2026000012a5")) == []
    assert list(kz.corrections("２０２６００００１２３４")) == []  # full-width digits
