"""/findtime: propose candidate slots and rank them by the members' answers.

Ranking key, best first (``SlotScore.sort_key``):
1. more members available;
2. better side balance: the smallest share of a side's members who are available;
3. less inconvenience: available members whose session would fall outside 08:00-22:00 local time,
   each weighing ``INCONVENIENCED_SIDE_WEIGHT`` if their side was inconvenienced last time, else 1
   (only attendees count: an unavailable member is not inconvenienced by the slot);
4. the earlier slot, so the result is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from bot.domain.scheduling.zones import get_zone, require_aware

MAX_FINDTIME_SLOTS = 8
CONVENIENT_FROM = time(8, 0)
CONVENIENT_UNTIL = time(22, 0)
INCONVENIENCED_SIDE_WEIGHT = 2.0


@dataclass(frozen=True, slots=True)
class FindTimeMember:
    id: int
    side: str
    zone: str


@dataclass(frozen=True, slots=True)
class SlotScore:
    slot_index: int
    start_utc: datetime
    available_count: int
    available_by_side: tuple[tuple[str, int], ...]  # every side of the group, sorted by side
    side_balance: float  # min over sides of (available members / members), 0.0..1.0
    inconvenience: float
    inconvenienced_member_ids: tuple[int, ...]
    inconvenienced_sides: frozenset[str]  # store these as "inconvenienced last time" if chosen

    @property
    def sort_key(self) -> tuple[int, float, float, datetime, int]:
        return (
            -self.available_count,
            -self.side_balance,
            self.inconvenience,
            self.start_utc,
            self.slot_index,
        )


def is_convenient(start_utc: datetime, duration: timedelta, zone: str) -> bool:
    """Whether the session lies within 08:00-22:00 of one local day in ``zone``."""
    tz = get_zone(zone)
    start = require_aware(start_utc, "start_utc")
    local_start, local_end = start.astimezone(tz), (start + duration).astimezone(tz)
    return (
        local_start.time() >= CONVENIENT_FROM
        and local_end.date() == local_start.date()
        and local_end.time() <= CONVENIENT_UNTIL
    )


def score_slots(
    slots: Sequence[datetime],
    members: Sequence[FindTimeMember],
    answers: Mapping[int, Set[int]],
    last_inconvenienced_sides: Set[str] = frozenset(),
    duration: timedelta = timedelta(0),
) -> list[SlotScore]:
    """Every slot scored from ``answers`` (member id -> indexes of slots they can make), best first.

    Answers of people who are no longer members are ignored; an index outside ``slots`` is a
    programming error (callback data is validated before it gets here) and raises ValueError.
    """
    for member_id, indexes in answers.items():
        if any(not 0 <= index < len(slots) for index in indexes):
            raise ValueError(f"member {member_id} answered a slot outside 0..{len(slots) - 1}")
    side_sizes = _side_sizes(members)
    scores = []
    for index, slot in enumerate(slots):
        start = require_aware(slot, f"slots[{index}]")
        attendees = [m for m in members if index in answers.get(m.id, ())]
        inconvenienced = [m for m in attendees if not is_convenient(start, duration, m.zone)]
        available_by_side = {side: 0 for side in side_sizes}
        for member in attendees:
            available_by_side[member.side] += 1
        scores.append(
            SlotScore(
                slot_index=index,
                start_utc=start,
                available_count=len(attendees),
                available_by_side=tuple(sorted(available_by_side.items())),
                side_balance=_balance(available_by_side, side_sizes),
                inconvenience=_weighted(inconvenienced, last_inconvenienced_sides),
                inconvenienced_member_ids=tuple(m.id for m in inconvenienced),
                inconvenienced_sides=frozenset(m.side for m in inconvenienced),
            )
        )
    return sorted(scores, key=lambda score: score.sort_key)


def recommend(scores: Sequence[SlotScore]) -> SlotScore | None:
    """The best of ``score_slots``' result, or None when nobody is available at any slot."""
    best = min(scores, key=lambda score: score.sort_key, default=None)
    return best if best is not None and best.available_count > 0 else None


def propose_slots(
    members: Sequence[FindTimeMember],
    now: datetime,
    duration: timedelta,
    *,
    days: int = 7,
    lead: timedelta = timedelta(hours=12),
    step: timedelta = timedelta(minutes=30),
    min_gap: timedelta = timedelta(hours=3),
    max_slots: int = MAX_FINDTIME_SLOTS,
    last_inconvenienced_sides: Set[str] = frozenset(),
) -> list[datetime]:
    """Up to ``max_slots`` candidate starts (UTC, chronological) in the ``days`` after ``now + lead``.

    Candidates lie on ``step`` boundaries of UTC. Only the candidates that ``score_slots`` would
    rank best if every member said yes to every slot inside their 08:00-22:00 day are offered (a
    slot at 03:00 for someone is never padding for a list that has good ones; since days repeat,
    that still leaves about one per day). Each pick is the one, at least ``min_gap`` from every
    earlier pick, with the fewest earlier picks sharing its day or lying within ``min_gap`` of its
    time of day (a spread of days and hours to choose from), then the widest margin to anyone's
    08:00 or 22:00, then the earlier start.
    """
    current = require_aware(now, "now")
    first = _ceil_to_step(current + lead, step)
    candidates = [first + i * step for i in range(timedelta(days=days) // step)]
    fit = {
        start: _proposal_fit(start, members, duration, last_inconvenienced_sides)
        for start in candidates
    }
    best_rank = min((rank for rank, _ in fit.values()), default=None)
    good = [c for c in candidates if fit[c][0] == best_rank]
    chosen: list[datetime] = []
    while len(chosen) < max_slots:
        eligible = [c for c in good if all(abs(c - other) >= min_gap for other in chosen)]
        if not eligible:
            break
        chosen.append(min(eligible, key=lambda c: (_crowding(c, chosen, min_gap), fit[c][1], c)))
    return sorted(chosen)


def _crowding(start: datetime, chosen: Sequence[datetime], min_gap: timedelta) -> int:
    day = timedelta(days=1)
    crowding = 0
    for other in chosen:
        apart = (start - other) % day
        crowding += start.date() == other.date()
        crowding += min(apart, day - apart) < min_gap
    return crowding


def _proposal_fit(
    start: datetime,
    members: Sequence[FindTimeMember],
    duration: timedelta,
    last_inconvenienced_sides: Set[str],
) -> tuple[tuple[int, float, float], float]:
    """(rank as score_slots would see it, minus the narrowest margin in minutes); lower is better."""
    side_sizes = _side_sizes(members)
    fits = {side: 0 for side in side_sizes}
    outside: list[FindTimeMember] = []
    margins: list[float] = []
    for member in members:
        if is_convenient(start, duration, member.zone):
            fits[member.side] += 1
            margins.append(_margin_minutes(start, duration, member.zone))
        else:
            outside.append(member)
    rank = (
        -sum(fits.values()),
        -_balance(fits, side_sizes),
        _weighted(outside, last_inconvenienced_sides),
    )
    return rank, -min(margins, default=0.0)


def _margin_minutes(start: datetime, duration: timedelta, zone: str) -> float:
    tz = get_zone(zone)
    local_start, local_end = start.astimezone(tz), (start + duration).astimezone(tz)
    day_opens = datetime.combine(local_start.date(), CONVENIENT_FROM)
    day_closes = datetime.combine(local_start.date(), CONVENIENT_UNTIL)
    after_open = local_start.replace(tzinfo=None) - day_opens
    before_close = day_closes - local_end.replace(tzinfo=None)
    return min(after_open, before_close).total_seconds() / 60


def _side_sizes(members: Iterable[FindTimeMember]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for member in members:
        sizes[member.side] = sizes.get(member.side, 0) + 1
    return sizes


def _balance(counts: Mapping[str, int], side_sizes: Mapping[str, int]) -> float:
    return min((counts[side] / size for side, size in side_sizes.items()), default=0.0)


def _weighted(members: Iterable[FindTimeMember], heavier_sides: Set[str]) -> float:
    return sum(INCONVENIENCED_SIDE_WEIGHT if m.side in heavier_sides else 1.0 for m in members)


def _ceil_to_step(moment: datetime, step: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    # Floor division of the negated distance is an exact integer ceiling (no float rounding).
    return epoch - ((epoch - moment) // step) * step
