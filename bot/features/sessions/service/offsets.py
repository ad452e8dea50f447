"""A program's reminder offsets: when reminders go out before each session."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Delivery, DialogueGroup, DialogueSession, Program
from bot.domain.durations import parse_duration
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.scheduling import (
    DEFAULT_REMINDER_OFFSETS,
    delivery_key,
    reminder_plan,
    validate_reminder_offsets,
)
from bot.features.sessions.service.views import SCHEDULED, _offsets
from bot.services import access

# ---- reminder offsets of a program ---------------------------------------------------------------------

MAX_PROGRAM_REMINDERS = 5
_OFFSET_SPLIT = re.compile(r"[\s,;、،]+")


def reminder_wave_key(kind: str, session_id: int) -> str:
    """The delivery key recording that one reminder wave of a session was sent (or skipped)."""
    return delivery_key(f"{kind}_wave", session_id, None)


def parse_reminder_offsets(text: str) -> tuple[timedelta, ...]:
    """ "24h, 1h" -> (24 h, 1 h), checked and longest first. Raises the duration errors for a part
    that is not a duration, ``bad_reminder_offset`` for one out of range, ``no_reminder_offsets``
    for nothing at all and ``too_many_reminders`` beyond MAX_PROGRAM_REMINDERS."""
    parts = [p for p in _OFFSET_SPLIT.split(text.strip()) if p]
    if not parts:
        raise InvalidInput("no_reminder_offsets")
    return _checked_offsets([parse_duration(p) for p in parts])


def _checked_offsets(offsets: Sequence[timedelta]) -> tuple[timedelta, ...]:
    valid = validate_reminder_offsets(offsets)
    if not valid:
        raise InvalidInput("no_reminder_offsets")
    if len(valid) > MAX_PROGRAM_REMINDERS:
        raise InvalidInput("too_many_reminders", limit=MAX_PROGRAM_REMINDERS)
    return valid


@dataclass(frozen=True)
class ProgramReminders:
    program_id: int
    program_name: str
    offsets: tuple[timedelta, ...]  # longest first
    is_default: bool
    replanned: int = 0  # upcoming sessions whose reminders follow the new offsets
    own: int = 0  # upcoming sessions that keep offsets of their own


async def _program(db: AsyncSession, program_id: int) -> Program:
    program = await db.get(Program, program_id, populate_existing=True)
    if program is None:
        raise NotFound("unknown_program", ref=program_id)
    return program


async def program_reminders(db: AsyncSession, program_id: int) -> ProgramReminders:
    program = await _program(db, program_id)
    return ProgramReminders(
        program_id=program.id,
        program_name=program.name,
        offsets=_offsets(program.reminder_minutes),
        is_default=program.reminder_minutes is None,
    )


def _replanned_at(
    session: DialogueSession,
    old: Sequence[timedelta],
    new: Sequence[timedelta],
    done: set[str],
    now: datetime,
) -> datetime:
    """When the session's reminders count as planned from, after its offsets changed at ``now``.

    A reminder of the new plan that would have fallen due before ``now`` is not owed (people would
    get a late "starts in 2 days" after "starts in 1 day"); but a reminder that both plans share and
    that is due yet unsent (the bot is catching up) stays owed.
    """
    since = session.planned_at or session.created_at
    keep_from = now
    for plan in reminder_plan(session.starts_at, since, old):
        if (
            plan.offset in new
            and plan.due_utc < keep_from
            and reminder_wave_key(plan.kind, session.id) not in done
        ):
            keep_from = plan.due_utc
    return max(since, keep_from)


async def set_program_reminders(
    db: AsyncSession,
    *,
    program_id: int,
    actor_id: int | None,
    admin_ids: Collection[int],
    offsets: Sequence[timedelta] | None,
    now: datetime,
) -> ProgramReminders:
    """Set (``None``: back to the defaults) the reminder offsets of every session of the program
    without its own, and re-plan the upcoming ones. A reminder already sent keeps its delivery key
    and is never sent again; new reminders that would already be due are not owed."""
    if actor_id is not None:
        await access.require_organizer(db, actor_id, admin_ids, program_id)
    program = await _program(db, program_id)
    new = _checked_offsets(offsets) if offsets is not None else DEFAULT_REMINDER_OFFSETS
    old = _offsets(program.reminder_minutes)
    program.reminder_minutes = (
        None if offsets is None else [int(o.total_seconds()) // 60 for o in new]
    )
    upcoming = (
        await db.scalars(
            select(DialogueSession)
            .join(DialogueGroup, DialogueGroup.id == DialogueSession.group_id)
            .where(
                DialogueGroup.program_id == program_id,
                DialogueSession.status == SCHEDULED,
                DialogueSession.starts_at > now,
            )
            .order_by(DialogueSession.starts_at, DialogueSession.id)
        )
    ).all()
    following = [s for s in upcoming if s.reminder_minutes is None]
    done: set[str] = set()
    if following and set(old) & set(new):
        ids = [s.id for s in following]
        for start in range(0, len(ids), 500):
            done.update(
                (
                    await db.scalars(
                        select(Delivery.key).where(
                            Delivery.session_id.in_(ids[start : start + 500]),
                            Delivery.kind == "reminder_wave",
                        )
                    )
                ).all()
            )
    for session in following:
        session.planned_at = _replanned_at(session, old, new, done, now)
        session.updated_at = now
    await db.flush()
    return ProgramReminders(
        program_id=program.id,
        program_name=program.name,
        offsets=new,
        is_default=offsets is None,
        replanned=len(following),
        own=len(upcoming) - len(following),
    )
