"""Durations as moderators type them (``30m``, ``2h``, ``1d``, ``1w``, ``1h30m``) and back.

Accepted shape: one or more ``<count><unit>`` parts, units ``w`` ``d`` ``h`` ``m`` from largest to
smallest, each unit at most once, no blanks inside (``1h30m``, not ``30m1h`` or ``1h 30m``); case
does not matter. Input is NFKC-normalised, so full-width digits work, and any Unicode decimal digit
counts. Units are Latin letters on purpose: ``м`` could be minutes or months, and a wrong guess turns
a half-hour mute into a month.

Anything a moderator can set must lie within [1 minute, 366 days]: Telegram treats a restriction
shorter than 30 seconds or longer than 366 days as forever, which would silently turn a short mute
into a permanent one.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from enum import StrEnum

from bot.domain.errors import BridgeError

MIN_DURATION = timedelta(minutes=1)
MAX_DURATION = timedelta(days=366)


class DurationErrorCode(StrEnum):
    """Stable codes the handlers translate into the reader's language; never rename a value."""

    BAD_FORMAT = "bad_format"  # not <count><unit>... (params text)
    NOT_POSITIVE = "not_positive"  # zero or negative (params text)
    TOO_LONG = "too_long"  # over the maximum (params text, maximum: timedelta)


class DurationError(BridgeError):
    """A duration that cannot be used; ``params`` holds ``text`` and, for too_long, ``maximum``."""

    def __init__(self, code: DurationErrorCode, text: str, /, **params: object) -> None:
        super().__init__(code, text=text, **params)
        self.code: DurationErrorCode = code
        self.text = text


class DurationUnit(StrEnum):
    """Units a handler localises (``ngettext`` per unit); largest first."""

    WEEK = "week"
    DAY = "day"
    HOUR = "hour"
    MINUTE = "minute"


_MINUTES_PER_UNIT: dict[DurationUnit, int] = {
    DurationUnit.WEEK: 7 * 24 * 60,
    DurationUnit.DAY: 24 * 60,
    DurationUnit.HOUR: 60,
    DurationUnit.MINUTE: 1,
}
_LETTER_TO_UNIT = {
    "w": DurationUnit.WEEK,
    "d": DurationUnit.DAY,
    "h": DurationUnit.HOUR,
    "m": DurationUnit.MINUTE,
}

# Digit runs are capped so a pasted 10,000-digit number cannot make int() slow; anything that long
# is far beyond the maximum anyway and is reported as too_long, not as a format error.
_SHAPE = re.compile(
    r"(?:(?P<w>\d+)w)?(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?",
    re.IGNORECASE,
)
_SIGN = re.compile(r"[-−–]")
_MAX_DIGITS = 12


def parse_duration(text: str, *, maximum: timedelta = MAX_DURATION) -> timedelta:
    """``"1h30m"`` -> timedelta(hours=1, minutes=30).

    Raises DurationError ``bad_format`` (``30x``, ``30``, ``1h1h``, ``""``), ``not_positive``
    (``0m``, ``-1h``) or ``too_long`` (over ``maximum``, default 366 days).
    """
    cleaned = unicodedata.normalize("NFKC", text).strip()
    negative = bool(_SIGN.match(cleaned))
    body = cleaned[1:] if negative else cleaned
    match = _SHAPE.fullmatch(body)
    if not body or match is None or not any(match.groupdict().values()):
        raise DurationError(DurationErrorCode.BAD_FORMAT, text)
    counts = {letter: digits for letter, digits in match.groupdict().items() if digits is not None}
    if any(len(digits.lstrip("0")) > _MAX_DIGITS for digits in counts.values()):
        raise DurationError(DurationErrorCode.TOO_LONG, text, maximum=maximum)
    minutes = sum(
        int(digits) * _MINUTES_PER_UNIT[_LETTER_TO_UNIT[letter]]
        for letter, digits in counts.items()
    )
    if negative or minutes == 0:
        raise DurationError(DurationErrorCode.NOT_POSITIVE, text)
    duration = timedelta(minutes=minutes)
    if duration > maximum:
        raise DurationError(DurationErrorCode.TOO_LONG, text, maximum=maximum)
    return duration


def format_duration_parts(duration: timedelta) -> list[tuple[DurationUnit, int]]:
    """Whole units, largest first, zero parts left out: 90 min -> [(hour, 1), (minute, 30)].

    Seconds below a minute are dropped (no moderator duration has them); a zero or sub-minute
    duration gives ``[]``. Raises ValueError for a negative duration (a caller bug, not user input).
    """
    if duration < timedelta(0):
        raise ValueError("negative duration")
    remaining = int(duration.total_seconds()) // 60
    parts: list[tuple[DurationUnit, int]] = []
    for unit, size in _MINUTES_PER_UNIT.items():
        count, remaining = divmod(remaining, size)
        if count:
            parts.append((unit, count))
    return parts


def format_duration(duration: timedelta) -> str:
    """The compact form ``parse_duration`` reads back: 90 min -> ``"1h30m"`` (for configs and logs)."""
    letters = {unit: letter for letter, unit in _LETTER_TO_UNIT.items()}
    return "".join(f"{count}{letters[unit]}" for unit, count in format_duration_parts(duration))
