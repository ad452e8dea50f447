"""Shared questions about dialogue groups that every group-facing part asks.

"Which dialogue group is this chat?", "is this person a moderator here?", "who are the members and
moderators?", "in which languages does this group read?". Kept in one place so that the moderation,
session and feedback parts never re-derive them differently.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DialogueGroup, GroupLanguage, GroupMember, GroupModerator, ProgramLanguage


@dataclass(frozen=True)
class GroupView:
    id: int
    program_id: int
    name: str
    chat_id: int | None
    languages: tuple[str, ...]
    quiet_between_sessions: bool


async def _languages(db: AsyncSession, group: DialogueGroup) -> tuple[str, ...]:
    own = (
        await db.scalars(
            select(GroupLanguage.locale)
            .where(GroupLanguage.group_id == group.id)
            .order_by(GroupLanguage.position)
        )
    ).all()
    if own:
        return tuple(own)
    # A group without its own languages reads in its program's languages.
    return tuple(
        (
            await db.scalars(
                select(ProgramLanguage.locale)
                .where(ProgramLanguage.program_id == group.program_id)
                .order_by(ProgramLanguage.position)
            )
        ).all()
    )


async def view(db: AsyncSession, group: DialogueGroup) -> GroupView:
    return GroupView(
        id=group.id,
        program_id=group.program_id,
        name=group.name,
        chat_id=group.chat_id,
        languages=await _languages(db, group),
        quiet_between_sessions=group.quiet_between_sessions,
    )


async def by_chat(db: AsyncSession, chat_id: int) -> GroupView | None:
    group = await db.scalar(select(DialogueGroup).where(DialogueGroup.chat_id == chat_id))
    return await view(db, group) if group else None


async def by_id(db: AsyncSession, group_id: int) -> GroupView | None:
    group = await db.get(DialogueGroup, group_id)
    return await view(db, group) if group else None


async def is_moderator(db: AsyncSession, group_id: int, person_id: int) -> bool:
    return (
        await db.scalar(
            select(GroupModerator.id).where(
                GroupModerator.group_id == group_id, GroupModerator.person_id == person_id
            )
        )
    ) is not None


async def moderator_ids(db: AsyncSession, group_id: int) -> list[int]:
    return list(
        (
            await db.scalars(
                select(GroupModerator.person_id)
                .where(GroupModerator.group_id == group_id)
                .order_by(GroupModerator.id)
            )
        ).all()
    )


async def member_ids(
    db: AsyncSession, group_id: int, *, statuses: tuple[str, ...] | None = None
) -> list[int]:
    query = select(GroupMember.person_id).where(GroupMember.group_id == group_id)
    if statuses is not None:
        query = query.where(GroupMember.status.in_(statuses))
    return list((await db.scalars(query.order_by(GroupMember.id))).all())


async def group_of_person(db: AsyncSession, person_id: int) -> GroupView | None:
    """The dialogue group a participant is assigned to (one per program; the latest if several)."""
    group = await db.scalar(
        select(DialogueGroup)
        .join(GroupMember, GroupMember.group_id == DialogueGroup.id)
        .where(GroupMember.person_id == person_id)
        .order_by(GroupMember.assigned_at.desc())
        .limit(1)
    )
    return await view(db, group) if group else None
