"""The entry gate: who may join a bound group's chat."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DialogueGroup, Enrolment, GroupMember, Person
from bot.features.groups import lookup as group_lookup
from bot.features.groups.gate.common import DirectJoinVerdict, JoinVerdict
from bot.features.groups.service import (
    ASSIGNED,
    INVITED,
    JOINED,
    LEFT,
    REMOVED,
    organizers_of,
    person_locale,
    recipients,
)
from bot.features.programs import service as programs
from bot.i18n import locale_of
from bot.services import access
from bot.services.people import Recipient

# ---- the gate --------------------------------------------------------------------------------------


async def _moderators(
    db: AsyncSession, group: DialogueGroup, admin_ids: Collection[int]
) -> list[Recipient]:
    """Who hears about the gate: the group's moderators, else the program's organizers."""
    program = await programs.get(db, group.program_id)
    ids = await group_lookup.moderator_ids(db, group.id)
    if ids:
        return await recipients(db, ids, program.default_locale)
    return await organizers_of(db, group.program_id, admin_ids)


async def _bound_group(db: AsyncSession, chat_id: int) -> DialogueGroup | None:
    return await db.scalar(select(DialogueGroup).where(DialogueGroup.chat_id == chat_id))


async def judge_join_request(
    db: AsyncSession,
    chat_id: int,
    user_id: int,
    telegram_language: str | None,
    admin_ids: Collection[int],
) -> JoinVerdict | None:
    """Approve only a participant assigned to this group who accepted the code of conduct.
    None when the chat is no dialogue group (the bot leaves such requests alone)."""
    group = await _bound_group(db, chat_id)
    if group is None:
        return None
    program = await programs.get(db, group.program_id)
    person = await db.get(Person, user_id)
    if person is not None:
        locale = person_locale(person, program.default_locale)
    else:
        locale = locale_of(None, telegram_language, program.default_locale)
    member = await db.scalar(
        select(GroupMember).where(
            GroupMember.person_id == user_id, GroupMember.program_id == group.program_id
        )
    )
    accepted = await db.scalar(
        select(Enrolment.accepted_conduct_at).where(
            Enrolment.person_id == user_id, Enrolment.program_id == group.program_id
        )
    )
    if member is None or accepted is None:
        reason = "not_assigned"
    elif member.group_id != group.id:
        reason = "other_group"
    elif member.status == REMOVED:
        reason = "removed"
    else:
        reason = "assigned"
    return JoinVerdict(
        group=await group_lookup.view(db, group),
        approve=reason == "assigned",
        reason=reason,
        person_id=person.id if person else None,
        locale=locale,
        moderators=tuple(await _moderators(db, group, admin_ids)),
        program_name=program.name,
    )


async def judge_direct_join(
    db: AsyncSession, chat_id: int, user_id: int, admin_ids: Collection[int]
) -> DirectJoinVerdict | None:
    """Someone entered without the bot approving a request (added by someone, or a plain link)."""
    group = await _bound_group(db, chat_id)
    if group is None:
        return None
    program = await programs.get(db, group.program_id)
    staff = await group_lookup.is_moderator(db, group.id, user_id) or await access.is_organizer(
        db, user_id, admin_ids, group.program_id
    )
    verdict = await judge_join_request(db, chat_id, user_id, None, admin_ids)
    assert verdict is not None
    kind = "staff" if staff else "assigned" if verdict.approve else "stranger"
    return DirectJoinVerdict(
        group=verdict.group, kind=kind, moderators=verdict.moderators, program_name=program.name
    )


async def record_joined(db: AsyncSession, chat_id: int, user_id: int, now: datetime) -> bool:
    group = await _bound_group(db, chat_id)
    if group is None:
        return False
    member = await db.scalar(
        select(GroupMember).where(
            GroupMember.group_id == group.id, GroupMember.person_id == user_id
        )
    )
    if member is None:
        return False
    member.status, member.joined_at = JOINED, now
    await db.flush()
    return True


async def record_left(db: AsyncSession, chat_id: int, user_id: int, *, removed: bool) -> bool:
    """A member left (or was removed); coming back goes through the gate again."""
    group = await _bound_group(db, chat_id)
    if group is None:
        return False
    member = await db.scalar(
        select(GroupMember).where(
            GroupMember.group_id == group.id, GroupMember.person_id == user_id
        )
    )
    if member is None or member.status not in (JOINED, INVITED, ASSIGNED):
        return False
    member.status = REMOVED if removed else LEFT
    await db.flush()
    return True
