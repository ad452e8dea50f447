"""Fairness you can see: moderation per side, released like the feedback figures (tally.py),
rates per message, and when the sides differ enough for organizers to be told.

Pure: no database, no Telegram, no catalogs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.domain.fairness.tally import Period, Shown, Tally, release, unit_shown

# Kinds of events, each released on its own (its own weeks, pools and suppression).
SANCTIONS = "sanctions"
REPORTS_FILED = "reports_filed"
REPORTS_DECIDED = "reports_decided"
APPEALS_FILED = "appeals_filed"
APPEALS_DECIDED = "appeals_decided"
KINDS = (SANCTIONS, REPORTS_FILED, REPORTS_DECIDED, APPEALS_FILED, APPEALS_DECIDED)

# Dimensions a side's events are broken down by.
RULE = "rule"  # sanctions: the rule a filter applied, or how a moderator came to act
ACTOR = "actor"  # sanctions: automatic, or the acting moderator's side
OUTCOME = "outcome"  # decided reports (acted on / dismissed) and appeals (upheld / rejected)
TIMELY = "timely"  # decided appeals: within the program's limit or later

AUTOMATIC = "auto"
MODERATOR_PREFIX = "mod:"  # + the moderator's side ("" when the moderator is on no side)
ACTED, DISMISSED = "acted", "dismissed"
UPHELD, REJECTED = "upheld", "rejected"
WITHIN, LATER = "within", "later"
BY_MODERATOR = "moderator"  # a moderator's own judgement (no filter, no report)

DEFAULT_ALERT_RATIO = 2.0
DEFAULT_APPEAL_HOURS = 48
# An alert needs at least this many sanctions in the period (and k, whichever is larger), so a
# single sanction never reads as a disparity.
MIN_ALERT_SANCTIONS = 5
# Half an event is added to each side before rates are compared, so a side without sanctions
# still compares (as a small rate, not zero) and the ratio stays finite.
SMOOTHING = 0.5
# A week's events count this long after it ended (a failed sanction is marked within seconds).
RELEASE_DELAY = timedelta(hours=1)


def sanction_rule(actor_rule: str | None, reason_code: str | None) -> str:
    """The rule category of a sanction: the filter's rule, the bot's reason, or the moderator's own."""
    if actor_rule and actor_rule.startswith("filter:"):
        return actor_rule.removeprefix("filter:")
    if reason_code:
        return reason_code
    return BY_MODERATOR


def actor_category(actor_rule: str | None, moderator_side: str | None) -> str:
    if actor_rule:
        return AUTOMATIC
    return MODERATOR_PREFIX + (moderator_side or "")


def week_of(moment: datetime, zone: str) -> tuple[datetime, datetime]:
    """The week (Monday 00:00 to Monday 00:00 in the program's zone) holding ``moment``, in UTC."""
    # Every zone's offset is a whole number of quarter hours: the week is that of the quarter.
    quarter = moment.astimezone(UTC).replace(second=0, microsecond=0)
    return _week_of(quarter.replace(minute=quarter.minute - quarter.minute % 15), zone)


@lru_cache(maxsize=65536)
def _week_of(moment: datetime, zone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz).date()
    monday = local - timedelta(days=local.weekday())
    start = datetime.combine(monday, time(), tz)
    end = datetime.combine(monday + timedelta(days=7), time(), tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def month_of(moment: datetime, zone: str) -> tuple[str, datetime, datetime]:
    """The calendar month in the zone holding ``moment``: its key ("2026-03") and bounds in UTC."""
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz).date()
    first = date(local.year, local.month, 1)
    following = date(local.year + local.month // 12, local.month % 12 + 1, 1)
    return (
        f"{first.year:04d}-{first.month:02d}",
        datetime.combine(first, time(), tz).astimezone(UTC),
        datetime.combine(following, time(), tz).astimezone(UTC),
    )


def per_thousand(events: int, messages: int) -> float | None:
    """Events per 1,000 messages; None without messages."""
    return events * 1000 / messages if messages else None


@dataclass(frozen=True, slots=True)
class Disparity:
    high: str  # the side with more sanctions per message
    low: str
    ratio: float  # smoothed rate of ``high`` over that of ``low``


def disparity(sanctions: Mapping[str, int], messages: Mapping[str, int]) -> Disparity | None:
    """The widest ratio of sanctions per message between two sides that wrote messages."""
    rates = {
        side: (sanctions.get(side, 0) + SMOOTHING) / n for side, n in messages.items() if n > 0
    }
    if len(rates) < 2:
        return None
    high = max(rates, key=lambda side: (rates[side], side))
    low = min(rates, key=lambda side: (rates[side], side))
    if high == low or math.isclose(rates[high], rates[low]):
        return None
    return Disparity(high=high, low=low, ratio=rates[high] / rates[low])


def should_alert(
    sanctions: Mapping[str, int],
    messages: Mapping[str, int],
    *,
    ratio: float,
    k: int,
) -> Disparity | None:
    """The disparity organizers must hear about, or None (too few sanctions, within the ratio)."""
    if sum(sanctions.values()) < max(MIN_ALERT_SANCTIONS, k):
        return None
    found = disparity(sanctions, messages)
    if found is None or found.ratio <= ratio:
        return None
    return found


__all__ = [
    "Disparity",
    "Period",
    "Shown",
    "Tally",
    "disparity",
    "month_of",
    "per_thousand",
    "release",
    "should_alert",
    "unit_shown",
    "week_of",
]
