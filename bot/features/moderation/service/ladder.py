"""The escalation ladder: offences, sanctions and their undoing, each one row in the log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Enrolment, Excerpt, ModerationAction
from bot.domain.conduct import Strike
from bot.domain.conduct.reasons import ReasonCode
from bot.features.groups.lookup import GroupView
from bot.features.moderation import rules as rules_service
from bot.features.moderation.service.common import (
    _STEP_ACTIONS,
    BAN,
    DELETE,
    EXCERPT_LIMIT,
    KICK,
    MUTE,
    UNBAN,
    UNMUTE,
    UNWARN,
    Decision,
    ModerationError,
    StrikeView,
    Target,
    WarnsView,
)

# ---- the ladder -----------------------------------------------------------------------------------


async def _strikes(db: AsyncSession, program_id: int, person_id: int) -> list[ModerationAction]:
    return list(
        (
            await db.scalars(
                select(ModerationAction)
                .where(
                    ModerationAction.program_id == program_id,
                    ModerationAction.target_id == person_id,
                    ModerationAction.strike.is_(True),
                )
                .order_by(ModerationAction.at, ModerationAction.id)
            )
        ).all()
    )


def _as_strikes(rows: Sequence[ModerationAction]) -> list[Strike]:
    return [Strike(issued_at=row.at, revoked=row.revoked_at is not None) for row in rows]


async def _excerpt(db: AsyncSession, person_id: int, text: str | None, **owner: int) -> str | None:
    if not text:
        return None
    clipped = text[:EXCERPT_LIMIT]
    db.add(Excerpt(person_id=person_id, text=clipped, **owner))
    return clipped


async def side_of(db: AsyncSession, program_id: int, person_id: int | None) -> int | None:
    """The side a person is enrolled on in a program (None: not enrolled, or nobody)."""
    if person_id is None:
        return None
    return await db.scalar(
        select(Enrolment.side_id).where(
            Enrolment.program_id == program_id, Enrolment.person_id == person_id
        )
    )


async def _record(
    db: AsyncSession,
    group: GroupView,
    *,
    kind: str,
    target: Target,
    actor_id: int | None,
    actor_rule: str | None,
    reason: str | None,
    rule: str | None,
    duration: timedelta | None,
    now: datetime,
    strike: bool,
    expiry: timedelta | None,
    excerpt: str | None = None,
    message_id: int | None = None,
    reason_code: ReasonCode | None = None,
) -> ModerationAction:
    row = ModerationAction(
        at=now,
        program_id=group.program_id,
        group_id=group.id,
        target_id=target.id,
        actor_id=actor_id,
        actor_rule=actor_rule,
        target_side_id=await side_of(db, group.program_id, target.id),
        actor_side_id=await side_of(db, group.program_id, actor_id),
        action=kind,
        reason_code=reason_code.value if reason_code else None,
        reason=(reason or None) and reason[:500],
        rule=(rule or None) and rule[:200],
        duration_seconds=int(duration.total_seconds()) if duration else None,
        until=now + duration if duration else None,
        strike=strike,
        expires_at=now + expiry if strike and expiry else None,
        message_id=message_id,
    )
    db.add(row)
    await db.flush()
    await _excerpt(db, target.id, excerpt, action_id=row.id)
    return row


async def offence(
    db: AsyncSession,
    group: GroupView,
    target: Target,
    *,
    actor_id: int | None,
    actor_rule: str | None = None,
    reason: str | None,
    reason_code: ReasonCode | None = None,
    rule: str | None = None,
    excerpt: str | None = None,
    message_id: int | None = None,
    now: datetime,
) -> Decision:
    """An offence (/warn, a filter hit, a report upheld with "warn"): the ladder picks the sanction."""
    rules = await rules_service.for_group(db, group.program_id, group.id)
    ladder = rules.ladder
    past = await _strikes(db, group.program_id, target.id)
    step = ladder.next_step(_as_strikes(past), now)
    row = await _record(
        db,
        group,
        kind=_STEP_ACTIONS[step.kind],
        target=target,
        actor_id=actor_id,
        actor_rule=actor_rule,
        reason=reason,
        reason_code=reason_code,
        rule=rule,
        duration=step.duration,
        now=now,
        strike=True,
        expiry=ladder.strike_expiry,
        excerpt=excerpt,
        message_id=message_id,
    )
    active = ladder.active_strikes(_as_strikes([*past, row]), now)
    return _decision(row, group, target, excerpt, active, len(ladder.steps))


async def sanction(
    db: AsyncSession,
    group: GroupView,
    target: Target,
    kind: str,
    *,
    actor_id: int,
    reason: str | None,
    duration: timedelta | None,
    reason_code: ReasonCode | None = None,
    excerpt: str | None = None,
    message_id: int | None = None,
    now: datetime,
) -> Decision:
    """An explicit /mute, /kick or /ban: exactly what the moderator asked; it counts as a strike."""
    assert kind in (MUTE, KICK, BAN)
    rules = await rules_service.for_group(db, group.program_id, group.id)
    ladder = rules.ladder
    past = await _strikes(db, group.program_id, target.id)
    row = await _record(
        db,
        group,
        kind=kind,
        target=target,
        actor_id=actor_id,
        actor_rule=None,
        reason=reason,
        reason_code=reason_code,
        rule=None,
        duration=duration if kind != KICK else None,
        now=now,
        strike=True,
        expiry=ladder.strike_expiry,
        excerpt=excerpt,
        message_id=message_id,
    )
    active = ladder.active_strikes(_as_strikes([*past, row]), now)
    return _decision(row, group, target, excerpt, active, len(ladder.steps))


async def lift(
    db: AsyncSession,
    group: GroupView,
    target: Target,
    kind: str,
    *,
    actor_id: int,
    reason: str | None,
    now: datetime,
) -> Decision:
    """/unmute or /unban: logged; the strike that led there stays (only /unwarn and appeals revoke)."""
    assert kind in (UNMUTE, UNBAN)
    row = await _record(
        db,
        group,
        kind=kind,
        target=target,
        actor_id=actor_id,
        actor_rule=None,
        reason=reason,
        rule=None,
        duration=None,
        now=now,
        strike=False,
        expiry=None,
    )
    return _decision(row, group, target, None, 0, 0)


async def unwarn(
    db: AsyncSession,
    group: GroupView,
    target: Target,
    *,
    actor_id: int,
    reason: str | None,
    now: datetime,
) -> Decision:
    """Revoke the person's most recent active strike (a warning or any later step)."""
    rules = await rules_service.for_group(db, group.program_id, group.id)
    ladder = rules.ladder
    past = await _strikes(db, group.program_id, target.id)
    active = [
        row for row in past if row.revoked_at is None and now - ladder.strike_expiry < row.at <= now
    ]
    if not active:
        raise ModerationError("no_warnings", name=target.name)
    active[-1].revoked_at = now
    row = await _record(
        db,
        group,
        kind=UNWARN,
        target=target,
        actor_id=actor_id,
        actor_rule=None,
        reason=reason,
        rule=f"#{active[-1].id}",
        duration=None,
        now=now,
        strike=False,
        expiry=None,
    )
    return _decision(row, group, target, None, len(active) - 1, len(ladder.steps))


async def deleted(
    db: AsyncSession,
    group: GroupView,
    target: Target,
    *,
    actor_id: int,
    reason: str | None,
    excerpt: str | None,
    message_id: int,
    now: datetime,
) -> Decision:
    row = await _record(
        db,
        group,
        kind=DELETE,
        target=target,
        actor_id=actor_id,
        actor_rule=None,
        reason=reason,
        rule=None,
        duration=None,
        now=now,
        strike=False,
        expiry=None,
        excerpt=excerpt,
        message_id=message_id,
    )
    return _decision(row, group, target, excerpt, 0, 0)


def _decision(
    row: ModerationAction,
    group: GroupView,
    target: Target,
    excerpt: str | None,
    active: int,
    ladder_length: int,
) -> Decision:
    return Decision(
        action_id=row.id,
        kind=row.action,
        group=group,
        target=target,
        actor_id=row.actor_id,
        actor_rule=row.actor_rule,
        reason=row.reason,
        rule=row.rule,
        duration=timedelta(seconds=row.duration_seconds) if row.duration_seconds else None,
        until=row.until,
        active_strikes=active,
        ladder_length=ladder_length,
        excerpt=excerpt,
        message_id=row.message_id,
        reason_code=row.reason_code,
    )


async def record_failure(db: AsyncSession, action_id: int, failure: str) -> None:
    """Telegram refused to carry the action out: the row records why and no longer counts."""
    await db.execute(
        update(ModerationAction)
        .where(ModerationAction.id == action_id)
        .values(failure=failure[:200], strike=False, expires_at=None)
    )


async def warns(db: AsyncSession, group: GroupView, target: Target, now: datetime) -> WarnsView:
    rules = await rules_service.for_group(db, group.program_id, group.id)
    ladder = rules.ladder
    past = await _strikes(db, group.program_id, target.id)
    active = [
        row for row in past if row.revoked_at is None and now - ladder.strike_expiry < row.at <= now
    ]
    return WarnsView(
        target=target,
        strikes=tuple(
            StrikeView(r.id, r.at, r.action, r.reason, r.rule, r.expires_at, r.reason_code)
            for r in active
        ),
        next_step=ladder.step_for(len(active)),
    )
