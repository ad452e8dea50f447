"""Binding Telegram chats to dialogue groups, the bot's own status there, and the entry gate.

Who may enter a dialogue group's chat is decided here: participants assigned to that group who
accepted the code of conduct. Everything is a plain answer (a verdict, the people to tell); the
handlers make the Telegram calls and write the messages.

The steps live in the modules of this package; this module wires them and exposes every name of
the part as before."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DialogueGroup, Enrolment, GroupMember, Person
from bot.features.groups.gate.binding import (
    bind,
    check_link,
    migrate_chat,
    record_bot_status,
)
from bot.features.groups.gate.common import (
    REQUIRED_RIGHTS,
    BotStatusChange,
    DirectJoinVerdict,
    InvitationTarget,
    JoinVerdict,
    LinkTarget,
    missing_rights,
)
from bot.features.groups.gate.entry import (
    judge_direct_join,
    judge_join_request,
    record_joined,
    record_left,
)
from bot.features.groups.service import (
    ASSIGNED,
    INVITED,
    LEFT,
    REMOVED,
    display_name,
    person_locale,
)
from bot.features.programs import service as programs

# ---- invitations -----------------------------------------------------------------------------------


async def invitation_targets(
    db: AsyncSession, group_id: int, person_ids: Collection[int] | None = None
) -> list[InvitationTarget]:
    """Members of the group still owed an invitation (everyone not in the chat yet)."""
    group = await db.get(DialogueGroup, group_id)
    if group is None:
        return []
    program = await programs.get(db, group.program_id)
    side_names = {s.id: s.name for s in program.sides}
    rows = (
        await db.execute(
            select(GroupMember, Enrolment.side_id, Person)
            .join(
                Enrolment,
                (Enrolment.person_id == GroupMember.person_id)
                & (Enrolment.program_id == GroupMember.program_id),
            )
            .join(Person, Person.id == GroupMember.person_id)
            .where(GroupMember.group_id == group_id, GroupMember.status != REMOVED)
            .order_by(GroupMember.id)
        )
    ).all()
    sides = Counter(side_id for _, side_id, _ in rows)  # everyone in the group, joined or not
    targets = []
    for member, side_id, person in rows:
        if member.status not in (ASSIGNED, INVITED) or (
            person_ids is not None and person.id not in person_ids
        ):
            continue
        others = sides.copy()
        others[side_id] -= 1
        names: tuple[tuple[str, tuple[str, ...]], ...] = ()
        if program.show_member_names:
            names = tuple(
                (
                    side_names[s.id],
                    tuple(p.first_name for _, sid, p in rows if sid == s.id and p.id != person.id),
                )
                for s in program.sides
                if others[s.id] > 0
            )
        targets.append(
            InvitationTarget(
                member_id=member.id,
                person_id=person.id,
                locale=person_locale(person, program.default_locale),
                group_id=group.id,
                group_name=group.name,
                program_name=program.name,
                chat_id=group.chat_id,
                invite_link=member.invite_link if member.status == INVITED else None,
                others_by_side=tuple(
                    (side_names[s.id], others[s.id]) for s in program.sides if others[s.id] > 0
                ),
                other_names=names,
            )
        )
    return targets


async def set_invite_link(db: AsyncSession, member_id: int, link: str) -> None:
    member = await db.get(GroupMember, member_id)
    if member is not None and member.status in (ASSIGNED, INVITED, LEFT):
        member.invite_link, member.status = link, INVITED
        await db.flush()


async def person_name(db: AsyncSession, person_id: int) -> str | None:
    person = await db.get(Person, person_id)
    return display_name(person) if person else None


# The part's names, as they were before it was split into modules.
__all__ = [
    "REQUIRED_RIGHTS",
    "BotStatusChange",
    "DirectJoinVerdict",
    "InvitationTarget",
    "JoinVerdict",
    "LinkTarget",
    "bind",
    "check_link",
    "invitation_targets",
    "judge_direct_join",
    "judge_join_request",
    "migrate_chat",
    "missing_rights",
    "person_name",
    "record_bot_status",
    "record_joined",
    "record_left",
    "set_invite_link",
]
