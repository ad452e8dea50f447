from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.conduct.errors import ConductError, ConductErrorCode
from bot.domain.conduct.flood import DEFAULT_PERSON_LIMIT, FloodState, RateLimit

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PERSON = RateLimit(count=5, window=timedelta(seconds=10))
GROUP = RateLimit(count=8, window=timedelta(seconds=10))


def test_default_is_five_in_ten_seconds() -> None:
    assert DEFAULT_PERSON_LIMIT == RateLimit(5, timedelta(seconds=10))


def test_the_sixth_message_within_the_window_breaks_the_limit() -> None:
    state = FloodState()
    counts = [state.record(1, T0 + timedelta(seconds=i), PERSON, GROUP).person for i in range(6)]
    assert counts == [1, 2, 3, 4, 5, 6]
    assert counts[-1] > PERSON.count


def test_messages_spread_over_more_than_the_window_never_break_it() -> None:
    state = FloodState()
    counts = [
        state.record(1, T0 + timedelta(seconds=2.5 * i), PERSON, GROUP).person for i in range(20)
    ]
    assert max(counts) == 4  # (t - 10 s, t] holds the current and three earlier messages


def test_a_message_exactly_one_window_later_no_longer_counts() -> None:
    state = FloodState()
    state.record(1, T0, PERSON, GROUP)
    assert state.record(1, T0 + timedelta(seconds=10), PERSON, GROUP).person == 1


def test_people_are_counted_apart_and_the_group_together() -> None:
    state = FloodState()
    for i in range(9):
        counts = state.record(i % 3, T0 + timedelta(seconds=i), PERSON, GROUP)
    assert counts.person == 3
    assert counts.group == 9
    assert counts.group > GROUP.count


def test_a_clock_going_backwards_counts_at_the_last_time() -> None:
    state = FloodState()
    state.record(1, T0 + timedelta(seconds=5), PERSON, GROUP)
    assert state.record(1, T0, PERSON, GROUP).person == 2
    assert state.record(1, T0 + timedelta(seconds=15), PERSON, GROUP).person == 1


def test_quiet_senders_are_forgotten() -> None:
    state = FloodState()
    for sender in range(300):
        state.record(sender, T0 + timedelta(minutes=sender), PERSON, GROUP)
    assert state.tracked_people() < 300


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        FloodState().record(1, datetime(2026, 1, 1), PERSON, GROUP)


@pytest.mark.parametrize(("count", "seconds"), [(0, 10), (5, 0), (5, -1)])
def test_bad_limits_are_refused(count: int, seconds: int) -> None:
    with pytest.raises(ConductError) as caught:
        RateLimit(count, timedelta(seconds=seconds))
    assert caught.value.code is ConductErrorCode.BAD_FLOOD_LIMIT
