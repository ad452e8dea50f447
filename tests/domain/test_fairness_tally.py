"""Moderation units: whatever a unit hides cannot be solved for from what it shows (all its lines
audited together), and scopes show only sums of what units show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import fairness as fair
from bot.domain.anonymity.audit import Line, exposed
from bot.domain.fairness.tally import TOTAL, Period, Tally, _hidden, _shape, release

K = 5
events = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C"]),
        st.sampled_from(["blocked_term", "flood", "moderator"]),
        st.sampled_from(["auto", "mod:A", "mod:B", "mod:"]),
    ),
    min_size=1,
    max_size=40,
)


def _tally(items) -> Tally:
    tally = Tally()
    for side, rule, actor in items:
        tally.add_event(side, {fair.RULE: rule, fair.ACTOR: actor})
    return tally


@settings(max_examples=300, deadline=None)
@given(events)
def test_no_hidden_number_of_a_unit_can_be_solved_for(items) -> None:
    tally = _tally(items)
    hidden = _hidden(_shape(tally), K)
    lines = [Line(tuple(("side", s) for s in tally.sides), TOTAL)]
    for dim, cells in tally.dims.items():
        for side in tally.sides:
            parts = tuple(("cell", dim, s, c) for (s, c) in cells if s == side)
            if parts:
                lines.append(Line(parts, ("side", side)))
    assert exposed(lines, hidden) == []
    values = {TOTAL: tally.total, **{("side", s): n for s, n in tally.sides.items()}}
    for dim, cells in tally.dims.items():
        values.update({("cell", dim, s, c): n for (s, c), n in cells.items()})
    for key, n in values.items():
        if 0 < n < K:
            assert key in hidden  # every small count is hidden
    for line in lines:
        if line.total not in hidden:
            left = sum(values[p] for p in line.parts if p in hidden)
            assert left == 0 or left >= K  # what a line leaves unexplained is 0 or at least k


@settings(max_examples=100, deadline=None)
@given(st.lists(events, min_size=1, max_size=6))
def test_a_scope_shows_only_sums_of_unit_figures_and_rests_of_zero_or_k(weeks) -> None:
    start = datetime(2026, 3, 2, tzinfo=UTC)
    periods = {
        Period("g", start + timedelta(days=7 * i), start + timedelta(days=7 * (i + 1))): _tally(w)
        for i, w in enumerate(weeks)
    }
    total, _by_group = release(periods, now=start + timedelta(days=100), k=K)
    assert total.total == 0 or total.total >= K
    assert all(n == 0 or n >= K for n in total.sides.values())
    assert total.side_rest == 0 or total.side_rest >= K
    for (_dim, side), rest in total.rest.items():
        assert rest >= K and side in total.sides
    for dim, cells in total.dims.items():
        for (side, _), n in cells.items():
            assert n >= K
            assert (
                sum(m for (s, _), m in cells.items() if s == side) + total.rest.get((dim, side), 0)
                == total.sides[side]
            )
