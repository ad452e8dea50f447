from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.conduct.errors import ConductError, ConductErrorCode
from bot.domain.conduct.ladder import (
    DEFAULT_STRIKE_EXPIRY,
    Ladder,
    Step,
    StepKind,
    Strike,
    default_ladder,
)

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
WARN = Step(StepKind.WARN)
MUTE_1H = Step(StepKind.MUTE, timedelta(hours=1))
MUTE_24H = Step(StepKind.MUTE, timedelta(hours=24))
REMOVE = Step(StepKind.REMOVE)


def strikes_ago(*days: float, revoked: bool = False) -> list[Strike]:
    return [Strike(NOW - timedelta(days=d), revoked=revoked) for d in days]


def test_default_ladder() -> None:
    ladder = default_ladder()
    assert ladder.steps == (WARN, WARN, MUTE_1H, MUTE_24H, REMOVE)
    assert ladder.strike_expiry == DEFAULT_STRIKE_EXPIRY == timedelta(days=30)
    assert ladder.spec() == "warn, warn, mute 1h, mute 1d, remove"


def test_each_active_strike_moves_one_step_up_and_the_last_step_repeats() -> None:
    ladder = default_ladder()
    history: list[Strike] = []
    given_steps = []
    for minute in range(7):
        now = NOW + timedelta(minutes=minute)
        step = ladder.next_step(history, now)
        given_steps.append(step)
        history.append(Strike(now))
    assert given_steps == [WARN, WARN, MUTE_1H, MUTE_24H, REMOVE, REMOVE, REMOVE]


def test_strikes_expire_after_thirty_days() -> None:
    ladder = default_ladder()
    assert ladder.active_strikes(strikes_ago(29.9, 30, 31), NOW) == 1
    assert ladder.next_step(strikes_ago(29.9, 30, 31), NOW) == WARN
    assert ladder.next_step(strikes_ago(1, 2, 45, 60, 90), NOW) == MUTE_1H


def test_revoked_strikes_do_not_count() -> None:
    ladder = default_ladder()
    history = strikes_ago(1, 2) + strikes_ago(3, revoked=True)
    assert ladder.active_strikes(history, NOW) == 2
    assert ladder.next_step(history, NOW) == MUTE_1H


def test_strikes_after_now_do_not_count() -> None:
    # Evaluating "as of" an earlier moment must not see later sanctions.
    ladder = default_ladder()
    assert ladder.active_strikes(strikes_ago(-1, 1), NOW) == 1


def test_expiry_is_configurable() -> None:
    ladder = Ladder(default_ladder().steps, strike_expiry=timedelta(days=7))
    assert ladder.active_strikes(strikes_ago(1, 6, 8), NOW) == 2


def test_spec_round_trip() -> None:
    ladder = Ladder.from_spec("warn, Mute 30m, mute 1w, kick, ban 30d, ban")
    assert ladder.steps == (
        WARN,
        Step(StepKind.MUTE, timedelta(minutes=30)),
        Step(StepKind.MUTE, timedelta(weeks=1)),
        REMOVE,
        Step(StepKind.BAN, timedelta(days=30)),
        Step(StepKind.BAN),
    )
    assert Ladder.from_spec(ladder.spec()) == ladder


@pytest.mark.parametrize(
    ("spec", "code", "index"),
    [
        ("", ConductErrorCode.EMPTY_LADDER, None),
        ("warn, , mute 1h", ConductErrorCode.BAD_STEP, 1),
        ("warn, shout", ConductErrorCode.BAD_STEP, 1),
        ("mute", ConductErrorCode.BAD_STEP, 0),  # a mute needs a duration
        ("warn 1h", ConductErrorCode.BAD_STEP, 0),  # a warning has none
        ("remove 2d", ConductErrorCode.BAD_STEP, 0),
        ("mute 30x", ConductErrorCode.BAD_STEP, 0),
        ("mute 999d", ConductErrorCode.BAD_STEP, 0),
        ("warn, mute 0m", ConductErrorCode.BAD_STEP, 1),
    ],
)
def test_bad_specs(spec: str, code: ConductErrorCode, index: int | None) -> None:
    with pytest.raises(ConductError) as caught:
        Ladder.from_spec(spec)
    assert caught.value.code is code
    if index is not None:
        assert caught.value.params["index"] == index


@pytest.mark.parametrize(
    "step",
    [
        (StepKind.MUTE, None),
        (StepKind.MUTE, timedelta(seconds=20)),
        (StepKind.MUTE, timedelta(days=367)),
        (StepKind.WARN, timedelta(hours=1)),
    ],
)
def test_bad_steps(step: tuple[StepKind, timedelta | None]) -> None:
    with pytest.raises(ConductError) as caught:
        Step(*step)
    assert caught.value.code is ConductErrorCode.BAD_STEP


def test_bad_ladders() -> None:
    with pytest.raises(ConductError) as caught:
        Ladder(())
    assert caught.value.code is ConductErrorCode.EMPTY_LADDER
    with pytest.raises(ConductError) as caught:
        Ladder((WARN,), strike_expiry=timedelta(0))
    assert caught.value.code is ConductErrorCode.BAD_EXPIRY


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        default_ladder().next_step([], datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        default_ladder().next_step([Strike(datetime(2026, 1, 1))], NOW)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-5 * 1440, max_value=100 * 1440), max_size=12), st.booleans())
def test_the_step_only_depends_on_strikes_within_the_window(
    minutes_ago: list[int], add_old_strike: bool
) -> None:
    ladder = default_ladder()
    history = [Strike(NOW - timedelta(minutes=m)) for m in minutes_ago]
    step = ladder.next_step(history, NOW)
    if add_old_strike:
        assert ladder.next_step([*history, *strikes_ago(30.5)], NOW) == step
    active = sum(1 for m in minutes_ago if 0 <= m < 30 * 1440)
    assert step == ladder.steps[min(active, 4)]
