"""/findtime: slot proposals and the recommendation order."""

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from bot.domain.scheduling import (
    MAX_FINDTIME_SLOTS,
    FindTimeMember,
    SchedulingError,
    SchedulingErrorCode,
    get_zone,
    is_convenient,
    propose_slots,
    recommend,
    score_slots,
)

H = timedelta(hours=1)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# Two sides: Armenia (Yerevan, +04) and Germany (Berlin, +01 in early March).
ANI = FindTimeMember(1, "am", "Asia/Yerevan")
ARAM = FindTimeMember(2, "am", "Asia/Yerevan")
BEN = FindTimeMember(3, "de", "Europe/Berlin")
BIRGIT = FindTimeMember(4, "de", "Europe/Berlin")
GROUP = [ANI, ARAM, BEN, BIRGIT]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_most_available_members_wins() -> None:
    slots = [utc(2026, 3, 5, 15), utc(2026, 3, 6, 15), utc(2026, 3, 7, 15)]
    answers = {1: {0, 1}, 2: {1}, 3: {1, 2}, 4: {2}}
    scores = score_slots(slots, GROUP, answers)
    assert [s.slot_index for s in scores] == [1, 2, 0]
    assert scores[0].available_count == 3
    assert scores[0].available_by_side == (("am", 2), ("de", 1))
    assert recommend(scores) == scores[0]


def test_equal_availability_prefers_side_balance() -> None:
    slots = [utc(2026, 3, 5, 15), utc(2026, 3, 6, 15)]
    answers = {1: {0, 1}, 2: {0}, 3: {1}}  # slot 0: am+am; slot 1: am+de
    scores = score_slots(slots, GROUP, answers)
    assert [s.slot_index for s in scores] == [1, 0]
    assert (scores[0].side_balance, scores[1].side_balance) == (0.5, 0.0)


def test_side_balance_is_a_share_of_each_side() -> None:
    # a bigger side should not win just by having more people
    big_side = [
        *GROUP,
        FindTimeMember(5, "de", "Europe/Berlin"),
        FindTimeMember(6, "de", "Europe/Berlin"),
    ]
    slots = [utc(2026, 3, 5, 15), utc(2026, 3, 6, 15)]
    answers = {1: {1}, 3: {0, 1}, 4: {0}, 5: {0}, 6: {1}}  # slot 0: 3 de; slot 1: 1 am + 2 de
    scores = score_slots(slots, big_side, answers)
    assert [s.slot_index for s in scores] == [1, 0]
    assert scores[0].side_balance == pytest.approx(0.5)


def test_equal_availability_and_balance_prefers_less_inconvenience() -> None:
    # 05:00 UTC: 09:00 in Yerevan but 06:00 in Berlin; 15:00 UTC: fine for both.
    slots = [utc(2026, 3, 5, 5), utc(2026, 3, 6, 15)]
    answers = {1: {0, 1}, 3: {0, 1}}
    scores = score_slots(slots, GROUP, answers, duration=H)
    assert [s.slot_index for s in scores] == [1, 0]
    assert scores[1].inconvenience == 1.0
    assert scores[1].inconvenienced_member_ids == (3,)
    assert scores[1].inconvenienced_sides == frozenset({"de"})


def test_a_side_inconvenienced_last_time_weighs_more() -> None:
    # slot 0 is early for Berlin (06:00), slot 1 is late for Yerevan (23:00)
    slots = [utc(2026, 3, 5, 5), utc(2026, 3, 6, 19)]
    answers = {1: {0, 1}, 3: {0, 1}}
    assert recommend(score_slots(slots, GROUP, answers, {"de"}, H)).slot_index == 1
    assert recommend(score_slots(slots, GROUP, answers, {"am"}, H)).slot_index == 0
    # with no history the two are equal and the earlier slot wins
    assert recommend(score_slots(slots, GROUP, answers, frozenset(), H)).slot_index == 0


def test_only_attendees_count_as_inconvenienced() -> None:
    slots = [utc(2026, 3, 5, 5)]  # 06:00 in Berlin
    scores = score_slots(slots, GROUP, {1: {0}, 2: {0}}, duration=H)
    assert scores[0].inconvenience == 0.0


def test_nobody_available_means_no_recommendation() -> None:
    slots = [utc(2026, 3, 5, 15), utc(2026, 3, 6, 15)]
    scores = score_slots(slots, GROUP, {})
    assert [s.available_count for s in scores] == [0, 0]
    assert recommend(scores) is None
    assert recommend([]) is None


def test_answers_of_former_members_are_ignored_and_bad_indexes_refused() -> None:
    slots = [utc(2026, 3, 5, 15)]
    assert score_slots(slots, GROUP, {99: {0}})[0].available_count == 0
    with pytest.raises(ValueError, match="outside"):
        score_slots(slots, GROUP, {1: {1}})


def test_unknown_member_zone_is_a_domain_error() -> None:
    with pytest.raises(SchedulingError) as caught:
        score_slots([utc(2026, 3, 5, 15)], [FindTimeMember(1, "x", "Nowhere/City")], {1: {0}})
    assert caught.value.code is SchedulingErrorCode.UNKNOWN_ZONE


@pytest.mark.parametrize(
    ("local_start", "duration", "expected"),
    [
        (datetime(2026, 3, 5, 8, 0), H, True),
        (datetime(2026, 3, 5, 7, 59), H, False),
        (datetime(2026, 3, 5, 21, 0), H, True),  # ends exactly 22:00
        (datetime(2026, 3, 5, 21, 1), H, False),
        (datetime(2026, 3, 5, 23, 30), H, False),
        (datetime(2026, 3, 5, 22, 0), timedelta(0), True),
    ],
)
def test_convenient_window_is_0800_to_2200_local(
    local_start: datetime, duration: timedelta, expected: bool
) -> None:
    start = local_start.replace(tzinfo=get_zone("Asia/Kathmandu")).astimezone(UTC)
    assert is_convenient(start, duration, "Asia/Kathmandu") is expected


def _check_proposals(slots: list[datetime], now: datetime, lead: timedelta) -> None:
    assert 0 < len(slots) <= MAX_FINDTIME_SLOTS
    assert slots == sorted(slots)
    assert all(s >= now + lead for s in slots)
    assert all(b - a >= 3 * H for a, b in pairwise(slots))


def test_proposals_fit_everyones_day_when_possible() -> None:
    members = [*GROUP, FindTimeMember(7, "de", "America/Santiago")]
    slots = propose_slots(members, NOW, H)
    _check_proposals(slots, NOW, timedelta(hours=12))
    assert len(slots) == 8
    assert all(is_convenient(s, H, m.zone) for s in slots for m in members)
    # a spread of times of day, not the same hour every day
    assert len({s.time() for s in slots}) >= 3
    assert len({s.date() for s in slots}) >= 6


def test_proposals_across_kathmandu_and_new_york_use_the_narrow_overlap() -> None:
    members = [
        FindTimeMember(1, "np", "Asia/Kathmandu"),
        FindTimeMember(2, "us", "America/New_York"),
    ]
    slots = propose_slots(members, NOW, H)
    _check_proposals(slots, NOW, timedelta(hours=12))
    # about one per day fits both (13:00-15:15 UTC); a 02:45 slot for Kathmandu is never padding
    assert len(slots) >= 7
    assert all(is_convenient(s, H, m.zone) for s in slots for m in members)


def test_when_nobody_can_be_spared_the_side_inconvenienced_last_time_is_spared() -> None:
    # Auckland (+13) and London (+00): no 4-hour slot fits both days.
    members = [
        FindTimeMember(1, "nz", "Pacific/Auckland"),
        FindTimeMember(2, "uk", "Europe/London"),
    ]
    spare_nz = propose_slots(members, NOW, 4 * H, last_inconvenienced_sides={"nz"})
    spare_uk = propose_slots(members, NOW, 4 * H, last_inconvenienced_sides={"uk"})
    assert all(is_convenient(s, 4 * H, "Pacific/Auckland") for s in spare_nz)
    assert not any(is_convenient(s, 4 * H, "Europe/London") for s in spare_nz)
    assert all(is_convenient(s, 4 * H, "Europe/London") for s in spare_uk)


def test_no_members_still_proposes_times() -> None:
    slots = propose_slots([], NOW, H, days=2, max_slots=3)
    _check_proposals(slots, NOW, timedelta(hours=12))
    assert len(slots) == 3
    assert all(s.minute in (0, 30) and s.second == 0 for s in slots)
