"""Binding Telegram chats to dialogue groups, the bot's own status there, and the entry gate.

Who may enter a dialogue group's chat is decided here: participants assigned to that group who
accepted the code of conduct. Everything is a plain answer (a verdict, the people to tell); the
handlers make the Telegram calls and write the messages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DialogueGroup, Enrolment, GroupMember, Person
from bot.domain.errors import NotAllowed, NotFound
from bot.features.groups import lookup as group_lookup
from bot.features.groups.lookup import GroupView
from bot.features.groups.service import (
    ASSIGNED,
    INVITED,
    JOINED,
    LEFT,
    REMOVED,
    GroupError,
    display_name,
    normalize_code,
    organizers_of,
    person_locale,
    recipients,
)
from bot.features.programs import service as programs
from bot.i18n import locale_of
from bot.services import access
from bot.services.people import Recipient

# The admin rights the bot needs in a dialogue group, in the order they are named to people.
REQUIRED_RIGHTS = (
    "can_delete_messages",
    "can_restrict_members",
    "can_invite_users",
    "can_pin_messages",
)


def missing_rights(status: str, rights: Mapping[str, bool | None]) -> tuple[str, ...]:
    """The required rights the bot lacks with this status (an owner has all; a non-admin none)."""
    if status == "creator":
        return ()
    if status != "administrator":
        return REQUIRED_RIGHTS
    return tuple(right for right in REQUIRED_RIGHTS if not rights.get(right))


def _encode(rights: tuple[str, ...]) -> str:
    return ",".join(rights)


def _decode(rights: str | None) -> tuple[str, ...]:
    return tuple(r for r in (rights or "").split(",") if r)


@dataclass(frozen=True)
class LinkTarget:
    group_id: int
    group_name: str
    program_id: int
    program_name: str


@dataclass(frozen=True)
class BotStatusChange:
    group: GroupView
    program_name: str
    old_status: str | None
    new_status: str
    old_missing: tuple[str, ...]
    new_missing: tuple[str, ...]
    organizers: tuple[Recipient, ...]

    @property
    def lost(self) -> bool:
        """The bot was removed, demoted, or lost a right it had."""
        gone = self.new_status in ("left", "kicked") and self.old_status not in ("left", "kicked")
        return gone or bool(set(self.new_missing) - set(self.old_missing))

    @property
    def regained(self) -> bool:
        return (
            not self.new_missing
            and bool(self.old_missing)
            and self.new_status not in ("left", "kicked")
        )


@dataclass(frozen=True)
class JoinVerdict:
    group: GroupView
    approve: bool
    reason: str  # assigned | not_assigned | other_group | removed
    person_id: int | None
    locale: str
    moderators: tuple[Recipient, ...]
    program_name: str


@dataclass(frozen=True)
class DirectJoinVerdict:
    group: GroupView
    kind: str  # staff | assigned | stranger
    moderators: tuple[Recipient, ...]
    program_name: str


@dataclass(frozen=True)
class InvitationTarget:
    member_id: int
    person_id: int
    locale: str
    group_id: int
    group_name: str
    program_name: str
    chat_id: int | None
    invite_link: str | None
    others_by_side: tuple[tuple[str, int], ...]
    # The other members' first names per side, only when the program allows naming them.
    other_names: tuple[tuple[str, tuple[str, ...]], ...] = ()


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
