"""Existing groups: placing late joiners, moving people between groups, leaving and removal."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DialogueGroup, Enrolment, GroupMember, Person
from bot.domain.errors import NotFound
from bot.domain.grouping import Breach, FormationSpec, Member, move_member
from bot.domain.grouping import place_late_joiner as domain_place_late_joiner
from bot.domain.numbers import as_id
from bot.features.groups.service.common import (
    ASSIGNED,
    JOINED,
    REMOVED,
    GroupError,
    LatePlacement,
    MoveProposal,
    MoveResult,
    NamedBreach,
    _member,
    display_name,
    normalize_code,
)
from bot.features.programs import service as programs
from bot.features.programs.service import ProgramView
from bot.services import access

# ---- existing groups -------------------------------------------------------------------------------


async def _groups(db: AsyncSession, program_id: int) -> list[DialogueGroup]:
    return list(
        (
            await db.scalars(
                select(DialogueGroup)
                .where(DialogueGroup.program_id == program_id)
                .order_by(DialogueGroup.id)
            )
        ).all()
    )


def _spec_of(groups: Sequence[DialogueGroup]) -> FormationSpec:
    lows = [g.min_size for g in groups if g.min_size]
    highs = [g.max_size for g in groups if g.max_size]
    low = min(lows) if lows else 8
    high = max(highs) if highs else 12
    return FormationSpec(
        min_size=low, max_size=max(low, high), separate_role_tracks=any(g.track for g in groups)
    )


async def _current_groups(
    db: AsyncSession, program_id: int, now: datetime
) -> tuple[ProgramView, list[DialogueGroup], list[list[Member]], dict[int, Member]]:
    """Every group of the program with its members as grouping Members (absent ones included)."""
    program = await programs.get(db, program_id)
    groups = await _groups(db, program_id)
    index = {g.id: i for i, g in enumerate(groups)}
    members: list[list[Member]] = [[] for _ in groups]
    everyone: dict[int, Member] = {}
    rows = await db.execute(
        select(GroupMember.group_id, Enrolment, Person)
        .join(
            Enrolment,
            (Enrolment.person_id == GroupMember.person_id)
            & (Enrolment.program_id == GroupMember.program_id),
        )
        .join(Person, Person.id == GroupMember.person_id)
        .where(GroupMember.program_id == program_id, GroupMember.status != REMOVED)
        .order_by(GroupMember.id)
    )
    for group_id, enrolment, person in rows.all():
        member = _member(enrolment, person, program, now)
        members[index[group_id]].append(member)
        everyone[member.id] = member
    return program, groups, members, everyone


def _named(
    breaches: Iterable[Breach], groups: Sequence[DialogueGroup], program: ProgramView
) -> tuple[NamedBreach, ...]:
    named = []
    for breach in breaches:
        side_key = breach.params.get("side")
        side = (
            next((s.name for s in program.sides if str(s.id) == str(side_key)), None)
            if side_key
            else None
        )
        named.append(NamedBreach(breach, groups[breach.group_index].name, side))
    return tuple(named)


async def find_group(db: AsyncSession, ref: str) -> DialogueGroup:
    """A group by its link code (what organizers see in /groups), or by its id."""
    ref = ref.strip().lstrip("#")
    group = await db.scalar(
        select(DialogueGroup).where(DialogueGroup.link_code == normalize_code(ref))
    )
    if group is None and (number := as_id(ref)) is not None:
        group = await db.get(DialogueGroup, number)
    if group is None:
        raise NotFound("group_unknown", ref=ref)
    return group


async def group_of_chat(db: AsyncSession, chat_id: int) -> DialogueGroup:
    group = await db.scalar(select(DialogueGroup).where(DialogueGroup.chat_id == chat_id))
    if group is None:
        raise GroupError("not_a_dialogue_group")
    return group


async def find_person(db: AsyncSession, ref: str) -> Person:
    """A person by @username or Telegram id; they must have talked to the bot before."""
    ref = ref.strip()
    person = None
    if ref.startswith("@") and len(ref) > 1:
        person = await db.scalar(
            select(Person).where(func.lower(Person.username) == ref[1:].lower())
        )
    elif (number := as_id(ref)) is not None:
        person = await db.get(Person, number)
    if person is None:
        raise NotFound("unknown_person")
    return person


async def check_move(
    db: AsyncSession,
    person_id: int,
    to_group_id: int,
    actor_id: int,
    admin_ids: Collection[int],
    now: datetime,
) -> MoveProposal:
    """What moving the person into the group would do; nothing is changed."""
    target = await db.get(DialogueGroup, to_group_id)
    if target is None:
        raise NotFound("group_unknown", ref=str(to_group_id))
    assignment = await db.scalar(
        select(GroupMember)
        .where(GroupMember.person_id == person_id)
        .order_by(GroupMember.assigned_at.desc())
        .limit(1)
    )
    if assignment is None:
        raise GroupError("move_not_assigned")
    await access.require_organizer(db, actor_id, admin_ids, assignment.program_id)
    if target.program_id != assignment.program_id:
        raise GroupError("move_other_program")
    if target.id == assignment.group_id:
        raise GroupError("move_same_group", group=target.name)
    program, groups, members, everyone = await _current_groups(db, assignment.program_id, now)
    index = {g.id: i for i, g in enumerate(groups)}
    spec = _spec_of(groups)
    if person_id not in everyone:
        raise GroupError("move_not_assigned")
    check = move_member(members, person_id, index[target.id], spec)
    person = await db.get(Person, person_id)
    assert person is not None
    return MoveProposal(
        program_id=program.id,
        person_id=person_id,
        person_name=display_name(person),
        from_group_id=assignment.group_id,
        from_group_name=groups[index[assignment.group_id]].name,
        to_group_id=target.id,
        to_group_name=target.name,
        breaches=_named(check.breaches, groups, program),
    )


async def move(
    db: AsyncSession,
    person_id: int,
    from_group_id: int,
    to_group_id: int,
    actor_id: int,
    admin_ids: Collection[int],
    now: datetime,
) -> MoveResult:
    """Move the person (after the organizer confirmed the proposal). A stale confirmation, where
    the person is no longer in ``from_group_id``, is refused."""
    proposal = await check_move(db, person_id, to_group_id, actor_id, admin_ids, now)
    if proposal.from_group_id != from_group_id:
        raise GroupError("move_stale")
    row = await db.scalar(
        select(GroupMember).where(
            GroupMember.person_id == person_id, GroupMember.program_id == proposal.program_id
        )
    )
    assert row is not None
    source = await db.get(DialogueGroup, from_group_id)
    assert source is not None
    was_in_chat = row.status == JOINED
    row.group_id, row.status, row.invite_link = to_group_id, ASSIGNED, None
    row.assigned_at, row.joined_at = now, None
    await db.flush()
    return MoveResult(
        proposal.program_id, person_id, from_group_id, source.chat_id, was_in_chat, to_group_id
    )


async def place_late_joiner(
    db: AsyncSession,
    person_id: int,
    program_id: int,
    now: datetime,
    *,
    force_group_id: int | None = None,
) -> LatePlacement | None:
    """Place someone who enrolled after the program's groups were formed.

    Returns None when the program has no groups yet (formation will include them) or the person is
    not enrolled. The group that keeps balance best is chosen by the domain's rule; when every
    invariant still holds there the person is placed, otherwise nothing is written and the result
    lists the breaches so organizers can confirm (``force_group_id``) or move people. Idempotent:
    someone already placed gets their group back.
    """
    existing = await db.scalar(
        select(GroupMember).where(
            GroupMember.person_id == person_id, GroupMember.program_id == program_id
        )
    )
    if existing is not None:
        group = await db.get(DialogueGroup, existing.group_id)
        assert group is not None
        return LatePlacement(program_id, person_id, group.id, group.name, placed=True, breaches=())
    enrolment = await db.scalar(
        select(Enrolment).where(
            Enrolment.person_id == person_id, Enrolment.program_id == program_id
        )
    )
    if enrolment is None:
        return None
    program, groups, members, _ = await _current_groups(db, program_id, now)
    if not groups:
        return None
    person = await db.get(Person, person_id)
    assert person is not None
    newcomer = _member(enrolment, person, program, now)
    placement = domain_place_late_joiner(members, newcomer, _spec_of(groups))
    chosen = groups[placement.group_index]
    breaches = _named(placement.breaches, groups, program)
    if force_group_id is not None:
        forced = next((g for g in groups if g.id == force_group_id), None)
        if forced is None:
            raise GroupError("move_other_program")
        chosen, breaches = forced, ()
    elif not placement.ok:
        return LatePlacement(
            program_id, person_id, chosen.id, chosen.name, placed=False, breaches=breaches
        )
    db.add(
        GroupMember(
            program_id=program_id,
            group_id=chosen.id,
            person_id=person_id,
            status=ASSIGNED,
            assigned_at=now,
        )
    )
    await db.flush()
    return LatePlacement(
        program_id, person_id, chosen.id, chosen.name, placed=True, breaches=breaches
    )


async def force_place(
    db: AsyncSession,
    person_id: int,
    group_id: int,
    actor_id: int,
    admin_ids: Collection[int],
    now: datetime,
) -> LatePlacement:
    """An organizer confirmed placing a late joiner in a group that breaks an invariant."""
    group = await db.get(DialogueGroup, group_id)
    if group is None:
        raise GroupError("move_stale")
    await access.require_organizer(db, actor_id, admin_ids, group.program_id)
    placement = await place_late_joiner(
        db, person_id, group.program_id, now, force_group_id=group_id
    )
    if placement is None:
        raise GroupError("move_stale")
    return placement
