"""What a person sees of the schedule: their zone, their upcoming sessions, their calendar file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Person
from bot.domain.scheduling import (
    EventStatus,
    IcsEvent,
    build_calendar,
    local_times_for_zones,
    session_uid,
)
from bot.domain.scheduling.zones import ZoneLocalTime
from bot.features.sessions import service as sessions_service
from bot.features.sessions.service import CANCELLED, SessionView


@dataclass(frozen=True)
class Upcoming:
    zone: str
    items: tuple[tuple[SessionView, str], ...]  # (session, group name)


async def person_zone(db: AsyncSession, person_id: int, fallback: str = "UTC") -> str:
    return await db.scalar(select(Person.timezone).where(Person.id == person_id)) or fallback


async def upcoming(db: AsyncSession, person_id: int, now: datetime, limit: int = 10) -> Upcoming:
    items = await sessions_service.upcoming_for_person(db, person_id, now, limit)
    fallback = items[0][0].zone if items else "UTC"
    return Upcoming(zone=await person_zone(db, person_id, fallback), items=tuple(items))


def _description(session: SessionView) -> str:
    return "\n".join(
        f"{item.position + 1}. {item.title} ({item.minutes}')" for item in session.agenda
    )


async def calendar(
    db: AsyncSession, person_id: int, now: datetime, calname: str
) -> tuple[bytes, int]:
    """The person's .ics file and how many events it holds."""
    found = await sessions_service.calendar_for_person(db, person_id, now)
    zone = await person_zone(db, person_id, found[0].zone if found else "UTC")
    events = [
        IcsEvent(
            uid=session_uid(s.id),
            sequence=s.sequence,
            start_utc=s.starts_at,
            end_utc=s.ends_at,
            title=s.title,
            description=_description(s),
            status=EventStatus.CANCELLED if s.status == CANCELLED else EventStatus.CONFIRMED,
            zone_name=zone,
        )
        for s in found
    ]
    return build_calendar(events, calname, now), len(events)


async def group_local_times(db: AsyncSession, session: SessionView) -> list[ZoneLocalTime]:
    """The session's start in every zone present in its group (and the zone it was planned in)."""
    zones = await sessions_service.group_zones(db, session.group_id)
    return local_times_for_zones(session.starts_at, [session.zone, *zones])
