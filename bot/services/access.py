"""Who may do what: the one guard every handler uses.

Roles: admin (from BRIDGEBOT_ADMIN_IDS), organizer (per program), moderator (per dialogue group,
added by the dialogue-group part), participant (enrolled). Admins count as organizers of every program.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Enrolment, GroupModerator, OrganizerGrant
from bot.domain.errors import NotAllowed


@dataclass(frozen=True)
class Roles:
    admin: bool
    organizer_of: frozenset[int]
    participant_of: frozenset[int]
    moderator_of: frozenset[int] = frozenset()  # dialogue group ids

    @property
    def is_organizer(self) -> bool:
        return self.admin or bool(self.organizer_of)

    @property
    def is_participant(self) -> bool:
        return bool(self.participant_of)


async def roles_of(db: AsyncSession, person_id: int, admin_ids: Collection[int]) -> Roles:
    organizer_of = (
        await db.scalars(
            select(OrganizerGrant.program_id).where(OrganizerGrant.person_id == person_id)
        )
    ).all()
    participant_of = (
        await db.scalars(select(Enrolment.program_id).where(Enrolment.person_id == person_id))
    ).all()
    moderator_of = (
        await db.scalars(select(GroupModerator.group_id).where(GroupModerator.person_id == person_id))
    ).all()
    return Roles(
        admin=person_id in admin_ids,
        organizer_of=frozenset(organizer_of),
        participant_of=frozenset(participant_of),
        moderator_of=frozenset(moderator_of),
    )


async def is_organizer(
    db: AsyncSession, person_id: int, admin_ids: Collection[int], program_id: int | None = None
) -> bool:
    if person_id in admin_ids:
        return True
    query = select(exists().where(OrganizerGrant.person_id == person_id))
    if program_id is not None:
        query = select(
            exists().where(
                OrganizerGrant.person_id == person_id, OrganizerGrant.program_id == program_id
            )
        )
    return bool(await db.scalar(query))


async def require_organizer(
    db: AsyncSession, person_id: int, admin_ids: Collection[int], program_id: int | None = None
) -> None:
    if not await is_organizer(db, person_id, admin_ids, program_id):
        raise NotAllowed("needs_organizer")


def require_admin(person_id: int, admin_ids: Collection[int]) -> None:
    if person_id not in admin_ids:
        raise NotAllowed("needs_admin")
