"""Time-zone lookup and the one rule for turning a wall-clock reading into an instant.

Wall-clock rule (documented once, used everywhere in scheduling):

* A reading that does not exist because the clocks jump forward (02:30 on a spring-forward night in
  Europe/Berlin) is moved forward by the length of the gap (02:30 -> 03:30). This is what zoneinfo's
  ``fold=0`` yields, and the result is flagged ``WallClockAdjustment.SHIFTED_FORWARD`` so the UI can warn.
* A reading that happens twice because the clocks fall back (02:30 on the last Sunday of October in
  Europe/Berlin) means its first occurrence (still summer time), flagged ``AMBIGUOUS_FIRST``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.domain.scheduling.errors import SchedulingError, SchedulingErrorCode


class WallClockAdjustment(StrEnum):
    NONE = "none"
    SHIFTED_FORWARD = "shifted_forward"
    AMBIGUOUS_FIRST = "ambiguous_first"


@dataclass(frozen=True, slots=True)
class ResolvedWallClock:
    """A wall-clock reading in a zone, pinned to one instant."""

    utc: datetime
    local: datetime  # aware, in the zone; differs from the request only when SHIFTED_FORWARD
    zone: str
    adjustment: WallClockAdjustment

    @property
    def adjusted(self) -> bool:
        """True when the local clock reading differs from the one asked for (a DST gap)."""
        return self.adjustment is WallClockAdjustment.SHIFTED_FORWARD


@dataclass(frozen=True, slots=True)
class ZoneLocalTime:
    """One instant as read in every listed zone; zones sharing the offset are listed together."""

    zones: tuple[str, ...]
    local: datetime


@cache
def _zone_names_by_folded_case() -> dict[str, str]:
    # zoneinfo lookups are case-sensitive on Linux but not on macOS or Windows file systems; mapping
    # through the list of known names makes every installation accept and store the same spelling.
    return {name.casefold(): name for name in available_timezones()}


def canonical_zone_name(name: str) -> str:
    """The IANA spelling of ``name`` (case-insensitive, surrounding blanks ignored).

    Raises SchedulingError(unknown_zone, zone=name) for anything that is not a known zone.
    """
    known = _zone_names_by_folded_case().get(name.strip().casefold())
    if known is None:
        raise SchedulingError(SchedulingErrorCode.UNKNOWN_ZONE, zone=name)
    return known


def get_zone(name: str) -> ZoneInfo:
    """The ZoneInfo for ``name``; raises SchedulingError(unknown_zone, zone=name)."""
    canonical = canonical_zone_name(name)
    try:
        return ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise SchedulingError(SchedulingErrorCode.UNKNOWN_ZONE, zone=name) from exc


def require_aware(moment: datetime, what: str = "moment") -> datetime:
    """Programming-error guard: domain instants are always aware; returns ``moment`` in UTC."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime, got naive {moment!r}")
    return moment.astimezone(UTC)


def resolve_wall_clock(wall: datetime, zone: str) -> ResolvedWallClock:
    """Pin a naive wall-clock reading in ``zone`` to an instant by the module's gap/overlap rule."""
    if wall.tzinfo is not None:
        raise ValueError(f"wall clock reading must be naive, got {wall!r}")
    tz = get_zone(zone)
    first = wall.replace(tzinfo=tz, fold=0)
    utc = first.astimezone(UTC)
    local = utc.astimezone(tz)
    if local.replace(tzinfo=None) != wall:
        adjustment = WallClockAdjustment.SHIFTED_FORWARD
    elif first.utcoffset() != wall.replace(tzinfo=tz, fold=1).utcoffset():
        adjustment = WallClockAdjustment.AMBIGUOUS_FIRST
    else:
        adjustment = WallClockAdjustment.NONE
    return ResolvedWallClock(utc=utc, local=local, zone=tz.key, adjustment=adjustment)


def local_times_for_zones(moment_utc: datetime, zones: Iterable[str]) -> list[ZoneLocalTime]:
    """``moment_utc`` read in each zone, zones with the same offset merged, earliest clock first."""
    moment = require_aware(moment_utc, "moment_utc")
    by_offset: dict[timedelta, tuple[list[str], datetime]] = {}
    for name in zones:
        tz = get_zone(name)
        local = moment.astimezone(tz)
        offset = local.utcoffset()
        assert offset is not None  # an aware datetime from ZoneInfo always has one
        names, _ = by_offset.setdefault(offset, ([], local))
        if tz.key not in names:
            names.append(tz.key)
    return [
        ZoneLocalTime(zones=tuple(names), local=local)
        for _, (names, local) in sorted(by_offset.items())
    ]
