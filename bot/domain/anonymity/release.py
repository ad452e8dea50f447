"""Which answers a report may count, so that no two reports differ by a few people.

Suppression inside one report (suppression.py) is not enough: an organizer can ask for the
program, every group and every session, in every format, today and again tomorrow. Any two such
numbers that overlap give their difference; "group minus its visible session" or "the same report
after one more answer" gives a hidden session or a single answer. The method here removes
differencing by construction:

* **Frozen release units.** A post-session survey's answers count only once its survey has
  closed (no answer can join it afterwards), and then as one unit that never changes. A closed
  survey with fewer than k answers is not counted alone: such surveys of one group are pooled in
  the order they closed into pools of at least k answers, and a pool, once complete, is frozen as
  well. Answers of a pool still filling up are counted nowhere. So every report's figures change
  only by whole units of at least k answers: re-running a report after one more answer (or k - 1
  more) gives exactly the report before.
* **Every figure is a sum of unit figures.** Each unit is suppressed on its own as a report
  (small cells hidden with their complements, audited); a group or program then shows, for each
  cell, the sum of that cell over the units that show it, and counts the rest as "not broken
  down". Units are disjoint, and everything a parent shows is a sum of what its units show, so
  the figures of all reports together span nothing finer than the units' own, which no
  combination can break open. Group minus its sessions is a pool (at least k answers, itself
  suppressed); program minus its groups is zero.
* **Comments are shown in exactly one scope**, in sets of at least the comment threshold: in a
  session's report when its closed survey has that many, otherwise pooled (in closing order, as
  above) into sets shown in the group's report. The program report shows none.

The price: figures wait for the survey to close, small sessions wait for their pool, and a
breakdown of a group counts only the sessions whose own breakdown reached k.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from bot.domain.anonymity.suppression import suppress_breakdown, suppress_table, validate_k
from bot.domain.statistics import Agg

K = TypeVar("K", bound=Hashable)

SESSION = "session"
GROUP = "group"


@dataclass(frozen=True, slots=True)
class Closing(Generic[K]):
    """What release needs to know of one survey instance: never its answers."""

    key: K
    parent: Hashable  # the group; pools never cross it
    closes_at: datetime
    answered: int
    comments: int = 0


@dataclass(frozen=True, slots=True)
class Unit(Generic[K]):
    """Answers released together, forever as they are: one survey, or a pool of small ones."""

    members: tuple[K, ...]
    parent: Hashable
    pooled: bool


@dataclass(frozen=True, slots=True)
class CommentSet(Generic[K]):
    """Comments shown together, in one scope only: a session's (``home`` SESSION) or a group's."""

    members: tuple[K, ...]
    parent: Hashable
    home: str


@dataclass(frozen=True, slots=True)
class ReleasePlan(Generic[K]):
    units: tuple[Unit[K], ...]
    comment_sets: tuple[CommentSet[K], ...]

    def unit_of(self, key: K) -> Unit[K] | None:
        return next((unit for unit in self.units if key in unit.members), None)

    @property
    def released(self) -> frozenset[K]:
        return frozenset(key for unit in self.units for key in unit.members)


def _pools(
    closed: Iterable[Closing[K]], size: Callable[[Closing[K]], int], k: int
) -> list[tuple[tuple[K, ...], Hashable]]:
    """Complete pools of small surveys per parent, in closing order; the last partial one waits."""
    by_parent: dict[Hashable, list[Closing[K]]] = {}
    for closing in closed:
        by_parent.setdefault(closing.parent, []).append(closing)
    pools = []
    for parent, members in by_parent.items():
        current: list[K] = []
        total = 0
        # Closing order, then key: a survey closing later can only be appended, so complete
        # pools never change as more surveys close.
        for closing in sorted(members, key=lambda c: (c.closes_at, c.key)):
            current.append(closing.key)
            total += size(closing)
            if total >= k:
                pools.append((tuple(current), parent))
                current, total = [], 0
    return pools


def plan_release(
    instances: Iterable[Closing[K]], *, now: datetime, k: int, k_comments: int
) -> ReleasePlan[K]:
    """The units and comment sets of these instances that reports may show at ``now``.

    ``now`` should already include any delay the answer store needs to write answers given
    before an instance closed (see evaluation.RELEASE_DELAY).
    """
    validate_k(k)
    closed = [c for c in instances if c.closes_at <= now]
    units: list[Unit[K]] = [Unit((c.key,), c.parent, False) for c in closed if c.answered >= k]
    small = [c for c in closed if 0 < c.answered < k]
    units += [Unit(members, parent, True) for members, parent in _pools(small, _answered, k)]
    sets: list[CommentSet[K]] = [
        CommentSet((c.key,), c.parent, SESSION) for c in closed if c.comments >= k_comments
    ]
    few = [c for c in closed if 0 < c.comments < k_comments and c.parent is not None]
    sets += [
        CommentSet(members, parent, GROUP) for members, parent in _pools(few, _comments, k_comments)
    ]
    return ReleasePlan(tuple(units), tuple(sets))


def _answered(closing: Closing[K]) -> int:
    return closing.answered


def _comments(closing: Closing[K]) -> int:
    return closing.comments


# ---- figures of a unit, and of a scope as the sum of its units ---------------------------------


@dataclass(frozen=True, slots=True)
class UnitData:
    """One unit's raw counts: respondents per (side, role), answers per (item, side, role, value)."""

    respondents: Mapping[tuple[str, str], int]
    cells: Mapping[tuple[int, str, str, int], int]


@dataclass
class ItemFigures:
    """What may be shown of one item: sums over the units that show each number."""

    agg: Agg = field(default_factory=lambda: Agg(0, 0.0, 0.0))
    raw_n: int = 0  # answers in released units (shown or not); only compared with zero
    bars: dict[int, int] = field(default_factory=dict)
    bars_n: int = 0  # answers whose unit showed its whole distribution
    by_side: dict[str, Agg] = field(default_factory=dict)
    by_role: dict[str, Agg] = field(default_factory=dict)
    sides_seen: set[str] = field(default_factory=set)
    roles_seen: set[str] = field(default_factory=set)

    @property
    def shown(self) -> bool:
        return self.agg.n > 0


@dataclass
class Figures:
    """A scope's shown figures: each one the sum of the same figure over the units showing it."""

    answered: int = 0
    units: int = 0
    respondents: dict[tuple[str, str], int] = field(default_factory=dict)
    side_totals: dict[str, int] = field(default_factory=dict)
    role_totals: dict[str, int] = field(default_factory=dict)
    cells_seen: set[tuple[str, str]] = field(default_factory=set)
    items: dict[int, ItemFigures] = field(default_factory=dict)

    def add(self, other: Figures) -> None:
        self.answered += other.answered
        self.units += other.units
        for cell, n in other.respondents.items():
            self.respondents[cell] = self.respondents.get(cell, 0) + n
        for mine, theirs in (
            (self.side_totals, other.side_totals),
            (self.role_totals, other.role_totals),
        ):
            for key, n in theirs.items():
                mine[key] = mine.get(key, 0) + n
        self.cells_seen |= other.cells_seen
        for item_id, theirs_item in other.items.items():
            mine_item = self.items.setdefault(item_id, ItemFigures())
            mine_item.agg = mine_item.agg + theirs_item.agg
            mine_item.raw_n += theirs_item.raw_n
            mine_item.bars_n += theirs_item.bars_n
            for value, n in theirs_item.bars.items():
                mine_item.bars[value] = mine_item.bars.get(value, 0) + n
            for mine_cells, their_cells in (
                (mine_item.by_side, theirs_item.by_side),
                (mine_item.by_role, theirs_item.by_role),
            ):
                for label, agg in their_cells.items():
                    mine_cells[label] = mine_cells.get(label, Agg(0, 0.0, 0.0)) + agg
            mine_item.sides_seen |= theirs_item.sides_seen
            mine_item.roles_seen |= theirs_item.roles_seen


def unit_figures(data: UnitData, k: int, scales: Mapping[int, Iterable[int]]) -> Figures:
    """What one unit may show, suppressed as a report of its own (``scales``: item -> values).

    A distribution is shown only whole (every bar 0 or at least k): with the mean shown, two
    hidden bars are two equations in two unknowns and give each other away.
    """
    figures = Figures(units=1)
    answered = sum(data.respondents.values())
    if answered < k:
        return figures  # never a unit; kept for callers that ask about any instance
    figures.answered = answered
    table = suppress_table(data.respondents, k, grand_total_shown=True)
    figures.cells_seen = set(data.respondents)
    for key, n in data.respondents.items():
        if key not in table.cells:
            figures.respondents[key] = n
    for side in {s for s, _ in data.respondents}:
        if side not in table.row_totals:
            figures.side_totals[side] = sum(
                n for (s, _), n in data.respondents.items() if s == side
            )
    for role in {r for _, r in data.respondents}:
        if role not in table.column_totals:
            figures.role_totals[role] = sum(
                n for (_, r), n in data.respondents.items() if r == role
            )

    # Per item: answers by value, by side and value, by role and value (one pass over the cells).
    per_item: dict[int, tuple[dict[int, int], dict[str, dict[int, int]], dict[str, dict[int, int]]]]
    per_item = {}
    for (item_id, side, role, value), n in data.cells.items():
        entry = per_item.get(item_id)
        if entry is None:
            entry = per_item[item_id] = ({}, {}, {})
        values, sides, roles = entry
        values[value] = values.get(value, 0) + n
        by_side = sides.get(side)
        if by_side is None:
            by_side = sides[side] = {}
        by_side[value] = by_side.get(value, 0) + n
        by_role = roles.get(role)
        if by_role is None:
            by_role = roles[role] = {}
        by_role[value] = by_role.get(value, 0) + n
    for item_id, (values, sides, roles) in per_item.items():
        agg = Agg.from_counts(values)
        item = ItemFigures(raw_n=agg.n, sides_seen=set(sides), roles_seen=set(roles))
        figures.items[item_id] = item
        if agg.n < k:
            continue  # the item is hidden in this unit, and its answers in every sum above it
        item.agg = agg
        scale = {v: values.get(v, 0) for v in scales.get(item_id, values)}
        if all(n == 0 or n >= k for n in scale.values()):
            item.bars, item.bars_n = scale, agg.n
        for mine, counts in ((item.by_side, sides), (item.by_role, roles)):
            aggs = {label: Agg.from_counts(c) for label, c in counts.items()}
            hidden = suppress_breakdown({label: a.n for label, a in aggs.items()}, k).hidden
            mine.update({label: a for label, a in aggs.items() if label not in hidden})
    return figures


def scope_figures(units: Iterable[Figures]) -> Figures:
    """The sum of the units' shown figures: all a group's or the program's report may show."""
    total = Figures()
    for unit in units:
        total.add(unit)
    return total
