"""Dates and times as organizers type them, read in the organizer's zone.

Accepted shapes (a deliberately small set; anything else is ``bad_format``):

* time of day, 24-hour: ``19:00``, ``9:05``
* date: ISO ``2026-03-03``; dotted day-first ``03.03.2026`` / ``3.3.2026``; dotted without a year
  ``3.3`` or ``3.3.`` meaning the next such day that is not before today (in the organizer's zone)
* date and time: any date shape, blank(s), a time (``03.03.2026 19:00``), or ISO ``2026-03-03T19:00``

Slashed dates (``3/4``) are refused on purpose: they read as 3 April in most of the world and as
March 4 in the United States, and a wrong guess silently moves a session by weeks.
Input is NFKC-normalised first, so full-width digits and colons (``１９：００``) work; other
Unicode decimal digits (Arabic-Indic ``١٩:٠٠``) are read as digits too.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time

from bot.domain.scheduling.errors import SchedulingError, SchedulingErrorCode
from bot.domain.scheduling.zones import (
    ResolvedWallClock,
    get_zone,
    require_aware,
    resolve_wall_clock,
)

_TIME = re.compile(r"(?P<hour>\d{1,2}):(?P<minute>\d{2})")
_ISO_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})")
_DOTTED_DATE = re.compile(r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})(?:\.(?P<year>\d{4})?)?")
_ISO_DATETIME_SEPARATOR = re.compile(r"(?<=\d)T(?=\d)")


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def parse_time_of_day(text: str) -> time:
    """``"19:00"`` -> time(19, 0).

    Raises SchedulingError ``bad_format`` (params text, expected="time") or ``bad_time``
    (params text, hour, minute) for a reading like ``25:00`` or ``24:00``.
    """
    cleaned = _normalise(text)
    match = _TIME.fullmatch(cleaned)
    if match is None:
        raise SchedulingError(SchedulingErrorCode.BAD_FORMAT, text=text, expected="time")
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise SchedulingError(SchedulingErrorCode.BAD_TIME, text=text, hour=hour, minute=minute)
    return time(hour, minute)


def parse_date(text: str, today: date) -> date:
    """A typed calendar date; ``today`` (the organizer's local date) completes year-less dates.

    Raises SchedulingError ``bad_format`` (params text, expected="date") or ``bad_date``
    (params text, year, month, day; year is None for a year-less date that never exists, e.g. 30.2).
    """
    cleaned = _normalise(text)
    if match := _ISO_DATE.fullmatch(cleaned):
        return _calendar_day(text, int(match["year"]), int(match["month"]), int(match["day"]))
    if match := _DOTTED_DATE.fullmatch(cleaned):
        day, month = int(match["day"]), int(match["month"])
        if match["year"] is not None:
            return _calendar_day(text, int(match["year"]), month, day)
        return _next_day_of_year(text, month, day, today)
    raise SchedulingError(SchedulingErrorCode.BAD_FORMAT, text=text, expected="date")


def local_today(zone: str, now: datetime) -> date:
    """The calendar date in ``zone`` at the instant ``now``."""
    return require_aware(now, "now").astimezone(get_zone(zone)).date()


def combine_local(day: date, time_of_day: time, zone: str, now: datetime) -> ResolvedWallClock:
    """Pin ``day time_of_day`` in ``zone`` to an instant (zones.py gap/overlap rule).

    Raises SchedulingError ``unknown_zone`` or ``in_past`` (params start_utc, now) when the instant
    is not after ``now``.
    """
    resolved = resolve_wall_clock(datetime.combine(day, time_of_day), zone)
    ensure_future(resolved.utc, now)
    return resolved


def parse_local_datetime(text: str, zone: str, now: datetime) -> ResolvedWallClock:
    """A typed date and time in the organizer's ``zone``, as a future instant.

    Returns ResolvedWallClock (``.utc`` aware UTC, ``.local``, ``.adjustment`` / ``.adjusted`` for
    DST gaps and overlaps). Raises SchedulingError ``bad_format`` (expected="datetime"),
    ``bad_date``, ``bad_time``, ``unknown_zone`` or ``in_past``.
    """
    get_zone(zone)  # an unknown zone is the first thing to report, before any typo in the text
    cleaned = _ISO_DATETIME_SEPARATOR.sub(" ", _normalise(text), count=1)
    date_text, _, time_text = cleaned.rpartition(" ")
    if not date_text:
        raise SchedulingError(SchedulingErrorCode.BAD_FORMAT, text=text, expected="datetime")
    try:
        day = parse_date(date_text, local_today(zone, now))
        time_of_day = parse_time_of_day(time_text)
    except SchedulingError as exc:
        if exc.code is SchedulingErrorCode.BAD_FORMAT:
            raise SchedulingError(
                SchedulingErrorCode.BAD_FORMAT, text=text, expected="datetime"
            ) from exc
        raise
    return combine_local(day, time_of_day, zone, now)


def ensure_future(start_utc: datetime, now: datetime) -> None:
    """Raises SchedulingError ``in_past`` (params start_utc, now) unless ``start_utc`` is after now."""
    start, current = require_aware(start_utc, "start_utc"), require_aware(now, "now")
    if start <= current:
        raise SchedulingError(SchedulingErrorCode.IN_PAST, start_utc=start, now=current)


def _calendar_day(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise SchedulingError(
            SchedulingErrorCode.BAD_DATE, text=text, year=year, month=month, day=day
        ) from None


def _next_day_of_year(text: str, month: int, day: int, today: date) -> date:
    # Eight years always reach the next 29 February, even across a skipped century leap year.
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise SchedulingError(SchedulingErrorCode.BAD_DATE, text=text, year=None, month=month, day=day)
