"""The integer elimination of the audit finds exactly what elimination over fractions finds."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.anonymity.audit import _solvable_columns


def _with_fractions(rows: list[list[int]], width: int) -> list[int]:
    """Reduced row echelon form over the rationals; columns whose pivot row is a unit vector."""
    matrix = [[Fraction(v) for v in row] for row in rows]
    pivot_row = 0
    pivots = []
    for col in range(width):
        found = next((r for r in range(pivot_row, len(matrix)) if matrix[r][col] != 0), None)
        if found is None:
            continue
        matrix[pivot_row], matrix[found] = matrix[found], matrix[pivot_row]
        pivot = matrix[pivot_row][col]
        matrix[pivot_row] = [v / pivot for v in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [
                    a - factor * b for a, b in zip(matrix[r], matrix[pivot_row], strict=True)
                ]
        pivots.append((pivot_row, col))
        pivot_row += 1
    return [
        col
        for row, col in pivots
        if all(v == 0 for position, v in enumerate(matrix[row]) if position != col)
    ]


@st.composite
def systems(draw) -> tuple[list[list[int]], int]:
    width = draw(st.integers(1, 9))
    rows = draw(st.lists(st.lists(st.integers(-1, 2), min_size=width, max_size=width), max_size=10))
    return rows, width


@settings(max_examples=500, deadline=None)
@given(systems())
def test_integer_elimination_matches_fractions(system) -> None:
    rows, width = system
    assert _solvable_columns(rows, width) == _with_fractions(rows, width)


def test_a_table_whose_hidden_cell_follows_from_two_lines() -> None:
    # x + y = shown total, y = shown elsewhere: x and y both solvable; x + y + z alone: none.
    assert _solvable_columns([[1, 1, 0], [0, 1, 0]], 3) == [0, 1]
    assert _solvable_columns([[1, 1, 1]], 3) == []
