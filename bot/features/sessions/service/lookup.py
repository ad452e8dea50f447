"""Looking sessions up: a group's, a person's, the next and the open one, recipients."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    DialogueGroup,
    DialogueSession,
    Enrolment,
    GroupMember,
    GroupModerator,
    Person,
    Program,
    Side,
)
from bot.domain.people import display_name as person_name
from bot.features.sessions.service.views import (
    ACTIVE_MEMBER,
    CALENDAR_PAST,
    LIVE,
    OPEN,
    SCHEDULED,
    SessionView,
    _view,
    _views,
    _with_agenda,
)
from bot.i18n import locale_of
from bot.services.people import Recipient

# ---- looking up ----------------------------------------------------------------------------------------


def _groups_of_person(person_id: int):
    member_of = select(GroupMember.group_id).where(
        GroupMember.person_id == person_id, GroupMember.status.in_(ACTIVE_MEMBER)
    )
    moderates = select(GroupModerator.group_id).where(GroupModerator.person_id == person_id)
    return or_(DialogueSession.group_id.in_(member_of), DialogueSession.group_id.in_(moderates))


async def upcoming_for_person(
    db: AsyncSession, person_id: int, now: datetime, limit: int = 10
) -> list[tuple[SessionView, str]]:
    """The person's next sessions (their groups, as member or moderator) with the group's name."""
    rows = (
        await db.execute(
            _with_agenda()
            .add_columns(DialogueGroup.name)
            .join(DialogueGroup, DialogueGroup.id == DialogueSession.group_id)
            .where(
                _groups_of_person(person_id),
                DialogueSession.status.in_(LIVE),
                DialogueSession.ends_at > now,
            )
            .order_by(DialogueSession.starts_at, DialogueSession.id)
            .limit(limit)
        )
    ).all()
    views = await _views(db, [s for s, _name in rows])
    return [(v, name) for v, (_s, name) in zip(views, rows, strict=True)]


async def calendar_for_person(
    db: AsyncSession, person_id: int, now: datetime, limit: int = 300
) -> list[SessionView]:
    """What a calendar file holds: recent and future sessions, cancelled ones included (marked)."""
    rows = (
        await db.scalars(
            _with_agenda()
            .where(_groups_of_person(person_id), DialogueSession.ends_at > now - CALENDAR_PAST)
            .order_by(DialogueSession.starts_at, DialogueSession.id)
            .limit(limit)
        )
    ).all()
    return await _views(db, rows)


async def next_for_group(db: AsyncSession, group_id: int, now: datetime) -> SessionView | None:
    session = await db.scalar(
        _with_agenda()
        .where(
            DialogueSession.group_id == group_id,
            DialogueSession.status.in_(LIVE),
            DialogueSession.ends_at > now,
        )
        .order_by((DialogueSession.status == OPEN).desc(), DialogueSession.starts_at)
        .limit(1)
    )
    return await _view(db, session) if session else None


async def open_for_group(db: AsyncSession, group_id: int) -> SessionView | None:
    session = await db.scalar(
        _with_agenda()
        .where(DialogueSession.group_id == group_id, DialogueSession.status == OPEN)
        .limit(1)
    )
    return await _view(db, session) if session else None


async def group_sessions(
    db: AsyncSession, group_id: int, now: datetime, limit: int = 20
) -> list[SessionView]:
    rows = (
        await db.scalars(
            _with_agenda()
            .where(
                DialogueSession.group_id == group_id,
                DialogueSession.status.in_(LIVE),
                DialogueSession.ends_at > now,
            )
            .order_by(DialogueSession.starts_at)
            .limit(limit)
        )
    ).all()
    return await _views(db, rows)


async def group_zones(db: AsyncSession, group_id: int) -> list[str]:
    """Every time zone present in the group (members and moderators), in a stable order."""
    members = select(GroupMember.person_id).where(
        GroupMember.group_id == group_id, GroupMember.status.in_(ACTIVE_MEMBER)
    )
    moderators = select(GroupModerator.person_id).where(GroupModerator.group_id == group_id)
    zones = (
        await db.scalars(
            select(Person.timezone)
            .where(
                or_(Person.id.in_(members), Person.id.in_(moderators)), Person.timezone.is_not(None)
            )
            .distinct()
        )
    ).all()
    return sorted({zone for zone in zones if zone is not None})


def _locale_of(person: Person, fallback: str) -> str:
    return locale_of(person.locale, person.telegram_language, fallback)


async def recipients(db: AsyncSession, group_id: int) -> list[Recipient]:
    """The group's current members, each with language, zone and side."""
    fallback = (
        await db.scalar(
            select(Program.default_locale)
            .join(DialogueGroup, DialogueGroup.program_id == Program.id)
            .where(DialogueGroup.id == group_id)
        )
        or "en"
    )
    rows = (
        await db.execute(
            select(Person, Side.id, Side.name)
            .join(GroupMember, GroupMember.person_id == Person.id)
            .outerjoin(
                Enrolment,
                and_(
                    Enrolment.person_id == Person.id, Enrolment.program_id == GroupMember.program_id
                ),
            )
            .outerjoin(Side, Side.id == Enrolment.side_id)
            .where(GroupMember.group_id == group_id, GroupMember.status.in_(ACTIVE_MEMBER))
            .order_by(GroupMember.id)
        )
    ).all()
    return [
        Recipient(
            person_id=p.id,
            name=person_name(p.first_name, p.last_name),
            locale=_locale_of(p, fallback),
            zone=p.timezone,
            side_id=side_id,
            side_name=side_name,
        )
        for p, side_id, side_name in rows
    ]


async def moderators(db: AsyncSession, group_id: int) -> list[Recipient]:
    fallback = (
        await db.scalar(
            select(Program.default_locale)
            .join(DialogueGroup, DialogueGroup.program_id == Program.id)
            .where(DialogueGroup.id == group_id)
        )
        or "en"
    )
    rows = (
        await db.scalars(
            select(Person)
            .join(GroupModerator, GroupModerator.person_id == Person.id)
            .where(GroupModerator.group_id == group_id)
            .order_by(GroupModerator.id)
        )
    ).all()
    return [
        Recipient(
            person_id=p.id,
            name=person_name(p.first_name, p.last_name),
            locale=_locale_of(p, fallback),
            zone=p.timezone,
        )
        for p in rows
    ]


async def near(
    db: AsyncSession, start_from: datetime, start_to: datetime, *, limit: int | None = None
) -> list[SessionView]:
    """Live sessions starting in [start_from, start_to) or still open: what the jobs look at."""
    query = (
        _with_agenda()
        .where(
            or_(
                and_(
                    DialogueSession.status == SCHEDULED,
                    DialogueSession.starts_at >= start_from,
                    DialogueSession.starts_at < start_to,
                ),
                DialogueSession.status == OPEN,
            )
        )
        .order_by(DialogueSession.starts_at, DialogueSession.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return await _views(db, (await db.scalars(query)).all())


async def count_future(db: AsyncSession, now: datetime) -> int:
    return (
        await db.scalar(
            select(func.count())
            .select_from(DialogueSession)
            .where(DialogueSession.status == SCHEDULED, DialogueSession.starts_at > now)
        )
        or 0
    )
