"""Which hidden numbers of a report can still be solved for from what it shows.

Each line (parts adding up to a total) is a linear equation. A hidden number is exposed when the
equations, with every shown number filled in, pin it to a single value, whether by one
subtraction or by combining several rows and columns. That is the case exactly when its unit
vector lies in the row space of the equations restricted to the hidden unknowns, i.e. when the
reduced row echelon form has a row with a single non-zero entry. Exact integer elimination keeps
the test free of rounding; report tables are small (tens of unknowns), so plain elimination is
enough.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Line(Generic[K]):
    """Numbers linked by addition: the parts add up to ``total`` (None when no total is shown)."""

    parts: tuple[K, ...]
    total: K | None = None


def exposed(lines: Iterable[Line[K]], hidden: Collection[K]) -> list[K]:
    """The hidden keys whose value follows exactly from the shown ones, in a stable order."""
    unknowns = sorted(hidden, key=repr)
    column = {key: position for position, key in enumerate(unknowns)}
    rows: list[list[int]] = []
    for line in lines:
        if line.total is None:
            continue
        row = [0] * len(unknowns)
        for part in line.parts:
            if part in column:
                row[column[part]] += 1
        if line.total in column:
            row[column[line.total]] -= 1
        if any(row):
            rows.append(row)
    return [unknowns[position] for position in _solvable_columns(rows, len(unknowns))]


def _solvable_columns(rows: Sequence[list[int]], width: int) -> list[int]:
    """Gauss-Jordan elimination without division: each step replaces a row by an integer
    combination ``pivot * row - row[col] * pivot_row``, a non-zero multiple of what exact
    fractions would give, so every entry is zero exactly where the reduced row echelon form has
    a zero (rows are divided by the gcd of their entries to keep the integers small). Integer
    arithmetic is several times faster than Fraction, and reports run this once per table."""
    matrix = [list(row) for row in rows]
    pivot_row = 0
    pivots: list[tuple[int, int]] = []
    for col in range(width):
        found = next((r for r in range(pivot_row, len(matrix)) if matrix[r][col] != 0), None)
        if found is None:
            continue
        matrix[pivot_row], matrix[found] = matrix[found], matrix[pivot_row]
        base = matrix[pivot_row]
        pivot = base[col]
        for r in range(len(matrix)):
            factor = matrix[r][col]
            if r != pivot_row and factor != 0:
                combined = [pivot * a - factor * b for a, b in zip(matrix[r], base, strict=True)]
                divisor = math.gcd(*combined)
                matrix[r] = [value // divisor for value in combined] if divisor > 1 else combined
        pivots.append((pivot_row, col))
        pivot_row += 1
    return [
        col
        for row, col in pivots
        if all(value == 0 for position, value in enumerate(matrix[row]) if position != col)
    ]
