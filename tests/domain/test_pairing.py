"""Cross-border pairs: who may talk to whom, and who talks to whom this week."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.pairing import (
    DEFAULT_HOURS,
    Member,
    PairingError,
    UnpairedReason,
    WakingHours,
    compatible,
    distribution,
    histogram,
    match,
    overlap_minutes,
    pair_key,
    parse_waking_hours,
    pick_question,
    pseudonym,
    utc_offset_minutes,
)

EN = frozenset({"en"})
WINTER = datetime(2026, 12, 7, 12, tzinfo=UTC)
SUMMER = datetime(2027, 7, 5, 12, tzinfo=UTC)


def m(i, side, langs=EN, offset=0) -> Member:
    return Member(i, side, frozenset(langs), offset)


# ---- who may be paired --------------------------------------------------------------------------------


def test_pairs_need_another_side_a_shared_language_and_shared_waking_hours() -> None:
    ani = m(1, "Armenia", {"hy", "ru"}, 240)
    elvin = m(2, "Azerbaijan", {"az", "ru"}, 240)
    aram = m(3, "Armenia", {"hy", "ru"}, 240)
    leyla = m(4, "Azerbaijan", {"az", "tr"}, 240)
    assert compatible(ani, elvin)  # Russian in common, same hours
    assert not compatible(ani, aram)  # the same side
    assert not compatible(ani, leyla)  # no common language


def test_waking_hours_overlap_across_zones() -> None:
    yerevan = utc_offset_minutes("Asia/Yerevan", WINTER)
    los_angeles = utc_offset_minutes("America/Los_Angeles", WINTER)
    assert (yerevan, los_angeles) == (240, -480)
    # 08:00-22:00 in both: Yerevan's evening is LA's morning (and the other way round), 4 h in all.
    assert overlap_minutes(yerevan, los_angeles) == 4 * 60
    assert overlap_minutes(yerevan, yerevan) == 14 * 60
    tight = WakingHours(9 * 60, 21 * 60)
    assert overlap_minutes(yerevan, los_angeles, tight) == 0
    a, b = m(1, "A", offset=yerevan), m(2, "B", offset=los_angeles)
    assert compatible(a, b)
    assert not compatible(a, b, tight)
    assert not compatible(a, b, min_overlap=5 * 60)
    # Summer time is taken at the moment of pairing.
    assert utc_offset_minutes("America/Los_Angeles", SUMMER) == -420
    assert utc_offset_minutes("Not/AZone", SUMMER) == 0


def test_waking_hours_from_text() -> None:
    assert parse_waking_hours("08:00-22:00") == DEFAULT_HOURS
    assert parse_waking_hours(" 22:00 – 06:30 ").length == 8 * 60 + 30  # over midnight
    assert DEFAULT_HOURS.text() == "08:00–22:00"
    for bad in ("8-22", "25:00-10:00", "10:00-10:00", "", "08:61-09:00"):
        with pytest.raises(PairingError) as caught:
            parse_waking_hours(bad)
        assert caught.value.code == "pairs_bad_waking_hours"


# ---- a week's pairs -----------------------------------------------------------------------------------


def _check(pairing, members, hours=DEFAULT_HOURS) -> None:
    by_id = {x.id: x for x in members}
    seen = [i for pair in pairing.pairs for i in pair]
    assert len(seen) == len(set(seen))  # nobody twice
    for a, b in pairing.pairs:
        assert a < b and compatible(by_id[a], by_id[b], hours)
    assert set(seen) | {u.id for u in pairing.unpaired} == set(by_id)


def test_two_sides_are_paired_across_and_the_odd_one_sits_out() -> None:
    members = [m(i, "A" if i < 4 else "B") for i in range(7)]  # 4 and 3
    pairing = match(members, seed=1)
    _check(pairing, members)
    assert len(pairing.pairs) == 3
    assert [(u.reason) for u in pairing.unpaired] == [UnpairedReason.TAKEN]
    assert pairing.shared[pairing.pairs[0]] == ("en",)


def test_a_program_with_one_side_pairs_nobody() -> None:
    members = [m(i, "A") for i in range(5)]
    pairing = match(members)
    assert pairing.pairs == ()
    assert {u.reason for u in pairing.unpaired} == {UnpairedReason.NO_MATCH}
    assert match([]).pairs == ()


def test_deterministic_given_a_seed_whatever_the_order() -> None:
    members = [m(i, i % 3, {"en", "ru"} if i % 2 else {"en"}, 60 * (i % 5)) for i in range(40)]
    first = match(members, seed=7)
    shuffled = members[:]
    random.Random(3).shuffle(shuffled)
    assert match(shuffled, seed=7) == first
    assert match(members, seed=8) != first


def test_never_the_same_pair_twice_while_others_are_possible() -> None:
    members = [m(i, i % 2) for i in range(12)]  # 6 and 6: 36 possible pairs, 6 a week
    history: dict[tuple[int, int], int] = {}
    for week in range(6):
        pairing = match(members, history=history, seed=week)
        assert len(pairing.pairs) == 6 and pairing.repeats == 0, week
        for pair in pairing.pairs:
            history[pair] = history.get(pair, 0) + 1
    assert len(history) == 36  # everyone met everyone from the other side once
    # Week 7: nobody new is left, so people talk again rather than sit out.
    again = match(members, history=history, seed=6)
    assert len(again.pairs) == 6 and again.repeats == 6


def test_a_repeat_only_when_nobody_new_is_free() -> None:
    a1, a2, b1, b2 = m(1, "A"), m(2, "A"), m(3, "B"), m(4, "B")
    history = {pair_key(1, 3): 1}
    pairing = match([a1, a2, b1, b2], history=history, seed=0)
    assert set(pairing.pairs) == {(1, 4), (2, 3)}
    # Only b1 can talk to a1 (b2 speaks no common language): the repeat is better than nothing.
    b2 = m(4, "B", {"tr"})
    pairing = match([a1, b1, b2], history=history, seed=0)
    assert pairing.pairs == ((1, 3),) and pairing.repeats == 1
    assert [(u.id, u.reason) for u in pairing.unpaired] == [(4, UnpairedReason.NO_MATCH)]


def test_who_sat_out_last_time_is_paired_first() -> None:
    members = [m(1, "A"), m(2, "A"), m(3, "A"), m(10, "B")]
    for sat_out in (1, 2, 3):
        pairing = match(members, priority={sat_out}, seed=5)
        assert pairing.pairs == ((sat_out, 10),)


def test_a_member_given_twice_is_refused() -> None:
    with pytest.raises(PairingError) as caught:
        match([m(1, "A"), m(1, "B")])
    assert caught.value.code == "pairs_duplicate_member"


def _maximum(members) -> int:
    """Maximum matching by brute force over every subset of pairs (small inputs only)."""
    ids = [x.id for x in members]
    by = {x.id: x for x in members}
    best = 0

    def go(rest: list[int], count: int) -> None:
        nonlocal best
        best = max(best, count)
        if len(rest) < 2 or count + len(rest) // 2 <= best:
            return
        first, *others = rest
        for j, other in enumerate(others):
            if compatible(by[first], by[other]):
                go(others[:j] + others[j + 1 :], count + 1)
        go(others, count)

    go(ids, 0)
    return best


member_lists = st.lists(
    st.tuples(
        st.sampled_from("ABC"),
        st.sets(st.sampled_from(["en", "ru", "hy"]), min_size=1, max_size=2),
        st.sampled_from([0, 240, -480, 540]),
    ),
    max_size=11,
)


@settings(max_examples=150, deadline=None)
@given(member_lists, st.integers(0, 2**32))
def test_pairs_are_valid_and_as_many_as_possible(raw, seed) -> None:
    members = [m(i, side, langs, offset) for i, (side, langs, offset) in enumerate(raw)]
    pairing = match(members, seed=seed)
    _check(pairing, members)
    assert len(pairing.pairs) == _maximum(members)
    for u in pairing.unpaired:
        others = [x for x in members if x.id != u.id]
        has_any = any(compatible(members[u.id], x) for x in others)
        assert (u.reason == UnpairedReason.TAKEN) == has_any


# ---- questions and the anonymous tally ------------------------------------------------------------------


def test_a_question_neither_has_had() -> None:
    assert pick_question(3, {0, 2}, seed=1, pair=(1, 2)) == 1
    assert pick_question(3, {0, 1, 2}, seed=1, pair=(1, 2)) in {0, 1, 2}
    assert pick_question(5, set(), seed=4, pair=(7, 9)) == pick_question(
        5, set(), seed=4, pair=(7, 9)
    )


def test_the_distribution_is_shown_whole_only_from_k_people() -> None:
    assert histogram([0, 1, 1, 2, 5, 9]) == {0: 1, 1: 2, 2: 1, 3: 2}
    hidden = distribution({0: 1, 1: 2, 2: 1, 3: 0}, conversations=4, k=5)
    assert not hidden.shown and set(hidden.bins.values()) == {None}
    shown = distribution({0: 6, 1: 7, 2: 1, 3: 0}, conversations=9, k=5)
    assert shown.people == 14 and shown.conversations == 9
    # The bin of 1 is hidden, and another with it (else 14 - 6 - 7 - 0 would reveal it).
    assert shown.bins[0] == 6 or shown.bins[1] == 7
    assert sum(v is None for v in shown.bins.values()) >= 2
    assert distribution(None, 0, 5).shown is False


def test_a_pseudonym_names_nobody_without_the_secret() -> None:
    secret = b"s" * 32
    assert pseudonym(secret, 1, 42) == pseudonym(secret, 1, 42)
    assert pseudonym(secret, 1, 42) != pseudonym(secret, 2, 42)
    assert pseudonym(secret, 1, 42) != pseudonym(b"t" * 32, 1, 42)
    assert "42" not in pseudonym(secret, 1, 42)


# ---- the program file's [pairs] ---------------------------------------------------------------------------


def test_program_file_pairs_section() -> None:
    from pathlib import Path

    from bot.config import SUPPORTED_LOCALES
    from bot.domain.program_file import ProgramFileInvalid, parse

    example = parse(
        (Path(__file__).parents[2] / "docs" / "program-example.toml").read_text("utf-8"),
        supported_locales=SUPPORTED_LOCALES,
    )
    assert example.pairs is not None
    assert example.pairs.interval_days == 7 and example.pairs.min_overlap_minutes == 120
    assert example.pairs.waking_hours == "08:00-22:00"
    assert example.pairs.questions[1]["az"].startswith("Şəhərinizdə")
    head = '[program]\nname = "P"\nsides = ["A", "B"]\nlanguages = ["en", "ru"]\ntimezone = "UTC"\n'
    bad = head + (
        '[pairs]\nevery = "36h"\nwaking_hours = "8-22"\nsize = 3\n'
        'questions = [{ en = "Hi?" }, { en = "' + "x" * 301 + '", ru = "Да?" }]\n'
    )
    with pytest.raises(ProgramFileInvalid) as caught:
        parse(bad, supported_locales=SUPPORTED_LOCALES)
    found = {(p.location, p.error.code) for p in caught.value.problems}
    assert found == {
        ("pairs.size", "file_unknown_key"),
        ("pairs.every", "pairs_bad_interval"),
        ("pairs.waking_hours", "pairs_bad_waking_hours"),
        ("pairs.questions[0]", "file_untranslated"),
        ("pairs.questions[1].en", "pairs_bad_question"),
        ("pairs.questions[1]", "file_untranslated"),
    }
