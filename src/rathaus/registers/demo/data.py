"""The data files the demo city is built from (registers/data/*.csv), as weighted tables."""

from __future__ import annotations

import csv
import functools
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _rows(name: str) -> Iterator[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(line for line in handle if not line.startswith("#"))


@dataclass(frozen=True)
class Weighted:
    """Values with cumulative weights, ready for ``random.Random.choices(..., cum_weights=...)``."""

    values: tuple[object, ...]
    cum_weights: tuple[float, ...]

    @classmethod
    def of(cls, pairs: list[tuple[object, float]]) -> Weighted:
        if not pairs:
            raise ValueError("a weighted table needs at least one value")
        values, weights = zip(*pairs, strict=True)
        return cls(tuple(values), tuple(itertools.accumulate(weights)))


@dataclass(frozen=True)
class Street:
    name: str
    postal_code: str
    ortsteil: str
    stadtteil: str


@dataclass(frozen=True)
class Employer:
    name: str
    city: str


@dataclass(frozen=True)
class CityData:
    streets: Weighted  # of Street
    family_names: dict[str, Weighted]  # origin -> names
    given_names: dict[tuple[str, str, str], Weighted]  # (sex, origin, cohort) -> names
    employers: tuple[Employer, ...]
    employer_weights: Weighted  # of employer index


@functools.cache
def load() -> CityData:
    """Read and check the data files once per process."""
    streets = [
        (Street(r["street"], r["postal_code"], r["ortsteil"], r["stadtteil"]), float(r["weight"]))
        for r in _rows("bremen_streets.csv")
    ]
    for street, _weight in streets:
        if not (len(street.postal_code) == 5 and street.postal_code.startswith("28")):
            raise ValueError(f"{street.name}: {street.postal_code} is not a Bremen postal code")
    if len({s.name for s, _ in streets}) != len(streets):
        raise ValueError("bremen_streets.csv lists a street twice")
    family: dict[str, list[tuple[object, float]]] = {}
    for r in _rows("family_names.csv"):
        family.setdefault(r["origin"], []).append((r["name"], float(r["weight"])))
    given: dict[tuple[str, str, str], list[tuple[object, float]]] = {}
    for r in _rows("given_names.csv"):
        given.setdefault((r["sex"], r["origin"], r["cohort"]), []).append((r["name"], float(r["weight"])))
    employers = [(Employer(r["name"], r["city"]), float(r["weight"])) for r in _rows("employers.csv")]
    return CityData(
        streets=Weighted.of(streets),  # type: ignore[arg-type]
        family_names={k: Weighted.of(v) for k, v in family.items()},
        given_names={k: Weighted.of(v) for k, v in given.items()},
        employers=tuple(e for e, _ in employers),
        employer_weights=Weighted.of([(i, w) for i, (_e, w) in enumerate(employers)]),
    )
