"""Sanctions and the audit log: who may act on whom, the escalation ladder, and one row per action.

Telegram is not seen here. A handler asks this service to *decide* (checks, ladder step, a log row
written before anything happens in the chat), carries the decision out through the Bot API, and
comes back with ``record_failure`` when Telegram refused (a missing right, flood limits): the row
then says what failed and stops counting as a strike, so a sanction that never happened never
escalates the next one.

The use cases live in the modules of this package; this module holds the log and exposes every
name of the part as before."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DialogueGroup, Excerpt, ModerationAction, Person
from bot.features.moderation.service.common import (
    BAN,
    DELETE,
    EXCERPT_LIMIT,
    KICK,
    MUTE,
    PRESENT,
    SANCTIONS,
    UNBAN,
    UNMUTE,
    UNWARN,
    WARN,
    Decision,
    LogRow,
    ModerationError,
    StrikeView,
    Target,
    WarnsView,
)
from bot.features.moderation.service.ladder import (
    deleted,
    lift,
    offence,
    record_failure,
    sanction,
    side_of,
    unwarn,
    warns,
)
from bot.features.moderation.service.people import (
    bound_group,
    check_target,
    find_person,
    group_member,
    is_staff,
    known_target,
    require_moderator,
    staff_ids,
)

# ---- the log ----------------------------------------------------------------------------------------


async def log_event(
    db: AsyncSession,
    *,
    program_id: int,
    group_id: int | None,
    action: str,
    now: datetime,
    target_id: int | None = None,
    actor_id: int | None = None,
    reason: str | None = None,
    rule: str | None = None,
    failure: str | None = None,
) -> int:
    """A log row that is not a sanction (report, appeal, settings, a failure before any decision)."""
    row = ModerationAction(
        at=now,
        program_id=program_id,
        group_id=group_id,
        target_id=target_id,
        actor_id=actor_id,
        action=action,
        reason=(reason or None) and reason[:500],
        rule=(rule or None) and rule[:200],
        failure=(failure or None) and failure[:200],
    )
    db.add(row)
    await db.flush()
    return row.id


async def log_rows(
    db: AsyncSession,
    *,
    group_id: int | None = None,
    program_id: int | None = None,
    limit: int | None = None,
) -> list[LogRow]:
    target_person = Person.__table__.alias("target_person")
    actor_person = Person.__table__.alias("actor_person")
    query = (
        select(
            ModerationAction,
            DialogueGroup.name,
            target_person.c.first_name,
            actor_person.c.first_name,
            Excerpt.text,
        )
        .outerjoin(DialogueGroup, DialogueGroup.id == ModerationAction.group_id)
        .outerjoin(target_person, target_person.c.id == ModerationAction.target_id)
        .outerjoin(actor_person, actor_person.c.id == ModerationAction.actor_id)
        .outerjoin(Excerpt, Excerpt.action_id == ModerationAction.id)
    )
    if group_id is not None:
        query = query.where(ModerationAction.group_id == group_id)
    if program_id is not None:
        query = query.where(ModerationAction.program_id == program_id)
    if limit is not None:
        query = query.order_by(ModerationAction.at.desc(), ModerationAction.id.desc()).limit(limit)
    else:
        query = query.order_by(ModerationAction.at, ModerationAction.id)
    rows = []
    for action, group_name, target_name, actor_name, excerpt in (await db.execute(query)).all():
        rows.append(
            LogRow(
                id=action.id,
                at=action.at,
                group_id=action.group_id,
                group_name=group_name,
                target_id=action.target_id,
                target_name=target_name,
                actor_id=action.actor_id,
                actor_name=actor_name,
                actor_rule=action.actor_rule,
                action=action.action,
                reason=action.reason,
                rule=action.rule,
                duration_seconds=action.duration_seconds,
                until=action.until,
                failure=action.failure,
                appeal_outcome=action.appeal_outcome,
                revoked=action.revoked_at is not None,
                excerpt=excerpt,
                reason_code=action.reason_code,
            )
        )
    return rows


async def excerpt_of(db: AsyncSession, action_id: int) -> str | None:
    return await db.scalar(select(Excerpt.text).where(Excerpt.action_id == action_id).limit(1))


# The part's names, as they were before it was split into modules.
__all__ = [
    "BAN",
    "DELETE",
    "EXCERPT_LIMIT",
    "KICK",
    "MUTE",
    "PRESENT",
    "SANCTIONS",
    "UNBAN",
    "UNMUTE",
    "UNWARN",
    "WARN",
    "Decision",
    "LogRow",
    "ModerationError",
    "StrikeView",
    "Target",
    "WarnsView",
    "bound_group",
    "check_target",
    "deleted",
    "excerpt_of",
    "find_person",
    "group_member",
    "is_staff",
    "known_target",
    "lift",
    "log_event",
    "log_rows",
    "offence",
    "record_failure",
    "require_moderator",
    "sanction",
    "side_of",
    "staff_ids",
    "unwarn",
    "warns",
]
