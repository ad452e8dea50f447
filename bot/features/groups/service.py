"""Dialogue groups: forming them, placing late joiners, moving people, moderators and the overview.

The balancing itself is pure code in bot/domain/grouping; this module turns enrolments into the
domain's ``Member`` values, writes what the organizer confirmed, and answers questions about the
groups as plain values. Binding Telegram chats and the entry gate live in groups_gate.py.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import SUPPORTED_LOCALES
from bot.db.models import (
    DialogueGroup,
    Enrolment,
    GroupLanguage,
    GroupMember,
    GroupModerator,
    OrganizerGrant,
    Person,
)
from bot.db.rows import affected
from bot.domain.errors import BridgeError, NotAllowed, NotFound
from bot.domain.grouping import (
    Breach,
    Formation,
    FormationSpec,
    GroupingError,
    GroupingErrorCode,
    Member,
    form_groups,
    move_member,
)
from bot.domain.grouping import place_late_joiner as domain_place_late_joiner
from bot.domain.numbers import as_id
from bot.domain.people import display_name as person_name
from bot.features.programs import service as programs
from bot.features.programs.service import ProgramView
from bot.i18n import locale_of, normalize_locale
from bot.services import access
from bot.services.people import Recipient

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are typed by hand
CODE_LENGTH = 8
# Member statuses (GroupMember.status).
ASSIGNED, INVITED, JOINED, LEFT, REMOVED = "assigned", "invited", "joined", "left", "removed"


class GroupError(BridgeError):
    """A dialogue-group action that cannot be done as asked (see groups_texts.ERROR_MESSAGES)."""


# ---- values ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Roster:
    """A program's enrolled participants as grouping sees them, at one instant."""

    program: ProgramView
    members: tuple[Member, ...]
    fingerprint: str

    @property
    def side_keys(self) -> tuple[str, ...]:
        return tuple(str(side.id) for side in self.program.sides)

    def side_name(self, key: str) -> str:
        return next((s.name for s in self.program.sides if str(s.id) == key), key)


@dataclass(frozen=True)
class Preview:
    roster: Roster
    spec: FormationSpec
    formation: Formation

    @property
    def program(self) -> ProgramView:
        return self.roster.program


@dataclass(frozen=True)
class CreatedGroup:
    id: int
    name: str
    link_code: str
    member_ids: tuple[int, ...]


@dataclass(frozen=True)
class GroupOverview:
    id: int
    name: str
    link_code: str | None
    track: str | None
    chat_id: int | None
    chat_title: str | None
    bot_status: str | None
    missing_rights: tuple[str, ...]
    members_by_side: tuple[tuple[str, int], ...]
    joined: int
    moderators: tuple[str, ...]
    languages: tuple[str, ...]

    @property
    def size(self) -> int:
        return sum(n for _, n in self.members_by_side)


@dataclass(frozen=True)
class NamedBreach:
    breach: Breach
    group_name: str
    side_name: str | None  # for balance breaches


@dataclass(frozen=True)
class MoveProposal:
    program_id: int
    person_id: int
    person_name: str
    from_group_id: int
    from_group_name: str
    to_group_id: int
    to_group_name: str
    breaches: tuple[NamedBreach, ...]


@dataclass(frozen=True)
class MoveResult:
    program_id: int
    person_id: int
    from_group_id: int
    from_chat_id: int | None
    was_in_chat: bool
    to_group_id: int


@dataclass(frozen=True)
class LatePlacement:
    program_id: int
    person_id: int
    group_id: int
    group_name: str
    placed: bool
    breaches: tuple[NamedBreach, ...]


@dataclass(frozen=True)
class ModeratorChange:
    group_id: int
    group_name: str
    program_name: str
    person: Recipient
    changed: bool


# ---- helpers ---------------------------------------------------------------------------------------


def person_locale(person: Person | None, default: str) -> str:
    if person is None:
        return default
    return locale_of(person.locale, person.telegram_language, default)


def display_name(person: Person) -> str:
    return person_name(person.first_name, person.last_name)


def _languages_of(person: Person, program: ProgramView) -> frozenset[str]:
    """A participant's working languages: their chosen language and their Telegram app's, limited
    to the program's languages (the only ones its texts exist in)."""
    spoken = {person.locale, normalize_locale(person.telegram_language)}
    languages = frozenset(loc for loc in spoken if loc in program.languages)
    return languages or frozenset({program.default_locale})


def _offset_minutes(zone: str, at: datetime) -> int:
    offset = ZoneInfo(zone).utcoffset(at)
    return int(offset.total_seconds()) // 60 if offset is not None else 0


def _fingerprint(members: Iterable[Member]) -> str:
    digest = hashlib.sha256()
    for m in sorted(members, key=lambda m: m.id):
        digest.update(
            f"{m.id}:{m.side}:{m.role}:{','.join(sorted(m.languages))}:{m.utc_offset_minutes};".encode()
        )
    return digest.hexdigest()[:10]


def new_link_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    return text.strip().upper()


async def _member_rows(db: AsyncSession, program_id: int) -> list[tuple[Enrolment, Person]]:
    rows = await db.execute(
        select(Enrolment, Person)
        .join(Person, Person.id == Enrolment.person_id)
        .where(Enrolment.program_id == program_id)
        .order_by(Enrolment.person_id)
    )
    return [(e, p) for e, p in rows.all()]


def _member(enrolment: Enrolment, person: Person, program: ProgramView, now: datetime) -> Member:
    return Member(
        id=person.id,
        side=str(enrolment.side_id),
        role=enrolment.role,
        languages=_languages_of(person, program),
        utc_offset_minutes=_offset_minutes(person.timezone or program.timezone, now),
    )


async def roster(db: AsyncSession, program_id: int, now: datetime) -> Roster:
    program = await programs.get(db, program_id)
    members = tuple(_member(e, p, program, now) for e, p in await _member_rows(db, program_id))
    return Roster(program=program, members=members, fingerprint=_fingerprint(members))


async def organizers_of(
    db: AsyncSession, program_id: int, admin_ids: Collection[int]
) -> list[Recipient]:
    """The program's organizers (the admins when it has none), in their languages."""
    program = await programs.get(db, program_id)
    ids = list(
        (
            await db.scalars(
                select(OrganizerGrant.person_id)
                .where(OrganizerGrant.program_id == program_id)
                .order_by(OrganizerGrant.id)
            )
        ).all()
    )
    if not ids:
        ids = sorted(admin_ids)
    return await recipients(db, ids, program.default_locale)


async def recipients(
    db: AsyncSession, person_ids: Sequence[int], default_locale: str
) -> list[Recipient]:
    found = []
    for person_id in dict.fromkeys(person_ids):
        person = await db.get(Person, person_id)
        name = display_name(person) if person else str(person_id)
        found.append(Recipient(person_id, person_locale(person, default_locale), name))
    return found


# ---- formation -------------------------------------------------------------------------------------


async def preview(db: AsyncSession, program_id: int, spec: FormationSpec, now: datetime) -> Preview:
    """Propose groups for the program (nothing is written). Raises GroupingError for bad input."""
    current = await roster(db, program_id, now)
    if await _has_groups(db, program_id):
        raise GroupError("groups_exist", program=current.program.name)
    try:
        formation = form_groups(current.members, current.side_keys, spec)
    except GroupingError as error:
        if error.code == GroupingErrorCode.EMPTY_SIDE:
            # The domain names sides by key; people know them by name.
            raise GroupingError(
                GroupingErrorCode.EMPTY_SIDE,
                side=current.side_name(str(error.params.get("side"))),
                role=error.params.get("role"),
            ) from None
        raise
    return Preview(roster=current, spec=spec, formation=formation)


async def _has_groups(db: AsyncSession, program_id: int) -> bool:
    return bool(
        await db.scalar(
            select(func.count())
            .select_from(DialogueGroup)
            .where(DialogueGroup.program_id == program_id)
        )
    )


def group_languages(
    shared: Sequence[str], member_languages: Iterable[frozenset[str]], program: ProgramView
) -> list[str]:
    """The languages a group reads in: those all members share, else every member's language, in
    the program's language order."""
    wanted = set(shared)
    if not wanted:
        wanted = set().union(*member_languages) if member_languages else set()
    ordered = [loc for loc in program.languages if loc in wanted]
    return ordered or [program.default_locale]


async def _unique_code(db: AsyncSession, taken: set[str]) -> str:
    while True:
        code = new_link_code()
        if code not in taken and not await db.scalar(
            select(DialogueGroup.id).where(DialogueGroup.link_code == code)
        ):
            taken.add(code)
            return code


async def confirm(
    db: AsyncSession, program_id: int, spec: FormationSpec, fingerprint: str, now: datetime
) -> list[CreatedGroup]:
    """Write the previewed formation: groups with random link codes, and their members.

    Refused when the program already has groups, or when enrolments changed since the preview
    (``fingerprint`` differs), so what is written is exactly what the organizer saw."""
    shown = await preview(db, program_id, spec, now)
    if shown.roster.fingerprint != fingerprint:
        raise GroupError("roster_changed")
    created: list[CreatedGroup] = []
    taken: set[str] = set()
    for index, proposed in enumerate(shown.formation.groups, start=1):
        group = DialogueGroup(
            program_id=program_id,
            name=str(index),
            link_code=await _unique_code(db, taken),
            track=proposed.track,
            min_size=spec.min_size,
            max_size=spec.max_size,
            created_at=now,
        )
        languages = group_languages(
            proposed.shared_languages, (m.languages for m in proposed.members), shown.program
        )
        group.languages = [GroupLanguage(locale=loc, position=i) for i, loc in enumerate(languages)]
        db.add(group)
        await db.flush()
        for member in proposed.members:
            db.add(
                GroupMember(
                    program_id=program_id,
                    group_id=group.id,
                    person_id=member.id,
                    status=ASSIGNED,
                    assigned_at=now,
                )
            )
        assert group.link_code is not None
        created.append(CreatedGroup(group.id, group.name, group.link_code, proposed.member_ids))
    await db.flush()
    return created


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
