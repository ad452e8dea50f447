"""Where a session stands at ``now``, and which changes that allows."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.domain.scheduling.errors import SchedulingError, SchedulingErrorCode
from bot.domain.scheduling.zones import require_aware


class SessionPhase(StrEnum):
    UPCOMING = "upcoming"
    RUNNING = "running"
    ENDED = "ended"
    CANCELLED = "cancelled"


def session_phase(
    start_utc: datetime, end_utc: datetime, now: datetime, cancelled: bool = False
) -> SessionPhase:
    """UPCOMING before the start, RUNNING in [start, end), ENDED from the end; CANCELLED wins."""
    if cancelled:
        return SessionPhase.CANCELLED
    current = require_aware(now, "now")
    if current < require_aware(start_utc, "start_utc"):
        return SessionPhase.UPCOMING
    if current < require_aware(end_utc, "end_utc"):
        return SessionPhase.RUNNING
    return SessionPhase.ENDED


def ensure_editable(
    start_utc: datetime, end_utc: datetime, now: datetime, cancelled: bool = False
) -> None:
    """Editing is allowed until the session ends (a running one may still be extended).

    Raises SchedulingError ``session_ended`` or ``session_cancelled`` (params phase).
    """
    phase = session_phase(start_utc, end_utc, now, cancelled)
    if phase is SessionPhase.ENDED:
        raise SchedulingError(SchedulingErrorCode.SESSION_ENDED, phase=phase)
    if phase is SessionPhase.CANCELLED:
        raise SchedulingError(SchedulingErrorCode.SESSION_CANCELLED, phase=phase)


def ensure_cancellable(
    start_utc: datetime, end_utc: datetime, now: datetime, cancelled: bool = False
) -> None:
    """Only an upcoming session can be cancelled; a running one is closed instead.

    Raises SchedulingError ``session_running``, ``session_ended`` or ``session_cancelled``
    (params phase).
    """
    phase = session_phase(start_utc, end_utc, now, cancelled)
    code = {
        SessionPhase.RUNNING: SchedulingErrorCode.SESSION_RUNNING,
        SessionPhase.ENDED: SchedulingErrorCode.SESSION_ENDED,
        SessionPhase.CANCELLED: SchedulingErrorCode.SESSION_CANCELLED,
    }.get(phase)
    if code is not None:
        raise SchedulingError(code, phase=phase)
