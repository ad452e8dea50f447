"""Binding Telegram chats to dialogue groups, and the bot's own status there."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DialogueGroup, GroupMember
from bot.domain.errors import NotAllowed, NotFound
from bot.features.groups import lookup as group_lookup
from bot.features.groups.gate.common import BotStatusChange, LinkTarget, _decode, _encode
from bot.features.groups.lookup import GroupView
from bot.features.groups.service import ASSIGNED, INVITED, GroupError, normalize_code, organizers_of
from bot.features.programs import service as programs
from bot.services import access

# ---- binding ---------------------------------------------------------------------------------------


async def check_link(
    db: AsyncSession, code: str, chat_id: int, actor_id: int, admin_ids: Collection[int]
) -> LinkTarget:
    """Whether ``/link code`` by ``actor_id`` in ``chat_id`` may bind; raises saying why not."""
    if not await access.is_organizer(db, actor_id, admin_ids):
        raise NotAllowed("needs_organizer")
    group = await db.scalar(
        select(DialogueGroup).where(DialogueGroup.link_code == normalize_code(code))
    )
    if group is None:
        raise NotFound("link_unknown_code", code=code[:32])
    program = await programs.get(db, group.program_id)
    if not await access.is_organizer(db, actor_id, admin_ids, group.program_id):
        raise NotAllowed("link_other_program")
    bound_here = await db.scalar(select(DialogueGroup).where(DialogueGroup.chat_id == chat_id))
    if bound_here is not None:
        other = await programs.get(db, bound_here.program_id)
        raise GroupError("chat_already_bound", group=bound_here.name, program=other.name)
    if group.chat_id is not None:
        raise GroupError(
            "link_code_used", group=group.name, chat=group.chat_title or str(group.chat_id)
        )
    return LinkTarget(group.id, group.name, program.id, program.name)


async def bind(
    db: AsyncSession,
    code: str,
    chat_id: int,
    chat_title: str | None,
    actor_id: int,
    admin_ids: Collection[int],
    bot_status: str,
    now: datetime,
) -> LinkTarget:
    target = await check_link(db, code, chat_id, actor_id, admin_ids)
    group = await db.get(DialogueGroup, target.group_id)
    assert group is not None
    group.chat_id, group.chat_title, group.bound_at = chat_id, (chat_title or "")[:255] or None, now
    group.bot_status, group.missing_rights = bot_status, ""
    await db.flush()
    return target


async def record_bot_status(
    db: AsyncSession,
    chat_id: int,
    status: str,
    missing: tuple[str, ...],
    admin_ids: Collection[int],
    title: str | None = None,
) -> BotStatusChange | None:
    """Keep the bot's status and missing rights current; None for chats that are no dialogue group."""
    group = await db.scalar(select(DialogueGroup).where(DialogueGroup.chat_id == chat_id))
    if group is None:
        return None
    old_status, old_missing = group.bot_status, _decode(group.missing_rights)
    group.bot_status, group.missing_rights = status, _encode(missing)
    if title:
        group.chat_title = title[:255]
    await db.flush()
    program = await programs.get(db, group.program_id)
    return BotStatusChange(
        group=await group_lookup.view(db, group),
        program_name=program.name,
        old_status=old_status,
        new_status=status,
        old_missing=old_missing,
        new_missing=missing,
        organizers=tuple(await organizers_of(db, group.program_id, admin_ids)),
    )


async def migrate_chat(
    db: AsyncSession, old_chat_id: int, new_chat_id: int, title: str | None
) -> GroupView | None:
    """A basic group became a supergroup: the binding follows it. Invite links made for the old
    chat stop working, so members who have not joined yet are owed new ones."""
    group = await db.scalar(select(DialogueGroup).where(DialogueGroup.chat_id == old_chat_id))
    if group is None:
        return None
    group.chat_id = new_chat_id
    if title:
        group.chat_title = title[:255]
    members = await db.scalars(
        select(GroupMember).where(
            GroupMember.group_id == group.id, GroupMember.status.in_((ASSIGNED, INVITED))
        )
    )
    for member in members:
        member.invite_link, member.status = None, ASSIGNED
    await db.flush()
    return await group_lookup.view(db, group)
