"""Balanced group formation, late joiners and moves (bot/domain/grouping)."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.domain.grouping import (
    Formation,
    FormationSpec,
    GroupingError,
    GroupingErrorCode,
    Invariant,
    Member,
    NoteCode,
    describe_group,
    fair_share_range,
    form_groups,
    local_time_window,
    local_time_windows,
    move_member,
    place_late_joiner,
    plan_group_sizes,
    side_quotas,
)
from bot.domain.grouping.transport import max_transport

SIDE_NAMES = ("Armenia", "Azerbaijan", "Georgia", "Turkey", "Iran")
NATIVE = {"Armenia": "hy", "Azerbaijan": "az", "Georgia": "ka", "Turkey": "tr", "Iran": "fa"}
ROLES = ("student", "professional")
# Realistic UTC offsets in minutes, including India (+330), Nepal (+345) and Iran (+210).
OFFSETS = (-480, -420, -300, -240, 0, 60, 120, 180, 210, 240, 300, 330, 345, 480, 540, 600, 720)
BIG = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SMALL = settings(max_examples=150, deadline=None)


# ---------------------------------------------------------------- program generators


def _side_labels(
    rng: random.Random, sides: Sequence[str], weights: Sequence[int], n: int, per_side: int
) -> list[str]:
    """``n`` side labels drawn by weight, every side at least ``per_side`` times, in pairs first."""
    guaranteed = [side for side in sides for _ in range(per_side)]
    return guaranteed + rng.choices(sides, weights, k=n - len(guaranteed))


def _languages(rng: random.Random, side: str, mode: str) -> frozenset[str]:
    if mode == "lingua_franca":
        extras = rng.sample(["ru", "de", "fr", NATIVE[side]], rng.randint(0, 2))
        return frozenset({"en", *extras})
    # "overlapping": mostly Russian and English besides the native language, never guaranteed
    spoken = {NATIVE[side]}
    if rng.random() < 0.8:
        spoken.add("ru")
    if rng.random() < 0.4:
        spoken.add("en")
    return frozenset(spoken)


@st.composite
def programs(draw, mode: str = "lingua_franca", tracks: bool = False):
    side_count = draw(st.integers(2, 5))
    sides = SIDE_NAMES[:side_count]
    lopsided = draw(st.booleans())
    if lopsided:  # e.g. 70/30: one side dominates, the others share the rest
        weights = [70] + [30 // (side_count - 1)] * (side_count - 1)
    else:
        weights = draw(st.lists(st.integers(1, 10), min_size=side_count, max_size=side_count))
    min_size = draw(st.integers(2, 10))
    max_size = draw(st.integers(min_size, min_size + 6))
    if draw(st.booleans()):
        min_size, max_size = 8, 12
    smallest = max(10, 2 * max(min_size, side_count)) if tracks else max(10, min_size)
    n = draw(st.integers(smallest, 2000))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    labels = _side_labels(rng, sides, weights, n, per_side=2 if tracks else 1)
    # alternating roles give each side both roles (labels come in pairs first) and each role
    # at least half of the people
    roles = [ROLES[i % 2] if tracks else rng.choice(ROLES) for i in range(n)]
    order = list(range(n))
    rng.shuffle(order)
    labels, roles = [labels[i] for i in order], [roles[i] for i in order]
    members = [
        Member(
            id=1000 + index,
            side=labels[index],
            role=roles[index],
            languages=_languages(rng, labels[index], mode),
            utc_offset_minutes=rng.choice(OFFSETS),
        )
        for index in range(n)
    ]
    spec = FormationSpec(min_size, max_size, tracks, seed=draw(st.integers(0, 10**6)))
    return members, sides, spec


# ---------------------------------------------------------------- independent checks


def _pools(members: Sequence[Member], spec: FormationSpec) -> dict[str | None, list[Member]]:
    if not spec.separate_role_tracks:
        return {None: list(members)}
    return {role: [m for m in members if m.role == role] for role in {m.role for m in members}}


def assert_formation_invariants(
    formation: Formation, members: Sequence[Member], sides: Sequence[str], spec: FormationSpec
) -> None:
    # every member in exactly one group
    placed = [m.id for group in formation.groups for m in group.members]
    assert sorted(placed) == sorted(m.id for m in members)

    for role, pool in _pools(members, spec).items():
        groups = [g for g in formation.groups if g.track == role]
        assert sum(g.size for g in groups) == len(pool)
        assert all(m.role == role for g in groups for m in g.members if role is not None)
        sizes = [g.size for g in groups]
        fits = math.ceil(len(pool) / spec.max_size) <= len(pool) // spec.min_size
        size_notes = [
            n
            for n in formation.notes
            if n.code == NoteCode.SIZE_OUT_OF_RANGE and n.params["role"] == role
        ]
        if fits:
            assert all(spec.min_size <= size <= spec.max_size for size in sizes)
            assert size_notes == []
        else:
            assert len(size_notes) == 1
            assert sorted(size_notes[0].params["sizes"]) == sorted(sizes)
        assert max(sizes) - min(sizes) <= 1

        totals = Counter(m.side for m in pool)
        for group in groups:
            counts = Counter(m.side for m in group.members)
            for side in sides:
                exact = Fraction(group.size * totals[side], len(pool))
                assert math.floor(exact) <= counts[side] <= math.ceil(exact), (side, counts, exact)

    for index, group in enumerate(formation.groups):
        # the preview describes the group's actual members
        assert list(group.side_counts) == list(sides)
        assert dict(group.side_counts) == {
            s: sum(m.side == s for m in group.members) for s in sides
        }
        assert group.role_counts == dict(sorted(Counter(m.role for m in group.members).items()))
        shared = frozenset.intersection(*(m.languages for m in group.members))
        assert group.shared_languages == tuple(sorted(shared))
        assert group.meeting_windows == local_time_windows(
            m.utc_offset_minutes for m in group.members
        )
        offsets = [m.utc_offset_minutes for m in group.members]
        assert offsets == sorted(offsets)
        # a group without a shared language is always explained, naming who lacks the language
        notes = [
            n
            for n in formation.notes
            if n.code == NoteCode.NO_SHARED_LANGUAGE and n.params["group_index"] == index
        ]
        if group.shared_languages:
            assert notes == []
        else:
            assert len(notes) == 1
            language = notes[0].params["language"]
            lacking = {m.id for m in group.members if language not in m.languages}
            assert set(notes[0].params["members"]) == lacking and lacking


def _isolated(pool: Sequence[Member]) -> set[int]:
    return {
        m.id
        for m in pool
        if not any(other.side != m.side and m.languages & other.languages for other in pool)
    }


# ---------------------------------------------------------------- formation properties


@BIG
@given(programs("lingua_franca"))
def test_lingua_franca_programs_keep_every_invariant(program):
    members, sides, spec = program
    formation = form_groups(members, sides, spec)
    assert_formation_invariants(formation, members, sides, spec)
    assert all(group.shared_languages for group in formation.groups)
    assert not [n for n in formation.notes if n.code != NoteCode.SIZE_OUT_OF_RANGE]


@BIG
@given(programs("lingua_franca", tracks=True))
def test_separate_role_tracks_form_groups_per_role(program):
    members, sides, spec = program
    formation = form_groups(members, sides, spec)
    assert_formation_invariants(formation, members, sides, spec)
    assert {g.track for g in formation.groups} == set(ROLES)
    assert all(len(g.role_counts) == 1 for g in formation.groups)


@BIG
@given(programs("overlapping"))
def test_without_lingua_franca_every_missing_language_is_reported(program):
    members, sides, spec = program
    formation = form_groups(members, sides, spec)
    assert_formation_invariants(formation, members, sides, spec)
    isolated = [n for n in formation.notes if n.code == NoteCode.LANGUAGE_ISOLATED]
    expected = _isolated(members)
    assert (set(isolated[0].params["members"]) if isolated else set()) == expected


@BIG
@given(programs("lingua_franca"))
def test_groups_cover_contiguous_offset_bands(program):
    """Along the groups, each side's members come in offset order: no two groups interleave."""
    members, sides, spec = program
    formation = form_groups(members, sides, spec)
    for side in sides:
        offsets = [
            m.utc_offset_minutes for g in formation.groups for m in g.members if m.side == side
        ]
        assert offsets == sorted(offsets)


@BIG
@given(programs("overlapping"), st.randoms(use_true_random=False))
def test_same_seed_same_groups_whatever_the_input_order(program, shuffler):
    members, sides, spec = program
    first = form_groups(members, sides, spec)
    shuffled = list(members)
    shuffler.shuffle(shuffled)
    assert form_groups(shuffled, sides, spec) == first


@st.composite
def language_pool_programs(draw):
    """Programs without a common language that still allow one per group: communities that each
    speak their own language, each holding whole groups of the exact side composition."""
    side_count = draw(st.integers(2, 5))
    sides = SIDE_NAMES[:side_count]
    per_group = draw(st.lists(st.integers(1, 4), min_size=side_count, max_size=side_count))
    communities = draw(st.lists(st.integers(1, 12), min_size=2, max_size=3))
    languages = ["ru", "en", "de"][: len(communities)]
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    members = []
    for language, group_count in zip(languages, communities, strict=False):
        for side, seats in zip(sides, per_group, strict=True):
            for _ in range(group_count * seats):
                spoken = {language, NATIVE[side]}
                if rng.random() < 0.2:  # some also speak another community's language
                    spoken.add(rng.choice(languages))
                members.append(
                    Member(
                        len(members),
                        side,
                        rng.choice(ROLES),
                        frozenset(spoken),
                        rng.choice(OFFSETS),
                    )
                )
    size = sum(per_group)
    assume(len(members) >= max(size, 10) and size >= 2)
    return members, sides, FormationSpec(size, size, seed=draw(st.integers(0, 1000)))


@BIG
@given(language_pool_programs())
def test_language_communities_get_groups_in_their_language(program):
    members, sides, spec = program
    formation = form_groups(members, sides, spec)
    assert_formation_invariants(formation, members, sides, spec)
    assert all(group.shared_languages for group in formation.groups)


def test_lopsided_70_30_program_is_balanced_in_every_group():
    rng = random.Random(7)
    members = [
        Member(i, "A" if i < 700 else "B", "student", frozenset({"en"}), rng.choice(OFFSETS))
        for i in range(1000)
    ]
    formation = form_groups(members, ["A", "B"])
    assert {(g.side_counts["A"], g.side_counts["B"]) for g in formation.groups} == {(7, 3)}
    assert len(formation.groups) == 100


def test_different_seeds_give_different_equally_valid_groups():
    members = [
        Member(i, ("A", "B")[i % 2], "student", frozenset({"en"}), (0, 240)[i % 4 // 2])
        for i in range(80)
    ]
    spec_a, spec_b = FormationSpec(seed=1), FormationSpec(seed=2)
    first, second = (
        form_groups(members, ["A", "B"], spec_a),
        form_groups(members, ["A", "B"], spec_b),
    )
    assert {g.member_ids for g in first.groups} != {g.member_ids for g in second.groups}
    assert_formation_invariants(first, members, ["A", "B"], spec_a)
    assert_formation_invariants(second, members, ["A", "B"], spec_b)
    assert first.seed == 1 and second.seed == 2


def test_time_zone_clusters_stay_together():
    members = [
        Member(i, side, "student", frozenset({"en"}), offset)
        for i, (side, offset) in enumerate(
            [("A", -300)] * 40 + [("A", 480)] * 40 + [("B", -300)] * 40 + [("B", 480)] * 40
        )
    ]
    formation = form_groups(members, ["A", "B"], FormationSpec(10, 10))
    assert len(formation.groups) == 16
    assert all(g.offset_spread_minutes == 0 for g in formation.groups)
    assert all(g.meeting_windows for g in formation.groups)


def test_isolated_members_are_packed_into_as_few_groups_as_possible():
    # 10 monolinguals per side; every group holds 5 of each side, so two groups must break
    members = [
        Member(i, side, "student", frozenset({NATIVE[side]} if i % 20 < 2 else {"ru"}), 180)
        for i, side in enumerate(["Armenia", "Azerbaijan"] * 100)
    ]
    formation = form_groups(members, ["Armenia", "Azerbaijan"], FormationSpec(10, 10))
    broken = [n for n in formation.notes if n.code == NoteCode.NO_SHARED_LANGUAGE]
    assert len(broken) == 2
    isolated = next(n for n in formation.notes if n.code == NoteCode.LANGUAGE_ISOLATED)
    assert set(isolated.params["members"]) == {i for i in range(200) if i % 20 < 2}
    assert all(n.params["language"] == "ru" for n in broken)
    assert {i for n in broken for i in n.params["members"]} == set(isolated.params["members"])


def test_numbers_that_cannot_fit_the_range_give_the_nearest_sizes_and_a_note():
    members = [Member(i, "AB"[i % 2], "student", frozenset({"en"}), 0) for i in range(13)]
    formation = form_groups(members, ["A", "B"])
    assert [g.size for g in formation.groups] == [13]
    (note,) = formation.notes
    assert note.code == NoteCode.SIZE_OUT_OF_RANGE
    assert note.params == {
        "participants": 13,
        "groups": 1,
        "sizes": (13,),
        "min_size": 8,
        "max_size": 12,
        "role": None,
    }


def test_group_preview_after_a_change():
    members = [
        Member(1, "A", "student", {"en", "ru"}, 240),  # any collection of languages is accepted
        Member(2, "B", "professional", frozenset({"ru"}), -300),
    ]
    preview = describe_group(members, ["A", "B", "C"])
    assert members[0].languages == frozenset({"en", "ru"})
    assert preview.member_ids == (2, 1)  # by offset
    assert preview.side_counts == {"A": 1, "B": 1, "C": 0}
    assert preview.role_counts == {"professional": 1, "student": 1}
    assert preview.shared_languages == ("ru",)
    assert preview.meeting_windows == ((780, 1080),)
    assert preview.offset_spread_minutes == 540


# ---------------------------------------------------------------- sizes, quotas, flow


@SMALL
@given(st.integers(2, 30), st.integers(0, 10), st.integers(1, 5000))
def test_group_sizes_are_even_and_in_range_when_possible(min_size, extra, n):
    max_size = min_size + extra
    assume(n >= min_size)
    plan = plan_group_sizes(n, min_size, max_size)
    assert sum(plan.sizes) == n and max(plan.sizes) - min(plan.sizes) <= 1
    fits = any(min_size * g <= n <= max_size * g for g in range(1, n + 1))
    assert plan.within_range == fits
    if fits:
        assert all(min_size <= size <= max_size for size in plan.sizes)


def test_group_count_prefers_sizes_near_the_middle_of_the_range():
    assert plan_group_sizes(100, 8, 12).sizes == (10,) * 10
    assert plan_group_sizes(13, 4, 4).sizes == (5, 4, 4)  # 3 groups stray less than 4


@SMALL
@given(
    st.lists(st.integers(1, 400), min_size=1, max_size=6),
    st.integers(2, 12),
    st.integers(0, 6),
)
def test_side_quotas_are_fair_and_add_up(totals, min_size, extra):
    pool = sum(totals)
    assume(pool >= min_size)
    sizes = plan_group_sizes(pool, min_size, min_size + extra).sizes
    quotas = side_quotas(sizes, totals)
    assert sorted(sum(q) for q in quotas) == sorted(sizes)
    for side, total in enumerate(totals):
        assert sum(q[side] for q in quotas) == total
        for quota in quotas:
            low, high = fair_share_range(sum(quota), total, pool)
            assert low <= quota[side] <= high


def test_fair_share_range_is_floor_and_ceiling():
    assert fair_share_range(10, 70, 100) == (7, 7)
    assert fair_share_range(11, 70, 100) == (7, 8)
    assert fair_share_range(3, 1, 3) == (1, 1)
    assert fair_share_range(8, 1, 100) == (0, 1)


@SMALL
@given(
    st.lists(st.integers(0, 9), min_size=1, max_size=5),
    st.lists(st.integers(0, 9), min_size=1, max_size=4),
    st.data(),
)
def test_max_transport_is_feasible_and_maximal(supplies, capacities, data):
    targets = range(len(capacities))
    allowed = [
        data.draw(st.lists(st.sampled_from(targets), unique=True, max_size=len(capacities)))
        for _ in supplies
    ]
    shipped = max_transport(supplies, capacities, allowed)
    for source, row in enumerate(shipped):
        assert set(row) <= set(allowed[source]) and all(v > 0 for v in row.values())
        assert sum(row.values()) <= supplies[source]
    for target in targets:
        assert sum(row.get(target, 0) for row in shipped) <= capacities[target]
    # max flow = min cut: over every set Y of targets, cap(Y) + supply of sources not inside Y
    min_cut = min(
        sum(capacities[t] for t in targets if mask >> t & 1)
        + sum(
            s for s, a in zip(supplies, allowed, strict=True) if any(not mask >> t & 1 for t in a)
        )
        for mask in range(1 << len(capacities))
    )
    assert sum(sum(row.values()) for row in shipped) == min_cut


# ---------------------------------------------------------------- meeting windows


@SMALL
@given(st.lists(st.sampled_from((*OFFSETS, -600, 765, 840)), min_size=1, max_size=6))
def test_meeting_windows_are_exactly_where_everyone_is_awake(offsets):
    windows = local_time_windows(offsets)

    def inside(minute: float) -> bool:
        return any(0 < (minute - start) % 1440 < (end - start) % 1440 for start, end in windows)

    for half in range(1440):
        minute = half + 0.5  # between whole minutes, so closed and open ends agree
        awake = all(480 <= (minute + offset) % 1440 <= 1320 for offset in offsets)
        assert inside(minute) == awake, (minute, offsets, windows)


def test_meeting_window_examples():
    assert local_time_windows([0]) == ((480, 1320),)
    assert local_time_windows([240, -300]) == ((780, 1080),)  # Yerevan and New York: 13-18 UTC
    assert local_time_windows([600]) == ((1320, 720),)  # across midnight UTC
    assert local_time_windows([0, 720]) == ((480, 600), (1200, 1320))
    assert local_time_window([0, 720]) == (480, 600)
    assert local_time_window([-600, 0, 600]) is None
    assert local_time_windows([]) == ()


# ---------------------------------------------------------------- errors


def _people(count: int, sides: str = "AB") -> list[Member]:
    return [Member(i, sides[i % len(sides)], "student", frozenset({"en"}), 0) for i in range(count)]


@pytest.mark.parametrize(("min_size", "max_size"), [(9, 8), (1, 12), (0, 0), (-3, 5), (True, 12)])
def test_impossible_size_range_is_refused(min_size, max_size):
    with pytest.raises(GroupingError) as caught:
        FormationSpec(min_size, max_size)
    assert caught.value.code == GroupingErrorCode.BAD_SIZE_RANGE
    assert caught.value.params == {"min_size": min_size, "max_size": max_size}


def test_too_few_participants_for_one_group():
    with pytest.raises(GroupingError) as caught:
        form_groups(_people(7), ["A", "B"])
    assert caught.value.code == GroupingErrorCode.TOO_FEW_PARTICIPANTS
    assert caught.value.params == {"participants": 7, "min_size": 8, "role": None}


def test_too_few_participants_in_a_role_track():
    people = [*_people(20), Member(99, "A", "professional", frozenset({"en"}), 0)]
    with pytest.raises(GroupingError) as caught:
        form_groups(people, ["A", "B"], FormationSpec(separate_role_tracks=True))
    assert caught.value.code == GroupingErrorCode.TOO_FEW_PARTICIPANTS
    assert caught.value.params == {"participants": 1, "min_size": 8, "role": "professional"}


def test_side_without_participants_is_refused():
    with pytest.raises(GroupingError) as caught:
        form_groups(_people(20), ["A", "B", "C"])
    assert caught.value.code == GroupingErrorCode.EMPTY_SIDE
    assert caught.value.params == {"side": "C", "role": None}


def test_member_of_an_unknown_side_or_twice_is_refused():
    with pytest.raises(GroupingError) as caught:
        form_groups(_people(20, "ABX"), ["A", "B"])
    assert caught.value.code == GroupingErrorCode.UNKNOWN_SIDE
    assert caught.value.params == {"side": "X", "member_id": 2}
    with pytest.raises(GroupingError) as caught:
        form_groups([*_people(20), _people(1)[0]], ["A", "B"])
    assert caught.value.code == GroupingErrorCode.DUPLICATE_MEMBER
    assert caught.value.params == {"member_id": 0}


# ---------------------------------------------------------------- late joiners


def _m(id_: int, side: str, langs: str = "en", offset: int = 0, role: str = "student") -> Member:
    return Member(id_, side, role, frozenset(langs.split()), offset)


def test_late_joiner_goes_where_their_side_is_short():
    groups = [
        [_m(1, "A"), _m(2, "A"), _m(3, "A"), _m(4, "B")],
        [_m(5, "A"), _m(6, "B"), _m(7, "B"), _m(8, "B")],
    ]
    placement = place_late_joiner(groups, _m(9, "A"), FormationSpec(2, 12))
    assert placement.group_index == 1
    assert placement.ok and placement.broken == ()


def test_late_joiner_prefers_a_group_sharing_their_language():
    groups = [
        [_m(1, "A", "ru"), _m(2, "B", "ru")],
        [_m(3, "A", "en ka"), _m(4, "B", "ka")],
    ]
    placement = place_late_joiner(groups, _m(5, "A", "ka"), FormationSpec(2, 12))
    assert placement.group_index == 1 and placement.ok


def test_late_joiner_prefers_the_closest_time_zones_then_the_smaller_group():
    groups = [
        [_m(1, "A", offset=0), _m(2, "B", offset=60)],
        [_m(3, "A", offset=240), _m(4, "B", offset=240)],
        [_m(5, "A", offset=240), _m(6, "B", offset=240)],
    ]
    assert place_late_joiner(groups, _m(7, "A", offset=240), FormationSpec(2, 12)).group_index == 1
    assert place_late_joiner(groups, _m(7, "A", offset=30), FormationSpec(2, 12)).group_index == 0


def test_late_joiner_reports_a_size_it_cannot_avoid():
    groups = [[_m(1, "A"), _m(2, "B")], [_m(3, "A"), _m(4, "B")]]
    placement = place_late_joiner(groups, _m(5, "A"), FormationSpec(2, 2))
    assert placement.group_index == 0
    assert placement.broken == (Invariant.SIZE,)
    (breach,) = placement.breaches
    assert breach.new and breach.params == {"size": 3, "min_size": 2, "max_size": 2}


def test_late_joiner_without_a_shared_language_is_reported():
    groups = [[_m(1, "A", "ru"), _m(2, "B", "ru")]]
    placement = place_late_joiner(groups, _m(3, "A", "hy"), FormationSpec(2, 12))
    assert placement.broken == (Invariant.LANGUAGE,)


def test_late_joiner_stays_in_their_role_track():
    spec = FormationSpec(2, 12, separate_role_tracks=True)
    groups = [
        [_m(1, "A", role="student"), _m(2, "B", role="student")],
        [_m(3, "A", role="professional"), _m(4, "B", role="professional")],
    ]
    placement = place_late_joiner(groups, _m(5, "B", role="professional"), spec)
    assert placement.group_index == 1 and placement.ok
    only_students = [groups[0]]
    placement = place_late_joiner(only_students, _m(5, "B", role="professional"), spec)
    assert placement.broken == (Invariant.TRACK,)


def test_late_joiner_errors():
    with pytest.raises(GroupingError) as caught:
        place_late_joiner([], _m(1, "A"), FormationSpec())
    assert caught.value.code == GroupingErrorCode.NO_GROUPS
    with pytest.raises(GroupingError) as caught:
        place_late_joiner([[_m(1, "A")], [_m(2, "B")]], _m(2, "B"), FormationSpec())
    assert caught.value.code == GroupingErrorCode.ALREADY_IN_GROUP
    assert caught.value.params == {"member_id": 2, "group_index": 1}


def _violations_after_joining(groups, index, joiner, spec) -> set[Invariant]:
    """Independent re-check of one group after a joiner (mixed roles)."""
    joined = [*groups[index], joiner]
    pool = [m for g in groups for m in g] + [joiner]
    totals = Counter(m.side for m in pool)
    broken = set()
    counts = Counter(m.side for m in joined)
    for side, total in totals.items():
        exact = Fraction(len(joined) * total, len(pool))
        if not math.floor(exact) <= counts[side] <= math.ceil(exact):
            broken.add(Invariant.BALANCE)
    if not spec.min_size <= len(joined) <= spec.max_size:
        broken.add(Invariant.SIZE)
    if not frozenset.intersection(*(m.languages for m in joined)):
        broken.add(Invariant.LANGUAGE)
    return broken


@BIG
@given(programs("overlapping"), st.integers(0, 4), st.sampled_from(OFFSETS))
def test_late_joiner_report_matches_the_group_they_join(program, side_index, offset):
    members, sides, spec = program
    spec = FormationSpec(spec.min_size, spec.max_size, seed=spec.seed)
    formation = form_groups(members, sides, spec)
    groups = [g.members for g in formation.groups]
    joiner = Member(1, sides[side_index % len(sides)], "student", frozenset({"ru", "en"}), offset)
    placement = place_late_joiner(groups, joiner, spec)
    assert set(placement.broken) == _violations_after_joining(
        groups, placement.group_index, joiner, spec
    )
    # balance comes first: when some group stays balanced with the joiner, theirs does (it can
    # happen that none does: each group short of a big side already has its one small-side seat)
    outcomes = [_violations_after_joining(groups, i, joiner, spec) for i in range(len(groups))]
    if any(Invariant.BALANCE not in outcome for outcome in outcomes):
        assert Invariant.BALANCE not in placement.broken
    if any(not outcome for outcome in outcomes):
        assert placement.ok
    assert all(b.group_index == placement.group_index for b in placement.breaches)


# ---------------------------------------------------------------- moves


def test_move_that_breaks_balance_in_both_groups_says_so():
    groups = [
        [_m(1, "A"), _m(2, "A"), _m(3, "B"), _m(4, "B"), _m(5, "B")],
        [_m(6, "A"), _m(7, "A"), _m(8, "A"), _m(9, "B"), _m(10, "B")],
        [_m(11, "A"), _m(12, "A"), _m(13, "A"), _m(14, "B"), _m(15, "B"), _m(16, "B")],
    ]
    check = move_member(groups, 1, 1, FormationSpec(2, 12))
    assert (check.member_id, check.from_group, check.to_group) == (1, 0, 1)
    assert not check.ok and check.broken == (Invariant.BALANCE,)
    found = {(b.group_index, b.params["side"], b.params["count"]) for b in check.breaches}
    assert found == {(0, "A", 1), (0, "B", 3), (1, "A", 4), (1, "B", 2)}
    assert all(b.new for b in check.breaches)
    to_b = next(b for b in check.breaches if b.group_index == 1 and b.params["side"] == "A")
    assert (to_b.params["allowed_min"], to_b.params["allowed_max"]) == (3, 3)


def test_harmless_move_is_ok():
    groups = [[_m(i, "AB"[i % 2]) for i in range(10)], [_m(i, "AB"[i % 2]) for i in range(10, 20)]]
    check = move_member(groups, 0, 1, FormationSpec(8, 12))
    assert check.ok and check.breaches == ()


def test_move_reports_size_and_language_and_what_was_already_broken():
    source = [_m(i, "AB"[i % 2], "en ka") for i in range(8)]
    target = [_m(i, "AB"[i % 2], "ka") for i in range(10, 23)]  # already above max_size
    check = move_member([source, target], 0, 1, FormationSpec(8, 12))
    by_kind = {(b.invariant, b.group_index): b for b in check.breaches}
    assert by_kind[(Invariant.SIZE, 0)].new and by_kind[(Invariant.SIZE, 0)].params["size"] == 7
    assert not by_kind[(Invariant.SIZE, 1)].new
    assert (Invariant.LANGUAGE, 1) not in by_kind  # everyone still shares Georgian

    check = move_member([[_m(1, "A", "en"), _m(2, "B", "en")], target], 1, 1, FormationSpec(2, 20))
    assert {(b.invariant, b.group_index, b.new) for b in check.breaches} == {
        (Invariant.LANGUAGE, 1, True),  # the mover speaks no Georgian
        (Invariant.SIZE, 0, True),  # one person left behind
    }


def test_move_across_role_tracks_is_flagged():
    spec = FormationSpec(2, 12, separate_role_tracks=True)
    groups = [
        [_m(1, "A", role="student"), _m(2, "B", role="student"), _m(3, "A", role="student")],
        [_m(4, "A", role="professional"), _m(5, "B", role="professional")],
    ]
    check = move_member(groups, 3, 1, spec)
    assert Invariant.TRACK in check.broken


def test_move_errors_change_nothing():
    groups = [[_m(1, "A"), _m(2, "B")], [_m(3, "A"), _m(4, "B")]]
    snapshot = [list(g) for g in groups]
    cases = [
        ((99, 1), GroupingErrorCode.UNKNOWN_MEMBER, {"member_id": 99}),
        ((1, 2), GroupingErrorCode.UNKNOWN_GROUP, {"group_index": 2, "groups": 2}),
        ((1, -1), GroupingErrorCode.UNKNOWN_GROUP, {"group_index": -1, "groups": 2}),
        ((1, 0), GroupingErrorCode.ALREADY_IN_GROUP, {"member_id": 1, "group_index": 0}),
    ]
    for (member_id, to_group), code, params in cases:
        with pytest.raises(GroupingError) as caught:
            move_member(groups, member_id, to_group, FormationSpec(2, 12))
        assert caught.value.code == code and caught.value.params == params
    assert groups == snapshot
