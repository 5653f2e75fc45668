"""Deterministic synthetic parcels (Flurstücke) for the demo and tests.

A Flur is laid out as a grid of blocks whose corner points are jittered; neighbouring
parcels share their corner points, so the parcels tile the Flur without gaps or overlaps,
and two parcels are neighbours exactly when they share an edge. Coordinates are metres in
a local system (east, north), as ETRS89/UTM easting/northing offsets.

Parcel numbers follow the Flurstückskennzeichen pattern Gemarkung–Flur–Zähler/Nenner
(here always without a Nenner).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["ParcelShape", "area", "bounding_box", "generate_flur", "neighbours_in_grid"]

Point = tuple[float, float]


@dataclass(frozen=True)
class ParcelShape:
    number: int
    row: int
    col: int
    polygon: tuple[Point, ...]
    land_use: str


LAND_USES = ("Wohnbaufläche", "Gewerbefläche", "Grünanlage", "Landwirtschaft", "Verkehrsfläche")


def area(polygon: tuple[Point, ...]) -> float:
    """Area in square metres by the shoelace formula (Gauß'sche Trapezformel)."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def bounding_box(polygons: list[tuple[Point, ...]]) -> tuple[float, float, float, float]:
    xs = [x for polygon in polygons for x, _ in polygon]
    ys = [y for polygon in polygons for _, y in polygon]
    return min(xs), min(ys), max(xs), max(ys)


def generate_flur(*, seed: str, rows: int, cols: int, cell: float = 40.0) -> list[ParcelShape]:
    """``rows`` × ``cols`` parcels numbered row by row from 1, deterministic for ``seed``."""
    if rows < 1 or cols < 1:
        raise ValueError("Eine Flur braucht mindestens ein Flurstück.")
    rng = random.Random(seed)  # noqa: S311 (synthetic demo data)
    jitter = cell * 0.2
    corners: dict[tuple[int, int], Point] = {}
    for r in range(rows + 1):
        for c in range(cols + 1):
            dx = 0.0 if c in (0, cols) else rng.uniform(-jitter, jitter)
            dy = 0.0 if r in (0, rows) else rng.uniform(-jitter, jitter)
            corners[(r, c)] = (round(c * cell + dx, 2), round(r * cell + dy, 2))
    parcels = []
    number = 0
    for r in range(rows):
        for c in range(cols):
            number += 1
            polygon = (corners[(r, c)], corners[(r, c + 1)], corners[(r + 1, c + 1)], corners[(r + 1, c)])
            parcels.append(ParcelShape(number, r, c, polygon, rng.choice(LAND_USES)))
    return parcels


def neighbours_in_grid(row: int, col: int, rows: int, cols: int) -> list[tuple[int, int]]:
    """Grid positions sharing an edge with (row, col)."""
    around = [(row - 1, col), (row + 1, col), (row, col - 1), (row, col + 1)]
    return [(r, c) for r, c in around if 0 <= r < rows and 0 <= c < cols]
