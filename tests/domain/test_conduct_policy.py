"""The filter policy: staff exemption, which broken rule counts, one sanction per flood burst,
raids sanction nobody, and one summary per burst."""

from datetime import UTC, datetime, timedelta

from bot.domain.conduct import ConductRules, RateLimit, Rule, compile_rules
from bot.domain.conduct.policy import Action, ConductPolicy

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
RULES = compile_rules(
    ConductRules(
        forwards_allowed=False,
        person_limit=RateLimit(3, timedelta(seconds=10)),
        group_limit=RateLimit(6, timedelta(seconds=10)),
    )
)


def review(policy, text="hello", *, sender=1, at=T0, exempt=False, **flags):
    return policy.review(
        RULES, text, sender_id=sender, sender_name=f"P{sender}", exempt=exempt, now=at, **flags
    )


def test_staff_are_exempt_and_do_not_count_towards_limits() -> None:
    policy = ConductPolicy()
    for i in range(10):
        verdict = review(policy, "kys", sender=9, exempt=True, at=T0 + timedelta(seconds=i / 10))
        assert verdict.action == Action.ALLOW
    # Ten staff messages did not fill the group's window: a participant is fine.
    assert review(policy, "hello", sender=1, at=T0 + timedelta(seconds=1)).action == Action.ALLOW


def test_the_rule_a_person_is_most_responsible_for_counts() -> None:
    policy = ConductPolicy()
    for i in range(3):
        review(policy, f"ok {i}", at=T0 + timedelta(seconds=i))
    # Over the flood limit, forwarded, and a blocked term: the term counts.
    verdict = review(policy, "kys", at=T0 + timedelta(seconds=4), is_forward=True)
    assert verdict.action == Action.SANCTION and verdict.violation.rule == Rule.BLOCKED_TERM
    verdict = review(policy, "fine", at=T0 + timedelta(seconds=5), is_forward=True)
    assert verdict.violation.rule == Rule.FORWARD


def test_a_flood_is_sanctioned_once_per_burst() -> None:
    policy = ConductPolicy()
    actions = [review(policy, f"m{i}", at=T0 + timedelta(seconds=i)).action for i in range(8)]
    assert actions == [Action.ALLOW] * 3 + [Action.SANCTION] + [Action.REMOVE] * 4
    # Quiet for longer than the window: the burst is over and summarised once.
    later = T0 + timedelta(seconds=30)
    [burst] = policy.finished_bursts(later)
    assert burst.rule == Rule.FLOOD and burst.count == 5 and burst.sanctioned == 1
    assert burst.names == {1: "P1"}
    assert policy.finished_bursts(later) == []
    # A new flood later is a new offence.
    actions = [review(policy, f"n{i}", at=later + timedelta(seconds=i)).action for i in range(4)]
    assert actions[-1] == Action.SANCTION


def test_a_burst_is_not_summarised_while_it_goes_on() -> None:
    policy = ConductPolicy()
    for i in range(6):
        review(policy, f"m{i}", at=T0 + timedelta(seconds=i))
    assert policy.finished_bursts(T0 + timedelta(seconds=8)) == []
    assert len(policy.finished_bursts(T0 + timedelta(seconds=16))) == 1


def test_a_raid_removes_without_sanction_and_tells_the_group_once() -> None:
    policy = ConductPolicy()
    verdicts = [
        review(policy, f"raid {i}", sender=100 + i, at=T0 + timedelta(seconds=i / 5))
        for i in range(12)
    ]
    assert [v.action for v in verdicts] == [Action.ALLOW] * 6 + [Action.REMOVE] * 6
    assert [v.tell_group for v in verdicts].count(True) == 1
    assert policy.finished_bursts(T0 + timedelta(seconds=5)) == []
    [burst] = policy.finished_bursts(T0 + timedelta(seconds=20))
    assert burst.rule == Rule.RAID and burst.count == 6 and burst.sanctioned is None
    assert sorted(burst.removed) == list(range(106, 112))


def test_a_new_raid_after_a_quiet_spell_is_a_second_burst() -> None:
    policy = ConductPolicy()
    for start in (T0, T0 + timedelta(seconds=40)):
        for i in range(8):
            review(policy, "x", sender=200 + i, at=start + timedelta(seconds=i / 5))
    bursts = policy.finished_bursts(T0 + timedelta(minutes=5))
    assert [b.count for b in bursts] == [2, 2]
