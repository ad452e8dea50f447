"""Sanctions and the audit log: who may act on whom, the escalation ladder, and one row per action.

Telegram is not seen here. A handler asks this service to *decide* (checks, ladder step, a log row
written before anything happens in the chat), carries the decision out through the Bot API, and
comes back with ``record_failure`` when Telegram refused (a missing right, flood limits): the row
then says what failed and stops counting as a strike, so a sanction that never happened never
escalates the next one.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    DialogueGroup,
    Enrolment,
    Excerpt,
    GroupMember,
    ModerationAction,
    OrganizerGrant,
    Person,
)
from bot.domain.conduct import Step, StepKind, Strike
from bot.domain.conduct.reasons import ReasonCode
from bot.domain.errors import BridgeError, NotAllowed
from bot.domain.numbers import as_id
from bot.features.groups import lookup as group_lookup
from bot.features.groups.lookup import GroupView
from bot.features.moderation import rules as rules_service
from bot.i18n import locale_of
from bot.services import people
from bot.services.people import PersonView, TelegramIdentity

EXCERPT_LIMIT = 500
# Kinds of log rows (stable: stored and exported).
WARN, MUTE, KICK, BAN = "warn", "mute", "kick", "ban"
UNWARN, UNMUTE, UNBAN, DELETE = "unwarn", "unmute", "unban", "delete"
SANCTIONS = frozenset({WARN, MUTE, KICK, BAN})
_STEP_ACTIONS = {StepKind.WARN: WARN, StepKind.MUTE: MUTE, StepKind.REMOVE: KICK, StepKind.BAN: BAN}
# Chat statuses that mean "in the group" (restricted members are still members).
PRESENT = frozenset({"member", "restricted", "administrator", "creator"})


class ModerationError(BridgeError):
    """A moderation request that cannot be carried out; nothing was changed."""


@dataclass(frozen=True)
class Target:
    id: int
    name: str
    locale: str | None

    @classmethod
    def of(cls, person: PersonView) -> Target:
        return cls(
            person.id, person.display_name, locale_of(person.locale, person.telegram_language, None)
        )


@dataclass(frozen=True)
class Decision:
    """A sanction (or its undoing) decided and logged; the handler carries it out in the chat."""

    action_id: int
    kind: str  # warn, mute, kick, ban, unwarn, unmute, unban, delete
    group: GroupView
    target: Target
    actor_id: int | None
    actor_rule: str | None
    reason: str | None  # typed by a moderator, shown as typed
    rule: str | None
    duration: timedelta | None
    until: datetime | None
    active_strikes: int  # counting this one
    ladder_length: int
    excerpt: str | None = None
    message_id: int | None = None
    reason_code: str | None = None  # given by the bot: rendered in each reader's language

    @property
    def appealable(self) -> bool:
        return self.kind in SANCTIONS


@dataclass(frozen=True)
class StrikeView:
    action_id: int
    at: datetime
    kind: str
    reason: str | None
    rule: str | None
    expires_at: datetime | None
    reason_code: str | None = None


@dataclass(frozen=True)
class WarnsView:
    target: Target
    strikes: tuple[StrikeView, ...]
    next_step: Step


@dataclass(frozen=True)
class LogRow:
    id: int
    at: datetime
    group_id: int | None
    group_name: str | None
    target_id: int | None
    target_name: str | None
    actor_id: int | None
    actor_name: str | None
    actor_rule: str | None
    action: str
    reason: str | None
    rule: str | None
    duration_seconds: int | None
    until: datetime | None
    failure: str | None
    appeal_outcome: str | None
    revoked: bool
    excerpt: str | None
    reason_code: str | None = None


# ---- who is who -----------------------------------------------------------------------------------


async def bound_group(db: AsyncSession, chat_id: int) -> GroupView:
    group = await group_lookup.by_chat(db, chat_id)
    if group is None:
        raise ModerationError("group_not_bound")
    return group


async def staff_ids(db: AsyncSession, group: GroupView) -> frozenset[int]:
    """The group's moderators and its program's organizers: they moderate and are never moderated."""
    moderators = await group_lookup.moderator_ids(db, group.id)
    organizers = (
        await db.scalars(
            select(OrganizerGrant.person_id).where(OrganizerGrant.program_id == group.program_id)
        )
    ).all()
    return frozenset(moderators) | frozenset(organizers)


async def is_staff(
    db: AsyncSession, group: GroupView, person_id: int, admin_ids: Collection[int]
) -> bool:
    return person_id in admin_ids or person_id in await staff_ids(db, group)


async def require_moderator(
    db: AsyncSession, group: GroupView, person_id: int, admin_ids: Collection[int]
) -> None:
    if not await is_staff(db, group, person_id, admin_ids):
        raise NotAllowed("needs_moderator")


async def find_person(db: AsyncSession, ref: str) -> PersonView:
    """A person by ``@username`` or numeric id, as a moderator types them."""
    ref = ref.strip()
    person = None
    if ref.startswith("@") and len(ref) > 1:
        person = await db.scalar(
            select(Person).where(func.lower(Person.username) == ref[1:].lower())
        )
    elif (number := as_id(ref)) is not None:
        person = await db.get(Person, number)
    if person is None:
        raise ModerationError("unknown_target", who=ref[:64])
    return people.view(person)


async def known_target(
    db: AsyncSession, who: TelegramIdentity | None, ref: str | None, now: datetime
) -> Target:
    """The person a command is about: the author of the replied message (recorded on the way),
    else the ``@username`` / id typed."""
    if who is not None:
        return Target.of(people.view(await people.upsert(db, who, now)))
    if ref is None:
        raise ModerationError("no_target")
    return Target.of(await find_person(db, ref))


async def check_target(
    db: AsyncSession,
    group: GroupView,
    *,
    actor_id: int | None,
    target: Target,
    bot_id: int,
    admin_ids: Collection[int],
    chat_status: str | None,
    needs_presence: bool = True,
) -> None:
    """Refuse acting on the bot, oneself, staff, chat administrators, or someone not in the group.

    ``chat_status`` is the target's member status in the chat as Telegram reports it (None when
    it could not be asked).
    """
    if target.id == bot_id:
        raise ModerationError("target_is_bot")
    if actor_id is not None and target.id == actor_id:
        raise ModerationError("target_is_self")
    if target.id in admin_ids or target.id in await staff_ids(db, group):
        raise ModerationError("target_is_moderator", name=target.name)
    if chat_status in ("administrator", "creator"):
        raise ModerationError("target_is_admin", name=target.name)
    if needs_presence and chat_status not in PRESENT:
        raise ModerationError("target_not_in_group", name=target.name)


async def group_member(db: AsyncSession, group: GroupView, person_id: int) -> bool:
    return (
        await db.scalar(
            select(GroupMember.id).where(
                GroupMember.group_id == group.id, GroupMember.person_id == person_id
            )
        )
    ) is not None


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
