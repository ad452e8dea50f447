"""Sessions as use cases: create (one-off or recurring), edit, reschedule, cancel, look up, and move
through their lifecycle (open, close). The use cases live in the modules beside this one; this
module holds the lifecycle and exposes every name of the part as before."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DialogueGroup, DialogueSession
from bot.domain.errors import NotFound
from bot.features.sessions.service.lookup import (
    calendar_for_person,
    count_future,
    group_sessions,
    group_zones,
    moderators,
    near,
    next_for_group,
    open_for_group,
    recipients,
    upcoming_for_person,
)
from bot.features.sessions.service.offsets import (
    MAX_PROGRAM_REMINDERS,
    ProgramReminders,
    parse_reminder_offsets,
    program_reminders,
    reminder_wave_key,
    set_program_reminders,
)
from bot.features.sessions.service.planning import (
    Preview,
    cancel,
    create,
    edit,
    preview,
    reschedule,
)
from bot.features.sessions.service.views import (
    ACTIVE_MEMBER,
    CALENDAR_PAST,
    CANCELLED,
    CLOSED,
    LIVE,
    OPEN,
    SCHEDULED,
    AgendaView,
    Changed,
    Closed,
    Created,
    SessionError,
    SessionView,
    _load,
    _view,
    can_manage,
    creator_zone,
    get,
    managed_groups,
    require_manager,
    view,
)
from bot.services.people import Recipient  # re-exported: the old module imported it

# ---- lifecycle -----------------------------------------------------------------------------------------


async def open_session(db: AsyncSession, session_id: int, now: datetime) -> SessionView | None:
    """scheduled -> open. None when it is not waiting to open (already open, closed, cancelled)."""
    session = await _load(db, session_id)
    if session.status != SCHEDULED:
        return None
    session.status = OPEN
    session.opened_at = now
    session.agenda_position = 0 if session.agenda else None
    session.updated_at = now
    await db.flush()
    return await _view(db, session)


async def open_by_moderator(
    db: AsyncSession, *, group_id: int, actor_id: int, admin_ids: Collection[int], now: datetime
) -> SessionView:
    """/open: open the group's next session now (before its time), or say one is already open."""
    await require_manager(db, group_id, actor_id, admin_ids)
    if await open_for_group(db, group_id) is not None:
        raise SessionError("session_already_open")
    upcoming = await next_for_group(db, group_id, now)
    if upcoming is None:
        raise SessionError("no_upcoming_session")
    opened = await open_session(db, upcoming.id, now)
    assert opened is not None
    return opened


async def set_agenda_position(
    db: AsyncSession, session_id: int, position: int, now: datetime
) -> None:
    session = await _load(db, session_id)
    session.agenda_position = position
    session.updated_at = now


async def next_item(
    db: AsyncSession, *, group_id: int, actor_id: int, admin_ids: Collection[int], now: datetime
) -> tuple[SessionView, int]:
    """/next: move the open session to its next agenda item. Returns (session, new position)."""
    await require_manager(db, group_id, actor_id, admin_ids)
    current = await open_for_group(db, group_id)
    if current is None:
        raise SessionError("no_open_session")
    position = (current.agenda_position if current.agenda_position is not None else -1) + 1
    if position >= len(current.agenda):
        raise SessionError("agenda_finished")
    await set_agenda_position(db, current.id, position, now)
    return await get(db, current.id), position


async def mark_closed(db: AsyncSession, session_id: int, now: datetime) -> SessionView | None:
    """open (or a scheduled one whose whole time passed while the bot was down) -> closed."""
    session = await _load(db, session_id)
    if session.status not in LIVE:
        return None
    session.status = CLOSED
    session.closed_at = now
    session.updated_at = now
    await db.flush()
    return await _view(db, session)


async def is_last_of_program(db: AsyncSession, session: SessionView) -> bool:
    program_id = await db.scalar(
        select(DialogueGroup.program_id).where(DialogueGroup.id == session.group_id)
    )
    later = await db.scalar(
        select(func.count())
        .select_from(DialogueSession)
        .join(DialogueGroup, DialogueGroup.id == DialogueSession.group_id)
        .where(
            DialogueGroup.program_id == program_id,
            DialogueSession.status.in_(LIVE),
            DialogueSession.id != session.id,
        )
    )
    return not later


async def program_of_group(db: AsyncSession, group_id: int) -> int:
    program_id = await db.scalar(
        select(DialogueGroup.program_id).where(DialogueGroup.id == group_id)
    )
    if program_id is None:
        raise NotFound("unknown_group")
    return program_id


# The part's names, as they were before it was split into modules.
__all__ = [
    "ACTIVE_MEMBER",
    "CALENDAR_PAST",
    "CANCELLED",
    "CLOSED",
    "LIVE",
    "MAX_PROGRAM_REMINDERS",
    "OPEN",
    "SCHEDULED",
    "AgendaView",
    "Changed",
    "Closed",
    "Created",
    "Preview",
    "ProgramReminders",
    "Recipient",
    "SessionError",
    "SessionView",
    "calendar_for_person",
    "can_manage",
    "cancel",
    "count_future",
    "create",
    "creator_zone",
    "edit",
    "get",
    "group_sessions",
    "group_zones",
    "is_last_of_program",
    "managed_groups",
    "mark_closed",
    "moderators",
    "near",
    "next_for_group",
    "next_item",
    "open_by_moderator",
    "open_for_group",
    "open_session",
    "parse_reminder_offsets",
    "preview",
    "program_of_group",
    "program_reminders",
    "recipients",
    "reminder_wave_key",
    "require_manager",
    "reschedule",
    "set_agenda_position",
    "set_program_reminders",
    "upcoming_for_person",
    "view",
]
