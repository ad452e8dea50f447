"""The program's published goals measured from its report: each figure is one the report itself
shows (released, suppressed), so judging a goal reveals nothing the report does not."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Program
from bot.domain import criteria
from bot.domain import fairness as fair
from bot.domain.criteria import Goal, Measure, Verdict
from bot.features.feedback.evaluation import Report
from bot.services.fairness import Fairness

FELT_HEARD_ITEM = "felt_heard"
TRUST_CONSTRUCT = "trust"


@dataclass(frozen=True)
class Goals:
    k: int
    verdicts: tuple[Verdict, ...]


async def goals_of(db: AsyncSession, program_id: int) -> tuple[Goal, ...]:
    program = await db.get(Program, program_id)
    return criteria.from_stored((program.fairness or {}).get("goals") if program else None)


async def set_goals(db: AsyncSession, program_id: int, goals: tuple[Goal, ...]) -> None:
    program = await db.get(Program, program_id)
    assert program is not None
    settings = dict(program.fairness or {})
    settings["goals"] = [g.as_dict() for g in goals]
    program.fairness = settings
    await db.flush()


def measure(goal: Goal, report: Report, fairness: Fairness | None) -> Measure:
    k = report.k
    if goal.kind == criteria.ATTENDANCE:
        shown = [row for row in report.balance if row.present is not None]
        members = sum(row.members for row in shown)
        if not shown or members < k:
            return Measure(None, n=members)
        present = sum(row.present or 0 for row in shown)
        low, high = criteria.wilson(present, members) or (None, None)
        return Measure(present / members, low, high, members)
    if goal.kind == criteria.FELT_HEARD:
        item = next((i for i in report.items if i.item.key == FELT_HEARD_ITEM), None)
        if item is None or item.stats is None:
            return Measure(None)
        return Measure(item.stats.mean, item.stats.low, item.stats.high, item.stats.n)
    if goal.kind == criteria.TRUST_CHANGE:
        row = next((r for r in report.pre_post if r.construct == TRUST_CONSTRUCT), None)
        if row is None or row.result is None:
            return Measure(None)
        result = row.result
        return Measure(result.diff, result.low, result.high, min(result.n_pre, result.n_post))
    if goal.kind == criteria.SPEAKING_BALANCE:
        total = sum(row.messages for row in report.balance)
        speaking = [row for row in report.balance if row.members > 0]
        if total == 0 or len(speaking) < 2:
            return Measure(None, n=total)
        return Measure(max(row.messages for row in report.balance) / total, n=total)
    if goal.kind == criteria.APPEALS_ANSWERED:
        if fairness is None:
            return Measure(None)
        decided = fairness.figures[fair.APPEALS_DECIDED]
        cells = decided.dims.get(fair.TIMELY, {})
        within = sum(n for (_, c), n in cells.items() if c == fair.WITHIN)
        total = sum(cells.values())
        if total < k:
            return Measure(None, n=total)
        low, high = criteria.wilson(within, total) or (None, None)
        return Measure(within / total, low, high, total)
    return Measure(None)


def judge_all(goals: tuple[Goal, ...], report: Report, fairness: Fairness | None) -> Goals:
    return Goals(
        k=report.k,
        verdicts=tuple(criteria.judge(g, measure(g, report, fairness)) for g in goals),
    )
