"""Small-cell suppression: which numbers of a report must not be shown.

Rules, applied to every count a report shows (cells and the totals shown beside them):

* Primary: a count with 0 < n < k is suppressed. Zero is shown: it describes nobody, and hiding
  zeros would hide most of a sparse table without protecting anyone.
* Complementary: a line (a row or column with its total) in which exactly one number is hidden
  would give it away by subtraction, so another one is hidden too. Where the line's total is
  shown, the hidden cells together must also reach k: otherwise "total minus shown cells" is itself
  a number resting on fewer than k responses (two hidden cells of 1 and 2 reveal "3 people").
  The next cell hidden is the smallest positive one still shown (zeros only as a last resort, as
  hiding a zero adds nothing to the hidden sum); if no cell is left, the total is hidden instead.
  This repeats until every line is safe, since hiding a cell for its row can expose its column.
* Audit: rows and columns combined can still pin a hidden cell down (a row, minus two columns,
  plus another row). Every hidden number is checked against all lines at once
  (audit.py); one that can be solved for gets a further number hidden beside it, and the rules
  run again.

A breakdown is a set of linked lines (``Line``); ``suppress_linked`` works on any such set, and
``suppress_breakdown`` / ``suppress_table`` build the usual 1-D and 2-D ones with their margins.
The greedy choice is not minimal (optimal cell suppression is NP-hard) but no hidden number
can be computed exactly from the shown ones. Bounds are another matter: knowing that two hidden
cells add up to 12 still says each is at most 12.
Group attribute disclosure (everyone in a shown cell of at least k gave the same answer) is not
addressed by k and is left to the reader of the report.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from bot.domain.anonymity.audit import Line, exposed
from bot.domain.anonymity.errors import AnonymityError, AnonymityErrorCode

MIN_K = 3

K = TypeVar("K", bound=Hashable)
L = TypeVar("L", bound=Hashable)
R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)


class ThresholdKind(StrEnum):
    RATINGS = "ratings"
    COMMENTS = "comments"


DEFAULT_K = {ThresholdKind.RATINGS: 5, ThresholdKind.COMMENTS: 10}


def validate_k(k: int, kind: ThresholdKind = ThresholdKind.RATINGS) -> int:
    """``k`` if organizers may use it for ``kind``; AnonymityError ``k_too_small`` below 3."""
    if k < MIN_K:
        raise AnonymityError(AnonymityErrorCode.K_TOO_SMALL, k=k, minimum=MIN_K, kind=kind.value)
    return k


def reaches_k(n: int, k: int) -> bool:
    """Whether a statistic resting on ``n`` responses (a mean, a rate, a comment list) may be shown."""
    return n >= k


def is_primary(n: int, k: int) -> bool:
    return 0 < n < k


def suppress_linked(values: Mapping[K, int], lines: Sequence[Line[K]], k: int) -> frozenset[K]:
    """The keys of ``values`` to hide so that no hidden number follows from the shown ones.

    Every key a line names must be in ``values``; a total's value must be the sum of its parts.
    After the per-line rules, the linear audit (audit.exposed) catches numbers that several lines
    together give away; each catch hides one more number next to the exposed one.
    """
    validate_k(k)
    hidden = {key for key, n in values.items() if is_primary(n, k)}
    if not hidden:
        # Nothing below k: every line is safe and nothing is exposed (what the rules below
        # would conclude after a full pass and an audit of no unknowns), the usual case.
        return frozenset()
    order = {key: position for position, key in enumerate(values)}
    while True:
        _apply_line_rules(values, lines, hidden, k, order)
        covers = (_cover(leak, values, lines, hidden, order) for leak in exposed(lines, hidden))
        cover = next((key for key in covers if key is not None), None)
        if cover is None:  # nothing exposed, or nothing shown left to hide next to it
            return frozenset(hidden)
        hidden.add(cover)


def _apply_line_rules(
    values: Mapping[K, int],
    lines: Sequence[Line[K]],
    hidden: set[K],
    k: int,
    order: Mapping[K, int],
) -> None:
    changed = True
    while changed:
        changed = False
        for line in lines:
            extra = _next_to_hide(line, values, hidden, k, order)
            if extra is not None:
                hidden.add(extra)
                changed = True


def _cover(
    leak: K,
    values: Mapping[K, int],
    lines: Sequence[Line[K]],
    hidden: set[K],
    order: Mapping[K, int],
) -> K | None:
    """A shown number sharing a line with ``leak``: the smallest positive part, else a total."""
    near = [
        line
        for line in lines
        if line.total is not None and (leak in line.parts or leak == line.total)
    ]
    parts = [part for line in near for part in line.parts if part not in hidden]
    if parts:
        return min(parts, key=lambda part: (values[part] == 0, values[part], order[part]))
    totals = [line.total for line in near if line.total is not None and line.total not in hidden]
    return min(totals, key=order.__getitem__, default=None)


def _next_to_hide(
    line: Line[K], values: Mapping[K, int], hidden: set[K], k: int, order: Mapping[K, int]
) -> K | None:
    """A number to hide next so that ``line`` gives nothing away, or None if it is safe."""
    if line.total is None:
        return None  # parts without a total cannot be subtracted from anything
    hidden_parts = [part for part in line.parts if part in hidden]
    total_shown = line.total not in hidden
    if total_shown:
        hidden_sum = sum(values[part] for part in hidden_parts)
        safe = len(hidden_parts) != 1 and (hidden_sum == 0 or hidden_sum >= k)
    else:
        safe = bool(hidden_parts)  # a hidden total is the sum of its parts if they are all shown
    if safe:
        return None
    candidates = [part for part in line.parts if part not in hidden]
    if not candidates:
        return line.total
    return min(candidates, key=lambda part: (values[part] == 0, values[part], order[part]))


@dataclass(frozen=True, slots=True)
class BreakdownSuppression(Generic[L]):
    hidden: frozenset[L]
    total_hidden: bool

    def shows(self, label: L) -> bool:
        return label not in self.hidden


def suppress_breakdown(
    counts: Mapping[L, int], k: int, total_shown: bool = True
) -> BreakdownSuppression[L]:
    """Which categories of a one-way breakdown (by side, by answer value, ...) to hide.

    ``counts`` must hold every category, so that its sum is the total shown beside it.
    """
    total = sum(counts.values())
    if not is_primary(total, k) and not any(is_primary(n, k) for n in counts.values()):
        validate_k(k)
        return BreakdownSuppression(hidden=frozenset(), total_hidden=False)  # nothing below k
    total_key = _Total("total")
    values: dict[object, int] = dict(counts.items())
    values[total_key] = total
    line = Line(tuple(counts), total_key if total_shown else None)
    hidden = suppress_linked(values, [line], k)
    return BreakdownSuppression(
        hidden=frozenset(label for label in counts if label in hidden),
        total_hidden=total_shown and total_key in hidden,
    )


@dataclass(frozen=True, slots=True)
class TableSuppression(Generic[R, C]):
    cells: frozenset[tuple[R, C]]
    row_totals: frozenset[R]
    column_totals: frozenset[C]
    grand_total: bool

    def shows(self, row: R, column: C) -> bool:
        return (row, column) not in self.cells


def suppress_table(
    counts: Mapping[tuple[R, C], int],
    k: int,
    *,
    row_totals_shown: bool = True,
    column_totals_shown: bool = True,
    grand_total_shown: bool = True,
) -> TableSuppression[R, C]:
    """Which cells and margins of a two-way table (e.g. side x role) to hide.

    Rows and columns are the ones named in ``counts``; a missing combination counts as 0. The
    margins are the sums of the cells, so pass every category (an "unknown" one included).
    """
    rows = list(dict.fromkeys(row for row, _ in counts))
    columns = list(dict.fromkeys(column for _, column in counts))
    cells = {(row, column): counts.get((row, column), 0) for row in rows for column in columns}
    values: dict[object, int] = dict(cells.items())
    lines: list[Line[object]] = []
    row_total = {row: _Total("row", row) for row in rows} if row_totals_shown else {}
    column_total = (
        {column: _Total("column", column) for column in columns} if column_totals_shown else {}
    )
    for row in rows:
        in_row = tuple((row, column) for column in columns)
        if row_totals_shown:
            values[row_total[row]] = sum(cells[cell] for cell in in_row)
        lines.append(Line(in_row, row_total.get(row)))
    for column in columns:
        in_column = tuple((row, column) for row in rows)
        if column_totals_shown:
            values[column_total[column]] = sum(cells[cell] for cell in in_column)
        lines.append(Line(in_column, column_total.get(column)))
    grand = _Total("grand")
    if grand_total_shown:
        values[grand] = sum(cells.values())
        # The grand total is the sum of each shown margin, or of the cells when none is shown.
        margins = [tuple(row_total.values()), tuple(column_total.values())]
        lines.extend(Line(parts, grand) for parts in margins if parts)
        if not row_total and not column_total:
            lines.append(Line(tuple(cells), grand))

    hidden = suppress_linked(values, lines, k)
    return TableSuppression(
        cells=frozenset(cell for cell in cells if cell in hidden),
        row_totals=frozenset(row for row, key in row_total.items() if key in hidden),
        column_totals=frozenset(column for column, key in column_total.items() if key in hidden),
        grand_total=grand in hidden,
    )


@dataclass(frozen=True, slots=True)
class _Total:
    """A margin's key, distinct from any cell key a caller can pass."""

    axis: str
    of: object = None


def visible_comments(
    comments: Iterable[str], k: int, rng: random.Random | None = None
) -> tuple[str, ...]:
    """The comments of one cell, shuffled, or none when fewer than ``k`` were given.

    Random order keeps the order of answering (and so who answered when) out of the report.
    """
    validate_k(k, ThresholdKind.COMMENTS)
    shown = list(comments)
    if not reaches_k(len(shown), k):
        return ()
    (rng or secrets.SystemRandom()).shuffle(shown)
    return tuple(shown)
