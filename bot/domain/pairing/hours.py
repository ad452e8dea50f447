"""Waking hours: when two people in different time zones can both be expected to answer.

Each person is awake from ``start`` to ``end`` local time (08:00-22:00 unless the program says
otherwise). Mapped to UTC by the zone's offset at the moment of pairing, the two windows are arcs
on a 24-hour circle; their overlap is what two people can use to talk live.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.pairing.errors import PairingError, PairingErrorCode

DAY = 24 * 60
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True, slots=True)
class WakingHours:
    start: int = 8 * 60  # minutes after local midnight
    end: int = 22 * 60  # may be smaller than start (a window over midnight)

    @property
    def length(self) -> int:
        return (self.end - self.start) % DAY or DAY

    def text(self) -> str:
        return (
            f"{self.start // 60:02d}:{self.start % 60:02d}–{self.end // 60:02d}:{self.end % 60:02d}"
        )


DEFAULT_HOURS = WakingHours()
DEFAULT_MIN_OVERLAP = 120  # minutes


def parse_waking_hours(text: str) -> WakingHours:
    """``"08:00-22:00"`` -> WakingHours; raises PairingError ``pairs_bad_waking_hours``."""
    found = _HOURS.match(text or "")
    if found is None:
        raise PairingError(PairingErrorCode.BAD_WAKING_HOURS, text=text)
    h1, m1, h2, m2 = (int(part) for part in found.groups())
    if (
        h1 > 23
        or h2 > 24
        or m1 > 59
        or m2 > 59
        or (h2 == 24 and m2)
        or (h1 * 60 + m1) == (h2 * 60 + m2) % DAY
    ):
        raise PairingError(PairingErrorCode.BAD_WAKING_HOURS, text=text)
    return WakingHours(h1 * 60 + m1, (h2 * 60 + m2) % DAY)


def utc_offset_minutes(zone: str | None, at: datetime) -> int:
    """The zone's offset from UTC at ``at`` (aware), in minutes; an unknown zone counts as UTC."""
    try:
        offset = at.astimezone(ZoneInfo(zone)).utcoffset() if zone else None
    except (KeyError, ValueError):
        offset = None
    return int(offset.total_seconds()) // 60 if offset is not None else 0


def _arc_overlap(a_start: int, a_len: int, b_start: int, b_len: int) -> int:
    """Minutes shared by two arcs of a 24-hour circle."""
    total = 0
    for shift in (-DAY, 0, DAY):
        lo = max(a_start, b_start + shift)
        hi = min(a_start + a_len, b_start + shift + b_len)
        total += max(0, hi - lo)
    return min(total, a_len, b_len)


def overlap_minutes(offset_a: int, offset_b: int, hours: WakingHours = DEFAULT_HOURS) -> int:
    """How many minutes of the day both are awake, for UTC offsets in minutes."""
    a = (hours.start - offset_a) % DAY
    b = (hours.start - offset_b) % DAY
    return _arc_overlap(a, hours.length, b, hours.length)
