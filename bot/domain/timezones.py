"""Finding a person's time zone: by country, by a typed city or country name, or by a UTC offset.

Zone data comes from the ``tzdata`` package (its zone.tab lists zones per country); city and country
names in every shipped language come from Babel's CLDR data, so "Ереван", "Երևան" and "Yerevan" all
find Asia/Yerevan.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale

from bot.config import SUPPORTED_LOCALES

_OFFSET_RE = re.compile(
    r"^(?:utc|gmt|ютс|грв)?\s*([+\-−])\s*(\d{1,2})(?:(?::|\.|h|\s)?(\d{2}))?$", re.IGNORECASE
)
# Non-whole-hour offsets have no Etc/ zone; these representative zones keep such offsets all year.
_FRACTIONAL_OFFSET_ZONES = {
    (-1, 9, 30): "Pacific/Marquesas",
    (-1, 3, 30): "America/St_Johns",
    (1, 3, 30): "Asia/Tehran",
    (1, 4, 30): "Asia/Kabul",
    (1, 5, 30): "Asia/Kolkata",
    (1, 5, 45): "Asia/Kathmandu",
    (1, 6, 30): "Asia/Yangon",
    (1, 8, 45): "Australia/Eucla",
    (1, 9, 30): "Australia/Darwin",
    (1, 10, 30): "Australia/Adelaide",
    (1, 12, 45): "Pacific/Chatham",
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.replace("_", " ").replace("-", " ").split())


@cache
def zones_by_country() -> dict[str, tuple[str, ...]]:
    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    result: dict[str, list[str]] = {}
    for line in table.splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        result.setdefault(fields[0], []).append(fields[2])
    return {cc: tuple(zones) for cc, zones in result.items()}


def zones_for_country(country: str) -> tuple[str, ...]:
    return zones_by_country().get(country.upper(), ())


@cache
def _country_of_zone() -> dict[str, str]:
    return {zone: cc for cc, zones in zones_by_country().items() for zone in zones}


def country_of_zone(zone: str) -> str | None:
    return _country_of_zone().get(zone)


@cache
def _links() -> dict[str, str]:
    """Backward-compatible zone names -> the canonical zone (Europe/Kiev -> Europe/Kyiv)."""
    data = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text(encoding="utf-8")
    return {
        parts[2]: parts[1]
        for parts in (line.split() for line in data.splitlines() if line.startswith("L "))
    }


def canonical_zone(zone: str) -> str:
    return _links().get(zone, zone)


@cache
def _name_index() -> dict[str, tuple[str, ...]]:
    """Folded city / country name (in any shipped language) -> zones it may mean."""
    index: dict[str, set[str]] = {}
    valid = available_timezones()
    for zone in valid:
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/", "US/")):
            index.setdefault(_fold(zone.rsplit("/", 1)[1]), set()).add(zone)
    for code in SUPPORTED_LOCALES:
        locale = Locale.parse(code)
        for zone, data in locale.time_zones.items():
            city = data.get("city") if hasattr(data, "get") else None
            if city and zone in valid:
                index.setdefault(_fold(city), set()).add(zone)
        for cc, zones in zones_by_country().items():
            name = locale.territories.get(cc)
            if name:
                index.setdefault(_fold(name), set()).update(zones)
    return {key: tuple(sorted({canonical_zone(z) for z in zones})) for key, zones in index.items()}


def find_zones(text: str) -> tuple[str, ...]:
    """Zones a typed city, country or UTC offset may mean, best first; empty if none."""
    typed = text.strip()
    if not typed or len(typed) > 64:
        return ()
    offset_zone = zone_for_offset(typed)
    if offset_zone:
        return (offset_zone,)
    if typed in available_timezones():
        return (typed,)
    return _name_index().get(_fold(typed), ())


def zone_for_offset(text: str) -> str | None:
    match = _OFFSET_RE.match(text.strip())
    if not match:
        return None
    sign = -1 if match.group(1) in "-−" else 1
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if minutes == 0:
        if not (-12 <= sign * hours <= 14):
            return None
        # POSIX inverts the sign in Etc/GMT names: UTC+4 is Etc/GMT-4.
        return "UTC" if hours == 0 else f"Etc/GMT{'-' if sign > 0 else '+'}{hours}"
    return _FRACTIONAL_OFFSET_ZONES.get((sign, hours, minutes))


def utc_offset(zone: str, at: datetime) -> timedelta:
    offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    return offset if offset is not None else timedelta(0)
