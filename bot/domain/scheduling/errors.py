"""The one exception type of the scheduling domain and its machine-readable codes."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from bot.domain.errors import BridgeError


class SchedulingErrorCode(StrEnum):
    """Stable codes the handlers translate into the reader's language; never rename a value."""

    BAD_FORMAT = "bad_format"  # text matches none of the accepted shapes (params: text, expected)
    BAD_TIME = "bad_time"  # shape is right, the clock reading is not (25:00)
    BAD_DATE = "bad_date"  # shape is right, the calendar day does not exist (31 Feb)
    UNKNOWN_ZONE = "unknown_zone"
    IN_PAST = "in_past"
    END_BEFORE_START = "end_before_start"
    BAD_DURATION = "bad_duration"
    BAD_TITLE = "bad_title"
    BAD_AGENDA_MINUTES = "bad_agenda_minutes"
    AGENDA_TOO_LONG = "agenda_too_long"
    BAD_RECURRENCE = "bad_recurrence"
    NO_RECURRENCE_END = "no_recurrence_end"
    TOO_MANY_OCCURRENCES = "too_many_occurrences"
    OVERLAP = "overlap"
    BAD_REMINDER_OFFSET = "bad_reminder_offset"
    SESSION_ENDED = "session_ended"
    SESSION_RUNNING = "session_running"
    SESSION_CANCELLED = "session_cancelled"


class SchedulingError(BridgeError):
    """Bad scheduling input; ``code`` says what, ``params`` carry the values a message may quote.

    Raised before anything is changed, so the caller can simply report it.
    """

    def __init__(self, code: SchedulingErrorCode, /, **params: object) -> None:
        super().__init__(code, **params)
        self.code = code


def minutes_param(delta: timedelta) -> int | float:
    """A duration as an error param: whole minutes stay an int so messages read "90", not "90.0"."""
    minutes = delta.total_seconds() / 60
    return int(minutes) if minutes.is_integer() else minutes
