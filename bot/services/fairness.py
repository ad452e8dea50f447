"""Fairness figures from the moderation records: SQL here, the method in bot/domain/fairness.

Only the few columns each figure needs are read (times, sides, the rule, the outcome), never a
name or a message; moderation rows are far fewer than answers, so they are tallied per week in
Python. Which weeks count, and which numbers a report may show, is decided by
bot/domain/fairness/tally.py (frozen weeks pooled to k, each unit suppressed, scopes are sums).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Appeal,
    DialogueGroup,
    DialogueSession,
    Enrolment,
    FairnessAlert,
    GroupMember,
    ModerationAction,
    OrganizerGrant,
    Program,
    Report,
    SessionSideStats,
    Side,
)
from bot.domain import fairness as fair
from bot.domain.fairness.tally import Period, Shown, Tally
from bot.features.moderation.service import DELETE, SANCTIONS

UNKNOWN = ""  # no side (not enrolled, erased before the side was kept)


@dataclass(frozen=True)
class SideShare:
    side: str
    messages: int
    members: int  # member-sessions (members summed over the sessions counted)
    message_share: float | None
    member_share: float | None


@dataclass(frozen=True)
class Fairness:
    """What a program's or group's report shows about fairness (every count a sum of units)."""

    k: int
    sides: tuple[str, ...]  # the program's sides in order ("" last when events had no side)
    program_sides: int  # how many sides have members in the scope (one: nothing to compare)
    shares: tuple[SideShare, ...]
    figures: Mapping[str, Shown]  # fair.KINDS -> released figures
    appeal_hours: int  # the limit "answered in time" is measured against
    pending_weeks: int = 0  # weeks (per group and kind) not counted yet

    @property
    def any_events(self) -> bool:
        return any(figures.units for figures in self.figures.values())

    def messages(self, side: str) -> int:
        return next((share.messages for share in self.shares if share.side == side), 0)

    def rate(self, side: str) -> float | None:
        """Sanctions per 1,000 messages of a side; None when hidden or without messages."""
        sanctions = self.figures[fair.SANCTIONS]
        if side not in sanctions.sides:
            return None
        return fair.per_thousand(sanctions.sides[side], self.messages(side))


def program_settings(program: Program) -> dict[str, Any]:
    return dict(program.fairness or {})


def alert_ratio(program: Program) -> float:
    return float(program_settings(program).get("alert_ratio") or fair.DEFAULT_ALERT_RATIO)


def appeal_hours(program: Program) -> int:
    for goal in program_settings(program).get("goals") or ():
        if goal.get("kind") == "appeals_answered":
            return int(goal.get("hours") or fair.DEFAULT_APPEAL_HOURS)
    return fair.DEFAULT_APPEAL_HOURS


async def _side_names(db: AsyncSession, program_id: int) -> dict[int, str]:
    rows = await db.execute(
        select(Side.id, Side.name).where(Side.program_id == program_id).order_by(Side.position)
    )
    return dict(rows.all())


def _hours(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 3600)


async def tallies(
    db: AsyncSession,
    program: Program,
    group_id: int | None,
    sides: Mapping[int, str],
    *,
    limit_hours: int,
) -> dict[str, dict[Period, Tally]]:
    """Every kind's events per (group, week), from the moderation records."""
    zone = program.timezone
    out: dict[str, dict[Period, Tally]] = {kind: {} for kind in fair.KINDS}

    def tally(kind: str, group: int | None, at: datetime) -> Tally:
        start, end = fair.week_of(at, zone)
        key = Period(group, start, end)
        found = out[kind].get(key)
        if found is None:
            found = out[kind][key] = Tally()
        return found

    def side(side_id: int | None) -> str:
        return sides.get(side_id, UNKNOWN) if side_id is not None else UNKNOWN

    in_scope = [ModerationAction.program_id == program.id]
    if group_id is not None:
        in_scope.append(ModerationAction.group_id == group_id)
    for at, group, target_side, actor_rule, reason_code, actor_side in await db.execute(
        select(
            ModerationAction.at,
            ModerationAction.group_id,
            ModerationAction.target_side_id,
            ModerationAction.actor_rule,
            ModerationAction.reason_code,
            ModerationAction.actor_side_id,
        ).where(
            *in_scope,
            ModerationAction.action.in_(sorted(SANCTIONS)),
            ModerationAction.failure.is_(None),
        )
    ):
        tally(fair.SANCTIONS, group, at).add_event(
            side(target_side),
            {
                fair.RULE: fair.sanction_rule(actor_rule, reason_code),
                fair.ACTOR: fair.actor_category(
                    actor_rule, side(actor_side) if actor_side is not None else None
                ),
            },
        )

    report_scope = [DialogueGroup.program_id == program.id]
    if group_id is not None:
        report_scope.append(Report.group_id == group_id)
    for group, created, handled, outcome, reported_side in await db.execute(
        select(
            Report.group_id,
            Report.created_at,
            Report.handled_at,
            Report.outcome,
            Report.reported_side_id,
        )
        .join(DialogueGroup, DialogueGroup.id == Report.group_id)
        .where(*report_scope)
    ):
        label = side(reported_side)
        tally(fair.REPORTS_FILED, group, created).add_event(label, {})
        if handled is not None and outcome:
            category = fair.DISMISSED if outcome == "dismiss" else fair.ACTED
            tally(fair.REPORTS_DECIDED, group, handled).add_event(
                label, {fair.OUTCOME: category}, hours=_hours(created, handled)
            )

    for group, created, decided, status, target_side in await db.execute(
        select(
            ModerationAction.group_id,
            Appeal.created_at,
            Appeal.decided_at,
            Appeal.status,
            ModerationAction.target_side_id,
        )
        .join(ModerationAction, ModerationAction.id == Appeal.action_id)
        .where(*in_scope)
    ):
        label = side(target_side)
        tally(fair.APPEALS_FILED, group, created).add_event(label, {})
        if decided is not None and status in ("accepted", "rejected"):
            hours = _hours(created, decided)
            tally(fair.APPEALS_DECIDED, group, decided).add_event(
                label,
                {
                    fair.OUTCOME: fair.UPHELD if status == "accepted" else fair.REJECTED,
                    fair.TIMELY: fair.WITHIN if hours <= limit_hours else fair.LATER,
                },
                hours=hours,
            )
    return out


async def _shares(
    db: AsyncSession, program_id: int, group_id: int | None, sides: Mapping[int, str]
) -> tuple[SideShare, ...]:
    """Share of messages (in sessions) against share of members, per side, as the balance has."""
    query = (
        select(
            SessionSideStats.side_id,
            func.sum(SessionSideStats.members),
            func.sum(SessionSideStats.messages),
        )
        .join(DialogueSession, DialogueSession.id == SessionSideStats.session_id)
        .join(DialogueGroup, DialogueGroup.id == DialogueSession.group_id)
        .where(DialogueGroup.program_id == program_id)
        .group_by(SessionSideStats.side_id)
    )
    if group_id is not None:
        query = query.where(DialogueSession.group_id == group_id)
    rows = {side_id: (int(m or 0), int(n or 0)) for side_id, m, n in await db.execute(query)}
    members_total = sum(m for m, _ in rows.values())
    messages_total = sum(n for _, n in rows.values())
    return tuple(
        SideShare(
            side=name,
            messages=rows.get(side_id, (0, 0))[1],
            members=rows.get(side_id, (0, 0))[0],
            message_share=rows.get(side_id, (0, 0))[1] / messages_total if messages_total else None,
            member_share=rows.get(side_id, (0, 0))[0] / members_total if members_total else None,
        )
        for side_id, name in sides.items()
    )


async def _sides_with_members(db: AsyncSession, program_id: int, group_id: int | None) -> int:
    query = select(func.count(func.distinct(Enrolment.side_id))).where(
        Enrolment.program_id == program_id
    )
    if group_id is not None:
        query = query.join(
            GroupMember,
            and_(
                GroupMember.person_id == Enrolment.person_id,
                GroupMember.program_id == Enrolment.program_id,
            ),
        ).where(GroupMember.group_id == group_id)
    return int(await db.scalar(query) or 0)


async def figures(
    db: AsyncSession, program_id: int, group_id: int | None, *, k: int, now: datetime
) -> Fairness:
    """A program's (``group_id`` None) or one group's fairness figures as a report shows them."""
    program = await db.get(Program, program_id)
    assert program is not None
    sides = await _side_names(db, program_id)
    limit = appeal_hours(program)
    by_kind = await tallies(db, program, group_id, sides, limit_hours=limit)
    released = {}
    pending = 0
    cutoff = now - fair.RELEASE_DELAY
    for kind, periods in by_kind.items():
        released[kind], _ = fair.release(periods, now=cutoff, k=k)
        pending += fair.tally.pending(periods, now=cutoff)
    seen = set().union(*(shown.sides_seen for shown in released.values()))
    order = list(sides.values()) + ([UNKNOWN] if UNKNOWN in seen else [])
    return Fairness(
        k=k,
        sides=tuple(order),
        program_sides=await _sides_with_members(db, program_id, group_id),
        shares=await _shares(db, program_id, group_id, sides),
        figures=released,
        appeal_hours=limit,
        pending_weeks=pending,
    )


async def program_zone(db: AsyncSession, program_id: int) -> str:
    program = await db.get(Program, program_id)
    return program.timezone if program else "UTC"


# ---- what participants see: /transparency and the closing note ------------------------------------


@dataclass(frozen=True)
class GroupMonth:
    """A group's moderation this month, by kind of action; no person, no side."""

    month_start: datetime
    actions: Mapping[str, int] = field(default_factory=dict)  # warn, mute, kick, ban, delete
    appeals_decided: int = 0
    appeals_upheld: int = 0

    @property
    def total(self) -> int:
        return sum(self.actions.values())


async def group_month(db: AsyncSession, group_id: int, *, now: datetime) -> GroupMonth:
    """This month's actions in a group (the program's calendar month) and appeals decided in it."""
    program = await db.scalar(
        select(Program)
        .join(DialogueGroup, DialogueGroup.program_id == Program.id)
        .where(DialogueGroup.id == group_id)
    )
    assert program is not None
    _, start, end = fair.month_of(now, program.timezone)
    actions = dict(
        (
            await db.execute(
                select(ModerationAction.action, func.count())
                .where(
                    ModerationAction.group_id == group_id,
                    ModerationAction.at >= start,
                    ModerationAction.at < end,
                    ModerationAction.action.in_(sorted(SANCTIONS | {DELETE})),
                    ModerationAction.failure.is_(None),
                )
                .group_by(ModerationAction.action)
            )
        ).all()
    )
    decided = dict(
        (
            await db.execute(
                select(Appeal.status, func.count())
                .join(ModerationAction, ModerationAction.id == Appeal.action_id)
                .where(
                    ModerationAction.group_id == group_id,
                    Appeal.decided_at >= start,
                    Appeal.decided_at < end,
                    Appeal.status.in_(("accepted", "rejected")),
                )
                .group_by(Appeal.status)
            )
        ).all()
    )
    return GroupMonth(
        month_start=start,
        actions={kind: int(n) for kind, n in actions.items()},
        appeals_decided=sum(int(n) for n in decided.values()),
        appeals_upheld=int(decided.get("accepted", 0)),
    )


# ---- the organizers' alert -------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    program_id: int
    program_name: str
    period: str
    month_start: datetime
    disparity: fair.Disparity
    threshold: float
    organizer_ids: tuple[int, ...]


async def month_rates(
    db: AsyncSession, program: Program, sides: Mapping[int, str], *, now: datetime
) -> tuple[str, datetime, dict[str, int], dict[str, int]]:
    """This month's sanctions and session messages per side (the alert's inputs)."""
    period, start, end = fair.month_of(now, program.timezone)
    sanctions = {
        sides[side_id]: int(n)
        for side_id, n in await db.execute(
            select(ModerationAction.target_side_id, func.count())
            .where(
                ModerationAction.program_id == program.id,
                ModerationAction.at >= start,
                ModerationAction.at < end,
                ModerationAction.action.in_(sorted(SANCTIONS)),
                ModerationAction.failure.is_(None),
                ModerationAction.target_side_id.is_not(None),
            )
            .group_by(ModerationAction.target_side_id)
        )
        if side_id in sides
    }
    messages = {
        sides[side_id]: int(n or 0)
        for side_id, n in await db.execute(
            select(SessionSideStats.side_id, func.sum(SessionSideStats.messages))
            .join(DialogueSession, DialogueSession.id == SessionSideStats.session_id)
            .join(DialogueGroup, DialogueGroup.id == DialogueSession.group_id)
            .where(
                DialogueGroup.program_id == program.id,
                and_(DialogueSession.starts_at >= start, DialogueSession.starts_at < end),
            )
            .group_by(SessionSideStats.side_id)
        )
        if side_id in sides
    }
    return period, start, sanctions, messages


async def due_alert(db: AsyncSession, program_id: int, *, now: datetime) -> Alert | None:
    """The alert organizers are owed now, claimed (recorded) so it is sent once per month."""
    from bot.features.feedback import surveys

    program = await db.get(Program, program_id)
    if program is None:
        return None
    sides = await _side_names(db, program_id)
    if len(sides) < 2:
        return None
    period, start, sanctions, messages = await month_rates(db, program, sides, now=now)
    k = (await surveys.settings_of(db, program_id)).k_ratings
    threshold = alert_ratio(program)
    found = fair.should_alert(sanctions, messages, ratio=threshold, k=k)
    if found is None:
        return None
    exists = await db.scalar(
        select(FairnessAlert.id).where(
            FairnessAlert.program_id == program_id, FairnessAlert.period == period
        )
    )
    if exists is not None:
        return None
    try:
        async with db.begin_nested():
            db.add(FairnessAlert(program_id=program_id, period=period, sent_at=now))
            await db.flush()
    except IntegrityError:
        return None  # another process claimed it
    return Alert(
        program_id=program_id,
        program_name=program.name,
        period=period,
        month_start=start,
        disparity=found,
        threshold=threshold,
        organizer_ids=tuple(
            (
                await db.scalars(
                    select(OrganizerGrant.person_id)
                    .where(OrganizerGrant.program_id == program_id)
                    .order_by(OrganizerGrant.person_id)
                )
            ).all()
        ),
    )


def ordered(sides: Sequence[str], values: Mapping[str, Any]) -> list[str]:
    return [side for side in sides if side in values]
