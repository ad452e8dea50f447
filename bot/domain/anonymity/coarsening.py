"""Coarsening stored attributes so that no combination singles anyone out (k-anonymity).

A response row keeps the side and role of its author and a day. Against the people invited to the
survey (whose sides and roles an attacker may know), a rare combination names its author: the only
professional of one side is identified by (side, professional) alone. So, at write time:

* **Side and role** are chosen for the whole instance from the invitees, never from who answered
  (so the choice itself says nothing about an answerer): a side whose role classes do not all
  reach k keeps its side but drops the role for every answer of that side; if any side (or the
  unknown side) has fewer than k invitees, every answer drops its side, and then the role too
  unless every role class reaches k across sides.
* **The day** is chosen for a whole batch (the answers written together): kept when every day in
  the batch has at least k of its answers, else widened to the ISO week when every week does,
  else dropped (the instance's first day is stored).

Each response records what was coarsened (``LABELS``), so a report can say how many answers
carry less detail.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

ROLE, SIDE, WEEK, DAY = "role", "side", "week", "day"
LABELS = (ROLE, SIDE, WEEK, DAY)


@dataclass(frozen=True)
class AttributePlan:
    drop_side: bool
    drop_role_everywhere: bool
    drop_role_of: frozenset[Hashable]  # sides whose role is dropped (when sides are kept)

    def apply(
        self, side: Hashable, role: str | None
    ) -> tuple[Hashable, str | None, tuple[str, ...]]:
        """(stored side, stored role, labels of what was coarsened)."""
        labels: list[str] = []
        if self.drop_side:
            labels.append(SIDE)
            side = None
        drop_role = self.drop_role_everywhere or (not self.drop_side and side in self.drop_role_of)
        if drop_role:
            labels.append(ROLE)
            role = None
        return side, role, tuple(labels)


def attribute_plan(invitees: Iterable[tuple[Hashable, str | None]], k: int) -> AttributePlan:
    """The coarsening of (side, role) for one instance, from its invitees' (side, role)."""
    pairs = Counter(invitees)
    by_side: Counter[Hashable] = Counter()
    for (side, _role), n in pairs.items():
        by_side[side] += n
    if any(n < k for n in by_side.values()):
        by_role: Counter[str | None] = Counter()
        for (_side, role), n in pairs.items():
            by_role[role] += n
        return AttributePlan(True, any(n < k for n in by_role.values()), frozenset())
    rare = frozenset(side for (side, _role), n in pairs.items() if n < k)
    return AttributePlan(False, False, rare)


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def day_plan(days: Sequence[date], k: int, fallback: date) -> tuple[dict[date, date], str | None]:
    """For one batch: each answer's day -> the day stored, and the label (None: kept)."""
    if all(n >= k for n in Counter(days).values()):
        return {d: d for d in days}, None
    if all(n >= k for n in Counter(week_of(d) for d in days).values()):
        return {d: week_of(d) for d in days}, WEEK
    return {d: fallback for d in days}, DAY


def join_labels(labels: Iterable[str]) -> str:
    present = set(labels)
    return "+".join(label for label in LABELS if label in present)


def split_labels(stored: str) -> tuple[str, ...]:
    return tuple(label for label in stored.split("+") if label)
