"""Recurring sessions: weekly (or every N weeks) at a wall-clock time in the creator's zone.

Occurrences are generated with dateutil.rrule on naive wall-clock readings and only then pinned to
the zone, so 18:00 stays 18:00 local across DST changes; a reading that falls into a DST gap or
overlap is resolved by the rule in zones.py and flagged on the occurrence.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice

from dateutil.rrule import WEEKLY, rrule

from bot.domain.scheduling.errors import SchedulingError, SchedulingErrorCode, minutes_param
from bot.domain.scheduling.zones import WallClockAdjustment, require_aware, resolve_wall_clock

MAX_OCCURRENCES = 104  # two years of weekly sessions; more is a typo, not a program
MAX_FREQ_WEEKS = 52

Span = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class Recurrence:
    """Every ``freq_weeks`` weeks, ending after ``count`` sessions or on ``until_local_date``.

    Exactly one end must be given. ``until_local_date`` is inclusive and read in the creator's zone.
    Raises SchedulingError ``no_recurrence_end`` or ``bad_recurrence`` (params field, value).
    """

    freq_weeks: int = 1
    count: int | None = None
    until_local_date: date | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.freq_weeks <= MAX_FREQ_WEEKS:
            raise SchedulingError(
                SchedulingErrorCode.BAD_RECURRENCE, field="freq_weeks", value=self.freq_weeks
            )
        if self.count is None and self.until_local_date is None:
            raise SchedulingError(SchedulingErrorCode.NO_RECURRENCE_END)
        if self.count is not None and self.until_local_date is not None:
            raise SchedulingError(
                SchedulingErrorCode.BAD_RECURRENCE, field="count_and_until", value=self.count
            )
        if self.count is not None and self.count < 1:
            raise SchedulingError(
                SchedulingErrorCode.BAD_RECURRENCE, field="count", value=self.count
            )


@dataclass(frozen=True, slots=True)
class Occurrence:
    start_utc: datetime
    end_utc: datetime
    local_start: datetime  # aware, in the creator's zone
    adjustment: WallClockAdjustment

    @property
    def adjusted(self) -> bool:
        """The local start differs from the requested wall-clock time (it fell into a DST gap)."""
        return self.adjustment is WallClockAdjustment.SHIFTED_FORWARD

    @property
    def span(self) -> Span:
        return (self.start_utc, self.end_utc)


def expand(
    start_local: datetime,
    zone: str,
    duration: timedelta,
    recurrence: Recurrence | None = None,
    limit: int = MAX_OCCURRENCES,
) -> list[Occurrence]:
    """All occurrences of a session first held at naive wall-clock ``start_local`` in ``zone``.

    ``recurrence=None`` is a one-off session. Each occurrence lasts ``duration`` of real time (a
    session spanning a DST change still lasts that long). Raises SchedulingError ``unknown_zone``,
    ``bad_duration`` (params minutes), ``end_before_start`` (params start_local_date,
    until_local_date) or ``too_many_occurrences`` (params limit, requested).
    """
    if start_local.tzinfo is not None:
        raise ValueError(f"start_local must be a naive wall-clock reading, got {start_local!r}")
    if duration <= timedelta(0):
        raise SchedulingError(SchedulingErrorCode.BAD_DURATION, minutes=minutes_param(duration))
    return [
        _occurrence(wall, zone, duration)
        for wall in _wall_clock_starts(start_local, recurrence, limit)
    ]


def _wall_clock_starts(
    start_local: datetime, recurrence: Recurrence | None, limit: int
) -> list[datetime]:
    if recurrence is None:
        return [start_local]
    if recurrence.count is not None:
        requested: int = recurrence.count
        until = None
    else:
        assert recurrence.until_local_date is not None  # guaranteed by Recurrence
        if recurrence.until_local_date < start_local.date():
            raise SchedulingError(
                SchedulingErrorCode.END_BEFORE_START,
                start_local_date=start_local.date(),
                until_local_date=recurrence.until_local_date,
            )
        weeks_span = (recurrence.until_local_date - start_local.date()).days // 7
        requested = weeks_span // recurrence.freq_weeks + 1
        until = datetime.combine(recurrence.until_local_date, time.max)
    if requested > limit:
        raise SchedulingError(
            SchedulingErrorCode.TOO_MANY_OCCURRENCES, limit=limit, requested=requested
        )
    rule = rrule(
        WEEKLY,
        dtstart=start_local,
        interval=recurrence.freq_weeks,
        count=recurrence.count,
        until=until,
    )
    return list(islice(rule, limit))


def _occurrence(wall: datetime, zone: str, duration: timedelta) -> Occurrence:
    resolved = resolve_wall_clock(wall, zone)
    return Occurrence(
        start_utc=resolved.utc,
        end_utc=resolved.utc + duration,
        local_start=resolved.local,
        adjustment=resolved.adjustment,
    )


def find_overlaps(new: Sequence[Span], existing: Sequence[Span]) -> list[tuple[int, int]]:
    """Pairs (index in ``new``, index in ``existing``) whose half-open [start, end) spans overlap.

    Back-to-back sessions (one ends when the next starts) do not overlap. A sweep over the sorted
    starts keeps this near-linear for a two-year series against a busy group.
    """
    tagged = sorted(
        [
            (require_aware(s, "start"), require_aware(e, "end"), True, i)
            for i, (s, e) in enumerate(new)
        ]
        + [
            (require_aware(s, "start"), require_aware(e, "end"), False, i)
            for i, (s, e) in enumerate(existing)
        ]
    )
    active_new: list[tuple[datetime, int]] = []
    active_existing: list[tuple[datetime, int]] = []
    pairs: list[tuple[int, int]] = []
    for start, end, is_new, index in tagged:
        for active in (active_new, active_existing):
            while active and active[0][0] <= start:
                heapq.heappop(active)
        if is_new:
            pairs.extend((index, other) for _, other in active_existing)
            heapq.heappush(active_new, (end, index))
        else:
            pairs.extend((other, index) for _, other in active_new)
            heapq.heappush(active_existing, (end, index))
    return sorted(pairs)


def ensure_no_overlap(new: Sequence[Span], existing: Sequence[Span]) -> None:
    """Raises SchedulingError ``overlap`` (params new_index, existing_index, new_start_utc,
    existing_start_utc, existing_end_utc) for the earliest clash of ``new`` with ``existing``.

    The caller passes only the group's live sessions (not cancelled ones, not the one being edited).
    """
    pairs = find_overlaps(new, existing)
    if pairs:
        new_index, existing_index = pairs[0]
        raise SchedulingError(
            SchedulingErrorCode.OVERLAP,
            new_index=new_index,
            existing_index=existing_index,
            new_start_utc=require_aware(new[new_index][0]),
            existing_start_utc=require_aware(existing[existing_index][0]),
            existing_end_utc=require_aware(existing[existing_index][1]),
        )
