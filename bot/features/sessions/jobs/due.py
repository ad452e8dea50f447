"""The one entry point: ``run_due(application, now)`` does everything that is due at ``now``."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from telegram.ext import Application

from bot.context import runtime_of
from bot.domain.scheduling import agenda_timeline, delivery_key, half_time
from bot.domain.scheduling.reminders import MAX_REMINDER_OFFSET
from bot.features.sessions import service as sessions_service
from bot.features.sessions.jobs.common import CLOSED_LOOKBACK, LOCK_KEY, DueReport, log
from bot.features.sessions.jobs.lifecycle import announce_agenda, announce_open, close, finish_close
from bot.features.sessions.jobs.reminders import _skip_stale_reminders, half_time_wave, remind
from bot.features.sessions.service import CLOSED, OPEN, SCHEDULED, SessionView
from bot.jobs import notifier
from bot.jobs.notifier import Outcome

# ---- the one entry point -------------------------------------------------------------------------------


async def run_due(application: Application, now: datetime | None = None) -> DueReport:
    """Do everything that is due at ``now``. Idempotent; serialised within one process."""
    runtime = runtime_of(application)
    lock = application.bot_data.setdefault(LOCK_KEY, asyncio.Lock())
    async with lock:
        now = now or runtime.clock()
        report = DueReport()
        async with runtime.db() as db:
            near = await sessions_service.near(
                db, now - timedelta(hours=13), now + MAX_REMINDER_OFFSET + timedelta(minutes=1)
            )
            recently_closed = await _recently_closed(db, now)
        for session in near:
            try:
                await _due_for(application, session, now, report)
            except Exception:
                log.exception("due work for session %s failed; the next run retries", session.id)
        for session in recently_closed:
            await finish_close(application, session, report)
        return report


async def _recently_closed(db, now: datetime) -> list[SessionView]:
    from sqlalchemy import select

    from bot.db.models import DialogueSession

    ids = (
        await db.scalars(
            select(DialogueSession.id).where(
                DialogueSession.status == CLOSED,
                DialogueSession.closed_at >= now - CLOSED_LOOKBACK,
                DialogueSession.opened_at.is_not(None),
            )
        )
    ).all()
    return [await sessions_service.get(db, i) for i in ids]


async def _due_for(
    application: Application, session: SessionView, now: datetime, report: DueReport
) -> None:
    runtime = runtime_of(application)
    if session.status == SCHEDULED and now < session.starts_at:
        await remind(application, session, now, report)
        return
    if session.status == SCHEDULED and now >= session.ends_at:
        async with runtime.db() as db:
            await sessions_service.mark_closed(db, session.id, now)
        await _skip_stale_reminders(application, session)
        log.warning(
            "session %s passed entirely while the bot was down; marked closed without posts",
            session.id,
        )
        return
    if session.status == SCHEDULED:
        async with runtime.db() as db:
            opened = await sessions_service.open_session(db, session.id, now)
        if opened is None:
            return
        session = opened
        report.opened.append(session.id)
    if session.status != OPEN:
        return
    if await notifier.status_of(application, delivery_key("open", session.id, None)) is None:
        await announce_open(application, session, report)
    if now >= session.ends_at:
        await close(application, session.id, now, report)
        return
    await _agenda_due(application, session, now, report)
    if now >= half_time(session.starts_at, session.ends_at):
        await half_time_wave(application, session, report)


async def _agenda_due(
    application: Application, session: SessionView, now: datetime, report: DueReport
) -> None:
    cues = [c for c in agenda_timeline(session.starts_at, session.domain_agenda) if c.at_utc <= now]
    if not cues:
        return
    latest = cues[-1].index
    position = session.agenda_position if session.agenda_position is not None else -1
    if latest <= position:
        return
    async with runtime_of(application).db() as db:
        await sessions_service.set_agenda_position(db, session.id, latest, now)
    outcome = await announce_agenda(application, session, latest)
    report.count(outcome)
    report.agenda_posts += outcome is Outcome.SENT
