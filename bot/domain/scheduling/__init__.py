"""Scheduling across time zones: parsing, recurrence, reminders, finding a time, .ics export.

Pure domain code: instants are aware UTC datetimes, ``now`` is always passed in, and problems are
SchedulingError with a machine-readable code.
"""

from bot.domain.scheduling.agenda import (
    HALF_TIME_KIND,
    AgendaCue,
    AgendaItem,
    agenda_kind,
    agenda_timeline,
    half_time,
    validate_agenda,
)
from bot.domain.scheduling.calendar_ics import EventStatus, IcsEvent, build_calendar, session_uid
from bot.domain.scheduling.errors import SchedulingError, SchedulingErrorCode
from bot.domain.scheduling.findtime import (
    MAX_FINDTIME_SLOTS,
    FindTimeMember,
    SlotScore,
    is_convenient,
    propose_slots,
    recommend,
    score_slots,
)
from bot.domain.scheduling.lifecycle import (
    SessionPhase,
    ensure_cancellable,
    ensure_editable,
    session_phase,
)
from bot.domain.scheduling.planning import (
    SessionDraft,
    SessionPlan,
    ensure_end_after_start,
    plan_sessions,
)
from bot.domain.scheduling.recurrence import (
    MAX_OCCURRENCES,
    Occurrence,
    Recurrence,
    ensure_no_overlap,
    expand,
    find_overlaps,
)
from bot.domain.scheduling.reminders import (
    DEFAULT_REMINDER_OFFSETS,
    DueStatus,
    PlannedReminder,
    ReminderDecision,
    classify_due,
    decide_reminders,
    delivery_key,
    reminder_kind,
    reminder_plan,
    validate_reminder_offsets,
)
from bot.domain.scheduling.timeparse import (
    combine_local,
    ensure_future,
    local_today,
    parse_date,
    parse_local_datetime,
    parse_time_of_day,
)
from bot.domain.scheduling.zones import (
    ResolvedWallClock,
    WallClockAdjustment,
    ZoneLocalTime,
    canonical_zone_name,
    get_zone,
    local_times_for_zones,
    resolve_wall_clock,
)

__all__ = [
    "DEFAULT_REMINDER_OFFSETS",
    "HALF_TIME_KIND",
    "MAX_FINDTIME_SLOTS",
    "MAX_OCCURRENCES",
    "AgendaCue",
    "AgendaItem",
    "DueStatus",
    "EventStatus",
    "FindTimeMember",
    "IcsEvent",
    "Occurrence",
    "PlannedReminder",
    "Recurrence",
    "ReminderDecision",
    "ResolvedWallClock",
    "SchedulingError",
    "SchedulingErrorCode",
    "SessionDraft",
    "SessionPhase",
    "SessionPlan",
    "SlotScore",
    "WallClockAdjustment",
    "ZoneLocalTime",
    "agenda_kind",
    "agenda_timeline",
    "build_calendar",
    "canonical_zone_name",
    "classify_due",
    "combine_local",
    "decide_reminders",
    "delivery_key",
    "ensure_cancellable",
    "ensure_editable",
    "ensure_end_after_start",
    "ensure_future",
    "ensure_no_overlap",
    "expand",
    "find_overlaps",
    "get_zone",
    "half_time",
    "is_convenient",
    "local_times_for_zones",
    "local_today",
    "parse_date",
    "parse_local_datetime",
    "parse_time_of_day",
    "plan_sessions",
    "propose_slots",
    "recommend",
    "reminder_kind",
    "reminder_plan",
    "resolve_wall_clock",
    "score_slots",
    "session_phase",
    "session_uid",
    "validate_agenda",
    "validate_reminder_offsets",
]
