"""Kassenzeichen: the reference that identifies a claim at the city's cash office.

Layout (12 digits): ``YYYY`` (year of issue) + ``NNNNNNN`` (serial within the year) + one
check digit, shown as ``2026-0000123-5``. The check digit is computed with the Damm
algorithm (H. M. Damm, 2004: a totally anti-symmetric quasigroup of order 10), which with
one decimal digit detects every single wrong digit and every swap of two adjacent digits
— ISO/IEC 7064 MOD 11,10 (used for the Steuer-IdNr) misses about 2 % of such swaps.

Remittance texts are typed by people, so ``candidates_in`` finds Kassenzeichen however
they were written (spaces, dashes, dots, a "KZ" prefix, letter O for zero), and
``corrections`` lists the valid numbers one typing mistake away from an invalid one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

__all__ = [
    "InvalidKassenzeichen",
    "Kassenzeichen",
    "candidates_in",
    "check_digit",
    "corrections",
    "format_kassenzeichen",
    "normalize",
    "parse",
]

BODY_LENGTH = 11
LENGTH = 12
MAX_SERIAL = 9_999_999


class InvalidKassenzeichen(ValueError):
    """The text is not a valid Kassenzeichen; the message says why, in German."""


_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def _damm(digits: str) -> int:
    interim = 0
    for char in digits:
        interim = _DAMM[interim][ord(char) - 48]
    return interim


def check_digit(body: str) -> int:
    """Damm check digit for a string of decimal digits."""
    if not body or not body.isdigit() or not body.isascii():
        raise InvalidKassenzeichen(f"„{body}“ besteht nicht nur aus Ziffern.")
    return _damm(body)


def _valid(digits: str) -> bool:
    # A number with its Damm check digit appended runs the quasigroup back to 0.
    return len(digits) == LENGTH and digits.isdigit() and digits.isascii() and _damm(digits) == 0


@dataclass(frozen=True, order=True)
class Kassenzeichen:
    """A valid Kassenzeichen; ``str()`` is the 12 plain digits."""

    digits: str

    def __post_init__(self) -> None:
        if not _valid(self.digits):
            raise InvalidKassenzeichen(f"„{self.digits}“ ist kein gültiges Kassenzeichen.")

    @classmethod
    def build(cls, *, year: int, serial: int) -> Kassenzeichen:
        if not 2000 <= year <= 9999:
            raise InvalidKassenzeichen(f"Das Jahr {year} ist außerhalb des zulässigen Bereichs.")
        if not 1 <= serial <= MAX_SERIAL:
            raise InvalidKassenzeichen(f"Die laufende Nummer {serial} ist außerhalb von 1 bis {MAX_SERIAL}.")
        body = f"{year:04d}{serial:07d}"
        return cls(body + str(check_digit(body)))

    @property
    def year(self) -> int:
        return int(self.digits[:4])

    @property
    def serial(self) -> int:
        return int(self.digits[4:11])

    def __str__(self) -> str:
        return self.digits

    @property
    def display(self) -> str:
        return format_kassenzeichen(self.digits)


def format_kassenzeichen(digits: str) -> str:
    """``202600001235`` → ``2026-0000123-5`` (for people; machines use the plain digits)."""
    return f"{digits[:4]}-{digits[4:11]}-{digits[11:]}" if len(digits) == LENGTH else digits


_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})
_SEPARATORS = re.compile(r"[\s\-./_]")


def normalize(text: str) -> str:
    """Digits of a typed Kassenzeichen: separators removed, "KZ" prefix and lookalikes fixed."""
    value = text.strip()
    value = re.sub(r"^\s*(?:kz|kassenzeichen)\s*[:.#]?\s*", "", value, flags=re.IGNORECASE)
    return _SEPARATORS.sub("", value).translate(_LOOKALIKES)


def parse(text: str) -> Kassenzeichen:
    """A Kassenzeichen typed by a person; ``InvalidKassenzeichen`` explains what is wrong."""
    digits = normalize(text)
    if not digits.isdigit():
        raise InvalidKassenzeichen(
            f"„{text.strip()}“ enthält Zeichen, die in einem Kassenzeichen nicht vorkommen."
        )
    if len(digits) != LENGTH:
        raise InvalidKassenzeichen(
            f"Ein Kassenzeichen hat {LENGTH} Ziffern, „{text.strip()}“ hat {len(digits)}."
        )
    if not _valid(digits):
        raise InvalidKassenzeichen(
            f"Die Prüfziffer von „{text.strip()}“ stimmt nicht; bitte prüfen Sie das Kassenzeichen."
        )
    return Kassenzeichen(digits)


# A run of digits (and letter-O/I lookalikes between digits) with single separators between them.
_RUN = re.compile(r"(?<![0-9])[0-9](?:[\s\-./]?[0-9OoIl]){9,13}(?![0-9])")


@dataclass(frozen=True)
class Candidate:
    """A digit run found in a text: ``digits`` as found, ``valid`` when its check digit holds.

    ``in_longer_run``: twelve digits cut out of a longer run. Even with a valid check digit
    that is a guess (a doubled digit, or a number glued to another; one window in ten has a
    valid check digit by chance), so matching treats it like a repaired typo, never as exact.
    """

    digits: str
    valid: bool
    in_longer_run: bool = False

    @cached_property
    def repairs(self) -> tuple[str, ...]:
        """``corrections(digits)``, worked out once however often matching asks."""
        return tuple(corrections(self.digits))


def candidates_in(text: str) -> list[Candidate]:
    """Every 11- to 13-digit run in ``text`` (separators ignored), valid ones first.

    A 12-digit run is itself a candidate. From longer runs every 12-digit window with a valid
    check digit is offered, marked ``in_longer_run``, and a 13-digit run also as itself
    (invalid, for ``corrections`` of a doubled digit). 11-digit runs (a missing digit) are
    offered as invalid candidates for ``corrections``.
    """
    found: list[Candidate] = []
    seen: set[tuple[str, bool]] = set()

    def offer(candidate: Candidate) -> None:
        if (candidate.digits, candidate.in_longer_run) not in seen:
            seen.add((candidate.digits, candidate.in_longer_run))
            found.append(candidate)

    for match in _RUN.finditer(text):
        digits = _SEPARATORS.sub("", match.group()).translate(_LOOKALIKES)
        if not digits.isdigit():
            continue
        if len(digits) <= LENGTH:
            offer(Candidate(digits, _valid(digits)))
            continue
        if len(digits) == LENGTH + 1:
            offer(Candidate(digits, False))
        for i in range(len(digits) - LENGTH + 1):
            window = digits[i : i + LENGTH]
            if _valid(window):
                offer(Candidate(window, True, in_longer_run=True))
    found.sort(key=lambda c: not c.valid)
    return found


def corrections(digits: str) -> Iterator[str]:
    """Valid Kassenzeichen one typing mistake away from ``digits`` (an invalid run of decimal
    digits, as ``candidates_in`` finds them; any other text has none).

    Mistakes considered: one wrong digit, two adjacent digits swapped (12 digits), one
    digit left out (11 digits), one digit doubled (13 digits).

    Each variant differs from ``digits`` in one place, so the Damm state before that place
    (``before``) and the final state reached from any state after it (``after``) are worked
    out once; a variant then costs one or two table look-ups instead of twelve.
    """
    if len(digits) not in (LENGTH - 1, LENGTH, LENGTH + 1) or not (digits.isdigit() and digits.isascii()):
        return
    values = [ord(char) - 48 for char in digits]
    before = [0]
    for value in values:
        before.append(_DAMM[before[-1]][value])
    after: list[tuple[int, ...]] = [tuple(range(10))]  # after[k]: from state s over values[k:]
    for value in reversed(values):
        nxt = after[0]
        after.insert(0, tuple(nxt[_DAMM[state][value]] for state in range(10)))
    if len(digits) == LENGTH:
        for i, value in enumerate(values):
            row, rest = _DAMM[before[i]], after[i + 1]
            for d in range(10):
                if d != value and rest[row[d]] == 0:
                    yield digits[:i] + str(d) + digits[i + 1 :]
        for i in range(LENGTH - 1):
            a, b = values[i], values[i + 1]
            if a != b and after[i + 2][_DAMM[_DAMM[before[i]][b]][a]] == 0:
                yield digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
    elif len(digits) == LENGTH - 1:
        for i in range(LENGTH):
            row, rest = _DAMM[before[i]], after[i]
            for d in range(10):
                if rest[row[d]] == 0:
                    yield digits[:i] + str(d) + digits[i:]
    elif len(digits) == LENGTH + 1:
        for i in range(LENGTH + 1):
            if after[i + 1][before[i]] == 0:
                yield digits[:i] + digits[i + 1 :]
