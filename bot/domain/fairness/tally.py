"""Counts of moderation events per side, released so that no two reports difference.

The events (sanctions, reports, appeals) are not anonymous answers, but the report that shows them
is read beside the feedback figures and leaves the bot (CSV, HTML, the evaluator package), so it
follows the same method (bot/domain/anonymity/release.py):

* **Frozen units.** Events count by the week they happened in (a report or appeal by the week it
  was filed, its outcome by the week it was decided: a decision never changes afterwards), once
  that week has ended. A week of a group with fewer than k events of a kind is pooled with the
  group's next weeks until the pool reaches k; a complete pool is frozen. A week still running,
  or a pool still filling up, is counted nowhere.
* **Each unit is suppressed on its own**: its total by side (a line), and each side's total by
  category (a line per side and dimension: rule, who acted, outcome). A count below k is hidden
  with whatever would give it away (suppression.suppress_breakdown line by line down the tree;
  tests/domain/test_fairness_tally.py audits every unit's lines together).
* **A scope shows sums of unit figures**: a side's total adds up the units that showed it; a
  side's category adds up the units that showed both it and the side's total. What a unit did
  not break down is reported as "not broken down" (a sum of hidden parts, each 0 or at least k).

Pure: no database, no Telegram, no catalogs.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from bot.domain.anonymity.release import Closing, plan_release
from bot.domain.anonymity.suppression import suppress_breakdown

TOTAL = ("total",)


@dataclass
class Tally:
    """One unit's raw counts of one kind of event.

    ``sides``: side -> events; ``dims``: dimension -> (side, category) -> events (each dimension
    partitions a side's events); ``hours``: (dimension, side, category) -> summed hours, for the
    categories whose mean duration is shown (time to resolve).
    """

    sides: dict[str, int] = field(default_factory=dict)
    dims: dict[str, dict[tuple[str, str], int]] = field(default_factory=dict)
    hours: dict[tuple[str, str, str], float] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.sides.values())

    def add_event(
        self, side: str, categories: Mapping[str, str], hours: float | None = None
    ) -> None:
        self.sides[side] = self.sides.get(side, 0) + 1
        for dim, category in categories.items():
            cells = self.dims.setdefault(dim, {})
            cells[(side, category)] = cells.get((side, category), 0) + 1
            if hours is not None:
                key = (dim, side, category)
                self.hours[key] = self.hours.get(key, 0.0) + hours

    def merge(self, other: Tally) -> None:
        for side, n in other.sides.items():
            self.sides[side] = self.sides.get(side, 0) + n
        for dim, cells in other.dims.items():
            mine = self.dims.setdefault(dim, {})
            for key, n in cells.items():
                mine[key] = mine.get(key, 0) + n
        for key, h in other.hours.items():
            self.hours[key] = self.hours.get(key, 0.0) + h


@dataclass
class Shown:
    """What a scope may show of one kind of event: every number a sum of unit-shown numbers."""

    units: int = 0
    total: int = 0
    sides: dict[str, int] = field(default_factory=dict)
    side_rest: int = 0  # events of shown unit totals not broken down by side
    dims: dict[str, dict[tuple[str, str], int]] = field(default_factory=dict)
    rest: dict[tuple[str, str], int] = field(default_factory=dict)  # (dim, side) -> not broken down
    hours: dict[tuple[str, str, str], float] = field(default_factory=dict)
    sides_seen: set[str] = field(default_factory=set)

    def cell(self, dim: str, side: str, category: str) -> int:
        return self.dims.get(dim, {}).get((side, category), 0)

    def mean_hours(self, dim: str, side: str, category: str) -> float | None:
        n = self.cell(dim, side, category)
        return (
            self.hours[(dim, side, category)] / n
            if n and (dim, side, category) in self.hours
            else None
        )

    def add(self, other: Shown) -> None:
        self.units += other.units
        self.total += other.total
        self.side_rest += other.side_rest
        self.sides_seen |= other.sides_seen
        for side, n in other.sides.items():
            self.sides[side] = self.sides.get(side, 0) + n
        for dim, cells in other.dims.items():
            mine = self.dims.setdefault(dim, {})
            for key, n in cells.items():
                mine[key] = mine.get(key, 0) + n
        for key, n in other.rest.items():
            self.rest[key] = self.rest.get(key, 0) + n
        for key, h in other.hours.items():
            self.hours[key] = self.hours.get(key, 0.0) + h


def unit_shown(tally: Tally, k: int) -> Shown:
    """One unit, suppressed as a report of its own: the side line and each side's category lines."""
    hidden = _hidden(_shape(tally), k)
    shown = Shown(units=1, sides_seen=set(tally.sides))
    if TOTAL in hidden or tally.total < k:
        return shown  # not a unit of its own (only complete pools reach here)
    shown.total = tally.total
    for side, n in tally.sides.items():
        if ("side", side) in hidden:
            shown.side_rest += n
            continue
        shown.sides[side] = n
        for dim, cells in tally.dims.items():
            left = n
            for (s, c), count in cells.items():
                if s != side or ("cell", dim, s, c) in hidden:
                    continue
                shown.dims.setdefault(dim, {})[(s, c)] = count
                left -= count
                if (dim, s, c) in tally.hours:
                    shown.hours[(dim, s, c)] = tally.hours[(dim, s, c)]
            if left:
                shown.rest[(dim, side)] = shown.rest.get((dim, side), 0) + left
    return shown


Shape = tuple[
    tuple[tuple[str, int], ...], tuple[tuple[str, tuple[tuple[tuple[str, str], int], ...]], ...]
]


def _shape(tally: Tally) -> Shape:
    """A unit's counts in a canonical order (sides, dimensions and cells sorted): what its
    suppression depends on, so units with the same counts are suppressed alike (and once)."""
    return (
        tuple(sorted(tally.sides.items())),
        tuple((dim, tuple(sorted(cells.items()))) for dim, cells in sorted(tally.dims.items())),
    )


@lru_cache(maxsize=8192)
def _hidden(shape: Shape, k: int) -> frozenset[Hashable]:
    """The keys to hide in one unit: ``TOTAL``, ``("side", s)``, ``("cell", dim, s, c)``.

    The unit's lines form a tree: the side line under the unit's total, and under each side one
    line per dimension. Suppressing the side line first, then each shown side's lines on their
    own, is as safe as auditing them together: a shown side total is known (and at least k), so
    its dimensions' lines share no unknown and each is one equation in its own hidden parts (two
    or more, adding up to at least k); a hidden side hides every cell under it, so its lines add
    equations in hidden numbers only, none of which pins one down. It is also much cheaper than
    the joint audit, which reports of many small groups would run for every week.
    """
    sides, dims = shape
    side_counts = dict(sides)
    top = suppress_breakdown(side_counts, k)
    hidden: set[Hashable] = {("side", side) for side in top.hidden}
    if top.total_hidden:
        hidden.add(TOTAL)
    for dim, cells in dims:
        for side in side_counts:
            mine = {c: n for (s, c), n in cells if s == side}
            if not mine:
                continue
            if ("side", side) in hidden or TOTAL in hidden:
                hidden.update(("cell", dim, side, c) for c in mine)
                continue
            line = suppress_breakdown(mine, k)
            hidden.update(("cell", dim, side, c) for c in line.hidden)
    return frozenset(hidden)


@dataclass(frozen=True, slots=True)
class Period:
    """One group's events of one kind in one week (or any fixed period): a release candidate."""

    group: Hashable
    start: datetime
    end: datetime


def release(
    periods: Mapping[Period, Tally], *, now: datetime, k: int
) -> tuple[Shown, dict[Hashable, Shown]]:
    """The scope's figures and each group's, from the periods that ended by ``now``.

    Periods pool per group in order until they reach k (release.plan_release); each unit is
    suppressed on its own and the scope is the sum of what the units show.
    """
    closings = [
        Closing(key=period, parent=period.group, closes_at=period.end, answered=tally.total)
        for period, tally in periods.items()
    ]
    plan = plan_release(closings, now=now, k=k, k_comments=k)
    total = Shown()
    by_group: dict[Hashable, Shown] = {}
    for unit in plan.units:
        merged = Tally()
        for member in unit.members:
            merged.merge(periods[member])
        shown = unit_shown(merged, k)
        total.add(shown)
        by_group.setdefault(unit.parent, Shown()).add(shown)
    return total, by_group


def pending(periods: Iterable[Period], *, now: datetime) -> int:
    """How many periods have not ended yet (their events are not counted)."""
    return sum(1 for period in periods if period.end > now)
