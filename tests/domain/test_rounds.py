"""Perspective rounds, pure logic: who tells and who listens over a program, and the steps."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.errors import BridgeError
from bot.domain.rounds import (
    DONE,
    RATING,
    REPEAT_OFFER,
    RESTATING,
    STOPPED,
    TELLING,
    Event,
    Member,
    RoundError,
    Timing,
    Turn,
    advance,
    choose_pair,
    start,
)
from bot.domain.rounds.steps import NOTE_NO_RATING, NOTE_NO_RESTATEMENT, NOTE_TIME_UP, validate_tell

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
T = Timing()


def _members(a: int, b: int) -> list[Member]:
    return [Member(100 + i, 1) for i in range(a)] + [Member(200 + i, 2) for i in range(b)]


def _play(members, rounds: int) -> list[Turn]:
    history: list[Turn] = []
    for _ in range(rounds):
        pair = choose_pair(members, history)
        history.append(
            Turn(
                pair.teller.person_id,
                pair.listener.person_id,
                pair.teller.side_id,
                pair.listener.side_id,
            )
        )
    return history


def test_twelve_members_each_tell_and_listen_once_in_twelve_rounds_sides_alternating():
    members = _members(6, 6)
    history = _play(members, 12)
    assert Counter(t.teller_id for t in history) == Counter({m.person_id: 1 for m in members})
    assert Counter(t.listener_id for t in history) == Counter({m.person_id: 1 for m in members})
    assert [t.teller_side for t in history] == [1, 2] * 6
    assert all(t.teller_side != t.listener_side for t in history)
    assert len({(t.teller_id, t.listener_id) for t in history}) == 12


def test_uneven_sides_share_the_telling_by_side_size_and_no_pair_repeats_while_others_can():
    members = _members(2, 5)
    history = _play(members, 14)
    tells = Counter(t.teller_id for t in history)
    assert set(tells.values()) == {2}  # everyone told twice
    pairs = [(t.teller_id, t.listener_id) for t in history]
    assert len(set(pairs)) == len(pairs)
    # The small side listens to more tellings; the big side needs longer for everyone to listen.
    longer = _play(members, 21)
    assert set(Counter(t.listener_id for t in longer)) == {m.person_id for m in members}


def test_three_sides_the_listener_comes_from_another_side():
    members = [Member(1, 1), Member(2, 2), Member(3, 3), Member(4, 1)]
    history = _play(members, 8)
    assert all(t.teller_side != t.listener_side for t in history)
    assert set(Counter(t.teller_id for t in history).values()) == {2}


def test_one_side_only_and_everyone_passed_are_refused():
    with pytest.raises(BridgeError) as one:
        choose_pair([Member(1, 1), Member(2, 1)], [])
    assert one.value.code == "round_one_side"
    with pytest.raises(BridgeError) as gone:
        choose_pair(_members(1, 1), [], exclude={200})
    assert gone.value.code == "round_no_teller"


def test_a_passing_member_is_replaced_from_the_same_side_when_possible():
    members = _members(2, 2)
    first = choose_pair(members, [])
    again = choose_pair(members, [], exclude={first.teller.person_id})
    assert again.teller.side_id == first.teller.side_id
    assert again.teller.person_id != first.teller.person_id
    other = choose_pair(members, [], exclude={first.listener.person_id})
    assert other.teller == first.teller and other.listener.person_id != first.listener.person_id


def test_steps_of_a_round_told_restated_rated_high():
    state = start(NOW, T)
    assert (state.step, state.attempt, state.deadline) == (TELLING, 1, NOW + T.tell)
    state = advance(state, Event.TELLER_DONE, NOW + timedelta(minutes=1), T)
    assert state.step == RESTATING and state.told
    state = advance(state, Event.RESTATED, NOW + timedelta(minutes=2), T)
    assert state.step == RATING and state.deadline == NOW + timedelta(minutes=2) + T.rate
    state = advance(state, Event.RATED, NOW + timedelta(minutes=3), T, value=4)
    assert (state.step, state.rating, state.deadline) == (DONE, 4, None)
    with pytest.raises(RoundError):
        advance(state, Event.RATED, NOW, T, value=4)  # a second press changes nothing


def test_a_low_rating_offers_one_repeat_and_only_one():
    state = advance(
        advance(advance(start(NOW, T), Event.TELLER_DONE, NOW, T), Event.RESTATED, NOW, T),
        Event.RATED,
        NOW,
        T,
        value=2,
    )
    assert (state.step, state.rating) == (REPEAT_OFFER, 2)
    state = advance(state, Event.REPEAT, NOW, T)
    assert (state.step, state.attempt) == (TELLING, 2)
    state = advance(advance(state, Event.TELLER_DONE, NOW, T), Event.RESTATED, NOW, T)
    state = advance(state, Event.RATED, NOW, T, value=1)
    assert (state.step, state.rating) == (DONE, 1)


def test_timeouts_move_on_with_a_note_only_once_the_deadline_passed():
    state = start(NOW, T)
    with pytest.raises(RoundError):
        advance(state, Event.TIMEOUT, NOW + T.tell - timedelta(seconds=1), T)
    state = advance(state, Event.TIMEOUT, NOW + T.tell, T)
    assert (state.step, state.note) == (RESTATING, NOTE_TIME_UP)
    later = state.deadline
    state = advance(state, Event.TIMEOUT, later, T)
    assert (state.step, state.note) == (RATING, NOTE_NO_RESTATEMENT)
    state = advance(state, Event.TIMEOUT, state.deadline + timedelta(hours=5), T)
    assert (state.step, state.note, state.rating) == (DONE, NOTE_NO_RATING, None)


def test_skip_stop_and_a_member_gone():
    state = advance(start(NOW, T), Event.SKIP, NOW, T)
    assert state.step == RESTATING
    assert advance(state, Event.SKIP, NOW, T).step == RATING
    assert advance(state, Event.STOP, NOW, T).step == STOPPED
    assert advance(state, Event.GONE, NOW, T).step == DONE
    with pytest.raises(RoundError):
        advance(advance(state, Event.STOP, NOW, T), Event.SKIP, NOW, T)
    with pytest.raises(BridgeError):
        advance(advance(state, Event.RESTATED, NOW, T), Event.RATED, NOW, T, value=9)


def test_telling_length_is_bounded():
    assert validate_tell(timedelta(minutes=5)) == timedelta(minutes=5)
    with pytest.raises(RoundError):
        validate_tell(timedelta(minutes=30))
