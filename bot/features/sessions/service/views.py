"""What sessions look like to the rest of the bot (views, states, results) and who may schedule
them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db.models import (
    DialogueGroup,
    DialogueSession,
    GroupModerator,
    OrganizerGrant,
    Person,
    Program,
)
from bot.domain.errors import BridgeError, NotAllowed, NotFound
from bot.domain.scheduling import DEFAULT_REMINDER_OFFSETS
from bot.domain.scheduling import AgendaItem as DomainAgendaItem
from bot.features.groups import lookup as group_lookup
from bot.features.groups.lookup import GroupView

# scheduled -> open -> closed; or cancelled.
SCHEDULED, OPEN, CLOSED, CANCELLED = "scheduled", "open", "closed", "cancelled"
LIVE = (SCHEDULED, OPEN)
# Members who still belong to the group (not left, not removed).
ACTIVE_MEMBER = ("assigned", "invited", "joined")
CALENDAR_PAST = timedelta(days=30)


class SessionError(BridgeError):
    """A session action that cannot happen now (no open session, the agenda is over, ...)."""


@dataclass(frozen=True)
class AgendaView:
    position: int
    title: str
    minutes: int
    kind: str = "talk"  # or "round" (bot/domain/scheduling/agenda.py)


@dataclass(frozen=True)
class SessionView:
    id: int
    group_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    zone: str
    status: str
    sequence: int
    agenda: tuple[AgendaView, ...]
    agenda_position: int | None
    series_id: int | None
    opened_at: datetime | None
    closed_at: datetime | None
    planned_at: datetime
    reminder_offsets: tuple[timedelta, ...]

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def domain_agenda(self) -> tuple[DomainAgendaItem, ...]:
        return tuple(DomainAgendaItem(a.title, a.minutes, a.kind) for a in self.agenda)


@dataclass(frozen=True)
class Created:
    group: GroupView
    sessions: tuple[SessionView, ...]
    adjusted: tuple[SessionView, ...]  # moved forward by a DST gap


@dataclass(frozen=True)
class Changed:
    group: GroupView
    before: SessionView
    after: SessionView


@dataclass(frozen=True)
class Closed:
    group: GroupView
    session: SessionView
    program_id: int
    attendee_ids: tuple[int, ...]
    last_of_program: bool
    not_reached: tuple[str, ...] = field(default=())


def _offsets(minutes: Sequence[int] | None) -> tuple[timedelta, ...]:
    if minutes is None:
        return DEFAULT_REMINDER_OFFSETS
    return tuple(timedelta(minutes=int(m)) for m in minutes)


def view(session: DialogueSession, program_minutes: Sequence[int] | None = None) -> SessionView:
    """``program_minutes``: the program's reminder offsets, used when the session has none of its
    own (None for both means the defaults, 24 h and 1 h)."""
    own = session.reminder_minutes
    offsets = _offsets(own if own is not None else program_minutes)
    return SessionView(
        id=session.id,
        group_id=session.group_id,
        title=session.title,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        zone=session.zone,
        status=session.status,
        sequence=session.sequence,
        agenda=tuple(AgendaView(a.position, a.title, a.minutes, a.kind) for a in session.agenda),
        agenda_position=session.agenda_position,
        series_id=session.series_id,
        opened_at=session.opened_at,
        closed_at=session.closed_at,
        planned_at=session.planned_at or session.created_at,
        reminder_offsets=offsets,
    )


def _with_agenda():
    return select(DialogueSession).options(selectinload(DialogueSession.agenda))


async def _program_minutes(db: AsyncSession, group_ids: Collection[int]) -> dict[int, list | None]:
    """group id -> its program's reminder minutes (None: the defaults)."""
    if not group_ids:
        return {}
    rows = await db.execute(
        select(DialogueGroup.id, Program.reminder_minutes)
        .join(Program, Program.id == DialogueGroup.program_id)
        .where(DialogueGroup.id.in_(set(group_ids)))
    )
    return {group_id: minutes for group_id, minutes in rows.all()}


async def _views(db: AsyncSession, sessions: Sequence[DialogueSession]) -> list[SessionView]:
    """Views of loaded sessions, with their program's reminder offsets where they have none."""
    need = {s.group_id for s in sessions if s.reminder_minutes is None}
    minutes = await _program_minutes(db, need)
    return [view(s, minutes.get(s.group_id)) for s in sessions]


async def _view(db: AsyncSession, session: DialogueSession) -> SessionView:
    return (await _views(db, [session]))[0]


async def _load(db: AsyncSession, session_id: int) -> DialogueSession:
    session = await db.scalar(
        _with_agenda()
        .where(DialogueSession.id == session_id)
        .execution_options(populate_existing=True)
    )
    if session is None:
        raise NotFound("unknown_session", session=session_id)
    return session


async def get(db: AsyncSession, session_id: int) -> SessionView:
    return await _view(db, await _load(db, session_id))


async def _group(db: AsyncSession, group_id: int) -> GroupView:
    group = await group_lookup.by_id(db, group_id)
    if group is None:
        raise NotFound("unknown_group")
    return group


# ---- who may schedule --------------------------------------------------------------------------------


async def can_manage(
    db: AsyncSession, group_id: int, person_id: int, admin_ids: Collection[int]
) -> bool:
    """Moderators of the group, organizers of its program and admins may schedule its sessions."""
    if person_id in admin_ids or await group_lookup.is_moderator(db, group_id, person_id):
        return True
    program_id = await db.scalar(
        select(DialogueGroup.program_id).where(DialogueGroup.id == group_id)
    )
    return (
        await db.scalar(
            select(OrganizerGrant.id).where(
                OrganizerGrant.program_id == program_id, OrganizerGrant.person_id == person_id
            )
        )
    ) is not None


async def require_manager(
    db: AsyncSession, group_id: int, person_id: int, admin_ids: Collection[int]
) -> None:
    if not await can_manage(db, group_id, person_id, admin_ids):
        raise NotAllowed("needs_group_moderator")


async def managed_groups(
    db: AsyncSession, person_id: int, admin_ids: Collection[int]
) -> list[GroupView]:
    """Groups whose sessions this person may schedule, in a stable order."""
    query = select(DialogueGroup).order_by(DialogueGroup.program_id, DialogueGroup.id)
    if person_id not in admin_ids:
        moderated = select(GroupModerator.group_id).where(GroupModerator.person_id == person_id)
        organized = select(OrganizerGrant.program_id).where(OrganizerGrant.person_id == person_id)
        query = query.where(
            or_(DialogueGroup.id.in_(moderated), DialogueGroup.program_id.in_(organized))
        )
    return [await group_lookup.view(db, g) for g in (await db.scalars(query)).all()]


async def creator_zone(db: AsyncSession, person_id: int, group_id: int) -> str:
    """The zone a creator's typed times are read in: their own, else the program's."""
    zone = await db.scalar(select(Person.timezone).where(Person.id == person_id))
    if zone:
        return zone
    return (
        await db.scalar(
            select(Program.timezone)
            .join(DialogueGroup, DialogueGroup.program_id == Program.id)
            .where(DialogueGroup.id == group_id)
        )
        or "UTC"
    )
