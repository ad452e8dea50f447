"""Flood control: too many messages from one person, or a burst into the whole group (a raid).

State is per chat and in memory: the bot's single process sees every message of its chats, and a
restart forgetting the last ten seconds is harmless. ``now`` is passed in, never read.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.conduct.errors import ConductError, ConductErrorCode


@dataclass(frozen=True)
class RateLimit:
    """More than ``count`` messages within ``window`` breaks the limit."""

    count: int
    window: timedelta

    def __post_init__(self) -> None:
        if self.count < 1 or self.window <= timedelta(0):
            raise ConductError(
                ConductErrorCode.BAD_FLOOD_LIMIT, count=self.count, window=self.window
            )


DEFAULT_PERSON_LIMIT = RateLimit(count=5, window=timedelta(seconds=10))
# A lively dialogue group of ten to twenty people stays well under this; a raid of fresh accounts
# posting at once does not.
DEFAULT_GROUP_LIMIT = RateLimit(count=20, window=timedelta(seconds=10))

_SWEEP_EVERY = 256


@dataclass(frozen=True)
class FloodCounts:
    """Messages within each window, the current one included."""

    person: int
    group: int


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")


class FloodState:
    """Recent message times of one chat: per sender and for the whole group."""

    def __init__(self) -> None:
        self._people: dict[int, deque[datetime]] = {}
        self._group: deque[datetime] = deque()
        self._recorded = 0

    def record(
        self, sender_id: int, now: datetime, person: RateLimit, group: RateLimit
    ) -> FloodCounts:
        """Count a new message from ``sender_id`` at ``now``; returns counts within the windows.

        Times are kept non-decreasing: a ``now`` earlier than the last one seen (clock jitter,
        updates handled out of order) counts at the last time.
        """
        _require_aware(now)
        times = self._people.setdefault(sender_id, deque())
        at = max(now, times[-1]) if times else now
        at = max(at, self._group[-1]) if self._group else at
        times.append(at)
        self._group.append(at)
        _drop_before(times, at - person.window)
        _drop_before(self._group, at - group.window)
        self._recorded += 1
        if self._recorded % _SWEEP_EVERY == 0:
            self._sweep(at - person.window)
        return FloodCounts(person=len(times), group=len(self._group))

    def tracked_people(self) -> int:
        """How many senders have times kept (memory stays bounded by recent senders)."""
        return len(self._people)

    def _sweep(self, cutoff: datetime) -> None:
        quiet = [sender for sender, times in self._people.items() if times[-1] <= cutoff]
        for sender in quiet:
            del self._people[sender]


def _drop_before(times: deque[datetime], cutoff: datetime) -> None:
    """Keep only times strictly inside the window (now - window, now]."""
    while times and times[0] <= cutoff:
        times.popleft()
