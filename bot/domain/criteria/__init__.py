"""Published criteria of success: goals a program declares in advance, and how a report judges them.

A goal is a kind (what is measured), a target and, for some kinds, whether the 95% interval must
clear the target rather than the figure alone. The report measures each from its own released,
suppressed figures (never from anything finer) and says *met*, *not yet met* or *not measurable
yet* (too few answers or events to show the figure at all).

Pure: no database, no Telegram, no catalogs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist
from typing import Any

from bot.domain.errors import BridgeError

ATTENDANCE = "attendance"  # share of members present at sessions; at least the target
FELT_HEARD = "felt_heard"  # mean of the post-session "felt heard" item (1-5); at least
TRUST_CHANGE = "trust_change"  # after minus before on trust (program surveys); above
SPEAKING_BALANCE = "speaking_balance"  # the largest side's share of messages; at most
APPEALS_ANSWERED = "appeals_answered"  # share of decided appeals decided within ``hours``; at least


@dataclass(frozen=True, slots=True)
class Spec:
    default_target: float
    low: float  # the allowed range of targets
    high: float
    at_most: bool = False  # the figure must stay at or below the target
    confidence: bool = False  # by default the interval, not the figure, must clear the target
    strict: bool = False  # "above" rather than "at least"


SPECS: dict[str, Spec] = {
    ATTENDANCE: Spec(0.8, 0.0, 1.0),
    FELT_HEARD: Spec(4.0, 1.0, 5.0),
    TRUST_CHANGE: Spec(0.0, -4.0, 4.0, confidence=True, strict=True),
    SPEAKING_BALANCE: Spec(0.6, 0.5, 1.0, at_most=True),
    APPEALS_ANSWERED: Spec(1.0, 0.0, 1.0),
}
KINDS = tuple(SPECS)
DEFAULT_HOURS = 48

# The presets /newprogram offers: the examples of the issue, as a program would publish them.
PRESETS: dict[str, tuple[tuple[str, float], ...]] = {
    "standard": (
        (ATTENDANCE, 0.8),
        (FELT_HEARD, 4.0),
        (TRUST_CHANGE, 0.0),
        (SPEAKING_BALANCE, 0.6),
        (APPEALS_ANSWERED, 1.0),
    ),
    "light": ((ATTENDANCE, 0.7), (FELT_HEARD, 3.5)),
}


class CriteriaError(BridgeError):
    """A goal a program cannot declare (unknown kind, a target out of range)."""


class Status(StrEnum):
    MET = "met"
    NOT_YET = "not_yet"
    NOT_MEASURABLE = "not_measurable"


@dataclass(frozen=True, slots=True)
class Goal:
    kind: str
    target: float
    hours: int | None = None  # appeals_answered only
    confidence: bool = False

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "target": self.target}
        if self.hours is not None:
            out["hours"] = self.hours
        if self.confidence != SPECS[self.kind].confidence:
            out["confidence"] = self.confidence
        return out


def goal(
    kind: str,
    target: float | None = None,
    *,
    hours: int | None = None,
    confidence: bool | None = None,
) -> Goal:
    """A valid goal; CriteriaError ``goal_unknown`` / ``goal_bad_target`` / ``goal_bad_hours``."""
    spec = SPECS.get(kind)
    if spec is None:
        raise CriteriaError("goal_unknown", kind=kind, choices=", ".join(KINDS))
    value = spec.default_target if target is None else target
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CriteriaError(
            "goal_bad_target", kind=kind, low=f"{spec.low:g}", high=f"{spec.high:g}"
        )
    if not spec.low <= float(value) <= spec.high:
        raise CriteriaError(
            "goal_bad_target", kind=kind, low=f"{spec.low:g}", high=f"{spec.high:g}"
        )
    if kind == APPEALS_ANSWERED:
        hours = DEFAULT_HOURS if hours is None else hours
        if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 24 * 30:
            raise CriteriaError("goal_bad_hours", hours=hours)
    elif hours is not None:
        raise CriteriaError("goal_bad_hours", hours=hours)
    return Goal(
        kind, float(value), hours, spec.confidence if confidence is None else bool(confidence)
    )


MIN_ALERT_RATIO, MAX_ALERT_RATIO = 1.1, 100


def alert_ratio(value: object) -> float:
    """The ratio of sanctions per message between sides beyond which organizers are told."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CriteriaError("fairness_bad_ratio", low=MIN_ALERT_RATIO, high=MAX_ALERT_RATIO)
    if not MIN_ALERT_RATIO <= float(value) <= MAX_ALERT_RATIO:
        raise CriteriaError("fairness_bad_ratio", low=MIN_ALERT_RATIO, high=MAX_ALERT_RATIO)
    return float(value)


def from_stored(rows: Iterable[Mapping[str, Any]] | None) -> tuple[Goal, ...]:
    """The goals kept in ``programs.fairness["goals"]``; unknown kinds (a newer version) skipped."""
    out = []
    for row in rows or ():
        try:
            out.append(
                goal(
                    row["kind"],
                    row.get("target"),
                    hours=row.get("hours"),
                    confidence=row.get("confidence"),
                )
            )
        except (CriteriaError, KeyError):
            continue
    return tuple(out)


def preset(name: str) -> tuple[Goal, ...]:
    return tuple(goal(kind, target) for kind, target in PRESETS[name])


@dataclass(frozen=True, slots=True)
class Measure:
    """A goal's figure as the report can show it; ``value`` None: not measurable yet."""

    value: float | None
    low: float | None = None
    high: float | None = None
    n: int = 0  # answers, people-sessions or events it rests on


@dataclass(frozen=True, slots=True)
class Verdict:
    goal: Goal
    status: Status
    measure: Measure


def judge(goal: Goal, measure: Measure) -> Verdict:
    spec = SPECS[goal.kind]
    if measure.value is None:
        return Verdict(goal, Status.NOT_MEASURABLE, measure)
    if goal.confidence:
        bound = measure.high if spec.at_most else measure.low
        if bound is None:
            return Verdict(goal, Status.NOT_MEASURABLE, measure)
    else:
        bound = measure.value
    if spec.at_most:
        met = bound < goal.target if spec.strict else bound <= goal.target
    else:
        met = bound > goal.target if spec.strict else bound >= goal.target
    return Verdict(goal, Status.MET if met else Status.NOT_YET, measure)


def wilson(successes: int, n: int, level: float = 0.95) -> tuple[float, float] | None:
    """Wilson's score interval of a proportion (None without observations)."""
    if n <= 0:
        return None
    z = NormalDist().inv_cdf(0.5 + level / 2)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


__all__ = [
    "APPEALS_ANSWERED",
    "ATTENDANCE",
    "FELT_HEARD",
    "KINDS",
    "PRESETS",
    "SPEAKING_BALANCE",
    "SPECS",
    "TRUST_CHANGE",
    "CriteriaError",
    "Goal",
    "Measure",
    "Status",
    "Verdict",
    "from_stored",
    "goal",
    "judge",
    "preset",
    "wilson",
]
