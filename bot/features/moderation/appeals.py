"""Appeals: a sanctioned person asks the group's other moderators (else the organizers) to lift it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Appeal, AppealNotice, Excerpt, ModerationAction, OrganizerGrant
from bot.db.rows import affected
from bot.domain.errors import NotAllowed
from bot.features.groups import lookup as group_lookup
from bot.features.groups.lookup import GroupView
from bot.features.moderation import notices as notices_service
from bot.features.moderation.notices import Notice
from bot.features.moderation.service import SANCTIONS, ModerationError, Target, log_event
from bot.services import people
from bot.services.people import Recipient

APPEAL_WINDOW = timedelta(days=30)
TEXT_LIMIT = 1000


@dataclass(frozen=True)
class Appealable:
    action_id: int
    kind: str
    at: datetime
    group_name: str
    reason: str | None
    rule: str | None
    reason_code: str | None = None


@dataclass(frozen=True)
class Filed:
    appeal_id: int
    action: Appealable
    person: Target
    text: str
    reviewers: tuple[Recipient, ...]


@dataclass(frozen=True)
class Decided:
    won: bool  # False: someone else decided first
    appeal_id: int
    accepted: bool
    kind: str
    group: GroupView
    person: Target | None
    reason: str | None
    reviewer_name: str


async def _appealable(
    db: AsyncSession, action_id: int, person_id: int, now: datetime
) -> tuple[ModerationAction, GroupView]:
    action = await db.get(ModerationAction, action_id)
    if (
        action is None
        or action.target_id != person_id
        or action.action not in SANCTIONS
        or action.group_id is None
    ):
        raise ModerationError("nothing_to_appeal")
    if action.revoked_at is not None or action.failure is not None:
        raise ModerationError("appeal_not_needed")
    if now - action.at > APPEAL_WINDOW:
        raise ModerationError("appeal_too_late")
    if await db.scalar(select(Appeal.id).where(Appeal.action_id == action_id)) is not None:
        raise ModerationError("appeal_exists")
    group = await group_lookup.by_id(db, action.group_id)
    assert group is not None
    return action, group


def _view(action: ModerationAction, group: GroupView) -> Appealable:
    return Appealable(
        action.id,
        action.action,
        action.at,
        group.name,
        action.reason,
        action.rule,
        action.reason_code,
    )


async def check(db: AsyncSession, action_id: int, person_id: int, now: datetime) -> Appealable:
    """The sanction a person may still appeal (raises with the reason they may not)."""
    action, group = await _appealable(db, action_id, person_id, now)
    return _view(action, group)


async def open_sanctions(db: AsyncSession, person_id: int, now: datetime) -> list[Appealable]:
    """/appeal: the person's sanctions that can still be appealed, newest first."""
    rows = (
        await db.scalars(
            select(ModerationAction)
            .where(
                ModerationAction.target_id == person_id,
                ModerationAction.action.in_(sorted(SANCTIONS)),
                ModerationAction.revoked_at.is_(None),
                ModerationAction.failure.is_(None),
                ModerationAction.at > now - APPEAL_WINDOW,
            )
            .order_by(ModerationAction.at.desc(), ModerationAction.id.desc())
            .limit(5)
        )
    ).all()
    found = []
    for row in rows:
        try:
            action, group = await _appealable(db, row.id, person_id, now)
        except ModerationError:
            continue
        found.append(_view(action, group))
    return found


async def reviewers_for(
    db: AsyncSession, group: GroupView, *, actor_id: int | None, person_id: int
) -> tuple[Recipient, ...]:
    """The group's moderators other than the one who acted; else the program's organizers."""
    exclude = {person_id} | ({actor_id} if actor_id is not None else set())
    chosen = [m for m in await group_lookup.moderator_ids(db, group.id) if m not in exclude]
    if not chosen:
        organizers = (
            await db.scalars(
                select(OrganizerGrant.person_id)
                .where(OrganizerGrant.program_id == group.program_id)
                .order_by(OrganizerGrant.id)
            )
        ).all()
        chosen = [o for o in organizers if o not in exclude]
    result = []
    for pid in chosen:
        locale = await people.language_of(db, pid)
        result.append(Recipient(pid, locale or group.languages[0]))
    return tuple(result)


async def file(db: AsyncSession, action_id: int, person_id: int, text: str, now: datetime) -> Filed:
    action, group = await _appealable(db, action_id, person_id, now)
    person = await people.get(db, person_id)
    if person is None:
        raise ModerationError("nothing_to_appeal")
    body = text.strip()[:TEXT_LIMIT]
    if not body:
        raise ModerationError("appeal_empty")
    appeal = Appeal(action_id=action.id, person_id=person_id, created_at=now, status="open")
    db.add(appeal)
    await db.flush()
    db.add(Excerpt(person_id=person_id, appeal_id=appeal.id, text=body))
    action.appeal_outcome = "pending"
    await log_event(
        db,
        program_id=group.program_id,
        group_id=group.id,
        action="appeal",
        now=now,
        target_id=person_id,
        actor_id=person_id,
        rule=f"#{action.id}",
    )
    reviewers = await reviewers_for(db, group, actor_id=action.actor_id, person_id=person_id)
    return Filed(appeal.id, _view(action, group), Target.of(person), body, reviewers)


async def add_notice(db: AsyncSession, appeal_id: int, reviewer_id: int, message_id: int) -> None:
    db.add(AppealNotice(appeal_id=appeal_id, reviewer_id=reviewer_id, message_id=message_id))
    await db.flush()


async def notices(db: AsyncSession, appeal_id: int) -> list[Notice]:
    rows = (
        await db.execute(
            select(AppealNotice.reviewer_id, AppealNotice.message_id).where(
                AppealNotice.appeal_id == appeal_id
            )
        )
    ).all()
    return await notices_service.read(db, rows)


async def require_reviewer(
    db: AsyncSession, appeal_id: int, reviewer_id: int, admin_ids: Collection[int]
) -> Appeal:
    appeal = await db.get(Appeal, appeal_id)
    if appeal is None:
        raise ModerationError("nothing_to_appeal")
    action = await db.get(ModerationAction, appeal.action_id)
    assert action is not None and action.group_id is not None
    group = await group_lookup.by_id(db, action.group_id)
    assert group is not None
    allowed = {
        r.person_id
        for r in await reviewers_for(
            db, group, actor_id=action.actor_id, person_id=appeal.person_id or 0
        )
    }
    if reviewer_id not in allowed and reviewer_id not in admin_ids:
        raise NotAllowed("not_a_reviewer")
    return appeal


async def decide(
    db: AsyncSession,
    appeal_id: int,
    *,
    reviewer_id: int,
    accept: bool,
    reason: str | None,
    admin_ids: Collection[int],
    now: datetime,
) -> Decided:
    """Accept (the sanction's strike is revoked; the handler lifts it in the chat) or reject."""
    appeal = await require_reviewer(db, appeal_id, reviewer_id, admin_ids)
    status = "accepted" if accept else "rejected"
    result = await db.execute(
        update(Appeal)
        .where(Appeal.id == appeal_id, Appeal.status == "open")
        .values(
            status=status,
            decided_by=reviewer_id,
            decided_at=now,
            decision_reason=(reason or None) and reason[:500],
        )
    )
    await db.refresh(appeal)
    action = await db.get(ModerationAction, appeal.action_id)
    assert action is not None and action.group_id is not None
    group = await group_lookup.by_id(db, action.group_id)
    assert group is not None
    won = affected(result) == 1
    if won:
        action.appeal_outcome = status
        if accept:
            action.revoked_at = now
        await log_event(
            db,
            program_id=group.program_id,
            group_id=group.id,
            action=f"appeal_{status}",
            now=now,
            target_id=appeal.person_id,
            actor_id=reviewer_id,
            reason=reason,
            rule=f"#{action.id}",
        )
    person = await people.get(db, appeal.person_id) if appeal.person_id else None
    decider = await people.get(db, appeal.decided_by) if appeal.decided_by else None
    return Decided(
        won=won,
        appeal_id=appeal.id,
        accepted=appeal.status == "accepted",
        kind=action.action,
        group=group,
        person=Target.of(person) if person else None,
        reason=appeal.decision_reason,
        reviewer_name=decider.display_name if decider else "?",
    )


async def appeal_text(db: AsyncSession, appeal_id: int) -> str | None:
    return await db.scalar(select(Excerpt.text).where(Excerpt.appeal_id == appeal_id).limit(1))
