"""Dialogue groups: forming them, placing late joiners, moving people, moderators and the overview.

The balancing itself is pure code in bot/domain/grouping; this package turns enrolments into the
domain's ``Member`` values, writes what the organizer confirmed, and answers questions about the
groups as plain values. Binding Telegram chats and the entry gate live in gate.py. This module
holds the moderators and the overview and exposes every name of the part as before."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import SUPPORTED_LOCALES
from bot.db.models import (
    DialogueGroup,
    Enrolment,
    GroupLanguage,
    GroupMember,
    GroupModerator,
    Person,
)
from bot.db.rows import affected
from bot.domain.errors import NotAllowed, NotFound
from bot.features.groups.service.common import (
    ASSIGNED,
    CODE_ALPHABET,
    CODE_LENGTH,
    INVITED,
    JOINED,
    LEFT,
    REMOVED,
    CreatedGroup,
    GroupError,
    GroupOverview,
    LatePlacement,
    ModeratorChange,
    MoveProposal,
    MoveResult,
    NamedBreach,
    Preview,
    Roster,
    display_name,
    new_link_code,
    normalize_code,
    organizers_of,
    person_locale,
    recipients,
    roster,
)
from bot.features.groups.service.existing_groups import (
    _groups,
    check_move,
    find_group,
    find_person,
    force_place,
    group_of_chat,
    move,
    place_late_joiner,
)
from bot.features.groups.service.formation import (
    confirm,
    group_languages,
    preview,
)
from bot.features.programs import service as programs
from bot.services import access
from bot.services.people import Recipient

# ---- moderators ------------------------------------------------------------------------------------


async def _moderator_change(
    db: AsyncSession, group: DialogueGroup, person: Person, changed: bool
) -> ModeratorChange:
    program = await programs.get(db, group.program_id)
    return ModeratorChange(
        group_id=group.id,
        group_name=group.name,
        program_name=program.name,
        person=Recipient(
            person.id, person_locale(person, program.default_locale), display_name(person)
        ),
        changed=changed,
    )


async def add_moderator(
    db: AsyncSession,
    group_id: int,
    person_id: int,
    actor_id: int,
    admin_ids: Collection[int],
    now: datetime,
) -> ModeratorChange:
    group = await db.get(DialogueGroup, group_id)
    if group is None:
        raise NotFound("group_unknown", ref=str(group_id))
    await access.require_organizer(db, actor_id, admin_ids, group.program_id)
    person = await db.get(Person, person_id)
    if person is None:
        raise NotFound("unknown_person")
    existing = await db.scalar(
        select(GroupModerator.id).where(
            GroupModerator.group_id == group_id, GroupModerator.person_id == person_id
        )
    )
    if existing is None:
        db.add(
            GroupModerator(
                group_id=group_id, person_id=person_id, added_by=actor_id, created_at=now
            )
        )
        await db.flush()
    return await _moderator_change(db, group, person, changed=existing is None)


async def remove_moderator(
    db: AsyncSession, group_id: int, person_id: int, actor_id: int, admin_ids: Collection[int]
) -> ModeratorChange:
    group = await db.get(DialogueGroup, group_id)
    if group is None:
        raise NotFound("group_unknown", ref=str(group_id))
    await access.require_organizer(db, actor_id, admin_ids, group.program_id)
    person = await db.get(Person, person_id)
    if person is None:
        raise NotFound("unknown_person")
    result = await db.execute(
        delete(GroupModerator).where(
            GroupModerator.group_id == group_id, GroupModerator.person_id == person_id
        )
    )
    return await _moderator_change(db, group, person, changed=bool(affected(result)))


# ---- overview --------------------------------------------------------------------------------------


async def overview(db: AsyncSession, program_id: int) -> list[GroupOverview]:
    program = await programs.get(db, program_id)
    groups = await _groups(db, program_id)
    counts = Counter(
        (g, s)
        for g, s in (
            await db.execute(
                select(GroupMember.group_id, Enrolment.side_id)
                .join(
                    Enrolment,
                    (Enrolment.person_id == GroupMember.person_id)
                    & (Enrolment.program_id == GroupMember.program_id),
                )
                .where(GroupMember.program_id == program_id, GroupMember.status != REMOVED)
            )
        ).all()
    )
    joined = Counter(
        (
            await db.scalars(
                select(GroupMember.group_id).where(
                    GroupMember.program_id == program_id, GroupMember.status == JOINED
                )
            )
        ).all()
    )
    result = []
    for group in groups:
        moderators = (
            await db.scalars(
                select(Person)
                .join(GroupModerator, GroupModerator.person_id == Person.id)
                .where(GroupModerator.group_id == group.id)
                .order_by(GroupModerator.id)
            )
        ).all()
        languages = (
            await db.scalars(
                select(GroupLanguage.locale)
                .where(GroupLanguage.group_id == group.id)
                .order_by(GroupLanguage.position)
            )
        ).all()
        result.append(
            GroupOverview(
                id=group.id,
                name=group.name,
                link_code=group.link_code,
                track=group.track,
                chat_id=group.chat_id,
                chat_title=group.chat_title,
                bot_status=group.bot_status,
                missing_rights=tuple(r for r in (group.missing_rights or "").split(",") if r),
                members_by_side=tuple((s.name, counts[(group.id, s.id)]) for s in program.sides),
                joined=joined[group.id],
                moderators=tuple(display_name(p) for p in moderators),
                languages=tuple(languages) or program.languages,
            )
        )
    return result


async def organized_program_ids(
    db: AsyncSession, person_id: int, admin_ids: Collection[int]
) -> list[int]:
    summaries = await programs.list_for(db, person_id, is_admin=person_id in admin_ids)
    return [s.program.id for s in summaries]


def require_supported(locale: str) -> str:
    if locale not in SUPPORTED_LOCALES:
        raise GroupError("unsupported_language", language=locale)
    return locale


async def require_group_organizer(
    db: AsyncSession, group: DialogueGroup, actor_id: int, admin_ids: Collection[int]
) -> None:
    if not await access.is_organizer(db, actor_id, admin_ids, group.program_id):
        raise NotAllowed("needs_organizer")


# The part's names, as they were before it was split into modules.
__all__ = [
    "ASSIGNED",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "INVITED",
    "JOINED",
    "LEFT",
    "REMOVED",
    "CreatedGroup",
    "GroupError",
    "GroupOverview",
    "LatePlacement",
    "ModeratorChange",
    "MoveProposal",
    "MoveResult",
    "NamedBreach",
    "Preview",
    "Roster",
    "add_moderator",
    "check_move",
    "confirm",
    "display_name",
    "find_group",
    "find_person",
    "force_place",
    "group_languages",
    "group_of_chat",
    "move",
    "new_link_code",
    "normalize_code",
    "organized_program_ids",
    "organizers_of",
    "overview",
    "person_locale",
    "place_late_joiner",
    "preview",
    "recipients",
    "remove_moderator",
    "require_group_organizer",
    "require_supported",
    "roster",
]
