"""Release planning: units of at least k answers that never change once released."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.anonymity.release import (
    GROUP,
    SESSION,
    Closing,
    UnitData,
    plan_release,
    scope_figures,
    unit_figures,
)

START = datetime(2026, 1, 1, tzinfo=UTC)

closings = st.lists(
    st.tuples(
        st.integers(0, 2),  # group
        st.integers(0, 30),  # closes after this many days
        st.integers(0, 12),  # answers
        st.integers(0, 12),  # comments
    ),
    max_size=25,
)


def _instances(rows):
    return [
        Closing(key, group, START + timedelta(days=day), answered, min(comments, answered))
        for key, (group, day, answered, comments) in enumerate(rows)
    ]


@settings(max_examples=200, deadline=None)
@given(closings, st.integers(3, 6), st.integers(3, 10), st.integers(0, 30), st.integers(0, 30))
def test_units_reach_k_and_only_grow_over_time(rows, k, k_comments, t1, t2) -> None:
    instances = _instances(rows)
    early, late = sorted((t1, t2))
    before = plan_release(instances, now=START + timedelta(days=early), k=k, k_comments=k_comments)
    after = plan_release(instances, now=START + timedelta(days=late), k=k, k_comments=k_comments)
    answered = {i.key: i.answered for i in instances}
    comments = {i.key: i.comments for i in instances}
    for plan in (before, after):
        members = [m for unit in plan.units for m in unit.members]
        assert len(members) == len(set(members))  # an answer counts in one unit at most
        for unit in plan.units:
            assert sum(answered[m] for m in unit.members) >= k
            assert not unit.pooled or len(unit.members) >= 2
            assert len({instances[m].parent for m in unit.members}) == 1  # pools stay in a group
        shown = [m for s in plan.comment_sets for m in s.members]
        assert len(shown) == len(set(shown))  # a comment is shown in one scope only
        for comment_set in plan.comment_sets:
            assert sum(comments[m] for m in comment_set.members) >= k_comments
            assert comment_set.home in (SESSION, GROUP)
    # Released units never change: everything shown before is shown later exactly as it was.
    assert set(before.units) <= set(after.units)
    assert set(before.comment_sets) <= set(after.comment_sets)


cells = st.dictionaries(
    st.tuples(
        st.just(1), st.sampled_from(["A", "B", ""]), st.sampled_from(["s", "p"]), st.integers(1, 5)
    ),
    st.integers(1, 6),
    max_size=12,
)


def _data(cells_of_unit):
    respondents: dict[tuple[str, str], int] = {}
    for (_, side, role, _), n in cells_of_unit.items():
        respondents[(side, role)] = respondents.get((side, role), 0) + n
    return UnitData(respondents, cells_of_unit)


@settings(max_examples=200, deadline=None)
@given(st.lists(cells, min_size=1, max_size=4), st.integers(3, 6))
def test_a_scope_shows_only_sums_of_what_its_units_show(units, k) -> None:
    figures = [unit_figures(_data(u), k, {1: range(1, 6)}) for u in units]
    total = scope_figures(figures)
    item = total.items.get(1)
    if item is None:
        return
    # Every count a scope shows is 0 or at least k, and so is what a breakdown leaves out:
    # "scope minus shown cells" never rests on fewer than k answers.
    for agg in (*item.by_side.values(), *item.by_role.values()):
        assert agg.n == 0 or agg.n >= k
    for n in item.bars.values():
        assert n == 0 or n >= k
    for shown in (item.by_side, item.by_role):
        rest = item.agg.n - sum(agg.n for agg in shown.values())
        assert rest == 0 or rest >= k
    assert item.agg.n == sum(f.items[1].agg.n for f in figures if 1 in f.items)
