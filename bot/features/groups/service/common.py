"""What the groups service shares: states, errors, the values it returns, and small helpers (a
program's roster, link codes, names and languages of people)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Enrolment, OrganizerGrant, Person
from bot.domain.errors import BridgeError
from bot.domain.grouping import Breach, Formation, FormationSpec, Member
from bot.domain.people import display_name as person_name
from bot.features.programs import service as programs
from bot.features.programs.service import ProgramView
from bot.i18n import locale_of, normalize_locale
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
