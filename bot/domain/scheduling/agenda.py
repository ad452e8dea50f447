"""In-session cues: when each agenda item starts and when half time is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.scheduling.errors import SchedulingError, SchedulingErrorCode, minutes_param
from bot.domain.scheduling.zones import require_aware

MAX_AGENDA_ITEM_MINUTES = 24 * 60
HALF_TIME_KIND = "half_time"


@dataclass(frozen=True, slots=True)
class AgendaItem:
    title: str
    minutes: int
    kind: str = "talk"  # or ROUND_ITEM: a perspective round starts when the item is reached


TALK_ITEM, ROUND_ITEM = "talk", "round"
AGENDA_ITEM_KINDS = (TALK_ITEM, ROUND_ITEM)


@dataclass(frozen=True, slots=True)
class AgendaCue:
    """Item ``index`` (0-based) of the agenda begins at ``at_utc``; the bot posts it then."""

    index: int
    title: str
    at_utc: datetime

    @property
    def kind(self) -> str:
        return agenda_kind(self.index)


def agenda_kind(index: int) -> str:
    """Delivery kind of the post announcing agenda item ``index``: ``agenda_0``, ``agenda_1``, ..."""
    return f"agenda_{index}"


def validate_agenda(items: Sequence[AgendaItem], duration: timedelta) -> None:
    """Raises SchedulingError ``bad_agenda_minutes`` (params index, minutes) for an item that is not
    a positive whole number of minutes, or ``agenda_too_long`` (params total_minutes,
    duration_minutes) when the items do not fit into the session.
    """
    for index, item in enumerate(items):
        if (
            isinstance(item.minutes, bool)
            or not isinstance(item.minutes, int)
            or not 1 <= item.minutes <= MAX_AGENDA_ITEM_MINUTES
        ):
            raise SchedulingError(
                SchedulingErrorCode.BAD_AGENDA_MINUTES, index=index, minutes=item.minutes
            )
    total = sum(item.minutes for item in items)
    if timedelta(minutes=total) > duration:
        raise SchedulingError(
            SchedulingErrorCode.AGENDA_TOO_LONG,
            total_minutes=total,
            duration_minutes=minutes_param(duration),
        )


def agenda_timeline(start_utc: datetime, items: Sequence[AgendaItem]) -> list[AgendaCue]:
    """When each item begins: the first at the start, each next one after the previous' minutes."""
    at = require_aware(start_utc, "start_utc")
    cues: list[AgendaCue] = []
    for index, item in enumerate(items):
        cues.append(AgendaCue(index=index, title=item.title, at_utc=at))
        at += timedelta(minutes=item.minutes)
    return cues


def half_time(start_utc: datetime, end_utc: datetime) -> datetime:
    """The midpoint of the session, when the bot sends its nudge (in real elapsed time)."""
    start, end = require_aware(start_utc, "start_utc"), require_aware(end_utc, "end_utc")
    if end <= start:
        raise SchedulingError(SchedulingErrorCode.END_BEFORE_START, start_utc=start, end_utc=end)
    return start + (end - start) / 2
