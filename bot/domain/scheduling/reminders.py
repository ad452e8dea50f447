"""Reminder plans, what to do with a reminder when the bot wakes, and delivery keys.

A reminder is only worth sending before its session starts. When the bot was down and several
reminders of one session fell due meanwhile, only the latest of them still says something true
("starts in 1 hour" rather than "starts tomorrow"), so the earlier ones are skipped as stale.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.scheduling.errors import SchedulingError, SchedulingErrorCode, minutes_param
from bot.domain.scheduling.zones import require_aware

DEFAULT_REMINDER_OFFSETS: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
MAX_REMINDER_OFFSET = timedelta(days=14)
ON_TIME_GRACE = timedelta(minutes=5)  # a job that wakes a little late is still "on time"

_KIND = re.compile(r"[a-z][a-z0-9_]*")


class DueStatus(StrEnum):
    NOT_DUE = "not_due"  # schedule it for its due time
    SEND = "send"  # due now, on time
    LATE_SEND = "late_send"  # overdue but the session has not started: still useful
    STALE = "stale"  # the session started, or a later reminder supersedes it: skip and log


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    kind: str  # e.g. "remind_24h", "remind_90m"; part of the delivery key
    offset: timedelta
    due_utc: datetime


@dataclass(frozen=True, slots=True)
class ReminderDecision:
    reminder: PlannedReminder
    status: DueStatus
    superseded_by: str | None = None  # kind of the later reminder that made this one stale


def reminder_kind(offset: timedelta) -> str:
    """``remind_24h`` for whole hours, ``remind_90m`` otherwise (offsets are whole minutes)."""
    minutes = int(offset.total_seconds()) // 60
    return f"remind_{minutes // 60}h" if minutes % 60 == 0 else f"remind_{minutes}m"


def validate_reminder_offsets(offsets: Iterable[timedelta]) -> tuple[timedelta, ...]:
    """Distinct offsets, longest first. Raises SchedulingError ``bad_reminder_offset`` (params
    minutes) for one that is not a positive whole number of minutes up to 14 days.
    """
    distinct: set[timedelta] = set()
    for offset in offsets:
        if (
            offset <= timedelta(0)
            or offset > MAX_REMINDER_OFFSET
            or offset % timedelta(minutes=1) != timedelta(0)
        ):
            raise SchedulingError(
                SchedulingErrorCode.BAD_REMINDER_OFFSET, minutes=minutes_param(offset)
            )
        distinct.add(offset)
    return tuple(sorted(distinct, reverse=True))


def reminder_plan(
    session_start_utc: datetime,
    planned_at: datetime,
    offsets: Iterable[timedelta] = DEFAULT_REMINDER_OFFSETS,
) -> list[PlannedReminder]:
    """The reminders owed for a session, earliest due first.

    ``planned_at`` is when the session was created or last rescheduled (not the current clock when
    rebuilding after a restart): a reminder that fell due before then is not owed, since the
    announcement of the session itself told people about it.
    """
    start = require_aware(session_start_utc, "session_start_utc")
    since = require_aware(planned_at, "planned_at")
    plan = [
        PlannedReminder(kind=reminder_kind(offset), offset=offset, due_utc=start - offset)
        for offset in validate_reminder_offsets(offsets)
    ]
    return [reminder for reminder in plan if reminder.due_utc >= since]


def classify_due(
    due_utc: datetime,
    session_start_utc: datetime,
    now: datetime,
    grace: timedelta = ON_TIME_GRACE,
) -> DueStatus:
    """What to do with one reminder at ``now``: wait, send, send late (before start), or skip."""
    due = require_aware(due_utc, "due_utc")
    start = require_aware(session_start_utc, "session_start_utc")
    current = require_aware(now, "now")
    if current >= start:
        return DueStatus.STALE
    if current < due:
        return DueStatus.NOT_DUE
    return DueStatus.SEND if current < due + grace else DueStatus.LATE_SEND


def decide_reminders(
    pending: Sequence[PlannedReminder], session_start_utc: datetime, now: datetime
) -> list[ReminderDecision]:
    """Decisions for a session's not-yet-delivered reminders, in the order given.

    Of several that are due at once, only the latest-due one is sent; the others become STALE with
    ``superseded_by`` naming it.
    """
    statuses = [classify_due(r.due_utc, session_start_utc, now) for r in pending]
    sendable = [i for i, s in enumerate(statuses) if s in (DueStatus.SEND, DueStatus.LATE_SEND)]
    keep = max(sendable, key=lambda i: pending[i].due_utc, default=None)
    decisions: list[ReminderDecision] = []
    for index, (reminder, status) in enumerate(zip(pending, statuses, strict=True)):
        if keep is not None and index in sendable and index != keep:
            decisions.append(
                ReminderDecision(reminder, DueStatus.STALE, superseded_by=pending[keep].kind)
            )
        else:
            decisions.append(ReminderDecision(reminder, status))
    return decisions


def delivery_key(kind: str, session_id: int, person_id: int | None) -> str:
    """The unique key of one delivery: ``session:7:person:42:remind_24h``.

    ``person_id=None`` is a post to the session's group (agenda items, half-time nudge):
    ``session:7:group:agenda_2``. The same inputs always give the same key, so a retry, a restart
    or a second instance finds the delivery already recorded.
    """
    if not _KIND.fullmatch(kind):
        raise ValueError(f"delivery kind must match {_KIND.pattern}, got {kind!r}")
    audience = "group" if person_id is None else f"person:{int(person_id)}"
    return f"session:{int(session_id)}:{audience}:{kind}"
