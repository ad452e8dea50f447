import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.anonymity import (
    DEFAULT_K,
    AnonymityError,
    AnonymityErrorCode,
    Line,
    ThresholdKind,
    suppress_breakdown,
    suppress_linked,
    suppress_table,
    validate_k,
    visible_comments,
)


def test_default_thresholds():
    assert DEFAULT_K == {ThresholdKind.RATINGS: 5, ThresholdKind.COMMENTS: 10}


@pytest.mark.parametrize("k", [2, 1, 0, -5])
@pytest.mark.parametrize("kind", list(ThresholdKind))
def test_k_below_three_is_refused(k, kind):
    with pytest.raises(AnonymityError) as caught:
        validate_k(k, kind)
    assert caught.value.code == AnonymityErrorCode.K_TOO_SMALL
    assert caught.value.params == {"k": k, "minimum": 3, "kind": kind.value}


@pytest.mark.parametrize("k", [3, 5, 10, 50])
def test_k_of_three_or_more_is_accepted(k):
    assert validate_k(k, ThresholdKind.COMMENTS) == k


def test_suppression_refuses_k_below_three():
    with pytest.raises(AnonymityError) as caught:
        suppress_breakdown({"a": 10}, k=2)
    assert caught.value.code == AnonymityErrorCode.K_TOO_SMALL


def test_breakdown_hides_a_small_cell_and_its_complement():
    result = suppress_breakdown({"side A": 2, "side B": 10, "side C": 12}, k=5)
    assert result.hidden == {"side A", "side B"}  # B is the smallest cell that can cover A
    assert not result.total_hidden
    assert result.shows("side C") and not result.shows("side A")


def test_breakdown_shows_zero_cells():
    result = suppress_breakdown({"student": 0, "professional": 9}, k=5)
    assert result.hidden == frozenset()


def test_breakdown_hidden_cells_together_reach_k():
    # 1 and 2 hidden together would still reveal "3 people answered 1 or 2" via the total.
    result = suppress_breakdown({1: 1, 2: 2, 3: 7, 4: 15, 5: 15}, k=5)
    assert result.hidden == {1, 2, 3}


def test_breakdown_without_total_only_hides_small_cells():
    result = suppress_breakdown({"a": 2, "b": 10}, k=5, total_shown=False)
    assert result.hidden == {"a"}
    assert not result.total_hidden


def test_breakdown_with_a_small_total_hides_everything():
    result = suppress_breakdown({"a": 2, "b": 1}, k=5)
    assert result.hidden == {"a", "b"}
    assert result.total_hidden


def test_breakdown_all_large_hides_nothing():
    assert suppress_breakdown({"a": 5, "b": 6}, k=5).hidden == frozenset()


def test_table_complements_cover_rows_and_columns():
    counts = {
        ("AM", "student"): 2,
        ("AM", "professional"): 8,
        ("AZ", "student"): 6,
        ("AZ", "professional"): 9,
    }
    result = suppress_table(counts, k=5)
    # AM/student is small; its row needs AM/professional, its column AZ/student, and then
    # AZ/professional closes the square.
    assert result.cells == set(counts)
    assert result.row_totals == frozenset() and result.column_totals == frozenset()
    assert not result.grand_total


def test_table_hides_small_margins():
    counts = {
        ("AM", "student"): 1,
        ("AM", "professional"): 2,
        ("AZ", "student"): 20,
        ("AZ", "professional"): 30,
    }
    result = suppress_table(counts, k=5)
    assert "AM" in result.row_totals  # 3 respondents on side AM
    assert not result.grand_total
    assert {("AM", "student"), ("AM", "professional")} <= result.cells


def test_table_missing_combinations_count_as_zero():
    result = suppress_table({("AM", "student"): 12, ("AZ", "professional"): 15}, k=5)
    assert result.cells == frozenset()
    assert result.shows("AM", "professional")


def test_table_leak_through_several_lines_is_closed():
    # Found by the linear audit: per-line rules alone left cell (1, "a") computable as
    # row 1 - (column b + column c - row 2).
    counts = {
        (0, "a"): 6, (0, "b"): 40, (0, "c"): 40, (0, "d"): 3,
        (1, "a"): 4, (1, "b"): 8, (1, "c"): 6, (1, "d"): 10,
        (2, "a"): 0, (2, "b"): 40, (2, "c"): 6, (2, "d"): 40,
        (3, "a"): 4, (3, "b"): 40, (3, "c"): 8, (3, "d"): 2,
    }  # fmt: skip
    result = suppress_table(counts, k=5)
    assert _exposed_cells(counts, result) == []


def _exposed_cells(counts, result):
    """Hidden numbers solvable from the shown ones (numpy ranks, independent of audit.py)."""
    rows = sorted({row for row, _ in counts})
    columns = sorted({column for _, column in counts})
    keys = [("cell", r, c) for r in rows for c in columns]
    keys += [("row", r) for r in rows] + [("column", c) for c in columns] + [("grand",)]
    index = {key: i for i, key in enumerate(keys)}
    equations = []
    for r in rows:
        equation = np.zeros(len(keys))
        for c in columns:
            equation[index[("cell", r, c)]] = 1
        equation[index[("row", r)]] = -1
        equations.append(equation)
    for c in columns:
        equation = np.zeros(len(keys))
        for r in rows:
            equation[index[("cell", r, c)]] = 1
        equation[index[("column", c)]] = -1
        equations.append(equation)
    for margin in ("row", "column"):
        equation = np.zeros(len(keys))
        for key in keys:
            if key[0] == margin:
                equation[index[key]] = 1
        equation[index[("grand",)]] = -1
        equations.append(equation)
    hidden = [("cell", r, c) for r, c in result.cells]
    hidden += [("row", r) for r in result.row_totals]
    hidden += [("column", c) for c in result.column_totals]
    hidden += [("grand",)] if result.grand_total else []
    if not hidden:
        return []
    matrix = np.array([[equation[index[key]] for key in hidden] for equation in equations])
    rank = np.linalg.matrix_rank(matrix)
    exposed = []
    for position, key in enumerate(hidden):
        unit = np.zeros(len(hidden))
        unit[position] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            exposed.append(key)
    return exposed


counts_values = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 30])
tables = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 4).flatmap(
        lambda columns: st.lists(
            counts_values, min_size=rows * columns, max_size=rows * columns
        ).map(
            lambda values: {
                (r, "abcd"[c]): values[r * columns + c] for r in range(rows) for c in range(columns)
            }
        )
    )
)


@given(counts=tables, k=st.integers(3, 7))
@settings(max_examples=250, deadline=None)
def test_no_hidden_table_number_can_be_derived(counts, k):
    result = suppress_table(counts, k)
    rows = {row for row, _ in counts}
    columns = {column for _, column in counts}
    row_total = {r: sum(n for (row, _), n in counts.items() if row == r) for r in rows}
    column_total = {c: sum(n for (_, column), n in counts.items() if column == c) for c in columns}

    # Nothing shown rests on fewer than k responses.
    for cell, n in counts.items():
        assert cell in result.cells or n == 0 or n >= k
    for r in rows - result.row_totals:
        assert row_total[r] == 0 or row_total[r] >= k
    for c in columns - result.column_totals:
        assert column_total[c] == 0 or column_total[c] >= k

    # No row or column with a shown total has a single hidden cell, nor hidden cells < k.
    lines = [([(r, c) for c in columns], r not in result.row_totals) for r in rows] + [
        ([(r, c) for r in rows], c not in result.column_totals) for c in columns
    ]
    for cells, total_shown in lines:
        hidden = [cell for cell in cells if cell in result.cells]
        if total_shown:
            assert len(hidden) != 1
            hidden_sum = sum(counts[cell] for cell in hidden)
            assert hidden_sum == 0 or hidden_sum >= k

    # And no combination of rows and columns pins a hidden number down.
    assert _exposed_cells(counts, result) == []


@given(
    counts=st.dictionaries(st.sampled_from("abcdefg"), counts_values, min_size=1),
    k=st.integers(3, 7),
)
@settings(max_examples=200, deadline=None)
def test_no_hidden_breakdown_cell_can_be_derived_from_the_total(counts, k):
    result = suppress_breakdown(counts, k)
    total = sum(counts.values())
    hidden = [label for label in counts if label in result.hidden]
    for label, n in counts.items():
        assert label in result.hidden or n == 0 or n >= k
    if result.total_hidden:
        assert 0 < total < k
    else:
        assert len(hidden) != 1
        hidden_sum = sum(counts[label] for label in hidden)
        assert hidden_sum == 0 or hidden_sum >= k


def test_linked_lines_support_deeper_hierarchies():
    # groups inside sides: each side total is shown and so is the program total.
    values = {"g1": 2, "g2": 9, "g3": 7, "g4": 8, "side A": 11, "side B": 15, "all": 26}
    lines = [
        Line(("g1", "g2"), "side A"),
        Line(("g3", "g4"), "side B"),
        Line(("side A", "side B"), "all"),
    ]
    hidden = suppress_linked(values, lines, k=5)
    assert hidden == {"g1", "g2"}


def test_comments_below_k_are_not_shown():
    assert visible_comments([f"comment {i}" for i in range(9)], k=10) == ()


def test_comments_at_k_are_all_shown_in_random_order():
    comments = [f"comment {i}" for i in range(12)]
    shown = visible_comments(comments, k=10, rng=random.Random(7))
    assert Counter(shown) == Counter(comments)
    assert list(shown) != comments
    assert visible_comments(comments, k=10, rng=random.Random(7)) == shown  # seeded: repeatable


def test_comments_shuffle_without_a_seed_varies():
    comments = [f"comment {i}" for i in range(12)]
    orders = {visible_comments(comments, k=10) for _ in range(5)}
    assert len(orders) > 1


def test_comments_threshold_below_three_is_refused():
    with pytest.raises(AnonymityError) as caught:
        visible_comments(["a", "b", "c"], k=2)
    assert caught.value.params["kind"] == "comments"
