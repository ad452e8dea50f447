"""Validate a new (or rescheduled) session series in one call, before anything is stored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.scheduling.agenda import AgendaItem, validate_agenda
from bot.domain.scheduling.errors import SchedulingError, SchedulingErrorCode, minutes_param
from bot.domain.scheduling.recurrence import (
    MAX_OCCURRENCES,
    Occurrence,
    Recurrence,
    Span,
    ensure_no_overlap,
    expand,
)
from bot.domain.scheduling.timeparse import ensure_future
from bot.domain.scheduling.zones import canonical_zone_name, require_aware

MAX_SESSION_DURATION = timedelta(hours=12)  # also keeps a weekly series from overlapping itself
MAX_TITLE_LENGTH = 200


@dataclass(frozen=True, slots=True)
class SessionDraft:
    """What the organizer asked for; ``start_local`` is a naive wall-clock reading in ``zone``."""

    title: str
    start_local: datetime
    zone: str
    duration: timedelta
    agenda: tuple[AgendaItem, ...] = ()
    recurrence: Recurrence | None = None


@dataclass(frozen=True, slots=True)
class SessionPlan:
    zone: str  # canonical IANA spelling, to store
    occurrences: tuple[Occurrence, ...]

    @property
    def adjusted(self) -> tuple[Occurrence, ...]:
        """Occurrences moved by a DST gap, for the UI to point out."""
        return tuple(o for o in self.occurrences if o.adjusted)


def plan_sessions(
    draft: SessionDraft,
    existing: Sequence[Span],
    now: datetime,
    limit: int = MAX_OCCURRENCES,
) -> SessionPlan:
    """Every occurrence of ``draft``, checked; raises the first problem and changes nothing.

    ``existing`` holds the group's live sessions (not cancelled ones, not the one being edited).
    Checks, in order: zone (``unknown_zone``), title (``bad_title``, params length), duration
    (``bad_duration``, params minutes), agenda (``bad_agenda_minutes``, ``agenda_too_long``),
    recurrence (``end_before_start``, ``too_many_occurrences``), first start in the future
    (``in_past``), clashes (``overlap``). ``no_recurrence_end`` is raised earlier, when the
    Recurrence is built.
    """
    require_aware(now, "now")
    zone = canonical_zone_name(draft.zone)
    title = draft.title.strip()
    if not title or len(title) > MAX_TITLE_LENGTH:
        raise SchedulingError(SchedulingErrorCode.BAD_TITLE, length=len(title))
    if not timedelta(0) < draft.duration <= MAX_SESSION_DURATION:
        raise SchedulingError(
            SchedulingErrorCode.BAD_DURATION, minutes=minutes_param(draft.duration)
        )
    validate_agenda(draft.agenda, draft.duration)
    occurrences = expand(draft.start_local, zone, draft.duration, draft.recurrence, limit)
    ensure_future(occurrences[0].start_utc, now)
    ensure_no_overlap([o.span for o in occurrences], existing)
    return SessionPlan(zone=zone, occurrences=tuple(occurrences))


def ensure_end_after_start(start_utc: datetime, end_utc: datetime) -> timedelta:
    """The duration of a session given by its end; raises ``end_before_start`` (params start_utc,
    end_utc) when the end is not after the start."""
    start, end = require_aware(start_utc, "start_utc"), require_aware(end_utc, "end_utc")
    if end <= start:
        raise SchedulingError(SchedulingErrorCode.END_BEFORE_START, start_utc=start, end_utc=end)
    return end - start
