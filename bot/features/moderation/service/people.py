"""Who is who in a group: the bound group, moderators and staff, the person a command targets."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GroupMember, OrganizerGrant, Person
from bot.domain.errors import NotAllowed
from bot.domain.numbers import as_id
from bot.features.groups import lookup as group_lookup
from bot.features.groups.lookup import GroupView
from bot.features.moderation.service.common import PRESENT, ModerationError, Target
from bot.services import people
from bot.services.people import PersonView, TelegramIdentity

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
