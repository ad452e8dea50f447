"""The pure rules behind storing answers: coarsening, batches and sealing."""

from __future__ import annotations

import random
from datetime import date

import pytest

from bot.domain.anonymity.batching import split_batch
from bot.domain.anonymity.coarsening import (
    DAY,
    ROLE,
    SIDE,
    WEEK,
    attribute_plan,
    day_plan,
    join_labels,
    split_labels,
)
from bot.domain.anonymity.sealing import SealBroken, seal, seal_key, unseal

K = 5


def _stored_classes(invitees, plan):
    return [plan.apply(side, role)[:2] for side, role in invitees]


def _matches(stored, invitees, plan) -> int:
    """How many invitees a stored (side, role) could be (a dropped value matches anyone)."""
    side, role = stored
    return sum(
        1
        for s, r in invitees
        if ((side is None and plan.drop_side) or side == s) and (role is None or role == r)
    )


@pytest.mark.parametrize(
    "invitees",
    [
        [("A", "student")] * 6 + [("A", "professional")] + [("B", "student")] * 6,
        [("A", "student")] * 3 + [("B", "student")] * 9,
        [("A", "student")] * 5 + [("A", "professional")] * 5 + [("B", "professional")] * 2,
        [("A", "student")] * 7 + [(None, None)] * 2 + [("B", "student")] * 7,
        [("A", "student")] * 4 + [("B", "professional")] * 4,
    ],
)
def test_no_stored_combination_matches_fewer_than_k_invitees(invitees) -> None:
    plan = attribute_plan(invitees, K)
    for stored in _stored_classes(invitees, plan):
        assert _matches(stored, invitees, plan) >= K


def test_a_lone_professional_is_not_singled_out_and_the_choice_is_per_side() -> None:
    invitees = [("A", "student")] * 6 + [("A", "professional")] + [("B", "student")] * 6
    plan = attribute_plan(invitees, K)
    # Every answer of side A drops its role (else "role missing" would itself point at her)...
    assert plan.apply("A", "professional") == ("A", None, (ROLE,))
    assert plan.apply("A", "student") == ("A", None, (ROLE,))
    # ...side B, where every class reaches k, keeps it.
    assert plan.apply("B", "student") == ("B", "student", ())


def test_a_small_side_drops_every_side() -> None:
    invitees = [("A", "student")] * 3 + [("B", "student")] * 9
    plan = attribute_plan(invitees, K)
    assert plan.apply("B", "student") == (None, "student", (SIDE,))
    assert plan.apply("A", "student") == (None, "student", (SIDE,))
    mixed = [("A", "student")] * 3 + [("B", "student")] * 9 + [("B", "professional")] * 2
    assert attribute_plan(mixed, K).apply("B", "professional") == (None, None, (SIDE, ROLE))


def test_days_are_kept_widened_or_dropped_per_batch() -> None:
    monday, tuesday, next_monday = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 9)
    opened = date(2026, 3, 1)
    assert day_plan([monday] * 5, K, opened) == ({monday: monday}, None)
    mapping, label = day_plan([monday] * 3 + [tuesday] * 2, K, opened)
    assert label == WEEK and set(mapping.values()) == {monday}
    mapping, label = day_plan([monday] * 3 + [next_monday] * 3, K, opened)
    assert label == DAY and set(mapping.values()) == {opened}
    assert day_plan([monday] * 2, K, opened)[1] == DAY  # a small last batch keeps no day


def test_labels_round_trip_in_a_fixed_order() -> None:
    assert join_labels([WEEK, ROLE, ROLE]) == "role+week"
    assert split_labels("role+week") == (ROLE, WEEK) and split_labels("") == ()


def test_batches_wait_for_2k_and_keep_k_back_at_random() -> None:
    rng = random.Random(3)
    write, keep = split_batch(list(range(9)), K, closing=False, rng=rng)
    assert write == [] and sorted(keep) == list(range(9))
    write, keep = split_batch(list(range(10)), K, closing=False, rng=rng)
    assert len(write) == 5 and len(keep) == 5 and sorted(write + keep) == list(range(10))
    # Which answers are kept back is random: over many draws every answer is sometimes written.
    written = set()
    for _ in range(200):
        written |= set(split_batch(list(range(10)), K, closing=False, rng=rng)[0])
    assert written == set(range(10))
    write, keep = split_batch(list(range(3)), K, closing=True, rng=rng)
    assert sorted(write) == [0, 1, 2] and keep == []


def test_sealed_bundles_open_only_with_the_key_and_for_their_instance() -> None:
    key = seal_key(b"a-server-secret-of-enough-length")
    entries = [{"v": [[1, 4]], "c": [9, "zqmarker"], "s": 1, "r": "student", "d": "2026-03-02"}]
    sealed = seal(key, 7, entries)
    assert b"zqmarker" not in sealed and b"student" not in sealed
    assert len(sealed) % 1024 == 12 + 16  # nonce + padded body + tag: the length says little
    assert unseal(key, 7, sealed) == entries
    assert seal(key, 7, entries) != sealed  # a fresh nonce each time
    with pytest.raises(SealBroken):
        unseal(key, 8, sealed)
    with pytest.raises(SealBroken):
        unseal(seal_key(b"another-secret-of-enough-length"), 7, sealed)
