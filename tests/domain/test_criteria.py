"""Published goals judged from a figure and its interval; the organizers' alert threshold."""

from __future__ import annotations

import pytest

from bot.domain import criteria
from bot.domain import fairness as fair
from bot.domain.criteria import CriteriaError, Measure, Status


def test_goals_are_met_by_the_figure_or_by_the_interval_when_confidence_is_asked() -> None:
    felt = criteria.goal(criteria.FELT_HEARD, 4.0)
    assert criteria.judge(felt, Measure(4.1, 3.8, 4.4, 20)).status is Status.MET
    assert criteria.judge(felt, Measure(3.9, 3.5, 4.3, 20)).status is Status.NOT_YET
    assert criteria.judge(felt, Measure(None)).status is Status.NOT_MEASURABLE
    trust = criteria.goal(criteria.TRUST_CHANGE)  # above 0, with 95% confidence by default
    assert criteria.judge(trust, Measure(0.4, 0.1, 0.7, 30)).status is Status.MET
    assert criteria.judge(trust, Measure(0.4, -0.1, 0.9, 30)).status is Status.NOT_YET
    assert criteria.judge(trust, Measure(0.0, 0.0, 0.0, 30)).status is Status.NOT_YET  # strictly
    balance = criteria.goal(criteria.SPEAKING_BALANCE, 0.6)  # at most
    assert criteria.judge(balance, Measure(0.6, n=100)).status is Status.MET
    assert criteria.judge(balance, Measure(0.61, n=100)).status is Status.NOT_YET


def test_bad_goals_are_refused_with_a_code() -> None:
    for kind, target, hours, code in (
        ("happiness", None, None, "goal_unknown"),
        (criteria.ATTENDANCE, 1.5, None, "goal_bad_target"),
        (criteria.FELT_HEARD, True, None, "goal_bad_target"),
        (criteria.FELT_HEARD, 4.0, 48, "goal_bad_hours"),
        (criteria.APPEALS_ANSWERED, 1.0, 0, "goal_bad_hours"),
    ):
        with pytest.raises(CriteriaError) as raised:
            criteria.goal(kind, target, hours=hours)
        assert raised.value.code == code
    with pytest.raises(CriteriaError):
        criteria.alert_ratio(1.0)
    assert criteria.alert_ratio(1.5) == 1.5
    # Stored goals of a newer version are skipped, not an error.
    assert criteria.from_stored(
        [{"kind": "future_goal"}, {"kind": "attendance", "target": 0.7}]
    ) == (criteria.goal(criteria.ATTENDANCE, 0.7),)


def test_wilson_interval() -> None:
    low, high = criteria.wilson(10, 12)
    assert low == pytest.approx(0.5520, abs=1e-4) and high == pytest.approx(0.9530, abs=1e-4)
    assert criteria.wilson(0, 0) is None


def test_the_alert_needs_enough_sanctions_and_a_ratio_beyond_the_threshold() -> None:
    messages = {"A": 1000, "B": 1000}
    assert fair.should_alert({"A": 4}, messages, ratio=2.0, k=5) is None  # too few
    found = fair.should_alert({"A": 5}, messages, ratio=2.0, k=5)
    assert found is not None and (found.high, found.low) == ("A", "B")
    assert found.ratio == pytest.approx(11.0)  # (5 + 0.5) / (0 + 0.5)
    assert fair.should_alert({"A": 6, "B": 4}, messages, ratio=2.0, k=5) is None  # 1.44x
    assert fair.should_alert({"A": 6, "B": 4}, messages, ratio=1.4, k=5) is not None
    assert fair.should_alert({"A": 9}, {"A": 1000}, ratio=2.0, k=5) is None  # one side only
